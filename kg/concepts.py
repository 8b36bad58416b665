"""Concepts by label: the ontology's SKOS schemes (and class trees) as something people can type.

Users know "location" and "advertiser", not ``dc:Location`` and ``rk:Advertiser``. ``Vocabulary`` maps a label
(``skos:prefLabel``, ``skos:altLabel``, ``rdfs:label`` or the local name, any case, singular or plural), a prefixed
name or an IRI to one concept of a *domain*: the concept scheme of a query parameter's default value (a data
category's parameter takes data categories), or the subclasses of a class (``ppkg:Statement``). A near miss is an
``UnknownConcept`` whose hint says "did you mean ...", so ``privacy-kg query --param category=locaton`` stops with
exit 2 instead of answering 0 rows. ``search`` gives the completions the web app offers while typing.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.errors import BadQuery
from kg.graphio import ontology_graph, short_name


class UnknownConcept(BadQuery):
    """A label that names no concept of the domain asked for (or several)."""


@dataclass(frozen=True)
class Concept:
    """One concept (or class) with its labels; ``broader``: its direct parents in the same tree."""

    iri: URIRef
    label: str  # the English skos:prefLabel (or rdfs:label), else the local name
    alt_labels: tuple[str, ...]
    schemes: tuple[URIRef, ...]  # skos:inScheme; a class has none
    broader: tuple[URIRef, ...]

    @property
    def name(self) -> str:
        """The prefixed name, ``dc:Location`` (for parameters and the command line)."""
        return short_name(self.iri)


@dataclass(frozen=True)
class Domain:
    """What a parameter accepts: the concepts of some schemes, or a class and its subclasses."""

    description: str  # "data category", "recipient kind", "statement class"
    members: frozenset[URIRef]


def normalise(text: str) -> str:
    """The form labels are compared in: case-folded, hyphens and underscores as spaces, spaces collapsed.

    >>> normalise("  E-mail_Address ")
    'e mail address'
    """
    return " ".join(re.sub(r"[-_/]", " ", text).casefold().split())


def _singular(text: str) -> str:
    """A crude singular, enough for labels: "advertisers" -> "advertiser", "parties" -> "party".

    >>> _singular("third parties"), _singular("advertisers"), _singular("address"), _singular("email addresses")
    ('third party', 'advertiser', 'address', 'email address')
    """
    if text.endswith("ies") and len(text) > 4:
        return text[:-3] + "y"
    if text.endswith("sses"):
        return text[:-2]
    if text.endswith("s") and not text.endswith("ss") and len(text) > 3:
        return text[:-1]
    return text


def _local(iri: URIRef) -> str:
    """The local name split into words: ``dc:EmailAddress`` -> "email address"."""
    local = re.split(r"[#/]", str(iri))[-1]
    return normalise(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local))


def _english(values: Iterable) -> list[str]:
    return [str(v) for v in sorted(values, key=lambda v: (getattr(v, "language", None) not in (None, "en"), str(v)))
            if getattr(v, "language", None) in (None, "en")]


class Vocabulary:
    """The concepts and classes of the ontology, indexed by label (build it once: ``vocabulary()``)."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.concepts: dict[URIRef, Concept] = {}
        nodes = {s for s in graph.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef)}
        nodes |= {s for s in graph.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
        for node in nodes:
            pref = _english(graph.objects(node, SKOS.prefLabel)) or _english(graph.objects(node, RDFS.label))
            alts = _english(graph.objects(node, SKOS.altLabel))
            broader = [b for b in graph.objects(node, SKOS.broader) if isinstance(b, URIRef)]
            broader += [b for b in graph.objects(node, RDFS.subClassOf) if isinstance(b, URIRef)]
            self.concepts[node] = Concept(node, pref[0] if pref else _local(node), tuple(pref[1:] + alts),
                                          tuple(sorted(s for s in graph.objects(node, SKOS.inScheme)
                                                       if isinstance(s, URIRef))), tuple(sorted(broader)))
        self._narrower: dict[URIRef, set[URIRef]] = {}
        for c in self.concepts.values():
            for b in c.broader:
                self._narrower.setdefault(b, set()).add(c.iri)

    # -- trees ----------------------------------------------------------------------------------------------
    def narrower(self, iri: URIRef) -> set[URIRef]:
        """``iri`` and every concept below it (``skos:broader*`` / ``rdfs:subClassOf*`` read downwards)."""
        out, todo = {iri}, [iri]
        while todo:
            for child in self._narrower.get(todo.pop(), ()):
                if child not in out:
                    out.add(child)
                    todo.append(child)
        return out

    def children(self, iri: URIRef) -> set[URIRef]:
        """The concepts right below ``iri``."""
        return set(self._narrower.get(iri, ()))

    def broader_all(self, iri: URIRef) -> set[URIRef]:
        """``iri`` and every concept above it (``skos:broader*`` / ``rdfs:subClassOf*``)."""
        out, todo = {iri}, [iri]
        while todo:
            c = self.concepts.get(todo.pop())
            for parent in c.broader if c else ():
                if parent not in out:
                    out.add(parent)
                    todo.append(parent)
        return out

    def label(self, iri: URIRef | str) -> str:
        """The concept's label, else the IRI's local name in words."""
        c = self.concepts.get(URIRef(str(iri)))
        return c.label if c else _local(URIRef(str(iri)))

    def domain_of(self, iri: URIRef | str) -> Domain | None:
        """The domain a parameter whose default is ``iri`` accepts: the concepts of its schemes, or the class and
        its subclasses; None when ``iri`` is no concept or class of ours."""
        c = self.concepts.get(URIRef(str(iri)))
        if c is None:
            return None
        if c.schemes:
            members = frozenset(x.iri for x in self.concepts.values() if set(x.schemes) & set(c.schemes))
            return Domain(self._scheme_noun(c.schemes[0]), members)
        return Domain(f"kind of {c.label.casefold()}", frozenset(self.narrower(c.iri)))

    def _scheme_noun(self, scheme: URIRef) -> str:
        """'data category' for dc:Scheme: the scheme's label without our prefix, singular."""
        label = (_english(self.graph.objects(scheme, RDFS.label))
                 or _english(self.graph.objects(scheme, SKOS.prefLabel)) or [_local(scheme)])[0]
        words = normalise(label.removeprefix("privacy-kg ").removeprefix("OPP-115 ")).split()
        return " ".join(words[:-1] + [_singular(words[-1])]) if words else "concept"

    # -- look-up --------------------------------------------------------------------------------------------
    def _keys(self, c: Concept) -> list[tuple[str, int]]:
        """(normalised label, rank): the preferred label ranks before alternative labels and the local name."""
        return [(normalise(c.label), 0)] + [(normalise(a), 1) for a in c.alt_labels] + [(_local(c.iri), 2)]

    def resolve(self, text: str, domain: Domain | None = None, *, param: str | None = None) -> Concept:
        """The concept ``text`` names in ``domain`` (all concepts when None): by label (any case, singular or
        plural), prefixed name or IRI. Raises ``UnknownConcept`` with "did you mean" suggestions, or naming the
        candidates when a label is ambiguous."""
        members = domain.members if domain else frozenset(self.concepts)
        what = domain.description if domain else "concept"
        where = f"{param}={text}" if param else text
        value = text.strip()
        iri = self._iri(value)
        if iri is not None:
            if iri in members:
                return self.concepts[iri]
            if iri in self.concepts:
                other = self.domain_of(iri)
                raise UnknownConcept(where, f"{short_name(iri)} ({self.concepts[iri].label}) is not a {what}",
                                     hint=f"it is a {other.description if other else 'concept'}; this parameter "
                                          f"takes a {what}")
            raise UnknownConcept(where, f"unknown {what} {short_name(iri)} (not defined in the ontology)",
                                 hint=self._hint(_local(iri), members, what))
        wanted = normalise(value)
        for form in dict.fromkeys((wanted, _singular(wanted))):
            found: dict[URIRef, int] = {}
            for m in members:
                for key, rank in self._keys(self.concepts[m]):
                    if key == form or _singular(key) == form:
                        found[m] = min(rank, found.get(m, rank))
            if found:
                best = min(found.values())
                top = sorted(m for m, r in found.items() if r == best)
                if len(top) == 1:
                    return self.concepts[top[0]]
                names = "; ".join(f"{self.concepts[m].label} ({short_name(m)})" for m in top)
                raise UnknownConcept(where, f"'{value}' names {len(top)} {what}s: {names}",
                                     hint="give the prefixed name of the one you mean")
        raise UnknownConcept(where, f"no {what} is called '{value}'", hint=self._hint(value, members, what))

    def _iri(self, value: str) -> URIRef | None:
        """The IRI a value written as ``<iri>`` or ``prefix:Name`` (a known prefix) stands for, else None."""
        from kg.vocab import PREFIXES

        if value.startswith("<") and value.endswith(">"):
            return URIRef(value[1:-1])
        prefix, sep, local = value.partition(":")
        if sep and prefix in PREFIXES and local and " " not in local:
            return URIRef(str(PREFIXES[prefix]) + local)
        return None

    def suggest(self, text: str, members: Iterable[URIRef], n: int = 3) -> list[Concept]:
        """The concepts whose labels are closest to ``text`` (difflib ratio at least 0.7, and within 0.1 of the
        best), best first."""
        wanted = normalise(text)
        best: dict[URIRef, float] = {}
        for m in members:
            for key, _ in self._keys(self.concepts[m]):
                ratio = difflib.SequenceMatcher(None, wanted, key).ratio()
                if ratio >= 0.7 and ratio > best.get(m, 0.0):
                    best[m] = ratio
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self.concepts[kv[0]].label))
        top = ranked[0][1] if ranked else 0.0
        return [self.concepts[m] for m, r in ranked if r >= top - 0.1][:n]

    def _hint(self, text: str, members: Iterable[URIRef], what: str) -> str:
        close = self.suggest(text, members)
        if close:
            return "did you mean " + " or ".join(f"'{c.label}' ({c.name})" for c in close) + "?"
        return f"the {what} concepts are in ontology/concepts/ (skos:prefLabel, skos:altLabel)"

    def search(self, text: str, domain: Domain | None = None, limit: int = 20) -> list[Concept]:
        """Completions for what a user is typing: concepts whose labels start with ``text`` (preferred label first),
        then those that contain it, then near misses; by label."""
        members = domain.members if domain else frozenset(self.concepts)
        wanted = normalise(text)
        if not wanted:
            return sorted((self.concepts[m] for m in members), key=lambda c: c.label.casefold())[:limit]
        scored: dict[URIRef, tuple[int, str]] = {}
        for m in members:
            c = self.concepts[m]
            for key, rank in self._keys(c):
                score = 0 if key.startswith(wanted) else 2 if wanted in key else None
                if score is not None:
                    best = (score + (rank > 0), c.label.casefold())
                    scored[m] = min(best, scored.get(m, best))
        out = [self.concepts[m] for m, _ in sorted(scored.items(), key=lambda kv: kv[1])]
        if len(out) < limit:
            out += [c for c in self.suggest(text, members, n=limit - len(out)) if c not in out]
        return out[:limit]


@cache
def vocabulary() -> Vocabulary:
    """The ontology's vocabulary, built once per process (about 0.1 s)."""
    return Vocabulary(ontology_graph())


__all__ = ["Concept", "Domain", "UnknownConcept", "Vocabulary", "normalise", "vocabulary"]

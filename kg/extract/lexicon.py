"""The extraction vocabulary, read from the ontology's SKOS labels and compiled into a spaCy PhraseMatcher.

Every ``skos:prefLabel``, ``skos:altLabel`` and ``skos:hiddenLabel`` of a concept in one of our schemes is a
phrase to find; the match carries the concept IRI. A new data category, purpose or organisation is therefore a
Turtle edit in ``ontology/concepts/``, not a code change. Matching is on lower-case tokens, with plural and
hyphen variants generated here so the labels can be written in their dictionary form.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.vocab import AUD, CHOICE, DC, LB, ORG, PPKG, PUR, RIGHT, RK, SEC

SCHEMES: dict[str, str] = {
    "data": str(DC),
    "purpose": str(PUR),
    "recipient": str(RK),
    "org": str(ORG),
    "legal_basis": str(LB),
    "right": str(RIGHT),
    "security": str(SEC),
    "choice": str(CHOICE),
    "audience": str(AUD),
}
_LABELS = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)


def scheme_of(iri: str) -> str | None:
    for name, ns in SCHEMES.items():
        if iri.startswith(ns):
            return name
    return None


@dataclass(frozen=True)
class Lexicon:
    """Labels per scheme plus the bits of the taxonomy the extractor needs."""

    labels: dict[str, tuple[tuple[str, str], ...]]  # scheme -> ((label, concept IRI), ...); lower case but orgs
    pref: dict[str, str]  # concept IRI -> prefLabel
    broader: dict[str, str]  # concept IRI -> its skos:broader (mono-hierarchy)
    org_kind: dict[str, str]  # organisation concept -> default recipient-kind concept

    @cached_property
    def roots(self) -> dict[str, str]:
        """The top concept of each scheme that has a tree (e.g. data -> dc:PersonalInformation)."""
        out: dict[str, str] = {}
        for iri in self.pref:
            scheme = scheme_of(iri)
            if scheme and iri not in self.broader and any(b == iri for b in self.broader.values()):
                out.setdefault(scheme, iri)
        return out

    def ancestors(self, iri: str) -> list[str]:
        chain, seen = [], {iri}
        while (iri := self.broader.get(iri)) and iri not in seen:
            chain.append(iri)
            seen.add(iri)
        return chain


def load_lexicon(ontology: Graph) -> Lexicon:
    labels: dict[str, set[tuple[str, str]]] = {name: set() for name in SCHEMES}
    pref: dict[str, str] = {}
    for prop in _LABELS:
        for concept, label in ontology.subject_objects(prop):
            scheme = scheme_of(str(concept))
            if scheme is None:
                continue
            if prop == SKOS.prefLabel:
                pref[str(concept)] = str(label)
            text = " ".join(str(label).split())
            # organisation names are matched as written ("UPS" is not "ups"); other labels in lower case
            labels[scheme].add((text if scheme == "org" else text.lower(), str(concept)))
    broader = {
        str(s): str(o)
        for s, o in ontology.subject_objects(SKOS.broader)
        if scheme_of(str(s)) and scheme_of(str(o))
    }
    org_kind = {
        str(s): str(o) for s, o in ontology.subject_objects(PPKG.recipientKind) if scheme_of(str(s)) == "org"
    }
    return Lexicon({k: tuple(sorted(v)) for k, v in labels.items()}, pref, broader, org_kind)


def variants(label: str) -> set[str]:
    """The label, its plural (last word) and its hyphen/space spellings."""
    out = {label}
    words = label.split(" ")
    last = words[-1]
    if last.isalpha() and len(last) > 2:
        if last.endswith("y") and last[-2] not in "aeiou":
            plural = last[:-1] + "ies"
        elif last.endswith(("s", "x", "ch", "sh")):
            plural = last + "es"
        else:
            plural = last + "s"
        out.add(" ".join(words[:-1] + [plural]))
    for form in list(out):
        if "-" in form:
            out.add(form.replace("-", " "))
            out.add(form.replace("-", ""))
    return out


@dataclass(frozen=True)
class Mention:
    scheme: str
    concept: str
    start: int  # token offsets in the sentence Doc
    end: int


class ConceptMatcher:
    """Find concept mentions in a Doc; the longest match wins where two overlap."""

    def __init__(self, nlp: Language, lexicon: Lexicon):
        self.lexicon = lexicon
        self.matchers = {"LOWER": PhraseMatcher(nlp.vocab, attr="LOWER"),
                         "ORTH": PhraseMatcher(nlp.vocab, attr="ORTH")}
        for scheme, entries in lexicon.labels.items():
            attr = "ORTH" if scheme == "org" else "LOWER"
            keys: dict[str, list[Doc]] = {}
            for label, concept in entries:
                forms = {label} if scheme == "org" else variants(label)
                keys.setdefault(f"{scheme}|{concept}", []).extend(nlp.make_doc(v) for v in sorted(forms))
            for key, docs in keys.items():
                self.matchers[attr].add(key, docs)

    def __call__(self, doc: Doc) -> list[Mention]:
        spans = [Span(doc, s, e, label=m) for matcher in self.matchers.values() for m, s, e in matcher(doc)]
        out = []
        for span in sorted(filter_spans(spans), key=lambda sp: sp.start):
            scheme, concept = span.label_.split("|", 1)
            out.append(Mention(scheme, concept, span.start, span.end))
        return out

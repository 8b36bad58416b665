"""The vocabulary as a listing (``privacy-kg concepts``): the ontology's concept schemes, the concepts of one scheme
as a tree, or the concepts whose labels hold a word, each with its label, prefixed IRI, alternative labels, DPV
matches (``skos:exactMatch``/``closeMatch``/``broadMatch``) and narrower concepts, so nobody has to open the Turtle
files to learn what ``category=...`` or ``kind=...`` accepts.

A scheme is named by a short name (``data-category``; ``opp-purpose`` for a scheme of a source with several, such
as OPP-115), its prefix when the scheme is the only one with it (``dc``), its label (any case, singular or plural)
or its prefixed IRI (``dc:Scheme``); a near miss is an ``UnknownConcept`` error with "did you mean".
"""
from __future__ import annotations

import difflib
import json
from collections import Counter
from dataclasses import asdict, dataclass
from functools import cache

from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.concepts import Concept, UnknownConcept, Vocabulary, _english, _local, _singular, normalise, vocabulary
from kg.dpv import is_dpv
from kg.graphio import short_name
from kg.tabular import GAP, MIN_COLUMN, column_widths, cut, delimited, fit_table

FORMATS = ("table", "csv", "tsv", "json")
BY_EXTENSION = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".txt": "table"}
DPV_MATCHES = (("exact", SKOS.exactMatch), ("close", SKOS.closeMatch), ("broad", SKOS.broadMatch))
LIST_SEP = "; "  # between the items of a list in one table or CSV cell


@dataclass(frozen=True)
class Scheme:
    """A concept scheme: ``name`` to type (``data-category``), ``aliases`` that also name it (``dc``)."""

    name: str
    iri: str  # prefixed: dc:Scheme
    label: str
    concepts: int
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class ConceptRow:
    """One concept for people and programs; IRIs as prefixed names (``dc:EmailAddress``, ``pd:EmailAddress``).
    ``depth``: its level in the scheme's tree (0 for a top concept; 0 for every row of a search)."""

    label: str
    iri: str
    schemes: tuple[str, ...]  # scheme names
    alt_labels: tuple[str, ...]
    exact_match: tuple[str, ...]
    close_match: tuple[str, ...]
    broad_match: tuple[str, ...]
    broader: tuple[str, ...]
    narrower: tuple[str, ...]
    depth: int = 0


def _noun(words: list[str]) -> str:
    """The words with the last one singular, hyphenated: ["legal", "bases"] -> "legal-basis"."""
    if not words:
        return "concept"
    last = words[-1]
    last = last[:-2] + "is" if last.endswith("bases") else _singular(last)
    return "-".join(words[:-1] + [last])


@cache
def schemes() -> tuple[Scheme, ...]:
    """The ontology's concept schemes by name, with how many concepts each has."""
    vocab = vocabulary()
    graph = vocab.graph
    iris = sorted(s for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef))
    prefixes = Counter(short_name(s).partition(":")[0] for s in iris)
    counts = Counter(s for c in vocab.concepts.values() for s in c.schemes)
    out = []
    for s in iris:
        label = (_english(graph.objects(s, RDFS.label)) or _english(graph.objects(s, SKOS.prefLabel))
                 or [_local(s)])[0]
        prefix = short_name(s).partition(":")[0]
        words = normalise(label.removeprefix("privacy-kg ")).split()
        if prefixes[prefix] > 1:  # a source with several schemes (OPP-115, APP-350): its prefix, then the noun
            if words and any(ch.isdigit() for ch in words[0] + "".join(words[1:2])):
                words = [w for w in words if not w.isdigit()][1:]  # "opp 115 purpose" -> "purpose"
            name = f"{prefix}-{_noun(words)}"
            aliases: tuple[str, ...] = ()
        else:
            name = _noun(words)
            aliases = (prefix,) if str(s).endswith("Scheme") else ()
        out.append(Scheme(name, short_name(s), label, counts[s], aliases))
    return tuple(sorted(out, key=lambda x: x.name))


def scheme_named(text: str) -> Scheme:
    """The scheme ``text`` names: its name, an alias, its label (any case, singular or plural) or its prefixed
    IRI. Raises ``UnknownConcept`` with "did you mean" and the names there are."""
    wanted = normalise(text)
    keys: dict[str, Scheme] = {}
    for s in schemes():
        for key in (s.name, *s.aliases, s.label, s.label.removeprefix("privacy-kg "), s.iri):
            keys.setdefault(normalise(key), s)
    for form in (wanted, _singular(wanted)):
        if form in keys:
            return keys[form]
        for key, s in keys.items():
            if _singular(key) == form:
                return s
    close = difflib.get_close_matches(wanted, list(keys), n=3, cutoff=0.7)
    names = list(dict.fromkeys(keys[k].name for k in close))
    hint = (f"did you mean {' or '.join(names)}? (privacy-kg concepts lists the schemes)" if names else
            "the schemes: " + ", ".join(s.name for s in schemes()) + " (privacy-kg concepts lists them)")
    raise UnknownConcept(text, f"no concept scheme is called '{text}'", hint=hint)


def _row(vocab: Vocabulary, c: Concept, names: dict[URIRef, str], depth: int = 0) -> ConceptRow:
    graph = vocab.graph

    def matches(predicate: URIRef) -> tuple[str, ...]:
        return tuple(sorted(short_name(t) for t in graph.objects(c.iri, predicate) if is_dpv(t)))

    exact, close, broad = (matches(p) for _, p in DPV_MATCHES)
    return ConceptRow(c.label, c.name, tuple(names[s] for s in c.schemes if s in names), c.alt_labels,
                      exact, close, broad, tuple(short_name(b) for b in c.broader),
                      tuple(sorted(short_name(n) for n in vocab.children(c.iri))), depth)


def _names() -> dict[URIRef, str]:
    from kg.vocab import PREFIXES

    out = {}
    for s in schemes():
        prefix, _, local = s.iri.partition(":")
        out[URIRef(str(PREFIXES[prefix]) + local)] = s.name
    return out


def tree(scheme: Scheme) -> list[ConceptRow]:
    """The scheme's concepts as a tree, depth first: the concepts with no broader concept in the scheme, then
    each one's narrower concepts, by label. A concept under two parents is listed under the first reached."""
    vocab, names = vocabulary(), _names()
    iri = next(i for i, n in names.items() if n == scheme.name)
    members = {c.iri: c for c in vocab.concepts.values() if iri in c.schemes}
    by_label = sorted(members.values(), key=lambda c: (c.label.casefold(), c.name))
    out: list[ConceptRow] = []
    seen: set[URIRef] = set()

    def visit(c: Concept, depth: int) -> None:
        seen.add(c.iri)
        out.append(_row(vocab, c, names, depth))
        for child in sorted((members[x] for x in vocab.children(c.iri) if x in members and x not in seen),
                            key=lambda x: (x.label.casefold(), x.name)):
            if child.iri not in seen:
                visit(child, depth + 1)

    for c in by_label:
        if c.iri not in seen and not any(b in members for b in c.broader):
            visit(c, 0)
    for c in by_label:  # a cycle of broader links has no top: list what is left
        if c.iri not in seen:
            visit(c, 0)
    return out


def search(word: str, scheme: Scheme | None = None) -> list[ConceptRow]:
    """The concepts (of ``scheme``, else of every scheme) whose label, alternative label or local name holds
    ``word`` (any case, singular or plural), by label. None: an ``UnknownConcept`` error with the nearest
    labels."""
    vocab, names = vocabulary(), _names()
    wanted = normalise(word)
    forms = {wanted, _singular(wanted)}
    members = [c for c in vocab.concepts.values() if c.schemes and any(s in names for s in c.schemes)
               and (scheme is None or scheme.iri in {short_name(s) for s in c.schemes})]
    found = [c for c in members
             if any(f in key or f in _singular(key) for key, _ in vocab._keys(c) for f in forms if f)]
    if not found:
        where = f" in {scheme.name}" if scheme else ""
        raise UnknownConcept(word, f"no concept{where} has a label with '{word}'",
                             hint=vocab._hint(word, [c.iri for c in members], "concept"))
    return [_row(vocab, c, names) for c in sorted(found, key=lambda c: (c.label.casefold(), c.name))]


def near_terms(iri: URIRef, n: int = 3) -> list[str]:
    """For a term of our namespaces or DPV's that neither defines (``dc:EmailAdress``, ``pd:Emial``): the prefixed
    names of the defined terms of the same namespace whose local names are closest (difflib), best first."""
    from kg.dpv import dpv_taxonomy

    text = str(iri)
    cut_at = max(text.rfind("#"), text.rfind("/")) + 1
    namespace, local = text[:cut_at], text[cut_at:]
    graph = dpv_taxonomy() if is_dpv(iri) else vocabulary().graph
    terms = {str(s)[cut_at:]: s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(namespace)
             and "/" not in str(s)[cut_at:] and "#" not in str(s)[cut_at:]}
    by_case = {k.casefold(): k for k in terms if k[:1].isupper() == local[:1].isupper()}  # classes, or properties
    close = [short_name(terms[by_case[k]])
             for k in difflib.get_close_matches(local.casefold(), list(by_case), n=n, cutoff=0.75)]
    if not is_dpv(iri):  # ours also by label: dc:Emial -> "email" (an alternative label of dc:EmailAddress)
        vocab = vocabulary()
        same = [c for c in vocab.concepts if str(c).startswith(namespace)]
        close += [c.name for c in vocab.suggest(_local(iri), same, n) if c.name not in close]
    return close[:n]


# -- formats -----------------------------------------------------------------------------------------------------
SCHEME_HEADER = ("name", "iri", "label", "concepts", "aliases")
CONCEPT_HEADER = ("label", "iri", "scheme", "alt_labels", "exact_match", "close_match", "broad_match", "narrower")


def _cells(row: ConceptRow, indent: bool) -> list[str]:
    label = ("  " * row.depth + row.label) if indent else row.label
    return [label, row.iri, LIST_SEP.join(row.schemes), *(LIST_SEP.join(v) for v in (
        row.alt_labels, row.exact_match, row.close_match, row.broad_match, row.narrower))]


def render_schemes(found: tuple[Scheme, ...] | list[Scheme], fmt: str, width: int | None = None) -> str:
    if fmt == "json":
        return json.dumps([asdict(s) for s in found], ensure_ascii=False, indent=2) + "\n"
    rows = [[s.name, s.iri, s.label, str(s.concepts), LIST_SEP.join(s.aliases)] for s in found]
    if fmt in ("csv", "tsv"):
        return delimited(SCHEME_HEADER, rows, fmt)
    return fit_table(SCHEME_HEADER, rows, width) + "\n"


def _table(header: tuple[str, ...], rows: list[list[str]], width: int | None, first: tuple[str, ...]) -> str:
    """``fit_table``, except that on a terminal the columns named in ``first`` keep their width, in that order,
    while the others can still have ``MIN_COLUMN`` characters each; only the others (the long lists of alternative
    labels and narrower concepts) are narrowed, to what is left."""
    if width is None:
        return fit_table(header, rows)
    natural = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    room = width - len(GAP) * (len(header) - 1)
    kept: set[int] = set()
    for name in (n for n in first if n in header):
        i = header.index(name)
        if natural[i] + sum(natural[j] for j in kept) + MIN_COLUMN * (len(header) - len(kept) - 1) <= room:
            kept.add(i)
    rest = [i for i in range(len(header)) if i not in kept]
    narrowed = dict(zip(rest, column_widths([natural[i] for i in rest],
                                            max(room - sum(natural[i] for i in kept) + len(GAP) * (len(rest) - 1),
                                                0))))
    widths = [natural[i] if i in kept else narrowed[i] for i in range(len(header))]
    lines = [GAP.join(cut(c, w).ljust(w) for c, w in zip(r, widths)).rstrip() for r in [list(header), *rows]]
    lines.insert(1, GAP.join("-" * w for w in widths))
    return "\n".join(lines)


def render_concepts(found: list[ConceptRow], fmt: str, width: int | None = None, scheme: bool = True) -> str:
    """``table``: the label indented by its depth in the tree (without the scheme column when ``scheme`` is
    False: the concepts of one scheme); csv/tsv: a ``depth`` column instead; json: a list of objects (lists as
    lists)."""
    if fmt == "json":
        return json.dumps([asdict(r) for r in found], ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        return delimited((*CONCEPT_HEADER, "depth"), [[*_cells(r, False), r.depth] for r in found], fmt)
    drop = CONCEPT_HEADER.index("scheme")
    header: tuple[str, ...] = CONCEPT_HEADER
    rows = [_cells(r, True) for r in found]
    if not scheme:
        header, rows = header[:drop] + header[drop + 1:], [r[:drop] + r[drop + 1:] for r in rows]
    return _table(header, rows, width, ("label", "iri", "exact_match", "close_match", "broad_match", "scheme")) \
        + "\n"


__all__ = ["BY_EXTENSION", "FORMATS", "ConceptRow", "Scheme", "near_terms", "render_concepts", "render_schemes",
           "scheme_named", "schemes", "search", "tree"]

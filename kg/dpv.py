"""DPV 2.3, the W3C Data Privacy Vocabulary, next to ours: its taxonomy for queries, and graphs in its terms.

Our concepts (``dc:EmailAddress``, ``pur:Analytics``, ``rk:ThirdParty`` ...) carry their links to DPV in the
ontology files (``skos:exactMatch``/``closeMatch``/``broadMatch``/``narrowMatch``/``relatedMatch``, see
``docs/decisions/0001-iris-and-dpv-alignment.md``). This module puts those links to work:

* ``query_vocabulary()``: what queries run against: our ontology, DPV's taxonomy (the concepts' types, labels,
  ``skos:broader`` and ``rdfs:subClassOf``, read from the vendored DPV files) and a bridge from each of our concepts
  to the DPV concepts it matches exactly, closely or more narrowly (``C skos:broader D``). So a DPV term works as a
  query parameter (``category=pd:EmailAddress``, ``category=pd:Contact``, ``kind=dpv:ThirdParty``) and
  ``skos:broader*`` reaches DPV's taxonomy. The bridge runs one way only, from ours into DPV, so no path leads from
  one of our concepts through DPV back to another of ours: questions between our own concepts (contradictions,
  narrower categories) answer as they did without DPV.
* ``mapping_triples(graph)``: the match triples of the concepts a graph uses (the default export carries them).
* ``to_dpv(graph)``: the graph in DPV's terms (``export --vocabulary dpv``): a value with one exact DPV match is
  replaced by it; a value without one is kept, with its match triples and a ``skos:broader`` link to the DPV
  concept nearest above it (DPV's own "method 2" for extending its taxonomy); a recipient node is also typed with the
  DPV entity class of its kind (or of the nearest kind above it that has one), so "who shares with
  ``dpv:ThirdParty``" can be asked with DPV alone.
"""
from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF, RDFS, SKOS

from kg.graphio import ontology_graph
from kg.resources import data_dir, dpv_files
from kg.vocab import PPKG, bind_prefixes

DPV_BASE = "https://w3id.org/dpv"
MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
# a concept of ours counts as narrower than the DPV concepts it matches in these ways (C broadMatch D: D is broader)
BRIDGED = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)
TAXONOMY = (RDF.type, SKOS.prefLabel, SKOS.broader, RDFS.subClassOf)


def is_dpv(term: object) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(DPV_BASE)


@cache
def dpv_graph() -> Graph:
    """The vendored DPV 2.3 files, whole, parsed once (shared: do not modify)."""
    graph = Graph()
    for path in dpv_files():
        graph.parse(path, format="turtle")
    return graph


def taxonomy_path() -> Path:
    return data_dir("ontology") / "dpv-taxonomy.nt"


def extract_taxonomy(dpv: Graph) -> Graph:
    """DPV's terms with their types, labels, ``skos:broader`` and ``rdfs:subClassOf`` (named terms only: the blank
    nodes DPV uses for its authors are not part of the taxonomy)."""
    out = Graph()
    for predicate in TAXONOMY:
        for s, o in dpv.subject_objects(predicate):
            if isinstance(s, URIRef) and not isinstance(o, BNode):
                out.add((s, predicate, o))
    return out


@cache
def dpv_taxonomy() -> Graph:
    """``extract_taxonomy`` of the vendored DPV, read from ``ontology/dpv-taxonomy.nt`` (made by ``python -m kg.dpv``
    and checked by a test against the vendored files: a fifth of DPV's triples, parsed in a fifth of the time)
    (shared: do not modify)."""
    graph = Graph()
    graph.parse(taxonomy_path(), format="nt")
    return graph


def _ours(onto: Graph) -> set[URIRef]:
    """Our concepts: the SKOS concepts the ontology defines."""
    return {c for c in onto.subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef) and not is_dpv(c)}


@cache
def bridge() -> Graph:
    """``C skos:broader D`` for each concept C of ours and each DPV concept D it matches exactly, closely or more
    narrowly (shared: do not modify)."""
    onto, out = ontology_graph(), Graph()
    for concept in _ours(onto):
        for predicate in BRIDGED:
            for target in onto.objects(concept, predicate):
                if is_dpv(target):
                    out.add((concept, SKOS.broader, target))
    return out


@cache
def query_vocabulary() -> ReadOnlyGraphAggregate:
    """Our ontology, DPV's taxonomy and the bridge: the vocabulary a query sees, as one read-only graph over the
    three (none copied; they share no triple)."""
    return ReadOnlyGraphAggregate([ontology_graph(), dpv_taxonomy(), bridge()])


def is_known(term: URIRef) -> bool:
    """Whether ``term`` is defined by our ontology or by the vendored DPV."""
    return (term, None, None) in ontology_graph() or (term, RDF.type, None) in dpv_taxonomy()


@cache
def exact_matches() -> dict[URIRef, URIRef]:
    """Each concept of ours with exactly one exact DPV match -> that match."""
    onto, out = ontology_graph(), {}
    for concept in _ours(onto):
        targets = [t for t in onto.objects(concept, SKOS.exactMatch) if is_dpv(t)]
        if len(targets) == 1 and isinstance(targets[0], URIRef):
            out[concept] = targets[0]
    return out


def _used_concepts(graph: Graph) -> set[URIRef]:
    ours = _ours(ontology_graph())
    return {o for o in graph.objects() if isinstance(o, URIRef) and o in ours}


def mapping_triples(graph: Graph) -> Graph:
    """The DPV match triples (``skos:exactMatch``, ``closeMatch`` ...) of every concept of ours ``graph`` uses."""
    onto, out = ontology_graph(), Graph()
    for concept in _used_concepts(graph):
        for predicate in MATCHES:
            for target in onto.objects(concept, predicate):
                if is_dpv(target):
                    out.add((concept, predicate, target))
    return out


def _nearest_dpv(concept: URIRef, predicates: tuple[URIRef, ...]) -> list[URIRef]:
    """The DPV concepts matched (by ``predicates``) by ``concept`` or, failing that, by the nearest concepts above it
    in our taxonomy (breadth first)."""
    onto = ontology_graph()
    level, seen = [concept], {concept}
    while level:
        found = sorted({t for c in level for p in predicates for t in onto.objects(c, p)
                        if isinstance(t, URIRef) and is_dpv(t)})
        if found:
            return found
        level = [b for c in level for b in onto.objects(c, SKOS.broader) if isinstance(b, URIRef) and b not in seen]
        seen.update(level)
    return []


def to_dpv(graph: Graph) -> Graph:
    """``graph`` in DPV's terms (see the module's description); the input is not modified."""
    exact = exact_matches()
    out = bind_prefixes(Graph())
    kept: set[URIRef] = set()
    ours = _ours(ontology_graph())
    for s, p, o in graph:
        if p != RDF.type and isinstance(o, URIRef) and o in ours:
            if o in exact:
                o = exact[o]
            else:
                kept.add(o)
        out.add((s, p, o))
    onto = ontology_graph()
    for concept in kept:
        for predicate in MATCHES:
            for target in onto.objects(concept, predicate):
                if is_dpv(target):
                    out.add((concept, predicate, target))
        for label in onto.objects(concept, SKOS.prefLabel):
            out.add((concept, SKOS.prefLabel, label))
        for above in _nearest_dpv(concept, (SKOS.exactMatch, SKOS.broadMatch)):
            out.add((concept, SKOS.broader, above))
    for node, kind in graph.subject_objects(PPKG.recipientKind):
        if isinstance(kind, URIRef):
            for cls in _nearest_dpv(kind, (SKOS.exactMatch, SKOS.closeMatch)):
                out.add((node, RDF.type, cls))
    return out


def main() -> int:
    """Rewrite ``ontology/dpv-taxonomy.nt`` from the vendored DPV files (sorted lines, so diffs stay small)."""
    lines = sorted(set(extract_taxonomy(dpv_graph()).serialize(format="nt").splitlines()) - {""})
    taxonomy_path().write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {taxonomy_path()} ({len(lines)} triples)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

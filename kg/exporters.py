"""Export stage: one table of formats, keyed by the name users type (``--format``); a store's policy graphs are
streamed one at a time in the RDF formats that allow it (``export_policies``)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg.errors import UnknownName
from kg.graphio import (RdfStream, graphml_bytes, policy_closures, rdflib_dataset_warnings_ignored, serialize_triples,
                        short_name, split_owned, write_atomic)
from kg.view import Labels
from kg.vocab import PREFIXES, bind_prefixes

if TYPE_CHECKING:
    import networkx as nx


def _rdf(fmt: str) -> Callable[[Graph], bytes]:
    def serialize(graph: Graph) -> bytes:
        out = Graph()
        out += graph
        bind_prefixes(out)  # our prefixes, whatever the input graph had bound
        with rdflib_dataset_warnings_ignored():
            return out.serialize(format=fmt, encoding="utf-8")

    return serialize


def _dataset() -> Dataset:
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True, replace=True)
    return ds


def to_dataset(graph: Graph) -> Dataset:
    """A named graph per policy (named by the policy IRI, holding its closure, see ``policy_closures``); triples
    no policy reaches go to the default graph. Shared nodes' triples appear in every policy graph reaching them."""
    ds = _dataset()
    covered: set[tuple[Node, Node, Node]] = set()
    for policy, sub in policy_closures(graph).items():
        named = ds.graph(policy)
        for triple in sub:
            named.add(triple)
            covered.add(triple)
    for triple in graph:
        if triple not in covered:
            ds.default_graph.add(triple)
    return ds


def to_trig(graph: Graph) -> bytes:
    with rdflib_dataset_warnings_ignored():
        return to_dataset(graph).serialize(format="trig", encoding="utf-8")


def to_networkx(graph: Graph) -> nx.MultiDiGraph:
    """A property graph: IRI (and blank) nodes keyed by their full IRI; object properties other than
    ``rdf:type`` become edges with attribute ``predicate`` (full IRI, also the edge key).

    Node attributes: ``types`` (space-joined rdf:type IRIs, sorted), ``label`` (dpv:hasName, rdfs:label,
    skos:prefLabel or dct:title from the graph, else a concept's prefLabel from the ontology, else the prefixed
    name) and one attribute per literal-valued property, named by its prefixed name (``dpv:hasName``); several
    values are sorted and joined with `` | ``. Literal datatypes and languages are not kept.
    """
    import networkx as nx  # imported here, where a GraphML export needs it

    labels = Labels(graph)
    g = nx.MultiDiGraph()

    def node_id(term: Node) -> str:
        return term.n3() if isinstance(term, BNode) else str(term)

    literals: dict[str, dict[str, list[str]]] = {}
    types: dict[str, list[str]] = {}
    for s, p, o in graph:
        sid = node_id(s)
        g.add_node(sid)
        if isinstance(o, Literal):
            literals.setdefault(sid, {}).setdefault(short_name(p), []).append(str(o))
        elif p == RDF.type:
            types.setdefault(sid, []).append(str(o))
        else:
            g.add_edge(sid, node_id(o), key=str(p), predicate=str(p))
    for s in list(g.nodes):
        term = BNode(s[2:]) if s.startswith("_:") else URIRef(s)
        attrs = {key: " | ".join(sorted(values)) for key, values in literals.get(s, {}).items()}
        if s in types:
            attrs["types"] = " ".join(sorted(types[s]))
        attrs["label"] = labels.name(term) or short_name(term)
        g.nodes[s].update(attrs)
    return g


def to_graphml(graph: Graph) -> bytes:
    return graphml_bytes(to_networkx(graph))


EXPORTERS: dict[str, tuple[Callable[[Graph], bytes], str]] = {
    "turtle": (_rdf("turtle"), ".ttl"),
    "nt": (_rdf("nt"), ".nt"),
    "jsonld": (_rdf("json-ld"), ".jsonld"),
    "trig": (to_trig, ".trig"),
    "graphml": (to_graphml, ".graphml"),
}


def export_graph(graph: Graph, fmt: str, path: str | Path) -> None:
    """Write ``graph`` in format ``fmt`` (a key of ``EXPORTERS``) to ``path`` atomically."""
    if fmt not in EXPORTERS:
        raise UnknownName(fmt, "unknown export format", hint=f"choose one of {', '.join(EXPORTERS)}")
    write_atomic(path, EXPORTERS[fmt][0](graph))


STREAMED = {"turtle": "turtle", "nt": "nt", "trig": "trig"}  # --format -> format of each policy's part


def export_policies(graphs: Iterable[tuple[str, Graph]], fmt: str, path: str | Path) -> int:
    """Write policy graphs, each ``(policy IRI, its graph)`` (a store's named graphs), in format ``fmt`` (one of
    ``STREAMED``) to ``path`` atomically, one at a time; returns how many triples were written.

    Memory does not grow with the number of policies (``kg.graphio.RdfStream``): Turtle and N-Triples hold the
    union of the policy graphs, each triple once (the same graph as ``privacy-kg build -o``); TriG holds the
    graphs as named graphs, each complete (a shared node's triples in every graph that uses it).
    """
    out = RdfStream(path, STREAMED[fmt])
    try:
        with rdflib_dataset_warnings_ignored():
            for iri, graph in graphs:
                if fmt == "trig":
                    out.add(serialize_triples(graph, "trig", iri), len(graph))
                else:
                    own, shared = split_owned(graph, iri)
                    out.add(serialize_triples(own, STREAMED[fmt]), len(own), shared)
        out.commit()
    finally:
        out.discard()
    return out.triples

"""Export stage: one table of formats, keyed by the name users type (``--format``)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.errors import UnknownName
from kg.graphio import policy_closures, write_atomic
from kg.vocab import PREFIXES, bind_prefixes


def _rdf(fmt: str) -> Callable[[Graph], bytes]:
    return lambda graph: graph.serialize(format=fmt, encoding="utf-8")


def to_trig(graph: Graph) -> bytes:
    """A named graph per policy (its IRI names the graph); triples no policy reaches go to the default graph."""
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True, replace=True)
    covered: set = set()
    for policy, sub in policy_closures(graph).items():
        named = ds.graph(policy)
        for triple in sub:
            named.add(triple)
            covered.add(triple)
    default = ds.default_graph
    for triple in graph:
        if triple not in covered:
            default.add(triple)
    return ds.serialize(format="trig", encoding="utf-8")


def to_networkx(graph: Graph) -> nx.MultiDiGraph:
    """IRI nodes with literal-valued properties as attributes; object properties as edges ('predicate')."""
    g = nx.MultiDiGraph()
    nm = bind_prefixes(Graph()).namespace_manager

    def name(term) -> str:
        return term.n3(nm) if isinstance(term, (URIRef, BNode)) else str(term)

    for s, p, o in sorted(graph):
        s_id = name(s)
        g.add_node(s_id)
        if isinstance(o, Literal):
            key = name(p)
            previous = g.nodes[s_id].get(key)
            g.nodes[s_id][key] = str(o) if previous is None else f"{previous} | {o}"
        elif p == RDF.type:
            types = g.nodes[s_id].get("types")
            g.nodes[s_id]["types"] = name(o) if types is None else f"{types} {name(o)}"
        else:
            g.add_edge(s_id, name(o), key=name(p), predicate=name(p))
    return g


def to_graphml(graph: Graph) -> bytes:
    return "\n".join(nx.generate_graphml(to_networkx(graph))).encode("utf-8")


EXPORTERS: dict[str, tuple[Callable[[Graph], bytes], str]] = {
    "turtle": (_rdf("turtle"), ".ttl"),
    "nt": (_rdf("nt"), ".nt"),
    "jsonld": (_rdf("json-ld"), ".jsonld"),
    "trig": (to_trig, ".trig"),
    "graphml": (to_graphml, ".graphml"),
}


def export(graph: Graph, fmt: str, path: str | Path) -> None:
    """Write ``graph`` in format ``fmt`` to ``path`` atomically."""
    if fmt not in EXPORTERS:
        raise UnknownName(fmt, "unknown export format", hint=f"choose one of {', '.join(EXPORTERS)}")
    write_atomic(path, EXPORTERS[fmt][0](graph))

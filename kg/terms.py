"""rdflib terms as pyoxigraph terms and back: what the store, the SPARQL server client and the Oxigraph
serializer (``kg.graphio.serialize_triples``) exchange."""
from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

_XSD_STRING = str(XSD.string)
_XSD_DECIMAL = str(XSD.decimal)
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
Triple = tuple[Node, Node, Node]  # a triple of rdflib terms


def to_ox(term: Node) -> OxTerm:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r}")


def ox_triple(triple: Triple) -> ox.Triple:
    """A triple of rdflib terms as a pyoxigraph triple."""
    s, p, o = triple
    return ox.Triple(_subject(s), _predicate(p), to_ox(o))


def ox_quad(triple: Triple, graph: ox.NamedNode | ox.DefaultGraph) -> ox.Quad:
    """A triple of rdflib terms as a pyoxigraph quad in ``graph``."""
    s, p, o = triple
    return ox.Quad(_subject(s), _predicate(p), to_ox(o), graph)


def _subject(term: Node) -> ox.NamedNode | ox.BlankNode:
    value = to_ox(term)
    if isinstance(value, ox.Literal):
        raise TypeError(f"a literal is no subject: {term!r}")
    return value


def _predicate(term: Node) -> ox.NamedNode:
    value = to_ox(term)
    if not isinstance(value, ox.NamedNode):
        raise TypeError(f"a predicate is an IRI: {term!r}")
    return value


def to_rdflib(term: OxTerm | ox.Triple) -> Node:
    """A pyoxigraph term as an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt, value = term.datatype.value, term.value
        if dt == _XSD_DECIMAL and "." not in value and "e" not in value.lower():
            value += ".0"  # Oxigraph writes decimals as "365"; rdflib (and our Turtle files) as "365.0"
        return Literal(value, datatype=None if dt in (_XSD_STRING, _RDF_LANG_STRING) else URIRef(dt))
    raise TypeError(f"unsupported term {term!r}")


def rows_as_rdflib(solutions: Iterable[Iterable[OxTerm | None]]) -> list[tuple[Node | None, ...]]:
    """Query solutions as tuples of rdflib terms. A result repeats terms (company names, classes, concepts, rule
    ids ...) across its rows, and making an rdflib term costs far more than hashing an Oxigraph one, so each
    distinct term is converted once per result."""
    made: dict[OxTerm | None, Node | None] = {None: None}
    rows = []
    for sol in solutions:
        row = []
        for term in sol:  # a solution iterates over its values in the order of the query's variables
            try:
                row.append(made[term])
            except KeyError:
                assert term is not None  # made holds None
                row.append(made.setdefault(term, to_rdflib(term)))
        rows.append(tuple(row))
    return rows

"""Where a graph is read from (or built into): a graph file, an Oxigraph store folder or a SPARQL 1.1 server.

A ``Source`` gives the library's functions what they need, whatever it is (after pySHACL's ``DataGraph`` over
rdflib or Oxigraph):

* ``graphs()``: the graph in parts that each hold whole policies, one part at a time: a file's one graph, or a
  store's policy graphs one by one (so validating or analysing a store of any size keeps memory flat);
* ``union()``: the whole graph in memory (the HTML report, JSON-LD and GraphML exports);
* ``select(spec, bindings)``: a SELECT query run where the data is: rdflib over the file's graph and the ontology,
  or inside the store;
* ``latest``: read only each controller's newest policy (by policy date, as ``kg.history`` lists them);
* ``reviews()`` / ``add_review``: the reviewers' verdicts on facts (``kg.corrections``), kept beside a graph file or
  in a store's corrections graph; ``open_source(..., corrections=True)`` reads the graph without the facts
  reviewed as wrong (``CorrectedSource``).

``open_source`` (reading), ``open_store`` (a store only) and ``open_target`` (where a build writes) check that
exactly one place is named; their errors are ``BadArguments``, which the CLI shows with its usage.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Self

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg.corrections import Review, add_to_file, add_to_store, apply_corrections, corrections_file, \
    load_reviews_file, store_reviews
from kg.errors import BadArguments, BadQuery, KgError
from kg.graphio import load_graph
from kg.history import VERSIONS_QUERY, latest_policies, list_versions
from kg.sparql import QueryResult, QuerySpec, select_graph
from kg.store import GraphStore, NotSelect, Store
from kg.vocab import PPKG


class Source(ABC):
    """A graph to read: see the module docstring."""

    location: str = ""  # the file, folder or URL, for messages
    latest: bool = False

    @abstractmethod
    def policies(self) -> list[str]:
        """The IRIs of the policies read (each controller's newest with ``latest``), sorted."""

    @abstractmethod
    def graphs(self) -> Iterator[Graph]:
        """The graph in parts that each hold whole policies, one at a time."""

    def validation_parts(self) -> Iterator[Graph]:
        """What ``kg.validate`` checks, one part at a time: ``graphs()``, or lighter read-only stand-ins for them
        (a store's policy graphs as ``kg.shacl.engine.IndexGraph``)."""
        return self.graphs()

    @abstractmethod
    def union(self) -> Graph:
        """Everything read, as one graph in memory."""

    @abstractmethod
    def policy_graph(self, iri: str) -> Graph:
        """A graph that holds the policy ``iri`` whole (it may hold others)."""

    @abstractmethod
    def select(self, spec: QuerySpec, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        """Run a SELECT query over the policies read and the ontology; ``bindings``: variable -> term, bound by the
        engine. ``BadQuery`` when it is malformed or fails."""

    def reviews(self) -> list[Review]:
        """The reviews of facts of this graph (``kg.corrections``); none where there is nowhere to keep them."""
        return []

    def add_review(self, review: Review) -> None:
        """Record ``review`` where this source keeps its reviews."""
        raise KgError(self.location, "this graph has nowhere to keep reviews")

    def select_page(self, spec: QuerySpec, bindings: Mapping[str, Node] | None, limit: int | None,
                    offset: int = 0) -> QueryResult:
        """Rows ``offset`` to ``offset + limit`` of the query's answer, in its order: here the whole answer,
        sliced; a store pages through its policies when the query's header says how (``# page-by:``)."""
        return self.select(spec, bindings).page(limit, offset)

    def close(self) -> None:  # noqa: B027 - a source that holds nothing open has nothing to close
        """Release the store (a graph file holds nothing open)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class GraphSource(Source):
    """An rdflib graph in memory, or a graph file (Turtle, N-Triples, JSON-LD, TriG, N-Quads), parsed when first
    read. As a build's target, the file is written (Turtle) and the in-memory graph added to."""

    def __init__(self, graph: Graph | None = None, path: str | Path | None = None):
        if (graph is None) == (path is None):
            raise BadArguments(None, "a graph source is an rdflib Graph or the path of a graph file")
        self.path = Path(path) if path is not None else None
        self.location = str(path) if path is not None else "graph"
        if graph is not None:
            self.__dict__["graph"] = graph

    @cached_property
    def graph(self) -> Graph:
        assert self.path is not None
        return load_graph(self.path)

    def policies(self) -> list[str]:
        return sorted(str(p) for p in self.graph.subjects(RDF.type, PPKG.PrivacyPolicy) if isinstance(p, URIRef))

    def graphs(self) -> Iterator[Graph]:
        yield self.graph

    def union(self) -> Graph:
        return self.graph

    def policy_graph(self, iri: str) -> Graph:
        return self.graph

    def select(self, spec: QuerySpec, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        return select_graph(self.graph, spec, bindings)

    def reviews(self) -> list[Review]:
        return load_reviews_file(corrections_file(self.path)) if self.path is not None else []

    def add_review(self, review: Review) -> None:
        """Into the corrections file beside the graph file (``kg.corrections.corrections_file``)."""
        if self.path is None:
            super().add_review(review)
        else:
            add_to_file(corrections_file(self.path), review)


COMPANY_GRAPHS = f"""SELECT DISTINCT ?g ?name WHERE {{ GRAPH ?g {{ ?g a <{PPKG.PrivacyPolicy}> ;
    <http://purl.org/dc/terms/publisher>/<https://w3id.org/dpv#hasName> ?name }} }}"""


class StoreSource(Source):
    """A store: an Oxigraph folder (``kg.store.Store``) or a SPARQL server (``kg.endpoint.EndpointStore``)."""

    def __init__(self, store: GraphStore, latest: bool = False):
        self.store, self.latest, self.location = store, latest, store.location

    @property
    def option(self) -> str:
        """How the command line names this kind of store (for hints)."""
        return "--store DIR" if isinstance(self.store, Store) else "--endpoint URL"

    @cached_property
    def _latest(self) -> list[str]:
        return latest_policies(list_versions(self.store.query(VERSIONS_QUERY)))

    def policies(self) -> list[str]:
        return self._latest if self.latest else self.store.policy_graph_names()

    def graphs(self) -> Iterator[Graph]:
        for iri in self.policies():
            yield self.store.graph(iri)

    def validation_parts(self) -> Iterator[Graph]:
        from kg.shacl.engine import IndexGraph

        for iri in self.policies():
            yield IndexGraph(self.store._graph_triples(iri))  # type: ignore[misc]

    def named_graphs(self) -> Iterator[tuple[str, Graph]]:
        """(policy IRI, its graph) for each policy read, one at a time."""
        for iri in self.policies():
            yield iri, self.store.graph(iri)

    def union(self) -> Graph:
        return self.store.to_rdflib(self.policies())

    def policy_graph(self, iri: str) -> Graph:
        return self.store.graph(iri)

    def select(self, spec: QuerySpec, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        """The query inside the store, over its policy graphs (or, with ``latest``, each controller's newest) and
        the ontology; parameters bound as a VALUES block (``GraphStore.query``)."""
        return self._select_in(spec, bindings, self._latest if self.latest else None)

    def select_page(self, spec: QuerySpec, bindings: Mapping[str, Node] | None, limit: int | None,
                    offset: int = 0) -> QueryResult:
        """A page of the answer. A query whose answer is ordered by policy source file or by company first says
        so in its header (``# page-by: source`` or ``company``); it then runs over the policies of one source
        file (or company) at a time, in that order, until the page is full: the first rows of a long answer
        come after a few small queries instead of the whole answer (evidence: 581,511 rows at 10,000 policies).
        The rows are those of the whole answer, sliced (each group's rows come from its own policy graphs)."""
        if spec.page_by not in ("source", "company"):
            return super().select_page(spec, bindings, limit, offset)
        wanted = set(self._latest) if self.latest else None  # None: every stored policy (no second listing)
        by_key: dict[str, list[str]] = {}
        if isinstance(self.store, Store):
            pairs = self.store.page_keys(spec.page_by)
        elif spec.page_by == "source":
            pairs = [(source, iri) for iri, source, _ in self.store.policies()]
        else:
            pairs = [(str(name), str(g)) for g, name in self.store.query(COMPANY_GRAPHS).rows if name is not None]
        for key, iri in pairs:
            if (wanted is None or iri in wanted) and key:
                by_key.setdefault(key, []).append(iri)
        keys = sorted(by_key)
        rows: list = []
        skip = offset
        names: list[str] = []
        at, size = 0, 1
        while at < len(keys) and (limit is None or len(rows) < limit):
            # the policy graphs of the next ``size`` keys in one query (their rows come next, in the query's
            # order). A query matching inside GRAPH ?g (source) takes batches doubling in size, so a page takes a
            # few queries whatever its offset; one matching over the union of its graphs (company) gets slower
            # than linearly with the graphs it is given (Oxigraph 0.5), so it runs one company at a time.
            batch = keys[at:at + size]
            at = at + size
            size = size * 2 if spec.page_by == "source" else 1
            found = self._select_in(spec, bindings, [g for key in batch for g in by_key[key]])
            names = found.vars
            if skip >= len(found.rows):
                skip -= len(found.rows)
                continue
            rows += found.rows[skip:]
            skip = 0
        if not names:
            names = self._select_in(spec, bindings, []).vars
        return QueryResult(names, rows[:limit] if limit is not None else rows)

    def _select_in(self, spec: QuerySpec, bindings: Mapping[str, Node] | None,
                   graphs: list[str] | None) -> QueryResult:
        """The query over the policy graphs ``graphs`` (None: every one) and the ontology."""
        where = spec.path or spec.name
        try:
            return self.store.query(spec.text, bindings, graphs)
        except KgError:
            raise
        except NotSelect as exc:
            raise BadQuery(where, "only SELECT queries are supported") from exc
        except SyntaxError as exc:
            raise BadQuery(where, f"SPARQL syntax error: {' '.join(str(exc).split())}") from exc
        except Exception as exc:
            raise BadQuery(where, f"SPARQL evaluation error: {' '.join(str(exc).split())}") from exc

    def reviews(self) -> list[Review]:
        return store_reviews(self.store)

    def add_review(self, review: Review) -> None:
        """Into the store's corrections graph; a store folder opened read-only is written by a short-lived
        writer process (one process may not hold a reader and a writer of one folder)."""
        if isinstance(self.store, Store) and self.store.read_only:
            _write_review_in_child(self.store.path, review)
        else:
            add_to_store(self.store, review)

    def close(self) -> None:
        self.store.close()


class CorrectedSource(Source):
    """A source read without the facts reviewers marked wrong (``--with-corrections``): each graph is copied
    without them (``kg.corrections.apply_corrections``), and queries run over that copy in memory."""

    def __init__(self, inner: Source):
        self.inner, self.location, self.latest = inner, inner.location, inner.latest

    @cached_property
    def _reviews(self) -> list[Review]:
        return self.inner.reviews()

    @cached_property
    def _union(self) -> Graph:
        return apply_corrections(self.inner.union(), self._reviews)

    def policies(self) -> list[str]:
        return self.inner.policies()

    def graphs(self) -> Iterator[Graph]:
        for graph in self.inner.graphs():
            yield apply_corrections(graph, self._reviews)

    def union(self) -> Graph:
        return self._union

    def policy_graph(self, iri: str) -> Graph:
        return apply_corrections(self.inner.policy_graph(iri), self._reviews)

    def select(self, spec: QuerySpec, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        return select_graph(self._union, spec, bindings)

    def reviews(self) -> list[Review]:
        return self.inner.reviews()

    def add_review(self, review: Review) -> None:
        self.inner.add_review(review)
        self.__dict__.pop("_reviews", None)
        self.__dict__.pop("_union", None)

    def close(self) -> None:
        self.inner.close()


def _store_writer(path: str, review: Review) -> None:  # pragma: no cover - runs in a child process
    store = Store(path, create=False)
    try:
        add_to_store(store, review)
    finally:
        store.close()


def _write_review_in_child(path: Path, review: Review) -> None:
    """Write a review into a store folder from a child process, while this one keeps its read-only view open; a
    build holding the store's lock makes it fail."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        try:
            pool.apply(_store_writer, (str(path), review))
        except KgError:
            raise
        except Exception as exc:
            raise KgError(str(path), f"cannot record the review: {exc}",
                          hint="a build may be writing to the store; try again when it is done") from None


def open_source(graph: str | Path | Graph | None = None, *, store: str | Path | None = None,
                endpoint: str | None = None, latest: bool = False, corrections: bool = False) -> Source:
    """The graph to read: a graph file or an rdflib Graph (``graph``), a store folder (opened read-only: never
    created, never waiting for a writer) or a SPARQL server. ``latest``: a store's newest policy per controller;
    ``corrections``: without the facts reviewers marked wrong (``CorrectedSource``)."""
    if sum(x is not None for x in (graph, store, endpoint)) != 1:
        raise BadArguments(None, "give a GRAPH file, --store DIR or --endpoint URL (exactly one)")
    source: Source
    if graph is not None:
        if latest:
            raise BadArguments(None, "--latest reads a store: give --store DIR or --endpoint URL instead of GRAPH")
        source = GraphSource(graph) if isinstance(graph, Graph) else GraphSource(path=graph)
    else:
        source = open_store(store, endpoint, latest=latest)
    return CorrectedSource(source) if corrections else source


def open_store(store: str | Path | None = None, endpoint: str | None = None, *, latest: bool = False,
               write: bool = False, create: bool = False) -> StoreSource:
    """A store folder or a SPARQL server. A folder is opened read-only (no lock, never created) unless ``write``
    (it must hold a store) or ``create`` (made if missing)."""
    if (store is None) == (endpoint is None):
        raise BadArguments(None, "give --store DIR or --endpoint URL (exactly one)")
    if endpoint is not None:
        from kg.endpoint import EndpointStore

        return StoreSource(EndpointStore(endpoint), latest)
    assert store is not None
    return StoreSource(Store(store, create=create, read_only=not (create or write)), latest)


def open_target(output: str | Path | None = None, *, store: str | Path | None = None,
                endpoint: str | None = None) -> Source:
    """Where a build writes: a Turtle file (replaced atomically), a store folder (created if missing) or a SPARQL
    server."""
    if sum(x is not None for x in (output, store, endpoint)) != 1:
        raise BadArguments(None, "give exactly one of -o FILE, --store DIR and --endpoint URL")
    if output is not None:
        return GraphSource(path=output)
    return open_store(store, endpoint, create=True)


__all__ = ["CorrectedSource", "GraphSource", "Source", "StoreSource", "open_source", "open_store", "open_target"]

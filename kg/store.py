"""A persistent graph store: one named graph per policy document, on disk (``Store``: Oxigraph via pyoxigraph) or
on any SPARQL 1.1 server (``kg.endpoint.EndpointStore``). Both share ``GraphStore``, which holds the logic below in
SPARQL over four primitives (select, update, read one graph, location).

Each policy's triples (exactly ``policy_graph(record)``) live in the named graph called by its policy IRI
(``kgid:policy/{sha256[:16]}``), so re-adding, replacing or removing one document never touches another's triples,
also where they share nodes (controllers, recipients): the default-graph-as-union view merges the copies.

* ``add`` is a no-op when a policy with the same ``ppkg:contentHash`` is stored ("unchanged"); a document whose
  ``ppkg:sourceFile`` is stored with another hash replaces it ("replaced") unless both carry a policy date
  (``dct:modified``) and the dates differ: then it is kept beside it as a new version ("versioned"); any other
  document is inserted ("added"). The decision is ``_plan_add``.
  Each add is one transaction (a single SPARQL Update request, applied all-or-nothing), so a policy is
  fully present or absent even if the process is killed mid-way.
* The ontology is kept in its own named graph (``ONTOLOGY_GRAPH``) so packaged queries run inside Oxigraph with
  ``skos:broader*`` over the taxonomy; it is excluded from ``policies()``, ``to_rdflib()`` and the dumps.
* One process at a time may open a store folder for writing (RocksDB lock; a second one gets ``StoreError``);
  readers open it read-only (``Store(path, read_only=True)``), which takes no lock: they never wait for a writer
  or for each other, and never create a store.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from kg.errors import KgError, StoreUnavailable
from kg.dpv import query_vocabulary
from kg.model import PolicyHeader
from kg.sparql import QueryResult, where_group
from kg.terms import Triple, ox_quad, rows_as_rdflib, to_ox, to_rdflib
from kg.vocab import BASE, DPV, PPKG, PREFIXES, bind_prefixes

ONTOLOGY_GRAPH = ox.NamedNode(f"{BASE}store/ontology")
STORE_META = ox.NamedNode(f"{BASE}store")  # subject of the store's own bookkeeping triples (default graph)
ONTOLOGY_HASH = ox.NamedNode(f"{BASE}store/ontologyHash")
_PREFIX_MAP = {k: str(v) for k, v in PREFIXES.items()}
CACHE_ROWS = 100_000  # the largest answer a Store keeps (``Store.query``)
CACHE_ENTRIES = 64


class StoreError(KgError):
    """The store folder cannot be opened (locked by another process, not a store, no permission)."""


def _quads(triples: Iterable[Triple], name: ox.NamedNode) -> Iterator[ox.Quad]:
    for triple in triples:
        yield ox_quad(triple, name)


def _ontology_digest() -> str:
    lines = sorted(f"{to_ox(s)} {to_ox(p)} {to_ox(o)} ." for s, p, o in query_vocabulary())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def with_values(sparql: str, bindings: Mapping[str, Node]) -> str:
    """``sparql`` with ``VALUES (?a ?b) { (term term) }`` as the first element of its WHERE group."""
    if not bindings:
        return sparql
    names = " ".join(f"?{ox.Variable(k).value}" for k in bindings)  # ox.Variable rejects a malformed name
    terms = " ".join(str(to_ox(v)) for v in bindings.values())
    at = where_group(sparql)[0] + 1
    return f"{sparql[:at]} VALUES ({names}) {{ ({terms}) }}{sparql[at:]}"


# -- the store logic, shared by the embedded store and a SPARQL server -------------------------------------
class NotSelect(Exception):
    """The query is not a SELECT query (the packaged queries and ``run_query`` take SELECT only)."""


def _ntriples(triples: Iterable[Triple], name: ox.NamedNode) -> str:
    return "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in _quads(triples, name))


class GraphStore:
    """What a store does, in SPARQL: one named graph per policy, the ontology in ``ONTOLOGY_GRAPH``, add /
    replace / remove each in one update request (applied all-or-nothing), queries over the union of the policy
    graphs and the ontology.

    Subclasses give four primitives: ``_select(sparql, union)`` -> (variables, rows of rdflib terms) (raises
    ``SyntaxError`` for a malformed query, ``NotSelect`` for another query form, ``KgError`` when the store
    cannot be used, anything else for an evaluation error), ``_update(sparql)`` (one atomic request),
    ``_graph_triples(iri)`` (the rdflib triples of one named graph), and ``location`` (folder or URL, for
    messages). ``_write_policy`` may be overridden by a faster equivalent.
    """

    location: str = ""

    # primitives ------------------------------------------------------------------------------------------------
    def _select(self, sparql: str, union: bool = False,
                graphs: Sequence[str] | None = None) -> tuple[list[str], list[tuple[Node | None, ...]]]:
        """Run a SELECT query with our prefixes predeclared; ``union``: over the policy graphs (``graphs``: only
        these) and the ontology (else over the store's default graph)."""
        raise NotImplementedError

    def _update(self, sparql: str) -> None:
        """Apply one SPARQL Update request in one transaction."""
        raise NotImplementedError

    def _graph_triples(self, iri: str) -> Iterator[tuple[Node, Node, Node]]:
        raise NotImplementedError

    def _write_policy(self, name: ox.NamedNode, graph: Iterable[Triple], drop: list[str]) -> None:
        """Drop the graphs ``drop`` and insert ``graph`` (triples, each once) as the named graph ``name``, in one
        update request. The insert is conditional: when the policy graph is there already (another build into the
        same SPARQL server stored the same file meanwhile), nothing is written, so no policy is ever written
        twice, whatever the timing of concurrent builds."""
        drops = "".join(f"DROP SILENT GRAPH <{iri}> ;\n" for iri in drop)
        self._update(f"{drops}INSERT {{ GRAPH {name} {{\n{_ntriples(graph, name)}\n}} }}\n"
                     f"WHERE {{ FILTER NOT EXISTS {{ GRAPH {name} {{ {name} a <{PPKG.PrivacyPolicy}> }} }} }}")

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _rows(self, sparql: str) -> list[tuple[Node | None, ...]]:
        """Rows of one of our own SELECT queries; the store refusing it is a ``StoreError``."""
        try:
            return self._select(sparql)[1]
        except KgError:
            raise
        except Exception as exc:
            raise StoreError(self.location, f"the store cannot run a query privacy-kg needs: "
                             f"{' '.join(str(exc).split())}") from exc

    # bookkeeping -------------------------------------------------------------------------------------------
    def _ensure_ontology(self) -> None:
        """Load (or reload, after an ontology change) the ontology into its named graph, in one transaction."""
        digest = _ontology_digest()
        current = [str(h) for (h,) in self._rows(f"SELECT ?h WHERE {{ {STORE_META} {ONTOLOGY_HASH} ?h }}")]
        if current == [digest]:
            return
        self._update(
            f"DROP SILENT GRAPH {ONTOLOGY_GRAPH} ;\n"
            f"DELETE WHERE {{ {STORE_META} {ONTOLOGY_HASH} ?h }} ;\n"
            f"INSERT DATA {{ {STORE_META} {ONTOLOGY_HASH} {ox.Literal(digest)} . GRAPH {ONTOLOGY_GRAPH} {{\n"
            f"{_ntriples(query_vocabulary(), ONTOLOGY_GRAPH)}\n}} }}")

    # reading -----------------------------------------------------------------------------------------------
    def policies(self) -> list[tuple[str, str, str]]:
        """(policy IRI, source file, content hash) of every stored policy, sorted by source then IRI."""
        rows = self._rows(
            f"SELECT ?g ?src ?h WHERE {{ GRAPH ?g {{ ?g a <{PPKG.PrivacyPolicy}> ; <{PPKG.contentHash}> ?h . "
            f"OPTIONAL {{ ?g <{PPKG.sourceFile}> ?src }} }} }}")
        out = [(str(g), str(src) if src is not None else "", str(h)) for g, src, h in rows]
        return sorted(out, key=lambda t: (t[1], t[0]))

    def known_hashes(self) -> set[str]:
        """The content hashes (sha256 of the file bytes) of every stored policy."""
        return {h for _, _, h in self.policies()}

    def policy_graph_names(self) -> list[str]:
        """The IRIs of the policy graphs (a graph is a policy's when it says ``<g> a ppkg:PrivacyPolicy``; other
        graphs on a shared server are left alone)."""
        return sorted({iri for iri, _, _ in self.policies()})

    def triple_count(self, iri: str | None = None) -> int:
        """Triples of one policy graph, or of all policy graphs together (shared triples counted per graph)."""
        names = [iri] if iri else self.policy_graph_names()
        counts = {str(g): int(str(n)) for g, n in self._rows(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
        return sum(counts.get(g, 0) for g in names)

    def __len__(self) -> int:
        return len(self.policies())

    def graph(self, iri: str) -> Graph:
        """The triples of one stored policy (its named graph) as an rdflib Graph."""
        graph = bind_prefixes(Graph())
        for triple in self._graph_triples(iri):
            graph.add(triple)
        return graph

    def to_rdflib(self, names: Sequence[str] | None = None) -> Graph:
        """The union of every policy graph (or of the policy graphs ``names``) as one rdflib Graph."""
        graph = bind_prefixes(Graph())
        for g in self.policy_graph_names() if names is None else names:
            for triple in self._graph_triples(g):
                graph.add(triple)
        return graph

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None, graphs: Sequence[str] | None = None):
        """Run a SELECT query inside the store over the union of the policy graphs (``graphs``: only these policy
        graphs) and the ontology, with our prefixes predeclared; a ``kg.sparql.QueryResult`` of rdflib terms.

        ``bindings`` (variable name -> rdflib term) are bound like rdflib's ``initBindings``: as a one-row
        ``VALUES`` block at the start of the query's WHERE group, each value written by Oxigraph's own N-Triples
        serializer, so a value is always exactly one RDF term and cannot change the query. (pyoxigraph's
        ``substitutions=`` is not used: Oxigraph accepts it only for variables in the SELECT projection, and the
        packaged queries' parameters are not projected.)
        Raises ``SyntaxError``, ``NotSelect``, ``KgError`` (store unusable) or another exception (evaluation).
        """
        names, rows = self._select(with_values(sparql, bindings or {}), union=True, graphs=graphs)
        return QueryResult(names, rows)

    # writing -----------------------------------------------------------------------------------------------
    def _find(self, source_or_iri: str) -> list[tuple[str, str, str]]:
        return [p for p in self.policies() if source_or_iri in (p[0], p[1])]

    def _candidates(self, policy: PolicyHeader) -> list[PolicyHeader]:
        """The stored policies ``_plan_add`` needs for ``policy``: those with its content hash or its source file
        name (looked up by index, not by listing the whole store, so adding stays cheap in a large store)."""
        # Two small queries, each starting from a bound term: the graphs holding the hash or the file name, then
        # each one's header with its IRI written in. (One query joining the two, or VALUES ?g before GRAPH ?g,
        # made Oxigraph walk every policy graph: 11 ms per add at 1,000 policies, 180-200 ms at 10,000.)
        h, src = ox.Literal(policy.sha256), ox.Literal(policy.source)
        graphs = {str(g) for (g,) in self._rows(
            f"SELECT DISTINCT ?g WHERE {{ {{ GRAPH ?g {{ ?g <{PPKG.contentHash}> {h} }} }} "
            f"UNION {{ GRAPH ?g {{ ?g <{PPKG.sourceFile}> {src} }} }} }}") if g is not None}
        found: set[PolicyHeader] = set()
        for iri in graphs:
            g = ox.NamedNode(iri)
            found |= {PolicyHeader(iri, str(s) if s is not None else "", str(hh), str(d) if d is not None else None)
                      for s, hh, d in self._rows(
                          f"SELECT ?src ?h ?date WHERE {{ GRAPH {g} {{ {g} a <{PPKG.PrivacyPolicy}> ; "
                          f"<{PPKG.contentHash}> ?h . OPTIONAL {{ {g} <{PPKG.sourceFile}> ?src }} "
                          f"OPTIONAL {{ {g} <{DCTERMS.modified}> ?date }} }} }}")}
        return sorted(found, key=lambda c: (c.iri, c.source, c.sha256, c.date or ""))

    def add(self, policy: PolicyHeader, triples: Iterable[Triple], replace_same: bool = False) -> str:
        """Store one policy's ``triples`` (each once: ``kg.graph.unique_triples``, or an rdflib Graph) as the graph
        ``policy.iri``: "added", "versioned" (kept beside an older or newer version of the same file name),
        "unchanged" (same content hash already stored; nothing written) or "replaced" (the graphs it replaces, see
        ``_plan_add``, are dropped in the same update request as the new one is inserted). ``replace_same``: a
        stored policy with the same content hash is replaced too (its build-manifest values changed), not left
        "unchanged"."""
        outcome, drop = _plan_add(self._candidates(policy), policy, replace_same)
        if outcome != "unchanged":
            self._write_policy(ox.NamedNode(policy.iri), triples, drop)
        return outcome

    def flush(self) -> None:
        """Write buffered writes out (a long build calls it to keep its memory flat); nothing to do by default."""

    def remove(self, source_or_iri: str) -> bool:
        """Drop the policy stored under this source file name or policy IRI; False if there is none."""
        found = self._find(source_or_iri)
        if not found:
            return False
        self._update("".join(f"DROP SILENT GRAPH <{iri}> ;\n" for iri, _, _ in found).rstrip(" ;\n"))
        return True


# -- the embedded store ---------------------------------------------------------------------------------------
class Store(GraphStore):
    """An Oxigraph store in the folder ``path``.

    ``create``: make the folder and the store if missing (``build``); else the folder must hold a store already.
    ``read_only``: open it for reading only (Oxigraph's read-only mode, which takes no lock): any number of readers
    at once, also while a build writes to it (each sees the store as it was when opened, whole policies only),
    and a folder that is not a store is an error, never turned into one. A writer (``build``, ``remove``) holds
    the folder's lock: a second writer gets ``StoreError``.
    """

    def __init__(self, path: str | Path, create: bool = True, read_only: bool = False):
        self.path = Path(path)
        self.location = str(self.path)
        self.read_only = read_only
        self._store: ox.Store | None = None
        self._answers: dict[tuple, QueryResult] = {}  # query answers by (text, bindings, graphs): ``query``
        self._keys: dict[str, list[tuple[str, str]]] = {}  # ``page_keys`` by kind, kept as the answers are
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(self.path, "not a folder", hint="--store takes a folder (created if missing)")
        if not (self.path / "CURRENT").is_file() and (read_only or not create):
            what = "no such store" if not self.path.exists() else "not a store (no Oxigraph database in this folder)"
            raise StoreError(self.path, what, hint="build one with: privacy-kg build INPUT --store DIR")
        self._store = self._open()
        if read_only:
            self._ensure_ontology_read_only()
        else:
            self._ensure_ontology()

    def _open(self, read_only: bool | None = None):
        read_only = self.read_only if read_only is None else read_only
        try:
            if read_only:
                return ox.Store.read_only(str(self.path))
            self.path.mkdir(parents=True, exist_ok=True)
            return ox.Store(str(self.path))
        except (OSError, RuntimeError) as exc:  # RocksDB reports damage as RuntimeError("Corruption: ...")
            text = " ".join(str(exc).split())
            if "no space left" in text.lower():
                text, hint = "the disk is full", None
            elif "lock" in text.lower():
                hint = "another privacy-kg process is writing to this store; readers can open it meanwhile"
            elif isinstance(exc, RuntimeError) or "corrupt" in text.lower():
                text, hint = f"the store is damaged ({text})", "rebuild it into a new folder from the policy files"
            else:
                hint = None
            raise StoreError(self.path, f"cannot open the store: {text}", hint=hint) from None

    def _ensure_ontology_read_only(self) -> None:
        """The ontology graph as ``_ensure_ontology`` leaves it; when it is out of date (the store was built
        with an older privacy-kg), the store is opened for writing just long enough to replace it."""
        current = [str(h) for (h,) in self._rows(f"SELECT ?h WHERE {{ {STORE_META} {ONTOLOGY_HASH} ?h }}")]
        if current == [_ontology_digest()]:
            return
        self._store = None  # a read-only instance must not stay open beside the writer
        writer = self._open(read_only=False)
        try:
            self._store, self.read_only = writer, False
            self._ensure_ontology()
            writer.flush()
        finally:
            self._store, self.read_only = None, True
            del writer
        self._store = self._open()

    @property
    def oxigraph(self) -> ox.Store:
        """The open Oxigraph store itself (the web app's /sparql runs protocol requests on it)."""
        return self._db

    @property
    def _db(self) -> ox.Store:
        if self._store is None:
            raise StoreError(self.path, "the store is closed")
        return self._store

    def _update(self, sparql: str) -> None:
        if self.read_only:
            raise StoreError(self.path, "opened for reading only")
        self._forget()
        with self._writing():
            self._db.update(sparql)  # one transaction

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """An error of the disk under a write (full, read-only, damaged) as ``StoreUnavailable``: one line, and a
        build stops there (every other policy would fail the same way); what was committed before stays."""
        try:
            yield
        except (OSError, RuntimeError) as exc:
            text = " ".join(str(exc).split())
            reason = "the disk is full" if "no space left" in text.lower() else text
            raise StoreUnavailable(self.path, f"cannot write the store: {reason}",
                                   hint="every policy committed before this one is stored whole") from None

    def flush(self) -> None:
        """Write RocksDB's in-memory write buffers to disk (a long build calls it to keep its memory flat)."""
        if getattr(self, "_store", None) is not None and not self.read_only:
            with self._writing():
                self._db.flush()

    def close(self) -> None:
        """Flush and release the store (the folder lock is released when the object is garbage collected)."""
        if getattr(self, "_store", None) is not None:
            self.flush()
            self._store = None

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None, graphs: Sequence[str] | None = None):
        """``GraphStore.query``, with answers kept by the store's state: the same query, bindings and graphs on an
        unchanged store give the kept answer (a copy). A read-only store is a snapshot, so its state never
        changes while open; a writer forgets every kept answer on each write (and only one process writes).
        Answers of up to ``CACHE_ROWS`` rows are kept, the ``CACHE_ENTRIES`` latest."""
        key = (sparql, tuple((k, str(to_ox(v))) for k, v in (bindings or {}).items()),
               None if graphs is None else tuple(graphs))
        kept = self._answers.get(key)
        if kept is None:
            kept = super().query(sparql, bindings, graphs)
            if len(kept.rows) <= CACHE_ROWS:
                self._answers[key] = kept
                while len(self._answers) > CACHE_ENTRIES:
                    self._answers.pop(next(iter(self._answers)))
        else:
            self._answers[key] = self._answers.pop(key)  # most recently used last
        return QueryResult(list(kept.vars), list(kept.rows))

    def page_keys(self, page_by: str) -> list[tuple[str, str]]:
        """(key, policy graph) for every policy graph: its source file name (``page_by="source"``) or its
        controller's name ("company"); read from the store's indexes directly, ~20x faster than the SPARQL
        listing on a 10,000-policy store (``kg.sources.StoreSource.select_page``). Kept, like the answers, until
        the store is written (a page after the first does not list them again: 0.3-0.9 s at 10,000 policies)."""
        kept = self._keys.get(page_by)
        if kept is None:
            kept = self._keys[page_by] = self._page_keys(page_by)
        return list(kept)

    def _page_keys(self, page_by: str) -> list[tuple[str, str]]:
        db = self._db
        rdf_type, policy = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PPKG.PrivacyPolicy))
        graphs = {q.graph_name.value for q in db.quads_for_pattern(None, rdf_type, policy, None)
                  if isinstance(q.graph_name, ox.NamedNode) and q.subject == q.graph_name}
        if page_by == "source":
            return [(q.object.value, q.graph_name.value)
                    for q in db.quads_for_pattern(None, ox.NamedNode(str(PPKG.sourceFile)), None, None)
                    if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in graphs
                    and q.subject == q.graph_name and isinstance(q.object, ox.Literal)]
        publisher = {(q.graph_name.value, q.object) for q in
                     db.quads_for_pattern(None, ox.NamedNode(str(DCTERMS.publisher)), None, None)
                     if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in graphs
                     and q.subject == q.graph_name}
        return [(q.object.value, q.graph_name.value)
                for q in db.quads_for_pattern(None, ox.NamedNode(f"{DPV}hasName"), None, None)
                if isinstance(q.graph_name, ox.NamedNode) and (q.graph_name.value, q.subject) in publisher
                and isinstance(q.object, ox.Literal)]

    def _select(self, sparql: str, union: bool = False, graphs: Sequence[str] | None = None):
        if union and graphs is not None:  # the dataset: these policy graphs and the ontology
            named: list[ox.NamedNode | ox.BlankNode] = [ONTOLOGY_GRAPH, *(ox.NamedNode(g) for g in graphs)]
            default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = list(named)
            result = self._db.query(sparql, prefixes=_PREFIX_MAP, default_graph=default, named_graphs=named)
        else:
            result = self._db.query(sparql, prefixes=_PREFIX_MAP, use_default_graph_as_union=union)
        if not isinstance(result, ox.QuerySolutions):
            raise NotSelect("not a SELECT query")
        return [v.value for v in result.variables], rows_as_rdflib(result)

    def _graph_triples(self, iri: str):
        made: dict = {}  # each distinct term converted once (predicates, classes and concepts repeat)

        def term(t):
            found = made.get(t)
            if found is None:
                found = made[t] = to_rdflib(t)
            return found

        for q in self._db.quads_for_pattern(None, None, None, ox.NamedNode(iri)):
            yield term(q.subject), term(q.predicate), term(q.object)

    def _forget(self) -> None:
        """A write changes the store's state: what was kept of the old one goes."""
        self._answers.clear()
        self._keys.clear()

    def _write_policy(self, name: ox.NamedNode, graph: Iterable[Triple], drop: list[str]) -> None:
        self._forget()
        if drop:
            super()._write_policy(name, graph, drop)
        else:
            with self._writing():
                self._db.extend(_quads(graph, name))  # one transaction, without the SPARQL parser


def _plan_add(stored: Iterable[PolicyHeader], new: PolicyHeader, replace_same: bool = False) -> tuple[str, list[str]]:
    """What adding ``new`` does, given the ``stored`` policies it may concern: the outcome and the IRIs of the
    policy graphs to drop in the same transaction.

    * same content hash stored: "unchanged", nothing dropped (``replace_same``: "replaced", that graph dropped);
    * a stored policy of the same source file name is replaced unless both have a date and the dates differ
      (then it is another version of that document and stays); "replaced" when one is dropped, else "versioned"
      when same-named policies are kept, else "added". An undated file thus replaces every stored version of its
      name, and a file of a known date replaces the same-named ones of that date or of no date;
    * files with other names are never touched, also when they come from the same controller (whatever their
      dates: two files of one controller with the same date are both kept; ``privacy-kg versions`` flags them).
    """
    stored = list(stored)
    same = [s.iri for s in stored if s.sha256 == new.sha256]
    if same:
        return ("replaced", same) if replace_same else ("unchanged", [])
    same_name = [s for s in stored if s.source == new.source]
    drop = [s.iri for s in same_name if not (new.date and s.date and s.date != new.date)]
    if drop:
        return "replaced", drop
    return ("versioned" if same_name else "added"), []


__all__ = ["ONTOLOGY_GRAPH", "GraphStore", "NotSelect", "Store", "StoreError"]

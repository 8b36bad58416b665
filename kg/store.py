"""A persistent graph store on disk (Oxigraph via pyoxigraph): one named graph per policy document.

Each policy's triples (exactly ``policy_graph(record)``) live in the named graph called by its policy IRI
(``kgid:policy/{sha256[:16]}``), so re-adding, replacing or removing one document never touches another's triples,
also where they share nodes (controllers, recipients): the default-graph-as-union view merges the copies.

* ``add`` is a no-op when a policy with the same ``ppkg:contentHash`` is stored ("unchanged"); a document whose
  ``ppkg:sourceFile`` is stored with another hash replaces it ("replaced") unless both carry a policy date
  (``dct:modified``) and the dates differ: then it is kept beside it as a new version ("versioned"); any other
  document is inserted ("added"). See ``_plan_add``.
  Each add is one Oxigraph transaction (a single SPARQL Update request, applied all-or-nothing), so a policy is
  fully present or absent even if the process is killed mid-way.
* The ontology is kept in its own named graph (``ONTOLOGY_GRAPH``) so packaged queries run inside Oxigraph with
  ``skos:broader*`` over the taxonomy; it is excluded from ``policies()``, ``to_rdflib()`` and the dumps.
* Only one process may open a store at a time (RocksDB lock); a second one gets ``StoreError``.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.errors import BadQuery, KgError
from kg.graph import policy_graph, policy_iri
from kg.graphio import ontology_graph, rdflib_dataset_warnings_ignored
from kg.model import PolicyRecord
from kg.vocab import BASE, PPKG, PREFIXES, bind_prefixes

ONTOLOGY_GRAPH = ox.NamedNode(f"{BASE}store/ontology")
STORE_META = ox.NamedNode(f"{BASE}store")  # subject of the store's own bookkeeping triples (default graph)
ONTOLOGY_HASH = ox.NamedNode(f"{BASE}store/ontologyHash")
_XSD_STRING = str(XSD.string)
_XSD_DECIMAL = str(XSD.decimal)
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class StoreError(KgError):
    """The store folder cannot be opened (locked by another process, not a store, no permission)."""


# -- term conversion ------------------------------------------------------------------------------------------
def to_ox(term: Node):
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


def to_rdflib(term) -> Node | None:
    """A pyoxigraph term as an rdflib term (None stays None)."""
    if term is None:
        return None
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


def _quads(graph: Graph, name: ox.NamedNode) -> Iterator[ox.Quad]:
    for s, p, o in graph:
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), name)


def _ontology_digest() -> str:
    lines = sorted(f"{to_ox(s)} {to_ox(p)} {to_ox(o)} ." for s, p, o in ontology_graph())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _where_brace(sparql: str) -> int:
    """Index of the ``{`` opening a SELECT query's WHERE group: the first brace outside comments, strings and
    IRIs (the prologue and the SELECT clause hold none elsewhere)."""
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c == "#":
            j = sparql.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "\"'":
            quote = c * 3 if sparql.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not sparql.startswith(quote, j):
                j += 2 if sparql[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<":
            m = re.match(r"<[^<>\"{}|^`\\\x00-\x20]*>", sparql[i:])
            if m:
                i += m.end()
                continue
        if c == "{":
            return i
        i += 1
    raise SyntaxError("no WHERE group found")


def with_values(sparql: str, bindings: Mapping[str, Node]) -> str:
    """``sparql`` with ``VALUES (?a ?b) { (term term) }`` as the first element of its WHERE group."""
    if not bindings:
        return sparql
    names = " ".join(f"?{ox.Variable(k).value}" for k in bindings)  # ox.Variable rejects a malformed name
    terms = " ".join(str(to_ox(v)) for v in bindings.values())
    at = _where_brace(sparql) + 1
    return f"{sparql[:at]} VALUES ({names}) {{ ({terms}) }}{sparql[at:]}"


# -- the store ------------------------------------------------------------------------------------------------
class Store:
    """An Oxigraph store in the folder ``path`` (created if needed)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(self.path, "not a folder", hint="--store takes a folder (created if missing)")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path))
        except OSError as exc:
            text = " ".join(str(exc).split())
            hint = "another privacy-kg process may be using this store" if "lock" in text.lower() else None
            raise StoreError(self.path, f"cannot open the store: {text}", hint=hint) from exc
        self._ensure_ontology()

    # bookkeeping -------------------------------------------------------------------------------------------
    def _ensure_ontology(self) -> None:
        """Load (or reload, after an ontology change) the ontology into its named graph, in one transaction."""
        digest = _ontology_digest()
        current = [q.object.value for q in self._store.quads_for_pattern(STORE_META, ONTOLOGY_HASH, None,
                                                                          ox.DefaultGraph())]
        if current == [digest]:
            return
        body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in _quads(ontology_graph(), ONTOLOGY_GRAPH))
        self._store.update(
            f"DROP SILENT GRAPH {ONTOLOGY_GRAPH} ;\n"
            f"DELETE WHERE {{ {STORE_META} {ONTOLOGY_HASH} ?h }} ;\n"
            f"INSERT DATA {{ {STORE_META} {ONTOLOGY_HASH} {ox.Literal(digest)} . GRAPH {ONTOLOGY_GRAPH} {{\n{body}\n}} }}")

    def close(self) -> None:
        """Flush and release the store (the folder lock is released when the object is garbage collected)."""
        if getattr(self, "_store", None) is not None:
            self._store.flush()
            self._store = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # reading -----------------------------------------------------------------------------------------------
    def policies(self) -> list[tuple[str, str, str]]:
        """(policy IRI, source file, content hash) of every stored policy, sorted by source then IRI."""
        rows = self._store.query(
            "SELECT ?g ?src ?h WHERE { GRAPH ?g { ?g a ppkg:PrivacyPolicy ; ppkg:contentHash ?h . "
            "OPTIONAL { ?g ppkg:sourceFile ?src } } }", prefixes={"ppkg": str(PPKG)})
        out = [(r["g"].value, r["src"].value if r["src"] is not None else "", r["h"].value) for r in rows]
        return sorted(out, key=lambda t: (t[1], t[0]))

    def known_hashes(self) -> set[str]:
        """The content hashes (sha256 of the file bytes) of every stored policy."""
        return {h for _, _, h in self.policies()}

    def policy_graph_names(self) -> list[ox.NamedNode]:
        return [g for g in self._store.named_graphs() if g != ONTOLOGY_GRAPH]

    def triple_count(self, iri: str | None = None) -> int:
        """Triples of one policy graph, or of all policy graphs together (shared triples counted per graph)."""
        names = [ox.NamedNode(iri)] if iri else self.policy_graph_names()
        return sum(sum(1 for _ in self._store.quads_for_pattern(None, None, None, g)) for g in names)

    def __len__(self) -> int:
        return len(self.policies())

    def to_rdflib(self) -> Graph:
        """The union of every policy graph as one rdflib Graph (for validate, export, network, report)."""
        graph = bind_prefixes(Graph())
        for g in self.policy_graph_names():
            for q in self._store.quads_for_pattern(None, None, None, g):
                graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return graph

    def to_dataset(self) -> Dataset:
        """The policy graphs as an rdflib Dataset, one named graph per policy (the store's own graphs)."""
        ds = Dataset()
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns, override=True, replace=True)
        with rdflib_dataset_warnings_ignored():
            for g in self.policy_graph_names():
                named = ds.graph(URIRef(g.value))
                for q in self._store.quads_for_pattern(None, None, None, g):
                    named.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return ds

    def to_trig(self) -> bytes:
        with rdflib_dataset_warnings_ignored():
            return self.to_dataset().serialize(format="trig", encoding="utf-8")

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None):
        """Run SPARQL inside Oxigraph over the union of the policy graphs and the ontology, with our prefixes
        predeclared. Returns pyoxigraph's result object.

        ``bindings`` (variable name -> rdflib term) are bound like rdflib's ``initBindings``: as a one-row
        ``VALUES`` block at the start of the query's WHERE group, each value written by Oxigraph's own N-Triples
        serializer, so a value is always exactly one RDF term and cannot change the query. (pyoxigraph's
        ``substitutions=`` is not used: Oxigraph accepts it only for variables in the SELECT projection, and the
        packaged queries' parameters are not projected.)
        """
        return self._store.query(with_values(sparql, bindings or {}),
                                 prefixes={k: str(v) for k, v in PREFIXES.items()}, use_default_graph_as_union=True)

    # writing -----------------------------------------------------------------------------------------------
    def _find(self, source_or_iri: str) -> list[tuple[str, str, str]]:
        return [p for p in self.policies() if source_or_iri in (p[0], p[1])]

    def add(self, record: PolicyRecord, graph: Graph | None = None) -> str:
        """Store one policy: "added", "versioned" (kept beside an older or newer version of the same file name),
        "unchanged" (same content hash already stored; nothing written) or "replaced" (the graphs it replaces,
        see ``_plan_add``, are dropped in the same transaction as the new one is inserted)."""
        doc = record.document
        outcome, old = _plan_add(self._stored_versions(), record)
        if outcome == "unchanged":
            return outcome
        graph = graph if graph is not None else policy_graph(record)
        name = ox.NamedNode(str(policy_iri(doc.doc_id)))
        if not old:
            self._store.extend(_quads(graph, name))  # one transaction
            return outcome
        body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in _quads(graph, name))
        drops = "".join(f"DROP SILENT GRAPH <{iri}> ;\n" for iri in old)
        self._store.update(f"{drops}INSERT DATA {{ GRAPH {name} {{\n{body}\n}} }}")  # one transaction
        return outcome

    def _stored_versions(self) -> list[tuple[str, str, str, str | None]]:
        """(policy IRI, source file, content hash, policy date or None) of every stored policy."""
        rows = self.query("SELECT ?g ?src ?h ?date WHERE { GRAPH ?g { ?g a ppkg:PrivacyPolicy ; ppkg:contentHash ?h "
                          ". OPTIONAL { ?g ppkg:sourceFile ?src } OPTIONAL { ?g dct:modified ?date } } }")
        return [(r["g"].value, r["src"].value if r["src"] is not None else "", r["h"].value,
                 r["date"].value if r["date"] is not None else None) for r in rows]

    def remove(self, source_or_iri: str) -> bool:
        """Drop the policy stored under this source file name or policy IRI; False if there is none."""
        found = self._find(source_or_iri)
        if not found:
            return False
        self._store.update("".join(f"DROP SILENT GRAPH <{iri}> ;\n" for iri, _, _ in found).rstrip(" ;\n"))
        return True


# -- packaged queries over a store ----------------------------------------------------------------------------
def run_query(store: Store, spec_or_text, params: Mapping[str, str] | None = None):
    """``kg.query.run_query`` run inside Oxigraph: same header parsing, same parameter checks, parameters bound
    by the engine; returns a ``kg.query.QueryResult`` of rdflib terms."""
    from kg.query import QueryResult, bind_params, parse_spec

    spec = spec_or_text if not isinstance(spec_or_text, str) else parse_spec("query", spec_or_text)
    where = spec.path or spec.name
    bindings = bind_params(spec, params)
    try:
        result = store.query(spec.text, bindings)
    except SyntaxError as exc:
        raise BadQuery(where, f"SPARQL syntax error: {' '.join(str(exc).split())}") from exc
    except Exception as exc:
        raise BadQuery(where, f"SPARQL evaluation error: {' '.join(str(exc).split())}") from exc
    if not isinstance(result, ox.QuerySolutions):
        raise BadQuery(where, "only SELECT queries are supported")
    names = [v.value for v in result.variables]
    try:
        rows = [tuple(to_rdflib(sol[n]) for n in names) for sol in result]
    except Exception as exc:
        raise BadQuery(where, f"SPARQL evaluation error: {' '.join(str(exc).split())}") from exc
    return QueryResult(names, rows)


def _plan_add(stored: Iterable[tuple[str, str, str, str | None]], record: PolicyRecord) -> tuple[str, list[str]]:
    """What adding ``record`` does, given the stored (IRI, source file, content hash, date) rows: the outcome and
    the IRIs of the policy graphs to drop in the same transaction.

    * same content hash stored: "unchanged", nothing dropped;
    * a stored policy of the same source file name is replaced unless both have a date and the dates differ
      (then it is another version of that document and stays); "replaced" when one is dropped, else "versioned"
      when same-named policies are kept, else "added". An undated file thus replaces every stored version of its
      name, and a file of a known date replaces the same-named ones of that date or of no date;
    * files with other names are never touched, also when they come from the same controller (whatever their
      dates: two files of one controller with the same date are both kept; ``privacy-kg versions`` flags them).
    """
    doc = record.document
    stored = list(stored)
    if any(sha == doc.sha256 for _, _, sha, _ in stored):
        return "unchanged", []
    same_name = [(iri, date) for iri, src, _, date in stored if src == doc.name]
    drop = [iri for iri, date in same_name if not (record.date and date and date != record.date)]
    if drop:
        return "replaced", drop
    return ("versioned" if same_name else "added"), []


def add_all(store: Store, records: Iterable[PolicyRecord]) -> dict[str, int]:
    """Add many records; counts per outcome."""
    counts = {"added": 0, "versioned": 0, "unchanged": 0, "replaced": 0}
    for record in records:
        counts[store.add(record)] += 1
    return counts


__all__ = ["ONTOLOGY_GRAPH", "Store", "StoreError", "add_all", "run_query", "to_ox", "to_rdflib"]

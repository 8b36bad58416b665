"""Query stage: the packaged SPARQL library, safe parameter binding, and result formats.

A packaged query (queries/*.rq) starts with a comment header::

    # title: Companies that share a data category with a kind of recipient
    # question: Which companies share personal data of a category (or narrower) with recipients of a kind?
    # param: category = dc:ContactInformation (a data-category concept; narrower concepts are included)
    # columns: company, data, recipient, evidence

Parameters are variables of the query (``?category``), bound through the engine (rdflib ``initBindings``), never
pasted into the query text: a value becomes one RDF term (an IRI checked against the ontology, or a typed
literal), so quotes, braces or ``} ; DROP ALL`` in a value can at most fail to match.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from pyparsing import ParseBaseException
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import DCTERMS, RDF, XSD
from rdflib.paths import Path as RdfPath
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from kg.errors import BadQuery, UnknownName
from kg.graphio import ontology_graph, short_name
from kg.resources import query_files
from kg.vocab import BASE, ID, OA, PPKG, PREFIXES

HEADER = re.compile(r"^#\s*(?P<key>title|question|param|columns)\s*:\s*(?P<value>.*?)\s*$")
PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<default>\S+)(?:\s+\((?P<description>.*)\))?$")
IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`]')
PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z][\w-]*):(?P<local>[A-Za-z0-9_][\w.-]*(?<!\.))$")
LOOKS_PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z][\w-]*):")
ISO_DURATION = re.compile(r"^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


class Param(NamedTuple):
    name: str
    default: str
    description: str


@dataclass(frozen=True)
class QuerySpec:
    name: str
    path: Path | None
    title: str
    question: str
    params: list[Param]
    columns: list[str]
    text: str


@dataclass(frozen=True)
class QueryResult:
    vars: list[str]
    rows: list[tuple[Node | None, ...]]  # one term (or None when unbound) per variable


def parse_spec(name: str, text: str, path: Path | None = None) -> QuerySpec:
    """Read the comment header (title, question, param, columns) at the top of a query."""
    meta: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = HEADER.match(line)
        if not m:
            continue
        if m["key"] == "param":
            pm = PARAM.match(m["value"])
            if not pm:
                raise BadQuery(path or name, f"malformed header line {line!r}",
                               hint="write '# param: name = default (description)'")
            params.append(Param(pm["name"], pm["default"], pm["description"] or ""))
        else:
            meta[m["key"]] = m["value"]
    columns = [c.strip() for c in meta.get("columns", "").split(",") if c.strip()]
    return QuerySpec(name, path, meta.get("title", name), meta.get("question", ""), params, columns, text)


def list_queries() -> list[QuerySpec]:
    """The packaged queries, by name (the file stem)."""
    return [parse_spec(p.stem, p.read_text(encoding="utf-8"), p) for p in query_files()]


def resolve_query(name_or_path: str | Path) -> QuerySpec:
    """A packaged query by name, or a ``.rq`` file by path."""
    path = Path(name_or_path)
    if path.suffix == ".rq" or path.is_file():
        if not path.is_file():
            raise BadQuery(path, "no such query file")
        return parse_spec(path.stem, path.read_text(encoding="utf-8"), path)
    specs = list_queries()
    for spec in specs:
        if spec.name == str(name_or_path):
            return spec
    raise UnknownName(str(name_or_path), "no packaged query of that name",
                      hint=f"available: {', '.join(s.name for s in specs)}")


def parse_param(value: str, prefixes: Mapping[str, str] | None = None) -> URIRef | Literal:
    """One parameter value as one RDF term.

    ``<iri>`` (no spaces, quotes, braces ...); ``prefix:Name`` with a known prefix (an IRI in our concept
    namespaces must be defined by the ontology: ``dc:Emial`` is an error); an integer, decimal or boolean; an
    ISO 8601 duration (``P1Y`` becomes ``xsd:duration``); anything else is a plain string literal. A value that
    starts like an IRI or a prefixed name but is not a valid one is ``BadQuery``.
    """
    prefixes = PREFIXES if prefixes is None else prefixes
    text = value.strip()
    if text.startswith("<"):
        iri = text[1:-1] if text.endswith(">") else ""
        if not IRI_SCHEME.match(iri) or IRI_FORBIDDEN.search(iri):
            raise BadQuery(value, "not a valid IRI", hint="write <scheme:...> without spaces, quotes or braces")
        return _checked(URIRef(iri), text)
    looks = LOOKS_PREFIXED.match(text)
    if looks and looks["prefix"] in prefixes:
        m = PREFIXED.match(text)
        if not m:
            raise BadQuery(value, "not a valid prefixed name", hint="write e.g. dc:EmailAddress")
        return _checked(URIRef(str(prefixes[m["prefix"]]) + m["local"]), text)
    if PREFIXED.match(text):
        raise BadQuery(value, f"unknown prefix {looks['prefix']!r}", hint=f"known: {', '.join(sorted(prefixes))}")
    if re.fullmatch(r"[+-]?\d+", text):
        return Literal(int(text), datatype=XSD.integer)
    if re.fullmatch(r"[+-]?\d*\.\d+", text):
        return Literal(Decimal(text), datatype=XSD.decimal)
    if text in ("true", "false"):
        return Literal(text == "true", datatype=XSD.boolean)
    if ISO_DURATION.match(text):
        return Literal(text, datatype=XSD.duration)
    return Literal(text)


def _checked(iri: URIRef, written: str) -> URIRef:
    """IRIs in our vocabulary namespaces must be defined by the ontology (catches typos such as dc:Emial)."""
    if str(iri).startswith(BASE) and not str(iri).startswith(str(ID)) and \
            (iri, None, None) not in ontology_graph():
        raise BadQuery(written, f"unknown concept {short_name(iri)} (not defined in the ontology)")
    return iri


def bind_params(spec: QuerySpec, params: Mapping[str, str] | None) -> dict[str, URIRef | Literal]:
    """Every declared parameter as one RDF term (the given value, else the header's default); an undeclared
    parameter is a ``BadQuery``."""
    params = dict(params or {})
    declared = {p.name: p for p in spec.params}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise BadQuery(spec.path or spec.name, f"unknown parameter(s) {', '.join(unknown)}",
                       hint=f"this query takes: {', '.join(declared) or 'no parameters'}")
    return {n: bind_value(p, params[n]) if n in params else parse_param(p.default) for n, p in declared.items()}


def bind_value(param: Param, value: str) -> URIRef | Literal:
    """The RDF term a value given for ``param`` stands for. A parameter whose default is a concept (or class) of
    the ontology takes a concept of the same scheme (tree): by label, ``category=location``, ``kind=advertisers``,
    or written as ``parse_param`` reads it (``dc:Location``, ``<iri>``); a label of no concept is an
    ``UnknownConcept`` error with "did you mean" (see ``kg.concepts``), never an empty answer. Other parameters:
    ``parse_param``."""
    from kg.concepts import vocabulary

    vocab = vocabulary()
    domain = vocab.domain_of(parse_param(param.default)) if LOOKS_PREFIXED.match(param.default) else None
    if domain is None:
        return parse_param(value)
    term = parse_param(value)
    if not isinstance(term, URIRef):
        return vocab.resolve(value, domain, param=param.name).iri
    if term not in domain.members:
        vocab.resolve(short_name(term), domain, param=param.name)  # raises: names the concept's own domain
    return term


class QueryDataset(ReadOnlyGraphAggregate):
    """A policy graph and the ontology as one read-only SPARQL dataset, without copying either: the default graph is
    their merge (a query without ``GRAPH`` sees both, as in a store), and both are named graphs, so ``GRAPH ?g {
    ... }`` matches the policy data (the packaged queries scope their policy patterns so; in a store each policy is
    its own named graph) while vocabulary look-ups outside the block see the ontology."""

    def __init__(self, data: Graph, ontology: Graph):
        super().__init__([data, ontology])
        self.data, self.ontology = data, ontology
        # the merge is a set: a triple in both graphs (data that carries ontology triples) is seen once
        small, big = sorted((data, ontology), key=len)
        self._overlap = any(t in big for t in small)

    def triples(self, triple):
        s, p, o = triple
        if isinstance(p, RdfPath):
            for s1, o1 in p.eval(self, s, o):
                yield s1, p, o1
            return
        yield from self.data.triples((s, p, o))
        for t in self.ontology.triples((s, p, o)):
            if not self._overlap or t not in self.data:
                yield t

    def __len__(self) -> int:
        return len(set(self.triples((None, None, None)))) if self._overlap else len(self.data) + len(self.ontology)

    def contexts(self, triple=None):
        for graph in self.graphs:
            if triple is None or triple in graph:
                yield graph

    def get_context(self, identifier, quoted: bool = False, base=None) -> Graph:
        for graph in self.graphs:
            if graph.identifier == identifier:
                return graph
        return Graph(identifier=identifier)


def query_dataset(graph: Graph) -> QueryDataset:
    """What ``run_query`` runs over: ``graph`` and the ontology (neither copied nor modified)."""
    if isinstance(graph, QueryDataset):
        return graph
    return QueryDataset(graph, ontology_graph())


def _prepare(graph: Graph, spec_or_text: QuerySpec | str, params: Mapping[str, str] | None):
    """The spec, the prepared query, the bindings and the dataset to run over (data + ontology)."""
    spec = spec_or_text if isinstance(spec_or_text, QuerySpec) else parse_spec("query", spec_or_text)
    where = spec.path or spec.name
    bindings = {Variable(n): term for n, term in bind_params(spec, params).items()}
    try:
        prepared = prepareQuery(spec.text, initNs=dict(PREFIXES))
    except ParseBaseException as exc:
        raise BadQuery(where, f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}") from exc
    except Exception as exc:  # rdflib's algebra raises plain exceptions for e.g. an undefined prefix
        raise BadQuery(where, f"SPARQL error: {' '.join(str(exc).split())}") from exc
    if prepared.algebra.name != "SelectQuery":
        raise BadQuery(where, "only SELECT queries are supported")
    return spec, prepared, bindings, query_dataset(graph)


def run_query(graph: Graph, spec_or_text: QuerySpec | str, params: Mapping[str, str] | None = None) -> QueryResult:
    """Run a SELECT query over ``graph`` plus the ontology (so ``skos:broader*`` sees the taxonomy); see
    ``QueryDataset`` for the dataset (``GRAPH ?g`` matches the policy data).

    ``params`` (name -> value as typed) must be declared in the query header; undeclared ones are
    ``BadQuery``, missing ones take the header default. ``graph`` is not modified.
    """
    return _execute(*_prepare(graph, spec_or_text, params))


def _execute(spec: QuerySpec, prepared, bindings, union: QueryDataset) -> QueryResult:
    try:
        result = union.query(prepared, initBindings=bindings)
        names = [str(v) for v in result.vars]
        rows = [tuple(row) for row in result]
    except Exception as exc:  # evaluation errors (e.g. a type error in an expression) stay one line
        raise BadQuery(spec.path or spec.name, f"SPARQL evaluation error: {' '.join(str(exc).split())}") from exc
    return QueryResult(names, rows)


# -- explain: the evidence sentences behind each row ----------------------------------------------------------
class Evidence(NamedTuple):
    """One sentence a statement was extracted from."""
    statement: URIRef  # the statement (or controller / contact point) the sentence is evidence of
    sentence: str
    source: str  # the policy's source file
    start: int | None  # character offsets into the document text
    end: int | None
    rule: str  # the extraction rule id


class Explained(NamedTuple):
    row: tuple[Node | None, ...]
    evidence: list[Evidence]


_PASS_THROUGH = {"SelectQuery", "Distinct", "Reduced", "Slice", "Project", "OrderBy", "ToMultiSet"}


def _solution_pattern(algebra):
    """The part of a SELECT query's algebra that yields its solutions before grouping and projection, and the
    GROUP BY keys (None when the query does not group)."""
    node, project = algebra, None
    while getattr(node, "name", None) in _PASS_THROUGH | {"Extend", "AggregateJoin", "Group"}:
        if node.name == "Project" and project is None:
            project = node
        if node.name == "Group":
            keys = node.get("expr")
            return node.p, [k for k in keys if isinstance(k, Variable)] if keys else []
        node = node.get("p")
    return (project.p if project is not None else node), None


def explain(graph: Graph, spec_or_text: QuerySpec | str, params: Mapping[str, str] | None = None) -> list[Explained]:
    """Run the query and find, for each row, the evidence sentences of the statements behind it.

    The query's WHERE pattern is evaluated again (before grouping and projection) so every variable is visible,
    also ones the SELECT drops or aggregates. The solutions that agree with a row on its grouping keys (or, for
    a query without GROUP BY, on every projected variable they bind) are the row's support; their
    ``ppkg:Statement`` values are the statements behind it (when no variable holds a statement, any node with
    ``ppkg:evidence``, e.g. a controller, counts). Works for the packaged queries and for your own.
    """
    return _explain(graph, spec_or_text, params)[1]


def explain_text(graph: Graph, spec_or_text: QuerySpec | str, params: Mapping[str, str] | None = None,
                 width: int = 60) -> str:
    """``explain`` formatted for a terminal (what ``privacy-kg query --explain`` prints)."""
    result, explained = _explain(graph, spec_or_text, params)
    return to_explained_text(explained, result.vars, width)


def _explain(graph: Graph, spec_or_text: QuerySpec | str,
             params: Mapping[str, str] | None) -> tuple[QueryResult, list[Explained]]:
    from rdflib.plugins.sparql.evaluate import evalPart
    from rdflib.plugins.sparql.sparql import QueryContext

    spec, prepared, bindings, union = _prepare(graph, spec_or_text, params)
    result = _execute(spec, prepared, bindings, union)
    pattern, keys = _solution_pattern(prepared.algebra)
    ctx = QueryContext(union, initBindings=bindings, datasetClause=prepared.algebra.get("datasetClause"))
    ctx.prologue = prepared.prologue
    try:
        solutions = [dict(s) for s in evalPart(ctx, pattern)]
    except Exception as exc:
        raise BadQuery(spec.path or spec.name, f"cannot explain this query: {' '.join(str(exc).split())}") from exc

    statements = {s for s in union.subjects(RDF.type, PPKG.Statement)}
    with_evidence = set(union.subjects(PPKG.evidence, None))
    seen_vars = set().union(*(s.keys() for s in solutions)) if solutions else set()
    stmt_vars = [v for v in seen_vars if any(s.get(v) in statements for s in solutions)]
    ev_vars = stmt_vars or [v for v in seen_vars if any(s.get(v) in with_evidence for s in solutions)]
    if keys is None:
        keys = [Variable(v) for v in result.vars if Variable(v) in seen_vars]
    index = {Variable(v): i for i, v in enumerate(result.vars)}
    cache: dict[Node, list[Evidence]] = {}
    out = []
    for row in result.rows:
        found: set[Node] = set()
        for sol in solutions:
            if all(sol.get(k) == row[index[k]] for k in keys if k in index):
                found.update(sol[v] for v in ev_vars if sol.get(v) in with_evidence)
        evidence = [e for node in found for e in cache.setdefault(node, _evidence_of(union, node))]
        out.append(Explained(row, sorted(set(evidence), key=lambda e: (e.source, e.start or 0, str(e.statement)))))
    return result, out


def _evidence_of(graph: Graph, node: Node) -> list[Evidence]:
    out = []
    for ev in graph.objects(node, PPKG.evidence):
        text = graph.value(ev, OA.exact)
        if text is None:
            continue
        policy = graph.value(ev, DCTERMS.source)
        source = graph.value(policy, PPKG.sourceFile) if policy is not None else None
        start, end = graph.value(ev, OA.start), graph.value(ev, OA.end)
        out.append(Evidence(node, str(text), str(source or policy or ""),
                            int(start) if start is not None else None, int(end) if end is not None else None,
                            str(graph.value(ev, PPKG.rule) or "")))
    return out


def to_explained_text(explained: list[Explained], vars: list[str], width: int = 60) -> str:
    """Each row (``name=value`` pairs), then its evidence sentences: ``[source start-end rule] sentence``."""
    lines = []
    for i, (row, evidence) in enumerate(explained, 1):
        cells = [f"{v}={' '.join(short_name(t).split())[:width]}" for v, t in zip(vars, row) if t is not None]
        lines.append(f"{i}. " + "  ".join(cells))
        for e in evidence:
            lines.append(f"   [{e.source} {e.start}-{e.end} {e.rule}] {' '.join(e.sentence.split())}")
        if not evidence:
            lines.append("   (no evidence sentence found)")
    lines.append(f"({len(explained)} row{'' if len(explained) == 1 else 's'})")
    return "\n".join(lines)


# -- output formats ------------------------------------------------------------------------------------------
def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out


def to_json(res: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON (unbound variables are left out of a binding)."""
    bindings = [{v: _json_term(t) for v, t in zip(res.vars, row) if t is not None} for row in res.rows]
    return json.dumps({"head": {"vars": res.vars}, "results": {"bindings": bindings}}, ensure_ascii=False,
                      indent=2)


def to_csv(res: QueryResult) -> str:
    """SPARQL 1.1 CSV results: full IRIs, lexical forms, empty cells for unbound variables."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(res.vars)
    for row in res.rows:
        writer.writerow(["" if t is None else str(t) for t in row])
    return out.getvalue()


def to_tsv(res: QueryResult) -> str:
    """SPARQL 1.1 TSV results: ``?var`` headers, terms in N-Triples syntax, empty cells for unbound variables."""
    def cell(term: Node | None) -> str:
        if term is None:
            return ""
        if not isinstance(term, Literal):
            return term.n3()
        text = str(term)
        for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
            text = text.replace(raw, escaped)
        suffix = f"@{term.language}" if term.language else \
            f"^^<{term.datatype}>" if term.datatype is not None and term.datatype != XSD.string else ""
        return f'"{text}"{suffix}'

    lines = ["\t".join(f"?{v}" for v in res.vars)] + ["\t".join(cell(t) for t in row) for row in res.rows]
    return "\n".join(lines) + "\n"


def to_table(res: QueryResult, width: int = 60) -> str:
    """Aligned columns for a terminal: prefixed names, whitespace collapsed, cells cut to ``width``."""
    def cell(term: Node | None) -> str:
        text = "" if term is None else " ".join(short_name(term).split())
        return text if len(text) <= width else text[: width - 1] + "…"

    table = [res.vars] + [[cell(t) for t in row] for row in res.rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(res.vars))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"({len(res.rows)} row{'' if len(res.rows) == 1 else 's'})")
    return "\n".join(lines)


FORMATTERS = {"table": to_table, "csv": to_csv, "tsv": to_tsv, "json": to_json}

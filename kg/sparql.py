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

import difflib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from pyparsing import ParseBaseException
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF, XSD
from rdflib.paths import Path as RdfPath
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Identifier, Node

from kg.errors import BadQuery, UnknownName
from kg.graphio import short_name
from kg.resources import query_files
from kg.tabular import cut, delimited, fit_table
from kg.view import EvidenceRef, evidence_of
from kg.vocab import BASE, ID, PPKG, PREFIXES

if TYPE_CHECKING:
    from kg.concepts import Domain

HEADER = re.compile(r"^#\s*(?P<key>title|question|param|columns|page-by)\s*:\s*(?P<value>.*?)\s*$")
PAGE_BY = ("source", "company")  # how a store pages through a query's answer (``kg.sources.Source.select_page``)
PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<default>\S+)(?:\s+\((?P<description>.*)\))?$")
IRI_REF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
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
    page_by: str = ""  # "# page-by: source|company": the answer is ordered by policy source file or company first



class Explained(NamedTuple):
    """A row of a result and the sentences behind it: each with the statement (or controller, contact point ...)
    whose evidence it is."""

    row: tuple[Node | None, ...]
    evidence: list[tuple[Node, EvidenceRef]]


@dataclass(frozen=True)
class QueryResult:
    """The answer to a SELECT query: variables and rows of rdflib terms; with ``explain``, the evidence of each."""

    vars: list[str]
    rows: list[tuple[Node | None, ...]]  # one term (or None when unbound) per variable
    explained: list[Explained] | None = None  # query(..., explain=True): one per row, in order

    def page(self, limit: int | None, offset: int = 0) -> QueryResult:
        """Rows ``offset`` to ``offset + limit`` (all from ``offset`` when ``limit`` is None)."""
        end = None if limit is None else offset + limit
        return QueryResult(self.vars, self.rows[offset:end],
                           None if self.explained is None else self.explained[offset:end])

    def dicts(self) -> list[dict[str, Any]]:
        """The rows as dicts of plain Python values: an IRI as its string, a literal as its Python value (int,
        Decimal, date, str ...), an unbound variable as None."""
        return [{v: _plain(t) for v, t in zip(self.vars, row)} for row in self.rows]

    def format(self, fmt: str = "table", width: int | None = None) -> str:
        """The rows as ``table``, ``csv``, ``tsv`` or ``json`` (``FORMATTERS``); an explained result with the
        evidence sentences of each row, in every format. ``width``: a table (or an explained row) is cut to fit
        in it (a terminal's width); without, nothing is cut."""
        if fmt not in FORMATTERS:
            raise UnknownName(fmt, "unknown result format", hint=f"choose one of {', '.join(FORMATTERS)}")
        return FORMATTERS[fmt](self, width)


def _plain(term: Node | None) -> Any:
    if isinstance(term, Literal):
        value = term.toPython()
        return str(term) if isinstance(value, Literal) else value
    return None if term is None else str(term)


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
    page_by = meta.get("page-by", "")
    if page_by and page_by not in PAGE_BY:
        raise BadQuery(path or name, f"unknown page-by {page_by!r}", hint=f"choose one of {', '.join(PAGE_BY)}")
    return QuerySpec(name, path, meta.get("title", name), meta.get("question", ""), params, columns, text, page_by)


def list_queries() -> list[QuerySpec]:
    """The packaged queries, by name (the file stem)."""
    return [parse_spec(p.stem, p.read_text(encoding="utf-8"), p) for p in query_files()]


def resolve_query(query: str | Path | QuerySpec) -> QuerySpec:
    """A packaged query by name, a ``.rq`` file by path, or the text of a query (a ``{``, a line break or, when no
    file has that name, a space tells it from a name)."""
    if isinstance(query, QuerySpec):
        return query
    text = str(query)
    if isinstance(query, str) and ("{" in text or "\n" in text):
        return parse_spec("query", text)
    path = Path(query)
    if path.suffix == ".rq" or path.is_file():
        if not path.is_file():
            raise BadQuery(path, "no such query file")
        return parse_spec(path.stem, path.read_text(encoding="utf-8"), path)
    if isinstance(query, str) and any(c.isspace() for c in text):
        return parse_spec("query", text)
    specs = list_queries()
    for spec in specs:
        if spec.name == text:
            return spec
    names = [s.name for s in specs]
    close = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
    raise UnknownName(text, "no packaged query of that name",
                      hint=(f"did you mean {', '.join(close[:-1]) + ' or ' if close[:-1] else ''}{close[-1]}? "
                            if close else "")
                      + f"available: {', '.join(names)}")


def parse_param(value: str, prefixes: Mapping[str, object] | None = None) -> URIRef | Literal:
    """One parameter value as one RDF term.

    ``<iri>`` (no spaces, quotes, braces ...); ``prefix:Name`` with a known prefix (an IRI in our concept
    namespaces must be defined by the ontology: ``dc:Emial`` is an error); an integer, decimal or boolean; an
    ISO 8601 duration (``P1Y`` becomes ``xsd:duration``); anything else is a plain string literal. A value that
    starts like an IRI or a prefixed name but is not a valid one is ``BadQuery``.
    """
    known: Mapping[str, object] = PREFIXES if prefixes is None else prefixes
    text = value.strip()
    if text.startswith("<"):
        iri = text[1:-1] if text.endswith(">") else ""
        if not IRI_SCHEME.match(iri) or IRI_FORBIDDEN.search(iri):
            raise BadQuery(value, "not a valid IRI", hint="write <scheme:...> without spaces, quotes or braces")
        return _checked(URIRef(iri), text)
    looks = LOOKS_PREFIXED.match(text)
    if looks and looks["prefix"] in known:
        m = PREFIXED.match(text)
        if not m:
            raise BadQuery(value, "not a valid prefixed name", hint="write e.g. dc:EmailAddress")
        return _checked(URIRef(str(known[m["prefix"]]) + m["local"]), text)
    if looks and PREFIXED.match(text):
        raise BadQuery(value, f"unknown prefix {looks['prefix']!r}", hint=f"known: {', '.join(sorted(known))}")
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
    """IRIs in our vocabulary namespaces must be defined by the ontology, and IRIs in DPV's by the vendored DPV 2.3
    (catches typos such as dc:Emial or pd:Emial)."""
    from kg.dpv import DPV_BASE, is_known

    ours = str(iri).startswith(BASE) and not str(iri).startswith(str(ID))
    if (ours or str(iri).startswith(DPV_BASE)) and not is_known(iri):
        where = "the ontology" if ours else "DPV 2.3"
        from kg.concept_list import near_terms

        near = near_terms(iri)
        raise BadQuery(written, f"unknown concept {short_name(iri)} (not defined in {where})",
                       hint=f"did you mean {' or '.join(near)}?" if near else
                       "privacy-kg concepts lists our concepts, with their DPV matches")
    return iri


Value = str | int | float | Decimal | bool | date | URIRef | Literal  # what a parameter may be given as


def bind_params(spec: QuerySpec, params: Mapping[str, Value] | Iterable[str] | None) -> dict[str, Node]:
    """Every declared parameter as one RDF term (the given value, else the header's default); an undeclared
    parameter is a ``BadQuery``. ``params``: name -> value, where a value is text as typed on the command line
    (``parse_param``), a Python number, boolean or date (a typed literal), or an rdflib term; or ``NAME=VALUE``
    strings, as ``--param`` takes them."""
    params = dict(params) if isinstance(params, Mapping) else _assignments(params or ())
    declared = {p.name: p for p in spec.params}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise BadQuery(spec.path or spec.name, f"unknown parameter(s) {', '.join(unknown)}",
                       hint=f"this query takes: {', '.join(declared) or 'no parameters'}")
    return {n: bind_value(p, params[n]) if n in params else term_of(p.default) for n, p in declared.items()}


def _assignments(items: Iterable[str]) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise BadQuery(item, "a parameter is written NAME=VALUE")
        out[name.strip()] = value
    return out


def term_of(value: Value) -> URIRef | Literal:
    """A parameter value as one RDF term (see ``bind_params``)."""
    if isinstance(value, str) and not isinstance(value, (URIRef, Literal)):
        return parse_param(value)
    if isinstance(value, URIRef):
        return _checked(value, value.n3())
    if isinstance(value, Literal):
        return value
    if isinstance(value, bool):
        return Literal(value, datatype=XSD.boolean)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, (float, Decimal)):
        return Literal(Decimal(str(value)), datatype=XSD.decimal)
    if isinstance(value, date):
        return Literal(value)
    raise BadQuery(repr(value), "a parameter value is text, a number, a boolean, a date or an RDF term")


def bind_value(param: Param, value: Value) -> URIRef | Literal:
    """The RDF term a value given for ``param`` stands for. A parameter whose default is a concept (or class) of
    the ontology takes a concept of the same scheme (tree): by label, ``category=location``, ``kind=advertisers``,
    or written as ``parse_param`` reads it (``dc:Location``, ``<iri>``), or a DPV 2.3 term (``pd:Location``); a
    label of no concept is an ``UnknownConcept`` error with "did you mean" (see ``kg.concepts``), never an empty
    answer. Other parameters: ``parse_param``."""
    from kg.concepts import vocabulary

    vocab = vocabulary()
    domain = vocab.domain_of(parse_param(param.default)) if LOOKS_PREFIXED.match(param.default) else None
    if domain is None or isinstance(value, Literal) or not isinstance(value, str):
        return term_of(value)  # not a concept parameter, or a number, date, literal given from Python
    term = value if isinstance(value, URIRef) else parse_param(value)
    if not isinstance(term, URIRef):
        return vocab.resolve(value, domain, param=param.name).iri
    from kg.dpv import DPV_BASE

    if str(term).startswith(DPV_BASE):  # a DPV 2.3 term (pd:EmailAddress): the query reaches it through the bridge
        return _checked(term, str(value))
    return _in_domain(term, domain, param)


def _in_domain(term: URIRef, domain: Domain, param: Param) -> URIRef:
    """``term`` when it is a concept of ``domain``; else the ``UnknownConcept`` error naming the domain."""
    from kg.concepts import vocabulary

    if term not in domain.members:
        vocabulary().resolve(short_name(term), domain, param=param.name)  # raises: names the concept's own domain
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

    def triples(self, triple):  # type: ignore[override]  # the pattern of a triple, as Graph.triples takes it
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
    from kg.dpv import query_vocabulary

    return QueryDataset(graph, query_vocabulary())


def parsed(spec: QuerySpec) -> Any:
    """``spec`` parsed by rdflib (a prepared query); ``BadQuery`` with the line and column of a syntax error, or
    for a query other than SELECT."""
    where = spec.path or spec.name
    try:
        prepared = prepareQuery(spec.text, initNs=dict(PREFIXES))
    except ParseBaseException as exc:
        raise BadQuery(where, f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}") from exc
    except Exception as exc:  # rdflib's algebra raises plain exceptions for e.g. an undefined prefix
        raise BadQuery(where, f"SPARQL error: {' '.join(str(exc).split())}") from exc
    if prepared.algebra.name != "SelectQuery":
        raise BadQuery(where, "only SELECT queries are supported")
    return prepared


def select_graph(graph: Graph, spec: QuerySpec, bindings: Mapping[str, Node] | None = None) -> QueryResult:
    """Run a SELECT query with rdflib over ``graph`` plus the ontology (so ``skos:broader*`` sees the taxonomy;
    ``QueryDataset``: ``GRAPH ?g`` matches the policy data), with ``bindings`` (variable -> term) bound by the
    engine. ``graph`` is not modified."""
    prepared = parsed(spec)
    try:
        terms = {Variable(n): t for n, t in (bindings or {}).items()}
        result = query_dataset(graph).query(prepared, initBindings=cast(Mapping[str, Identifier], terms))
        names = [str(v) for v in result.vars or ()]
        rows = [tuple(row) for row in cast(Iterable[Iterable[Node | None]], result)]  # a SELECT result: its rows
    except Exception as exc:  # evaluation errors (e.g. a type error in an expression) stay one line
        raise BadQuery(spec.path or spec.name, f"SPARQL evaluation error: {' '.join(str(exc).split())}") from exc
    return QueryResult(names, rows)


def run_query(graph: Graph, query: str | Path | QuerySpec, params: Mapping[str, Value] | None = None) -> QueryResult:
    """Run a query (``resolve_query``: a packaged name, a file, or its text) over ``graph`` plus the ontology, with
    ``params`` (name -> value) for the parameters its header declares; undeclared ones are ``BadQuery``, missing
    ones take the header default."""
    spec = resolve_query(query)
    return select_graph(graph, spec, bind_params(spec, params))


# -- explain: the evidence sentences behind each row ----------------------------------------------------------
Select = Callable[[QuerySpec, Mapping[str, Node]], QueryResult]  # a SELECT query run where the data is
_PASS_THROUGH = {"SelectQuery", "Distinct", "Reduced", "Slice", "Project", "OrderBy", "ToMultiSet"}
EVIDENCE_QUERY = """SELECT ?s ?p ?o WHERE {
  VALUES ?node { %s }
  { ?node a ppkg:Statement . BIND(?node AS ?s) BIND(rdf:type AS ?p) BIND(ppkg:Statement AS ?o) }
  UNION { ?node ppkg:evidence ?o . BIND(?node AS ?s) BIND(ppkg:evidence AS ?p) }
  UNION { ?node ppkg:evidence ?s . ?s ?p ?o FILTER(?p IN (oa:exact, oa:start, oa:end, ppkg:rule, ppkg:sectionPath,
                                                         dct:source)) }
  UNION { ?node ppkg:evidence/dct:source ?s . ?s ppkg:sourceFile ?o . BIND(ppkg:sourceFile AS ?p) }
}"""
EVIDENCE_BATCH = 500  # nodes whose evidence one query asks for


def explain(select: Select, spec: QuerySpec, bindings: Mapping[str, Node]) -> QueryResult:
    """Run the query with ``select`` (over a graph, or inside a store) and find, for each row, the evidence
    sentences of the statements behind it.

    The query's WHERE group is run again as ``SELECT *`` (before grouping and projection), so every variable is
    visible, also ones the SELECT drops or aggregates. The solutions that agree with a row on its grouping keys
    (or, for a query without GROUP BY, on every projected variable they bind) are the row's support; their
    ``ppkg:Statement`` values are the statements behind it (when no variable holds a statement, any node with
    ``ppkg:evidence``, e.g. a controller, counts). Their evidence is read with one more query. Works for the
    packaged queries and for your own; every step runs where the data is.
    """
    result = select(spec, bindings)
    keys = _group_keys(parsed(spec).algebra)
    found = select(_solutions_spec(spec), bindings)
    solutions = [{v: t for v, t in zip(found.vars, row) if t is not None} for row in found.rows]
    facts = _evidence_graph(select, {t for sol in solutions for t in sol.values() if isinstance(t, URIRef)})
    statements = set(facts.subjects(RDF.type, PPKG.Statement))
    with_evidence = set(facts.subjects(PPKG.evidence, None))
    seen_vars = set().union(*(s.keys() for s in solutions)) if solutions else set()
    stmt_vars = [v for v in seen_vars if any(s.get(v) in statements for s in solutions)]
    ev_vars = stmt_vars or [v for v in seen_vars if any(s.get(v) in with_evidence for s in solutions)]
    if keys is None:
        keys = [v for v in result.vars if v in seen_vars]
    index = {v: i for i, v in enumerate(result.vars)}
    cache: dict[Node, list[tuple[Node, EvidenceRef]]] = {}
    out = []
    for row in result.rows:
        support: set[Node] = set()
        for sol in solutions:
            if all(sol.get(k) == row[index[k]] for k in keys if k in index):
                support.update(sol[v] for v in ev_vars if sol.get(v) in with_evidence)
        evidence = {e for node in support
                    for e in cache.setdefault(node, [(node, ref) for ref in evidence_of(facts, node)])}
        out.append(Explained(row, sorted(evidence, key=lambda e: (e[1].source, e[1].start or 0, str(e[0])))))
    return replace(result, explained=out)


def _group_keys(algebra: Any) -> list[str] | None:
    """The GROUP BY variables of a SELECT query's algebra (None when the query does not group)."""
    node = algebra
    while getattr(node, "name", None) in _PASS_THROUGH | {"Extend", "AggregateJoin", "Group"}:
        if node.name == "Group":
            keys = node.get("expr")
            return [str(k) for k in keys if isinstance(k, Variable)] if keys else []
        node = node.get("p")
    return None


def _solutions_spec(spec: QuerySpec) -> QuerySpec:
    """``SELECT *`` over the query's WHERE group, with its prologue: every solution, every variable."""
    start, end = where_group(spec.text)
    if end is None:
        raise BadQuery(spec.path or spec.name, "cannot explain this query: its WHERE group is not closed")
    prologue = spec.text[:_select_keyword(spec.text)]
    return QuerySpec(spec.name, spec.path, spec.title, spec.question, [], [],
                     f"{prologue}SELECT * WHERE {spec.text[start:end + 1]}")


def _evidence_graph(select: Select, nodes: set[URIRef]) -> Graph:
    """The evidence of ``nodes`` (and which of them are statements) as a small graph ``kg.view`` reads."""
    facts = Graph()
    ordered = sorted(nodes)
    for i in range(0, len(ordered), EVIDENCE_BATCH):
        values = " ".join(n.n3() for n in ordered[i:i + EVIDENCE_BATCH])
        for s, p, o in select(parse_spec("evidence", EVIDENCE_QUERY % values), {}).rows:
            facts.add((s, p, o))  # type: ignore[arg-type]  # the query binds all three
    return facts


def to_explained_text(explained: list[Explained], vars: list[str], width: int | None = None) -> str:
    """Each row (``name=value`` pairs), then its evidence sentences: ``[source start-end rule] sentence``.
    With ``width``, each row line is cut to it (the sentences are never cut)."""
    lines = []
    for i, (row, evidence) in enumerate(explained, 1):
        cells = [f"{v}={' '.join(short_name(t).split())}" for v, t in zip(vars, row) if t is not None]
        line = f"{i}. " + "  ".join(cells)
        lines.append(line if width is None else cut(line, width))
        for _, e in evidence:
            lines.append(f"   [{e.source} {e.start}-{e.end} {e.rule}] {' '.join(e.text.split())}")
        if not evidence:
            lines.append("   (no evidence sentence found)")
    lines.append(f"({len(explained)} row{'' if len(explained) == 1 else 's'})")
    return "\n".join(lines) + "\n"


# -- the text of a query --------------------------------------------------------------------------------------
def _code(sparql: str) -> Iterator[int]:
    """The indexes of the characters of ``sparql`` outside comments, strings and IRIs."""
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
            m = IRI_REF.match(sparql, i)
            if m:
                i = m.end()
                continue
        yield i
        i += 1


def where_group(sparql: str) -> tuple[int, int | None]:
    """The indexes of the ``{`` opening a SELECT query's WHERE group (the first brace outside comments, strings
    and IRIs: the prologue and the SELECT clause hold none elsewhere) and of the ``}`` closing it (None when it is
    not closed). ``SyntaxError`` when there is none."""
    depth, start = 0, None
    for i in _code(sparql):
        if sparql[i] == "{":
            start = i if start is None else start
            depth += 1
        elif sparql[i] == "}" and start is not None:
            depth -= 1
            if depth == 0:
                return start, i
    if start is None:
        raise SyntaxError("no WHERE group found")
    return start, None


def _select_keyword(sparql: str) -> int:
    """Where the SELECT keyword starts (after the prologue)."""
    for i in _code(sparql):
        if sparql[i:i + 6].upper() == "SELECT" and (i == 0 or not sparql[i - 1].isalnum()):
            return i
    return 0


# -- output formats ------------------------------------------------------------------------------------------
def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if not isinstance(term, Literal):
        return out
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out


EVIDENCE_COLUMNS = ("evidence_source", "evidence_start", "evidence_end", "evidence_rule", "evidence_text")


def _evidence_dict(node: Node, e: EvidenceRef) -> dict[str, Any]:
    return {"node": str(node), "source": e.source, "start": e.start, "end": e.end, "rule": e.rule,
            "section": e.section, "text": e.text}


def to_json(res: QueryResult, width: int | None = None) -> str:
    """SPARQL 1.1 Query Results JSON (unbound variables are left out of a binding). An explained result adds
    ``"evidence"``: one list per binding, in order, of its sentences (``node`` whose evidence it is, ``source``
    file, ``start``/``end`` offsets, ``rule``, ``section``, ``text``)."""
    bindings = [{v: _json_term(t) for v, t in zip(res.vars, row) if t is not None} for row in res.rows]
    out: dict[str, Any] = {"head": {"vars": res.vars}, "results": {"bindings": bindings}}
    if res.explained is not None:
        out["evidence"] = [[_evidence_dict(node, e) for node, e in ex.evidence] for ex in res.explained]
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


def _delimited_rows(res: QueryResult) -> tuple[list[str], list[list[object]]]:
    """Full IRIs, lexical forms, empty cells for unbound variables; an explained result has one line per
    evidence sentence (``EVIDENCE_COLUMNS`` after the variables; a row without one has them empty)."""
    rows: list[list[object]] = []
    if res.explained is None:
        return res.vars, [["" if t is None else str(t) for t in row] for row in res.rows]
    for ex in res.explained:
        cells: list[object] = ["" if t is None else str(t) for t in ex.row]
        rows += [cells + [e.source, e.start, e.end, e.rule, e.text] for _, e in ex.evidence]
        if not ex.evidence:
            rows.append(cells + [""] * len(EVIDENCE_COLUMNS))
    return res.vars + list(EVIDENCE_COLUMNS), rows


def to_csv(res: QueryResult, width: int | None = None) -> str:
    """SPARQL 1.1 CSV results: full IRIs, lexical forms, empty cells for unbound variables (``kg.tabular``)."""
    return delimited(*_delimited_rows(res), "csv")


def _tsv_cell(term: object) -> str:
    """A cell of SPARQL 1.1 TSV results: an RDF term in N-Triples syntax (``<iri>``, ``"text"@en``), a number
    from the evidence columns as a plain integer, empty for an unbound variable."""
    if term is None:
        return ""
    if isinstance(term, int):
        return str(term)
    if not isinstance(term, Node):
        term = Literal(str(term))
    if not isinstance(term, Literal):
        return term.n3()
    text = str(term)
    for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        text = text.replace(raw, escaped)
    suffix = f"@{term.language}" if term.language else \
        f"^^<{term.datatype}>" if term.datatype is not None and term.datatype != XSD.string else ""
    return f'"{text}"{suffix}'


def to_tsv(res: QueryResult, width: int | None = None) -> str:
    """SPARQL 1.1 TSV results: ``?var`` headers, terms in N-Triples syntax (so a cell keeps whether it is an IRI
    or text, its language and datatype), empty cells for unbound variables; rdflib and other SPARQL clients read it
    back. An explained result has one line per evidence sentence, ``EVIDENCE_COLUMNS`` after the variables."""
    rows: list[list[object]] = []
    if res.explained is None:
        head, rows = res.vars, [list(row) for row in res.rows]
    else:
        head = res.vars + list(EVIDENCE_COLUMNS)
        for ex in res.explained:
            cells: list[object] = list(ex.row)
            rows += [cells + [e.source, e.start, e.end, e.rule, e.text] for _, e in ex.evidence]
            if not ex.evidence:
                rows.append(cells + [None] * len(EVIDENCE_COLUMNS))
    lines = ["\t".join(f"?{v}" for v in head)] + ["\t".join(_tsv_cell(t) for t in row) for row in rows]
    return "\n".join(lines) + "\n"


def to_table(res: QueryResult, width: int | None = None) -> str:
    """Aligned columns for people: prefixed names, whitespace collapsed; with ``width`` (a terminal's), the table
    fits in it, long cells cut with "…" (``kg.tabular.fit_table``). An explained result: ``to_explained_text``."""
    if res.explained is not None:
        return to_explained_text(res.explained, res.vars, width)
    rows = [["" if t is None else " ".join(short_name(t).split()) for t in row] for row in res.rows]
    return (fit_table(res.vars, rows, width)
            + f"\n({len(res.rows)} row{'' if len(res.rows) == 1 else 's'})\n")


FORMATTERS: dict[str, Callable[[QueryResult, int | None], str]] = {
    "table": to_table, "csv": to_csv, "tsv": to_tsv, "json": to_json}

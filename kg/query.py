"""Query stage: the packaged SPARQL library, safe parameter binding, and result formats.

Parameters are bound through the engine (rdflib ``initBindings``), never pasted into the query text: a value
becomes one RDF term (an IRI checked against the ontology, or a typed literal), so quotes, braces or
``} ; DROP ALL`` in a value can at most fail to match.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pyparsing import ParseException
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result

from kg.errors import BadQuery, UnknownName
from kg.graphio import ontology_graph
from kg.resources import query_files
from kg.vocab import BASE, PREFIXES, bind_prefixes

HEADER = re.compile(r"^#\s*(?P<key>title|question|param|columns)\s*:\s*(?P<value>.*)$")
PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<default>\S+)(?:\s+\((?P<doc>.*)\))?$")
IRI_FORBIDDEN = re.compile(r"[\s<>\"{}|\\^`]")
PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z][\w-]*):(?P<local>[A-Za-z_][\w.-]*)$")
ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?!$)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


@dataclass(frozen=True)
class Param:
    name: str
    default: str
    doc: str = ""


@dataclass(frozen=True)
class QuerySpec:
    name: str
    text: str
    path: Path | None = None
    title: str = ""
    question: str = ""
    params: tuple[Param, ...] = ()
    columns: tuple[str, ...] = ()


@dataclass
class QueryResult:
    vars: list[str]
    rows: list[dict[str, object]] = field(default_factory=list)
    result: Result | None = None


def parse_spec(name: str, text: str, path: Path | None = None) -> QuerySpec:
    """Read the comment header (title, question, param, columns) of a query."""
    meta: dict[str, str] = {}
    params = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = HEADER.match(line)
        if not m:
            continue
        if m["key"] == "param":
            pm = PARAM.match(m["value"].strip())
            if not pm:
                raise BadQuery(path or name, f"malformed param header: {line!r} (want 'name = default (what)')")
            params.append(Param(pm["name"], pm["default"], pm["doc"] or ""))
        else:
            meta[m["key"]] = m["value"].strip()
    columns = tuple(c.strip() for c in meta.get("columns", "").split(",") if c.strip())
    return QuerySpec(name, text, path, meta.get("title", ""), meta.get("question", ""), tuple(params), columns)


def list_queries() -> list[QuerySpec]:
    return [parse_spec(p.stem, p.read_text(encoding="utf-8"), p) for p in query_files()]


def resolve_query(name_or_path: str) -> QuerySpec:
    """A packaged query by name, or a .rq file by path."""
    path = Path(name_or_path)
    if path.suffix == ".rq" or path.is_file():
        if not path.is_file():
            raise BadQuery(path, "no such query file")
        return parse_spec(path.stem, path.read_text(encoding="utf-8"), path)
    for spec in list_queries():
        if spec.name == name_or_path:
            return spec
    names = ", ".join(s.name for s in list_queries())
    raise UnknownName(name_or_path, "no packaged query of that name", hint=f"available: {names}")


def parse_param(value: str) -> URIRef | Literal:
    """One parameter value as one RDF term: <iri>, prefix:name, number, boolean, ISO duration or a string."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        iri = value[1:-1]
        if not iri or IRI_FORBIDDEN.search(iri) or ":" not in iri:
            raise BadQuery(value, "not a valid IRI")
        return _checked(URIRef(iri), value)
    m = PREFIXED.match(value)
    if m and m["prefix"] in PREFIXES:
        return _checked(URIRef(str(PREFIXES[m["prefix"]]) + m["local"]), value)
    if re.fullmatch(r"[+-]?\d+", value):
        return Literal(int(value), datatype=XSD.integer)
    if re.fullmatch(r"[+-]?\d*\.\d+", value):
        return Literal(Decimal(value), datatype=XSD.decimal)
    if value in ("true", "false"):
        return Literal(value == "true", datatype=XSD.boolean)
    if ISO_DURATION.match(value):
        return Literal(value, datatype=XSD.duration)
    if m or IRI_FORBIDDEN.sub("", value) != value and value.startswith("<"):
        raise BadQuery(value, f"unknown prefix {m['prefix']!r}" if m else "not a valid IRI")
    return Literal(value)


def _checked(iri: URIRef, written: str) -> URIRef:
    """IRIs in our namespaces must name something the ontology defines (catches typos such as dc:Emial)."""
    if str(iri).startswith(BASE) and not str(iri).startswith(BASE + "id/") and \
            (iri, None, None) not in ontology_graph():
        raise BadQuery(written, "unknown concept: not defined in the ontology")
    return iri


def run_query(graph: Graph, spec: QuerySpec, params: dict[str, str] | None = None) -> QueryResult:
    """Run ``spec`` over ``graph`` plus the ontology (so ``skos:broader*`` sees the taxonomy)."""
    params = params or {}
    declared = {p.name: p for p in spec.params}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise BadQuery(spec.path or spec.name, f"unknown parameter(s) {', '.join(unknown)}",
                       hint=f"this query takes: {', '.join(declared) or 'no parameters'}")
    bindings = {name: parse_param(params.get(name, p.default)) for name, p in declared.items()}
    try:
        prepared = prepareQuery(spec.text)
    except ParseException as exc:
        raise BadQuery(spec.path or spec.name, f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: "
                                               f"{exc.msg}") from exc
    except Exception as exc:
        raise BadQuery(spec.path or spec.name, f"SPARQL error: {exc}") from exc
    if prepared.algebra.name != "SelectQuery":
        raise BadQuery(spec.path or spec.name, "only SELECT queries are supported")
    union = bind_prefixes(Graph())
    union += graph
    union += ontology_graph()
    result = union.query(prepared, initBindings=bindings)
    names = [str(v) for v in result.vars]
    rows = [{n: row[i] for i, n in enumerate(names)} for row in result]
    return QueryResult(names, rows, result)


# -- output formats ------------------------------------------------------------------------------------------
def to_json(res: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    return res.result.serialize(format="json").decode("utf-8")


def to_csv(res: QueryResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(res.vars)
    for row in res.rows:
        writer.writerow(["" if row[v] is None else str(row[v]) for v in res.vars])
    return out.getvalue()


def to_table(res: QueryResult, width: int = 60) -> str:
    nm = bind_prefixes(Graph()).namespace_manager

    def cell(term) -> str:
        if term is None:
            return ""
        text = term.n3(nm) if isinstance(term, URIRef) else " ".join(str(term).split())
        return text if len(text) <= width else text[: width - 1] + "…"

    table = [res.vars] + [[cell(row[v]) for v in res.vars] for row in res.rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(res.vars))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"({len(res.rows)} row{'s' if len(res.rows) != 1 else ''})")
    return "\n".join(lines)


FORMATTERS = {"table": to_table, "csv": to_csv, "json": to_json}

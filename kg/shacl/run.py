"""Run the SHACL shapes of a profile over a graph with pySHACL, and flatten the report into rows.

The ontology with the concept schemes (minus its labels and definitions) is merged into a copy of each data chunk
before validation: pySHACL runs with inference "none" and needs the class hierarchy and the taxonomy for
``sh:class``, ``skos:inScheme`` and ``skos:broader*``.

The shapes use SHACL Core, except SHACL-AF SPARQL targets (evaluated once per run) for the conditional GDPR
requirements and one SPARQL constraint on the policy node (CCPA retention per category). pySHACL evaluates that
constraint once per policy, but rdflib runs it against the whole data graph, so one pySHACL run over a large graph
grows faster than linearly (benchmarks/validation.py, BENCHMARKS.md "Validation cost"). ``check(...,
per_policy=True)`` runs one policy closure at a time (``kg.graphio.policy_closures``) plus the triples no policy
reaches and merges the reports, results of shared nodes once: the same results at a fixed cost per policy (about
0.6 s with every profile), which is the linear path for large graphs.

Exit-code contract (the CLI's): 0 conforms, 1 violations (or warnings with ``fail_on="warning"``), 2 error;
``fails`` makes the 0/1 decision.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.errors import BadGraph, BadShapes, UnknownName
from kg.graphio import load_graph, ontology_graph, policy_closures, short_name
from kg.resources import data_dir
from kg.vocab import bind_prefixes

if TYPE_CHECKING:
    from kg.shacl.engine import Shape

PROFILES = ("core", "gdpr", "ccpa", "all")
SEVERITIES: dict[Node | None, str] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
SEVERITY_ORDER = ("Violation", "Warning", "Info")
FAIL_ON = {"violation": {"Violation"}, "warning": {"Violation", "Warning"}}


@dataclass(frozen=True)
class ResultRow:
    """One sh:ValidationResult, flattened."""

    focus: Node
    path: str  # the result path as a SPARQL property path with our prefixes ("ppkg:hasPractice/dpv:hasPurpose")
    severity: str  # "Violation" | "Warning" | "Info"
    message: str
    shape: str  # the shape's sh:name, else its prefixed IRI ("kgsh:EvidenceStart"), else ""
    value: Node | None  # sh:value, when the result concerns one value
    source_shape: Node  # sh:sourceShape as in the shapes graph


@dataclass(frozen=True)
class ValidationResult:
    conforms: bool  # no Violation (warnings and infos alone conform)
    results: tuple[ResultRow, ...]  # sorted by severity, focus, shape, path
    report_graph: Graph  # one sh:ValidationReport holding every result
    checked: frozenset[Node] = frozenset()  # the named shapes that were run (so a matrix knows what was checked)

    @property
    def counts(self) -> dict[str, int]:
        """Results per severity, every severity present (0 when none)."""
        c = Counter(r.severity for r in self.results)
        return {s: c[s] for s in SEVERITY_ORDER}


def profile_files(profile: str) -> list[Path]:
    """The shape files of a profile: ``shapes/{profile}.ttl``, or every file in shapes/ for ``"all"``."""
    if profile not in PROFILES:
        raise UnknownName(profile, "unknown validation profile", hint=f"choose one of {', '.join(PROFILES)}")
    folder = data_dir("shapes")
    return sorted(folder.glob("*.ttl")) if profile == "all" else [folder / f"{profile}.ttl"]


def load_shapes(paths: Iterable[Path]) -> Graph:
    """Parse shape files into one graph; a missing or unparsable file is ``BadShapes``. Parsed once per process
    while the files stay the same (size and modification time); do not change the graph returned."""
    paths = list(paths)
    try:
        key = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    except OSError:
        return _load_shapes(paths)
    if key not in _SHAPES:
        _SHAPES[key] = _load_shapes(paths)
    return _SHAPES[key]


_SHAPES: dict[tuple, Graph] = {}


def _load_shapes(paths: list[Path]) -> Graph:
    shapes = bind_prefixes(Graph())
    for path in paths:
        try:
            shapes += load_graph(path)
        except BadGraph as exc:
            raise BadShapes(path, exc.message) from exc
    return shapes


ENGINES = ("auto", "pyshacl")


def check(data: Graph, shapes: list[Path] | None = None, profile: str = "all", *,
          per_policy: bool = False, engine: str = "auto") -> ValidationResult:
    """Check ``data`` against ``shapes`` (files), or the shape files of ``profile`` when ``shapes`` is None.

    One pySHACL run over the whole graph, or with ``per_policy`` one run per policy closure plus one for the
    nodes no policy reaches, reports merged (the same results; see the module docstring).
    """
    if isinstance(shapes, (str, Path)):
        raise TypeError("check(data, shapes, profile): shapes is a list of files; pass profile=... by keyword")
    files = list(shapes) if shapes is not None else profile_files(profile)
    shapes_graph = load_shapes(files)
    rows = result_rows(data, shapes_graph, files, per_policy, engine)
    ordered = sorted(rows, key=sort_key)
    conforms = not any(r.severity == "Violation" for r in ordered)
    return ValidationResult(conforms, tuple(ordered), merged_report(conforms, [rows[r] for r in ordered]),
                            frozenset(named_shapes(shapes_graph)))


def result_rows(data: Graph, shapes_graph: Graph, files: list[Path], per_policy: bool, engine: str = "auto",
                answers: tuple[list[str], dict[str, str], dict] | None = None,
                keep: Callable[[Shape, Node], bool] | None = None) -> dict[ResultRow, tuple[Graph, Node]]:
    """Each distinct result of validating ``data``, with the report graph and node it came from.

    ``engine``: "auto" runs the compiled engine (``kg.shacl.engine``) when it supports every shape (it always
    validates the whole graph at once, which gives the per-policy results: see the module docstring), else
    pySHACL; "pyshacl" always runs pySHACL. ``answers``: (queries, prefixes, out): the compiled engine also runs
    these SELECT queries over the data it loads and leaves their rows in ``out`` (by text); with pySHACL, ``out``
    stays empty. ``keep(shape, focus)``: the compiled engine evaluates a targeted shape only on the focus nodes it
    keeps (the caller drops the others' results anyway); pySHACL evaluates every one."""
    if engine not in ENGINES:
        raise UnknownName(engine, "unknown validation engine", hint=f"choose one of {', '.join(ENGINES)}")
    if engine == "auto":
        fast = _compiled_rows(data, shapes_graph, files, answers, keep)
        if fast is not None:
            return fast
    if not isinstance(data, Graph):  # a kg.shacl.engine.IndexGraph: pySHACL needs an rdflib Graph
        graph = Graph()
        for triple in data:
            graph.add(triple)
        data = graph
    runs = _chunks(data) if per_policy else [(data, None)]
    rows: dict[ResultRow, tuple[Graph, Node]] = {}
    for chunk, focus in runs:
        report = _run(chunk, shapes_graph, files, focus)
        for result in report.subjects(RDF.type, SH.ValidationResult):
            rows.setdefault(_row(report, result, shapes_graph), (report, result))
    return rows


def _compiled_rows(data: Graph, shapes_graph: Graph, files: list[Path],
                   answers: tuple[list[str], dict[str, str], dict] | None = None,
                   keep: Callable[[Shape, Node], bool] | None = None) -> dict[ResultRow, tuple[Graph, Node]] | None:
    """The results of the compiled engine, as pySHACL's report would give them; None when it cannot run the
    shapes."""
    from kg.shacl.engine import Unsupported, compile_shapes

    try:
        key = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
        engine = compile_shapes(shapes_graph, key=key)
    except (Unsupported, OSError):
        return None
    shapes_graph = engine.graph  # the graph the engine was compiled from (its blank nodes: paths, constraints)
    rows: dict[ResultRow, tuple[Graph, Node]] = {}
    paths: dict[Node, list[tuple[Node, Node, Node]]] = {}
    failures = engine.run(data, answers[0], answers[1], keep) if answers else engine.run(data, keep=keep)
    if answers:
        answers[2].update(engine.answers)
    for failure in failures:
        node = BNode()
        shape = failure.shape
        part = ReportPart([(node, RDF.type, SH.ValidationResult),
                           (node, SH.sourceConstraintComponent, failure.component),
                           (node, SH.sourceShape, shape.node), (node, SH.resultSeverity, shape.severity),
                           (node, SH.focusNode, failure.focus)])
        if failure.value is not None:
            part.append((node, SH.value, failure.value))
        if shape.path_node is not None:
            part.append((node, SH.resultPath, shape.path_node))
            if shape.path_node not in paths:
                paths[shape.path_node] = _copy(shapes_graph, shape.path_node)
            part += paths[shape.path_node]
        if failure.constraint is not None:
            part.append((node, SH.sourceConstraint, failure.constraint))
            part += _copy(shapes_graph, failure.constraint)
        if failure.messages is None:
            messages = list(shape.messages)
            message = str(messages[0])
        else:  # a SPARQL constraint: its messages and the shape's, {?var} filled in, as pySHACL writes them
            bound = {"this": failure.focus, "value": failure.value}
            messages = [Literal(_fill(str(m), bound)) for m in (*failure.messages, *shape.messages)]
            message = str(messages[0])
        part += [(node, SH.resultMessage, m) for m in messages]
        row = ResultRow(focus=failure.focus,
                        path="" if shape.path_node is None else path_text(shapes_graph, shape.path_node),
                        severity=SEVERITIES.get(shape.severity, "Violation"), message=message,
                        shape=_shape_name(shapes_graph, shape.node), value=failure.value, source_shape=shape.node)
        rows.setdefault(row, (part, node))  # type: ignore[arg-type]
    return rows


class ReportPart(list):
    """The triples of one result of the compiled engine: stands in for pySHACL's report graph in ``result_rows``
    (its ``cbd`` is itself), so the report is built once, in ``merged_report``."""

    def cbd(self, node: Node) -> ReportPart:
        return self


def _fill(message: str, bound: dict[str, Node | None]) -> str:
    for var, val in bound.items():
        if val is not None:
            message = re.sub("{[?$]" + var + "}", str(val), message)
    return message


def _copy(source: Graph, node: Node) -> list[tuple[Node, Node, Node]]:
    """The triples of the blank-node structure under ``node`` (a path, a constraint) in ``source``."""
    if not isinstance(node, BNode):
        return []
    out: list[tuple[Node, Node, Node]] = []
    for p, o in source.predicate_objects(node):
        out.append((node, p, o))
        out += _copy(source, o)
    return out


def named_shapes(shapes: Graph) -> set[URIRef]:
    return {s for cls in (SH.NodeShape, SH.PropertyShape) for s in shapes.subjects(RDF.type, cls)
            if isinstance(s, URIRef)}


def fails(result: ValidationResult, fail_on: str = "violation") -> bool:
    """The exit-code decision: violations always fail; warnings fail only with ``fail_on="warning"``."""
    if fail_on not in FAIL_ON:
        raise UnknownName(fail_on, "unknown fail-on level", hint="choose violation or warning")
    return any(r.severity in FAIL_ON[fail_on] for r in result.results)


@cache
def ontology_structure() -> Graph:
    """The ontology without its literal-valued triples (labels, definitions): what shapes need (class hierarchy,
    concept schemes, skos:broader) at half the size, since it is copied into every validated chunk."""
    out = Graph()
    for triple in ontology_graph():
        if not isinstance(triple[2], Literal):
            out.add(triple)
    return out


def _chunks(data: Graph) -> list[tuple[Graph, list[str] | None]]:
    """(graph, focus nodes) runs: each policy closure whole, then the nodes no policy reaches, validated in the
    context of the whole graph (so their links to policy nodes resolve) but only as focus nodes."""
    closures = list(policy_closures(data).values())
    covered = set().union(*(set(c) for c in closures)) if closures else set()
    rest = {str(s) for s, p, o in data if (s, p, o) not in covered and isinstance(s, URIRef)}
    return [(c, None) for c in closures] + ([(data, sorted(rest))] if rest else [])


def _run(chunk: Graph, shapes_graph: Graph, files: list[Path], focus_nodes: list[str] | None) -> Graph:
    import pyshacl  # imported here: a command that does not validate does not load it (about 20 MB)
    from pyshacl.errors import ReportableRuntimeError

    merged = Graph()
    merged += chunk
    merged += ontology_structure()
    try:
        _, report, _ = pyshacl.validate(merged, shacl_graph=shapes_graph, inference="none", advanced=True,
                                        meta_shacl=False, allow_warnings=True, allow_infos=True,
                                        focus_nodes=focus_nodes)
    except ReportableRuntimeError as exc:
        report = exc
    if isinstance(report, ReportableRuntimeError):  # pySHACL returns some failures instead of raising them
        where = files[0] if len(files) == 1 else ", ".join(p.name for p in files)
        raise BadShapes(where, f"pySHACL cannot use these shapes: {report.message}")
    return report


def _row(report: Graph, result: Node, shapes: Graph) -> ResultRow:
    source, focus = report.value(result, SH.sourceShape), report.value(result, SH.focusNode)
    assert source is not None and focus is not None  # every sh:ValidationResult has both
    path = report.value(result, SH.resultPath)
    return ResultRow(
        focus=focus,
        path="" if path is None else path_text(shapes if (path, None, None) in shapes else report, path),
        severity=SEVERITIES.get(report.value(result, SH.resultSeverity), "Violation"),
        message=str(report.value(result, SH.resultMessage) or ""),
        shape=_shape_name(shapes, source),
        value=report.value(result, SH.value),
        source_shape=source,
    )


def sort_key(r: ResultRow) -> tuple:
    return SEVERITY_ORDER.index(r.severity), str(r.focus), r.shape, r.path, r.message, str(r.value)


def _shape_name(shapes: Graph, shape: Node | None) -> str:
    if shape is None:
        return ""
    name = shapes.value(shape, SH.name)
    if name is not None:
        return str(name)
    return short_name(shape) if isinstance(shape, URIRef) else ""


def path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path (as stored in ``graph``) written as a SPARQL property path."""
    if isinstance(path, URIRef):
        return short_name(path)
    if (path, RDF.first, None) in graph:
        return "/".join(_grouped(graph, p) for p in Collection(graph, path))
    for prop, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                           (SH.zeroOrOnePath, "{}?")):
        inner = graph.value(path, prop)
        if inner is not None:
            return template.format(_grouped(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_grouped(graph, p) for p in Collection(graph, alternatives))
    return str(path)


def _grouped(graph: Graph, path: Node) -> str:
    text = path_text(graph, path)
    compound = (path, RDF.first, None) in graph or (path, SH.alternativePath, None) in graph
    return f"({text})" if compound else text


def merged_report(conforms: bool, results: list[tuple[Graph, Node]]) -> Graph:
    out = bind_prefixes(Graph())
    out.bind("sh", SH)
    report = BNode()
    out.add((report, RDF.type, SH.ValidationReport))
    out.add((report, SH.conforms, Literal(conforms)))
    for source, result in results:
        out.add((report, SH.result, result))
        out += source.cbd(result)
    return out



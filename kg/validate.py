"""Validate stage: run the SHACL shapes of a profile with pySHACL and report the results readably.

The ontology with the concept schemes (minus its labels and definitions) is merged into a copy of each data chunk
before validation: pySHACL runs with inference "none" and needs the class hierarchy and the taxonomy for
``sh:class``, ``skos:inScheme`` and ``skos:broader*``.

The shapes use SHACL Core only, so one pySHACL run over the whole graph is linear in its size (measured: 15k
triples 1.9 s, 61k triples 7.5 s) and is the default. ``validate_per_policy`` runs one policy closure at a time
(``kg.graphio.policy_closures``) plus the triples no policy reaches and merges the reports, results of shared
nodes once: the same results, one policy per pySHACL run, at a fixed cost per policy (about 0.1 s).

Exit-code contract (the CLI's): 0 conforms, 1 violations (or warnings with ``fail_on="warning"``), 2 error;
``fails`` makes the 0/1 decision.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, RDFS, SH
from rdflib.term import Node

from kg.errors import BadGraph, BadShapes, UnknownName
from kg.graphio import load_graph, ontology_graph, policy_closures, short_name
from kg.resources import data_dir
from kg.vocab import DPV, PPKG, bind_prefixes

PROFILES = ("core", "gdpr", "ccpa", "all")
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
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
    """Parse shape files into one graph; a missing or unparsable file is ``BadShapes``."""
    shapes = bind_prefixes(Graph())
    for path in paths:
        try:
            shapes += load_graph(path)
        except BadGraph as exc:
            raise BadShapes(path, exc.message) from exc
    return shapes


def validate(data: Graph, shapes: list[Path] | None = None, profile: str = "all", *,
             per_policy: bool = False) -> ValidationResult:
    """Check ``data`` against ``shapes`` (files), or the shape files of ``profile`` when ``shapes`` is None.

    One pySHACL run over the whole graph, or with ``per_policy`` one run per policy closure plus one for the
    nodes no policy reaches, reports merged (the same results; see the module docstring).
    """
    if isinstance(shapes, (str, Path)):
        raise TypeError("validate(data, shapes, profile): shapes is a list of files; pass profile=... by keyword")
    files = list(shapes) if shapes is not None else profile_files(profile)
    shapes_graph = load_shapes(files)
    runs = _chunks(data) if per_policy else [(data, None)]
    rows: dict[ResultRow, tuple[Graph, Node]] = {}
    for chunk, focus in runs:
        report = _run(chunk, shapes_graph, files, focus)
        for result in report.subjects(RDF.type, SH.ValidationResult):
            rows.setdefault(_row(report, result, shapes_graph), (report, result))
    ordered = sorted(rows, key=_sort_key)
    conforms = not any(r.severity == "Violation" for r in ordered)
    return ValidationResult(conforms, tuple(ordered), _merged_report(conforms, [rows[r] for r in ordered]))


def validate_per_policy(data: Graph, profile: str = "all") -> ValidationResult:
    """``validate`` one policy closure per pySHACL run (the same results as one run over the whole graph)."""
    return validate(data, profile=profile, per_policy=True)


def fails(result: ValidationResult, fail_on: str = "violation") -> bool:
    """The exit-code decision: violations always fail; warnings fail only with ``fail_on="warning"``."""
    if fail_on not in FAIL_ON:
        raise UnknownName(fail_on, "unknown fail-on level", hint="choose violation or warning")
    return any(r.severity in FAIL_ON[fail_on] for r in result.results)


@cache
def _ontology_structure() -> Graph:
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
    merged = Graph()
    merged += chunk
    merged += _ontology_structure()
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
    source = report.value(result, SH.sourceShape)
    path = report.value(result, SH.resultPath)
    return ResultRow(
        focus=report.value(result, SH.focusNode),
        path="" if path is None else path_text(shapes if (path, None, None) in shapes else report, path),
        severity=SEVERITIES.get(report.value(result, SH.resultSeverity), "Violation"),
        message=str(report.value(result, SH.resultMessage) or ""),
        shape=_shape_name(shapes, source),
        value=report.value(result, SH.value),
        source_shape=source,
    )


def _sort_key(r: ResultRow) -> tuple:
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


def _merged_report(conforms: bool, results: list[tuple[Graph, Node]]) -> Graph:
    out = bind_prefixes(Graph())
    out.bind("sh", SH)
    report = BNode()
    out.add((report, RDF.type, SH.ValidationReport))
    out.add((report, SH.conforms, Literal(conforms)))
    for source, result in results:
        out.add((report, SH.result, result))
        out += source.cbd(result)
    return out


# -- labels and renderers -----------------------------------------------------------------------------------
def node_labels(data: Graph) -> dict[Node, str]:
    """A readable group label for every node of every policy closure: "Acme Inc. (acme.txt)".

    Nodes several policies share (controllers, named recipients) are labelled by their own name instead.
    """
    labels: dict[Node, str] = {}
    shared: set[Node] = set()
    for policy, closure in policy_closures(data).items():
        publisher = data.value(policy, DCTERMS.publisher)
        name = data.value(publisher, DPV.hasName) if publisher is not None else None
        label = f"{name or '(no controller)'} ({data.value(policy, PPKG.sourceFile) or policy})"
        for node in set(closure.subjects()):
            if labels.setdefault(node, label) != label:
                shared.add(node)
    for node in shared:
        own = data.value(node, DPV.hasName) or data.value(node, RDFS.label)
        labels[node] = f"{own or short_name(node)} (shared)"
    return labels


def _group(result: ValidationResult, labels: Mapping[Node, str] | None) -> dict[str, list[ResultRow]]:
    groups: dict[str, list[ResultRow]] = {}
    for r in result.results:
        key = (labels or {}).get(r.focus) or short_name(r.focus)
        groups.setdefault(key, []).append(r)
    return dict(sorted(groups.items()))


def _summary(result: ValidationResult) -> str:
    c = result.counts
    return (("conforms" if result.conforms else "does not conform") +
            f": {c['Violation']} violations, {c['Warning']} warnings, {c['Info']} infos")


def to_text(result: ValidationResult, labels: Mapping[Node, str] | None = None) -> str:
    """Plain text grouped by policy (``labels`` from ``node_labels(data)``; without them, by focus node)."""
    lines = [_summary(result)]
    for group, rows in _group(result, labels).items():
        lines.append(f"\n{group}")
        for r in rows:
            where = " ".join(x for x in (short_name(r.focus), f"[{r.path}]" if r.path else "",
                                         f"value {short_name(r.value)}" if r.value is not None else "") if x)
            lines.append(f"  {r.severity:<9} {r.shape}: {r.message}\n            {where}")
    return "\n".join(lines) + "\n"


def to_markdown(result: ValidationResult, labels: Mapping[Node, str] | None = None) -> str:
    """A Markdown table per group (policy), one row per result."""
    lines = [f"**{_summary(result).capitalize()}**"]

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    for group, rows in _group(result, labels).items():
        lines += ["", f"### {cell(group)}", "", "| severity | shape | focus | path | message |",
                  "|---|---|---|---|---|"]
        for r in rows:
            lines.append("| " + " | ".join(cell(x) for x in (
                r.severity, r.shape, f"`{short_name(r.focus)}`", f"`{r.path}`" if r.path else "", r.message)) + " |")
    return "\n".join(lines) + "\n"


def to_turtle(result: ValidationResult) -> str:
    """The merged sh:ValidationReport as Turtle."""
    return result.report_graph.serialize(format="turtle")


RENDERERS = {"text": to_text, "markdown": to_markdown, "turtle": to_turtle}

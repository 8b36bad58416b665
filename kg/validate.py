"""Validate stage: run the SHACL shapes of a profile with pySHACL and report the results readably.

The ontology (with the concept schemes) is merged into a copy of the data graph before validation, as pySHACL
needs the taxonomy to check ``skos:inScheme`` and ``skos:broader*`` paths (see
../shared/design/ontology-alignment.md section 4). Exit-code policy lives in ``fails``.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

from kg.errors import BadShapes, UnknownName
from kg.graphio import ontology_graph
from kg.resources import shape_files
from kg.vocab import DPV, PPKG, bind_prefixes

PROFILES = ("core", "gdpr", "ccpa")
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class ResultRow:
    focus: URIRef
    path: str  # the property path as written in the shapes (prefixed), or "" for node-level results
    severity: str  # "Violation" | "Warning" | "Info"
    message: str
    requirement: str  # sh:name of the shape that failed ("13(1)(a) controller identity"), or its IRI
    shape: str


@dataclass(frozen=True)
class ValidationResult:
    profile: str
    conforms: bool  # no Violation (warnings alone conform)
    results: tuple[ResultRow, ...]
    report: Graph
    labels: dict  # focus node -> readable label ("CubeSoft Communications Inc. (cubesoft.txt)")

    @property
    def counts(self) -> Counter:
        return Counter(r.severity for r in self.results)


def profile_files(profile: str) -> list[Path]:
    if profile == "all":
        return shape_files()
    if profile not in PROFILES:
        raise UnknownName(profile, "unknown validation profile", hint=f"choose one of {', '.join(PROFILES)}, all")
    return [p for p in shape_files() if p.stem == profile]


def load_shapes(paths: list[Path]) -> Graph:
    shapes = bind_prefixes(Graph())
    for path in paths:
        try:
            shapes.parse(path, format="turtle")
        except Exception as exc:
            raise BadShapes(path, f"cannot parse shapes: {exc}") from exc
    return shapes


def validate(data: Graph, profile: str = "all", shapes: list[Path] | None = None) -> ValidationResult:
    shapes_graph = load_shapes(shapes if shapes is not None else profile_files(profile))
    merged = bind_prefixes(Graph())
    merged += data
    merged += ontology_graph()
    _, report, _ = pyshacl.validate(merged, shacl_graph=shapes_graph, inference="none", advanced=True,
                                    allow_warnings=True, meta_shacl=False)
    nm = bind_prefixes(Graph()).namespace_manager
    rows = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        source = report.value(result, SH.sourceShape)
        path = report.value(result, SH.resultPath)
        name = shapes_graph.value(source, SH.name) if source is not None else None
        rows.append(ResultRow(
            focus=report.value(result, SH.focusNode),
            path=_path_text(shapes_graph, path, nm) if path is not None else "",
            severity=SEVERITIES.get(report.value(result, SH.resultSeverity), "Violation"),
            message=str(report.value(result, SH.resultMessage) or ""),
            requirement=str(name) if name else (source.n3(nm) if isinstance(source, URIRef) else ""),
            shape=source.n3(nm) if isinstance(source, URIRef) else "",
        ))
    rows.sort(key=lambda r: (str(r.focus), r.severity, r.requirement, r.message))
    return ValidationResult(profile, not any(r.severity == "Violation" for r in rows), tuple(rows),
                            bind_prefixes(report), _labels(data))


def fails(result: ValidationResult, fail_on: str = "violation") -> bool:
    """The exit-code decision: violations always fail; warnings fail only with ``fail_on="warning"``."""
    if fail_on == "warning":
        return any(r.severity in ("Violation", "Warning") for r in result.results)
    return not result.conforms


def _path_text(shapes: Graph, path, nm) -> str:
    if isinstance(path, URIRef):
        return path.n3(nm)
    # a sequence or alternative path in the report is a copy of the shape's blank-node list
    items = list(shapes.items(path)) if (path, RDF.first, None) in shapes else []
    if items:
        return " / ".join(_path_text(shapes, i, nm) for i in items)
    alt = shapes.value(path, SH.alternativePath)
    if alt is not None:
        return "(" + " | ".join(_path_text(shapes, i, nm) for i in shapes.items(alt)) + ")"
    return "(path)"


def _labels(data: Graph) -> dict:
    labels = {}
    for policy in data.subjects(RDF.type, PPKG.PrivacyPolicy):
        publisher = data.value(policy, DCTERMS.publisher)
        name = data.value(publisher, DPV.hasName) if publisher is not None else None
        source = data.value(policy, PPKG.sourceFile)
        labels[policy] = f"{name or '(no controller)'} ({source})"
    return labels


# -- renderers -----------------------------------------------------------------------------------------------
def to_text(result: ValidationResult) -> str:
    head = (f"profile {result.profile}: " + ("conforms" if result.conforms else "does not conform") +
            f" ({result.counts['Violation']} violations, {result.counts['Warning']} warnings, "
            f"{result.counts['Info']} info)")
    lines = [head]
    current = None
    for r in result.results:
        label = result.labels.get(r.focus, str(r.focus))
        if label != current:
            lines.append(f"\n{label}")
            current = label
        where = f" [{r.path}]" if r.path else ""
        lines.append(f"  {r.severity:9} {r.requirement}{where}: {r.message}")
    return "\n".join(lines) + "\n"


def to_markdown(result: ValidationResult) -> str:
    lines = [f"# Validation: profile `{result.profile}`", "",
             f"**{'Conforms' if result.conforms else 'Does not conform'}**: {result.counts['Violation']} "
             f"violations, {result.counts['Warning']} warnings, {result.counts['Info']} info.", "",
             "| focus | severity | requirement | path | message |", "|---|---|---|---|---|"]
    for r in result.results:
        cells = [result.labels.get(r.focus, f"`{r.focus}`"), r.severity, r.requirement, f"`{r.path}`" if r.path
                 else "", r.message]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def to_turtle(result: ValidationResult) -> str:
    return result.report.serialize(format="turtle")


RENDERERS = {"text": to_text, "markdown": to_markdown, "turtle": to_turtle}

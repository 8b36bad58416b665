"""Validation results for people: plain text and Markdown grouped by policy, the requirement matrices as tables,
and the sh:ValidationReport as Turtle."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass

from rdflib import URIRef
from rdflib.term import Node

from kg.errors import UnknownName
from kg.graphio import short_name
from kg.shacl.matrix import MATRIX_TITLES, MET, MISSING, NOT_APPLICABLE, SYMBOLS, Cell, Matrix
from kg.shacl.run import ResultRow, ValidationResult


def _group(result: ValidationResult, labels: Mapping[Node, str] | None) -> dict[str, list[ResultRow]]:
    groups: dict[str, list[ResultRow]] = {}
    for r in result.results:
        key = (labels or {}).get(r.focus) or short_name(r.focus)
        groups.setdefault(key, []).append(r)
    return dict(sorted(groups.items()))


@dataclass(frozen=True)
class Finding:
    """The results of one shape (requirement) on one policy, as one line: its focus nodes, paths and values."""

    severity: str
    shape: str
    message: str
    focus: tuple[Node, ...]
    paths: tuple[str, ...]
    values: tuple[Node, ...]


def findings(rows: list[ResultRow]) -> list[Finding]:
    """``rows`` (one policy's) grouped by shape and severity, in their order: one finding per requirement. When
    the results' messages differ only by their values ("... covers category pd:Email"), the message leaves the
    value out and the finding lists the values."""
    groups: dict[tuple[str, Node], list[ResultRow]] = {}
    for r in rows:
        groups.setdefault((r.severity, r.source_shape), []).append(r)
    out = []
    for (severity, _), group in groups.items():
        messages = list(dict.fromkeys(r.message for r in group))
        message = messages[0]
        if len(messages) > 1:
            first = group[0]
            message = message.replace(str(first.value), "").rstrip(" :") if first.value is not None else message
        out.append(Finding(severity, group[0].shape, message, tuple(dict.fromkeys(r.focus for r in group)),
                           tuple(dict.fromkeys(r.path for r in group if r.path)),
                           tuple(dict.fromkeys(r.value for r in group if r.value is not None))))
    return out


def _summary(result: ValidationResult, labels: Mapping[Node, str] | None = None) -> str:
    c = result.counts
    n = sum(len(findings(rows)) for rows in _group(result, labels).values())
    return (("conforms" if result.conforms else "does not conform") +
            f": {c['Violation']} violations, {c['Warning']} warnings, {c['Info']} infos"
            + (f" ({n} findings: one per requirement and policy)" if n != len(result.results) else ""))


def _where(f: Finding) -> str:
    return " ".join(x for x in (", ".join(short_name(n) for n in f.focus),
                                " ".join(f"[{p}]" for p in f.paths),
                                (("value " if len(f.values) == 1 else f"{len(f.values)} values: ")
                                 + ", ".join(short_name(v) for v in f.values)) if f.values else "") if x)


def to_text(result: ValidationResult, labels: Mapping[Node, str] | None = None) -> str:
    """Plain text grouped by policy (``labels`` from ``node_labels(data)``; without them, by focus node), one
    finding per requirement (shape) and policy with all its focus nodes and values."""
    lines = [_summary(result, labels)]
    for group, rows in _group(result, labels).items():
        lines.append(f"\n{group}")
        for f in findings(rows):
            lines.append(f"  {f.severity:<9} {f.shape}: {f.message}\n            {_where(f)}")
    return "\n".join(lines) + "\n"


def to_markdown(result: ValidationResult, labels: Mapping[Node, str] | None = None) -> str:
    """A Markdown table per group (policy), one row per finding (requirement)."""
    lines = [f"**{_summary(result, labels).capitalize()}**"]
    for group, rows in _group(result, labels).items():
        lines += ["", f"### {_md(group)}", "", "| severity | shape | focus | path | message |",
                  "|---|---|---|---|---|"]
        for f in findings(rows):
            values = (" (" + ", ".join(f"`{short_name(v)}`" for v in f.values) + ")") if len(f.values) > 1 else ""
            lines.append("| " + " | ".join(_md(x) for x in (
                f.severity, f.shape, ", ".join(f"`{short_name(n)}`" for n in f.focus),
                ", ".join(f"`{p}`" for p in f.paths), f.message + values)) + " |")
    return "\n".join(lines) + "\n"


def to_turtle(result: ValidationResult, labels: Mapping[Node, str] | None = None) -> str:
    """The merged sh:ValidationReport as Turtle (``labels`` are not written: the report names its nodes)."""
    return result.report_graph.serialize(format="turtle")


RENDERERS: dict[str, Callable[[ValidationResult, Mapping[Node, str] | None], str]] = {
    "text": to_text, "markdown": to_markdown, "turtle": to_turtle}


def matrix_to_text(m: Matrix) -> str:
    """A compact table: rows companies, columns requirements (numbered; legend below), ✓ met, ✗ missing, – n.a."""
    width = max([len(m.labels[p]) for p in m.policies] + [7])
    cols = [str(i) for i in range(1, len(m.requirements) + 1)]
    lines = [f"{MATRIX_TITLES[m.profile]}: ✓ met, ✗ missing, – not applicable "
             f"({m.counts[MET]} met, {m.counts[MISSING]} missing, {m.counts[NOT_APPLICABLE]} not applicable)",
             " " * width + "  " + " ".join(f"{c:>2}" for c in cols)]
    for p in m.policies:
        lines.append(f"{m.labels[p]:<{width}}  " + " ".join(
            f"{SYMBOLS[m.cells[(p, r.shape)].status]:>2}" for r in m.requirements))
    lines.append("")
    for c, r in zip(cols, m.requirements):
        lines.append(f"{c:>3}  {r.name}  ({r.severity} if missing)")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def matrix_to_markdown(m: Matrix) -> str:
    """A Markdown table (✓ / ✗ / –), then per company what each ✗ lacks (shape, focus, path) and, folded,
    the facts behind each ✓ (node and evidence sentence)."""
    lines = [f"### {MATRIX_TITLES[m.profile]}", "",
             "| company | " + " | ".join(_md(r.name) for r in m.requirements) + " |",
             "|---|" + "---|" * len(m.requirements)]
    for p in m.policies:
        lines.append(f"| {_md(m.labels[p])} | " + " | ".join(
            SYMBOLS[m.cells[(p, r.shape)].status] for r in m.requirements) + " |")
    lines += ["", "✓ met, ✗ missing, – not applicable (the condition of the requirement does not hold, or the "
                  "profile is not due for the policy's jurisdiction)."]
    for p in m.policies:
        missing = [(r, m.cells[(p, r.shape)]) for r in m.requirements if m.cells[(p, r.shape)].status == MISSING]
        met = [(r, m.cells[(p, r.shape)]) for r in m.requirements if m.cells[(p, r.shape)].status == MET]
        lines += ["", f"#### {_md(m.labels[p])}", ""]
        for r, cell in missing:
            for f in findings(list(cell.results)):
                values = (", value" + ("s " if len(f.values) > 1 else " ") +
                          ", ".join(f"`{short_name(v)}`" for v in f.values)) if f.values else ""
                lines.append(f"- ✗ **{_md(r.name)}** ({f.severity}): shape `{short_name(r.shape)}`, focus "
                             + ", ".join(f"`{short_name(n)}`" for n in f.focus)
                             + ", path " + ", ".join(f"`{p}`" for p in f.paths) + values)
        if met:
            lines += ["", "<details><summary>evidence for the met requirements</summary>", ""]
            for r, cell in met:
                facts = "; ".join(f"`{short_name(f.node)}`" + (f" “{_md(f.quote)}”" if f.quote else "")
                                  for f in cell.facts) or "(no fact found by the evidence query)"
                lines.append(f"- ✓ **{_md(r.name)}**: {facts}")
            lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def applied_line(applied: Mapping[str, tuple[int, int]]) -> str:
    """"profiles applied: core to 5 of 5 policies, gdpr to 2 of 5 (in scope), ccpa to 2 of 5 (in scope)"."""
    parts = [f"{p} to {n} of {total} {'policy' if total == 1 else 'policies'}" + (" (in scope)" if n < total else "")
             for p, (n, total) in applied.items()]
    return "profiles applied: " + ", ".join(parts)


def _names(nodes: Iterable[Node]) -> list[str]:
    return [short_name(n) for n in nodes]


def matrices_to_csv(tables: list[Matrix]) -> str:
    """The matrices as CSV, one row per profile, policy and requirement: its status ("met", "missing", "not
    applicable"), the severity of a missing cell, the facts behind a met cell and the values a missing one lacks
    (short names, separated by spaces)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["profile", "policy", "company", "requirement", "shape", "status", "severity", "facts",
                     "values"])
    for m in tables:
        for p in m.policies:
            for r in m.requirements:
                cell = m.cells[(p, r.shape)]
                writer.writerow([m.profile, str(p), m.labels[p], r.name, str(r.shape), cell.status,
                                 r.severity if cell.status == MISSING else "",
                                 " ".join(_names(f.node for f in cell.facts)),
                                 " ".join(_names(dict.fromkeys(x.value for x in cell.results if x.value is not None)))])
    return out.getvalue()


def to_json(result: ValidationResult, tables: list[Matrix], labels: Mapping[Node, str],
            applied: Mapping[str, tuple[int, int]] | None = None) -> str:
    """One JSON document: conformance, counts, the profiles applied (policies, of all), the matrices (every cell
    with its facts and evidence sentences, or the findings that make it missing) and the findings by policy."""
    def finding(f: Finding) -> dict:
        return {"severity": f.severity, "shape": f.shape, "message": f.message, "focus": _names(f.focus),
                "paths": list(f.paths), "values": _names(f.values)}

    doc = {
        "conforms": result.conforms, "counts": result.counts,
        "applied": {p: {"policies": n, "of": total} for p, (n, total) in (applied or {}).items()},
        "matrices": [{
            "profile": m.profile, "title": MATRIX_TITLES[m.profile], "counts": m.counts,
            "requirements": [{"name": r.name, "shape": short_name(r.shape), "severity": r.severity,
                              "comment": r.comment} for r in m.requirements],
            "policies": [{"policy": str(p), "company": m.labels[p], **_jurisdiction(m, p), "cells": {
                r.name: {"status": m.cells[(p, r.shape)].status, **_reason(m.cells[(p, r.shape)]),
                         "facts": [{"node": short_name(f.node), "quote": f.quote} for f in m.cells[(p, r.shape)].facts],
                         "findings": [finding(f) for f in findings(list(m.cells[(p, r.shape)].results))]}
                for r in m.requirements}} for p in m.policies]} for m in tables],
        "findings": [{"policy": group, "findings": [finding(f) for f in findings(rows)]}
                     for group, rows in _group(result, labels).items()],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _jurisdiction(m: Matrix, policy: URIRef) -> dict:
    """A policy's scope in the JSON matrix: its places, where they come from and why (``kg.jurisdiction``)."""
    scope = m.jurisdictions.get(policy)
    if scope is None:
        return {}
    return {"jurisdiction": {"locations": list(scope.locations), "source": scope.source,
                             "profiles": sorted(scope.profiles), "description": scope.describe(),
                             "reasons": [asdict(r) for r in scope.reasons]}}


def _reason(cell: Cell) -> dict:
    """Why a not-applicable cell is: "not due" (the profile, by the policy's jurisdiction) or "condition"."""
    return {"reason": cell.reason} if cell.reason else {}


FORMATS = (*RENDERERS, "csv", "json")  # what ``render`` writes: ``validate --format``


def render(result: ValidationResult, tables: list[Matrix], labels: Mapping[Node, str], fmt: str = "text",
           applied: Mapping[str, tuple[int, int]] | None = None) -> str:
    """What ``privacy-kg validate`` prints: for text and Markdown the requirement matrices ``tables`` first (gdpr,
    ccpa), then the results grouped by policy (``labels``), then on how many policies each profile was applied
    (``applied``); for turtle the sh:ValidationReport alone; for csv the matrices alone (``matrices_to_csv``); for
    json everything (``to_json``)."""
    if fmt == "turtle":
        return to_turtle(result)
    if fmt == "csv":
        return matrices_to_csv(tables)
    if fmt == "json":
        return to_json(result, tables, labels, applied)
    if fmt not in RENDERERS:
        raise UnknownName(fmt, "unknown report format", hint=f"choose one of {', '.join(FORMATS)}")
    texts = [matrix_to_text(m) if fmt == "text" else matrix_to_markdown(m) for m in tables]
    details = RENDERERS[fmt](result, labels)
    if fmt == "markdown" and texts:
        details = "### Results\n\n" + details
    footer = [applied_line(applied) + "\n"] if applied else []
    scopes = jurisdiction_lines(tables, fmt)
    return "\n".join(texts + [details] + footer + ([scopes] if scopes else []))


def jurisdiction_lines(tables: list[Matrix], fmt: str) -> str:
    """Each policy's jurisdiction and why (``kg.jurisdiction.Scope.describe``), once per policy, after the
    profiles applied: what decides which requirements are due."""
    seen: dict[URIRef, tuple[str, str]] = {}
    for m in tables:
        for p, scope in m.jurisdictions.items():
            seen.setdefault(p, (m.labels[p], scope.describe()))
    if not seen:
        return ""
    rows = sorted(seen.values())  # by company, whatever order the policies were read in (a store, a file)
    if fmt == "markdown":
        return "\n".join(["### Jurisdictions", ""] + [f"- **{_md(name)}**: {_md(why)}"
                                                       for name, why in rows]) + "\n"
    return "\n".join(["jurisdictions:"] + [f"  {name}: {why}" for name, why in rows]) + "\n"

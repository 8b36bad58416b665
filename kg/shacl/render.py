"""Validation results for people: plain text and Markdown grouped by policy, the requirement matrices as tables,
and the sh:ValidationReport as Turtle."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from rdflib.term import Node

from kg.errors import UnknownName
from kg.graphio import short_name
from kg.shacl.matrix import MATRIX_TITLES, MET, MISSING, NOT_APPLICABLE, SYMBOLS, Matrix
from kg.shacl.run import ResultRow, ValidationResult


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
    for group, rows in _group(result, labels).items():
        lines += ["", f"### {_md(group)}", "", "| severity | shape | focus | path | message |",
                  "|---|---|---|---|---|"]
        for r in rows:
            lines.append("| " + " | ".join(_md(x) for x in (
                r.severity, r.shape, f"`{short_name(r.focus)}`", f"`{r.path}`" if r.path else "", r.message)) + " |")
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
    lines += ["", "✓ met, ✗ missing, – not applicable (the condition of the requirement does not hold)."]
    for p in m.policies:
        missing = [(r, m.cells[(p, r.shape)]) for r in m.requirements if m.cells[(p, r.shape)].status == MISSING]
        met = [(r, m.cells[(p, r.shape)]) for r in m.requirements if m.cells[(p, r.shape)].status == MET]
        lines += ["", f"#### {_md(m.labels[p])}", ""]
        for r, cell in missing:
            for row in cell.results:
                value = f", value `{short_name(row.value)}`" if row.value is not None else ""
                lines.append(f"- ✗ **{_md(r.name)}** ({row.severity}): shape `{short_name(r.shape)}`, focus "
                             f"`{short_name(row.focus)}`, path `{row.path}`{value}")
        if met:
            lines += ["", "<details><summary>evidence for the met requirements</summary>", ""]
            for r, cell in met:
                facts = "; ".join(f"`{short_name(f.node)}`" + (f" “{_md(f.quote)}”" if f.quote else "")
                                  for f in cell.facts) or "(no fact found by the evidence query)"
                lines.append(f"- ✓ **{_md(r.name)}**: {facts}")
            lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def render(result: ValidationResult, tables: list[Matrix], labels: Mapping[Node, str], fmt: str = "text") -> str:
    """What ``privacy-kg validate`` prints: for text and Markdown the requirement matrices ``tables`` first (gdpr,
    ccpa), then the results grouped by policy (``labels``); for turtle the sh:ValidationReport alone."""
    if fmt == "turtle":
        return to_turtle(result)
    if fmt not in RENDERERS:
        raise UnknownName(fmt, "unknown report format", hint=f"choose one of {', '.join(RENDERERS)}")
    texts = [matrix_to_text(m) if fmt == "text" else matrix_to_markdown(m) for m in tables]
    details = RENDERERS[fmt](result, labels)
    if fmt == "markdown" and texts:
        details = "### Results\n\n" + details
    return "\n".join(texts + [details])

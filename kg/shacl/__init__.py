"""Validate stage: run the SHACL shapes of a profile with pySHACL and report the results readably.

The ontology with the concept schemes (minus its labels and definitions) is merged into a copy of each data chunk
before validation: pySHACL runs with inference "none" and needs the class hierarchy and the taxonomy for
``sh:class``, ``skos:inScheme`` and ``skos:broader*``.

The shapes use SHACL Core, except SHACL-AF SPARQL targets (evaluated once per run) for the conditional GDPR
requirements and one SPARQL constraint on the policy node (CCPA retention per category). pySHACL evaluates that
constraint once per policy, but rdflib runs it against the whole data graph, so one pySHACL run over a large graph
grows faster than linearly (benchmarks/validation.py, BENCHMARKS.md "Validation cost"). ``validate_per_policy``
runs one policy closure at a time (``kg.graphio.policy_closures``) plus the triples no policy reaches and merges
the reports, results of shared nodes once: the same results at a fixed cost per policy (about 0.6 s with every
profile), which is the linear path for large graphs.

The companies x requirements matrix (``matrix``, ``matrices``, rendered first by ``render_report``) is built from
a ``ValidationResult`` and the requirement shapes' ``kgsh:evidenceQuery`` annotations; see the section below.

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
from kg.vocab import DPV, OA, PPKG, PREFIXES, SHAPES, bind_prefixes

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
    rows = _result_rows(data, shapes_graph, files, per_policy)
    ordered = sorted(rows, key=_sort_key)
    conforms = not any(r.severity == "Violation" for r in ordered)
    return ValidationResult(conforms, tuple(ordered), _merged_report(conforms, [rows[r] for r in ordered]),
                            frozenset(_named_shapes(shapes_graph)))


def _result_rows(data: Graph, shapes_graph: Graph, files: list[Path], per_policy: bool
                 ) -> dict[ResultRow, tuple[Graph, Node]]:
    """Each distinct result of validating ``data``, with the report graph and node it came from."""
    runs = _chunks(data) if per_policy else [(data, None)]
    rows: dict[ResultRow, tuple[Graph, Node]] = {}
    for chunk, focus in runs:
        report = _run(chunk, shapes_graph, files, focus)
        for result in report.subjects(RDF.type, SH.ValidationResult):
            rows.setdefault(_row(report, result, shapes_graph), (report, result))
    return rows


def _named_shapes(shapes: Graph) -> set[URIRef]:
    return {s for cls in (SH.NodeShape, SH.PropertyShape) for s in shapes.subjects(RDF.type, cls)
            if isinstance(s, URIRef)}


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


# -- the companies x requirements matrix ----------------------------------------------------------------------
# A requirement is a named shape of the gdpr or ccpa profile that carries kgsh:evidenceQuery: its sh:name is the
# column, sh:order the column order. A cell is
#   "missing"        the shape reported a result on the policy (the cell keeps those ResultRows: shape, focus, path);
#   "not applicable" the shape has a SPARQL target (its condition: consent basis, transfer, legitimate interest)
#                    that does not select the policy;
#   "met"            otherwise; the cell keeps the facts the shape's kgsh:evidenceQuery finds for the policy, each
#                    with the evidence sentence of that policy.
MATRIX_PROFILES = ("gdpr", "ccpa")
MATRIX_TITLES = {"gdpr": "GDPR Art. 13", "ccpa": "CCPA notice at collection and rights"}
MET, MISSING, NOT_APPLICABLE = "met", "missing", "not applicable"
SYMBOLS = {MET: "✓", MISSING: "✗", NOT_APPLICABLE: "–"}
EVIDENCE_QUERY = SHAPES.evidenceQuery


@dataclass(frozen=True)
class Requirement:
    """One column of a matrix: a named shape with its SPARQL for the facts that satisfy it."""

    shape: URIRef
    name: str  # sh:name, the column label
    severity: str  # of a missing cell
    message: str
    comment: str  # rdfs:comment: the article and the severity reasoning
    evidence_query: str  # SELECT ?this ?fact: the facts that satisfy it, per policy
    condition_query: str | None  # SELECT ?this of the SPARQL target; None: applies to every policy


@dataclass(frozen=True)
class Fact:
    """A fact behind a "met" cell: a node of the graph (statement, controller, contact point) and its evidence in
    the policy (the sentence, or "" for nodes without their own evidence, such as a privacy contact)."""

    node: Node
    evidence: Node | None
    quote: str


@dataclass(frozen=True)
class Cell:
    status: str  # MET | MISSING | NOT_APPLICABLE
    facts: tuple[Fact, ...] = ()  # met: what satisfied the requirement
    results: tuple[ResultRow, ...] = ()  # missing: the results (shape, focus node, path, value)


@dataclass(frozen=True)
class Matrix:
    profile: str
    requirements: tuple[Requirement, ...]
    policies: tuple[URIRef, ...]  # rows, sorted by label
    labels: Mapping[Node, str]  # row label of each policy: "Acme Inc. (acme.txt)"
    cells: Mapping[tuple[URIRef, URIRef], Cell]  # (policy, requirement shape) -> cell

    def cell(self, policy: URIRef, requirement: str | URIRef) -> Cell:
        """The cell of a policy and a requirement (by sh:name or shape IRI)."""
        for r in self.requirements:
            if requirement in (r.name, r.shape):
                return self.cells[(policy, r.shape)]
        raise KeyError(requirement)

    def row(self, policy: URIRef) -> dict[str, str]:
        """sh:name -> status for one policy."""
        return {r.name: self.cells[(policy, r.shape)].status for r in self.requirements}

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(cell.status for cell in self.cells.values())
        return {s: c[s] for s in (MET, MISSING, NOT_APPLICABLE)}


def requirements(profile: str, shapes: list[Path] | None = None) -> tuple[Requirement, ...]:
    """The matrix columns of ``profile`` (gdpr or ccpa): its shapes with ``kgsh:evidenceQuery``, by sh:order."""
    if profile not in MATRIX_PROFILES:
        raise UnknownName(profile, "no requirements matrix for this profile",
                          hint=f"choose one of {', '.join(MATRIX_PROFILES)}")
    g = load_shapes(shapes if shapes is not None else profile_files(profile))
    out = []
    for shape, query in g.subject_objects(EVIDENCE_QUERY):
        target = g.value(shape, SH.target)
        condition = g.value(target, SH.select) if target is not None else None
        out.append((int(g.value(shape, SH.order) or 0), Requirement(
            shape=shape, name=str(g.value(shape, SH.name) or short_name(shape)),
            severity=SEVERITIES.get(g.value(shape, SH.severity), "Violation"),
            message=str(g.value(shape, SH.message) or ""), comment=str(g.value(shape, RDFS.comment) or ""),
            evidence_query=str(query), condition_query=None if condition is None else str(condition))))
    return tuple(r for _, r in sorted(out, key=lambda x: (x[0], x[1].name)))


def matrix(data: Graph, result: ValidationResult, profile: str, *,
           labels: Mapping[Node, str] | None = None) -> Matrix:
    """The companies x requirements matrix of ``profile`` (gdpr or ccpa) from ``result``, a validation of
    ``data`` that ran that profile's shapes (profile ``profile`` or ``"all"``, whole-graph or per policy)."""
    reqs = requirements(profile)
    unchecked = [r.name for r in reqs if r.shape not in result.checked]
    if unchecked:
        raise ValueError(f"the validation result did not run the {profile} shapes ({', '.join(unchecked)}); "
                         f"validate with profile={profile!r} or 'all'")
    labels = labels if labels is not None else node_labels(data)
    policies = tuple(sorted((p for p in data.subjects(RDF.type, PPKG.PrivacyPolicy) if isinstance(p, URIRef)),
                            key=lambda p: (labels.get(p, "").casefold(), str(p))))
    graph = _query_graph(data)
    missing: dict[tuple[Node, Node], list[ResultRow]] = {}
    for row in result.results:
        missing.setdefault((row.focus, row.source_shape), []).append(row)
    cells: dict[tuple[URIRef, URIRef], Cell] = {}
    for req in reqs:
        applies = None if req.condition_query is None else {
            row[0] for row in graph.query(req.condition_query, initNs=_NS)}
        facts: dict[Node, list[Node]] = {}
        for row in graph.query(req.evidence_query, initNs=_NS):
            facts.setdefault(row[0], [])
            if row[1] not in facts[row[0]]:
                facts[row[0]].append(row[1])
        for policy in policies:
            rows = missing.get((policy, req.shape))
            if rows:
                cells[(policy, req.shape)] = Cell(MISSING, results=tuple(rows))
            elif applies is not None and policy not in applies:
                cells[(policy, req.shape)] = Cell(NOT_APPLICABLE)
            else:
                cells[(policy, req.shape)] = Cell(MET, facts=tuple(
                    _fact(data, policy, node) for node in sorted(facts.get(policy, []), key=str)))
    return Matrix(profile, reqs, policies, {p: labels.get(p, short_name(p)) for p in policies}, cells)


def matrices(data: Graph, result: ValidationResult, profile: str = "all", *,
             labels: Mapping[Node, str] | None = None) -> list[Matrix]:
    """The matrices a validation with ``profile`` shows: gdpr and/or ccpa (none for core)."""
    labels = labels if labels is not None else node_labels(data)
    names = MATRIX_PROFILES if profile == "all" else (profile,) if profile in MATRIX_PROFILES else ()
    return [matrix(data, result, p, labels=labels) for p in names]


_NS = {**PREFIXES, "sh": SH}


def _query_graph(data: Graph) -> Graph:
    """The data with the ontology's structure (skos:broader, class hierarchy), as the shapes see it."""
    out = Graph()
    out += data
    out += _ontology_structure()
    return out


def _fact(data: Graph, policy: URIRef, node: Node) -> Fact:
    evidence = sorted((e for e in data.objects(node, PPKG.evidence) if (e, DCTERMS.source, policy) in data), key=str)
    if not evidence:
        return Fact(node, None, "")
    return Fact(node, evidence[0], " ".join(str(data.value(evidence[0], OA.exact) or "").split()))


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


def render_report(data: Graph, result: ValidationResult, profile: str = "all", fmt: str = "text") -> str:
    """What ``privacy-kg validate`` prints: for text and Markdown the requirements matrices first (gdpr, ccpa),
    then the results grouped by policy; for turtle the sh:ValidationReport alone."""
    if fmt == "turtle":
        return to_turtle(result)
    labels = node_labels(data)
    return render(result, matrices(data, result, profile, labels=labels), labels, fmt)


def render(result: ValidationResult, tables: list[Matrix], labels: Mapping[Node, str], fmt: str = "text") -> str:
    """``render_report`` from parts already computed (``validate_each`` gives them without the whole graph)."""
    if fmt == "turtle":
        return to_turtle(result)
    if fmt not in RENDERERS:
        raise UnknownName(fmt, "unknown report format", hint=f"choose one of {', '.join(RENDERERS)}")
    texts = [matrix_to_text(m) if fmt == "text" else matrix_to_markdown(m) for m in tables]
    details = RENDERERS[fmt](result, labels)
    if fmt == "markdown" and texts:
        details = "### Results\n\n" + details
    return "\n".join(texts + [details])


# -- one policy graph at a time (stores) ----------------------------------------------------------------------
def validate_each(graphs: Iterable[Graph], profile: str = "all"
                  ) -> tuple[ValidationResult, list[Matrix], dict[Node, str]]:
    """Validate and tabulate policy graphs one by one (e.g. each named graph of a store, ``GraphStore.graph``)
    and merge: the validation result, the requirements matrices and the node labels that ``render`` takes.

    Memory holds one policy graph at a time plus the (small) results, so a store of any size validates in flat
    memory at a fixed cost per policy. Each policy is judged on its own graph: where several stored policies share
    a node (two versions of one company's policy), each sees only its own document's facts about it.
    """
    files = profile_files(profile)
    shapes_graph = load_shapes(files)
    checked = frozenset(_named_shapes(shapes_graph))
    rows: dict[ResultRow, tuple[Graph, Node]] = {}
    labels: dict[Node, str] = {}
    shared: dict[Node, str] = {}
    parts: dict[str, list[Matrix]] = {}
    for graph in graphs:
        found = _result_rows(graph, shapes_graph, files, per_policy=True)
        for row, (report, node) in found.items():
            if row not in rows:  # keep only the result's own description, not the whole per-policy report
                small = Graph()
                small += report.cbd(node)
                rows[row] = (small, node)
        ordered = sorted(found, key=_sort_key)
        result = ValidationResult(not any(r.severity == "Violation" for r in ordered), tuple(ordered), Graph(),
                                  checked)
        own = node_labels(graph)
        for node, label in own.items():
            if labels.setdefault(node, label) != label:
                name = graph.value(node, DPV.hasName) or graph.value(node, RDFS.label)
                shared[node] = f"{name or short_name(node)} (shared)"
        for m in matrices(graph, result, profile, labels=own):
            parts.setdefault(m.profile, []).append(m)
    labels.update(shared)
    ordered = sorted(rows, key=_sort_key)
    conforms = not any(r.severity == "Violation" for r in ordered)
    result = ValidationResult(conforms, tuple(ordered), _merged_report(conforms, [rows[r] for r in ordered]), checked)
    return result, [_merge_matrices(ms) for ms in parts.values()], labels


def _merge_matrices(parts: list[Matrix]) -> Matrix:
    labels = {p: label for m in parts for p, label in m.labels.items()}
    cells = {k: c for m in parts for k, c in m.cells.items()}
    policies = tuple(sorted({p for m in parts for p in m.policies}, key=lambda p: (labels[p].casefold(), str(p))))
    return Matrix(parts[0].profile, parts[0].requirements, policies, labels, cells)

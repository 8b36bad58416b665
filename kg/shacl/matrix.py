"""The companies x requirements matrix of a profile (gdpr, ccpa), built from a ``ValidationResult``.

A requirement is a named shape of the gdpr or ccpa profile that carries kgsh:evidenceQuery: its sh:name is the
column, sh:order the column order. A cell is

* "missing": the shape reported a result on the policy (the cell keeps those ResultRows: shape, focus, path);
* "not applicable": the shape has a SPARQL target (its condition: consent basis, transfer, legitimate interest)
  that does not select the policy;
* "not applicable" also: the profile is not due on the policy (``scope``: its jurisdiction, ``kg.jurisdiction``);
  such a cell's ``reason`` is "not due" (the other not-applicable cells': "condition"), and ``Matrix.why`` says
  why in words, with the policy's ``kg.jurisdiction.Scope`` when the matrix was given it (``jurisdictions``);
* "met": otherwise; the cell keeps the facts the shape's kgsh:evidenceQuery finds for the policy, each with the
  evidence sentence of that policy.

Rows are policies, labelled "Acme Inc. (acme.txt)" (``node_labels``).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH
from rdflib.term import Node

from kg.errors import UnknownName
from kg.graphio import closure_subjects, short_name
from kg.jurisdiction import Scope
from kg.shacl.run import SEVERITIES, ResultRow, ValidationResult, load_shapes, profile_files
from kg.vocab import DPV, OA, PPKG, PREFIXES, SHAPES


def node_labels(data: Graph, closures: Mapping[URIRef, set[Node]] | None = None) -> dict[Node, str]:
    """A readable group label for every node of every policy closure: "Acme Inc. (acme.txt)"; ``closures``:
    ``kg.graphio.closure_subjects(data)``, when already known.

    Nodes several policies share (controllers, named recipients) are labelled by their own name instead.
    """
    labels: dict[Node, str] = {}
    shared: set[Node] = set()
    for policy, subjects in (closures if closures is not None else closure_subjects(data)).items():
        publisher = data.value(policy, DCTERMS.publisher)
        name = data.value(publisher, DPV.hasName) if publisher is not None else None
        label = f"{name or '(no controller)'} ({data.value(policy, PPKG.sourceFile) or policy})"
        for node in subjects:
            if labels.setdefault(node, label) != label:
                shared.add(node)
    for node in shared:
        labels[node] = shared_label(data, node)
    return labels


def shared_label(graph: Graph, node: Node) -> str:
    """The group label of a node several policies share: its own name, "Stripe (shared)"."""
    own = graph.value(node, DPV.hasName) or graph.value(node, RDFS.label)
    return f"{own or short_name(node)} (shared)"


MATRIX_PROFILES = ("gdpr", "ccpa")
MATRIX_TITLES = {"gdpr": "GDPR Art. 13", "ccpa": "CCPA notice at collection and rights"}
MET, MISSING, NOT_APPLICABLE = "met", "missing", "not applicable"
NOT_DUE, CONDITION = "not due", "condition"  # why a cell is not applicable: the jurisdiction, or its condition
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
    reason: str = ""  # not applicable: NOT_DUE (the profile is not due on the policy) or CONDITION


@dataclass(frozen=True)
class Matrix:
    profile: str
    requirements: tuple[Requirement, ...]
    policies: tuple[URIRef, ...]  # rows, sorted by label
    labels: Mapping[Node, str]  # row label of each policy: "Acme Inc. (acme.txt)"
    cells: Mapping[tuple[URIRef, URIRef], Cell]  # (policy, requirement shape) -> cell
    jurisdictions: Mapping[URIRef, Scope] = field(default_factory=dict)  # policy -> its scope, when known

    def why(self, policy: URIRef, requirement: str | URIRef) -> str:
        """Why a cell is not applicable, in a few words ("" for a met or missing one); the policy's scope says the
        rest (``kg.jurisdiction.Scope.describe``)."""
        cell = self.cell(policy, requirement)
        if cell.status != NOT_APPLICABLE:
            return ""
        if cell.reason == NOT_DUE:
            scope = self.jurisdictions.get(policy)
            return (f"{self.profile.upper()} is not due for this policy's jurisdiction"
                    + (f" ({scope.summary})" if scope is not None else ""))
        return "its condition does not hold for this policy"

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

    @property
    def not_due(self) -> int:
        """The not-applicable cells that are so because the profile is not due for their policy's jurisdiction."""
        return sum(1 for cell in self.cells.values() if cell.reason == NOT_DUE)


def requirements(profile: str, shapes: list[Path] | None = None) -> tuple[Requirement, ...]:
    """The matrix columns of ``profile`` (gdpr or ccpa): its shapes with ``kgsh:evidenceQuery``, by sh:order."""
    if profile not in MATRIX_PROFILES:
        raise UnknownName(profile, "no requirements matrix for this profile",
                          hint=f"choose one of {', '.join(MATRIX_PROFILES)}")
    return _requirements(tuple(shapes if shapes is not None else profile_files(profile)))


def _requirements(files: tuple[Path, ...]) -> tuple[Requirement, ...]:
    g = load_shapes(files)  # cached while the files stay the same; so are their requirements
    if id(g) in _REQUIREMENTS_OF and _REQUIREMENTS_OF[id(g)][0] is g:
        return _REQUIREMENTS_OF[id(g)][1]
    out = []
    for shape, query in g.subject_objects(EVIDENCE_QUERY):
        if not isinstance(shape, URIRef):
            continue  # a requirement is a named shape
        target = g.value(shape, SH.target)
        condition = g.value(target, SH.select) if target is not None else None
        out.append((int(str(g.value(shape, SH.order) or 0)), Requirement(
            shape=shape, name=str(g.value(shape, SH.name) or short_name(shape)),
            severity=SEVERITIES.get(g.value(shape, SH.severity), "Violation"),
            message=str(g.value(shape, SH.message) or ""), comment=str(g.value(shape, RDFS.comment) or ""),
            evidence_query=str(query), condition_query=None if condition is None else str(condition))))
    found = tuple(r for _, r in sorted(out, key=lambda x: (x[0], x[1].name)))
    _REQUIREMENTS_OF[id(g)] = (g, found)
    return found


_REQUIREMENTS_OF: dict[int, tuple[Graph, tuple[Requirement, ...]]] = {}


def matrix(data: Graph, result: ValidationResult, profile: str, *,
           labels: Mapping[Node, str] | None = None,
           answers: Mapping[str, list[tuple[Node | None, ...]]] | None = None,
           scope: Container[Node] | None = None, jurisdictions: Mapping[URIRef, Scope] | None = None) -> Matrix:
    """The companies x requirements matrix of ``profile`` (gdpr or ccpa) from ``result``, a validation of
    ``data`` that ran that profile's shapes (profile ``profile`` or ``"all"``, whole-graph or per policy).
    ``answers``: the rows of the requirements' queries over ``data``, by query text (``requirement_answers``),
    when already run. ``scope``: the policies the profile is due on (the others' cells are "not applicable");
    None: every policy. ``jurisdictions``: the policies' scopes (``kg.jurisdiction.policy_scopes``), kept to say
    why."""
    reqs = requirements(profile)
    unchecked = [r.name for r in reqs if r.shape not in result.checked]
    if unchecked:
        raise ValueError(f"the validation result did not run the {profile} shapes ({', '.join(unchecked)}); "
                         f"validate with profile={profile!r} or 'all'")
    labels = labels if labels is not None else node_labels(data)
    policies = tuple(sorted((p for p in data.subjects(RDF.type, PPKG.PrivacyPolicy) if isinstance(p, URIRef)),
                            key=lambda p: (labels.get(p, "").casefold(), str(p))))
    if answers is None:
        answers = requirement_answers(data, reqs)
    missing: dict[tuple[Node, Node], list[ResultRow]] = {}
    for found in result.results:
        missing.setdefault((found.focus, found.source_shape), []).append(found)
    cells: dict[tuple[URIRef, URIRef], Cell] = {}
    any_due = scope is None or any(policy in scope for policy in policies)
    for req in reqs:
        applies = None if req.condition_query is None or not any_due else {
            row[0] for row in answers[req.condition_query]}
        facts: dict[Node, list[Node]] = {}
        for row in answers[req.evidence_query] if any_due else ():  # not run when the profile is due on none
            if row[0] is None or row[1] is None:
                continue
            facts.setdefault(row[0], [])
            if row[1] not in facts[row[0]]:
                facts[row[0]].append(row[1])
        for policy in policies:
            rows = missing.get((policy, req.shape))
            if scope is not None and policy not in scope:
                cells[(policy, req.shape)] = Cell(NOT_APPLICABLE, reason=NOT_DUE)
            elif rows:
                cells[(policy, req.shape)] = Cell(MISSING, results=tuple(rows))
            elif applies is not None and policy not in applies:
                cells[(policy, req.shape)] = Cell(NOT_APPLICABLE, reason=CONDITION)
            else:
                cells[(policy, req.shape)] = Cell(MET, facts=tuple(
                    _fact(data, policy, node) for node in sorted(facts.get(policy, []), key=str)))
    return Matrix(profile, reqs, policies, {p: labels.get(p, short_name(p)) for p in policies}, cells,
                  {p: jurisdictions[p] for p in policies if p in jurisdictions} if jurisdictions else {})


def matrices(data: Graph, result: ValidationResult, profile: str = "all", *,
             labels: Mapping[Node, str] | None = None,
             answers: Mapping[str, list[tuple[Node | None, ...]]] | None = None,
             scopes: Mapping[str, Container[Node]] | None = None,
             jurisdictions: Mapping[URIRef, Scope] | None = None) -> list[Matrix]:
    """The matrices a validation with ``profile`` shows: gdpr and/or ccpa (none for core). ``answers``: the rows
    of the requirements' queries, when already run (``requirement_answers``). ``scopes``: profile -> the policies
    it is due on (a profile not in it: every policy); ``jurisdictions``: each policy's scope (``matrix``)."""
    labels = labels if labels is not None else node_labels(data)
    names = MATRIX_PROFILES if profile == "all" else (profile,) if profile in MATRIX_PROFILES else ()
    if answers is None:
        answers = requirement_answers(data, [r for p in names for r in requirements(p)]) if names else {}
    return [matrix(data, result, p, labels=labels, answers=answers, scope=(scopes or {}).get(p),
                   jurisdictions=jurisdictions) for p in names]


def requirement_answers(data: Graph, reqs: Iterable[Requirement]) -> dict[str, list[tuple[Node | None, ...]]]:
    """The rows of the requirements' evidence and condition queries over ``data`` and the ontology structure,
    run together in Oxigraph (``kg.shacl.engine.select_many``; rdflib took ~0.1 s per policy for them)."""
    from kg.shacl.engine import select_many

    texts = sorted({q for r in reqs for q in (r.evidence_query, r.condition_query) if q is not None})
    return select_many(data, texts, QUERY_PREFIXES)


_NS = {**PREFIXES, "sh": SH}
QUERY_PREFIXES = {k: str(v) for k, v in _NS.items()}  # declared for the requirements' queries


def _fact(data: Graph, policy: URIRef, node: Node) -> Fact:
    evidence = sorted((e for e in data.objects(node, PPKG.evidence) if (e, DCTERMS.source, policy) in data), key=str)
    if not evidence:
        return Fact(node, None, "")
    return Fact(node, evidence[0], " ".join(str(data.value(evidence[0], OA.exact) or "").split()))



def merge_matrices(parts: list[Matrix]) -> Matrix:
    labels = {p: label for m in parts for p, label in m.labels.items()}
    cells = {k: c for m in parts for k, c in m.cells.items()}
    policies = tuple(sorted({p for m in parts for p in m.policies}, key=lambda p: (labels[p].casefold(), str(p))))
    return Matrix(parts[0].profile, parts[0].requirements, policies, labels, cells,
                  {p: s for m in parts for p, s in m.jurisdictions.items()})

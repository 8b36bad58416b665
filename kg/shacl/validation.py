"""Validate policy graphs one at a time and merge what each gives: the results, the requirement matrices and the
policy labels, as one ``Validation``."""
from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from kg.graphio import closure_subjects, write_atomic
from kg.jurisdiction import SCOPED_PROFILES, Scope, policy_scopes
from kg.shacl.engine import Index, IndexGraph, Shape
from kg.shacl.matrix import (MATRIX_PROFILES, QUERY_PREFIXES, Matrix, matrices, merge_matrices, node_labels,
                             requirements, shared_label)
from kg.shacl.render import render, to_turtle
from kg.shacl.run import (ResultRow, ValidationResult, fails, load_shapes, merged_report, named_shapes, profile_files,
                          result_rows, sort_key)

GC_YOUNG = 10_000  # new objects between two collections of the youngest generation while validating (Python's: 700)


@dataclass(frozen=True)
class Validation:
    """What ``privacy-kg validate`` reports: the results, the companies x requirements matrices of the profile
    (gdpr and ccpa; none for core) and a readable label for every node ("Acme Inc. (acme.txt)")."""

    result: ValidationResult
    matrices: tuple[Matrix, ...]
    labels: Mapping[Node, str]
    profile: str = "all"
    applied: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # profile -> (policies it ran on, of all)
    scopes: Mapping[URIRef, Scope] = field(default_factory=dict)  # policy -> its jurisdiction (kg.jurisdiction)
    scoped: bool = False  # gdpr and ccpa were applied only where due (profile "all"), not forced on every policy

    @property
    def conforms(self) -> bool:
        """No Violation (warnings and infos alone conform)."""
        return self.result.conforms

    def fails(self, fail_on: str = "violation") -> bool:
        """The exit-code decision: violations always fail; warnings fail only with ``fail_on="warning"``."""
        return fails(self.result, fail_on)

    def render(self, fmt: str = "text") -> str:
        """``text`` or ``markdown`` (matrices first, then the results by policy) or ``turtle`` (the report)."""
        return render(self.result, list(self.matrices), self.labels, fmt, self.applied)

    def to_turtle(self) -> str:
        """The merged sh:ValidationReport as Turtle."""
        return to_turtle(self.result)

    def write_report(self, path: str | Path) -> None:
        """Write the sh:ValidationReport as Turtle to ``path``, atomically."""
        write_atomic(path, self.to_turtle())


def validate_graphs(graphs: Iterable[Graph], profile: str = "all", engine: str = "auto",
                    scoped: bool | None = None) -> Validation:
    """Validate and tabulate graphs one by one, each holding whole policies (a graph file's one graph, or each named
    graph of a store), and merge.

    Memory holds one graph at a time plus the (small) results, so a store of any size validates in flat memory at
    a fixed cost per policy (with pySHACL, each graph is validated one policy closure at a time:
    ``kg.shacl.run.check``'s ``per_policy``). Each policy is judged on its own graph: where several stored
    policies share a node (two versions of one company's policy), each sees only its own document's facts about
    it. ``engine``: "auto" (the
    compiled engine, ``kg.shacl.engine``; pySHACL for shapes it does not support) or "pyshacl".

    ``scoped`` (default: with profile "all"): the gdpr and ccpa shapes count only on the policies in their scope
    (``kg.jurisdiction``: the manifest's jurisdiction, else the policy's words and its controller's country); a
    result of those shapes on a policy out of scope is dropped, whichever engine ran, and its matrix cells are
    "not applicable". A single profile (``--profile gdpr``) is applied to every policy. ``Validation.applied``
    says on how many policies each profile was applied.
    """
    with _fewer_collections():
        return _validate_graphs(graphs, profile, engine, scoped)


def _validate_graphs(graphs: Iterable[Graph], profile: str, engine: str, scoped: bool | None) -> Validation:
    files = profile_files(profile)
    shapes_graph = load_shapes(files)
    checked = frozenset(named_shapes(shapes_graph))
    rows: dict[ResultRow, tuple[Graph, Node]] = {}
    labels: dict[Node, str] = {}
    shared: dict[Node, str] = {}
    parts: dict[str, list[Matrix]] = {}
    names = MATRIX_PROFILES if profile == "all" else (profile,) if profile in MATRIX_PROFILES else ()
    if scoped is None:
        scoped = profile == "all"
    owner = shape_profiles(shapes_graph) if scoped else {}
    applied: dict[str, list[int]] = {}
    every_scope: dict[URIRef, Scope] = {}
    queries = {p: sorted({q for r in requirements(p) for q in (r.evidence_query, r.condition_query) if q is not None})
               for p in names}
    for graph in graphs:
        scopes = policy_scopes(graph)
        every_scope.update(scopes)
        due = {p: {q for q, scope in scopes.items() if p in scope.profiles or not scoped}
               for p in SCOPED_PROFILES} if scoped else {}
        for p in ("core", *SCOPED_PROFILES):
            if profile in ("all", p):
                counts = applied.setdefault(p, [0, 0])
                counts[0] += len(due[p]) if p in due else len(scopes)
                counts[1] += len(scopes)
        if engine == "auto" and not isinstance(graph, Index):
            graph = IndexGraph(graph)  # type: ignore[assignment]  # read once; every look-up below is a dict's
        closures = closure_subjects(graph)
        counts_on = _Scoping(owner, due, closures, set(scopes)) if due else None
        # the matrices' queries, run over the graph with the shapes' (compiled engine only); those of a profile due
        # on none of the graph's policies are not run (its cells are all "not applicable")
        texts = sorted({q for p in names if p not in due or due[p] for q in queries[p]})
        answers: dict = {}
        found = result_rows(graph, shapes_graph, files, per_policy=True, engine=engine,
                            answers=(texts, QUERY_PREFIXES, answers) if texts else None,
                            keep=counts_on.keep if counts_on else None)
        if counts_on:
            found = {row: where for row, where in found.items() if counts_on.counts(row.source_shape, row.focus)}
        for row, (report, node) in found.items():
            if row not in rows:  # keep only the result's own description, not the whole per-policy report
                if isinstance(report, Graph):
                    small = Graph()
                    small += report.cbd(node)
                    report = small
                rows[row] = (report, node)
        ordered = sorted(found, key=sort_key)
        result = ValidationResult(not any(r.severity == "Violation" for r in ordered), tuple(ordered), Graph(),
                                  checked)
        own = node_labels(graph, closures)
        for node, label in own.items():
            if labels.setdefault(node, label) != label:
                shared[node] = shared_label(graph, node)
        for m in matrices(graph, result, profile, labels=own, answers=answers if answers or not texts else None,
                          scopes=due or None, jurisdictions=scopes):
            parts.setdefault(m.profile, []).append(m)
    labels.update(shared)
    ordered = sorted(rows, key=sort_key)
    conforms = not any(r.severity == "Violation" for r in ordered)
    result = ValidationResult(conforms, tuple(ordered), merged_report(conforms, [rows[r] for r in ordered]), checked)
    return Validation(result, tuple(merge_matrices(ms) for ms in parts.values()), labels, profile,
                      {p: (n, total) for p, (n, total) in applied.items()}, every_scope, scoped)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector run after every 10,000 new objects instead of every 700: validating makes
    hundreds of thousands of short-lived dicts, sets and terms (freed by reference counting), and the collections
    they set off took about a sixth of its time (BENCHMARKS.md, "Validation: before -> after")."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], GC_YOUNG), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def shape_profiles(shapes_graph: Graph) -> dict[Node, str]:
    """Each shape node of the scoped profiles' files (named shapes and the blank nodes under them) -> profile."""
    out: dict[Node, str] = {}
    for profile in SCOPED_PROFILES:
        for shape in named_shapes(load_shapes(profile_files(profile))):  # named: the same IRIs in shapes_graph
            stack: list[Node] = [shape]
            while stack:
                node = stack.pop()
                if node in out:
                    continue
                out[node] = profile
                stack += [o for o in shapes_graph.objects(node) if isinstance(o, BNode)]
    return out


class _Scoping:
    """Which results of a scoped profile's shapes count on one graph: those on a node of a policy the profile is due
    on, or of no policy (``owner``: shape node -> its profile; ``due``: profile -> policies; ``closures``: each
    policy's closure subjects, ``kg.graphio.closure_subjects``). Results of other shapes always count."""

    def __init__(self, owner: Mapping[Node, str], due: Mapping[str, set], closures: Mapping[URIRef, set[Node]],
                 policies: set):
        self.owner, self.due, self.policies = owner, due, policies
        self.policies_of: dict[Node, set[Node]] = {}
        for policy, subjects in closures.items():
            for node in subjects:
                self.policies_of.setdefault(node, set()).add(policy)
        self._tree: dict[Node, str | None] = {}

    def counts(self, shape: Node, focus: Node) -> bool:
        """Whether a result of ``shape`` on ``focus`` counts."""
        profile = self.owner.get(shape)
        return profile is None or self._due_on(profile, focus)

    def _due_on(self, profile: str, focus: Node) -> bool:
        of = self.policies_of.get(focus, set()) | ({focus} & self.policies)
        return not of or bool(of & self.due[profile])

    def keep(self, shape: Shape, focus: Node) -> bool:
        """Whether the targeted ``shape`` must be evaluated on ``focus``: not when every shape that reports its
        results belongs to one scoped profile and none of them would count there (the same results, less work)."""
        if shape.node not in self._tree:
            owners = {self.owner.get(node) for node in shape.reporting()}
            self._tree[shape.node] = owners.pop() if len(owners) == 1 else None
        profile = self._tree[shape.node]
        return profile is None or self._due_on(profile, focus)

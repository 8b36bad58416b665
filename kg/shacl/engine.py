"""A compiled SHACL engine for the shapes privacy-kg ships: the same results as pySHACL at a small fraction of its
cost (benchmarks/validation.py, BENCHMARKS.md "Validation cost").

Where pySHACL's time went (cProfile of the five example policies, profile ``all``, one run per policy): about 70%
in evaluating SHACL Core constraints through rdflib's generic graph API (262,740 ``Graph.triples`` calls for
7,499 data triples), about 30% in the one SPARQL constraint (CCPA retention per category), which rdflib runs once
per focus node, and 10-15% copying the data graph and the ontology into a new graph for every run. Parsing the
shapes was under 3%. So compiling the shapes once is not enough; this module evaluates them differently:

* The shapes are compiled once per process (per set of shape files): targets, paths and constraints become Python
  closures; a shape that uses anything else makes ``compile_shapes`` raise ``Unsupported`` and the caller runs
  pySHACL instead (``kg.shacl.run``), so a hand-written shape file still gets pySHACL's answer.
* The data graph (plus the ontology's structure, as pySHACL sees it: ``kg.shacl.run.ontology_structure``) is read
  into plain dict indexes once per run (subject -> predicate -> values, and the reverse); every path and
  constraint is a few dict look-ups over rdflib's own terms, so literal comparisons, ill-typed literals and
  datatypes behave as in pySHACL (its own ``compare_literal`` is used).
* SHACL-AF SPARQL targets and SPARQL constraints run in an in-memory Oxigraph store holding the data graph and the
  ontology structure (loaded once per process), one query per shape and run over every focus node at once
  ($this left unbound and the rows joined with the focus nodes afterwards, instead of one rdflib query per focus
  node). Only the triples whose predicates the SPARQL texts mention are loaded.

Every result carries what pySHACL's does (focus node, path, value, source shape, severity, message, constraint
component), so the matrix and the findings stay traceable to shapes and focus nodes; tests/unit/test_engine.py
compares the two engines' results on the examples and on every shape test's graph.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, partial

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

SHAPE_PREDICATES = {SH.path, SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf, SH.target,
                    SH.property, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.minInclusive,
                    SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.hasValue, SH["in"], SH.lessThan,
                    SH.lessThanOrEquals, SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
                    SH.xone, SH["or"], SH["and"], SH["not"], SH.node, SH.sparql, SH.nodeKind, SH.equals,
                    SH.disjoint, SH.pattern, SH.flags, SH.minLength, SH.maxLength, SH.languageIn, SH.uniqueLang,
                    SH.closed, SH.ignoredProperties, SH.qualifiedValueShapesDisjoint}
# what this engine evaluates; any other constraint parameter on a shape makes it fall back to pySHACL
SUPPORTED = {SH.path, SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf, SH.target,
             SH.property, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.minInclusive, SH.maxInclusive,
             SH.minExclusive, SH.maxExclusive, SH.hasValue, SH.lessThan, SH.lessThanOrEquals,
             SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.xone, SH.node, SH.sparql}
COMPONENT = {SH.minCount: SH.MinCountConstraintComponent, SH.maxCount: SH.MaxCountConstraintComponent,
             SH["class"]: SH.ClassConstraintComponent, SH.datatype: SH.DatatypeConstraintComponent,
             SH.minInclusive: SH.MinInclusiveConstraintComponent, SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
             SH.minExclusive: SH.MinExclusiveConstraintComponent, SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
             SH.hasValue: SH.HasValueConstraintComponent, SH.lessThan: SH.LessThanConstraintComponent,
             SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent, SH.xone: SH.XoneConstraintComponent,
             SH.node: SH.NodeConstraintComponent, SH.sparql: SH.SPARQLConstraintComponent,
             SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
             SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent}


class Unsupported(Exception):
    """The shapes use SHACL this engine does not evaluate: run pySHACL."""


# -- the data, indexed -----------------------------------------------------------------------------------------
class Index:
    """Subject -> predicate -> objects and object -> predicate -> subjects of a graph, with a second, fixed index
    (the ontology structure) consulted beside it: the merged graph pySHACL validates, without copying."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]], base: Index | None = None):
        spo: dict[Node, dict[Node, set[Node]]] = {}
        pairs: dict[Node, list[tuple[Node, Node]]] = {}
        for s, p, o in triples:
            objs = spo.setdefault(s, {}).setdefault(p, set())
            if o in objs:
                continue
            objs.add(o)
            pairs.setdefault(p, []).append((s, o))
        self.spo, self.pairs, self.base = spo, pairs, base
        self.pos: dict[Node, dict[Node, set[Node]]] = {}  # predicate -> object -> subjects, made when first asked
        self.supers: dict[Node, set[Node]] = {}  # rdfs:subClassOf* of each type met (``_is_instance``)

    def by_object(self, p: Node) -> dict[Node, set[Node]]:
        """Object -> subjects of the predicate ``p`` (made from its pairs on first use)."""
        found = self.pos.get(p)
        if found is None:
            found = self.pos[p] = {}
            for s, o in self.pairs.get(p, ()):
                found.setdefault(o, set()).add(s)
        return found

    def objects(self, s: Node, p: Node) -> set[Node]:
        own = self.spo.get(s)
        mine = own.get(p, _EMPTY) if own else _EMPTY
        if self.base is None:
            return mine
        other = self.base.objects(s, p)
        return (mine | other) if mine and other else (mine or other)

    def subjects(self, p: Node, o: Node) -> set[Node]:
        mine = self.by_object(p).get(o, _EMPTY)
        if self.base is None:
            return mine
        other = self.base.subjects(p, o)
        return (mine | other) if mine and other else (mine or other)

    def pairs_of(self, p: Node) -> Iterator[tuple[Node, Node]]:
        yield from self.pairs.get(p, ())
        if self.base is not None:
            yield from self.base.pairs_of(p)

    def predicates(self) -> set[Node]:
        return set(self.pairs) | (self.base.predicates() if self.base is not None else set())

    def with_base(self, base: Index | None) -> Index:
        """The same data with ``base`` consulted beside it (nothing copied)."""
        out = Index.__new__(Index)
        out.spo, out.pairs, out.pos, out.base = self.spo, self.pairs, self.pos, base
        out.supers = {}
        return out


class IndexGraph(Index):
    """An ``Index`` of one graph that answers the few ``rdflib.Graph`` reads validation and its matrices make
    (``value``, ``objects``, ``subjects``, ``predicate_objects``, ``in``, iteration): a store's policy graph is
    read into it directly, without building an rdflib Graph (which cost ~40 ms per policy)."""

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        for p, pairs in self.pairs.items():
            for s, o in pairs:
                yield s, p, o

    def __len__(self) -> int:
        return sum(len(v) for v in self.pairs.values())

    def __contains__(self, triple: tuple[Node, Node, Node]) -> bool:
        s, p, o = triple
        return o in self.spo.get(s, {}).get(p, _EMPTY)

    def value(self, subject: Node | None = None, predicate: Node = RDF.value, object: Node | None = None,
              default: Node | None = None, any: bool = True) -> Node | None:  # noqa: A002 - rdflib's names
        if subject is None or object is not None:
            raise NotImplementedError("IndexGraph.value(subject, predicate) only")
        for o in self.spo.get(subject, {}).get(predicate, ()):
            return o
        return default

    def objects(self, subject: Node | None = None, predicate: Node | None = None,  # type: ignore[override]
                unique: bool = False) -> Iterator[Node]:
        if subject is None or predicate is None:
            raise NotImplementedError("IndexGraph.objects(subject, predicate) only")
        yield from self.spo.get(subject, {}).get(predicate, ())

    def subjects(self, predicate: Node | None = None, object: Node | None = None,  # type: ignore[override]
                 unique: bool = False) -> Iterator[Node]:  # noqa: A002
        if predicate is None:
            raise NotImplementedError("IndexGraph.subjects(predicate, ...) only")
        if object is None:
            seen: set[Node] = set()
            for s, _ in self.pairs.get(predicate, ()):
                if s not in seen:
                    seen.add(s)
                    yield s
        else:
            yield from self.by_object(predicate).get(object, ())

    def predicate_objects(self, subject: Node) -> Iterator[tuple[Node, Node]]:
        for p, objs in self.spo.get(subject, {}).items():
            for o in objs:
                yield p, o


_EMPTY: set[Node] = set()


# -- paths -----------------------------------------------------------------------------------------------------
Path = Callable[[Index, Node], set[Node]]


def compile_path(g: Graph, path: Node) -> Path:
    if isinstance(path, URIRef):
        return lambda ix, n: ix.objects(n, path)
    if (path, RDF.first, None) in g:
        steps = [compile_path(g, p) for p in Collection(g, path)]

        def sequence(ix: Index, n: Node) -> set[Node]:
            nodes = {n}
            for step in steps:
                nodes = set().union(*(step(ix, m) for m in nodes)) if nodes else set()
            return nodes
        return sequence
    inverse = g.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return lambda ix, n: ix.subjects(inverse, n)
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        options = [compile_path(g, p) for p in Collection(g, alternatives)]
        return lambda ix, n: set().union(*(o(ix, n) for o in options))
    for prop, least in ((SH.zeroOrMorePath, 0), (SH.oneOrMorePath, 1)):
        inner_node = g.value(path, prop)
        if inner_node is not None:
            inner = compile_path(g, inner_node)

            def closure(ix: Index, n: Node, inner: Path = inner, least: int = least) -> set[Node]:
                seen: set[Node] = {n} if least == 0 else set()
                todo = [n]
                while todo:
                    for m in inner(ix, todo.pop()):
                        if m not in seen:
                            seen.add(m)
                            todo.append(m)
                return seen
            return closure
    optional = g.value(path, SH.zeroOrOnePath)
    if optional is not None:
        inner = compile_path(g, optional)
        return lambda ix, n: {n} | inner(ix, n)
    raise Unsupported(f"path {path!r}")


# -- shapes ----------------------------------------------------------------------------------------------------
@dataclass
class Failure:
    focus: Node
    value: Node | None
    component: URIRef
    shape: Shape
    constraint: Node | None = None  # sh:sourceConstraint (SPARQL constraints)
    messages: tuple[Literal, ...] | None = None  # messages other than the shape's own (SPARQL constraints)


Check = Callable[[Index, Node, set[Node]], list[Failure]]


@dataclass
class Shape:
    node: Node
    path_node: Node | None
    path: Path | None
    severity: URIRef
    messages: tuple[Node, ...]
    targets: list[Callable[[Index], set[Node]]] = field(default_factory=list)
    sparql_targets: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    sparql: list[tuple[Node, str, tuple[Literal, ...]]] = field(default_factory=list)  # (constraint, query, messages)

    def failures(self, ix: Index, focus: Node, engine: Engine, deep: bool = True) -> list[Failure]:
        values = self.path(ix, focus) if self.path is not None else {focus}
        out: list[Failure] = []
        for check in self.checks:
            out += check(ix, focus, values)
        for prop in self.properties:
            out += prop.failures(ix, focus, engine)
        if self.sparql and deep:
            for constraint, _, messages in self.sparql:
                for value in engine.sparql_rows(self, constraint).get(focus, ()):
                    out.append(Failure(focus, value, SH.SPARQLConstraintComponent, self, constraint, messages))
        return out

    def reporting(self) -> set[Node]:
        """This shape and its sh:property shapes, at every depth: the source shapes of its results."""
        out, todo = set(), [self]
        while todo:
            shape = todo.pop()
            if shape.node not in out:
                out.add(shape.node)
                todo += shape.properties
        return out

    def conforms(self, ix: Index, node: Node, engine: Engine) -> bool:
        if self.sparql:
            raise Unsupported("a SPARQL constraint inside a value shape")
        return not self.failures(ix, node, engine)


def _is_instance(ix: Index, node: Node, cls: Node) -> bool:
    """SHACL instance: a type of ``node`` is ``cls`` or an rdfs:subClassOf* of it (the closure of each type is
    computed once per run)."""
    if isinstance(node, Literal):
        return False
    for t in ix.objects(node, RDF.type):
        supers = ix.supers.get(t)
        if supers is None:
            supers, todo = {t}, [t]
            while todo:
                for sup in ix.objects(todo.pop(), RDFS.subClassOf):
                    if sup not in supers:
                        supers.add(sup)
                        todo.append(sup)
            ix.supers[t] = supers
        if cls in supers:
            return True
    return False


def _instances(ix: Index, cls: Node) -> set[Node]:  # noqa: D401 - a target
    classes, todo = {cls}, [cls]
    while todo:
        for sub in ix.subjects(RDFS.subClassOf, todo.pop()):
            if sub not in classes:
                classes.add(sub)
                todo.append(sub)
    return set().union(*(ix.subjects(RDF.type, c) for c in classes))


def _datatype_ok(v: Node, rule: Node) -> bool:
    """pySHACL's DatatypeConstraintComponent, value by value."""
    from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent

    if not isinstance(v, Literal):
        return False
    check = DatatypeConstraintComponent._assert_actual_datatype
    if v.datatype == rule:
        return False if getattr(v, "ill_typed", None) is True else check(None, v, rule)  # type: ignore[arg-type]
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and rule == XSD.string:
        return check(None, v, rule)  # type: ignore[arg-type]
    if rule == RDF.langString and v.language:
        return check(None, v, rule)  # type: ignore[arg-type]
    return False


def _range_ok(v: Node, bound: Literal, accept: Callable[[int], bool]) -> bool:
    """pySHACL's value range components: a literal of the same kind (string or not) compared with compare_literal."""
    from pyshacl.rdfutil.compare import compare_literal

    if not isinstance(v, Literal):
        return False
    if isinstance(bound.value, str) != isinstance(v.value, str):
        return False
    try:
        return accept(compare_literal(v, bound))
    except (TypeError, NotImplementedError):
        return False


def _pair_ok(value: Node, other: Node, strict: bool) -> bool:
    """pySHACL's sh:lessThan / sh:lessThanOrEquals comparison of one pair."""
    if isinstance(value, BNode) or isinstance(other, BNode):
        raise Unsupported("sh:lessThan on a blank node")

    def plain(t: Node) -> tuple[object, bool]:
        if isinstance(t, URIRef):
            return str(t), True
        if isinstance(t, Literal) and isinstance(t.value, str):
            return t.value, True
        return t, False

    a, a_str = plain(value)
    b, b_str = plain(other)
    if a_str != b_str:
        return False
    try:
        return bool(a < b) if strict else bool(a <= b)  # type: ignore[operator]
    except TypeError:
        return False


def _per_focus(shape: Shape, component: URIRef, fails: Callable[[Index, Node, set[Node]], bool]) -> Check:
    """A constraint with one result per focus node (no sh:value) when ``fails``."""
    def check(ix: Index, f: Node, vs: set[Node]) -> list[Failure]:
        return [Failure(f, None, component, shape)] if fails(ix, f, vs) else []
    return check


def _per_value(shape: Shape, component: URIRef, ok: Callable[[Index, Node], bool]) -> Check:
    """A constraint with one result per value node that is not ``ok`` (sh:value)."""
    def check(ix: Index, f: Node, vs: set[Node]) -> list[Failure]:
        return [Failure(f, v, component, shape) for v in vs if not ok(ix, v)]
    return check


def _per_pair(shape: Shape, component: URIRef, other: Node, strict: bool) -> Check:
    """sh:lessThan / sh:lessThanOrEquals: a result per value and value of ``other`` not in order."""
    def check(ix: Index, f: Node, vs: set[Node]) -> list[Failure]:
        return [Failure(f, v, component, shape) for v in vs for w in ix.objects(f, other) if not _pair_ok(v, w, strict)]
    return check


def _the_node(ix: Index, node: Node) -> set[Node]:
    return {node}


def _objects_of(ix: Index, p: Node) -> set[Node]:
    return {o for _, o in ix.pairs_of(p)}


def _subjects_of(ix: Index, p: Node) -> set[Node]:
    return {s for s, _ in ix.pairs_of(p)}


def _fewer(ix: Index, f: Node, vs: set[Node], n: int) -> bool:
    return len(vs) < n


def _more(ix: Index, f: Node, vs: set[Node], n: int) -> bool:
    return len(vs) > n


def _lacks(ix: Index, f: Node, vs: set[Node], value: Node) -> bool:
    return value not in vs


def _instance_ok(ix: Index, v: Node, cls: Node) -> bool:
    return _is_instance(ix, v, cls)


def _datatype_value_ok(ix: Index, v: Node, rule: Node) -> bool:
    return _datatype_ok(v, rule)


_SIGNS: dict[str, Callable[[int], bool]] = {">=": lambda c: c >= 0, "<=": lambda c: c <= 0, ">": lambda c: c > 0,
                                           "<": lambda c: c < 0}


def _range_value_ok(ix: Index, v: Node, bound: Literal, sign: str) -> bool:
    return _range_ok(v, bound, _SIGNS[sign])


def _conforms(ix: Index, v: Node, shape: Shape, engine: Engine) -> bool:
    return shape.conforms(ix, v, engine)


def _one_of(ix: Index, v: Node, shapes: list[Shape], engine: Engine) -> bool:
    return sum(s.conforms(ix, v, engine) for s in shapes) == 1


def _qualified(ix: Index, f: Node, vs: set[Node], shape: Shape, engine: Engine, n: int, least: bool) -> bool:
    count = sum(shape.conforms(ix, v, engine) for v in vs)
    return count < n if least else count > n


class Engine:
    """Compiled shapes (``compile_shapes``); ``run(data)`` validates one graph."""

    def __init__(self, shapes: Graph):
        self.graph = shapes
        self.shapes: dict[Node, Shape] = {}
        self.top: list[Shape] = []
        for node in _shape_nodes(shapes):
            shape = self.shape(node)
            if shape.targets or shape.sparql_targets:
                self.top.append(shape)
        reporting, todo = set(), list(self.top)
        while todo:  # the shapes whose failures are results: targeted ones and their sh:property shapes
            shape = todo.pop()
            if shape.node not in reporting:
                reporting.add(shape.node)
                todo += shape.properties
                if not isinstance(shape.node, URIRef) or not shape.messages:
                    raise Unsupported("a reporting shape without an IRI or without sh:message")
        self._sparql_cache: dict[tuple[Node, Node], dict[Node, list[Node | None]]] = {}
        self._store: object | None = None
        self._sparql_rows: dict[str, list[tuple[Node | None, ...]]] = {}
        self._select: Callable[[str], list[tuple[Node | None, ...]]] | None = None  # while a run's data is loaded
        self.predicates = _mentioned_predicates(self.sparql_texts())
        self._run_index: Index | None = None

    # compilation -------------------------------------------------------------------------------------------
    def shape(self, node: Node) -> Shape:
        if node in self.shapes:
            return self.shapes[node]
        g = self.graph
        if (node, RDF.type, RDFS.Class) in g or (node, RDF.type, URIRef(str(RDFS) + "Class")) in g:
            raise Unsupported("implicit class targets")
        if (node, SH.deactivated, None) in g:
            raise Unsupported("sh:deactivated")
        for p in set(g.predicates(node)):
            if p in SHAPE_PREDICATES and p not in SUPPORTED:
                raise Unsupported(f"{p}")
        path_node = g.value(node, SH.path)
        shape = Shape(node, path_node, compile_path(g, path_node) if path_node is not None else None,
                      g.value(node, SH.severity) or SH.Violation,  # type: ignore[arg-type]
                      tuple(g.objects(node, SH.message)))
        self.shapes[node] = shape
        for cls in g.objects(node, SH.targetClass):
            shape.targets.append(partial(_instances, cls=cls))
        for n in g.objects(node, SH.targetNode):
            shape.targets.append(partial(_the_node, node=n))
        for p in g.objects(node, SH.targetObjectsOf):
            shape.targets.append(partial(_objects_of, p=p))
        for p in g.objects(node, SH.targetSubjectsOf):
            shape.targets.append(partial(_subjects_of, p=p))
        for target in g.objects(node, SH.target):
            select = g.value(target, SH.select)
            if (target, RDF.type, SH.SPARQLTarget) not in g or select is None:
                raise Unsupported("a target other than a SPARQL target")
            shape.sparql_targets.append(self._with_prefixes(target, str(select)))
        self._compile_checks(shape)
        return shape

    def _with_prefixes(self, node: Node, text: str) -> str:
        declared = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in _declared(self.graph, node))
        return declared + text

    def _compile_checks(self, shape: Shape) -> None:
        g, node = self.graph, shape.node
        add: Callable[[Check], None] = shape.checks.append
        for n in g.objects(node, SH.minCount):
            add(_per_focus(shape, SH.MinCountConstraintComponent, partial(_fewer, n=int(str(n)))))
        for n in g.objects(node, SH.maxCount):
            add(_per_focus(shape, SH.MaxCountConstraintComponent, partial(_more, n=int(str(n)))))
        for cls in g.objects(node, SH["class"]):
            add(_per_value(shape, SH.ClassConstraintComponent, partial(_instance_ok, cls=cls)))
        for rule in g.objects(node, SH.datatype):
            add(_per_value(shape, SH.DatatypeConstraintComponent, partial(_datatype_value_ok, rule=rule)))
        for prop, sign in ((SH.minInclusive, ">="), (SH.maxInclusive, "<="), (SH.minExclusive, ">"),
                           (SH.maxExclusive, "<")):
            for bound in g.objects(node, prop):
                if not isinstance(bound, Literal):
                    raise Unsupported(f"{prop} of a non-literal")
                add(_per_value(shape, COMPONENT[prop], partial(_range_value_ok, bound=bound, sign=sign)))
        for value in g.objects(node, SH.hasValue):
            add(_per_focus(shape, SH.HasValueConstraintComponent, partial(_lacks, value=value)))
        for prop, strict in ((SH.lessThan, True), (SH.lessThanOrEquals, False)):
            for other in g.objects(node, prop):
                add(_per_pair(shape, COMPONENT[prop], other, strict))
        for ref in g.objects(node, SH.node):
            add(_per_value(shape, SH.NodeConstraintComponent, partial(_conforms, shape=self.shape(ref), engine=self)))
        for members in g.objects(node, SH.xone):
            add(_per_value(shape, SH.XoneConstraintComponent,
                           partial(_one_of, shapes=[self.shape(m) for m in Collection(g, members)], engine=self)))
        qualified = g.value(node, SH.qualifiedValueShape)
        if qualified is not None:
            inner = self.shape(qualified)
            for n in g.objects(node, SH.qualifiedMinCount):
                add(_per_focus(shape, SH.QualifiedMinCountConstraintComponent,
                               partial(_qualified, shape=inner, engine=self, n=int(str(n)), least=True)))
            for n in g.objects(node, SH.qualifiedMaxCount):
                add(_per_focus(shape, SH.QualifiedMaxCountConstraintComponent,
                               partial(_qualified, shape=inner, engine=self, n=int(str(n)), least=False)))
        for ref in g.objects(node, SH.property):
            shape.properties.append(self.shape(ref))
        for constraint in g.objects(node, SH.sparql):
            select = g.value(constraint, SH.select)
            if select is None or (constraint, SH.deactivated, None) in g:
                raise Unsupported("a SPARQL constraint without sh:select")
            text = self._with_prefixes(constraint, str(select))
            _check_sparql_constraint(text)
            shape.sparql.append((constraint, text, tuple(o for o in g.objects(constraint, SH.message)
                                                         if isinstance(o, Literal))))

    def sparql_texts(self) -> list[str]:
        return [t for s in self.shapes.values() for t in s.sparql_targets] + \
               [q for s in self.shapes.values() for _, q, _ in s.sparql]

    # evaluation --------------------------------------------------------------------------------------------
    def run(self, data: Graph | Index, extra: list[str] | None = None,
            prefixes: dict[str, str] | None = None, keep: Callable[[Shape, Node], bool] | None = None
            ) -> list[Failure]:
        """The failures of every targeted shape on ``data`` (with the ontology structure, as pySHACL sees it).
        ``extra``: more SELECT queries to run over the same data while it is loaded (``prefixes`` declared for
        them); their rows are left in ``self.answers``, by text. ``keep(shape, focus)``: whether to evaluate a
        targeted shape on a focus node at all (a shape not due on that node's policy is skipped, with the SPARQL
        constraints only it would run); None: every one."""
        ix = data.with_base(ontology_index()) if isinstance(data, Index) else Index(data, base=ontology_index())
        self._run_index = ix
        self._sparql_cache = {}
        self._sparql_rows = {}
        texts = self.sparql_texts()
        extra = list(extra or ())
        self.answers: dict[str, list[tuple[Node | None, ...]]] = {}
        if not texts and not extra:
            return self._evaluate(ix, keep)
        key = (tuple(extra), tuple(sorted((prefixes or {}).items())))
        if key not in _PREDICATES:
            _PREDICATES[key] = _mentioned_predicates(extra, prefixes)
        more = _PREDICATES[key]
        wanted = None if self.predicates is None or more is None else self.predicates | more
        with scratch_store(ix, wanted, prefixes) as select:
            self._select = select
            for text in extra:
                self.answers[text] = select(text)
            try:
                return self._evaluate(ix, keep)
            finally:
                self._select = None

    def _evaluate(self, ix: Index, keep: Callable[[Shape, Node], bool] | None) -> list[Failure]:
        out: list[Failure] = []
        for shape in self.top:
            focus = set().union(*(t(ix) for t in shape.targets)) if shape.targets else set()
            for text in shape.sparql_targets:
                focus |= {row[0] for row in self._rows(text) if row[0] is not None}
            for f in focus:
                if keep is None or keep(shape, f):
                    out += shape.failures(ix, f, self)
        return out

    def _rows(self, text: str) -> list[tuple[Node | None, ...]]:
        """The rows of one of the shapes' SPARQL texts over the data being validated, run when first needed."""
        found = self._sparql_rows.get(text)
        if found is None:
            assert self._select is not None, "a SPARQL text run outside Engine.run"
            found = self._sparql_rows[text] = self._select(text)
        return found

    def sparql_rows(self, shape: Shape, constraint: Node) -> dict[Node, list[Node | None]]:
        key = (shape.node, constraint)
        if key not in self._sparql_cache:
            text = next(q for c, q, _ in shape.sparql if c == constraint)
            by_focus: dict[Node, list[Node | None]] = {}
            for this, value in self._rows(text):
                if this is not None and value not in by_focus.setdefault(this, []):
                    by_focus[this].append(value)
            self._sparql_cache[key] = by_focus
        return self._sparql_cache[key]


def _check_sparql_constraint(text: str) -> None:
    """The projection this engine handles: $this and ?value (pySHACL also knows ?path and ?failure)."""
    head = re.split(r"\bWHERE\b", text, maxsplit=1, flags=re.IGNORECASE)[0]
    select = re.search(r"\bSELECT\b", head, re.IGNORECASE)
    head = head[select.end():] if select else ""
    names = re.findall(r"[?$](\w+)", head)
    if names != ["this", "value"] or "$PATH" in text or "$shapesGraph" in text or "$currentShape" in text:
        raise Unsupported("a SPARQL constraint projecting other than $this ?value")


def _shape_nodes(g: Graph) -> list[Node]:
    """Every node pySHACL treats as a shape with targets of its own: typed shapes, and nodes with a target."""
    found = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    for p in (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf, SH.target):
        found |= set(g.subjects(p, None))
    return sorted(found, key=str)


def _declared(g: Graph, node: Node) -> list[tuple[str, str]]:
    out = []
    for source in g.objects(node, SH.prefixes):
        for decl in g.objects(source, SH.declare):
            prefix, ns = g.value(decl, SH.prefix), g.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                out.append((str(prefix), str(ns)))
    return sorted(set(out))


def _mentioned_predicates(texts: list[str], prefixes: dict[str, str] | None = None) -> set[str] | None:
    """The predicate IRIs the SPARQL texts can match (from rdflib's algebra), or None when one matches any
    predicate (a variable or a negated property set), so every triple must be loaded."""
    if not texts:
        return set()
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import Variable

    out: set[str] = set()

    def path_iris(p: object) -> bool:
        if isinstance(p, URIRef):
            out.add(str(p))
            return True
        if isinstance(p, (SequencePath, AlternativePath)):
            return all(path_iris(q) for q in p.args)
        if isinstance(p, MulPath):
            return path_iris(p.path)
        if isinstance(p, InvPath):
            return path_iris(p.arg)
        return False  # a negated property set, or unknown: any predicate

    def walk(node: object) -> bool:
        if isinstance(node, dict):
            # BGP: (s, p, o) tuples; TriplesBlock: flat [s, p, o, s, ...] (CompValue.get returns the key if absent)
            for item in (node["triples"] if "triples" in node else ()):  # noqa: SIM401
                chunk = list(item)
                if len(chunk) % 3:
                    return False
                for p in chunk[1::3]:
                    if isinstance(p, Variable) or not path_iris(p):
                        return False
            return all(walk(v) for k, v in node.items() if k != "triples")
        if isinstance(node, (list, tuple)):
            return all(walk(v) for v in node)
        return True

    for text in texts:
        if not walk(prepareQuery(text, initNs=prefixes or {}).algebra):
            return None
    return out


# -- the ontology and the SPARQL scratch store -----------------------------------------------------------------
@cache
def ontology_index() -> Index:
    from kg.shacl.run import ontology_structure

    return Index(ontology_structure())


@cache
def _ontology_quads() -> list:
    import pyoxigraph as ox

    from kg.shacl.run import ontology_structure
    from kg.terms import ox_quad

    onto = ox.NamedNode("urn:privacy-kg:validate:ontology")
    return [ox_quad(t, onto) for t in ontology_structure()]


SCRATCH_USES = 50  # runs per in-memory store: see ``_scratch``
_SCRATCH: list = [None, 0]  # the store, and how many runs it has served


def _scratch() -> object:
    """The in-memory Oxigraph store with the ontology structure, made anew every ``SCRATCH_USES`` runs: each run
    loads a graph into it and clears it, and an in-memory store does not give the space back, so its queries and
    clears get slower run after run (validating a 1,000-policy store took 0.9 s a policy with one store for all
    runs, 0.06 s with a new store every 50: BENCHMARKS.md)."""
    import pyoxigraph as ox

    if _SCRATCH[0] is None or _SCRATCH[1] >= SCRATCH_USES:
        store = ox.Store()
        store.extend(_ontology_quads())
        _SCRATCH[0], _SCRATCH[1] = store, 0
    _SCRATCH[1] += 1
    return _SCRATCH[0]


_PREDICATES: dict[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], set[str] | None] = {}


def select_many(data: Graph | Index, texts: list[str], prefixes: dict[str, str] | None = None
                ) -> dict[str, list[tuple[Node | None, ...]]]:
    """The rows (rdflib terms) of each SELECT query of ``texts`` over ``data`` and the ontology structure, run in
    Oxigraph with ``prefixes`` declared; only the triples whose predicates the queries mention are loaded."""
    key = (tuple(texts), tuple(sorted((prefixes or {}).items())))
    if key not in _PREDICATES:
        _PREDICATES[key] = _mentioned_predicates(list(texts), prefixes)
    with scratch_store(data, _PREDICATES[key], prefixes) as select:
        return {text: select(text) for text in texts}


class scratch_store:  # noqa: N801 - a context manager used like a function
    """The data (its triples with the predicates ``predicates``; all when None) in the in-memory Oxigraph store
    beside the ontology structure; yields ``select(text) -> rows of rdflib terms`` over both. ``data``: a graph
    or an ``Index`` of one (then the triples are taken from the index, by predicate)."""

    def __init__(self, data: Graph | Index, predicates: set[str] | None, prefixes: dict[str, str] | None = None):
        self.data, self.predicates, self.prefixes = data, predicates, prefixes

    def __enter__(self) -> Callable[[str], list[tuple[Node | None, ...]]]:
        import pyoxigraph as ox

        from kg.terms import rows_as_rdflib, to_ox

        store = _scratch()
        assert isinstance(store, ox.Store)
        self.store, self.name = store, ox.NamedNode("urn:privacy-kg:validate:data")
        name = self.name
        if isinstance(self.data, Index):
            index = self.data
            wanted = index.pairs if self.predicates is None else \
                [URIRef(p) for p in self.predicates if URIRef(p) in index.pairs]
            triples: Iterable[tuple[Node, Node, Node]] = ((s, p, o) for p in wanted for s, o in index.pairs[p])
        else:
            keep = None if self.predicates is None else {URIRef(p) for p in self.predicates}
            triples = (t for t in self.data if keep is None or t[1] in keep)
        made: dict[Node, object] = {}

        def term(t: Node) -> object:
            found = made.get(t)
            if found is None:
                found = made[t] = to_ox(t)
            return found
        store.extend(ox.Quad(term(s), term(p), term(o), name)  # type: ignore[arg-type]
                     for s, p, o in triples)
        graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
            name, ox.NamedNode("urn:privacy-kg:validate:ontology")]
        prefixes = self.prefixes

        def select(text: str) -> list[tuple[Node | None, ...]]:
            result = store.query(text, default_graph=graphs, prefixes=prefixes)
            assert isinstance(result, ox.QuerySolutions)
            return rows_as_rdflib(result)
        return select

    def __exit__(self, *exc: object) -> None:
        self.store.clear_graph(self.name)


_ENGINES: dict[object, Engine] = {}


def compile_shapes(shapes: Graph, key: object = None) -> Engine:
    """The shapes compiled (``Unsupported`` when they need pySHACL); cached by ``key`` (the shape files)."""
    if key is not None and key in _ENGINES:
        return _ENGINES[key]
    engine = Engine(shapes)
    if key is not None:
        _ENGINES[key] = engine
    return engine

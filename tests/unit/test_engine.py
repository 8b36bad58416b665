"""The compiled SHACL engine (kg.shacl.engine) against pySHACL: the same results on the examples and on every
shape test's graph, every profile; its matrices against the rdflib evaluation of the requirements' queries; a
store's policy graphs (read as IndexGraph) against the same graph read from Turtle."""
from __future__ import annotations

import warnings

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from kg.graphio import closure_subjects, policy_closures
from kg.jurisdiction import policy_scopes
from kg.shacl import check, matrices, validate_graphs
from kg.shacl.engine import IndexGraph, Unsupported, compile_shapes
from kg.shacl.matrix import _NS, requirements
from kg.shacl.run import PROFILES, load_shapes, ontology_structure, profile_files, result_rows
from kg.shacl.validation import _Scoping, shape_profiles
from kg.sources import GraphSource, StoreSource
from kg.store import Store
from tests.helpers.graphs import acme_graph, sample_graph, zenith_graph
from tests.unit.test_validate import CASES, CORE_CASES


def same(g: Graph, profile: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rdflib warns about the ill-typed literals some cases make on purpose
        want = check(g, profile=profile, engine="pyshacl")
        got = check(g, profile=profile)
    assert got.results == want.results
    assert got.conforms == want.conforms and got.checked == want.checked
    assert len(got.report_graph) > 0 and (not got.results or len(got.report_graph) > len(got.results) * 5)


@pytest.mark.parametrize("profile", [p if p == "all" else pytest.param(p, marks=pytest.mark.slow) for p in PROFILES])
def test_same_results_as_pyshacl_on_the_examples(example_graph, profile):
    same(example_graph, profile)


@pytest.mark.parametrize("profile", PROFILES)
def test_same_results_as_pyshacl_on_the_hand_written_graphs(profile):
    for g in (acme_graph()[0], zenith_graph()[0], sample_graph()):
        same(g, profile)


@pytest.mark.slow
@pytest.mark.parametrize("case", CORE_CASES)
def test_same_results_as_pyshacl_on_each_core_case(case):
    g, _ = acme_graph()
    CORE_CASES[case][0](g)
    for profile in ("core", "all"):
        same(g, profile)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_same_results_as_pyshacl_on_each_requirement_case(case):
    profile, breaker, *_ = CASES[case]
    g, _ = zenith_graph()
    breaker(g)
    for p in (profile, "all"):
        same(g, p)


def test_the_shipped_shapes_compile_and_others_fall_back(tmp_path):
    compile_shapes(load_shapes(profile_files("all")))  # no Unsupported
    closed = tmp_path / "closed.ttl"
    closed.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://x/S> a sh:NodeShape ; sh:targetNode <http://x/a> ; sh:closed true ; sh:message "closed" .
""")
    with pytest.raises(Unsupported):
        compile_shapes(load_shapes([closed]))
    g = Graph()
    g.parse(data="<http://x/a> <http://x/p> 1 .", format="turtle")
    result = check(g, shapes=[closed])  # pySHACL answers
    assert [(r.source_shape, r.message) for r in result.results] == [(URIRef("http://x/S"), "closed")]
    assert not result.conforms


def _rdflib_answers(data: Graph, profile: str) -> dict:
    """The requirements' queries run by rdflib over data + ontology structure (the matrix before the engine)."""
    merged = Graph()
    merged += data
    merged += ontology_structure()
    names = ("gdpr", "ccpa") if profile == "all" else (profile,)
    texts = {q for p in names for r in requirements(p) for q in (r.evidence_query, r.condition_query) if q}
    return {t: [tuple(row) for row in merged.query(t, initNs=_NS)] for t in texts}


@pytest.mark.parametrize("profile", ["gdpr", "ccpa", "all"])
def test_matrices_same_as_with_rdflib(example_graph, profile):
    result = check(example_graph, profile=profile)
    fast = matrices(example_graph, result, profile)
    slow = matrices(example_graph, result, profile, answers=_rdflib_answers(example_graph, profile))
    assert [m.cells for m in fast] == [m.cells for m in slow]
    assert sum(len(c.facts) for m in fast for c in m.cells.values()) > 0


def test_a_store_validates_as_its_graph_file(example_graph, tmp_path):
    with Store(tmp_path / "db") as store:
        for iri, closure in policy_closures(example_graph).items():
            store._write_policy(ox.NamedNode(str(iri)), closure, [])
    with Store(tmp_path / "db", read_only=True) as store:
        source = StoreSource(store)
        parts = list(source.validation_parts())
        assert all(isinstance(p, IndexGraph) for p in parts) and len(parts) == 5
        from_store = validate_graphs(iter(parts), "all")
        from_graphs = validate_graphs(source.graphs(), "all")
    from_file = validate_graphs(GraphSource(example_graph).graphs(), "all")
    for v in (from_store, from_graphs):
        assert v.result.results == from_file.result.results
        assert [m.cells for m in v.matrices] == [m.cells for m in from_file.matrices]
        assert v.labels == {k: from_file.labels[k] for k in v.labels}
    assert from_store.render("text") == from_file.render("text")


def test_scoped_shapes_are_skipped_where_not_due_with_the_same_results(example_graph):
    """With profile all, the gdpr and ccpa shapes are not run on the policies they are not due on (the compiled
    engine skips them; pySHACL runs every shape and its results there are dropped): the same results, matrices,
    labels and counts, on the graph file and on each policy's own graph (as from a store)."""
    closures = list(policy_closures(example_graph).values())
    for graphs in ([example_graph], closures):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = validate_graphs(graphs, "all", engine="pyshacl")
        got = validate_graphs(graphs, "all")
        assert got.result.results == want.result.results and got.result.conforms == want.result.conforms
        assert [m.cells for m in got.matrices] == [m.cells for m in want.matrices]
        assert got.labels == want.labels and got.applied == want.applied
    assert got.applied["gdpr"][0] < got.applied["gdpr"][1]  # some policy is out of the gdpr profile's scope
    # and the skipping is real: on a policy out of gdpr's scope, the engine ran no gdpr shape at all
    files = profile_files("all")
    shapes = load_shapes(files)
    owner = shape_profiles(shapes)
    skipped = 0
    for g in closures:
        scopes = policy_scopes(g)
        if any("gdpr" in s.profiles for s in scopes.values()):
            continue
        ig = IndexGraph(g)
        scoping = _Scoping(owner, {p: {q for q, s in scopes.items() if p in s.profiles} for p in ("gdpr", "ccpa")},
                           closure_subjects(ig), set(scopes))
        every = result_rows(ig, shapes, files, per_policy=True)
        kept = result_rows(ig, shapes, files, per_policy=True, keep=scoping.keep)
        assert any(owner.get(r.source_shape) == "gdpr" for r in every)
        assert not any(owner.get(r.source_shape) == "gdpr" for r in kept)
        assert {r for r in every if scoping.counts(r.source_shape, r.focus)} == set(kept)
        skipped += 1
    assert skipped

"""Validate stage: shape files are valid SHACL; each requirement fails exactly where it should."""
import pytest
from graphs import acme, beta, sample_graph
from pyshacl.entrypoints import meta_validate
from rdflib import Graph, Literal
from rdflib.namespace import RDF, XSD

from kg.graph import build_graph, policy_iri
from kg.resources import shape_files
from kg.validate import fails, to_markdown, to_text, validate
from kg.vocab import OA, PPKG

pytestmark = pytest.mark.slow  # pySHACL over the ontology takes a few seconds per run


@pytest.mark.parametrize("path", shape_files(), ids=lambda p: p.name)
def test_shape_file_passes_shacl_shacl(path):
    conforms, _, text = meta_validate(Graph().parse(path))
    assert conforms, text


@pytest.mark.parametrize("path", shape_files(), ids=lambda p: p.name)
def test_every_shape_has_severity_message_and_comment(path):
    from rdflib.namespace import RDFS, SH
    g = Graph().parse(path)
    shapes = set(g.subjects(SH.severity, None))
    assert shapes
    for shape in shapes:
        assert g.value(shape, SH.message) is not None or any(g.objects(shape, SH.sparql)), shape
    for top in set(g.subjects(RDF.type, SH.NodeShape)):
        if any(g.objects(top, SH.targetClass)) or any(g.objects(top, SH.targetSubjectsOf)):
            assert g.value(top, RDFS.comment) is not None, top


def test_core_conforms_on_a_well_formed_graph():
    result = validate(sample_graph(), "core")
    assert result.conforms and not result.results, to_text(result)


def test_core_catches_bad_offsets_and_bad_duration():
    g = sample_graph()
    evidence = next(g.subjects(RDF.type, PPKG.Evidence))
    g.set((evidence, OA.end, Literal(10**6, datatype=XSD.integer)))
    period = next(g.subjects(RDF.type, PPKG.RetentionPeriod))
    g.set((period, RDF.value, Literal("two years")))
    result = validate(g, "core")
    assert not result.conforms
    got = {(r.focus, r.severity) for r in result.results}
    assert (evidence, "Violation") in got
    assert (period, "Violation") in got
    assert fails(result)


def test_core_reports_a_policy_without_controller():
    import dataclasses
    record = dataclasses.replace(beta(), controller=None)
    result = validate(build_graph([record]), "core")
    policy = policy_iri(record.document.doc_id)
    assert any(r.focus == policy and r.path == "dct:publisher" and r.severity == "Violation"
               for r in result.results)


def gdpr_cells(result, record):
    policy = policy_iri(record.document.doc_id)
    return {(r.requirement, r.severity) for r in result.results if r.focus == policy}


def test_gdpr_exact_results_per_policy():
    result = validate(sample_graph(), "gdpr")
    assert gdpr_cells(result, acme()) == {
        ("13(1)(b) DPO contact", "Warning"),
        ("13(2)(b) rectification", "Violation"),
        ("13(2)(b) restriction", "Warning"),
        ("13(2)(b) portability", "Warning"),
        ("13(2)(b) objection", "Warning"),
        ("13(2)(c) withdraw consent", "Violation"),  # relies on consent, never says it can be withdrawn
    }
    assert gdpr_cells(result, beta()) == {
        ("13(1)(a) controller contact", "Violation"),
        ("13(1)(b) DPO contact", "Warning"),
        ("13(1)(c) purposes", "Violation"),
        ("13(1)(c) legal basis", "Violation"),
        ("13(2)(b) access", "Violation"),
        ("13(2)(b) rectification", "Violation"),
        ("13(2)(b) erasure", "Violation"),
        ("13(2)(b) restriction", "Warning"),
        ("13(2)(b) portability", "Warning"),
        ("13(2)(b) objection", "Warning"),
        ("13(2)(d) complaint", "Violation"),
    }
    paths = {r.requirement: r.path for r in result.results}
    assert paths["13(2)(b) access"] == "ppkg:hasRightStatement / dpv:hasRight"
    assert paths["13(1)(a) controller contact"] == "dct:publisher / (ppkg:hasContactPoint | dpv:hasAddress)"


def test_warnings_alone_conform_unless_fail_on_warning():
    result = validate(build_graph([acme()]), "ccpa")
    ccpa = {(r.requirement, r.severity) for r in result.results}
    assert ccpa == {("non-discrimination", "Warning")}
    assert result.conforms and not fails(result) and fails(result, "warning")
    assert "non-discrimination" in to_markdown(result)

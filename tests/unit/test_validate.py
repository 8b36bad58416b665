"""Validate stage: shape files are valid SHACL with severity/message/comment on every shape; each core and GDPR
shape passes on a conforming graph and fails exactly where it should (focus, path, severity, shape)."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from graphs import acme_graph, sample_graph
from pyshacl.entrypoints import meta_validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, XSD

from kg.errors import BadShapes, UnknownName
from kg.resources import shape_files
from kg.validate import fails, node_labels, to_markdown, to_text, to_turtle, validate, validate_per_policy
from kg.vocab import DC, DPV, ID, LB, OA, PPKG, PUR, RIGHT, SCHEMA

KGSH = Namespace("https://w3id.org/privacy-kg/shapes#")
GDPRSH = Namespace("https://w3id.org/privacy-kg/shapes/gdpr#")


def one(g: Graph, cls: URIRef) -> URIRef:
    """The first node of a class, in IRI order (the fixture is deterministic)."""
    return sorted(g.subjects(RDF.type, cls))[0]


def rows(result):
    return {(r.focus, r.path, r.severity, r.source_shape) for r in result.results}


# -- the shape files themselves ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", shape_files(), ids=lambda p: p.name)
def test_shape_file_passes_shacl_shacl(path):
    conforms, _, text = meta_validate(Graph().parse(path), inference="none")
    assert conforms, text


@pytest.mark.parametrize("path", shape_files(), ids=lambda p: p.name)
def test_every_named_shape_has_severity_message_and_comment(path):
    g = Graph().parse(path)
    shapes = {s for cls in (SH.NodeShape, SH.PropertyShape) for s in g.subjects(RDF.type, cls)
              if isinstance(s, URIRef)}
    assert shapes
    for shape in shapes:
        for prop in (SH.severity, SH.message, RDFS.comment):
            assert g.value(shape, prop) is not None, (shape, prop)


# -- core ----------------------------------------------------------------------------------------------------------
def test_the_hand_written_graphs_conform():
    for profile in ("core", "gdpr"):
        result = validate(acme_graph()[0], profile=profile)
        assert result.conforms and result.results == (), to_text(result)
    result = validate(sample_graph(), profile="core")
    assert result.conforms and result.results == (), to_text(result)


def _set(g, s, p, o):
    g.set((s, p, o))
    return s


def _drop(g, s, p):
    g.remove((s, p, None))
    return s


def _sale(g):
    return one(g, PPKG.SalePractice)


def _evidence(g):
    return g.value(_sale(g), PPKG.evidence)


def _temporal(g):
    return one(g, DPV.TemporalDuration)


def _policy(g):
    return one(g, PPKG.PrivacyPolicy)


ORG = ID["org/acme-inc"]
ADS = ID["recipient/Advertiser"]
# id -> (break the Acme graph and return the expected focus, expected path, expected shape, expected value or None)
CORE_CASES: dict[str, tuple[Callable[[Graph], URIRef], str, URIRef, object]] = {
    "publisher missing": (lambda g: _drop(g, _policy(g), DCTERMS.publisher), "dct:publisher", KGSH.PolicyPublisher,
                          None),
    "text length missing": (lambda g: _drop(g, _policy(g), PPKG.textLength), "ppkg:textLength",
                            KGSH.PolicyTextLength, None),
    "two legal names": (lambda g: (g.add((ORG, DPV.hasName, Literal("Acme GmbH"))), ORG)[1], "dpv:hasName",
                        KGSH.ControllerName, None),
    "polarity missing": (lambda g: _drop(g, _sale(g), PPKG.negated), "ppkg:negated", KGSH.StatementPolarity, None),
    "evidence missing": (lambda g: _drop(g, _sale(g), PPKG.evidence), "ppkg:evidence", KGSH.StatementEvidence,
                         None),
    "controller missing": (lambda g: _drop(g, _sale(g), DPV.hasDataController), "dpv:hasDataController",
                           KGSH.PracticeController, None),
    "data missing": (lambda g: _drop(g, _sale(g), DPV.hasPersonalData), "dpv:hasPersonalData",
                     KGSH.PracticePersonalData, None),
    "data category typo": (lambda g: (_set(g, _sale(g), DPV.hasPersonalData, DC.Emial), DC.Emial)[1],
                           "skos:inScheme", KGSH.DataCategoryInScheme, None),
    "purpose from another scheme": (lambda g: (g.add((_sale(g), DPV.hasPurpose, DC.EmailAddress)),
                                               DC.EmailAddress)[1], "skos:inScheme", KGSH.PurposeInScheme, None),
    "recipient kind from another scheme": (lambda g: (_set(g, ADS, PPKG.recipientKind, PUR.Advertising),
                                                      PUR.Advertising)[1], "skos:inScheme",
                                           KGSH.RecipientKindInScheme, None),
    "right from another scheme": (lambda g: (g.add((one(g, PPKG.RightStatement), DPV.hasRight, LB.Consent)),
                                             LB.Consent)[1], "skos:inScheme", KGSH.RightInScheme, None),
    "legal basis from another scheme": (lambda g: (g.add((one(g, PPKG.LegalBasisStatement), DPV.hasLegalBasis,
                                                          RIGHT.Access)), RIGHT.Access)[1], "skos:inScheme",
                                        KGSH.LegalBasisInScheme, None),
    "recipient kind missing": (lambda g: _drop(g, ADS, PPKG.recipientKind), "ppkg:recipientKind",
                               KGSH.RecipientKind, None),
    "evidence source missing": (lambda g: _drop(g, _evidence(g), DCTERMS.source), "dct:source",
                                KGSH.EvidenceSource, None),
    "evidence text missing": (lambda g: _drop(g, _evidence(g), OA.exact), "oa:exact", KGSH.EvidenceExact, None),
    "negative start": (lambda g: _set(g, _evidence(g), OA.start, Literal(-1)), "oa:start", KGSH.EvidenceStart,
                       Literal(-1)),
    "start not before end": (lambda g: _set(g, _evidence(g), OA.start, g.value(_evidence(g), OA.end)), "oa:start",
                             KGSH.EvidenceStart, "end"),
    "end missing": (lambda g: _drop(g, _evidence(g), OA.end), "oa:end", KGSH.EvidenceEnd, None),
    "rule missing": (lambda g: _drop(g, _evidence(g), PPKG.rule), "ppkg:rule", KGSH.EvidenceRule, None),
    "end beyond the text": (lambda g: (_set(g, _evidence(g), OA.end, Literal(10 ** 6)), _policy(g))[1],
                            "^dct:source/oa:end", KGSH.EvidenceWithinText, Literal(10 ** 6)),
    "duration not a duration": (lambda g: _set(g, _temporal(g), RDF.value, Literal("two years")), "rdf:value",
                                KGSH.RetentionValue, Literal("two years")),
    "no retention kind": (lambda g: (g.remove((_temporal(g), RDF.type, DPV.TemporalDuration)),
                                     URIRef(f"{one(g, PPKG.RetentionPractice)}/retention/0"))[1], "",
                          KGSH.RetentionKind, None),
    "two retention kinds": (lambda g: (g.add((_temporal(g), RDF.type, DPV.EndlessDuration)), _temporal(g))[1], "",
                            KGSH.RetentionKind, None),
    "temporal without value": (lambda g: _drop(g, _temporal(g), RDF.value), "rdf:value",
                               KGSH.TemporalDurationValue, None),
}


@pytest.mark.parametrize("case", CORE_CASES)
def test_core_shape_fails_exactly_where_it_should(case):
    g, _ = acme_graph()
    breaker, path, shape, value = CORE_CASES[case]
    focus = breaker(g)
    result = validate(g, profile="core")
    assert [(r.focus, r.path, r.severity, r.source_shape) for r in result.results] == \
        [(focus, path, "Violation", shape)], to_text(result)
    if value == "end":
        value = g.value(_evidence(g), OA.end)
    if value is not None:
        assert result.results[0].value == value
    assert not result.conforms and fails(result)


@pytest.mark.filterwarnings("ignore:Failed to convert Literal lexical form to value:UserWarning")
def test_core_rejects_an_ill_typed_duration():
    g, _ = acme_graph()
    bad = Literal("two years", datatype=XSD.duration)
    _set(g, _temporal(g), RDF.value, bad)
    result = validate(g, profile="core")
    assert rows(result) == {(_temporal(g), "rdf:value", "Violation", KGSH.RetentionValue)}


def test_transfers_need_no_data_category():
    g, w = acme_graph()
    w.practice("transfer", "We rely on your consent.")  # any sentence of the text will do
    assert validate(g, profile="core").conforms


# -- GDPR ----------------------------------------------------------------------------------------------------------
def _drop_all(g, p, o=None):
    g.remove((None, p, o))


def _only_negated_purposes(g):
    for practice in list(g.subjects(DPV.hasPurpose, None)):
        g.set((practice, PPKG.negated, Literal(True)))


def _rights(g, *keep, negated=False):
    statement = one(g, PPKG.RightStatement)
    g.remove((statement, DPV.hasRight, None))
    for r in keep:
        g.add((statement, DPV.hasRight, r))
    g.set((statement, PPKG.negated, Literal(negated)))


ALL_RIGHTS = (RIGHT.Access, RIGHT.Rectification, RIGHT.Erasure, RIGHT.Complaint)
GDPR_CASES: dict[str, tuple[Callable[[Graph], None], str, str, URIRef]] = {
    "no controller name": (lambda g: _drop_all(g, DPV.hasName), "dct:publisher/dpv:hasName", "Violation",
                           GDPRSH.ControllerIdentity),
    "no controller contact": (lambda g: (_drop(g, ORG, DPV.hasAddress), _drop(g, ORG, PPKG.hasContactPoint)),
                              "dct:publisher/((ppkg:hasContactPoint/(schema:email|schema:telephone))|dpv:hasAddress)",
                              "Violation", GDPRSH.ControllerContact),
    "no privacy contact": (lambda g: _drop(g, ORG, PPKG.hasPrivacyContact), "dct:publisher/ppkg:hasPrivacyContact",
                           "Warning", GDPRSH.PrivacyContact),
    "no purpose": (lambda g: _drop_all(g, DPV.hasPurpose), "ppkg:hasPractice", "Violation", GDPRSH.Purposes),
    "purposes only in negated practices": (_only_negated_purposes, "ppkg:hasPractice", "Violation",
                                           GDPRSH.Purposes),
    "no legal basis": (lambda g: _drop_all(g, DPV.hasLegalBasis), "ppkg:hasStatement/dpv:hasLegalBasis", "Warning",
                       GDPRSH.LegalBasis),
    "no sharing statement": (lambda g: [g.remove((_policy(g), PPKG.hasPractice, p))
                                        for p in list(g.subjects(RDF.type, PPKG.SharingPractice))],
                             "ppkg:hasPractice", "Warning", GDPRSH.Recipients),
    "no retention period": (lambda g: _drop_all(g, DPV.hasStorageCondition), "ppkg:hasPractice", "Violation",
                            GDPRSH.Retention),
    "no access": (lambda g: _rights(g, RIGHT.Rectification, RIGHT.Erasure, RIGHT.Complaint),
                  "ppkg:hasRightStatement", "Warning", GDPRSH.RightOfAccess),
    "no rectification": (lambda g: _rights(g, RIGHT.Access, RIGHT.Erasure, RIGHT.Complaint),
                         "ppkg:hasRightStatement", "Warning", GDPRSH.RightToRectification),
    "no erasure": (lambda g: _rights(g, RIGHT.Access, RIGHT.Rectification, RIGHT.Complaint),
                   "ppkg:hasRightStatement", "Warning", GDPRSH.RightToErasure),
    "no complaint": (lambda g: _rights(g, RIGHT.Access, RIGHT.Rectification, RIGHT.Erasure),
                     "ppkg:hasRightStatement", "Warning", GDPRSH.Complaint),
}


@pytest.mark.parametrize("case", GDPR_CASES)
def test_gdpr_shape_fails_exactly_where_it_should(case):
    g, w = acme_graph()
    breaker, path, severity, shape = GDPR_CASES[case]
    breaker(g)
    result = validate(g, profile="gdpr")
    assert rows(result) == {(w.iri, path, severity, shape)}, to_text(result)
    assert result.conforms == (severity != "Violation")


def test_gdpr_rights_count_narrower_concepts_but_not_negated_statements():
    g, w = acme_graph()
    _rights(g, RIGHT.RightToKnow, RIGHT.CorrectInaccurate, RIGHT.DeleteAccount, RIGHT.Complaint)
    assert validate(g, profile="gdpr").results == ()
    _rights(g, *ALL_RIGHTS, negated=True)  # "you cannot ..." states no right
    assert {r.source_shape for r in validate(g, profile="gdpr").results} == {
        GDPRSH.RightOfAccess, GDPRSH.RightToRectification, GDPRSH.RightToErasure, GDPRSH.Complaint}


def test_gdpr_contact_by_telephone_counts():
    g, _ = acme_graph()
    _drop(g, ORG, DPV.hasAddress)
    contact = g.value(ORG, PPKG.hasContactPoint)
    g.remove((contact, SCHEMA.email, None))
    assert GDPRSH.ControllerContact in {r.source_shape for r in validate(g, profile="gdpr").results}
    g.add((contact, SCHEMA.telephone, Literal("+49 30 1234567")))
    assert validate(g, profile="gdpr").results == ()


# -- the whole sample, reports and renderers ---------------------------------------------------------------------
def test_per_policy_validation_equals_whole_graph_validation():
    g = sample_graph()
    for profile in ("core", "gdpr", "ccpa"):
        assert validate_per_policy(g, profile).results == validate(g, profile=profile).results
    # a statement that lost its evidence link leaves the evidence node unreachable from any policy: it is
    # validated with the whole graph as context, so its dct:source still resolves to a policy
    g.remove((_sale(g), PPKG.evidence, None))
    assert len(validate_per_policy(g, "core").results) == 1
    assert validate_per_policy(g, "all").results == validate(g, profile="all").results


def test_sample_gdpr_report_text_and_exit_decision():
    g = sample_graph()
    result = validate(g, profile="gdpr")
    (beta,) = g.subjects(PPKG.sourceFile, Literal("beta.txt"))
    assert {(r.focus, r.shape, r.severity) for r in result.results} == {
        (beta, "13(1)(a) controller contact", "Violation"),
        (beta, "13(1)(c) purposes", "Violation"),
        (beta, "13(1)(b) DPO contact", "Warning"),
        (beta, "13(1)(c) legal basis", "Warning"),
        (beta, "13(2)(b) access", "Warning"),
        (beta, "13(2)(b) rectification", "Warning"),
        (beta, "13(2)(b) erasure", "Warning"),
        (beta, "13(2)(d) complaint", "Warning"),
    }
    assert result.counts == {"Violation": 2, "Warning": 6, "Info": 0}
    assert not result.conforms and fails(result) and fails(result, "warning")
    text = to_text(result, node_labels(g))
    assert text.startswith("does not conform: 2 violations, 6 warnings, 0 infos\n\nBeta LLC (beta.txt)\n")
    assert "  Violation 13(1)(c) purposes: GDPR Art. 13(1)(c): no purpose of processing stated\n" in text
    assert "### Beta LLC (beta.txt)" in to_markdown(result, node_labels(g))
    report = Graph().parse(data=to_turtle(result), format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    assert len(set(report.objects(node, SH.result))) == 8


def test_warnings_alone_conform_unless_fail_on_warning():
    g, _ = acme_graph()
    _drop(g, ORG, PPKG.hasPrivacyContact)
    result = validate(g, profile="gdpr")
    assert result.conforms and not fails(result) and fails(result, "warning")
    with pytest.raises(UnknownName):
        fails(result, "info")


def test_shared_nodes_are_labelled_by_their_own_name():
    labels = node_labels(sample_graph())
    assert labels[ID["org/stripe"]] == "Stripe (shared)"
    assert labels[ID["org/acme-inc"]] == "Acme Inc. (acme.txt)"


# -- errors --------------------------------------------------------------------------------------------------------
def test_unknown_profile():
    with pytest.raises(UnknownName, match="unknown validation profile"):
        validate(sample_graph(), profile="hipaa")


def test_unparsable_shapes_file(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n[] a sh:NodeShape ;;\n")
    with pytest.raises(BadShapes) as exc:
        validate(sample_graph(), shapes=[bad])
    assert exc.value.path == str(bad) and "line 2" in exc.value.message


def test_shapes_pyshacl_refuses(tmp_path):
    bad = tmp_path / "values.ttl"
    bad.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://x/S> a sh:NodeShape ; sh:targetNode <http://x/a> ;
    sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?x { 1 } }" ] .
""")
    with pytest.raises(BadShapes, match="pySHACL cannot use these shapes") as exc:
        validate(sample_graph(), shapes=[bad])
    assert exc.value.path == str(bad)


def test_shapes_must_be_a_list_of_paths():
    with pytest.raises(TypeError, match="profile="):
        validate(sample_graph(), "gdpr")

"""Validate stage: shape files are valid SHACL with severity/message/comment on every shape; each core and GDPR
shape passes on a conforming graph and fails exactly where it should (focus, path, severity, shape)."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from pyshacl.entrypoints import meta_validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, XSD

from kg.errors import BadShapes, UnknownName
from kg.resources import shape_files
from kg.jurisdiction import policy_scopes
from kg.shacl import (MET, MISSING, NOT_APPLICABLE, check, fails, matrices, matrix, matrix_to_markdown, matrix_to_text,
                      node_labels, requirements, to_markdown, to_text, to_turtle, validate_graphs)
from kg.vocab import DC, DPV, ID, LB, OA, PPKG, PUR, RIGHT, SCHEMA
from tests.helpers.graphs import acme_graph, sample_graph, zenith_graph

KGSH = Namespace("https://w3id.org/privacy-kg/shapes#")
GDPRSH = Namespace("https://w3id.org/privacy-kg/shapes/gdpr#")
CCPASH = Namespace("https://w3id.org/privacy-kg/shapes/ccpa#")


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
    result = check(acme_graph()[0], profile="core")
    assert result.conforms and result.results == (), to_text(result)
    for profile in ("core", "gdpr", "ccpa", "all"):
        result = check(zenith_graph()[0], profile=profile)
        assert result.conforms and result.results == (), to_text(result)
    result = check(sample_graph(), profile="core")
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
    result = check(g, profile="core")
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
    result = check(g, profile="core")
    assert rows(result) == {(_temporal(g), "rdf:value", "Violation", KGSH.RetentionValue)}


def test_transfers_need_no_data_category():
    g, w = acme_graph()
    w.practice("transfer", "We rely on your consent.")  # any sentence of the text will do
    assert check(g, profile="core").conforms


# -- GDPR and CCPA: each requirement shape, broken on the Zenith graph (which states everything) ----------------
ZORG = ID["org/zenith-gmbh"]


def _drop_all(g, p, o=None):
    g.remove((None, p, o))


def _only_negated_purposes(g):
    for practice in list(g.subjects(DPV.hasPurpose, None)):
        g.set((practice, PPKG.negated, Literal(True)))


def _rights_statement(g, right):
    """The (first) right statement of Zenith stating ``right``."""
    return sorted(g.subjects(DPV.hasRight, right))[0]


def _unstate(g, *rights):
    """Remove ``rights`` from every right statement."""
    for r in rights:
        _drop_all(g, DPV.hasRight, r)


CASES: dict[str, tuple[str, Callable[[Graph], None], str, str, URIRef]] = {
    # id -> (profile, break the Zenith graph, expected path, expected severity, expected shape)
    "no controller name": ("gdpr", lambda g: _drop(g, ZORG, DPV.hasName), "dct:publisher/dpv:hasName",
                           "Violation", GDPRSH.ControllerIdentity),
    "no controller contact": ("gdpr", lambda g: (_drop(g, ZORG, DPV.hasAddress), _drop(g, ZORG, PPKG.hasContactPoint)),
                              "dct:publisher/((ppkg:hasContactPoint/(schema:email|schema:telephone))|dpv:hasAddress)",
                              "Violation", GDPRSH.ControllerContact),
    "no privacy contact": ("gdpr", lambda g: _drop(g, ZORG, PPKG.hasPrivacyContact),
                           "dct:publisher/ppkg:hasPrivacyContact", "Warning", GDPRSH.PrivacyContact),
    "no purpose": ("gdpr", lambda g: _drop_all(g, DPV.hasPurpose), "ppkg:hasPractice", "Violation", GDPRSH.Purposes),
    "purposes only in negated practices": ("gdpr", _only_negated_purposes, "ppkg:hasPractice", "Violation",
                                           GDPRSH.Purposes),
    # without any legal basis, the conditional legitimate-interest and withdraw-consent shapes do not apply
    "no legal basis": ("gdpr", lambda g: _drop_all(g, DPV.hasLegalBasis),
                       "(ppkg:hasStatement|ppkg:hasPractice)/dpv:hasLegalBasis", "Violation", GDPRSH.LegalBasis),
    "legitimate interest not stated": ("gdpr", lambda g: _drop_all(g, PPKG.legitimateInterest),
                                       "(ppkg:hasStatement|ppkg:hasPractice)/ppkg:legitimateInterest", "Warning",
                                       GDPRSH.LegitimateInterests),
    "no sharing statement": ("gdpr", lambda g: [g.remove((None, PPKG.hasPractice, p))
                                                for p in list(g.subjects(RDF.type, PPKG.SharingPractice))],
                             "ppkg:hasPractice", "Warning", GDPRSH.Recipients),
    "transfer without safeguard": ("gdpr", lambda g: _drop_all(g, PPKG.transferSafeguard), "ppkg:hasPractice",
                                   "Violation", GDPRSH.TransferSafeguards),
    "no retention period": ("gdpr", lambda g: _drop_all(g, DPV.hasStorageCondition), "ppkg:hasPractice",
                            "Violation", GDPRSH.Retention),
    "no access": ("gdpr", lambda g: _unstate(g, RIGHT.Access, RIGHT.RightToKnow), "ppkg:hasRightStatement",
                  "Violation", GDPRSH.RightOfAccess),
    "no rectification": ("gdpr", lambda g: _unstate(g, RIGHT.Rectification), "ppkg:hasRightStatement", "Violation",
                         GDPRSH.RightToRectification),
    "no erasure": ("gdpr", lambda g: _unstate(g, RIGHT.Erasure), "ppkg:hasRightStatement", "Violation",
                   GDPRSH.RightToErasure),
    "no restriction": ("gdpr", lambda g: _unstate(g, RIGHT.Restriction), "ppkg:hasRightStatement", "Violation",
                       GDPRSH.RightToRestriction),
    "no portability": ("gdpr", lambda g: _unstate(g, RIGHT.Portability), "ppkg:hasRightStatement", "Warning",
                       GDPRSH.RightToPortability),
    "no objection": ("gdpr", lambda g: _unstate(g, RIGHT.Objection), "ppkg:hasRightStatement", "Warning",
                     GDPRSH.RightToObject),
    "consent without withdrawal": ("gdpr", lambda g: _unstate(g, RIGHT.WithdrawConsent), "ppkg:hasRightStatement",
                                   "Violation", GDPRSH.WithdrawConsent),
    "no complaint": ("gdpr", lambda g: _unstate(g, RIGHT.Complaint), "ppkg:hasRightStatement", "Violation",
                     GDPRSH.Complaint),
    "no necessity": ("gdpr", lambda g: _drop_all(g, DPV.hasNecessity), "ppkg:hasPractice/dpv:hasNecessity",
                     "Warning", GDPRSH.StatutoryOrContractual),
    "automated decision-making not addressed": ("gdpr", lambda g: _unstate(g, RIGHT.AutomatedDecisionObjection),
                                                "ppkg:hasRightStatement", "Warning",
                                                GDPRSH.AutomatedDecisionMaking),
    "no categories": ("ccpa", lambda g: _drop_all(g, DPV.hasPersonalData), "ppkg:hasPractice", "Violation",
                      CCPASH.CategoriesCollected),
    "no purposes (CCPA)": ("ccpa", lambda g: _drop_all(g, DPV.hasPurpose), "ppkg:hasPractice", "Violation",
                           CCPASH.Purposes),
    "sale not addressed": ("ccpa", lambda g: _drop_all(g, PPKG.ccpaDisclosure, PPKG.Sale),
                           "ppkg:hasPractice/ppkg:ccpaDisclosure", "Violation", CCPASH.SoldOrNot),
    "sharing not addressed": ("ccpa", lambda g: _drop_all(g, PPKG.ccpaDisclosure, PPKG.Sharing),
                              "ppkg:hasPractice/ppkg:ccpaDisclosure", "Violation", CCPASH.SharedOrNot),
    "no right to know": ("ccpa", lambda g: _unstate(g, RIGHT.Access, RIGHT.RightToKnow), "ppkg:hasRightStatement",
                         "Violation", CCPASH.RightToKnow),
    "no right to delete": ("ccpa", lambda g: _unstate(g, RIGHT.Erasure), "ppkg:hasRightStatement", "Violation",
                           CCPASH.RightToDelete),
    "no non-discrimination": ("ccpa", lambda g: _unstate(g, RIGHT.NonDiscrimination), "ppkg:hasRightStatement",
                              "Warning", CCPASH.NonDiscrimination),
}


@pytest.mark.parametrize("case", CASES)
def test_requirement_shape_fails_exactly_where_it_should(case):
    profile, breaker, path, severity, shape = CASES[case]
    g, w = zenith_graph()
    assert check(g, profile=profile).results == ()  # conforms before
    breaker(g)
    result = check(g, profile=profile)
    assert rows(result) == {(w.iri, path, severity, shape)}, to_text(result)
    assert result.conforms == (severity != "Violation")


def test_ccpa_retention_per_category_reports_each_uncovered_category():
    g, w = zenith_graph()
    retained = one(g, PPKG.RetentionPractice)
    g.set((retained, DPV.hasPersonalData, DC.EmailAddress))  # the IP address is no longer covered
    result = check(g, profile="ccpa")
    assert [(r.focus, r.path, r.severity, r.source_shape, r.value) for r in result.results] == [
        (w.iri, "ppkg:hasPractice/dpv:hasPersonalData", "Violation", CCPASH.RetentionPerCategory, DC.IPAddress)]
    g.set((retained, DPV.hasPersonalData, DC.PersonalInformation))
    assert check(g, profile="ccpa").results == ()  # a broader category covers the narrower ones


@pytest.mark.parametrize("condition", ["consent", "legitimate interest", "transfer"])
def test_conditional_requirements_do_not_apply_without_their_condition(condition):
    g, w = zenith_graph()
    shape, name = {"consent": (GDPRSH.WithdrawConsent, "13(2)(c) withdraw consent"),
                   "legitimate interest": (GDPRSH.LegitimateInterests, "13(1)(d) legitimate interests"),
                   "transfer": (GDPRSH.TransferSafeguards, "13(1)(f) transfer safeguards")}[condition]
    if condition == "consent":
        _unstate(g, RIGHT.WithdrawConsent)
        g.remove((None, DPV.hasLegalBasis, LB.Consent))
    elif condition == "legitimate interest":
        _drop_all(g, PPKG.legitimateInterest)
        g.remove((None, DPV.hasLegalBasis, LB.LegitimateInterest))
    else:
        _drop_all(g, PPKG.transferSafeguard)
        g.set((one(g, PPKG.TransferPractice), PPKG.negated, Literal(True)))  # "we do not transfer": no condition
    result = check(g, profile="gdpr")
    assert shape not in {r.source_shape for r in result.results}
    assert matrix(g, result, "gdpr").cell(w.iri, name).status == NOT_APPLICABLE


def test_gdpr_rights_count_narrower_concepts_but_not_negated_statements():
    g, w = zenith_graph()
    statement = _rights_statement(g, RIGHT.Rectification)
    _unstate(g, RIGHT.Rectification, RIGHT.Erasure)
    g.add((statement, DPV.hasRight, RIGHT.CorrectInaccurate))
    g.add((statement, DPV.hasRight, RIGHT.DeleteAccount))
    assert check(g, profile="gdpr").results == ()
    for s in list(g.subjects(RDF.type, PPKG.RightStatement)):
        g.set((s, PPKG.negated, Literal(True)))  # "you cannot ..." states no right
    assert {r.source_shape for r in check(g, profile="gdpr").results} == {
        GDPRSH.RightOfAccess, GDPRSH.RightToRectification, GDPRSH.RightToErasure, GDPRSH.RightToRestriction,
        GDPRSH.RightToPortability, GDPRSH.RightToObject, GDPRSH.WithdrawConsent, GDPRSH.Complaint}
    # a negative statement about automated decision-making still addresses it


def test_gdpr_contact_by_telephone_counts():
    g, _ = zenith_graph()
    _drop(g, ZORG, DPV.hasAddress)
    contact = g.value(ZORG, PPKG.hasContactPoint)
    g.remove((contact, SCHEMA.email, None))
    assert GDPRSH.ControllerContact in {r.source_shape for r in check(g, profile="gdpr").results}
    g.add((contact, SCHEMA.telephone, Literal("+49 40 1234567")))
    assert check(g, profile="gdpr").results == ()


# -- the companies x requirements matrix -----------------------------------------------------------------------
def test_requirements_are_the_named_shapes_in_order():
    gdpr = requirements("gdpr")
    assert [r.name for r in gdpr][:3] == ["13(1)(a) controller identity", "13(1)(a) controller contact",
                                          "13(1)(b) DPO contact"]
    assert len(gdpr) == 19 and len(requirements("ccpa")) == 8
    assert {r.shape for r in gdpr if r.condition_query} == {
        GDPRSH.LegitimateInterests, GDPRSH.TransferSafeguards, GDPRSH.WithdrawConsent}
    with pytest.raises(UnknownName):
        requirements("core")


def test_matrix_all_met_traces_every_cell_to_facts():
    g, w = zenith_graph()
    result = check(g, profile="all")
    for m in matrices(g, result, "all"):
        assert set(m.row(w.iri).values()) == {MET}
        for r in m.requirements:
            cell = m.cell(w.iri, r.shape)
            assert cell.facts, r.name
    gdpr = matrix(g, result, "gdpr")
    (fact,) = gdpr.cell(w.iri, "13(2)(d) complaint").facts
    assert fact.node == _rights_statement(g, RIGHT.Complaint)
    assert fact.quote.startswith("You have the right to access, rectify")
    (identity,) = gdpr.cell(w.iri, "13(1)(a) controller identity").facts
    assert identity.node == ZORG and identity.quote.startswith("Zenith GmbH, 2 Harbour Road")


def test_matrix_on_the_sample_missing_and_not_applicable():
    g = sample_graph()
    (acme,) = g.subjects(PPKG.sourceFile, Literal("acme.txt"))
    (beta,) = g.subjects(PPKG.sourceFile, Literal("beta.txt"))
    result = check(g, profile="gdpr")
    m = matrix(g, result, "gdpr")
    assert m.policies == (acme, beta)
    assert m.labels[acme] == "Acme Inc. (acme.txt)"
    acme_row, beta_row = m.row(acme), m.row(beta)
    # Acme relies on consent but does not say it can be withdrawn; Beta states no legal basis at all
    assert acme_row["13(2)(c) withdraw consent"] == MISSING and beta_row["13(2)(c) withdraw consent"] == NOT_APPLICABLE
    for name in ("13(1)(d) legitimate interests", "13(1)(f) transfer safeguards"):
        assert acme_row[name] == beta_row[name] == NOT_APPLICABLE
    assert acme_row["13(2)(b) access"] == MET and beta_row["13(2)(b) access"] == MISSING
    (row,) = m.cell(acme, "13(2)(c) withdraw consent").results
    assert (row.focus, row.path, row.severity, row.source_shape) == (
        acme, "ppkg:hasRightStatement", "Violation", GDPRSH.WithdrawConsent)
    # every missing cell is exactly the results of its shape on that policy, every met cell has facts
    for (policy, shape), cell in m.cells.items():
        expected = {r for r in result.results if r.focus == policy and r.source_shape == shape}
        assert set(cell.results) == expected
        assert (cell.status == MISSING) == bool(expected)
        if cell.status == MET:
            assert cell.facts, (policy, shape)
    # per-policy validation gives the same matrix
    assert matrix(g, check(g, profile="gdpr", per_policy=True), "gdpr").cells == m.cells


def test_matrix_needs_a_result_that_ran_the_profile():
    g = sample_graph()
    with pytest.raises(ValueError, match="did not run the gdpr shapes"):
        matrix(g, check(g, profile="core"), "gdpr")
    assert matrices(g, check(g, profile="core"), "core") == []


def test_matrix_renderers_and_report_order():
    g = sample_graph()
    result = check(g, profile="all")
    gdpr, ccpa = matrices(g, result, "all")
    text = matrix_to_text(gdpr)
    lines = text.splitlines()
    assert lines[0].startswith("GDPR Art. 13: ✓ met, ✗ missing, – not applicable")
    assert lines[2].startswith("Acme Inc. (acme.txt)") and lines[3].startswith("Beta LLC (beta.txt)")
    assert "  1  13(1)(a) controller identity  (Violation if missing)" in lines
    assert lines[2].split()[-19:][15] == "✗" and lines[3].split()[-19:][15] == "–"  # withdraw consent
    md = matrix_to_markdown(ccpa)
    assert md.startswith("### CCPA") and "| company | categories collected |" in md
    assert "- ✗ **right to know** (Violation): shape `<https://w3id.org/privacy-kg/shapes/ccpa#RightToKnow>`" in md
    validation = validate_graphs([g], "all", scoped=False)  # the sample policies say nothing of their jurisdiction
    assert validation.result.results == result.results
    scoped = validate_graphs([g], "all")  # with profile all, gdpr and ccpa count only where due
    due = {p: {q for q, s in policy_scopes(g).items() if p in s.profiles} for p in ("gdpr", "ccpa")}
    assert scoped.applied == {"core": (2, 2), "gdpr": (len(due["gdpr"]), 2), "ccpa": (len(due["ccpa"]), 2)}
    assert len(due["gdpr"]) == 1 and not due["ccpa"]  # Acme's controller is in Germany
    assert set(scoped.result.results) < set(result.results)
    for m in scoped.matrices:
        for (policy, _), cell in m.cells.items():
            assert (cell.status == NOT_APPLICABLE) if policy not in due[m.profile] else True
            assert cell == (validation.matrices[0] if m.profile == "gdpr" else validation.matrices[1]).cells[
                (policy, _)] or policy not in due[m.profile]
    report = validation.render("text")
    assert report.startswith("GDPR Art. 13") and report.index("CCPA") < report.index("does not conform")
    assert validation.render("markdown").startswith("### GDPR Art. 13")
    assert validation.render("turtle") == to_turtle(validation.result)
    core = validate_graphs([g], "core")
    assert core.render("text") == to_text(core.result, node_labels(g)) + "\nprofiles applied: core to 2 of 2 policies\n"


# -- the whole sample, reports and renderers ---------------------------------------------------------------------
def test_per_policy_validation_equals_whole_graph_validation():
    g = sample_graph()
    for profile in ("core", "gdpr", "ccpa"):
        assert check(g, profile=profile, per_policy=True).results == check(g, profile=profile).results
    # a statement that lost its evidence link leaves the evidence node unreachable from any policy: it is
    # validated with the whole graph as context, so its dct:source still resolves to a policy
    g.remove((_sale(g), PPKG.evidence, None))
    assert len(check(g, profile="core", per_policy=True).results) == 1
    assert check(g, profile="all", per_policy=True).results == check(g, profile="all").results


def test_sample_gdpr_report_text_and_exit_decision():
    g = sample_graph()
    result = check(g, profile="gdpr")
    (acme,) = g.subjects(PPKG.sourceFile, Literal("acme.txt"))
    (beta,) = g.subjects(PPKG.sourceFile, Literal("beta.txt"))
    both = {("13(2)(b) restriction", "Violation"), ("13(2)(b) portability", "Warning"),
            ("13(2)(b) objection", "Warning"), ("13(2)(e) statutory/contractual requirement", "Warning"),
            ("13(2)(f) automated decision-making", "Warning")}
    assert {(r.focus, r.shape, r.severity) for r in result.results} == (
        {(acme, s, v) for s, v in both | {("13(2)(c) withdraw consent", "Violation")}} |
        {(beta, s, v) for s, v in both | {
            ("13(1)(a) controller contact", "Violation"), ("13(1)(c) purposes", "Violation"),
            ("13(1)(b) DPO contact", "Warning"), ("13(1)(c) legal basis", "Violation"),
            ("13(2)(b) access", "Violation"), ("13(2)(b) rectification", "Violation"),
            ("13(2)(b) erasure", "Violation"), ("13(2)(d) complaint", "Violation")}})
    assert result.counts == {"Violation": 10, "Warning": 9, "Info": 0}
    assert not result.conforms and fails(result) and fails(result, "warning")
    text = to_text(result, node_labels(g))
    assert text.startswith("does not conform: 10 violations, 9 warnings, 0 infos\n\nAcme Inc. (acme.txt)\n")
    assert "  Violation 13(1)(c) purposes: GDPR Art. 13(1)(c): no purpose of processing stated\n" in text
    assert "### Beta LLC (beta.txt)" in to_markdown(result, node_labels(g))
    report = Graph().parse(data=to_turtle(result), format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    assert len(set(report.objects(node, SH.result))) == 19


def test_warnings_alone_conform_unless_fail_on_warning():
    g, _ = zenith_graph()
    _drop(g, ZORG, PPKG.hasPrivacyContact)
    result = check(g, profile="gdpr")
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
        check(sample_graph(), profile="hipaa")


def test_unparsable_shapes_file(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n[] a sh:NodeShape ;;\n")
    with pytest.raises(BadShapes) as exc:
        check(sample_graph(), shapes=[bad])
    assert exc.value.path == str(bad) and "line 2" in exc.value.message


def test_shapes_pyshacl_refuses(tmp_path):
    bad = tmp_path / "values.ttl"
    bad.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://x/S> a sh:NodeShape ; sh:targetNode <http://x/a> ;
    sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?x { 1 } }" ] .
""")
    with pytest.raises(BadShapes, match="pySHACL cannot use these shapes") as exc:
        check(sample_graph(), shapes=[bad])
    assert exc.value.path == str(bad)


def test_shapes_must_be_a_list_of_paths():
    with pytest.raises(TypeError, match="profile="):
        check(sample_graph(), "gdpr")

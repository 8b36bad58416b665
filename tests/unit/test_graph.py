"""Graph stage: a hand-made PolicyRecord gives the triples docs/graph-model.md promises."""
import dataclasses

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from kg.graph import build_graph, org_iri, policy_graph, policy_iri
from kg.model import Contact, ControllerInfo, Document, Evidence, PolicyRecord, Practice, RecipientMention, Retention
from kg.vocab import DC, DPV, LOC, OA, ORG, PPKG, PUR, RK, SCHEMA

TEXT = ("Acme Widgets Inc. is the data controller.\nWe will not sell your e-mail address.\n"
        "We share usage data with Stripe for payments.\nE-mails are stored for up to 1 year.\n")


def ev(sentence: str, index: int, rule: str) -> Evidence:
    start = TEXT.index(sentence)
    return Evidence("ab" * 8, index, start, start + len(sentence), sentence, ("Privacy",), rule, "")


def record() -> PolicyRecord:
    doc = Document("in/acme.txt", "acme.txt", "text/plain", TEXT, "ab" * 32, "utf-8")
    s0, s1, s2, s3 = TEXT.strip().split("\n")
    controller = ControllerInfo(
        "Acme Widgets Inc.", ev(s0, 0, "controller.is-controller.v1"), aliases=("Acme",),
        contacts=(Contact("email", "privacy@acme.example", ev(s0, 0, "contact.email.v1")),), country="CA")
    practices = (
        Practice("sell", True, ev(s1, 1, "sell.verb.v1"), data=(str(DC.EmailAddress),)),
        Practice("share", False, ev(s2, 2, "share.verb.v1"), data=(str(DC.UsageData),),
                 purposes=(str(PUR.Payment),),
                 recipients=(RecipientMention(str(RK.PaymentProcessor), "Stripe", str(ORG.Stripe)),
                             RecipientMention(str(RK.ThirdParty)),
                             RecipientMention(str(RK.Affiliate), "Acme Widgets Inc."),
                             # the company by another form of its name: without the legal form, or an alias
                             RecipientMention(str(RK.ServiceProvider), "Acme Widgets"),
                             RecipientMention(str(RK.ServiceProvider), "ACME"))),
        Practice("retain", False, ev(s3, 3, "retain.verb.v1"), data=(str(DC.Communications),),
                 retention=(Retention("temporal", "for up to 1 year", "P1Y", 365.0, "upper", None),
                            Retention("until_event", "as long as your account is active", None, None, None,
                                      "AccountClosure"))),
    )
    return PolicyRecord(doc, controller, practices, "en_core_web_sm 3.8.0", "2024-01-31")


def test_policy_node_and_controller():
    g = policy_graph(record())
    policy, org = policy_iri("ab" * 8), org_iri("Acme Widgets Inc.")
    assert org == URIRef("https://w3id.org/privacy-kg/id/org/acme-widgets-inc")
    assert (policy, RDF.type, PPKG.PrivacyPolicy) in g
    assert g.value(policy, DCTERMS.publisher) == org
    assert g.value(policy, DCTERMS.modified) == Literal("2024-01-31", datatype=XSD.date)
    assert g.value(org, DPV.hasName) == Literal("Acme Widgets Inc.")
    assert g.value(org, DPV.hasCountry) == LOC.CA
    contact = g.value(org, PPKG.hasContactPoint)
    assert g.value(contact, SCHEMA.email) == Literal("privacy@acme.example")


def test_every_fact_has_evidence_that_slices_the_text():
    g = policy_graph(record())
    statements = set(g.subjects(RDF.type, PPKG.Statement))
    assert len(statements) == 3
    for s in statements:
        e = g.value(s, PPKG.evidence)
        start, end = int(g.value(e, OA.start)), int(g.value(e, OA.end))
        assert TEXT[start:end] == str(g.value(e, OA.exact))
        assert g.value(e, PPKG.rule) is not None
        assert g.value(s, PPKG.negated) is not None


def test_negative_sale_is_a_negated_sharing_practice():
    g = policy_graph(record())
    (sale,) = g.subjects(RDF.type, PPKG.SalePractice)
    assert (sale, RDF.type, PPKG.SharingPractice) in g
    assert (sale, PPKG.ccpaDisclosure, PPKG.Sale) in g
    assert g.value(sale, PPKG.negated) == Literal(True)


def test_named_and_unnamed_recipients_and_not_the_controller_itself():
    g = policy_graph(record())
    (share,) = (s for s in g.subjects(RDF.type, PPKG.SharingPractice) if (s, RDF.type, PPKG.SalePractice) not in g)
    recipients = set(g.objects(share, DPV.hasRecipient))
    stripe = org_iri("Stripe")
    assert recipients == {stripe, URIRef("https://w3id.org/privacy-kg/id/recipient/ThirdParty")}
    assert g.value(stripe, PPKG.recipientKind) == RK.PaymentProcessor
    assert g.value(stripe, PPKG.organisation) == ORG.Stripe


def test_a_disclosure_only_to_the_company_itself_is_no_disclosure():
    rec = record()
    own_only = Practice("share", False, rec.practices[1].evidence, data=(str(DC.UsageData),),
                        recipients=(RecipientMention(str(RK.ServiceProvider), "Acme Widgets"),))
    g = policy_graph(dataclasses.replace(rec, practices=(*rec.practices, own_only)))
    assert len(set(g.subjects(RDF.type, PPKG.SharingPractice))) == 2  # the sale and the share to Stripe


def test_retention_periods():
    g = policy_graph(record())
    (retain,) = g.subjects(RDF.type, PPKG.RetentionPractice)
    periods = {g.value(p, RDF.value): p for p in g.objects(retain, DPV.hasStorageCondition)}
    p1y = periods[Literal("P1Y", datatype=XSD.duration)]
    assert (p1y, RDF.type, DPV.TemporalDuration) in g
    assert g.value(p1y, PPKG.durationBound) == PPKG.UpperBound
    assert float(g.value(p1y, PPKG.durationDays)) == 365.0
    event = periods[None]
    assert (event, RDF.type, DPV.UntilEventDuration) in g
    assert g.value(event, PPKG.retentionTrigger) == PPKG.AccountClosure


def test_deterministic_and_no_blank_nodes():
    a, b = build_graph([record()]), build_graph([record()])
    assert set(a) == set(b)
    assert not any(isinstance(t, BNode) for triple in a for t in triple)


def test_manifest_metadata_and_where_the_name_comes_from():
    import dataclasses

    from kg.model import PolicyMetadata

    plain = policy_graph(record())
    policy = policy_iri("ab" * 8)
    assert plain.value(policy, PPKG.publisherNameSource) == PPKG.NameFromText
    assert not set(plain.triples((policy, PPKG.sourceUrl, None)))
    meta = PolicyMetadata("Acme Holdings plc", "https://acme.example/privacy", "EU", "2024-05-31", "m.csv:2")
    given = dataclasses.replace(record().controller, legal_name="Acme Holdings plc", evidence=None,
                                named_by="manifest")
    g = policy_graph(dataclasses.replace(record(), controller=given, metadata=meta))
    org = org_iri("Acme Holdings plc")
    assert g.value(policy, DCTERMS.publisher) == org
    assert g.value(policy, PPKG.publisherNameSource) == PPKG.NameFromManifest
    assert g.value(policy, PPKG.sourceUrl) == URIRef("https://acme.example/privacy")
    assert g.value(policy, PPKG.jurisdiction) == Literal("EU")
    assert g.value(policy, PPKG.retrievedOn) == Literal("2024-05-31", datatype=XSD.date)
    assert g.value(org, PPKG.evidence) is None  # a name the text never writes has no evidence
    assert g.value(org, DPV.hasName) == Literal("Acme Holdings plc")


def test_the_graph_says_which_release_ontology_and_rules_built_it():
    from rdflib.namespace import PROV

    import kg
    from kg.resources import rules_version
    from kg.vocab import ONTOLOGY_VERSION
    g = policy_graph(record())
    activity = g.value(policy_iri("ab" * 8), PROV.wasGeneratedBy)
    assert (activity, RDF.type, PPKG.BuildActivity) in g
    assert g.value(activity, PPKG.softwareVersion) == Literal(f"privacy-kg {kg.__version__}")
    assert g.value(activity, PPKG.ontologyVersion) == ONTOLOGY_VERSION
    assert str(g.value(activity, PPKG.ruleSetVersion)) == rules_version() and rules_version().startswith("rules-")

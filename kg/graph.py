"""Graph stage: a PolicyRecord in, an rdflib Graph out (the contract is docs/graph-model.md).

Pure and deterministic: IRIs come from content hashes and names, never from counters or blank nodes, so the
same input always gives the same triples and per-policy graphs can be merged, replaced or compared.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from kg.model import Contact, ControllerInfo, Evidence, PolicyRecord, Practice, RecipientMention, Retention
from kg.normalize.countries import country_name
from kg.normalize.organisations import slug
from kg.vocab import DPV, ID, LOC, OA, PPKG, SCHEMA, bind_prefixes

PRACTICE_CLASS = {
    "collect": (PPKG.CollectionPractice, DPV.Collect),
    "use": (PPKG.UsePractice, DPV.Use),
    "share": (PPKG.SharingPractice, DPV.Share),
    "sell": (PPKG.SalePractice, DPV.Share),
    "retain": (PPKG.RetentionPractice, DPV.Store),
    "transfer": (PPKG.TransferPractice, DPV.CrossBorderTransfer),
}
STATEMENT_CLASS = {
    "right": (PPKG.RightStatement, DPV.hasRight),
    "legal_basis": (PPKG.LegalBasisStatement, DPV.hasLegalBasis),
    "audience": (PPKG.AudienceStatement, PPKG.audience),
    "dnt": (PPKG.DoNotTrackStatement, PPKG.doNotTrackStance),
    "security": (PPKG.SecurityStatement, PPKG.securityMeasure),
    "choice": (PPKG.ChoiceStatement, PPKG.choiceType),
    "change": (PPKG.PolicyChangeStatement, None),
}
RETENTION_CLASS = {
    "temporal": DPV.TemporalDuration,
    "until_event": DPV.UntilEventDuration,
    "endless": DPV.EndlessDuration,
    "indeterminate": DPV.IndeterminateDuration,
}
BOUND = {"upper": PPKG.UpperBound, "exact": PPKG.ExactBound, "lower": PPKG.LowerBound}
CONTACT_PROPERTY = {"email": SCHEMA.email, "phone": SCHEMA.telephone, "url": SCHEMA.url}


def _h(*parts: object, n: int = 12) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:n]


def policy_iri(doc_id: str) -> URIRef:
    return ID[f"policy/{doc_id}"]


def org_iri(name: str) -> URIRef:
    return ID[f"org/{slug(name)}"]


def statement_iri(policy: URIRef, p: Practice) -> URIRef:
    e = p.evidence
    key = _h(e.rule, e.start, e.end, p.kind, p.negated, sorted(p.data), sorted(p.purposes), sorted(p.values),
             sorted((r.kind, r.name or "") for r in p.recipients), [r.text for r in p.retention],
             p.third_party_collects)
    return URIRef(f"{policy}/{p.kind.replace('_', '-')}/{key}")


def policy_graph(record: PolicyRecord) -> Graph:
    """The triples of one policy: document, controller, statements, evidence."""
    g = bind_prefixes(Graph())
    doc = record.document
    policy = policy_iri(doc.doc_id)
    g.add((policy, RDF.type, PPKG.PrivacyPolicy))
    g.add((policy, PPKG.sourceFile, Literal(doc.name)))
    g.add((policy, PPKG.contentHash, Literal(doc.sha256)))
    g.add((policy, PPKG.mediaType, Literal(doc.media_type)))
    g.add((policy, PPKG.textLength, Literal(len(doc.text), datatype=XSD.integer)))
    g.add((policy, PPKG.extractorModel, Literal(record.model)))
    if record.date:
        g.add((policy, DCTERMS.modified, Literal(record.date, datatype=XSD.date)))
        if record.date_evidence:
            g.add((policy, PPKG.evidence, _evidence(g, policy, record.date_evidence)))
    controller = _controller(g, policy, record.controller) if record.controller else None
    for practice in record.practices:
        _statement(g, policy, controller, practice)
    return g


def build_graph(records: Iterable[PolicyRecord]) -> Graph:
    g = bind_prefixes(Graph())
    for record in records:
        g += policy_graph(record)
    return g


def _evidence(g: Graph, policy: URIRef, e: Evidence, node: URIRef | None = None) -> URIRef:
    node = node or URIRef(f"{policy}/evidence/{_h(e.sentence_index, e.rule, e.matched)}")
    g.add((node, RDF.type, PPKG.Evidence))
    g.add((node, DCTERMS.source, policy))
    g.add((node, OA.exact, Literal(e.text)))
    g.add((node, OA.start, Literal(e.start, datatype=XSD.integer)))
    g.add((node, OA.end, Literal(e.end, datatype=XSD.integer)))
    g.add((node, PPKG.sentenceIndex, Literal(e.sentence_index, datatype=XSD.integer)))
    g.add((node, PPKG.rule, Literal(e.rule)))
    if e.section:
        g.add((node, PPKG.sectionPath, Literal(" > ".join(e.section))))
    if e.matched:
        g.add((node, PPKG.matchedText, Literal(e.matched)))
    return node


def _controller(g: Graph, policy: URIRef, c: ControllerInfo) -> URIRef:
    org = org_iri(c.legal_name)
    g.add((policy, DCTERMS.publisher, org))
    g.add((org, RDF.type, PPKG.Controller))
    g.add((org, RDF.type, DPV.Organisation))
    g.add((org, DPV.hasName, Literal(c.legal_name)))
    g.add((org, PPKG.evidence, _evidence(g, policy, c.evidence)))
    for alias in c.aliases:
        g.add((org, PPKG.alias, Literal(alias)))
    if c.country:
        g.add((org, DPV.hasCountry, LOC[c.country]))
    for contact in c.contacts:
        if contact.kind == "address":
            g.add((org, DPV.hasAddress, Literal(contact.value)))
            g.add((org, PPKG.evidence, _evidence(g, policy, contact.evidence)))
        else:
            g.add((org, PPKG.hasContactPoint, _contact(g, policy, org, contact)))
    if c.privacy_contact:
        pc = c.privacy_contact
        node = URIRef(f"{org}/privacy-contact")
        g.add((org, PPKG.hasPrivacyContact, node))
        g.add((node, RDF.type, PPKG.PrivacyContact))
        if pc.is_dpo:
            g.add((node, RDF.type, DPV.DataProtectionOfficer))
        g.add((node, PPKG.role, Literal(pc.role)))
        if pc.name:
            g.add((node, DPV.hasName, Literal(pc.name)))
        for contact in pc.contacts:
            g.add((node, PPKG.hasContactPoint, _contact(g, policy, org, contact)))
        g.add((node, PPKG.evidence, _evidence(g, policy, pc.evidence)))
    return org


def _contact(g: Graph, policy: URIRef, org: URIRef, contact: Contact) -> URIRef:
    node = URIRef(f"{org}/contact/{contact.kind}-{_h(contact.value)}")
    g.add((node, RDF.type, PPKG.ContactPoint))
    g.add((node, CONTACT_PROPERTY[contact.kind], Literal(contact.value)))
    g.add((node, PPKG.evidence, _evidence(g, policy, contact.evidence)))
    return node


def _recipient(g: Graph, r: RecipientMention) -> URIRef:
    if r.name:
        node = org_iri(r.name)
        g.add((node, RDF.type, DPV.Organisation))
        g.add((node, DPV.hasName, Literal(r.name)))
        if r.org:
            g.add((node, PPKG.organisation, URIRef(r.org)))
    else:
        node = ID[f"recipient/{r.kind.rsplit('#', 1)[-1]}"]
    g.add((node, RDF.type, PPKG.Recipient))
    if r.kind:
        g.add((node, PPKG.recipientKind, URIRef(r.kind)))
    return node


def _retention(g: Graph, node: URIRef, r: Retention) -> None:
    g.add((node, RDF.type, PPKG.RetentionPeriod))
    g.add((node, RDF.type, RETENTION_CLASS[r.kind]))
    g.add((node, RDFS.label, Literal(r.text)))
    if r.iso:
        g.add((node, RDF.value, Literal(r.iso, datatype=XSD.duration)))
    if r.days is not None:
        g.add((node, PPKG.durationDays, Literal(round(r.days, 4), datatype=XSD.decimal)))
    if r.bound:
        g.add((node, PPKG.durationBound, BOUND[r.bound]))
    if r.trigger:
        g.add((node, PPKG.retentionTrigger, PPKG[r.trigger]))


def _statement(g: Graph, policy: URIRef, controller: URIRef | None, p: Practice) -> URIRef:
    node = statement_iri(policy, p)
    g.add((node, RDF.type, PPKG.Statement))
    g.add((node, PPKG.negated, Literal(p.negated)))
    g.add((node, PPKG.evidence, _evidence(g, policy, p.evidence, URIRef(f"{node}/evidence"))))
    if p.condition:
        g.add((node, PPKG.condition, Literal(p.condition)))
    if p.kind in PRACTICE_CLASS:
        cls, processing = PRACTICE_CLASS[p.kind]
        g.add((policy, PPKG.hasPractice, node))
        g.add((node, RDF.type, cls))
        g.add((node, RDF.type, PPKG.DataPractice))
        g.add((node, DPV.hasProcessing, processing))
        if p.kind == "sell":
            g.add((node, RDF.type, PPKG.SharingPractice))
            g.add((node, PPKG.ccpaDisclosure, PPKG.Sale))
        if controller is not None:
            g.add((node, DPV.hasDataController, controller))
        for value in p.data:
            g.add((node, DPV.hasPersonalData, URIRef(value)))
        for value in p.purposes:
            g.add((node, DPV.hasPurpose, URIRef(value)))
        recipient_property = PPKG.collector if p.third_party_collects else DPV.hasRecipient
        for r in p.recipients:
            if controller is not None and r.name and org_iri(r.name) == controller:
                continue  # the policy naming its own company is not a recipient
            g.add((node, recipient_property, _recipient(g, r)))
        for i, r in enumerate(p.retention):
            period = URIRef(f"{node}/retention/{i}")
            g.add((node, DPV.hasStorageCondition, period))
            _retention(g, period, r)
        for code in p.countries:
            g.add((node, PPKG.transferCountry, Literal(country_name(code) or code)))
        for safeguard in p.safeguards:
            g.add((node, PPKG.transferSafeguard, Literal(safeguard)))
        return node
    cls, prop = STATEMENT_CLASS[p.kind]
    g.add((node, RDF.type, cls))
    g.add((policy, PPKG.hasRightStatement if p.kind == "right" else PPKG.hasStatement, node))
    if prop is not None:
        for value in p.values:
            g.add((node, prop, URIRef(value)))
    if p.kind == "audience":
        for age in p.numbers:
            g.add((node, PPKG.ageThreshold, Literal(age, datatype=XSD.integer)))
    for method in p.texts:
        g.add((node, PPKG.notificationMethod, Literal(method)))
    return node


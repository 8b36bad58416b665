"""Graph stage: a PolicyRecord in, an rdflib Graph out (the contract is docs/graph-model.md).

Pure and deterministic: IRIs come from content hashes and names, never from counters or blank nodes, so the
same input always gives the same triples and per-policy graphs can be merged, replaced or compared.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

import rdflib.namespace
from rdflib import Graph, Literal, URIRef

from kg import __version__, vocab
from kg.model import (Contact, ControllerInfo, Evidence, PolicyHeader, PolicyMetadata, PolicyRecord, Practice,
                      RecipientMention, Retention)
from kg.normalize.countries import country_name
from kg.normalize.organisations import same_organisation, slug
from kg.resources import rules_version
from kg.vocab import (BOUND, CONTACT_PROPERTY, ID, KIND_CLASS, LOC, ONTOLOGY_VERSION, PROCESSING, RETENTION_CLASS,
                      VALUE_PROPERTY, bind_prefixes)

if TYPE_CHECKING:
    from kg.terms import Triple  # a type only: building a graph needs no pyoxigraph


class _Terms:
    """A namespace whose terms are looked up once each (rdflib's attribute lookup costs over a microsecond, and
    building a graph makes about two per triple)."""

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        term = getattr(self._namespace, name)
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> URIRef:
        return self._namespace[name]


DCTERMS, PROV, RDF, RDFS, XSD = (_Terms(getattr(rdflib.namespace, n))
                                 for n in ("DCTERMS", "PROV", "RDF", "RDFS", "XSD"))
DPV, OA, PPKG, SCHEMA = (_Terms(ns) for ns in (vocab.DPV, vocab.OA, vocab.PPKG, vocab.SCHEMA))

@lru_cache(maxsize=1 << 14, typed=True)
def _lit(value: object, datatype: URIRef | None = None) -> Literal:
    """``Literal(value, datatype=datatype)``, shared: rdflib's constructor is slow, and rule ids, offsets, section
    paths and a sentence's text recur (Literals are immutable)."""
    return Literal(value, datatype=datatype)


def _h(*parts: object, n: int = 12) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:n]


def policy_iri(doc_id: str) -> URIRef:
    return ID[f"policy/{doc_id}"]


def policy_header(record: PolicyRecord) -> PolicyHeader:
    """What a store needs of the policy besides its triples: its graph's name (the policy IRI), source, hash, date."""
    doc = record.document
    return PolicyHeader(str(policy_iri(doc.doc_id)), doc.name, doc.sha256, record.date)


def org_iri(name: str) -> URIRef:
    return ID[f"org/{slug(name)}"]


def statement_iri(policy: URIRef, p: Practice) -> URIRef:
    e = p.evidence
    key = _h(e.rule, e.start, e.end, p.kind, p.negated, sorted(p.data), sorted(p.purposes), sorted(p.values),
             sorted((r.kind, r.name or "") for r in p.recipients), [r.text for r in p.retention],
             p.third_party_collects, *([sorted(p.subjects)] if p.subjects else []))
    return URIRef(f"{policy}/{p.kind.replace('_', '-')}/{key}")


def policy_graph(record: PolicyRecord) -> Graph:
    """The triples of one policy: document, controller, statements, evidence."""
    return add_policy(bind_prefixes(Graph()), record)


def build_graph(records: Iterable[PolicyRecord]) -> Graph:
    """The union of the policy graphs of ``records`` (without building each policy's Graph on the way)."""
    g = bind_prefixes(Graph())
    for record in records:
        add_policy(g, record)
    return g


def add_policy(g: Graph, record: PolicyRecord) -> Graph:
    """Add the triples of ``policy_graph(record)`` to ``g`` in one ``addN`` call; returns ``g``."""
    g.addN((s, p, o, g) for s, p, o in unique_triples(record))
    return g


def unique_triples(record: PolicyRecord) -> list[Triple]:
    """The triples of ``policy_graph(record)``, each once (a policy repeats e.g. its recipients' type triples), in
    a list: what a store writes, without the cost of an rdflib Graph's indexes."""
    return list(dict.fromkeys(policy_triples(record)))


def policy_triples(record: PolicyRecord) -> list[Triple]:
    """The triples of ``policy_graph(record)``, as a list (possibly with repeats)."""
    triples: list[Triple] = []
    add = triples.append
    doc = record.document
    policy = policy_iri(doc.doc_id)
    add((policy, RDF.type, PPKG.PrivacyPolicy))
    add((policy, PPKG.sourceFile, _lit(doc.name)))
    add((policy, PPKG.contentHash, _lit(doc.sha256)))
    add((policy, PPKG.mediaType, _lit(doc.media_type)))
    add((policy, PPKG.textLength, _lit(len(doc.text), datatype=XSD.integer)))
    add((policy, PPKG.extractorModel, _lit(record.model)))
    _build_activity(add, policy)
    if record.date:
        add((policy, DCTERMS.modified, _lit(record.date, datatype=XSD.date)))
        if record.date_evidence:
            add((policy, PPKG.evidence, _evidence(add, policy, record.date_evidence)))
    if record.metadata:
        _metadata(add, policy, record.metadata)
    for cue in record.jurisdictions:  # the places its words address (kg.jurisdiction), each with its sentence
        add((policy, DPV.hasJurisdiction, LOC[cue.location]))
        add((policy, PPKG.evidence, _evidence(add, policy, cue.evidence)))
    controller = _controller(add, policy, record.controller) if record.controller else None
    own = (record.controller.legal_name, *record.controller.aliases) if record.controller else ()
    for practice in record.practices:
        if practice.kind in ("share", "sell") and practice.recipients and \
                all(_own(r, own) for r in practice.recipients):
            continue  # "may be sent to Google" in Google's policy: the company keeps it, nobody receives it
        _statement(add, policy, controller, practice, own)
    return triples


def _build_activity(add: Callable[[Triple], None], policy: URIRef) -> None:
    """prov:wasGeneratedBy: the privacy-kg release, ontology version and rule set that made this policy's graph."""
    activity = URIRef(f"{policy}/build")
    add((policy, PROV.wasGeneratedBy, activity))
    add((activity, RDF.type, PPKG.BuildActivity))
    add((activity, PPKG.softwareVersion, _lit(f"privacy-kg {__version__}")))
    add((activity, PPKG.ontologyVersion, ONTOLOGY_VERSION))
    add((activity, PPKG.ruleSetVersion, _lit(rules_version())))


def _evidence(add: Callable[[Triple], None], policy: URIRef, e: Evidence, node: URIRef | None = None) -> URIRef:
    node = node or URIRef(f"{policy}/evidence/{_h(e.sentence_index, e.rule, e.matched)}")
    add((node, RDF.type, PPKG.Evidence))
    add((node, DCTERMS.source, policy))
    add((node, OA.exact, _lit(e.text)))
    add((node, OA.start, _lit(e.start, datatype=XSD.integer)))
    add((node, OA.end, _lit(e.end, datatype=XSD.integer)))
    add((node, PPKG.sentenceIndex, _lit(e.sentence_index, datatype=XSD.integer)))
    add((node, PPKG.rule, _lit(e.rule)))
    if e.section:
        add((node, PPKG.sectionPath, _lit(" > ".join(e.section))))
    if e.matched:
        add((node, PPKG.matchedText, _lit(e.matched)))
    return node


def _metadata(add: Callable[[Triple], None], policy: URIRef, m: PolicyMetadata) -> None:
    """What a build manifest says of the policy (its controller is written by ``_controller``)."""
    if m.url:
        add((policy, PPKG.sourceUrl, URIRef(m.url)))
    if m.jurisdiction:
        add((policy, PPKG.jurisdiction, _lit(m.jurisdiction)))
    if m.retrieved:
        add((policy, PPKG.retrievedOn, _lit(m.retrieved, datatype=XSD.date)))


def _controller(add: Callable[[Triple], None], policy: URIRef, c: ControllerInfo) -> URIRef:
    org = org_iri(c.legal_name)
    add((policy, DCTERMS.publisher, org))
    add((policy, PPKG.publisherNameSource, PPKG.NameFromManifest if c.named_by == "manifest" else PPKG.NameFromText))
    add((org, RDF.type, PPKG.Controller))
    add((org, RDF.type, DPV.Organisation))
    add((org, DPV.hasName, _lit(c.legal_name)))
    if c.evidence is not None:
        add((org, PPKG.evidence, _evidence(add, policy, c.evidence)))
    for alias in c.aliases:
        add((org, PPKG.alias, _lit(alias)))
    if c.country:
        add((org, DPV.hasCountry, LOC[c.country]))
    for contact in c.contacts:
        if contact.kind == "address":
            add((org, DPV.hasAddress, _lit(contact.value)))
            add((org, PPKG.evidence, _evidence(add, policy, contact.evidence)))
        else:
            add((org, PPKG.hasContactPoint, _contact(add, policy, org, contact)))
    if c.privacy_contact:
        pc = c.privacy_contact
        node = URIRef(f"{org}/privacy-contact")
        add((org, PPKG.hasPrivacyContact, node))
        add((node, RDF.type, PPKG.PrivacyContact))
        if pc.is_dpo:
            add((node, RDF.type, DPV.DataProtectionOfficer))
        add((node, PPKG.role, _lit(pc.role)))
        if pc.name:
            add((node, DPV.hasName, _lit(pc.name)))
        for contact in pc.contacts:
            add((node, PPKG.hasContactPoint, _contact(add, policy, org, contact)))
        add((node, PPKG.evidence, _evidence(add, policy, pc.evidence)))
    return org


def _contact(add: Callable[[Triple], None], policy: URIRef, org: URIRef, contact: Contact) -> URIRef:
    node = URIRef(f"{org}/contact/{contact.kind}-{_h(contact.value)}")
    add((node, RDF.type, PPKG.ContactPoint))
    add((node, CONTACT_PROPERTY[contact.kind], _lit(contact.value)))
    add((node, PPKG.evidence, _evidence(add, policy, contact.evidence)))
    return node


def _recipient(add: Callable[[Triple], None], r: RecipientMention) -> URIRef:
    if r.name:
        node = org_iri(r.name)
        add((node, RDF.type, DPV.Organisation))
        add((node, DPV.hasName, _lit(r.name)))
        if r.org:
            add((node, PPKG.organisation, URIRef(r.org)))
    else:
        node = ID[f"recipient/{r.kind.rsplit('#', 1)[-1]}"]
    add((node, RDF.type, PPKG.Recipient))
    if r.kind:
        add((node, PPKG.recipientKind, URIRef(r.kind)))
    return node


def _retention(add: Callable[[Triple], None], node: URIRef, r: Retention) -> None:
    add((node, RDF.type, PPKG.RetentionPeriod))
    add((node, RDF.type, RETENTION_CLASS[r.kind]))
    add((node, RDFS.label, _lit(r.text)))
    if r.iso:
        add((node, RDF.value, _lit(r.iso, datatype=XSD.duration)))
    if r.days is not None:
        add((node, PPKG.durationDays, _lit(round(r.days, 4), datatype=XSD.decimal)))
    if r.bound:
        add((node, PPKG.durationBound, BOUND[r.bound]))
    if r.trigger:
        add((node, PPKG.retentionTrigger, PPKG[r.trigger]))


def _own(r: RecipientMention, own: tuple[str, ...]) -> bool:
    """Whether the recipient is the company itself, by any form of its name ("Google" for "Google Inc.")."""
    return r.name is not None and any(same_organisation(r.name, name) for name in own)


def _statement(add: Callable[[Triple], None], policy: URIRef, controller: URIRef | None, p: Practice,
               own: tuple[str, ...] = ()) -> URIRef:
    """``own``: the controller's names; a recipient of one of them is the company itself ("Google" in the policy
    of "Google Inc.")."""
    node = statement_iri(policy, p)
    add((node, RDF.type, PPKG.Statement))
    add((node, PPKG.negated, _lit(p.negated)))
    add((node, PPKG.evidence, _evidence(add, policy, p.evidence, URIRef(f"{node}/evidence"))))
    for context in p.context:
        add((node, PPKG.contextEvidence, _evidence(add, policy, context)))
    if p.condition:
        add((node, PPKG.condition, _lit(p.condition)))
    add((node, RDF.type, KIND_CLASS[p.kind]))
    if p.kind in PROCESSING:
        add((policy, PPKG.hasPractice, node))
        add((node, RDF.type, PPKG.DataPractice))
        add((node, DPV.hasProcessing, PROCESSING[p.kind]))
        if p.kind == "sell":
            add((node, RDF.type, PPKG.SharingPractice))
            add((node, PPKG.ccpaDisclosure, PPKG.Sale))
        if controller is not None:
            add((node, DPV.hasDataController, controller))
        for value in p.data:
            add((node, DPV.hasPersonalData, URIRef(value)))
        for value in p.purposes:
            add((node, DPV.hasPurpose, URIRef(value)))
        recipient_property = PPKG.collector if p.third_party_collects else DPV.hasRecipient
        for r in p.recipients:
            if _own(r, own):
                continue  # the policy naming its own company is not a recipient
            add((node, recipient_property, _recipient(add, r)))
        for i, retention in enumerate(p.retention):
            period = URIRef(f"{node}/retention/{i}")
            add((node, DPV.hasStorageCondition, period))
            _retention(add, period, retention)
        for code in p.countries:
            add((node, PPKG.transferCountry, _lit(country_name(code) or code)))
        for safeguard in p.safeguards:
            add((node, PPKG.transferSafeguard, _lit(safeguard)))
        for subject in p.subjects:  # whose data: "from children under 13"
            add((node, DPV.hasDataSubject, URIRef(subject)))
        return node
    prop = VALUE_PROPERTY[p.kind]
    add((policy, PPKG.hasRightStatement if p.kind == "right" else PPKG.hasStatement, node))
    if prop is not None:
        for value in p.values:
            add((node, prop, URIRef(value)))
    if p.kind == "audience":
        for age in p.numbers:
            add((node, PPKG.ageThreshold, _lit(age, datatype=XSD.integer)))
    for method in p.texts:
        add((node, PPKG.notificationMethod, _lit(method)))
    return node


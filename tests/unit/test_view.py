"""kg.view reads back what kg.graph writes: for any record, the statements read from ``policy_graph(record)`` are
the record's practices (a round-trip property test, after rdflib's test_roundtrip.py), and ``Labels`` names nodes
from the graph first, then the ontology."""
from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from kg.graph import org_iri, policy_graph, policy_iri, statement_iri
from kg.model import (STATEMENT_KINDS, ControllerInfo, Document, Evidence, PolicyRecord, Practice, RecipientMention,
                      Retention)
from kg.normalize.countries import country_name
from kg.normalize.organisations import same_organisation
from kg.view import Labels, Party, kind_of, read_policies
from kg.vocab import AUD, BOUND, DC, DPV, ID, KIND_CLASS, PPKG, PUR, RIGHT, RK, VALUE_PROPERTY

CONTROLLER = "Acme Inc."
CATEGORIES = [str(c) for c in (DC.EmailAddress, DC.Name, DC.IPAddress, DC.PersonalInformation)]
PURPOSES = [str(p) for p in (PUR.Marketing, PUR.ServiceProvision)]
NAMED = [("Stripe", str(RK.ServiceProvider)), ("Google", str(RK.ThirdParty)), ("Acme", str(RK.ThirdParty)),
         ("Beta LLC", "")]  # each name with one kind (an organisation's node carries one); "Acme" is the controller
KINDS = [str(RK.ThirdParty), str(RK.BusinessPartner), str(RK.MarketingPartner)]
VALUES = [str(v) for v in (RIGHT.Access, RIGHT.Erasure, AUD.Children, AUD.Californians)]
TRIGGERS = ["LastActivity", "AccountClosure"]
text = st.text(min_size=1, max_size=30)


@st.composite
def recipients(draw) -> RecipientMention:
    if draw(st.booleans()):
        name, kind = draw(st.sampled_from(NAMED))
        return RecipientMention(kind=kind, name=name)
    return RecipientMention(kind=draw(st.sampled_from(KINDS)))


@st.composite
def retentions(draw) -> Retention:
    kind = draw(st.sampled_from(["temporal", "until_event", "endless", "indeterminate"]))
    days = draw(st.none() | st.integers(1, 36500).map(lambda d: d / 4))
    return Retention(kind, draw(text), iso=draw(st.none() | st.sampled_from(["P1Y", "P30D", "PT36H"])), days=days,
                     bound=draw(st.none() | st.sampled_from(sorted(BOUND))),
                     trigger=draw(st.none() | st.sampled_from(TRIGGERS)))


@st.composite
def practices(draw, index: int) -> Practice:
    kind = draw(st.sampled_from(STATEMENT_KINDS))
    start = 100 * index  # one sentence per practice: no two practices share a statement IRI
    evidence = Evidence("doc", index, start, start + 50, draw(text), tuple(draw(st.lists(text, max_size=2))),
                        f"{kind}.test.v1")
    fields: dict = dict(kind=kind, negated=draw(st.booleans()), evidence=evidence,
                        condition=draw(st.none() | text))
    if kind in ("collect", "use", "share", "sell", "retain", "transfer"):
        fields.update(data=tuple(draw(st.lists(st.sampled_from(CATEGORIES), unique=True, max_size=3))),
                      purposes=tuple(draw(st.lists(st.sampled_from(PURPOSES), unique=True, max_size=2))),
                      recipients=tuple(draw(st.lists(recipients(), max_size=3))),
                      third_party_collects=draw(st.booleans()))
        if kind == "retain":
            fields["retention"] = tuple(draw(st.lists(retentions(), max_size=3)))
        if kind == "transfer":
            fields.update(countries=tuple(draw(st.lists(st.sampled_from(["US", "DE", "IN"]), unique=True))),
                          safeguards=tuple(draw(st.lists(text, max_size=2))))
    else:
        if VALUE_PROPERTY[kind] is not None:
            fields["values"] = tuple(draw(st.lists(st.sampled_from(VALUES), unique=True, max_size=2)))
        if kind == "audience":
            fields["numbers"] = tuple(draw(st.lists(st.integers(0, 21), max_size=2)))
        if kind == "change":
            fields["texts"] = tuple(draw(st.lists(text, max_size=2)))
    return Practice(**fields)


@st.composite
def records(draw) -> PolicyRecord:
    n = draw(st.integers(0, 6))
    text_ = "x" * (100 * n + 60)
    doc = Document("acme.txt", "acme.txt", "text/plain", text_, hashlib.sha256(text_.encode()).hexdigest(), "utf-8")
    named = draw(st.booleans())
    controller = ControllerInfo(CONTROLLER, Evidence(doc.doc_id, 0, 0, 10, "Acme Inc.", (), "controller.test.v1")) \
        if named else None
    return PolicyRecord(doc, controller, tuple(draw(practices(i)) for i in range(n)), model="test",
                        date=draw(st.none() | st.just("2024-05-01")))


def party(r: RecipientMention) -> Party:
    iri = org_iri(r.name) if r.name else ID[f"recipient/{r.kind.rsplit('#', 1)[-1]}"]
    return Party(iri, r.name, URIRef(r.kind) if r.kind else None)


def is_own(record: PolicyRecord, r) -> bool:
    """The recipient is the controller itself, by any form of its name."""
    c = record.controller
    return c is not None and bool(r.name) and any(same_organisation(r.name, n) for n in (c.legal_name, *c.aliases))


def kept(record: PolicyRecord, p: Practice) -> bool:
    """A disclosure only to the company itself is none (docs/graph-model.md)."""
    return not (p.kind in ("share", "sell") and p.recipients and all(is_own(record, r) for r in p.recipients))


def expected(record: PolicyRecord, p: Practice) -> tuple:
    """What the graph model keeps of ``p`` (docs/graph-model.md): a recipient that is the controller itself is no
    recipient, a transfer's countries are written by name, and a duration in rdflib's canonical form ("PT36H" is
    "P1DT12H")."""
    parties = tuple(sorted({party(r) for r in p.recipients if not is_own(record, r)}, key=lambda x: str(x.iri)))
    e = p.evidence
    return (p.kind, p.negated, (e.text, e.start, e.end, e.rule, " > ".join(e.section), record.document.name),
            tuple(sorted(p.data)), tuple(sorted(p.purposes)),
            () if p.third_party_collects else parties, parties if p.third_party_collects else (),
            tuple(sorted(p.values)),
            tuple((r.kind, r.text, str(Literal(r.iso, datatype=XSD.duration)) if r.iso else None,
                   round(r.days, 4) if r.days is not None else None,
                   BOUND[r.bound] if r.bound else None, PPKG[r.trigger] if r.trigger else None) for r in p.retention),
            (p.condition,) if p.condition else (), tuple(sorted(country_name(c) or c for c in p.countries)),
            tuple(sorted(set(p.safeguards))), tuple(sorted(set(p.numbers))), tuple(sorted(set(p.texts))))


def read_back(s) -> tuple:
    e = s.evidence
    return (s.kind, s.negated, (e.text, e.start, e.end, e.rule, e.section, e.source), tuple(map(str, s.data)),
            tuple(map(str, s.purposes)), s.recipients, s.collectors, tuple(map(str, s.values)),
            tuple((r.kind, r.text, r.iso, r.days, r.bound, r.trigger) for r in s.retention),
            s.conditions, s.countries, s.safeguards, s.ages, s.notifications)


@settings(max_examples=150, deadline=None)
@given(records())
def test_reading_back_the_graph_of_a_record_gives_its_practices(record):
    [view] = read_policies(policy_graph(record))
    policy = policy_iri(record.document.doc_id)
    assert view.iri == policy and view.source == "acme.txt" and view.date == record.date
    assert (view.controller.names if view.controller else None) == \
        ((record.controller.legal_name,) if record.controller else None)
    want = {statement_iri(policy, p): expected(record, p) for p in record.practices if kept(record, p)}
    assert {s.iri: read_back(s) for s in view.statements} == want


def test_every_kind_has_a_class_that_reads_back_as_the_kind():
    assert set(KIND_CLASS) == set(STATEMENT_KINDS)
    for kind, cls in KIND_CLASS.items():
        assert kind_of([cls]) == kind
    assert kind_of([PPKG.SalePractice, PPKG.SharingPractice]) == "sell"  # a sale is also typed as sharing
    assert kind_of([PPKG.Statement]) is None


def test_labels_come_from_the_graph_then_the_ontology_else_the_local_name():
    g = Graph()
    g.add((DC.EmailAddress, RDFS.label, Literal("e-mail (as this graph says)")))
    g.add((ID["org/acme-inc"], DPV.hasName, Literal("Acme Inc.")))
    labels = Labels(g)
    assert labels(DC.EmailAddress) == "e-mail (as this graph says)"
    assert labels(DC.Name) == "name"  # the ontology's skos:prefLabel
    assert labels(ID["org/acme-inc"]) == "Acme Inc."
    assert labels(ID["recipient/Nobody"]) == "recipient/Nobody" and labels.name(ID["recipient/Nobody"]) is None
    assert labels.party(Party(ID["recipient/ThirdParty"], None, RK.ThirdParty)) == "third party"

"""Read policies back out of a graph: the inverse of ``kg.graph``, and the one place that knows how.

``read_policies(graph)`` gives one ``PolicyView`` per ``ppkg:PrivacyPolicy`` in the graph, with its controller and
every statement it links (``ppkg:hasPractice``, ``ppkg:hasStatement``, ``ppkg:hasRightStatement``), each with the
values the graph model gives its kind (docs/graph-model.md) and its evidence sentence. Reading back the graph of a
record gives the record's practices (tests/unit/test_view.py, a property test). The report, the network analysis
and the diff read policies through it; ``Labels`` names what they show.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.errors import BadGraph
from kg.graphio import ontology_graph, short_name
from kg.model import STATEMENT_KINDS
from kg.vocab import CONTACT_PROPERTY, DPV, KIND_CLASS, OA, PPKG, RETENTION_CLASS, VALUE_PROPERTY

STATEMENT_LINKS = (PPKG.hasPractice, PPKG.hasStatement, PPKG.hasRightStatement)
CLASS_KIND: dict[Node, str] = {cls: kind for kind, cls in KIND_CLASS.items()}
RETENTION_KIND: dict[Node, str] = {cls: kind for kind, cls in RETENTION_CLASS.items()}
LABEL_PROPERTIES = (DPV.hasName, RDFS.label, SKOS.prefLabel, DCTERMS.title)


@dataclass(frozen=True)
class EvidenceRef:
    """A sentence a fact was read from (``ppkg:Evidence``)."""

    text: str
    start: int | None = None  # character offsets into the document text
    end: int | None = None
    rule: str = ""  # the extraction rule id
    section: str = ""  # the heading path, "Privacy Policy > Sharing"
    source: str = ""  # the source file of the policy it is from


@dataclass(frozen=True)
class Party:
    """A recipient, or a third party collecting on the site: a named organisation and/or a kind."""

    iri: URIRef
    name: str | None  # dpv:hasName of a named organisation
    kind: URIRef | None  # ppkg:recipientKind, a concept


@dataclass(frozen=True)
class Period:
    """A retention period (``ppkg:RetentionPeriod``)."""

    iri: URIRef
    kind: str | None  # temporal | until_event | endless | indeterminate
    text: str  # rdfs:label: the phrase it was read from
    iso: str | None = None  # the ISO 8601 duration of a temporal one
    days: float | None = None
    bound: URIRef | None = None  # ppkg:UpperBound, ExactBound or LowerBound
    trigger: URIRef | None = None  # a ppkg:RetentionTrigger


@dataclass(frozen=True)
class StatementView:
    """One statement of a policy with the values the graph model gives its kind; tuples are sorted."""

    iri: URIRef
    kind: str  # a kg.model.STATEMENT_KINDS value
    negated: bool | None  # None when the graph does not say
    evidence: EvidenceRef | None
    data: tuple[URIRef, ...] = ()
    purposes: tuple[URIRef, ...] = ()
    recipients: tuple[Party, ...] = ()
    collectors: tuple[Party, ...] = ()  # third parties collecting on the site (ppkg:collector)
    values: tuple[URIRef, ...] = ()  # the right, legal basis, audience, ... an other statement states
    retention: tuple[Period, ...] = ()
    conditions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    safeguards: tuple[str, ...] = ()
    ages: tuple[int, ...] = ()  # an audience statement's age thresholds
    notifications: tuple[str, ...] = ()  # a policy-change statement's notification methods
    subjects: tuple[URIRef, ...] = ()  # the audiences a practice is limited to (dpv:hasDataSubject)

    @property
    def is_practice(self) -> bool:
        return self.kind in ("collect", "use", "share", "sell", "retain", "transfer")


@dataclass(frozen=True)
class PrivacyContact:
    role: str
    name: str | None
    dpo: bool


@dataclass(frozen=True)
class ControllerView:
    """The policy's publisher, its contact details and privacy contacts (``dct:publisher``)."""

    iri: URIRef
    names: tuple[str, ...]
    countries: tuple[URIRef, ...] = ()
    addresses: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()  # of its contact points and its privacy contacts'
    phones: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    privacy_contacts: tuple[PrivacyContact, ...] = ()

    @property
    def name(self) -> str | None:
        return self.names[0] if self.names else None


def build_label(software: str | None, rules: str | None) -> str | None:
    """What built a policy's graph, as ``versions`` and ``diff`` show it: "privacy-kg 0.1.0, rules-8bb223c58cef";
    None when the graph does not say (built before builds were recorded)."""
    return ", ".join(x for x in (software, rules) if x) or None


@dataclass(frozen=True)
class BuildView:
    """What made a policy's graph: its ``prov:wasGeneratedBy`` activity (``kg.graph``), each part None when the
    graph does not say."""

    software: str | None  # ppkg:softwareVersion, "privacy-kg 0.1.0"
    rules: str | None  # ppkg:ruleSetVersion, a digest of the extraction rules, "rules-8bb223c58cef"
    ontology: str | None = None  # ppkg:ontologyVersion, the ontology's version IRI

    @property
    def label(self) -> str | None:
        return build_label(self.software, self.rules)


@dataclass(frozen=True)
class PolicyView:
    """One policy as read from a graph."""

    iri: URIRef
    source: str  # ppkg:sourceFile, "" when the graph does not say
    date: str | None  # dct:modified
    controller: ControllerView | None
    statements: tuple[StatementView, ...]  # in order of their evidence in the document
    built: BuildView | None = None  # None: a graph older than the build records


def read_policies(graph: Graph) -> list[PolicyView]:
    """Every policy of ``graph``, sorted by IRI."""
    return [_read(graph, p) for p in _policies(graph)]


def read_policy(graph: Graph, iri: str | None = None, *, where: str = "graph") -> PolicyView:
    """The policy called ``iri`` in ``graph``, or its only one. ``BadGraph`` (naming ``where``) otherwise."""
    policies = _policies(graph)
    if iri is not None:
        if URIRef(iri) not in policies:
            raise BadGraph(where, f"no policy {iri} in the graph")
        return _read(graph, URIRef(iri))
    if len(policies) != 1:
        raise BadGraph(where, f"the graph holds {len(policies)} policies; name the one to compare")
    return _read(graph, policies[0])


def _policies(graph: Graph) -> list[URIRef]:
    return sorted(p for p in graph.subjects(RDF.type, PPKG.PrivacyPolicy) if isinstance(p, URIRef))


def _read(g: Graph, policy: URIRef) -> PolicyView:
    source = str(g.value(policy, PPKG.sourceFile) or "")
    statements = [s for link in STATEMENT_LINKS for node in g.objects(policy, link)
                  if (s := _statement(g, node, source)) is not None]
    statements.sort(key=lambda s: (s.evidence.start if s.evidence and s.evidence.start is not None else -1,
                                   s.evidence.text if s.evidence else "", str(s.iri)))
    org = g.value(policy, DCTERMS.publisher)
    date = g.value(policy, DCTERMS.modified)
    return PolicyView(policy, source, str(date) if date is not None else None,
                      _controller(g, org) if isinstance(org, URIRef) else None, tuple(statements), build_of(g, policy))


def build_of(g: Graph, policy: URIRef) -> BuildView | None:
    """The release, rule set and ontology version that built ``policy``'s graph (its ``prov:wasGeneratedBy``);
    None for a graph built before they were recorded."""
    for activity in sorted(g.objects(policy, PROV.wasGeneratedBy), key=str):
        parts = [g.value(activity, p) for p in (PPKG.softwareVersion, PPKG.ruleSetVersion, PPKG.ontologyVersion)]
        if any(x is not None for x in parts):
            software, rules, ontology = (str(x) if x is not None else None for x in parts)
            return BuildView(software, rules, ontology)
    return None


def kind_of(types: Iterable[Node]) -> str | None:
    """The statement kind of a node typed ``types``: a sale (also typed as sharing) is "sell"."""
    kinds = {CLASS_KIND[t] for t in types if t in CLASS_KIND}
    if "sell" in kinds:
        return "sell"
    return min(kinds, key=STATEMENT_KINDS.index) if kinds else None


def _statement(g: Graph, node: Node, source: str) -> StatementView | None:
    kind = kind_of(g.objects(node, RDF.type))
    if kind is None or not isinstance(node, URIRef):
        return None
    negated = g.value(node, PPKG.negated)
    value_property = VALUE_PROPERTY.get(kind)
    evidence = evidence_of(g, node, source)
    return StatementView(
        iri=node, kind=kind, negated=bool(negated.toPython()) if isinstance(negated, Literal) else None,
        evidence=evidence[0] if evidence else None,
        data=_iris(g, node, DPV.hasPersonalData),
        purposes=_iris(g, node, DPV.hasPurpose),
        recipients=tuple(_party(g, r) for r in _iris(g, node, DPV.hasRecipient)),
        collectors=tuple(_party(g, r) for r in _iris(g, node, PPKG.collector)),
        values=_iris(g, node, value_property) if value_property is not None else (),
        retention=tuple(_period(g, p) for p in _iris(g, node, DPV.hasStorageCondition)),
        conditions=_texts(g, node, PPKG.condition),
        countries=_texts(g, node, PPKG.transferCountry),
        safeguards=_texts(g, node, PPKG.transferSafeguard),
        ages=tuple(sorted(int(str(a)) for a in g.objects(node, PPKG.ageThreshold))),
        notifications=_texts(g, node, PPKG.notificationMethod),
        subjects=_iris(g, node, DPV.hasDataSubject),
    )


def _iris(g: Graph, node: Node, prop: URIRef) -> tuple[URIRef, ...]:
    return tuple(sorted(o for o in g.objects(node, prop) if isinstance(o, URIRef)))


def _texts(g: Graph, node: Node, prop: URIRef) -> tuple[str, ...]:
    return tuple(sorted(str(o) for o in g.objects(node, prop)))


def _party(g: Graph, node: URIRef) -> Party:
    name = sorted(str(n) for n in g.objects(node, DPV.hasName))
    kind = g.value(node, PPKG.recipientKind)
    return Party(node, name[0] if name else None, kind if isinstance(kind, URIRef) else None)


def _period(g: Graph, node: URIRef) -> Period:
    kind = next((RETENTION_KIND[t] for t in g.objects(node, RDF.type) if t in RETENTION_KIND), None)
    iso, days = g.value(node, RDF.value), g.value(node, PPKG.durationDays)
    bound, trigger = g.value(node, PPKG.durationBound), g.value(node, PPKG.retentionTrigger)
    return Period(node, kind, str(g.value(node, RDFS.label) or ""), str(iso) if iso is not None else None,
                  float(Decimal(str(days))) if days is not None else None,
                  bound if isinstance(bound, URIRef) else None, trigger if isinstance(trigger, URIRef) else None)


def _controller(g: Graph, org: URIRef) -> ControllerView:
    points = list(g.objects(org, PPKG.hasContactPoint))
    contacts = []
    for pc in sorted(g.objects(org, PPKG.hasPrivacyContact), key=str):
        points += list(g.objects(pc, PPKG.hasContactPoint))
        name = g.value(pc, DPV.hasName)
        contacts.append(PrivacyContact(str(g.value(pc, PPKG.role) or "privacy contact"),
                                       str(name) if name is not None else None,
                                       (pc, RDF.type, DPV.DataProtectionOfficer) in g))

    def of_points(kind: str) -> tuple[str, ...]:
        return tuple(sorted({str(v) for p in points for v in g.objects(p, CONTACT_PROPERTY[kind])}))

    return ControllerView(org, _texts(g, org, DPV.hasName), _iris(g, org, DPV.hasCountry),
                          tuple(sorted(" ".join(str(a).split()) for a in g.objects(org, DPV.hasAddress))),
                          of_points("email"), of_points("phone"), of_points("url"), tuple(contacts))


def evidence_of(g: Graph, node: Node, source: str | None = None) -> list[EvidenceRef]:
    """The evidence sentences of ``node`` (a statement, controller, contact point ...), by source and offset;
    ``source``: the source file to give them (default: the one their ``dct:source`` policy names)."""
    out = []
    for ev in g.objects(node, PPKG.evidence):
        text = g.value(ev, OA.exact)
        if text is None:
            continue
        start, end = g.value(ev, OA.start), g.value(ev, OA.end)
        if source is None:
            policy = g.value(ev, DCTERMS.source)
            file = g.value(policy, PPKG.sourceFile) if policy is not None else None
            where = str(file or policy or "")
        else:
            where = source
        out.append(EvidenceRef(str(text), int(str(start)) if start is not None else None,
                               int(str(end)) if end is not None else None, str(g.value(ev, PPKG.rule) or ""),
                               str(g.value(ev, PPKG.sectionPath) or ""), where))
    return sorted(out, key=lambda e: (e.source, e.start if e.start is not None else -1, e.text))


class Labels:
    """Readable names of IRIs: the first of dpv:hasName, rdfs:label, skos:prefLabel and dct:title in the graph,
    then in the ontology (English first where there are several), else the local name."""

    def __init__(self, graph: Graph, ontology: Graph | None = None):
        self.graph, self.ontology = graph, ontology if ontology is not None else ontology_graph()
        self._cache: dict[Node, str | None] = {}

    def name(self, node: Node | None) -> str | None:
        """The label the graph or the ontology gives ``node``; None when neither gives one."""
        if node is None:
            return None
        if node not in self._cache:
            self._cache[node] = next(_labels(node, (self.graph, self.ontology)), None)
        return self._cache[node]

    def __call__(self, node: Node | None) -> str:
        """The label of ``node``, else its local name (a literal: its text)."""
        if node is None:
            return ""
        if not isinstance(node, URIRef):
            return str(node)
        return self.name(node) or short_name(node).split(":", 1)[-1].rsplit("#", 1)[-1]

    def party(self, party: Party) -> str:
        """A named organisation by its name, an unnamed recipient by its kind's label."""
        if party.name is not None:
            return party.name
        return self(party.kind if party.kind is not None else party.iri)


def _labels(node: Node, sources: Iterable[Graph]) -> Iterator[str]:
    for src in sources:
        for prop in LABEL_PROPERTIES:
            values = sorted(src.objects(node, prop), key=lambda v: (getattr(v, "language", None) not in (None, "en"),
                                                                    str(v)))
            if values:
                yield str(values[0])


__all__ = ["CLASS_KIND", "STATEMENT_LINKS", "BuildView", "ControllerView", "EvidenceRef", "Labels", "Party", "Period",
           "PolicyView", "PrivacyContact", "StatementView", "build_label", "build_of", "evidence_of", "kind_of",
           "read_policies", "read_policy"]

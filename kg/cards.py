"""Practice cards: what a policy says, grouped for people to read, each chip with the statements behind it.

One card per policy: rows ("Collects", "Shares with", "Does not sell", ... as the report has always shown them),
chips (a data category, recipient, purpose ...) with the IRIs of the statements they come from, the retention
periods as bars (length, bound, trigger, phrase; one bar per distinct period), the data categories x practice codes
of the matrix, and the facts (statement, kind, polarity, data, purposes, recipients) the web app's concept pages
index. ``privacy-kg report`` and ``privacy-kg serve`` render the same cards from the same templates
(``kg/templates/_macros.html``).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.concepts import vocabulary
from kg.errors import KgError
from kg.graphio import ontology_graph, short_name
from kg.vocab import DPV, OA, PPKG

PRACTICE_CODES = [  # class, matrix letter, card row (positive), card row (negated)
    (PPKG.SalePractice, "$", "Sells to", "Does not sell"),
    (PPKG.SharingPractice, "S", "Shares with", "Does not share"),
    (PPKG.CollectionPractice, "C", "Collects", "Does not collect"),
    (PPKG.UsePractice, "U", "Uses for", "Does not use"),
    (PPKG.RetentionPractice, "R", "Retention", "Does not retain"),
    (PPKG.TransferPractice, "T", "Transfers to", "Does not transfer"),
]
OTHER_STATEMENTS = [  # class, card row, value property
    (PPKG.RightStatement, "Rights", DPV.hasRight),
    (PPKG.LegalBasisStatement, "Legal bases", DPV.hasLegalBasis),
    (PPKG.AudienceStatement, "Audiences", PPKG.audience),
    (PPKG.DoNotTrackStatement, "Do Not Track", PPKG.doNotTrackStance),
    (PPKG.SecurityStatement, "Security", PPKG.securityMeasure),
    (PPKG.ChoiceStatement, "Choices", PPKG.choiceType),
    (PPKG.PolicyChangeStatement, "Policy changes", PPKG.notificationMethod),
]
CARD_ROWS = ["Collects", "Does not collect", "Uses for", "Does not use", "Shares with", "Sells to", "Does not share",
             "Does not sell", "Retention", "Transfers to", "Legal bases", "Rights", "Audiences", "Do Not Track",
             "Choices", "Security", "Policy changes"]


def _label(graph: Graph, onto: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    if not isinstance(node, URIRef):
        return str(node)
    for src in (graph, onto):
        for prop in (DPV.hasName, SKOS.prefLabel, RDFS.label):
            values = sorted(str(v) for v in src.objects(node, prop))
            if values:
                return values[0]
    return short_name(node).split(":", 1)[-1]


@dataclass
class _Company:
    policy: URIRef
    name: str
    source: str
    rows: dict[str, dict[str, list[Node]]] = field(default_factory=dict)  # card row -> chip -> statements
    cells: dict[URIRef, dict[str, list[Node]]] = field(default_factory=dict)  # category -> code -> statements
    periods: list[tuple[Node, Node]] = field(default_factory=list)  # (statement, retention period)

    def add(self, row: str, chip: str, node: Node) -> None:
        self.rows.setdefault(row, {}).setdefault(chip, []).append(node)


def _collect(graph: Graph, onto: Graph) -> list[_Company]:
    out = []
    for policy in graph.subjects(RDF.type, PPKG.PrivacyPolicy):
        org = graph.value(policy, DCTERMS.publisher)
        source = str(graph.value(policy, PPKG.sourceFile) or short_name(policy))
        c = _Company(policy, _label(graph, onto, org) if org is not None else f"(no controller) {source}", source)
        statements = set()
        for link in (PPKG.hasPractice, PPKG.hasRightStatement, PPKG.hasStatement):
            statements.update(graph.objects(policy, link))
        for s in sorted(statements, key=str):
            types = set(graph.objects(s, RDF.type))
            neg_value = graph.value(s, PPKG.negated)
            negated = neg_value is not None and neg_value.toPython() is True
            lab = lambda n: _label(graph, onto, n)  # noqa: E731
            data = sorted(graph.objects(s, DPV.hasPersonalData), key=lab)
            practice = next((p for p in PRACTICE_CODES if p[0] in types), None)
            if practice is not None:
                cls, code, row_pos, row_neg = practice
                for d in data:
                    c.cells.setdefault(d, {}).setdefault(("¬" if negated else "") + code, []).append(s)
                recipients = sorted(graph.objects(s, DPV.hasRecipient), key=lab)
                if negated:
                    what = ", ".join(lab(d) for d in data) or "data"
                    if recipients:
                        what += " with " + ", ".join(lab(r) if graph.value(r, DPV.hasName) else
                                                     lab(graph.value(r, PPKG.recipientKind) or r) for r in recipients)
                    c.add(row_neg, what, s)
                elif cls in (PPKG.SharingPractice, PPKG.SalePractice):
                    for r in recipients or [None]:
                        name = "unspecified recipients" if r is None else (
                            lab(r) if graph.value(r, DPV.hasName) else lab(graph.value(r, PPKG.recipientKind) or r))
                        c.add(row_pos, name, s)
                elif cls == PPKG.CollectionPractice:
                    for d in data:
                        c.add(row_pos, lab(d), s)
                elif cls == PPKG.UsePractice:
                    for p in sorted(graph.objects(s, DPV.hasPurpose), key=lab):
                        c.add(row_pos, lab(p), s)
                elif cls == PPKG.RetentionPractice:
                    for period in sorted(graph.objects(s, DPV.hasStorageCondition), key=str):
                        c.add(row_pos, str(graph.value(period, RDFS.label) or short_name(period)), s)
                        c.periods.append((s, period))
                elif cls == PPKG.TransferPractice:
                    for country in sorted(graph.objects(s, PPKG.transferCountry)) or ["another country"]:
                        c.add(row_pos, str(country), s)
                continue
            for cls, row, prop in OTHER_STATEMENTS:
                if cls in types:
                    for v in sorted(graph.objects(s, prop), key=str) or [None]:
                        text = "stated" if v is None else lab(v)
                        age = graph.value(s, PPKG.ageThreshold)
                        if age is not None:
                            text += f" (under {age})"
                        c.add(("Not: " + row) if negated else row, text, s)
                    break
        out.append(c)
    return sorted(out, key=lambda c: (c.name.lower(), c.source))


@dataclass(frozen=True)
class EvidenceItem:
    """A sentence behind a fact."""

    statement: str
    text: str
    source: str
    policy: str
    start: int | None
    end: int | None
    section: str
    rule: str
    negated: bool


@dataclass
class Chip:
    label: str
    statements: list[str]
    negative: bool = False
    review: str | None = None  # "wrong" | "confirmed" when every statement behind it was reviewed so


@dataclass
class CardRow:
    title: str
    chips: list[Chip]
    negative: bool = False


@dataclass
class Period:
    """A retention period for the retention bars: days (None: no stated length), bound, phrase."""

    statements: list[str]
    days: float | None
    iso: str
    bound: str  # "at most" | "exactly" | "at least" | ""
    phrase: str
    endless: bool = False
    trigger: str = ""


@dataclass(frozen=True)
class Fact:
    """One statement as the concept and compare pages need it: IRIs of what it is about, labels of recipients."""

    statement: str
    kind: str  # collect, use, share, sell, retain, transfer, right, ...
    negated: bool
    data: tuple[str, ...]
    purposes: tuple[str, ...]
    recipients: tuple[tuple[str, str | None], ...]  # (label, recipient-kind IRI or None)


@dataclass
class Card:
    policy: str
    company: str
    source: str
    date: str | None
    country: str | None
    rows: list[CardRow]
    periods: list[Period]
    statements: int
    cells: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # category IRI -> code -> statements
    facts: list[Fact] = field(default_factory=list)


BOUND_WORDS = {PPKG.UpperBound: "at most", PPKG.ExactBound: "exactly", PPKG.LowerBound: "at least"}



def policy_card(graph: Graph, policy: URIRef) -> Card:
    """The practice card of ``policy`` in ``graph`` (its rows as ``kg.report`` builds them)."""
    c = next((c for c in _collect(graph, ontology_graph()) if c.policy == policy), None)
    if c is None:
        raise KgError(str(policy), "no such policy in the graph")
    return _card(graph, c)


def policy_cards(graph: Graph) -> list[Card]:
    """The practice card of every policy in ``graph``, by company name."""
    return [_card(graph, c) for c in _collect(graph, ontology_graph())]


def _card(graph: Graph, c: _Company) -> Card:
    policy = c.policy
    rows = []
    for title in CARD_ROWS + sorted(set(c.rows) - set(CARD_ROWS)):
        chips = c.rows.get(title)
        if not chips:
            continue
        negative = title.startswith(("Does not", "Not:"))
        rows.append(CardRow(title, [Chip(label, sorted({str(n) for n in nodes}), negative)
                                    for label, nodes in sorted(chips.items(), key=lambda kv: kv[0].lower())],
                            negative))
    org = graph.value(policy, DCTERMS.publisher)
    country = graph.value(org, DPV.hasCountry) if org is not None else None
    date = graph.value(policy, DCTERMS.modified)
    periods: dict[tuple, Period] = {}  # the same period stated in several sentences: one bar
    for s, period in c.periods:
        types = set(graph.objects(period, RDF.type))
        days = graph.value(period, PPKG.durationDays)
        trigger = graph.value(period, PPKG.retentionTrigger)
        bar = Period(
            statements=[str(s)], days=float(days) if days is not None and DPV.TemporalDuration in types else None,
            iso=str(graph.value(period, RDF.value) or ""),
            bound=BOUND_WORDS.get(graph.value(period, PPKG.durationBound), ""),
            phrase=" ".join(str(graph.value(period, RDFS.label) or "").split()),
            endless=DPV.EndlessDuration in types,
            trigger=vocabulary().label(trigger) if trigger is not None else "")
        key = (bar.days, bar.iso, bar.bound, bar.phrase.casefold(), bar.endless, bar.trigger)
        if key in periods:
            periods[key].statements.append(str(s))
        else:
            periods[key] = bar
    ordered = sorted(periods.values(), key=lambda p: (not p.endless, p.days is None, -(p.days or 0), p.phrase))
    cells = {str(d): {code: sorted({str(n) for n in nodes}) for code, nodes in codes.items()}
             for d, codes in c.cells.items()}
    statements = len({s for row in rows for chip in row.chips for s in chip.statements})
    return Card(str(policy), c.name, c.source, str(date) if date is not None else None,
                str(country).rsplit("#", 1)[-1].rsplit("/", 1)[-1] if country is not None else None,
                rows, ordered, statements, cells, _facts(graph, policy))


def _facts(graph: Graph, policy: URIRef) -> list[Fact]:
    from kg.versions import Labels, _kind

    labels = Labels(graph, ontology_graph())
    out = []
    for link in (PPKG.hasPractice, PPKG.hasStatement, PPKG.hasRightStatement):
        for node in graph.objects(policy, link):
            kind = _kind(graph, node)
            if kind is None:
                continue
            negated = graph.value(node, PPKG.negated)
            recipients = tuple(sorted((labels.recipient(r), str(k) if (k := graph.value(r, PPKG.recipientKind))
                                       is not None else None) for r in graph.objects(node, DPV.hasRecipient)))
            out.append(Fact(str(node), kind, negated is not None and negated.toPython() is True,
                            tuple(sorted(str(d) for d in graph.objects(node, DPV.hasPersonalData))),
                            tuple(sorted(str(d) for d in graph.objects(node, DPV.hasPurpose))), recipients))
    return sorted(out, key=lambda f: f.statement)


def evidence(graph: Graph, statements: Iterable[str]) -> list[EvidenceItem]:
    """The sentences behind ``statements`` (IRIs), in document order."""
    out = []
    for s in set(statements):
        node = URIRef(s)
        negated = graph.value(node, PPKG.negated)
        for ev in graph.objects(node, PPKG.evidence):
            text = graph.value(ev, OA.exact)
            if text is None:
                continue
            policy = graph.value(ev, DCTERMS.source)
            start, end = graph.value(ev, OA.start), graph.value(ev, OA.end)
            out.append(EvidenceItem(
                statement=s, text=str(text), policy=str(policy or ""),
                source=str(graph.value(policy, PPKG.sourceFile) or "") if policy is not None else "",
                start=int(start) if start is not None else None, end=int(end) if end is not None else None,
                section=str(graph.value(ev, PPKG.sectionPath) or ""), rule=str(graph.value(ev, PPKG.rule) or ""),
                negated=negated is not None and negated.toPython() is True))
    return sorted(out, key=lambda e: (e.start if e.start is not None else -1, e.statement))


__all__ = ["Card", "CardRow", "Chip", "EvidenceItem", "Fact", "Period", "evidence", "policy_card", "policy_cards"]

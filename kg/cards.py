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

from rdflib import Graph, Literal, URIRef

from kg.concepts import vocabulary
from kg.graphio import ontology_graph, short_name
from kg.view import Labels, PolicyView, StatementView, evidence_of, read_policies, read_policy
from kg.vocab import PPKG

PRACTICE_CODES = {  # practice kind -> matrix letter, card row (positive), card row (negated)
    "sell": ("$", "Sells to", "Does not sell"),
    "share": ("S", "Shares with", "Does not share"),
    "collect": ("C", "Collects", "Does not collect"),
    "use": ("U", "Uses for", "Does not use"),
    "retain": ("R", "Retention", "Does not retain"),
    "transfer": ("T", "Transfers to", "Does not transfer"),
}
OTHER_ROWS = {"right": "Rights", "legal_basis": "Legal bases", "audience": "Audiences", "dnt": "Do Not Track",
              "security": "Security", "choice": "Choices", "change": "Policy changes"}  # other kind -> card row
CARD_ROWS = ["Collects", "Does not collect", "Uses for", "Does not use", "Shares with", "Sells to", "Does not share",
             "Does not sell", "Retention", "Transfers to", "Legal bases", "Rights", "Audiences", "Do Not Track",
             "Choices", "Security", "Policy changes"]


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


@dataclass
class _Rows:
    """A card being filled: card row -> chip -> statements; category -> practice code -> statements."""

    rows: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    cells: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def add(self, row: str, chip: str, statement: URIRef) -> None:
        self.rows.setdefault(row, {}).setdefault(chip, []).append(str(statement))


def policy_card(graph: Graph, policy: URIRef | str, labels: Labels | None = None) -> Card:
    """The practice card of ``policy`` in ``graph`` (read by ``kg.view``)."""
    return card_of(read_policy(graph, str(policy)), labels or Labels(graph, ontology_graph()))


def policy_cards(graph: Graph) -> list[Card]:
    """The practice card of every policy in ``graph``, by company name."""
    labels = Labels(graph, ontology_graph())
    return sorted((card_of(v, labels) for v in read_policies(graph)), key=lambda c: (c.company.lower(), c.source))


def card_of(policy: PolicyView, labels: Labels) -> Card:
    """The card of a policy as ``kg.view`` reads it: rows of chips, retention bars, matrix cells and facts."""
    source = policy.source or short_name(policy.iri)
    org = policy.controller
    name = labels(org.iri) if org is not None else f"(no controller) {source}"
    filled = _Rows()
    periods: dict[tuple, Period] = {}  # the same period stated in several sentences: one bar
    for s in sorted(policy.statements, key=lambda s: str(s.iri)):
        if s.kind in PRACTICE_CODES:
            _add_practice(filled, s, labels, periods)
            continue
        row = ("Not: " if s.negated else "") + OTHER_ROWS[s.kind]
        values = list(s.notifications) if s.kind == "change" else [labels(v) for v in s.values]
        for text in values or ["stated"]:
            filled.add(row, text + (f" (under {s.ages[0]})" if s.ages else ""), s.iri)
    rows = []
    for title in CARD_ROWS + sorted(set(filled.rows) - set(CARD_ROWS)):
        chips = filled.rows.get(title)
        if not chips:
            continue
        negative = title.startswith(("Does not", "Not:"))
        rows.append(CardRow(title, [Chip(label, sorted(set(nodes)), negative)
                                    for label, nodes in sorted(chips.items(), key=lambda kv: kv[0].lower())],
                            negative))
    country = org.countries[0] if org is not None and org.countries else None
    ordered = sorted(periods.values(), key=lambda p: (not p.endless, p.days is None, -(p.days or 0), p.phrase))
    cells = {d: {code: sorted(set(nodes)) for code, nodes in codes.items()} for d, codes in filled.cells.items()}
    statements = len({s for row in rows for chip in row.chips for s in chip.statements})
    return Card(str(policy.iri), name, source, policy.date,
                str(country).rsplit("#", 1)[-1].rsplit("/", 1)[-1] if country is not None else None,
                rows, ordered, statements, cells, _facts(policy, labels))


def _add_practice(c: _Rows, s: StatementView, labels: Labels, periods: dict[tuple, Period]) -> None:
    """A data practice's chips on the card, its cells in the data x companies matrix, its retention bars."""
    code, row_pos, row_neg = PRACTICE_CODES[s.kind]
    data = sorted(s.data, key=labels)
    # whose data, when the policy limits the practice to some people: "does not collect personal information
    # of children" is no denial for everyone, so it is no "not" cell of the data x companies matrix either
    whose = " of " + ", ".join(labels(x) for x in sorted(s.subjects, key=labels)) if s.subjects else ""
    for d in data:
        if not (s.negated and whose):
            c.cells.setdefault(str(d), {}).setdefault(("¬" if s.negated else "") + code, []).append(str(s.iri))
    recipients = [labels.party(r) for r in sorted(s.recipients, key=lambda r: labels(r.iri))]
    if s.negated:
        what = (", ".join(labels(d) for d in data) or "data") + whose
        c.add(row_neg, what + (" with " + ", ".join(recipients) if recipients else ""), s.iri)
    elif s.kind in ("share", "sell"):
        for name in recipients or ["unspecified recipients"]:
            c.add(row_pos, name + (" (the data" + whose + ")" if whose else ""), s.iri)
    elif s.kind == "collect":
        for d in data:
            c.add(row_pos, labels(d) + whose, s.iri)
    elif s.kind == "use":
        for purpose in sorted(s.purposes, key=labels):
            c.add(row_pos, labels(purpose), s.iri)
    elif s.kind == "retain":
        for period in sorted(s.retention, key=lambda p: str(p.iri)):
            c.add(row_pos, period.text or short_name(period.iri), s.iri)
            bar = Period(statements=[str(s.iri)], days=period.days if period.kind == "temporal" else None,
                         iso=period.iso or "", bound=BOUND_WORDS.get(period.bound, "") if period.bound else "",
                         phrase=" ".join(period.text.split()), endless=period.kind == "endless",
                         trigger=vocabulary().label(period.trigger) if period.trigger is not None else "")
            key = (bar.days, bar.iso, bar.bound, bar.phrase.casefold(), bar.endless, bar.trigger)
            if key in periods:
                periods[key].statements.append(str(s.iri))
            else:
                periods[key] = bar
    elif s.kind == "transfer":
        for country in s.countries or ("another country",):
            c.add(row_pos, country, s.iri)


def _facts(policy: PolicyView, labels: Labels) -> list[Fact]:
    out = [Fact(str(s.iri), s.kind, s.negated is True, tuple(sorted(str(d) for d in s.data)),
                tuple(sorted(str(p) for p in s.purposes)),
                tuple(sorted((labels.party(r), str(r.kind) if r.kind is not None else None) for r in s.recipients)))
           for s in policy.statements]
    return sorted(out, key=lambda f: f.statement)


def evidence(graph: Graph, statements: Iterable[str], policy: str = "") -> list[EvidenceItem]:
    """The sentences behind ``statements`` (IRIs) of ``policy``, in document order (``kg.view.evidence_of``)."""
    out = []
    for s in set(statements):
        node = URIRef(s)
        negated = graph.value(node, PPKG.negated)
        for e in evidence_of(graph, node):
            out.append(EvidenceItem(statement=s, text=e.text, policy=policy, source=e.source, start=e.start,
                                    end=e.end, section=e.section, rule=e.rule,
                                    negated=isinstance(negated, Literal) and negated.toPython() is True))
    return sorted(out, key=lambda e: (e.start if e.start is not None else -1, e.statement))


__all__ = ["CARD_ROWS", "Card", "CardRow", "Chip", "EvidenceItem", "Fact", "Period", "card_of", "evidence",
           "policy_card", "policy_cards"]

"""Policy versions and the difference between two versions of a policy.

Versions: the policies of one controller (``dct:publisher``, whose IRI comes from the legal name, so the same
company has the same IRI in every document) ordered by their policy date (``dct:modified``); undated ones sort
first. ``kg.store._plan_add`` decides when a file is kept as a new version rather than replacing one.

Diff (``diff_policies``): a pure comparison of two policy graphs (each exactly ``kg.graph.policy_graph(record)``
or one named graph of a store), by meaning, not by triples:

* A statement's identity key is its kind (collect, use, share, sell, retain, transfer, and the non-practice
  statements: right, legal basis, audience, Do Not Track, security, choice, change) with the set of data
  categories, purposes, recipients (a named organisation or a recipient kind), third-party collectors and values
  (the right, legal basis, audience, ... it states). All are IRIs that do not depend on the document.
* Statements with the same key in one version are one practice. A practice in only one version is "added" or
  "removed". A practice in both is "changed" when, attribute by attribute, the set of values stated for it
  differs: polarity (``ppkg:negated``), retention periods (kind, duration, bound, trigger; not the wording),
  conditions, transfer countries and safeguards, age thresholds, notification methods.
* Provenance is ignored: IRIs (derived from the document hash), offsets, sentence indexes, rules, the wording of
  the evidence sentence, and how many sentences state the same practice.
* Controller-level facts are compared too: policy date, controller name, country, address, contact e-mails,
  phones and URLs, the privacy contact (role, name, DPO), children's age thresholds and the Do Not Track stance.

Each entry carries the labels of its concepts (``skos:prefLabel`` from the ontology, ``dpv:hasName`` of named
organisations) and the evidence sentences of each side.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg.errors import BadGraph, KgError
from kg.graph import PRACTICE_CLASS, STATEMENT_CLASS
from kg.graphio import ontology_graph, short_name
from kg.model import STATEMENT_KINDS
from kg.normalize.organisations import slug
from kg.vocab import AUD, DPV, OA, PPKG, PREFIXES, SCHEMA, bind_prefixes

STATEMENT_LINKS = (PPKG.hasPractice, PPKG.hasStatement, PPKG.hasRightStatement)
ATTRIBUTES = ("negated", "retention", "condition", "countries", "safeguards", "age threshold", "notification")
KEY_PARTS = ("data", "purposes", "recipients", "collectors", "values")
STATUSES = ("added", "removed", "changed")
FORMATS = ("text", "markdown", "json")


@cache
def _class_kinds() -> dict[URIRef, str]:
    out = {cls: kind for kind, (cls, _) in STATEMENT_CLASS.items()}
    out.update({cls: kind for kind, (cls, _) in PRACTICE_CLASS.items()})
    return out


# -- labels ---------------------------------------------------------------------------------------------------
class Labels:
    """Readable names of IRIs: ``dpv:hasName`` in the policy graph, else the ontology's ``skos:prefLabel``
    (English first) or ``rdfs:label``, else the local name."""

    def __init__(self, graph: Graph, ontology: Graph | None = None):
        self.graph, self.ontology = graph, ontology if ontology is not None else ontology_graph()

    def __call__(self, node) -> str:
        if node is None:
            return ""
        if not isinstance(node, URIRef):
            return str(node)
        for src, props in ((self.graph, (DPV.hasName,)), (self.ontology, (SKOS.prefLabel, RDFS.label))):
            for prop in props:
                values = sorted(src.objects(node, prop), key=lambda v: (getattr(v, "language", None) not in
                                                                        (None, "en"), str(v)))
                if values:
                    return str(values[0])
        return short_name(node).split(":", 1)[-1].rsplit("#", 1)[-1]

    def recipient(self, node: URIRef) -> str:
        """A named organisation by its name, an unnamed recipient by its kind's label."""
        if self.graph.value(node, DPV.hasName) is not None:
            return self(node)
        kind = self.graph.value(node, PPKG.recipientKind)
        return self(kind) if kind is not None else self(node)


# -- one policy, read from its graph --------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    iri: str
    label: str


@dataclass(frozen=True)
class EvidenceRef:
    text: str
    start: int | None = None
    end: int | None = None
    rule: str = ""
    section: str = ""


@dataclass(frozen=True)
class Key:
    """The identity of a practice: kind plus the IRIs of what it is about (each part sorted)."""

    kind: str
    data: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    collectors: tuple[str, ...] = ()
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatementView:
    key: Key
    attributes: tuple[tuple[str, tuple[str, ...]], ...]  # (attribute, values) for every name in ATTRIBUTES
    evidence: EvidenceRef

    def get(self, attribute: str) -> tuple[str, ...]:
        return dict(self.attributes)[attribute]


@dataclass(frozen=True)
class PolicyInfo:
    iri: str
    source: str
    date: str | None
    controller: str | None
    controller_iri: str | None = None


@dataclass
class PolicyView:
    info: PolicyInfo
    statements: list[StatementView]
    facts: dict[str, tuple[str, ...]]
    terms: dict[str, str]  # IRI -> label of every IRI used in a key


def _policy_node(graph: Graph, iri: str | None, where: str) -> URIRef:
    policies = sorted(p for p in graph.subjects(RDF.type, PPKG.PrivacyPolicy) if isinstance(p, URIRef))
    if iri is not None:
        if URIRef(iri) not in policies:
            raise BadGraph(where, f"no policy {iri} in the graph")
        return URIRef(iri)
    if len(policies) != 1:
        raise BadGraph(where, f"the graph holds {len(policies)} policies; name the one to compare")
    return policies[0]


def _text(value) -> str:
    return " ".join(str(value).split())


def _retention(g: Graph, labels: Labels, period: URIRef) -> str:
    """A retention period by its normalised meaning (the phrase it was read from is left out)."""
    types = set(g.objects(period, RDF.type))
    value, bound, trigger = (g.value(period, p) for p in (RDF.value, PPKG.durationBound, PPKG.retentionTrigger))
    if DPV.TemporalDuration in types and value is not None:
        text = " ".join(x for x in (labels(bound) if bound is not None else "", str(value)) if x)
        return text + (f" from {labels(trigger)}" if trigger is not None else "")
    if DPV.UntilEventDuration in types:
        return f"until {labels(trigger)}" if trigger is not None else "until an event"
    if DPV.EndlessDuration in types:
        return "indefinitely"
    return "unspecified" + (f" (until {labels(trigger)})" if trigger is not None else "")


def _kind(g: Graph, node: URIRef) -> str | None:
    kinds = {_class_kinds()[c] for c in g.objects(node, RDF.type) if c in _class_kinds()}
    if "sell" in kinds:
        return "sell"  # a sale is also typed as a sharing practice
    return min(kinds, key=STATEMENT_KINDS.index) if kinds else None


def read_policy(graph: Graph, iri: str | None = None, *, where: str = "graph",
                ontology: Graph | None = None) -> PolicyView:
    """The statements and facts of one policy in ``graph`` (the only one, or the one called ``iri``)."""
    g = graph
    policy = _policy_node(g, iri, where)
    labels = Labels(g, ontology)
    terms: dict[str, str] = {}
    statements = []
    for link in STATEMENT_LINKS:
        for node in g.objects(policy, link):
            kind = _kind(g, node)
            if kind is None:
                continue
            parts = {
                "data": list(g.objects(node, DPV.hasPersonalData)),
                "purposes": list(g.objects(node, DPV.hasPurpose)),
                "recipients": list(g.objects(node, DPV.hasRecipient)),
                "collectors": list(g.objects(node, PPKG.collector)),
                "values": list(g.objects(node, value_prop)) if (value_prop := STATEMENT_CLASS.get(kind, (0, None))[1])
                else [],  # the right, legal basis, audience, DNT stance, ... a non-practice statement states
            }
            for name, nodes in parts.items():
                for n in nodes:
                    if str(n) not in terms:
                        terms[str(n)] = labels.recipient(n) if name in ("recipients", "collectors") else labels(n)
            key = Key(kind, **{name: tuple(sorted(str(n) for n in nodes)) for name, nodes in parts.items()})
            negated = g.value(node, PPKG.negated)
            attributes = {
                "negated": ["yes" if negated is not None and negated.toPython() is True else "no"],
                "retention": [_retention(g, labels, p) for p in g.objects(node, DPV.hasStorageCondition)],
                "condition": [_text(c) for c in g.objects(node, PPKG.condition)],
                "countries": [str(c) for c in g.objects(node, PPKG.transferCountry)],
                "safeguards": [str(c) for c in g.objects(node, PPKG.transferSafeguard)],
                "age threshold": [str(c) for c in g.objects(node, PPKG.ageThreshold)],
                "notification": [str(c) for c in g.objects(node, PPKG.notificationMethod)],
            }
            ev = g.value(node, PPKG.evidence)
            evidence = EvidenceRef(
                text=_text(g.value(ev, OA.exact) or "") if ev is not None else "",
                start=_int(g.value(ev, OA.start)) if ev is not None else None,
                end=_int(g.value(ev, OA.end)) if ev is not None else None,
                rule=str(g.value(ev, PPKG.rule) or "") if ev is not None else "",
                section=str(g.value(ev, PPKG.sectionPath) or "") if ev is not None else "")
            statements.append(StatementView(key, tuple((a, tuple(sorted(set(attributes[a])))) for a in ATTRIBUTES),
                                            evidence))
    statements.sort(key=lambda s: (s.evidence.start if s.evidence.start is not None else -1, s.evidence.text))
    org = g.value(policy, DCTERMS.publisher)
    date = g.value(policy, DCTERMS.modified)
    info = PolicyInfo(iri=str(policy), source=str(g.value(policy, PPKG.sourceFile) or ""),
                      date=str(date) if date is not None else None,
                      controller=str(g.value(org, DPV.hasName)) if org is not None and g.value(org, DPV.hasName)
                      else None, controller_iri=str(org) if org is not None else None)
    return PolicyView(info, statements, _facts(g, policy, org, statements, labels), terms)


def _int(value) -> int | None:
    return int(value) if value is not None else None


def _facts(g: Graph, policy: URIRef, org, statements: list[StatementView],
           labels: Labels) -> dict[str, tuple[str, ...]]:
    facts: dict[str, set[str]] = defaultdict(set)
    if (date := g.value(policy, DCTERMS.modified)) is not None:
        facts["date"].add(str(date))
    if org is not None:
        facts["controller"].update(str(n) for n in g.objects(org, DPV.hasName))
        facts["country"].update(short_name(c).split(":", 1)[-1] for c in g.objects(org, DPV.hasCountry))
        facts["address"].update(_text(a) for a in g.objects(org, DPV.hasAddress))
        points = list(g.objects(org, PPKG.hasContactPoint))
        for pc in g.objects(org, PPKG.hasPrivacyContact):
            points += list(g.objects(pc, PPKG.hasContactPoint))
            role, name = g.value(pc, PPKG.role), g.value(pc, DPV.hasName)
            dpo = (pc, RDF.type, DPV.DataProtectionOfficer) in g
            facts["privacy contact"].add(" ".join(x for x in (
                str(role or "privacy contact"), f"({name})" if name else "", "[DPO]" if dpo else "") if x))
        for point in points:
            for prop, fact in ((SCHEMA.email, "contact e-mail"), (SCHEMA.telephone, "contact phone"),
                               (SCHEMA.url, "contact URL")):
                facts[fact].update(str(v) for v in g.objects(point, prop))
    for s in statements:
        if s.get("negated") == ("no",):
            if s.key.kind == "audience" and str(AUD.Children) in s.key.values:
                facts["children's age threshold"].update(s.get("age threshold"))
            if s.key.kind == "dnt":
                facts["Do Not Track"].update(labels(URIRef(v)) for v in s.key.values)
    return {k: tuple(sorted(v)) for k, v in facts.items() if v}


# -- the diff -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FactChange:
    fact: str
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True)
class AttributeChange:
    attribute: str
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True)
class PracticeChange:
    status: str  # "added" | "removed" | "changed"
    kind: str
    data: tuple[Term, ...]
    purposes: tuple[Term, ...]
    recipients: tuple[Term, ...]
    collectors: tuple[Term, ...]
    values: tuple[Term, ...]
    attributes: tuple[AttributeChange, ...]  # changed: the differing ones; added/removed: the non-empty ones
    old_evidence: tuple[EvidenceRef, ...]
    new_evidence: tuple[EvidenceRef, ...]

    @property
    def label(self) -> str:
        """``share: email address; recipient: advertiser; purpose: for marketing purposes`` (labels, sorted)."""
        parts = [", ".join(t.label for t in terms) for terms in (self.data, self.values) if terms]
        for name, terms in (("recipient", self.recipients), ("collector", self.collectors),
                            ("purpose", self.purposes)):
            if terms:
                parts.append(f"{name}{'s' * (len(terms) > 1)}: " + ", ".join(t.label for t in terms))
        kind = self.kind.replace("_", " ")
        return f"{kind}: {'; '.join(parts)}" if parts else kind


@dataclass
class PolicyDiff:
    old: PolicyInfo
    new: PolicyInfo
    facts: list[FactChange] = field(default_factory=list)
    practices: list[PracticeChange] = field(default_factory=list)

    def of(self, status: str) -> list[PracticeChange]:
        return [p for p in self.practices if p.status == status]

    @property
    def differs(self) -> bool:
        return bool(self.facts or self.practices)

    def to_dict(self) -> dict:
        return {"old": asdict(self.old), "new": asdict(self.new),
                "summary": {**{s: len(self.of(s)) for s in STATUSES}, "facts": len(self.facts)},
                "facts": [asdict(f) for f in self.facts],
                "practices": {s: [_practice_dict(p) for p in self.of(s)] for s in STATUSES}}


def _practice_dict(p: PracticeChange) -> dict:
    d = asdict(p)
    del d["status"]
    return {"label": p.label, **d}


def _group(view: PolicyView) -> dict[Key, list[StatementView]]:
    out: dict[Key, list[StatementView]] = defaultdict(list)
    for s in view.statements:
        out[s.key].append(s)
    return out


def _values(statements: Sequence[StatementView], attribute: str) -> set[str]:
    return {v for s in statements for v in s.get(attribute)}


def _evidence(statements: Iterable[StatementView]) -> tuple[EvidenceRef, ...]:
    seen: dict[tuple, EvidenceRef] = {}
    for s in statements:
        seen.setdefault((s.evidence.start, s.evidence.text), s.evidence)
    return tuple(seen[k] for k in sorted(seen, key=lambda k: (k[0] if k[0] is not None else -1, k[1])))


def diff_views(old: PolicyView, new: PolicyView) -> PolicyDiff:
    """The practices and facts that differ between two read policies (see the module docstring)."""
    result = PolicyDiff(old.info, new.info)
    for fact in sorted(set(old.facts) | set(new.facts), key=_fact_order):
        a, b = old.facts.get(fact, ()), new.facts.get(fact, ())
        if a != b:
            result.facts.append(FactChange(fact, a, b))
    terms = {**old.terms, **new.terms}
    before, after = _group(old), _group(new)
    for key in set(before) | set(after):
        olds, news = before.get(key, []), after.get(key, [])
        if not news or not olds:
            present = {a: tuple(sorted(_values(olds or news, a))) for a in ATTRIBUTES}
            attrs = tuple(AttributeChange(a, v, ()) if olds else AttributeChange(a, (), v)
                          for a, v in present.items() if v)
            status = "removed" if olds else "added"
            entry = _entry(status, key, terms, attrs, _evidence(olds), _evidence(news))
        else:
            changes = []
            old_ev: list[StatementView] = []
            new_ev: list[StatementView] = []
            for a in ATTRIBUTES:
                va, vb = _values(olds, a), _values(news, a)
                if va != vb:
                    changes.append(AttributeChange(a, tuple(sorted(va)), tuple(sorted(vb))))
                    old_ev += [s for s in olds if set(s.get(a)) - vb]
                    new_ev += [s for s in news if set(s.get(a)) - va]
            if not changes:
                continue
            # the sentences that carry a differing value; a side with none (a value dropped) shows all of its own
            entry = _entry("changed", key, terms, tuple(changes), _evidence(old_ev or olds), _evidence(new_ev or news))
        result.practices.append(entry)
    result.practices.sort(key=lambda p: (STATUSES.index(p.status), STATEMENT_KINDS.index(p.kind), p.label,
                                         [[t.iri for t in getattr(p, part)] for part in KEY_PARTS]))
    return result


def _fact_order(fact: str) -> tuple[int, str]:
    order = ("date", "controller", "country", "address", "contact e-mail", "contact phone", "contact URL",
             "privacy contact", "children's age threshold", "Do Not Track")
    return (order.index(fact) if fact in order else len(order), fact)


def _entry(status: str, key: Key, terms: dict[str, str], attrs, old_ev, new_ev) -> PracticeChange:
    def named(iris: tuple[str, ...]) -> tuple[Term, ...]:
        return tuple(sorted((Term(i, terms.get(i, i)) for i in iris), key=lambda t: (t.label.lower(), t.iri)))
    return PracticeChange(status, key.kind, *(named(getattr(key, part)) for part in KEY_PARTS), attrs, old_ev, new_ev)


def diff_policies(old: Graph, new: Graph, old_iri: str | None = None, new_iri: str | None = None, *,
                  ontology: Graph | None = None) -> PolicyDiff:
    """Diff two policy graphs; each holds one policy, or name it with ``old_iri`` / ``new_iri``."""
    return diff_views(read_policy(old, old_iri, where="old", ontology=ontology),
                      read_policy(new, new_iri, where="new", ontology=ontology))


# -- rendering ------------------------------------------------------------------------------------------------
def _side(info: PolicyInfo) -> str:
    extra = ", ".join(x for x in (info.date or "undated", info.controller or "no controller found") if x)
    return f"{info.source or info.iri} ({extra}) {short_name(URIRef(info.iri))}"


def _values_text(values: tuple[str, ...]) -> str:
    return ", ".join(values) if values else "(none)"


def render_diff(diff: PolicyDiff, fmt: str = "text") -> str:
    """The diff as ``text`` (default), ``markdown`` or ``json``."""
    if fmt == "json":
        return json.dumps(diff.to_dict(), ensure_ascii=False, indent=2) + "\n"
    md = fmt == "markdown"
    bullet, sub = ("- ", "  - ") if md else ("  ", "      ")
    out = [f"**old:** {_side(diff.old)}  ", f"**new:** {_side(diff.new)}"] if md else \
        [f"--- {_side(diff.old)}", f"+++ {_side(diff.new)}"]

    def heading(text: str) -> None:
        out.extend(["", f"## {text}", ""] if md else [text])

    if diff.facts:
        heading("Facts" if md else "facts")
        for f in diff.facts:
            out.append(f"{bullet}{'' if md else '~ '}{f.fact}: {_values_text(f.old)} -> {_values_text(f.new)}")
    for status, mark in zip(STATUSES, "+-~"):
        entries = diff.of(status)
        if not entries:
            continue
        heading(f"{status.capitalize()} practices ({len(entries)})" if md else f"{status} ({len(entries)})")
        for p in entries:
            out.append(f"- **{p.label}**" if md else f"  {mark} {p.label}")
            for a in p.attributes:
                values = f"{_values_text(a.old)} -> {_values_text(a.new)}" if status == "changed" else \
                    _values_text(a.old or a.new)
                out.append(f"{sub}{a.attribute}: {values}")
            for side, refs in (("old", p.old_evidence), ("new", p.new_evidence)):
                out.extend(f'{sub}{side}: "{e.text}"' for e in refs)
    counts = ", ".join(f"{len(diff.of(s))} {s}" for s in STATUSES)
    if md:
        out.append("")
    out.append(f"{len(diff.practices)} practices differ ({counts}); {len(diff.facts)} facts differ"
               if diff.differs else "no differences")
    return "\n".join(out) + "\n"


# -- versions -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Version:
    iri: str
    source: str
    date: str | None
    statements: int
    controller_iri: str | None
    controller: str | None


@dataclass(frozen=True)
class Controller:
    """One controller's policies ordered by date (undated first, then by source file and IRI)."""

    iri: str | None  # None: policies that name no controller, grouped by source file
    name: str
    versions: tuple[Version, ...]

    @property
    def same_date(self) -> list[str]:
        """Dates that more than one of these policies carry (kept, and flagged by ``versions``)."""
        dates = [v.date for v in self.versions if v.date]
        return sorted({d for d in dates if dates.count(d) > 1})


VERSIONS_QUERY = """
SELECT ?policy ?src ?date ?org (MIN(?name) AS ?orgName) (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?policy a ppkg:PrivacyPolicy .
  OPTIONAL { ?policy ppkg:sourceFile ?src }
  OPTIONAL { ?policy dct:modified ?date }
  OPTIONAL { ?policy dct:publisher ?org . OPTIONAL { ?org dpv:hasName ?name } }
  OPTIONAL { ?policy ppkg:hasPractice|ppkg:hasStatement|ppkg:hasRightStatement ?s }
} GROUP BY ?policy ?src ?date ?org
"""


def _rows(source, sparql: str) -> list[dict[str, str | None]]:
    """SELECT rows as {variable: lexical value or None}, from an rdflib Graph or a ``kg.store.Store``."""
    if isinstance(source, Graph):
        res = source.query(sparql, initNs=PREFIXES)
        return [{v: (str(row[v]) if row[v] is not None else None) for v in map(str, res.vars)} for row in res]
    res = source.query(sparql)  # a kg.store.GraphStore: rdflib terms
    return [{n: (str(t) if t is not None else None) for n, t in zip(res.vars, row)} for row in res.rows]


def _order(v: Version) -> tuple:
    return (v.date is not None, v.date or "", v.source, v.iri)


def list_versions(source) -> list[Controller]:
    """Every controller's policies in ``source`` (an rdflib Graph or a ``kg.store.Store``), ordered by date;
    controllers sorted by name."""
    groups: dict[str, list[Version]] = defaultdict(list)
    for r in _rows(source, VERSIONS_QUERY):
        v = Version(iri=r["policy"], source=r["src"] or "", date=r["date"], statements=int(r["n"] or 0),
                    controller_iri=r["org"], controller=r["orgName"])
        groups[v.controller_iri or f"source:{v.source or v.iri}"].append(v)
    out = []
    for group, versions in groups.items():
        versions.sort(key=_order)
        first = versions[-1]
        iri = first.controller_iri
        name = first.controller or (short_name(URIRef(iri)) if iri else f"(no controller found) {first.source}")
        out.append(Controller(iri, name, tuple(versions)))
    return sorted(out, key=lambda c: (c.iri is None, c.name.lower(), c.iri or ""))


def latest_policies(source) -> list[str]:
    """The IRI of each controller's newest policy in ``source`` (the last of its ``list_versions``; policies that
    name no controller are grouped by source file), sorted: what ``--latest`` reads."""
    return sorted(c.versions[-1].iri for c in list_versions(source))


def find_controller(controllers: list[Controller], name: str) -> Controller:
    """The controller called ``name``: its IRI, its name or slug (any case), else the only one whose name
    contains it. Raises ``KgError`` when none or several match."""
    wanted = name.strip()
    exact = [c for c in controllers if c.iri and (wanted in (c.iri, short_name(URIRef(c.iri)))
                                                  or c.name.casefold() == wanted.casefold()
                                                  or c.iri.rsplit("/", 1)[-1] == slug(wanted))]
    found = exact or [c for c in controllers if wanted.casefold() in c.name.casefold()]
    if len(found) == 1:
        return found[0]
    if not found:
        known = ", ".join(c.name for c in controllers) or "none"
        raise KgError(name, "no such controller", hint=f"the stored controllers: {known}")
    raise KgError(name, f"names {len(found)} controllers ({'; '.join(c.name for c in found)})",
                  hint="give the full name or the controller IRI")


def find_version(versions: Iterable[Version], ref: str) -> Version:
    """The stored policy named by ``ref``: its IRI (or ``kgid:policy/...``), its source file name when only one
    policy has it, or ``SOURCE@DATE`` (e.g. ``acme.txt@2024-03-01``)."""
    versions = list(versions)
    iri = ref if "://" in ref else (str(PREFIXES["kgid"]) + ref.split(":", 1)[1] if ref.startswith("kgid:") else None)
    if iri is not None:
        found = [v for v in versions if v.iri == iri]
    else:
        found = [v for v in versions if v.source == ref]
        src, sep, date = ref.rpartition("@")
        if not found and sep:
            found = [v for v in versions if v.source == src and v.date == date]
    if len(found) == 1:
        return found[0]
    if not found:
        raise KgError(ref, "no such stored policy",
                      hint="name a stored policy by source file, SOURCE@DATE or policy IRI (see privacy-kg versions)")
    dates = ", ".join(f"{v.source}@{v.date or 'undated'}" for v in sorted(found, key=_order))
    raise KgError(ref, f"names {len(found)} stored policies ({dates})", hint="give SOURCE@DATE or the policy IRI")


def graphs_of_files(paths: Sequence[str | Path], extractor=None) -> list[Graph]:
    """The policy graph of each file, built with the normal pipeline (spaCy loaded once, after every file has been
    read, so an unreadable one fails fast). Raises ``KgError`` naming the file that fails."""
    from kg.api import TIMEOUT_PER_FILE, process_file, time_budget
    from kg.extract import Extractor
    from kg.graph import policy_graph
    from kg.ingest import read_document

    for path in paths:
        read_document(path)
    extractor = extractor or Extractor(ontology_graph())
    graphs = []
    for path in paths:
        try:
            with time_budget(TIMEOUT_PER_FILE, path):  # as build's default --timeout-per-file
                graphs.append(policy_graph(process_file(path, extractor)))
        except KgError:
            raise
        except Exception as exc:  # as kg.api does for a build: name the file, not a traceback
            raise KgError(str(path), f"internal error ({type(exc).__name__}: {exc}); please report it with this "
                          "file") from exc
    return graphs


def render_versions(controllers: list[Controller], fmt: str = "text") -> str:
    """The version list as ``text``, ``markdown`` or ``json``; a date shared by two policies of one controller
    is flagged ("same date")."""
    if fmt == "json":
        return json.dumps([{"controller": c.name, "iri": c.iri, "same_date": c.same_date,
                            "versions": [asdict(v) for v in c.versions]} for c in controllers],
                          ensure_ascii=False, indent=2) + "\n"
    md = fmt == "markdown"
    out = []
    for c in controllers:
        n = len(c.versions)
        title = f"{c.name} ({short_name(URIRef(c.iri))})" if c.iri else c.name
        out.append(f"## {title}: {n} version{'s' * (n != 1)}" if md else f"{title}: {n} version{'s' * (n != 1)}")
        if md:
            out.append("| date | source | statements | policy |\n|---|---|---|---|")
        for v in c.versions:
            flag = " (same date)" if v.date in c.same_date else ""
            date = (v.date or "undated") + flag
            cell = v.source.replace("|", "\\|")
            out.append(f"| {date} | {cell} | {v.statements} | `{short_name(URIRef(v.iri))}` |"
                       if md else
                       f"  {date:<12} {v.source:<24} {v.statements:>4} statements  {short_name(URIRef(v.iri))}")
        if md:
            out.append("")
    return "\n".join(out) + "\n" if out else ("no policies stored\n")


__all__ = ["Controller", "PolicyDiff", "PracticeChange", "Version", "diff_policies", "diff_views", "find_controller",
           "find_version", "graphs_of_files", "list_versions", "read_policy", "render_diff", "render_versions"]

"""The difference between two versions of a policy: practices added, removed and changed, and controller facts.

``diff_policies``: a pure comparison of two policy graphs (each exactly ``kg.graph.policy_graph(record)`` or one
named graph of a store), read by ``kg.view``, by meaning, not by triples:

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

Each side also says what built its graph (the privacy-kg release and rule set of its ``prov:wasGeneratedBy``,
"unknown" for a graph built before they were recorded). When the two differ, or either is unknown,
``PolicyDiff.build_note`` says so: a difference may then come from the tool rather than from the policy.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace

from rdflib import Graph, URIRef

from kg.graphio import short_name
from kg.model import STATEMENT_KINDS
from kg.view import BuildView, EvidenceRef, Labels, Period, PolicyView, StatementView, read_policy
from kg.vocab import AUD

ATTRIBUTES = ("negated", "retention", "condition", "countries", "safeguards", "age threshold", "notification")
KEY_PARTS = ("data", "purposes", "recipients", "collectors", "values")
STATUSES = ("added", "removed", "changed")
FORMATS = ("text", "markdown", "json")


@dataclass(frozen=True)
class Term:
    iri: str
    label: str


@dataclass(frozen=True)
class Key:
    """The identity of a practice: its kind and, for each of ``KEY_PARTS``, the sorted IRIs of what it is about."""

    kind: str
    parts: tuple[tuple[str, ...], ...]  # in the order of KEY_PARTS

    def part(self, name: str) -> tuple[str, ...]:
        return self.parts[KEY_PARTS.index(name)]


@dataclass(frozen=True)
class _Stated:
    """One statement as the diff compares it: its key, its attributes (every name in ATTRIBUTES), its sentence."""

    key: Key
    attributes: dict[str, tuple[str, ...]]
    evidence: EvidenceRef


@dataclass(frozen=True)
class PolicyRef:
    """Which policy a side of the diff is."""

    iri: str
    source: str
    date: str | None
    controller: str | None
    controller_iri: str | None = None
    built_by: str | None = None  # "privacy-kg 0.1.0, rules-8bb223c58cef"; None: unknown (an older graph)
    build: BuildView | None = None  # the parts of it, and the ontology version


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
    old: PolicyRef
    new: PolicyRef
    facts: list[FactChange] = field(default_factory=list)
    practices: list[PracticeChange] = field(default_factory=list)

    def of(self, status: str) -> list[PracticeChange]:
        return [p for p in self.practices if p.status == status]

    @property
    def differs(self) -> bool:
        return bool(self.facts or self.practices)

    @property
    def same_build(self) -> bool | None:
        """Both sides built by the same privacy-kg release and rule set; None when either side does not say."""
        if self.old.build is None or self.new.build is None:
            return None
        return (self.old.build.software, self.old.build.rules) == (self.new.build.software, self.new.build.rules)

    @property
    def build_note(self) -> str | None:
        """A warning when the two sides were not built alike (or either is unknown), else None."""
        if self.same_build:
            return None
        tail = "a difference may come from the tool, not from the policy"
        if self.same_build is None:
            sides = [side for side, ref in (("old", self.old), ("new", self.new)) if ref.build is None]
            which = " and ".join(sides) + (" sides" if len(sides) > 1 else " side")
            return (f"what built the {which} is unknown (a graph built before builds were recorded): {tail}; "
                    "build both again with one release to compare the policies alone")
        old, new = self.old.build, self.new.build
        assert old is not None and new is not None
        what = [x for x, a, b in (("privacy-kg releases", old.software, new.software),
                                  ("rule sets", old.rules, new.rules)) if a != b]
        return (f"the two sides were built by different {' and '.join(what)}: {tail}; build both again with one "
                "release to compare the policies alone")

    def to_dict(self) -> dict:
        return {"old": asdict(self.old), "new": asdict(self.new),
                "same_build": self.same_build, "build_note": self.build_note,
                "summary": {**{s: len(self.of(s)) for s in STATUSES}, "facts": len(self.facts)},
                "facts": [asdict(f) for f in self.facts],
                "practices": {s: [_practice_dict(p) for p in self.of(s)] for s in STATUSES}}

    def render(self, fmt: str = "text") -> str:
        """The diff as ``text`` (default), ``markdown`` or ``json`` (``render_diff``)."""
        return render_diff(self, fmt)


def _practice_dict(p: PracticeChange) -> dict:
    d = asdict(p)
    del d["status"]
    for side in ("old_evidence", "new_evidence"):  # the sentence's source file is the side's own
        for e in d[side]:
            del e["source"]
    return {"label": p.label, **d}


# -- what is compared -------------------------------------------------------------------------------------------
def _text(value: str) -> str:
    return " ".join(value.split())


def _retention(labels: Labels, period: Period) -> str:
    """A retention period by its normalised meaning (the phrase it was read from is left out)."""
    if period.kind == "temporal" and period.iso is not None:
        text = " ".join(x for x in (labels(period.bound) if period.bound is not None else "", period.iso) if x)
        return text + (f" from {labels(period.trigger)}" if period.trigger is not None else "")
    if period.kind == "until_event":
        return f"until {labels(period.trigger)}" if period.trigger is not None else "until an event"
    if period.kind == "endless":
        return "indefinitely"
    return "unspecified" + (f" (until {labels(period.trigger)})" if period.trigger is not None else "")


def _stated(s: StatementView, labels: Labels, terms: dict[str, str]) -> _Stated:
    """``s`` as the diff compares it; the labels of the IRIs of its key go into ``terms`` (the newer side's last)."""
    parts = {"data": s.data, "purposes": s.purposes, "recipients": tuple(p.iri for p in s.recipients),
             "collectors": tuple(p.iri for p in s.collectors), "values": s.values}
    for party in s.recipients + s.collectors:
        terms[str(party.iri)] = labels.party(party)
    for iri in s.data + s.purposes + s.values:
        terms[str(iri)] = labels(iri)
    attributes = {
        "negated": ["yes" if s.negated else "no"],
        "retention": [_retention(labels, p) for p in s.retention],
        "condition": [_text(c) for c in s.conditions],
        "countries": list(s.countries),
        "safeguards": list(s.safeguards),
        "age threshold": [str(a) for a in s.ages],
        "notification": list(s.notifications),
    }
    evidence = s.evidence or EvidenceRef("")
    return _Stated(Key(s.kind, tuple(tuple(sorted(map(str, parts[name]))) for name in KEY_PARTS)),
                   {a: tuple(sorted(set(attributes[a]))) for a in ATTRIBUTES},
                   replace(evidence, text=_text(evidence.text)))


def _facts(view: PolicyView, stated: list[_Stated], labels: Labels) -> dict[str, tuple[str, ...]]:
    """The controller-level facts of a policy, each a set of values."""
    facts: dict[str, set[str]] = defaultdict(set)
    if view.date is not None:
        facts["date"].add(view.date)
    c = view.controller
    if c is not None:
        facts["controller"].update(c.names)
        facts["country"].update(short_name(x).split(":", 1)[-1] for x in c.countries)
        facts["address"].update(_text(a) for a in c.addresses)
        facts["contact e-mail"].update(c.emails)
        facts["contact phone"].update(c.phones)
        facts["contact URL"].update(c.urls)
        facts["privacy contact"].update(" ".join(x for x in (pc.role, f"({pc.name})" if pc.name else "",
                                                             "[DPO]" if pc.dpo else "") if x)
                                        for pc in c.privacy_contacts)
    for s in stated:
        if s.attributes["negated"] == ("no",):
            if s.key.kind == "audience" and str(AUD.Children) in s.key.part("values"):
                facts["children's age threshold"].update(s.attributes["age threshold"])
            if s.key.kind == "dnt":
                facts["Do Not Track"].update(labels(URIRef(v)) for v in s.key.part("values"))
    return {k: tuple(sorted(v)) for k, v in facts.items() if v}


def _ref(view: PolicyView) -> PolicyRef:
    c = view.controller
    return PolicyRef(str(view.iri), view.source, view.date, c.name if c else None, str(c.iri) if c else None,
                     view.built.label if view.built else None, view.built)


# -- the diff ---------------------------------------------------------------------------------------------------
def diff_policies(old: Graph, new: Graph, old_iri: str | None = None, new_iri: str | None = None, *,
                  ontology: Graph | None = None) -> PolicyDiff:
    """Diff two policy graphs; each holds one policy, or name it with ``old_iri`` / ``new_iri``."""
    return diff_views(read_policy(old, old_iri, where="old"), read_policy(new, new_iri, where="new"),
                      ontology=ontology)


def diff_views(old: PolicyView, new: PolicyView, *, ontology: Graph | None = None) -> PolicyDiff:
    """The practices and facts that differ between two read policies (see the module docstring)."""
    labels = Labels(Graph(), ontology)  # concepts by the ontology's labels; organisations by their names
    terms: dict[str, str] = {}
    before, after = ([_stated(s, labels, terms) for s in view.statements] for view in (old, new))
    result = PolicyDiff(_ref(old), _ref(new))
    old_facts, new_facts = _facts(old, before, labels), _facts(new, after, labels)
    for fact in sorted(set(old_facts) | set(new_facts), key=_fact_order):
        a, b = old_facts.get(fact, ()), new_facts.get(fact, ())
        if a != b:
            result.facts.append(FactChange(fact, a, b))
    grouped_before, grouped_after = _group(before), _group(after)
    for key in set(grouped_before) | set(grouped_after):
        entry = _compare(key, grouped_before.get(key, []), grouped_after.get(key, []), terms)
        if entry is not None:
            result.practices.append(entry)
    result.practices.sort(key=lambda p: (STATUSES.index(p.status), STATEMENT_KINDS.index(p.kind), p.label,
                                         [[t.iri for t in getattr(p, part)] for part in KEY_PARTS]))
    return result


def _compare(key: Key, olds: list[_Stated], news: list[_Stated], terms: dict[str, str]) -> PracticeChange | None:
    """The entry of one practice: added, removed, changed, or None when both sides state it alike."""
    if not news or not olds:
        present = {a: tuple(sorted(_values(olds or news, a))) for a in ATTRIBUTES}
        attrs = tuple(AttributeChange(a, v, ()) if olds else AttributeChange(a, (), v) for a, v in present.items() if v)
        return _entry("removed" if olds else "added", key, terms, attrs, _evidence(olds), _evidence(news))
    changes = []
    old_ev: list[_Stated] = []
    new_ev: list[_Stated] = []
    for a in ATTRIBUTES:
        va, vb = _values(olds, a), _values(news, a)
        if va != vb:
            changes.append(AttributeChange(a, tuple(sorted(va)), tuple(sorted(vb))))
            old_ev += [s for s in olds if set(s.attributes[a]) - vb]
            new_ev += [s for s in news if set(s.attributes[a]) - va]
    if not changes:
        return None
    # the sentences that carry a differing value; a side with none (a value dropped) shows all of its own
    return _entry("changed", key, terms, tuple(changes), _evidence(old_ev or olds), _evidence(new_ev or news))


def _group(stated: list[_Stated]) -> dict[Key, list[_Stated]]:
    out: dict[Key, list[_Stated]] = defaultdict(list)
    for s in stated:
        out[s.key].append(s)
    return out


def _values(stated: Sequence[_Stated], attribute: str) -> set[str]:
    return {v for s in stated for v in s.attributes[attribute]}


def _evidence(stated: Iterable[_Stated]) -> tuple[EvidenceRef, ...]:
    seen: dict[tuple, EvidenceRef] = {}
    for s in stated:
        seen.setdefault((s.evidence.start, s.evidence.text), s.evidence)
    return tuple(seen[k] for k in sorted(seen, key=lambda k: (k[0] if k[0] is not None else -1, k[1])))


def _fact_order(fact: str) -> tuple[int, str]:
    order = ("date", "controller", "country", "address", "contact e-mail", "contact phone", "contact URL",
             "privacy contact", "children's age threshold", "Do Not Track")
    return (order.index(fact) if fact in order else len(order), fact)


def _entry(status: str, key: Key, terms: dict[str, str], attrs: tuple[AttributeChange, ...],
           old_ev: tuple[EvidenceRef, ...], new_ev: tuple[EvidenceRef, ...]) -> PracticeChange:
    def named(iris: tuple[str, ...]) -> tuple[Term, ...]:
        return tuple(sorted((Term(i, terms.get(i, i)) for i in iris), key=lambda t: (t.label.lower(), t.iri)))
    data, purposes, recipients, collectors, values = (named(iris) for iris in key.parts)  # KEY_PARTS
    return PracticeChange(status, key.kind, data, purposes, recipients, collectors, values, attrs, old_ev, new_ev)


# -- rendering ------------------------------------------------------------------------------------------------
def _side(info: PolicyRef) -> str:
    extra = ", ".join(x for x in (info.date or "undated", info.controller or "no controller found") if x)
    return f"{info.source or info.iri} ({extra}) {short_name(URIRef(info.iri))}"


def _built(diff: PolicyDiff) -> str:
    """"privacy-kg 0.1.0, rules-8bb223c58cef (both sides)", or each side's."""
    old, new = (ref.built_by or "unknown" for ref in (diff.old, diff.new))
    return f"{old} (both sides)" if diff.same_build else f"old {old}; new {new}"


def _values_text(values: tuple[str, ...]) -> str:
    return ", ".join(values) if values else "(none)"


def render_diff(diff: PolicyDiff, fmt: str = "text") -> str:
    """The diff as ``text`` (default), ``markdown`` or ``json``."""
    if fmt == "json":
        return json.dumps(diff.to_dict(), ensure_ascii=False, indent=2) + "\n"
    md = fmt == "markdown"
    bullet, sub = ("- ", "  - ") if md else ("  ", "      ")
    out = [f"**old:** {_side(diff.old)}  ", f"**new:** {_side(diff.new)}  "] if md else \
        [f"--- {_side(diff.old)}", f"+++ {_side(diff.new)}"]
    out.append(("**built by:** " if md else "built by: ") + _built(diff))
    if diff.build_note:
        out.append(f"\n> **Note:** {diff.build_note}." if md else f"note: {diff.build_note}.")

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


__all__ = ["AttributeChange", "FactChange", "Key", "PolicyDiff", "PolicyRef", "PracticeChange", "Term",
           "diff_policies", "diff_views", "render_diff"]

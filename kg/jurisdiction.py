"""Where a policy applies, and so which validation profiles are due on it.

The places and cue phrases are data (``kg/extract/rules/jurisdictions.jsonl``): ``cue`` rules are regular
expressions (case-insensitive) that name a place or a law whose people a sentence addresses ("residents of the
European Economic Area", "California residents", "under the CCPA"); ``place`` rules map the names and codes a build
manifest or record may give as ``jurisdiction`` ("EU", "Germany", "US-CA"), and a controller's country, to a DPV
``loc:`` code, with the profiles due there (EU/EEA/UK and their countries: gdpr; US-CA: ccpa).

A policy's scope is, in this order: the ``jurisdiction`` its build's manifest or record gave (``ppkg:jurisdiction``);
else its own words (``dpv:hasJurisdiction`` with the sentence as ``ppkg:evidence``) and its controller's country
(``dpv:hasCountry``). Graphs built before the cues existed still get a scope from the last two sources that are in
them.

A ``Scope`` keeps its reasons (``Reason``: the manifest's value, the sentence that names the place, the controller's
country and address), so what validates a policy can also say why: ``Scope.describe()``, the one wording the
validation, the HTML report and the web app show.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from kg.model import Evidence, JurisdictionCue, Segmented
from kg.vocab import DPV, LOC, OA, PPKG

SCOPED_PROFILES = ("gdpr", "ccpa")  # the profiles applied only where due (core applies to every policy)


@dataclass(frozen=True)
class Place:
    location: str
    profiles: tuple[str, ...]


RULES = Path(__file__).resolve().parent / "extract" / "rules" / "jurisdictions.jsonl"


@cache
def load_rules() -> tuple[dict, ...]:
    """The rules of jurisdictions.jsonl (read here, not by ``kg.extract.rules.load``: validating must not import
    the extractor and spaCy)."""
    lines = RULES.read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip() and not line.lstrip().startswith("//"))


@cache
def _cues() -> tuple[tuple[str, str, re.Pattern[str], re.Pattern[str] | None], ...]:
    return tuple((r["id"], r["location"], re.compile(r["regex"], re.I),
                  re.compile(r["unless"], re.I) if r.get("unless") else None)
                 for r in load_rules() if r["kind"] == "cue")


@cache
def places() -> dict[str, Place]:
    """Every name and code of a place, case-folded -> the place (its loc: code and the profiles due there)."""
    out: dict[str, Place] = {}
    for r in load_rules():
        if r["kind"] == "place":
            place = Place(r["location"], tuple(r.get("profiles", ())))
            for name in (r["location"], *r.get("names", ())):
                out[" ".join(name.split()).casefold()] = place
    return out


@cache
def place_names() -> dict[str, str]:
    """loc: code -> a readable name of the place ("EEA" -> "European Economic Area"): the first of its names with a
    lower-case letter, else the code."""
    out: dict[str, str] = {}
    for r in load_rules():
        if r["kind"] == "place":
            out[r["location"]] = next((n for n in r.get("names", ()) if any(ch.islower() for ch in n)),
                                      r["location"])
    return out


def place_name(code: str) -> str:
    """"EEA (European Economic Area)", or the code alone when it has no other name."""
    name = place_names().get(code, code)
    return code if name == code else f"{code} ({name})"


@cache
def _cue_locations() -> dict[str, str]:
    """Cue rule id, and the id without its version ("jurisdiction.eea"), -> the place it names (so the sentences of
    a graph built with an older version of a rule still count)."""
    out: dict[str, str] = {}
    for r in load_rules():
        if r["kind"] == "cue":
            out[r["id"]] = r["location"]
            out.setdefault(_unversioned(r["id"]), r["location"])
    return out


def _unversioned(rule: str) -> str:
    return re.sub(r"\.v\d+$", "", rule)


def place_of(text: str) -> Place | None:
    """The place a manifest's ``jurisdiction`` or a loc: code names ("EU", "Germany", "us-ca"), else None."""
    return places().get(" ".join(str(text).split()).casefold())


def jurisdiction_cues(seg: Segmented) -> tuple[JurisdictionCue, ...]:
    """The places the policy's words address: one cue per place, with the first sentence that names it."""
    found: dict[str, JurisdictionCue] = {}
    for sentence in (*seg.headings, *seg.sentences):
        for rule, location, pattern, unless in _cues():
            if location in found:
                continue
            match = pattern.search(sentence.text)
            if match and not (unless and unless.search(sentence.text)):
                found[location] = JurisdictionCue(location, Evidence(
                    seg.document.doc_id, sentence.index, sentence.start, sentence.end,
                    seg.document.text[sentence.start:sentence.end], sentence.section, rule, match.group(0)))
    return tuple(sorted(found.values(), key=lambda c: (c.evidence.sentence_index, c.location)))


def location_iri(code: str) -> URIRef:
    return LOC[code]


def _code(node: Node) -> str:
    return str(node).rsplit("#", 1)[-1]


SOURCE_WORDS = {"manifest": "its build's manifest or record", "text": "its own words",
                "controller": "its controller's country"}


@dataclass(frozen=True)
class Reason:
    """Why a policy is taken to be under a place: the ``jurisdiction`` its manifest gave ("manifest"), a sentence
    of its own that addresses the place's people ("text"), or its controller's country ("controller")."""

    location: str  # the loc: code
    source: str  # "manifest" | "text" | "controller"
    evidence: str = ""  # the value given, the sentence, or the controller's address ("" when the graph has none)
    matched: str = ""  # the words of the sentence that name the place

    @property
    def text(self) -> str:
        """"EEA (European Economic Area), from its own words: \"...\""."""
        quote = f' (jurisdiction "{self.evidence}")' if self.source == "manifest" else \
            f': "{self.evidence}"' if self.evidence else ""
        return f"{place_name(self.location)}, from {SOURCE_WORDS.get(self.source, self.source)}{quote}"


@dataclass(frozen=True)
class Scope:
    """A policy's places (loc: codes) and where they come from: "manifest", "text", "controller" or "" (none
    known); ``profiles`` the scoped profiles due; ``reasons`` the evidence of each place."""

    locations: tuple[str, ...]
    source: str
    profiles: frozenset[str]
    reasons: tuple[Reason, ...] = ()

    def due(self, profile: str) -> bool:
        """Whether ``profile`` (gdpr, ccpa) applies to the policy; core, and any profile not scoped, always do."""
        return profile not in SCOPED_PROFILES or profile in self.profiles

    @property
    def summary(self) -> str:
        """"EEA, GB" or "unknown": the places, short."""
        return ", ".join(self.locations) or "unknown"

    def describe(self) -> str:
        """One sentence: the places, where they come from and the profiles due, e.g. "taken to be under EEA
        (European Economic Area), from its own words; GDPR requirements apply, CCPA requirements do not"."""
        due = [p.upper() for p in SCOPED_PROFILES if p in self.profiles]
        not_due = [p.upper() for p in SCOPED_PROFILES if p not in self.profiles]
        applies = ", ".join([f"{' and '.join(due)} requirements apply"] * bool(due) +
                            [f"{' and '.join(not_due)} requirements do not" + " apply" * (not due)] * bool(not_due))
        if not self.locations:
            return ("no jurisdiction known (no manifest jurisdiction, no sentence naming a place, no controller "
                    f"country); {applies}")
        places = ", ".join(place_name(c) for c in self.locations)
        sources = " and ".join(SOURCE_WORDS.get(s, s) for s in dict.fromkeys(r.source for r in self.reasons)) \
            or SOURCE_WORDS.get(self.source, self.source)
        return f"taken to be under {places}, from {sources}; {applies}"


def policy_scope(graph: Graph, policy: Node) -> Scope:
    """The scope of one policy of ``graph`` (see the module docstring), with the reasons for each place."""
    given = sorted(str(o) for o in graph.objects(policy, PPKG.jurisdiction) if isinstance(o, Literal))
    if given:
        return _scope([(name, Reason(_located(name), "manifest", name)) for name in given], "manifest")
    locations = sorted(_code(o) for o in graph.objects(policy, DPV.hasJurisdiction))
    publisher = graph.value(policy, DCTERMS.publisher)
    country = sorted(_code(o) for o in graph.objects(publisher, DPV.hasCountry)) if publisher is not None else []
    address = min((" ".join(str(a).split()) for a in graph.objects(publisher, DPV.hasAddress)), default="") \
        if publisher is not None else ""
    from_country = [(c, Reason(_located(c), "controller", address)) for c in country]
    if locations:
        sentences = _sentences(graph, policy)
        from_text = [(c, Reason(_located(c), "text", *sentences.get(_located(c), ("", "")))) for c in locations]
        return _scope(from_text + from_country, "text" if not country else "text+controller")
    if country:
        return _scope(from_country, "controller")
    return Scope((), "", frozenset())


def _located(name: str) -> str:
    place = place_of(name)
    return place.location if place else name


def _sentences(graph: Graph, policy: Node) -> dict[str, tuple[str, str]]:
    """loc: code -> (sentence, matched words) of the policy's jurisdiction cues (its ``ppkg:evidence`` whose rule
    is a cue rule), the first in the document for each place."""
    cues = _cue_locations()
    found: dict[str, tuple[int, str, str]] = {}
    for ev in graph.objects(policy, PPKG.evidence):
        rule = str(graph.value(ev, PPKG.rule) or "")
        location = cues.get(rule) or cues.get(_unversioned(rule))
        if location is None:
            continue
        start = graph.value(ev, OA.start)
        at = int(start) if isinstance(start, Literal) and str(start).isdigit() else 1 << 62
        text = " ".join(str(graph.value(ev, OA.exact) or "").split())
        if location not in found or (at, text) < found[location][:2]:
            found[location] = (at, text, str(graph.value(ev, PPKG.matchedText) or ""))
    return {loc: (text, matched) for loc, (_, text, matched) in found.items()}


def _scope(named: Iterable[tuple[str, Reason]], source: str) -> Scope:
    codes: list[str] = []
    profiles: set[str] = set()
    reasons: list[Reason] = []
    for name, reason in named:
        place = place_of(name)
        code = place.location if place else name
        if code not in codes:
            codes.append(code)
            reasons.append(reason)
        if place:
            profiles.update(place.profiles)
    return Scope(tuple(codes), source, frozenset(profiles), tuple(reasons))


def policy_scopes(graph: Graph) -> dict[URIRef, Scope]:
    """The scope of every ppkg:PrivacyPolicy of ``graph``."""
    return {p: policy_scope(graph, p) for p in graph.subjects(RDF.type, PPKG.PrivacyPolicy) if isinstance(p, URIRef)}

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
from kg.vocab import DPV, LOC, PPKG

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


@dataclass(frozen=True)
class Scope:
    """A policy's places (loc: codes) and where they come from: "manifest", "text", "controller" or "" (none
    known); ``profiles`` the scoped profiles due."""

    locations: tuple[str, ...]
    source: str
    profiles: frozenset[str]


def policy_scope(graph: Graph, policy: Node) -> Scope:
    """The scope of one policy of ``graph`` (see the module docstring)."""
    given = [str(o) for o in graph.objects(policy, PPKG.jurisdiction) if isinstance(o, Literal)]
    if given:
        return _scope(given, "manifest")
    locations = [_code(o) for o in graph.objects(policy, DPV.hasJurisdiction)]
    publisher = graph.value(policy, DCTERMS.publisher)
    country = [_code(o) for o in graph.objects(publisher, DPV.hasCountry)] if publisher is not None else []
    if locations:
        return _scope(locations + country, "text" if not country else "text+controller")
    if country:
        return _scope(country, "controller")
    return Scope((), "", frozenset())


def _scope(names: Iterable[str], source: str) -> Scope:
    codes: list[str] = []
    profiles: set[str] = set()
    for name in names:
        place = place_of(name)
        code = place.location if place else name
        if code not in codes:
            codes.append(code)
        if place:
            profiles.update(place.profiles)
    return Scope(tuple(codes), source, frozenset(profiles))


def policy_scopes(graph: Graph) -> dict[URIRef, Scope]:
    """The scope of every ppkg:PrivacyPolicy of ``graph``."""
    return {p: policy_scope(graph, p) for p in graph.subjects(RDF.type, PPKG.PrivacyPolicy) if isinstance(p, URIRef)}

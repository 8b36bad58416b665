"""The jurisdiction cues (kg/extract/rules/jurisdictions.jsonl) and a policy's scope (kg.jurisdiction)."""
import hashlib

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from kg.jurisdiction import jurisdiction_cues, place_of, policy_scope
from kg.model import Document
from kg.segment import segment
from kg.vocab import DPV, LOC, PPKG


def seg(text: str):
    doc = Document(path="t.txt", name="t.txt", media_type="text/plain", text=text,
                   sha256=hashlib.sha256(text.encode()).hexdigest(), encoding="utf-8")
    return segment(doc)


def places(text: str) -> list[str]:
    return sorted(c.location for c in jurisdiction_cues(seg(text)))


@pytest.mark.parametrize("text, expected", [
    ("If you live in the European Economic Area, you may lodge a complaint with your supervisory authority.", ["EEA"]),
    ("This section applies to EU/EEA and UK users of the app.", ["EEA", "EU", "GB"]),
    ("California residents have additional rights described below.", ["US-CA"]),
    ("Under the CCPA you may ask us what we collected about you.", ["US-CA"]),
    ("We process your data in line with the GDPR.", ["EU"]),
    ("We take part in the EU-U.S. Privacy Shield Framework.", []),
    ("We have certified our compliance with the Swiss–U.S. framework.", []),
    ("We collect your e-mail address when you sign up.", []),
    ("The TRUSTe program covers information collected through uk.example.com and shop.example.co.uk.", []),
    ("This policy applies to you if you live outside the European Union.", []),
])
def test_cues(text, expected):
    assert places(text) == expected


def test_a_cue_keeps_its_sentence_and_rule():
    text = "We collect your name. Residents of the European Economic Area may object to processing."
    (cue,) = jurisdiction_cues(seg(text))
    assert cue.location == "EEA"
    assert cue.evidence.rule == "jurisdiction.eea.v2"
    assert cue.evidence.matched == "European Economic Area"
    assert text[cue.evidence.start:cue.evidence.end].startswith("Residents of the European Economic Area")


def test_places_map_names_and_codes():
    assert place_of("Germany").profiles == ("gdpr",)
    assert place_of(" us-ca ").location == "US-CA"
    assert place_of("UK").location == "GB"
    assert place_of("US").profiles == ()
    assert place_of("Atlantis") is None


def _policy(g: Graph, n: str) -> URIRef:
    p = URIRef(f"https://example.org/policy/{n}")
    g.add((p, RDF.type, PPKG.PrivacyPolicy))
    return p


def test_scope_prefers_the_manifest_then_words_and_controller():
    g = Graph()
    given, words, country, none = (_policy(g, n) for n in ("given", "words", "country", "none"))
    g.add((given, PPKG.jurisdiction, Literal("US-CA")))
    g.add((given, DPV.hasJurisdiction, LOC["EEA"]))  # the manifest wins over the words
    g.add((words, DPV.hasJurisdiction, LOC["EEA"]))
    org = URIRef("https://example.org/org/acme")
    g.add((country, DCTERMS.publisher, org))
    g.add((org, DPV.hasCountry, LOC["DE"]))
    assert policy_scope(g, given).profiles == {"ccpa"} and policy_scope(g, given).source == "manifest"
    assert policy_scope(g, words).profiles == {"gdpr"} and policy_scope(g, words).source == "text"
    assert policy_scope(g, country).profiles == {"gdpr"} and policy_scope(g, country).source == "controller"
    assert policy_scope(g, none).profiles == frozenset() and policy_scope(g, none).locations == ()

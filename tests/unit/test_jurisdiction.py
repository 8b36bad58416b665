"""The jurisdiction cues (kg/extract/rules/jurisdictions.jsonl) and a policy's scope (kg.jurisdiction)."""
import hashlib

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from kg.jurisdiction import jurisdiction_cues, place_of, policy_scope
from kg.model import Document
from kg.segment import segment
from kg.vocab import DPV, LOC, OA, PPKG


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


def _cue(g: Graph, policy: URIRef, location: str, rule: str, sentence: str, start: int, matched: str) -> None:
    ev = URIRef(f"{policy}/evidence/{rule}-{start}")
    g.add((policy, DPV.hasJurisdiction, LOC[location]))
    g.add((policy, PPKG.evidence, ev))
    for p, o in ((PPKG.rule, Literal(rule)), (OA.exact, Literal(sentence)), (OA.start, Literal(start)),
                 (PPKG.matchedText, Literal(matched))):
        g.add((ev, p, o))


def test_a_scope_keeps_why_each_place():
    g = Graph()
    words, given, country = (_policy(g, n) for n in ("words", "given", "country"))
    _cue(g, words, "EEA", "jurisdiction.eea.v2", "Residents of the  European Economic Area may object.", 40,
         "European Economic Area")
    _cue(g, words, "US-CA", "jurisdiction.california.v0", "California residents may opt out.", 90, "California")
    date = URIRef(f"{words}/evidence/date")  # the policy's other evidence (its date) is no reason
    g.add((words, PPKG.evidence, date))
    g.add((date, PPKG.rule, Literal("date.last-updated.v1")))
    g.add((date, OA.exact, Literal("Last updated: 2024")))
    g.add((given, PPKG.jurisdiction, Literal("Germany")))
    org = URIRef("https://example.org/org/acme")
    g.add((country, DCTERMS.publisher, org))
    g.add((org, DPV.hasCountry, LOC["US"]))
    g.add((org, DPV.hasAddress, Literal("1 Main St, Springfield, USA")))

    scope = policy_scope(g, words)
    assert [(r.location, r.source, r.evidence, r.matched) for r in scope.reasons] == [
        ("EEA", "text", "Residents of the European Economic Area may object.", "European Economic Area"),
        ("US-CA", "text", "California residents may opt out.", "California")]  # an older rule version counts
    assert scope.describe() == ("taken to be under EEA (European Economic Area), US-CA (California), from its own "
                                "words; GDPR and CCPA requirements apply")
    assert scope.reasons[0].text == ('EEA (European Economic Area), from its own words: "Residents of the European '
                                     'Economic Area may object."')
    assert scope.due("gdpr") and scope.due("ccpa") and scope.due("core") and scope.summary == "EEA, US-CA"

    given_scope = policy_scope(g, given)
    assert given_scope.locations == ("DE",) and given_scope.reasons[0].text == \
        "DE (Germany), from its build's manifest or record (jurisdiction \"Germany\")"
    assert given_scope.describe().endswith("GDPR requirements apply, CCPA requirements do not")

    by_country = policy_scope(g, country)
    assert by_country.reasons[0].text == \
        'US (United States), from its controller\'s country: "1 Main St, Springfield, USA"'
    assert not by_country.due("gdpr") and not by_country.due("ccpa")
    assert by_country.describe().endswith("GDPR and CCPA requirements do not apply")

    none = policy_scope(g, _policy(g, "none"))
    assert none.summary == "unknown" and none.reasons == ()
    assert none.describe().startswith("no jurisdiction known")

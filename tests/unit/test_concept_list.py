"""``api.concepts``: the vocabulary as plain data (kg.concept_list), checked against the ontology graph."""
from __future__ import annotations

import json

import pytest
from rdflib.namespace import SKOS

from kg import api
from kg.concepts import UnknownConcept
from kg.graphio import ontology_graph
from kg.vocab import DC, LB, RK


def test_without_arguments_the_schemes():
    found = api.concepts()
    assert found.lists_schemes and found.concepts == ()
    by_name = {s.name: s for s in found.schemes}
    assert by_name["legal-basis"].iri == "lb:Scheme" and by_name["legal-basis"].aliases == ("lb",)
    assert by_name["legal-basis"].concepts == len(set(ontology_graph().subjects(SKOS.inScheme, LB.Scheme)))
    assert by_name["opp-purpose"].iri == "opp:Purpose"  # OPP-115's purposes apart from ours
    assert by_name["purpose"].iri == "pur:Scheme"


def test_a_scheme_as_a_tree_every_concept_once_under_its_broader():
    rows = api.concepts("recipient kind").concepts  # by label, singular
    assert len(rows) == len({r.iri for r in rows}) == len(set(ontology_graph().subjects(SKOS.inScheme, RK.Scheme)))
    place = {r.iri: i for i, r in enumerate(rows)}
    for i, r in enumerate(rows):
        for b in r.broader:
            if b in place:  # a parent in the scheme comes before, one level up (first parent reached)
                assert place[b] < i
        if r.depth:
            parent = next(p for p in reversed(rows[:i]) if p.depth == r.depth - 1)
            assert r.iri in parent.narrower
    third = rows[place["rk:ThirdParty"]]
    assert third.close_match == ("dpv:ThirdParty",) and third.depth == 0
    assert set(third.narrower) == {f"rk:{str(c).rsplit('/', 1)[-1].rsplit('#', 1)[-1]}"
                                   for c in ontology_graph().subjects(SKOS.broader, RK.ThirdParty)}


def test_search_and_render():
    found = api.concepts(search="e-mail addresses")
    iris = [r.iri for r in found.concepts]
    assert {"dc:EmailAddress", "app350:Contact_E_Mail_Address"} <= set(iris)  # plural and hyphen as in the labels
    email = json.loads(found.render("json"))[iris.index("dc:EmailAddress")]
    assert email["exact_match"] == ["pd:EmailAddress"] and email["schemes"] == ["data-category"]
    assert found.render("csv").splitlines()[0] == ("label,iri,scheme,alt_labels,exact_match,close_match,"
                                                   "broad_match,narrower,depth")
    assert all(len(line) <= 80 for line in found.render("table", width=80).splitlines())
    assert (DC.EmailAddress, SKOS.exactMatch, None) in ontology_graph()


def test_unknown_scheme_or_word():
    with pytest.raises(UnknownConcept, match="no concept scheme") as bad:
        api.concepts("purpse")
    assert bad.value.hint and "did you mean purpose" in bad.value.hint
    with pytest.raises(UnknownConcept, match="no concept in legal-basis has a label with 'advertiser'"):
        api.concepts("lb", search="advertiser")

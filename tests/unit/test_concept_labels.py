"""Concepts by label (kg.concepts) and query parameters given as labels (kg.sparql.bind_params)."""
import pytest
from rdflib import URIRef

from kg.concepts import UnknownConcept, normalise, vocabulary
from kg.errors import BadQuery
from kg.sparql import bind_params, resolve_query
from kg.vocab import PREFIXES


def iri(name: str) -> URIRef:
    prefix, local = name.split(":")
    return URIRef(str(PREFIXES[prefix]) + local)


@pytest.mark.parametrize("query, param, value, expected", [
    ("companies-collecting-category", "category", "location", "dc:Location"),
    ("companies-collecting-category", "category", "Location Information", "dc:Location"),
    ("companies-collecting-category", "category", "e-mail address", "dc:EmailAddress"),
    ("companies-collecting-category", "category", "dc:EmailAddress", "dc:EmailAddress"),
    ("sharing-with-recipient-kind", "kind", "advertiser", "rk:Advertiser"),
    ("sharing-with-recipient-kind", "kind", "advertisers", "rk:Advertiser"),
    ("sharing-with-recipient-kind", "kind", "third parties", "rk:ThirdParty"),
    ("sharing-for-purpose", "purpose", "analytics", "pur:Analytics"),
    ("evidence", "kind", "sharing", "ppkg:SharingPractice"),
])
def test_a_parameter_takes_a_label(query, param, value, expected):
    assert bind_params(resolve_query(query), {param: value})[param] == iri(expected)


@pytest.mark.parametrize("query, param, value, message, hint", [
    ("companies-collecting-category", "category", "locaton", "no data category is called 'locaton'",
     "did you mean 'location information' (dc:Location)?"),
    ("sharing-with-recipient-kind", "kind", "advertizer", "no recipient kind is called 'advertizer'",
     "did you mean 'advertiser' (rk:Advertiser)?"),
    ("sharing-with-recipient-kind", "kind", "dc:Location", "dc:Location (location information) is not a recipient kind",
     "it is a data category; this parameter takes a recipient kind"),
    ("companies-collecting-category", "category", "zzzz", "no data category is called 'zzzz'",
     "the data category concepts are in ontology/concepts/ (skos:prefLabel, skos:altLabel)"),
])
def test_an_unknown_label_is_an_error_with_did_you_mean(query, param, value, message, hint):
    with pytest.raises(UnknownConcept) as exc:
        bind_params(resolve_query(query), {param: value})
    assert exc.value.path == f"{param}={value}" and exc.value.message == message and exc.value.hint == hint
    assert isinstance(exc.value, BadQuery)  # the CLI's exit 2


@pytest.mark.parametrize("query, params", [
    ("retention-longer-than", {"min_days": "100"}),  # not a concept parameter: a number as before
    ("evidence", {"company": "Calsoft"}),  # text as before
])
def test_other_parameters_are_unchanged(query, params):
    bound = bind_params(resolve_query(query), params)
    assert all(str(bound[k]) == v for k, v in params.items())


def test_search_completes_labels_in_a_domain():
    vocab = vocabulary()
    domain = vocab.domain_of(iri("rk:ThirdParty"))
    assert [c.name for c in vocab.search("advert", domain)][:1] == ["rk:Advertiser"]
    assert all(c.iri in domain.members for c in vocab.search("a", domain))
    assert vocab.narrower(iri("dc:Location")) >= {iri("dc:Location"), iri("dc:PreciseLocation")}


@pytest.mark.parametrize("text, expected", [("  E-mail_Address ", "e mail address"),
                                            ("Third  Parties", "third parties")])
def test_normalise(text, expected):
    assert normalise(text) == expected

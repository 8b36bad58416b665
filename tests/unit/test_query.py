"""Query stage: every packaged query's exact answer on the hand-written graph; parameters; injection; errors."""
import json

import pytest
from graphs import sample_graph
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.compare import to_isomorphic

from kg.errors import BadQuery, UnknownName
from kg.query import list_queries, parse_param, resolve_query, run_query, to_csv, to_json, to_table
from kg.vocab import DC, LOC, RK


@pytest.fixture(scope="module")
def graph():
    return sample_graph()


def rows(graph, name, **params):
    res = run_query(graph, resolve_query(name), {k: str(v) for k, v in params.items()})
    return [{k: (None if v is None else _py(v)) for k, v in r.items()} for r in res.rows]


def _py(term):
    if isinstance(term, Literal) and term.datatype == XSD.duration:
        return str(term)  # keep the lexical form ("P2Y")
    return term.toPython() if isinstance(term, Literal) else term


def split(value):
    return set(value.split(", ")) if value else set()


def test_every_packaged_query_has_a_full_header():
    specs = list_queries()
    assert len(specs) >= 8
    for spec in specs:
        assert spec.title and spec.question and spec.columns, spec.name


def test_columns_in_header_match_select(graph):
    for spec in list_queries():
        assert tuple(run_query(graph, spec).vars) == spec.columns, spec.name


def test_controllers(graph):
    got = {r["company"]: r for r in rows(graph, "controllers")}
    assert set(got) == {"Acme Inc.", "Beta LLC"}
    assert got["Acme Inc."]["country"] == LOC.DE and got["Acme Inc."]["email"] == "privacy@acme.example"
    assert str(got["Acme Inc."]["policy_date"]) == "2024-01-31"
    assert got["Beta LLC"]["email"] is None and got["Beta LLC"]["source"] == "beta.txt"


def test_companies_collecting_category_walks_the_hierarchy(graph):
    got = {r["company"]: split(r["collected"]) for r in rows(graph, "companies-collecting-category")}
    assert got == {"Acme Inc.": {"email address", "ip address"}, "Beta LLC": {"email address", "name"}}
    # a broader category finds the narrower e-mail address; a disjoint one finds nothing
    contact = rows(graph, "companies-collecting-category", category="dc:ContactInformation")
    assert {r["company"] for r in contact} == {"Acme Inc.", "Beta LLC"}
    assert rows(graph, "companies-collecting-category", category="dc:HealthInformation") == []


def test_sharing_with_recipient_kind(graph):
    got = {(r["company"], r["recipient"], r["data"]) for r in rows(graph, "sharing-with-recipient-kind")}
    assert got == {("Acme Inc.", "Stripe", "email address"), ("Acme Inc.", "advertiser", "usage data"),
                   ("Beta LLC", "Stripe", "email address"), ("Beta LLC", "advertiser", "email address")}
    ads = rows(graph, "sharing-with-recipient-kind", kind="rk:Advertiser", category="dc:ContactInformation")
    assert {(r["company"], r["recipient"]) for r in ads} == {("Beta LLC", "advertiser")}


def test_named_recipients(graph):
    (r,) = rows(graph, "named-recipients")
    assert (r["recipient"], r["kind"], r["companies"]) == ("Stripe", "payment processor", 2)
    assert split(r["company_names"]) == {"Acme Inc.", "Beta LLC"}


def test_retention_periods_longest_first(graph):
    got = [(r["company"], str(r["duration"]) if r["duration"] else None, r["bound"], r["trigger"], r["kind"])
           for r in rows(graph, "retention-periods")]
    assert got[0] == ("Acme Inc.", "P2Y", "UpperBound", None, "TemporalDuration")
    assert set(got[1:]) == {("Acme Inc.", None, None, "AccountClosure", "UntilEventDuration"),
                            ("Beta LLC", None, None, "PurposeFulfilled", "IndeterminateDuration")}


def test_retention_longer_than(graph):
    assert [r["company"] for r in rows(graph, "retention-longer-than")] == ["Acme Inc."]
    assert rows(graph, "retention-longer-than", min_days=800) == []


def test_no_retention_period(graph):
    assert [(r["company"], r["instead"]) for r in rows(graph, "no-retention-period")] == \
        [("Beta LLC", "as long as necessary")]


def test_negative_statements(graph):
    got = {(r["company"], r["practice"], r["data"], r["recipients"]) for r in rows(graph, "negative-statements")}
    assert got == {("Acme Inc.", "does not sell", "personal information", None),
                   ("Beta LLC", "does not share", "phone number", "third party")}


# -- parameters ------------------------------------------------------------------------------------------------
def test_parse_param_types():
    assert parse_param("dc:EmailAddress") == DC.EmailAddress
    assert parse_param("<https://w3id.org/privacy-kg/recipient#Advertiser>") == RK.Advertiser
    assert parse_param("365").toPython() == 365
    assert parse_param("P1Y").datatype == URIRef("http://www.w3.org/2001/XMLSchema#duration")
    assert parse_param("hello world") == Literal("hello world")


@pytest.mark.parametrize("value", ["dc:EmialAddress", "<http://a b>", "<https://x/{y}>", "zz:Foo"])
def test_bad_parameters_are_rejected(value):
    with pytest.raises(BadQuery):
        parse_param(value)


@pytest.mark.parametrize("value", ['x" } ; DROP ALL ; #', "<http://a> } DROP ALL {", "dc:Foo} ; DROP",
                                   "'; DELETE WHERE { ?s ?p ?o } #"])
def test_injection_is_rejected_or_inert(graph, value):
    before = to_isomorphic(graph)
    try:
        res = run_query(graph, resolve_query("companies-collecting-category"), {"category": value})
    except BadQuery:
        pass
    else:
        assert res.rows == []  # bound as one literal: matches nothing, runs nothing
    assert to_isomorphic(graph) == before


def test_undeclared_parameter(graph):
    with pytest.raises(BadQuery, match="unknown parameter"):
        run_query(graph, resolve_query("controllers"), {"kind": "rk:Advertiser"})


def test_malformed_query_reports_position(graph, tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("# title: broken\nSELECT ?x WHERE { ?x ?y \n")
    with pytest.raises(BadQuery, match="line"):
        run_query(graph, resolve_query(str(bad)))


def test_unknown_query_name_lists_the_available_ones():
    with pytest.raises(UnknownName) as exc:
        resolve_query("no-such-query")
    assert "controllers" in exc.value.hint


def test_formats(graph):
    res = run_query(graph, resolve_query("named-recipients"))
    data = json.loads(to_json(res))
    assert data["head"]["vars"] == ["recipient", "kind", "companies", "company_names"]
    assert data["results"]["bindings"][0]["recipient"] == {"type": "literal", "value": "Stripe"}
    assert to_csv(res).splitlines()[0] == "recipient,kind,companies,company_names"
    assert "(1 row)" in to_table(res)

"""Query stage: every packaged query's exact answer on the hand-written graph; parameters; injection; errors;
output formats."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from graphs import ACME_TEXT, BETA_TEXT, sample_graph
from rdflib import Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import XSD

from kg.errors import BadQuery, UnknownName
from kg.query import (list_queries, parse_param, parse_spec, resolve_query, run_query, to_csv, to_json,
                      to_table)
from kg.vocab import DC, LOC, RK

ACME = ACME_TEXT.splitlines()
BETA = BETA_TEXT.splitlines()
REQUIRED = {"companies-collecting-category", "sharing-with-recipient-kind", "named-recipients", "retention-periods",
            "no-retention-period", "negative-statements", "controllers"}


@pytest.fixture(scope="module")
def graph():
    return sample_graph()


def answer(graph, name: str, sets: tuple[str, ...] = (), **params) -> list[tuple]:
    """Rows as plain tuples: literals as Python values (durations as their lexical form), IRIs kept, unbound
    None; the columns named in ``sets`` (GROUP_CONCATs, whose order SPARQL leaves open) as frozensets."""
    res = run_query(graph, resolve_query(name), {k: str(v) for k, v in params.items()})

    def value(var, term):
        if term is None:
            return None
        if var in sets:
            return frozenset(str(term).split(", "))
        if isinstance(term, Literal):
            return str(term) if term.datatype in (XSD.duration, XSD.date) else term.toPython()
        return term

    return [tuple(value(v, t) for v, t in zip(res.vars, row)) for row in res.rows]


# -- the library -------------------------------------------------------------------------------------------------
def test_every_packaged_query_has_a_header_that_matches_its_select(graph):
    specs = list_queries()
    assert REQUIRED <= {s.name for s in specs}
    for spec in specs:
        assert spec.title and spec.question and spec.columns, spec.name
        assert run_query(graph, spec).vars == spec.columns, spec.name
        for p in spec.params:
            assert re.search(rf"\?{p.name}\b", spec.text), (spec.name, p.name)
            parse_param(p.default)  # every default is a valid value


def test_header_parsing():
    spec = parse_spec("q", "# title: T\n# question: Q?\n# param: kind = rk:Advertiser (a kind)\n"
                           "# param: n = 3\n# columns: a, b\nSELECT ?a ?b WHERE {}\n# title: not header\n")
    assert (spec.title, spec.question, spec.columns) == ("T", "Q?", ["a", "b"])
    assert spec.params == [("kind", "rk:Advertiser", "a kind"), ("n", "3", "")]
    with pytest.raises(BadQuery, match="malformed header line"):
        parse_spec("q", "# param: kind rk:Advertiser\nSELECT * {}")


def test_unknown_query_name_lists_the_available_ones():
    with pytest.raises(UnknownName) as exc:
        resolve_query("no-such-query")
    assert "controllers" in exc.value.hint and "retention-periods" in exc.value.hint


# -- exact answers -----------------------------------------------------------------------------------------------
def test_companies_collecting_category(graph):
    assert answer(graph, "companies-collecting-category", sets=("collected",)) == [
        ("Acme Inc.", {"email address", "ip address"}, 1), ("Beta LLC", {"email address", "name"}, 1)]
    assert answer(graph, "companies-collecting-category", sets=("collected",), category="dc:ContactInformation") == [
        ("Acme Inc.", {"email address"}, 1), ("Beta LLC", {"email address", "name"}, 1)]
    assert answer(graph, "companies-collecting-category", category="dc:HealthInformation") == []


def test_sharing_with_recipient_kind(graph):
    everything = [
        ("Acme Inc.", "email address", "Stripe", ACME[3]),
        ("Acme Inc.", "usage data", "advertiser", ACME[4]),
        ("Beta LLC", "email address", "Stripe", BETA[2]),
        ("Beta LLC", "email address", "advertiser", BETA[2]),
    ]
    assert answer(graph, "sharing-with-recipient-kind") == everything  # the defaults are the two roots
    assert answer(graph, "sharing-with-recipient-kind", category="dc:PersonalInformation", kind="rk:ThirdParty") == \
        everything
    assert answer(graph, "sharing-with-recipient-kind", category="dc:ContactInformation", kind="rk:Advertiser") == [
        ("Beta LLC", "email address", "advertiser", BETA[2])]
    assert answer(graph, "sharing-with-recipient-kind", category="dc:EmailAddress", kind="rk:ServiceProvider") == [
        ("Acme Inc.", "email address", "Stripe", ACME[3]), ("Beta LLC", "email address", "Stripe", BETA[2])]


def test_named_recipients(graph):
    assert answer(graph, "named-recipients", sets=("company_names",)) == [
        ("Stripe", "payment processor", 2, {"Acme Inc.", "Beta LLC"})]


def test_retention_periods_longest_first(graph):
    assert answer(graph, "retention-periods") == [
        ("Acme Inc.", "P2Y", 730, "UpperBound", None, "TemporalDuration", "for up to 2 years", ACME[6]),
        ("Acme Inc.", None, None, None, "AccountClosure", "UntilEventDuration", "as long as your account is active",
         ACME[6]),
        ("Beta LLC", None, None, None, "PurposeFulfilled", "IndeterminateDuration", "as long as necessary", BETA[4]),
    ]


def test_retention_longer_than(graph):
    assert answer(graph, "retention-longer-than") == [("Acme Inc.", "for up to 2 years", 730, ACME[6])]
    assert answer(graph, "retention-longer-than", min_days=800) == []


def test_no_retention_period(graph):
    assert answer(graph, "no-retention-period") == [("Beta LLC", "as long as necessary", "beta.txt")]


def test_negative_statements(graph):
    assert answer(graph, "negative-statements") == [
        ("Acme Inc.", "does not sell", "personal information", None, None, ACME[5]),
        ("Beta LLC", "does not share", "phone number", "third party", None, BETA[3]),
    ]


def test_controllers(graph):
    assert answer(graph, "controllers") == [
        ("Acme Inc.", LOC.DE, "privacy@acme.example", "1 Main Street, Berlin", "Data Protection Officer", "Jane Roe",
         "2024-01-31", "acme.txt"),
        ("Beta LLC", None, None, None, None, None, None, "beta.txt"),
    ]


# -- parameters --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, term", [
    ("dc:EmailAddress", DC.EmailAddress),
    ("<https://w3id.org/privacy-kg/recipient#Advertiser>", RK.Advertiser),
    ("<http://example.org/x>", URIRef("http://example.org/x")),
    ("365", Literal(365, datatype=XSD.integer)),
    ("-2.5", Literal("-2.5", datatype=XSD.decimal)),
    ("true", Literal(True)),
    ("P1Y", Literal("P1Y", datatype=XSD.duration)),
    ("PT36H", Literal("PT36H", datatype=XSD.duration)),
    ("as long as necessary", Literal("as long as necessary")),
    ("http://example.org/x", Literal("http://example.org/x")),
])
def test_parse_param(value, term):
    got = parse_param(value)
    assert got == term and type(got) is type(term)
    if isinstance(term, Literal):
        assert got.datatype == term.datatype


@pytest.mark.parametrize("value, message", [
    ("dc:Emial", "unknown concept dc:Emial"),
    ("rk:Advertisers", "unknown concept rk:Advertisers"),
    ("<http://a b>", "not a valid IRI"),
    ("<https://x/{y}>", "not a valid IRI"),
    ("<no-scheme>", "not a valid IRI"),
    ("zz:Foo", "unknown prefix 'zz'"),
    ("dc:Foo} ; DROP", "not a valid prefixed name"),
])
def test_bad_parameters_are_rejected(value, message):
    with pytest.raises(BadQuery, match=re.escape(message)):
        parse_param(value)


@pytest.mark.parametrize("value", ['x" } ; DROP ALL ; #', "<http://a> } DROP ALL {", "dc:Foo} ; DROP",
                                   "'; DELETE WHERE { ?s ?p ?o } #", "?category"])
def test_injection_is_rejected_or_inert(graph, value):
    before, size = to_isomorphic(graph), len(graph)
    spec = resolve_query("companies-collecting-category")
    try:
        res = run_query(graph, spec, {"category": value})
    except BadQuery:
        pass
    else:  # bound as one string literal, which is no category: nothing matches, nothing runs
        assert parse_param(value) == Literal(value)
        assert res.rows == []
    assert len(graph) == size and to_isomorphic(graph) == before


def test_undeclared_parameter(graph):
    with pytest.raises(BadQuery, match="unknown parameter") as exc:
        run_query(graph, resolve_query("controllers"), {"kind": "rk:Advertiser"})
    assert exc.value.hint == "this query takes: no parameters"


# -- query errors ------------------------------------------------------------------------------------------------
def test_malformed_query_file_reports_line_and_column(graph, tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("# title: broken\nSELECT ?x\nWHERE { ?x ?y }\n")
    with pytest.raises(BadQuery, match=r"SPARQL syntax error at line 3, column \d+") as exc:
        run_query(graph, resolve_query(str(bad)))
    assert exc.value.path == str(bad)


@pytest.mark.parametrize("text", ["DROP ALL", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                  "SELECT ?x WHERE { ?x nope:p ?y }"])
def test_only_select_queries_run(graph, text):
    size = len(graph)
    with pytest.raises(BadQuery):
        run_query(graph, text)
    assert len(graph) == size


def test_inline_query_text_with_our_prefixes(graph):
    res = run_query(graph, "SELECT ?name WHERE { ?o a ppkg:Controller ; dpv:hasName ?name } ORDER BY ?name")
    assert [row[0] for row in res.rows] == [Literal("Acme Inc."), Literal("Beta LLC")]


def test_missing_query_file():
    with pytest.raises(BadQuery, match="no such query file"):
        resolve_query("nowhere/missing.rq")


# -- formats -----------------------------------------------------------------------------------------------------
def test_json_is_sparql_results_json(graph):
    res = run_query(graph, resolve_query("controllers"))
    data = json.loads(to_json(res))
    assert data["head"]["vars"] == res.vars
    acme, beta = data["results"]["bindings"]
    assert acme["company"] == {"type": "literal", "value": "Acme Inc."}
    assert acme["country"] == {"type": "uri", "value": str(LOC.DE)}
    assert acme["policy_date"] == {"type": "literal", "value": "2024-01-31", "datatype": str(XSD.date)}
    assert set(beta) == {"company", "source"}  # unbound variables are left out


def test_csv(graph):
    rows = list(csv.reader(io.StringIO(to_csv(run_query(graph, resolve_query("controllers"))))))
    assert rows[0] == resolve_query("controllers").columns
    assert rows[1][:2] == ["Acme Inc.", str(LOC.DE)] and rows[2][1] == ""


def test_table_aligns_and_truncates(graph):
    text = to_table(run_query(graph, resolve_query("negative-statements")), width=20)
    header, rule, first, second, count = text.splitlines()
    assert header.split() == resolve_query("negative-statements").columns
    assert len(rule.split()) == 6 and count == "(2 rows)"
    assert first.index("does not sell") == header.index("practice")
    assert first.endswith("We do not sell your…")
    assert "loc:DE" in to_table(run_query(graph, resolve_query("controllers")))

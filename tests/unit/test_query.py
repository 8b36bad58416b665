"""Query stage: every packaged query's exact answer on the hand-written graph; parameters; injection; errors;
output formats."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import XSD

from kg import api
from kg.errors import BadQuery, UnknownName
from kg.sources import GraphSource
from kg.sparql import (list_queries, parse_param, parse_spec, resolve_query, run_query, to_csv, to_explained_text,
                       to_json, to_table)
from kg.view import EvidenceRef
from kg.vocab import DC, LOC, RK
from tests.helpers.graphs import ACME_TEXT, BETA_TEXT, GAMMA_TEXT, library_graph, sample_graph

ACME = ACME_TEXT.splitlines()
BETA = BETA_TEXT.splitlines()
GAMMA = GAMMA_TEXT.splitlines()
REQUIRED = {"companies-collecting-category", "sharing-with-recipient-kind", "named-recipients", "retention-periods",
            "no-retention-period", "negative-statements", "controllers", "sharing-for-purpose", "longest-retention",
            "contradictions", "children-age-thresholds", "do-not-track", "legal-bases", "transfers-abroad",
            "controller-countries", "evidence"}


@pytest.fixture(scope="module")
def graph():
    return sample_graph()


@pytest.fixture(scope="module")
def lib():
    """Acme, Beta and Gamma (audience, Do Not Track, transfer, a contradiction)."""
    return library_graph()


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
    assert {s.name for s in specs} >= REQUIRED and len(specs) >= 15
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


def test_no_retention_period_when_a_policy_says_nothing_about_retention(graph):
    """A policy without any storage statement is listed with nothing "instead" (rdflib used to fail on the
    GROUP_CONCAT of a group where the phrase is never bound)."""
    from kg.vocab import DPV

    silent = Graph()
    silent += graph
    silent.remove((None, DPV.hasStorageCondition, None))
    assert answer(silent, "no-retention-period") == [("Acme Inc.", "", "acme.txt"), ("Beta LLC", "", "beta.txt")]


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


# -- exact answers of the rest of the library (Acme, Beta and Gamma) ----------------------------------------------
def test_sharing_for_purpose(lib):
    assert answer(lib, "sharing-for-purpose", sets=("purposes",)) == [
        ("Acme Inc.", "email address", "Stripe", {"to process payments"}, ACME[3]),
        ("Acme Inc.", "usage data", "advertiser", {"advertising"}, ACME[4]),
        ("Gamma Corp.", "usage data", "Google", {"analytics"}, GAMMA[3]),
        ("Gamma Corp.", "phone number", "advertiser", {"advertising"}, GAMMA[2]),
    ]  # Beta states no purpose, so no sharing of Beta's matches even the root purpose
    assert answer(lib, "sharing-for-purpose", purpose="pur:Advertising", kind="rk:Advertiser") == [
        ("Acme Inc.", "usage data", "advertiser", "advertising", ACME[4]),
        ("Gamma Corp.", "phone number", "advertiser", "advertising", GAMMA[2]),
    ]
    assert answer(lib, "sharing-for-purpose", purpose="pur:Advertising", category="dc:ContactInformation") == [
        ("Gamma Corp.", "phone number", "advertiser", "advertising", GAMMA[2])]
    assert answer(lib, "sharing-for-purpose", purpose="pur:Security") == []


def test_longest_retention(lib):
    assert answer(lib, "longest-retention") == [
        ("Acme Inc.", 730, "P2Y", "for up to 2 years", False, ACME[6]),
        ("Gamma Corp.", 90, "P90D", "for 90 days", True, GAMMA[6]),
    ]  # Beta states no length


def test_retention_longer_than_counts_indefinite(lib):
    assert answer(lib, "retention-longer-than", min_days=30) == [
        ("Acme Inc.", "for up to 2 years", 730, ACME[6]), ("Gamma Corp.", "for 90 days", 90, GAMMA[6]),
        ("Gamma Corp.", "indefinitely", "indefinite", GAMMA[6])]
    assert answer(lib, "retention-longer-than", min_days=1000) == [
        ("Gamma Corp.", "indefinitely", "indefinite", GAMMA[6])]


def test_contradictions(lib):
    # Gamma: "never share contact information with third parties" vs sharing the phone number (narrower) with
    # advertisers (a narrower kind). Not: Gamma's usage data to Google (no overlapping data), its "do not sell"
    # (no sale stated), Beta's phone number (it shares only e-mail), Acme's "do not sell".
    assert answer(lib, "contradictions") == [
        ("Gamma Corp.", "does not share", "phone number", "advertiser", GAMMA[4], GAMMA[2])]
    assert answer(graph_without_contradiction := sample_graph(), "contradictions") == []
    assert len(graph_without_contradiction) > 0


def test_contradictions_read_missing_recipients_as_third_parties_and_sales_only_against_sales():
    from kg.vocab import DC as dc
    from kg.vocab import RK as rk
    from tests.helpers.graphs import PolicyWriter, recipient
    text = "We do not sell your data.\nWe sell your e-mail address.\nWe do not share your name.\n" \
           "We share your name with our payment provider.\nWe share your e-mail address.\n" \
           "We do not share your e-mail address except as described.\n"
    lines = text.splitlines()
    g = sample_graph()
    w = PolicyWriter(g, "delta.txt", text)
    w.publisher("delta", "Delta", lines[0])
    w.practice("sell", lines[0], negated=True, data=(dc.PersonalInformation,))
    w.practice("sell", lines[1], data=(dc.EmailAddress,))
    w.practice("share", lines[2], negated=True, data=(dc.Name,))
    w.practice("share", lines[3], data=(dc.Name,), recipients=(recipient(g, rk.PaymentProcessor, "Pay", slug="pay"),))
    w.practice("share", lines[4], data=(dc.EmailAddress,))
    assert answer(g, "contradictions") == [
        ("Delta", "does not sell", "email address", "(unspecified)", lines[0], lines[1]),
        ("Delta", "does not share", "name", "Pay", lines[2], lines[3]),
    ]
    # a denial with an exception allows what it does not deny: no contradiction
    w.practice("share", lines[5], negated=True, data=(dc.EmailAddress,), condition="except as described")
    assert len(answer(g, "contradictions")) == 2


def test_children_age_thresholds(lib):
    assert answer(lib, "children-age-thresholds") == [("Gamma Corp.", 16, 1, GAMMA[7])]


def test_do_not_track(lib):
    assert answer(lib, "do-not-track") == [
        ("Acme Inc.", "not mentioned", 0, None), ("Beta LLC", "not mentioned", 0, None),
        ("Gamma Corp.", "not honoured", 1, GAMMA[8])]


def test_legal_bases(lib):
    assert answer(lib, "legal-bases") == [
        ("consent", 1, "Acme Inc."), ("legitimate interest", 1, "Gamma Corp."),
        ("performance of a contract", 1, "Gamma Corp.")]


def test_transfers_abroad(lib):
    assert answer(lib, "transfers-abroad") == [
        ("Gamma Corp.", "United States", "standard contractual clauses", "personal information", GAMMA[10])]
    assert answer(sample_graph(), "transfers-abroad") == []


def test_controller_countries(lib):
    assert answer(lib, "controller-countries", sets=("company_names",)) == [
        ("DE", 1, {"Acme Inc."}), ("US", 1, {"Gamma Corp."}), ("not stated", 1, {"Beta LLC"})]


def test_evidence_for_a_company_and_a_kind(lib):
    rows = answer(lib, "evidence", company="gamma", kind="ppkg:SharingPractice")
    starts = [GAMMA_TEXT.index(GAMMA[i]) for i in (2, 3, 4, 5)]
    assert [r[:8] for r in rows] == [
        ("Gamma Corp.", "share", False, GAMMA[2], "gamma.txt", starts[0], starts[0] + len(GAMMA[2]), "share.test.v1"),
        ("Gamma Corp.", "share", False, GAMMA[3], "gamma.txt", starts[1], starts[1] + len(GAMMA[3]), "share.test.v1"),
        ("Gamma Corp.", "share", True, GAMMA[4], "gamma.txt", starts[2], starts[2] + len(GAMMA[4]), "share.test.v1"),
        ("Gamma Corp.", "sell", True, GAMMA[5], "gamma.txt", starts[3], starts[3] + len(GAMMA[5]), "sell.test.v1"),
    ]
    assert all(str(r[8]).startswith("https://w3id.org/privacy-kg/id/policy/") for r in rows)
    assert [r[3] for r in answer(lib, "evidence", kind="ppkg:AudienceStatement")] == [GAMMA[7]]
    assert len(answer(lib, "evidence")) == 7 + 4 + 10  # every statement of the three policies
    assert answer(lib, "evidence", company="nobody") == []
    assert answer(lib, "evidence", company='" } ; DROP ALL') == []  # a string, matched as text only


# -- explain ------------------------------------------------------------------------------------------------------
def explain(graph, query, params=None):
    return api.query(GraphSource(graph), query, params, explain=True).explained


def sentences(explained) -> list[set[str]]:
    return [{e.text for _, e in ev} for _, ev in explained]


def test_explain_finds_the_statements_behind_grouped_rows(lib):
    explained = explain(lib, resolve_query("named-recipients"))
    assert [str(row[0]) for row, _ in explained] == ["Stripe", "Google"]
    assert sentences(explained) == [{ACME[3], BETA[2]}, {GAMMA[3]}]
    node, ev = explained[1].evidence[0]
    start = GAMMA_TEXT.index(GAMMA[3])
    assert ev == EvidenceRef(GAMMA[3], start, start + len(GAMMA[3]), "share.test.v1", "", "gamma.txt")
    assert "/share/" in str(node)  # the statement it is the evidence of
    assert sentences(explain(lib, resolve_query("legal-bases"))) == [{ACME[8]}, {GAMMA[9]}, {GAMMA[9]}]


def test_explain_with_parameters_and_both_sides_of_a_contradiction(lib):
    explained = explain(lib, resolve_query("companies-collecting-category"), {"category": "dc:ContactInformation"})
    assert sentences(explained) == [{ACME[2]}, {BETA[1]}, {GAMMA[1]}]
    assert sentences(explain(lib, resolve_query("contradictions"))) == [{GAMMA[2], GAMMA[4]}]


def test_explain_rows_without_a_statement(lib):
    # absence has no sentence; a query over controllers falls back to the controller's own evidence
    assert sentences(explain(lib, resolve_query("do-not-track"))) == [set(), set(), {GAMMA[8]}]
    assert sentences(explain(lib, resolve_query("controller-countries"))) == [{ACME[0]}, {GAMMA[0]}, {BETA[0]}]
    assert sentences(explain(lib, resolve_query("no-retention-period"))) == [{BETA[4]}]


def test_explain_a_users_own_query(lib):
    text = "SELECT ?name WHERE { ?p a ppkg:AudienceStatement ; dpv:hasDataController? ?c . " \
           "?pol ppkg:hasStatement ?p ; dct:publisher/dpv:hasName ?name }"
    explained = explain(lib, text)
    assert [(str(r[0]), {e.text for _, e in ev}) for r, ev in explained] == [("Gamma Corp.", {GAMMA[7]})]
    text = to_explained_text(explained, ["name"])
    assert text.splitlines() == ["1. name=Gamma Corp.", f"   [gamma.txt {GAMMA_TEXT.index(GAMMA[7])}-"
                                 f"{GAMMA_TEXT.index(GAMMA[7]) + len(GAMMA[7])} audience.test.v1] {GAMMA[7]}",
                                 "(1 row)"]


def test_every_packaged_query_explains_every_row(lib):
    for spec in list_queries():
        explained = explain(lib, spec)
        assert explained, spec.name
        for row, evidence in explained:
            absent = spec.name == "do-not-track" and str(row[1]) == "not mentioned"
            assert bool(evidence) != absent, (spec.name, row)


def test_explain_keeps_parameter_errors(lib):
    with pytest.raises(BadQuery, match="unknown concept dc:Emial"):
        explain(lib, resolve_query("companies-collecting-category"), {"category": "dc:Emial"})


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
    res = run_query(graph, resolve_query("negative-statements"))
    text = to_table(res, width=100)
    header, rule, first, second, count = text.splitlines()
    assert header.split() == resolve_query("negative-statements").columns
    assert len(rule.split()) == 6 and count == "(2 rows)"
    assert first.index("does not sell") == header.index("practice")
    assert max(len(line) for line in text.splitlines()) <= 100
    assert first.endswith("…") and "We do not sell" in first
    whole = to_table(res)  # no width (a file, a pipe): nothing is cut
    assert "…" not in whole and str(res.rows[0][-1]) in whole
    assert "loc:DE" in to_table(run_query(graph, resolve_query("controllers")))

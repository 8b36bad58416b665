"""The web app's pages, reviews and /sparql through Starlette's TestClient (no browser; see test_browser.py)."""
from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import quote

import pytest
from tests.web.conftest import HOSTILE_NAME, HOSTILE_SENTENCE, HOSTILE_SOURCE, make_client
from rdflib import Graph, URIRef


# -- hostile input ------------------------------------------------------------------------------------------------
@pytest.fixture
def hostile(hostile_files):
    graph, texts = hostile_files
    with make_client(graph, texts=[texts]) as client:
        yield client


def pages(client) -> list[str]:
    """Every kind of page, with the links the app itself makes."""
    company = re.search(r'href="(/companies/[^"?]+)"', client.get("/companies").text).group(1)
    page = client.get(company).text
    evidence = re.search(r'href="(/evidence\?[^"]+)"', page).group(1).replace("&amp;", "&")
    source = re.search(r'href="(/source\?[^"]+)"', client.get(evidence).text).group(1).replace("&amp;", "&")
    return ["/", "/companies", company, evidence, source, "/concepts", "/concepts/dc:EmailAddress",
            "/concepts/rk:Advertiser", "/questions", "/questions/evidence", "/questions/companies-collecting-category",
            "/completeness", "/completeness?profile=ccpa", "/compare?c=" + company.rsplit("/", 1)[1], "/review",
            "/sparql?query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 50")]


def test_hostile_text_is_escaped_on_every_page(hostile):
    for path in pages(hostile):
        r = hostile.get(path, headers={"accept": "text/html"})
        assert r.status_code == 200, path
        body = r.text
        assert "<script>alert" not in body and "<img src=x" not in body and "<svg onload" not in body, path
        assert "<iframe" not in body, path
        assert "csp" and r.headers["content-security-policy"].startswith("default-src 'none'; script-src 'self'")
        assert not re.search(r"<script(?![^>]*\bsrc=\"/static/app\.js\")", body), path  # our one script, a file
        assert " style=" not in body, path  # no inline style either (style-src 'self')
    company = hostile.get(pages(hostile)[2]).text
    assert "Evil &lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt; &amp; &#34;Co&#34; Inc." in company


def test_the_source_view_highlights_the_sentence_in_the_policy_text(hostile):
    source = pages(hostile)[4]
    body = hostile.get(source).text
    assert '<mark id="here">' in body and "&lt;script&gt;alert(&#34;ev&#34;)" in body
    assert "§ &#34;&gt;&lt;iframe src=javascript:alert(4)&gt;" in body  # the section path, escaped


def test_security_headers_and_binding_defaults(hostile):
    r = hostile.get("/")
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
    from kg.cli import serve

    host = next(p for p in serve.params if p.name == "host")
    assert host.default == "127.0.0.1"


# -- pages over the example corpus -------------------------------------------------------------------------------
@pytest.fixture
def example(example_copy):
    with make_client(example_copy) as client:
        yield client


@pytest.mark.slow
def test_every_page_answers(example):
    for path in pages(example):
        assert example.get(path).status_code == 200, path
    assert example.get("/companies/nobody").status_code == 404
    assert example.get("/concepts/dc:Nope").status_code == 404


@pytest.mark.slow
def test_companies_page_lists_the_five_controllers_and_filters(example):
    body = example.get("/companies").text
    for name in ("Calsoft Systems", "CONNACT Cloud ltd.", "CubeSoft Communications Inc.", "Pro Softnet Corporation",
                 "SoftSys Hosting"):
        assert name in body
    filtered = example.get("/companies?q=cube").text
    assert "CubeSoft" in filtered and "Calsoft" not in filtered


@pytest.mark.slow
def test_concepts_are_reached_by_label_and_never_shown_as_iris(example):
    r = example.get("/concepts?q=location", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/concepts/dc:Location"
    body = example.get("/concepts/dc:Location").text
    assert "Collected by" in body and "CubeSoft Communications Inc." in body
    assert "precise location" in body  # a narrower concept, included
    assert "https://w3id.org" not in re.sub(r'(href|value)="[^"]*"', "", body)  # IRIs only inside links
    near = example.get("/concepts?q=locaton")
    assert near.status_code == 404 and "did you mean" in near.text and "location information" in near.text


@pytest.mark.slow
def test_a_question_by_label_with_downloads_and_evidence(example):
    page = example.get("/questions/sharing-with-recipient-kind?kind=service+providers")
    assert page.status_code == 200 and "Calsoft Systems" in page.text
    rows = list(csv.reader(io.StringIO(example.get("/questions/sharing-with-recipient-kind.csv?kind=service+providers")
                                       .text)))
    assert rows[0] == ["company", "data", "recipient", "evidence"] and len(rows) > 1
    tsv = example.get("/questions/sharing-with-recipient-kind.tsv?kind=service+providers").text.splitlines()
    assert tsv[0] == "?company\t?data\t?recipient\t?evidence" and len(tsv) == len(rows)
    js = json.loads(example.get("/questions/sharing-with-recipient-kind.json?kind=service+providers").text)
    assert len(js["results"]["bindings"]) == len(rows) - 1
    evidence = example.get("/questions/sharing-with-recipient-kind/evidence?kind=service+providers&row=0")
    assert evidence.status_code == 200 and "<blockquote>" in evidence.text
    bad = example.get("/questions/companies-collecting-category?category=locaton")
    assert bad.status_code == 400 and "did you mean &#39;location information&#39; (dc:Location)?" in bad.text
    assert example.get("/questions/companies-collecting-category.csv?category=locaton").status_code == 400


@pytest.mark.slow
def test_completeness_cells_link_to_evidence_or_findings(example):
    body = example.get("/completeness?profile=gdpr").text
    links = re.findall(r'href="(/completeness/cell\?[^"]+)"', body)
    assert links
    kinds = set()
    for link in links:
        cell = example.get(link.replace("&amp;", "&")).text
        kinds.add("met" if "Met. The facts" in cell else "missing" if "Missing (" in cell else
                  "not due" if "GDPR is not due for this policy&#39;s jurisdiction" in cell else "?")
    assert kinds == {"met", "missing", "not due"}  # a requirement not due links to why (the policy's jurisdiction)


@pytest.mark.slow
def test_compare_two_companies(example):
    # both in GDPR scope (their policies address EU residents), so both have GDPR cells that can be missing
    body = example.get("/compare?c=calsoft-systems&c=pro-softnet-corporation").text
    assert body.count('class="compare"') == 1 and "Calsoft Systems" in body and "Pro Softnet Corporation" in body
    missing = body[body.index("GDPR Art. 13 missing"):]
    missing = missing[:missing.index("</tr>")]
    # each company's missing requirements, as on the completeness page, linked to the finding
    matrix = example.app.state.data.matrix("gdpr")
    for key in ("calsoft-systems", "pro-softnet-corporation"):
        policy = example.app.state.data.company(key).latest.iri
        expected = sum(c.status == "missing" for (p, _), c in matrix.cells.items() if str(p) == policy)
        assert expected and missing.count(quote(policy, safe="")) == expected
    assert "Retention periods" in body


# -- review ----------------------------------------------------------------------------------------------------
def _review_form(client) -> tuple[str, dict]:
    company = re.search(r'href="(/companies/[^"?]+)"', client.get("/companies").text).group(1)
    evidence = re.search(r'href="(/evidence\?[^"]+)"', client.get(company).text).group(1).replace("&amp;", "&")
    page = client.get(evidence).text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    return evidence, {k: v.replace("&amp;", "&") for k, v in fields.items()}


def test_a_review_needs_the_form_token_and_this_origin(hostile):
    _, fields = _review_form(hostile)
    assert hostile.post("/review", data={**fields, "token": "forged", "verdict": "wrong"}).status_code == 403
    other = hostile.post("/review", data={**fields, "verdict": "wrong"}, headers={"origin": "http://evil.example"})
    assert other.status_code == 403
    assert hostile.get("/review").text.count("<tr class=") == 0
    for method in ("put", "delete"):
        assert getattr(hostile, method)("/companies").status_code == 405  # nothing else writes


def test_a_review_is_kept_shown_and_honoured_by_with_corrections(hostile_files):
    from click.testing import CliRunner

    from kg.cli import main

    graph, texts = hostile_files
    with make_client(graph, texts=[texts]) as client:
        evidence, fields = _review_form(client)
        r = client.post("/review", data={**fields, "verdict": "wrong", "comment": "not <b>this</b>",
                                         "reviewer": "ann"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == fields["back"]
        assert "Reviewed: <b>wrong</b> by ann" in client.get(evidence).text
        listing = client.get("/review").text
        assert "not &lt;b&gt;this&lt;/b&gt;" in listing and 'class="r-wrong"' in listing
    corrections = graph.with_name("hostile.corrections.ttl")
    assert corrections.is_file()
    with make_client(graph, texts=[texts]) as again:  # a new process reads them back
        assert "Reviewed: <b>wrong</b> by ann" in again.get(evidence).text
    plain = CliRunner().invoke(main, ["query", "evidence", str(graph), "--format", "csv"])
    corrected = CliRunner().invoke(main, ["query", "evidence", str(graph), "--format", "csv", "--with-corrections"])
    assert plain.exit_code == corrected.exit_code == 0
    assert len(corrected.output.splitlines()) == len(plain.output.splitlines()) - 1
    out = graph.with_name("out.ttl")
    assert CliRunner().invoke(main, ["export", str(graph), "--format", "turtle", "-o", str(out),
                                     "--with-corrections"]).exit_code == 0
    assert fields["statement"] not in out.read_text() and HOSTILE_SENTENCE not in out.read_text()


# -- /sparql ----------------------------------------------------------------------------------------------------
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?p a ppkg:PrivacyPolicy }"


@pytest.mark.parametrize("accept, media", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("text/csv", "text/csv"), ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+xml", "application/sparql-results+xml"), ("*/*", "application/sparql-results+json"),
])
def test_sparql_select_by_content_negotiation(hostile, accept, media):
    r = hostile.get("/sparql", params={"query": COUNT}, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert "1" in r.text


def test_sparql_post_forms_ask_construct_and_names(hostile):
    form = hostile.post("/sparql", data={"query": COUNT}, headers={"accept": "application/sparql-results+json"})
    assert form.json()["results"]["bindings"][0]["n"]["value"] == "1"
    direct = hostile.post("/sparql", content="SELECT ?name WHERE { ?o dpv:hasName ?name }",
                          headers={"content-type": "application/sparql-query", "accept": "text/csv"})
    assert direct.status_code == 200 and HOSTILE_NAME.replace('"', '""') in direct.text
    ask = hostile.get("/sparql", params={"query": "ASK { ?s a ppkg:PrivacyPolicy }"},
                      headers={"accept": "application/sparql-results+json"})
    assert ask.json() == {"head": {}, "boolean": True}
    graph = hostile.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s dpv:hasName ?o }"},
                        headers={"accept": "text/turtle"})
    assert graph.status_code == 200 and graph.headers["content-type"].startswith("text/turtle")
    assert HOSTILE_SOURCE not in graph.text and "hasName" in graph.text
    bad = hostile.get("/sparql", params={"query": "SELECT WHERE"}, headers={"accept": "text/csv"})
    assert bad.status_code == 400 and "syntax" in bad.text
    assert hostile.get("/sparql", params={"query": COUNT}, headers={"accept": "image/png"}).status_code == 406


@pytest.mark.parametrize("how", ["update-form", "update-body", "update-as-query", "update-get"])
def test_sparql_updates_are_refused(hostile, how):
    update = "DELETE WHERE { ?s ?p ?o }"
    r = {"update-form": lambda: hostile.post("/sparql", data={"update": update}),
         "update-body": lambda: hostile.post("/sparql", content=update,
                                             headers={"content-type": "application/sparql-update"}),
         "update-as-query": lambda: hostile.get("/sparql", params={"query": "PREFIX x: <urn:x>\n" + update}),
         "update-get": lambda: hostile.get("/sparql", params={"update": update})}[how]()
    assert r.status_code == 403 and "read-only" in r.text
    assert hostile.get("/sparql", params={"query": COUNT}, headers={"accept": "text/csv"}).text.split()[-1] == "1"


def test_sparql_row_limit_and_timeout(hostile_files):
    graph, texts = hostile_files
    with make_client(graph, row_limit=5, timeout=2.0) as client:
        r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"accept": "text/csv"})
        assert r.status_code == 200 and len(r.text.splitlines()) == 6
        assert r.headers["x-privacy-kg-truncated"] == "5"
        # a cross product that runs for minutes: stopped at the limit, and the endpoint still answers after
        slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }")
        stopped = client.get("/sparql", params={"query": slow}, headers={"accept": "text/csv"})
        assert stopped.status_code == 503 and "time limit of 2 s" in stopped.text
        again = client.get("/sparql", params={"query": COUNT}, headers={"accept": "text/csv"})
        assert again.status_code == 200 and again.text.split()[-1] == "1"


def test_sparql_serializers_escape_and_quote():
    from kg.web.sparql import negotiate, serialize_select

    rows = [[("literal", 'a,"b"\tc\nd', "", ""), ("uri", "http://x/<&>")], [None, ("bnode", "b0")]]
    assert serialize_select("csv", ["x", "y"], rows).decode() == 'x,y\r\n"a,""b""\tc\nd",http://x/<&>\r\n,_:b0\r\n'
    assert serialize_select("tsv", ["x", "y"], rows).decode() == '?x\t?y\n"a,\\"b\\"\\tc\\nd"\t<http://x/<&>>\n\t_:b0\n'
    assert "&lt;&amp;&gt;" in serialize_select("xml", ["x", "y"], rows).decode()
    assert negotiate("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", None)[0] == "html"
    assert negotiate("text/csv;q=0.5, application/sparql-results+json", None)[:2] == ["json", "csv"]
    assert negotiate("*/*", "csv") == ["csv"]


# -- versions, and a store ----------------------------------------------------------------------------------------
def test_versions_and_their_diff(tmp_path):
    from tests.web.conftest import versions_graph

    path = tmp_path / "versions.ttl"
    versions_graph().serialize(path, format="turtle")
    with make_client(path) as client:
        page = client.get("/companies/acme").text
        assert "Versions" in page and "2023-01-01" in page and "2024-01-01" in page
        assert "Shares with" in page  # the newest version by default
        diff = client.get("/companies/acme/diff").text
        assert "1 practices differ (1 added, 0 removed, 0 changed)" in diff and "share: email address" in diff
        assert "new: We share it with advertisers." in diff
        # graphs from before builds were recorded: the page says so, and that a difference may come from the tool
        assert "Built by: old version unknown; new version unknown." in diff
        assert "<b>Note:</b> what built the old and new sides is unknown" in diff


def test_the_diff_page_says_what_built_each_version(tmp_path):
    from rdflib import Literal
    from rdflib.namespace import PROV
    from tests.web.conftest import versions_graph

    from kg.vocab import PPKG

    graph = versions_graph()
    policies = sorted(graph.subjects(PPKG.sourceFile, None), key=lambda p: str(graph.value(p, URIRef(
        "http://purl.org/dc/terms/modified"))))
    for policy, rules in zip(policies, ("rules-000000000000", "rules-111111111111")):
        activity = URIRef(f"{policy}/build")
        graph.add((policy, PROV.wasGeneratedBy, activity))
        graph.add((activity, PPKG.softwareVersion, Literal("privacy-kg 0.1.0")))
        graph.add((activity, PPKG.ruleSetVersion, Literal(rules)))
    path = tmp_path / "versions.ttl"
    graph.serialize(path, format="turtle")
    with make_client(path) as client:
        diff = client.get("/companies/acme/diff").text
        assert ("Built by: old version privacy-kg 0.1.0, rules-000000000000; new version privacy-kg 0.1.0, "
                "rules-111111111111.") in diff
        assert "<b>Note:</b> the two sides were built by different rule sets" in diff
    graph.set((URIRef(f"{policies[0]}/build"), PPKG.ruleSetVersion, Literal("rules-111111111111")))
    graph.serialize(path, format="turtle")
    with make_client(path) as client:
        diff = client.get("/companies/acme/diff").text
        assert "Built by: privacy-kg 0.1.0, rules-111111111111 (both versions)." in diff and "Note:" not in diff


def test_a_store_review_survives_rebuilding_the_policy(tmp_path):
    import pyoxigraph as ox
    from click.testing import CliRunner
    from tests.web.conftest import store_of, versions_graph

    from kg.cli import main
    from kg.web import create_app
    from kg.sources import open_source
    from kg.web.data import Data

    graph = versions_graph()
    folder = store_of(graph, tmp_path / "kg.db")
    from starlette.testclient import TestClient

    data = Data(open_source(store=folder))
    data.warm(concept_answers=False)
    with TestClient(create_app(data, warm=False), base_url="http://127.0.0.1:8080",
                    headers={"origin": "http://127.0.0.1:8080"}) as client:
        evidence, fields = _review_form(client)
        r = client.post("/review", data={**fields, "verdict": "wrong", "comment": "no"}, follow_redirects=False)
        assert r.status_code == 303 and "Reviewed: <b>wrong</b>" in client.get(evidence).text
    data.close()
    # "rebuild": drop and insert the policy graphs again, as build --store does when a file changes and back
    store = ox.Store(str(folder))
    policies = [q.graph_name.value for q in store.quads_for_pattern(
        None, ox.NamedNode(str(__import__("rdflib").RDF.type)), ox.NamedNode(
            "https://w3id.org/privacy-kg/ns#PrivacyPolicy"), None)]
    for name in policies:
        store.update(f"DROP GRAPH <{name}>")
    del store
    store_of(graph, folder)
    again = Data(open_source(store=folder))
    assert [r.verdict for r, present in again.all_reviews()] == ["wrong"] and again.all_reviews()[0][1]
    again.close()
    for flags, present in (([], True), (["--with-corrections"], False)):
        out = tmp_path / "out.ttl"
        r = CliRunner().invoke(main, ["export", "--store", str(folder), "--format", "turtle", "-o", str(out), *flags])
        assert r.exit_code == 0, r.output
        exported = Graph().parse(out)
        assert ((URIRef(fields["statement"]), None, None) in exported) is present
    validated = CliRunner().invoke(main, ["validate", "--store", str(folder), "--with-corrections",
                                          "--profile", "core"])
    assert validated.exit_code in (0, 1), validated.output


# -- the background work, kept by the state of the source ------------------------------------------------------
def test_the_background_work_is_kept_by_the_state_of_the_source(hostile_files, tmp_path):
    from kg.sources import open_source
    from kg.web.data import Data

    graph, _ = hostile_files
    cache = tmp_path / "cache"

    def started() -> Data:
        data = Data(open_source(graph), cache_dir=cache)
        data.warm(concept_answers=False)
        return data

    first = started()
    assert first.from_cache is None and len(list(cache.glob("serve-*.pickle"))) == 1
    again = started()  # the same policies: read back, nothing computed
    assert again.from_cache == str(next(cache.glob("serve-*.pickle")))
    assert again.index.ready and again.index.cards == first.index.cards and all(j.ready for j in again.jobs.values())
    assert again.matrix("gdpr").cells == first.matrix("gdpr").cells
    assert again.network().summary() == first.network().summary()
    assert again.run("evidence").rows == first.run("evidence").rows
    graph.write_text(graph.read_text(encoding="utf-8") + "\n# another build\n", encoding="utf-8")
    changed = started()  # another state of the source: computed again, and kept beside the first
    assert changed.from_cache is None and len(list(cache.glob("serve-*.pickle"))) == 2
    assert Data(open_source(graph)).cache_dir is None  # the library keeps nothing unless asked


def test_concept_answers_come_last_after_what_the_pages_need_is_kept(hostile_files, tmp_path, monkeypatch):
    """The answers for each concept (hundreds of queries on a large store) start only once the default answers,
    the network and the completeness matrices are done and kept; a start that finds them kept without the concept
    answers computes only those."""
    from kg.sources import open_source
    from kg.web.data import Data

    graph, _ = hostile_files
    cache = tmp_path / "cache"
    seen: list[tuple] = []

    def concept_answers(self, job):
        seen.append((self.jobs["questions"].ready, self.jobs["network"].ready, self.jobs["matrices"].ready,
                     len(list(cache.glob("serve-*.pickle")))))
        self.run("companies-collecting-category", {"category": "dc:Location"})

    data = Data(open_source(graph), cache_dir=cache)
    data._save_cache = lambda: None  # the first start is stopped before it keeps anything ...
    data.warm(concept_answers=False)
    del data._save_cache
    data._save_cache()  # ... but for the pages' work: the concept answers were never computed
    monkeypatch.setattr(Data, "_warm_concept_answers", concept_answers)
    again = Data(open_source(graph), cache_dir=cache)
    again.warm()
    assert again.from_cache is not None and seen == [(True, True, True, 1)]
    assert again.jobs["concepts"].ready and not again.jobs["concepts"].skipped
    third = Data(open_source(graph), cache_dir=cache)
    third.warm()  # everything kept now, the concept answers too: nothing runs
    assert seen == [(True, True, True, 1)] and third.jobs["concepts"].ready
    assert any(name == "companies-collecting-category" and "Location" in repr(bound) for name, bound in third._queries)
    fresh = Data(open_source(graph), cache_dir=tmp_path / "other")
    fresh.warm()  # a first start: the concept answers after the pages' work was kept
    assert seen[-1] == (True, True, True, 1)


# -- jurisdiction ---------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_company_pages_and_completeness_say_which_jurisdiction_and_mark_requirements_not_due(tmp_path):
    """Policies for EEA and California residents and one that names no place (tests/cli/test_jurisdiction_cli.py's
    texts): each company page says where its policy is taken to apply and why; in the completeness matrix a
    profile not due for a policy is "n/a", never missing, and its cell says why."""
    from click.testing import CliRunner
    from html import unescape
    from tests.cli.test_jurisdiction_cli import CALIFORNIA_SENTENCE, EEA_SENTENCE, POLICIES

    from kg.cli import main

    names = ("eea.txt", "california.txt", "plain.txt")
    for name in names:
        (tmp_path / name).write_text(POLICIES[name], encoding="utf-8")
    manifest = tmp_path / "manifest.csv"  # the controllers' names, as the CLI test gives them
    manifest.write_text("path,controller\neea.txt,Acme Analytics GmbH\ncalifornia.txt,Birch Books Inc.\n"
                        "plain.txt,Cedar Games Ltd.\n", encoding="utf-8")
    out = tmp_path / "kg.ttl"
    result = CliRunner().invoke(main, ["build", *(str(tmp_path / n) for n in names), "--manifest", str(manifest),
                                       "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output

    def text(html: str) -> str:
        return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split()).replace(" .", ".")

    with make_client(out) as client:
        keys = dict(re.findall(r'href="/companies/([^"?/]+)">([^<]+)</a>', client.get("/companies").text))
        by_name = {v: k for k, v in keys.items()}
        acme = text(client.get(f"/companies/{by_name['Acme Analytics GmbH']}").text)
        assert ("Jurisdiction: taken to be under EEA (European Economic Area), from its own words; GDPR requirements "
                "apply, CCPA requirements do not.") in acme
        assert f'EEA (European Economic Area), from its own words: "{EEA_SENTENCE}"' in acme
        birch = text(client.get(f"/companies/{by_name['Birch Books Inc.']}").text)
        assert f'US-CA (California), from its own words: "{CALIFORNIA_SENTENCE}"' in birch
        cedar = text(client.get(f"/companies/{by_name['Cedar Games Ltd.']}").text)
        assert "Jurisdiction: no jurisdiction known" in cedar and "GDPR and CCPA requirements do not apply" in cedar

        page = client.get("/completeness?profile=gdpr").text
        rows = {re.search(r"\((\w+\.txt)\)", r).group(1): r for r in page.split("<tr>") if ".txt)" in r}
        assert '<td class="where">EEA</td>' in rows["eea.txt"] and 'class="missing"' in rows["eea.txt"]
        assert "not-due" not in rows["eea.txt"]
        for name in ("california.txt", "plain.txt"):
            assert rows[name].count('class="na not-due"') == rows[name].count("<td") - 1  # all but the place
            assert "missing" not in rows[name]
        assert '<td class="where">US-CA</td>' in rows["california.txt"]
        assert '<td class="where">unknown</td>' in rows["plain.txt"]
        cell = re.search(r'<td class="na not-due"[^>]*><a href="([^"]+)"', rows["california.txt"]).group(1)
        explained = text(client.get(unescape(cell)).text)
        assert "Not applicable to this policy: GDPR is not due for this policy's jurisdiction (US-CA)." in explained
        assert "Jurisdiction: taken to be under US-CA (California), from its own words" in explained
        ccpa = client.get("/completeness?profile=ccpa").text
        eea_row = next(r for r in ccpa.split("<tr>") if "(eea.txt)" in r)
        assert "missing" not in eea_row and "not due for this policy&#39;s jurisdiction (EEA)" in eea_row
        compared = client.get("/compare", params={"c": [by_name["Acme Analytics GmbH"], by_name["Cedar Games Ltd."]]})
        cells = re.search(r"<tr><th>GDPR Art. 13 missing</th>(.*?)</tr>", compared.text).group(1).split("<td")[1:]
        assert "n/a: GDPR not due" not in cells[0] and 'class="chip neg"' in cells[0]  # Acme: in scope, gaps shown
        assert "n/a: GDPR not due" in cells[1] and "none missing" not in cells[1]  # Cedar: not "none missing"
        where = re.search(r"<tr><th>Jurisdiction</th>(.*?)</tr>", compared.text).group(1)
        assert text(where) == "EEA unknown"

"""The HTML report: self-contained, every section, every link resolves, text escaped; rendered in headless
Chromium (skipped when Debian's chromium is not installed)."""
from __future__ import annotations

import re
import shutil
import struct
import subprocess

import pytest
from rdflib import Literal
from rdflib.namespace import RDFS

from kg.html_report import NETWORK_MAX, render_html
from kg.shacl import validate_graphs
from kg.vocab import DC, ID
from tests.helpers.graphs import GAMMA_TEXT, PolicyWriter, library_graph

SECTIONS = ("overview", "companies", "data", "retention", "network")


@pytest.fixture(scope="module")
def graph():
    return library_graph()


@pytest.fixture(scope="module")
def html(graph):
    return render_html(graph, validate_graphs([graph], "all"))


def ids(text: str) -> set[str]:
    return set(re.findall(r'\bid="?([\w-]+)', text))


def section(html: str, name: str) -> str:
    start = html.index(f'<section id="{name}">')
    return html[start:html.index("</section>", start)]


def test_every_section_and_no_external_resource(html):
    assert html.startswith("<!DOCTYPE html>")
    assert set(SECTIONS) | {"completeness"} <= ids(html)
    for forbidden in ("<link", "<img", "<iframe", " src=", "url(", "@import"):
        assert forbidden not in re.sub(r'(xmlns|href)="[^"]*"', "", html).lower(), forbidden
    assert html.count("<script>") == 1 and html.count("<style>") == 1  # ours, inline: one file
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert {h[1:] for h in hrefs} <= ids(html)  # every link lands on an anchor of the page


def test_without_validation_there_is_no_completeness_section(graph):
    html = render_html(graph)
    assert "completeness" not in ids(html) and set(SECTIONS) <= ids(html)


def test_cards_codes_and_sentences(html):
    gamma = GAMMA_TEXT.splitlines()
    companies = section(html, "companies")
    for company in ("Acme Inc.", "Beta LLC", "Gamma Corp."):
        assert f"<summary><b>{company}</b>" in companies
    assert companies.count('<details class="company"') == 3 and companies.count(" open>") == 3  # few: open
    assert ">children (under 16)</a>" in companies and ">not honoured</a>" in companies
    assert 'class="chip neg"' in companies and ">contact information with third party</a>" in companies
    assert "no retention statement" not in companies  # all three say something about retention
    for sentence in gamma[1:]:
        assert sentence.replace("'", "&#x27;") in companies  # listed once under the company, linked from chips
    assert "gamma.txt · characters " in companies and "rule share.test.v1" in companies
    data = section(html, "data")
    assert data.count("<tr>") == 1 + 9  # header + the nine categories of the three policies
    email = re.search(r"<tr><th>email address</th>(.*?)</tr>", data).group(1)
    assert re.findall(r">([^<>]+)</a>", email) == ["C S R", "C S"]  # Acme, Beta; Gamma has no e-mail cell


def test_retention_bars_show_their_bound_and_the_network(html):
    retention = section(html, "retention")
    assert retention.count('<svg class="bar"') == 3  # each company's longest period
    assert "indefinitely — indefinitely" in retention  # Gamma keeps backups indefinitely
    assert "at most P2Y — for up to 2 years" in retention and 'class="upto"' in retention and 'class="cap"' in retention
    assert "no stated length — as long as necessary" in retention  # Beta
    companies = section(html, "companies")
    assert "P90D — for 90 days" in companies  # Gamma's other period, on its card
    network = section(html, "network")
    assert network.count("<circle") == 3 + 3 and network.count("<line") == 6
    assert ">advertiser (3)</text>" in network and ">Stripe (2)</text>" in network


def test_completeness_cells_link_to_sentences_or_findings(html):
    completeness = section(html, "completeness")
    assert "GDPR Art. 13" in completeness and 'class="met"' in completeness and 'class="missing"' in completeness
    missing = re.findall(r'<td class="missing"><a href="#(findings-[\w-]+)"', completeness)
    assert missing and set(missing) <= ids(html)
    assert "Missing requirements" in section(html, "companies")


def many_companies(n: int):
    """``n`` small policies, one company each."""
    from rdflib import Graph

    from kg.vocab import bind_prefixes

    g = bind_prefixes(Graph())
    for i in range(n):
        text = f"Company {i} collects your email address.\nWe keep it for {i + 1} days.\n"
        w = PolicyWriter(g, f"c{i:03d}.txt", text)
        w.publisher(f"company-{i}", f"Company {i:03d}", text.splitlines()[0])
        w.practice("collect", text.splitlines()[0], data=(DC.EmailAddress,))
        w.practice("retain", text.splitlines()[1], data=(DC.EmailAddress,),
                   retention=({"kind": "temporal", "label": f"for {i + 1} days", "iso": f"P{i + 1}D", "days": i + 1},))
    return g


def test_past_a_dozen_companies_a_heatmap_replaces_the_network_and_companies_are_closed():
    html = render_html(many_companies(NETWORK_MAX + 18))
    assert "network" not in ids(html) and 'id="heatmap"' in html
    assert html.count('<details class="company"') == 30 and " open>" not in html
    heat = section(html, "data")
    assert heat.count('class="h2"') == 30  # each company names e-mail twice: collect and retain
    assert 'data-search="details.company"' in html and 'data-filter="#heatmap"' in html
    retention = section(html, "retention")
    assert retention.index("Company 029") < retention.index("Company 000")  # longest first


def test_text_is_escaped():
    g = library_graph()
    g.set((ID["org/gamma-corp"], __import__("kg.vocab", fromlist=["DPV"]).DPV.hasName,
           Literal('<script>alert("x")</script> & Co')))
    text = "We collect your <b>name</b> & more.\n"
    w = PolicyWriter(g, "evil<i>.txt", text)
    w.publisher("evil", "Evil <img src=x> Ltd", text.strip())
    w.practice("collect", text.strip(), data=(DC.Name,))
    g.add((ID["recipient/Advertiser"], RDFS.label, Literal("<svg onload=alert(1)>")))
    html = render_html(g)
    assert html.count("<script") == 1 and "<img" not in html and "<b>name" not in html and "<i>.txt" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
    assert "Evil &lt;img src=x&gt; Ltd" in html and "We collect your &lt;b&gt;name&lt;/b&gt; &amp; more." in html


# -- headless Chromium --------------------------------------------------------------------------------------------
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9",
                           "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=180)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium); "
                                             "the report's browser rendering is not checked")
def test_report_renders_in_headless_chromium(html, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = dom.stdout
    for name in SECTIONS + ("completeness",):
        assert re.search(rf'<section id="{name}">', rendered), name
    for text in ("Gamma Corp.", "Who shares with whom", "Data categories × companies", "GDPR Art. 13",
                 "Our service is not directed to children under 16."):
        assert text in rendered, text
    assert '<svg class="network"' in rendered and "<circle" in rendered and "<rect" in rendered

    png = tmp_path / "report.png"
    shot = chromium(tmp_path, f"--screenshot={png}", "--window-size=1280,2000", page.as_uri())
    assert shot.returncode == 0 and png.is_file(), shot.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1280, 2000)
    assert len(data) > 50_000  # a page with content, not a blank screen (a blank one is ~10 kB)


def test_a_profile_without_matrices_shows_its_findings():
    from kg.vocab import PPKG

    graph = library_graph()
    graph.remove((None, PPKG.evidence, None))  # every statement without its evidence: core findings
    html = render_html(graph, validate_graphs([graph], "core"))
    completeness = section(html, "completeness")
    assert "<th>Beta LLC (beta.txt)</th>" in completeness and "does not conform" in completeness
    assert 'class="matrix"' not in completeness

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

from kg.html_report import render_html
from kg.shacl import validate_graphs
from kg.vocab import DC, ID, PPKG
from tests.helpers.graphs import GAMMA_TEXT, PolicyWriter, library_graph

SECTIONS = ("overview", "companies", "matrix", "retention", "network", "evidence")


@pytest.fixture(scope="module")
def graph():
    return library_graph()


@pytest.fixture(scope="module")
def html(graph):
    return render_html(graph, validate_graphs([graph], "all"))


def ids(text: str) -> set[str]:
    return set(re.findall(r'\bid="?([\w-]+)', text))


def test_every_section_and_no_external_resource(html):
    assert html.startswith("<!DOCTYPE html>")
    assert set(SECTIONS) | {"completeness"} <= ids(html)
    for forbidden in ("<script", "<link", "<img", "<iframe", " src=", "url(", "@import"):
        assert forbidden not in html.lower(), forbidden
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert {h[1:] for h in hrefs} <= ids(html)  # every link lands on an anchor of the page
    assert html.count("<svg") == 2  # retention chart and network


def test_without_validation_there_is_no_completeness_section(graph):
    html = render_html(graph)
    assert "completeness" not in ids(html) and set(SECTIONS) <= ids(html)


def test_cards_matrix_and_evidence(html):
    gamma = GAMMA_TEXT.splitlines()
    cards = html[html.index("<section id=companies>"):html.index("<section id=matrix>")]
    for company in ("Acme Inc.", "Beta LLC", "Gamma Corp."):
        assert f">{company}</a></h3>" in cards
    assert ">children (under 16)</a>" in cards and ">not honoured</a>" in cards
    assert 'class="chip neg"' in cards and ">contact information with third party</a>" in cards
    assert "no retention statement" not in cards  # all three say something about retention
    matrix = html[html.index("<section id=matrix>"):html.index("<section id=retention>")]
    assert matrix.count("<tr>") == 1 + 9  # header + the nine categories of the three policies
    email = re.search(r"<tr><th>email address</th>(.*?)</tr>", matrix).group(1)
    assert re.findall(r">([^<>]+)</a>", email) == ["C S R", "C S"]  # Acme, Beta; Gamma has no e-mail cell
    evidence = html[html.index("<section id=evidence>"):]
    for sentence in gamma[1:]:
        assert sentence.replace("'", "&#x27;") in evidence
    assert "gamma.txt · characters " in evidence and "rule share.test.v1" in evidence


def test_retention_chart_and_network(html):
    retention = html[html.index("<section id=retention>"):html.index("<section id=network>")]
    assert retention.count("<rect") == 1 + 1 + 2  # Acme 2 years; Beta unstated (marked); Gamma 90 days + forever
    assert "also, without a length: as long as your account is active" in retention  # Acme's until-event period
    assert "P2Y — for up to 2 years" in retention and "P90D — for 90 days" in retention
    assert "indefinitely — indefinitely" in retention and "no stated period — says: as long as necessary" in retention
    network = html[html.index("<section id=network>"):html.index("<section id=completeness>")]
    assert network.count("<circle") == 3 + 3 and network.count("<line") == 6
    assert ">advertiser (3)</text>" in network and ">Stripe (2)</text>" in network


def completeness(html: str) -> str:
    return html[html.index("<section id=completeness>"):html.index("<section id=evidence>")]


def test_completeness_matrix_or_findings(graph, html):
    section = completeness(html)
    assert "GDPR Art. 13" in section and "class=met" in section and "<th>requirement</th>" not in section
    # a profile without a requirements matrix (core): its findings per policy and requirement
    graph = library_graph()
    graph.remove((None, PPKG.evidence, None))  # every statement without its evidence: core findings
    section = completeness(render_html(graph, validate_graphs([graph], "core")))
    assert "<th>requirement</th>" in section and "Beta LLC (beta.txt)" in section


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
    assert "<script" not in html and "<img" not in html and "<b>name" not in html and "<i>.txt" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
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
    for section in SECTIONS + ("completeness",):
        assert re.search(rf'<section id="{section}">', rendered), section
    for text in ("Gamma Corp.", "Who shares with whom", "Data categories × companies", "GDPR Art. 13",
                 "Our service is not directed to children under 16."):
        assert text in rendered, text
    assert rendered.count("<svg") == 2 and "<circle" in rendered and "<rect" in rendered

    png = tmp_path / "report.png"
    shot = chromium(tmp_path, f"--screenshot={png}", "--window-size=1280,2000", page.as_uri())
    assert shot.returncode == 0 and png.is_file(), shot.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1280, 2000)
    assert len(data) > 50_000  # a page with content, not a blank screen (a blank one is ~10 kB)

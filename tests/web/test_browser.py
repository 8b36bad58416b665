"""The web app in a real browser: Debian's Chromium driven by Playwright, the app served by uvicorn on 127.0.0.1.

Screenshots of every page at 1280 and 390 px go to $KG_SCREENSHOTS (a folder) when it is set, to look at them.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from tests.web.conftest import HOSTILE_NAME, LiveServer

WIDTHS = (1280, 390)


def shot(page, name: str, width: int) -> None:
    folder = os.environ.get("KG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


@contextmanager
def tab(browser, width: int = 1280):
    """A new page of ``width`` px; on leaving, no console error or warning, no script error and no dialog (an
    alert() would be policy text run as script) may have happened."""
    problems: list[str] = []
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield page, problems
    page.close()
    assert problems == []


def test_hostile_policy_text_runs_nothing_in_the_browser(browser, hostile_files):
    graph, texts = hostile_files
    # no dialog, no script error, no CSP violation report
    with LiveServer(graph, texts=[texts]) as server, tab(browser) as (page, problems):
        page.goto(server.url + "/companies")
        page.click("text=" + HOSTILE_NAME)
        assert page.locator("h1").inner_text() == HOSTILE_NAME  # shown as text, not run
        page.locator("a.chip").first.click()
        page.click("text=in the policy text")
        assert "alert(" in page.locator("mark").inner_text()
        for path in ("/", "/concepts/dc:EmailAddress", "/questions/evidence", "/completeness", "/review",
                     "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D"):
            page.goto(server.url + path)


@pytest.fixture(scope="module")
def served(example_build, tmp_path_factory):
    import shutil

    result, out = example_build
    graph = tmp_path_factory.mktemp("served") / "kg.ttl"
    shutil.copyfile(out, graph)
    root = Path(__file__).resolve().parents[2]
    with LiveServer(graph, texts=[root / "examples" / "policies"]) as server:
        yield server


PAGES = {"overview": "/", "companies": "/companies", "company": "/companies/calsoft-systems",
         "concept": "/concepts/dc:Location", "concepts": "/concepts", "questions": "/questions",
         "question": "/questions/sharing-with-recipient-kind?kind=service+provider", "completeness": "/completeness",
         "compare": "/compare?c=calsoft-systems&c=cubesoft-communications-inc", "review": "/review",
         "sparql": "/sparql"}


@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_screen(browser, served, width):
    with tab(browser, width) as (page, problems):
        for name, path in PAGES.items():
            page.goto(served.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} is {overflow} px wider than the {width} px screen"
            shot(page, name, width)


@pytest.mark.slow
def test_from_a_company_to_the_sentence_in_its_policy_and_a_review(browser, served):
    with tab(browser, 1280) as (page, problems):
        page.goto(served.url + "/companies")
        page.fill("input[data-filter]", "calsoft")  # filtered as you type (app.js)
        assert page.locator("#companies tbody tr:visible").count() == 1
        page.click("#companies >> text=Calsoft Systems")
        page.click("dd >> a.chip >> text=email address")
        assert "Calsoft Systems — Collects: email address" in page.locator("h1").inner_text()
        sentence = page.locator(".ev blockquote").first.inner_text()
        page.click("text=in the policy text")
        mark = page.locator("mark#here")
        assert " ".join(mark.inner_text().split()) == " ".join(sentence.split())
        assert mark.is_visible() and page.locator(".section").inner_text().startswith("§")
        page.go_back()
        page.fill("form.review >> nth=0 >> input[name=comment]", "the sentence is about newsletters")
        page.fill("form.review >> nth=0 >> input[name=reviewer]", "ann")
        page.click("form.review >> nth=0 >> button.wrong")
        assert "Reviewed: wrong by ann" in page.locator(".ev").first.inner_text()
        page.goto(served.url + "/review")
        assert "the sentence is about newsletters" in page.locator("table").inner_text()
        page.goto(served.url + "/companies/calsoft-systems")
        assert page.locator("a.chip.r-wrong").count() >= 1


@pytest.mark.slow
def test_a_question_asked_by_label_with_completion(browser, served):
    with tab(browser, 1280) as (page, problems):
        page.goto(served.url + "/questions/sharing-with-recipient-kind")
        options = page.locator("datalist#dl-kind option").evaluate_all("os => os.map(o => o.value)")
        assert "advertiser" in options and "service provider" in options
        page.fill("input[name=kind]", "service providers")
        page.click("button:has-text('Ask')")
        assert re.search(r"\d+ rows", page.locator(".downloads").inner_text())
        page.click("table.answer thead th:has-text('company')")  # sortable (app.js)
        assert page.locator("table.answer thead th[aria-sort]").count() == 1
        page.locator("table.answer tbody a:has-text('sentences')").first.click()
        assert page.locator(".ev blockquote").count() >= 1
        page.goto(served.url + "/questions/companies-collecting-category?category=locaton")
        assert "did you mean 'location information'" in page.locator(".error").inner_text()
        assert problems.pop() == "Failed to load resource: the server responded with a status of 400 (Bad Request)"
        page.goto(served.url + "/concepts")
        page.fill("input[name=q]", "precise location")
        page.press("input[name=q]", "Enter")
        assert page.locator("h1").inner_text() == "precise location"


@pytest.mark.slow
def test_the_completeness_matrix_filters_and_links(browser, served):
    with tab(browser, 1280) as (page, problems):
        page.goto(served.url + "/completeness")
        rows = page.locator("#matrix tbody tr")
        assert rows.count() == 5
        page.fill("input[data-filter='#matrix']", "softnet")  # in GDPR scope, so its row has missing cells
        assert page.locator("#matrix tbody tr:visible").count() == 1
        page.locator("#matrix tbody tr:visible td.missing a").first.click()
        assert "Missing (" in page.locator("main").inner_text()


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["gdpr", "ccpa"])
def test_every_completeness_column_header_shows_its_whole_name(browser, served, profile):
    """The rotated requirement names (the longest: "13(2)(e) statutory/contractual requirement") fit inside their
    header cell: none is cut at the cell's edge."""
    with tab(browser, 1280) as (page, problems):
        page.goto(served.url + f"/completeness?profile={profile}")
        boxes = page.evaluate("""() => [...document.querySelectorAll('#matrix thead th:not(.corner) span')].map(s => {
            const t = s.getBoundingClientRect(), c = s.parentElement.getBoundingClientRect();
            return [s.textContent, t.top - c.top, c.bottom - t.bottom, t.height, s.scrollHeight];
        })""")
        assert len(boxes) >= 8
        for name, above, below, height, scrolled in boxes:
            assert above >= 0 and below >= 0 and scrolled <= height + 1, f"{name!r} is cut: {above, below}"


@pytest.mark.slow
def test_the_overview_headlines_lead_to_their_company_evidence_or_cells(browser, served):
    with tab(browser, 1280) as (page, problems):
        page.goto(served.url + "/")
        findings = page.locator(".findings article")
        assert findings.count() == 3
        recipient = findings.nth(0).locator("ol a").first  # a shared recipient -> the sentences naming it
        name = recipient.inner_text()
        recipient.click()
        assert page.locator(".ev blockquote").count() >= 1 and name in page.locator("main").inner_text()
        page.go_back()
        company = findings.nth(1).locator("ol a").first  # the longest retention -> that company's page
        name = company.inner_text()
        company.click()
        assert page.locator("h1").inner_text() == name and page.locator(".retention .period").count() >= 1
        page.go_back()
        missing = findings.nth(2).locator("ol a").first  # the most missing requirements -> its matrix row
        label = missing.inner_text()
        missing.click()
        rows = page.locator("#matrix tbody tr")
        assert rows.count() == 1 and rows.first.locator("th").inner_text() == label
        assert rows.first.locator("td.missing").count() >= 1


@pytest.mark.slow
def test_the_company_list_is_searched_and_sorted(browser, served):
    with tab(browser, 1280) as (page, problems):
        page.goto(served.url + "/companies")
        statements = page.locator("#companies thead th:has-text('statements')")
        statements.click()

        def column(n: int) -> list[str]:
            return page.locator(f"#companies tbody tr td:nth-child({n})").all_inner_texts()

        assert [int(x) for x in column(5)] == sorted(int(x) for x in column(5))
        statements.click()  # again: descending
        assert [int(x) for x in column(5)] == sorted((int(x) for x in column(5)), reverse=True)
        page.click("#companies thead th:has-text('company')")
        assert column(1) == sorted(column(1), key=str.casefold) and len(column(1)) == 5
        page.fill("input[data-filter]", "soft")
        visible = page.locator("#companies tbody tr:visible td:nth-child(1)").all_inner_texts()
        assert visible and all("soft" in v.casefold() for v in visible) and len(visible) < 5


@pytest.mark.slow
def test_three_companies_side_by_side(browser, served):
    with tab(browser, 1280) as (page, problems):
        page.goto(served.url + "/companies")
        names = page.locator("#companies tbody tr td:nth-child(1)").all_inner_texts()[:3]
        page.goto(served.url + "/compare")
        for name in names:  # typed as a person would, by name
            page.fill("form.filter input[name=c]:not([type=hidden])", name)
            page.click("form.filter button")
        assert page.locator("table.compare thead th a").all_inner_texts() == names
        heads = page.locator("table.compare tbody th").all_inner_texts()
        assert {"Collects", "Shares with", "Retention", "Retention periods", "GDPR Art. 13 missing"} <= set(heads)
        gdpr = page.locator("table.compare tbody tr", has=page.locator("th", has_text="GDPR Art. 13 missing"))
        assert gdpr.locator("a.chip.neg").count() >= 1  # a missing requirement, linked to its finding
        gdpr.locator("a.chip.neg").first.click()
        assert "Missing (" in page.locator("main").inner_text()
        page.go_back()
        collects = page.locator("table.compare tbody tr", has=page.locator("th", has_text="Collects")).first
        chip = collects.locator("td").nth(1).locator("a.chip").first
        label = chip.inner_text()
        chip.click()
        assert page.locator("h1").inner_text().startswith(f"{names[1]} — Collects: {label}")
        assert page.locator(".ev blockquote").count() >= 1


@pytest.mark.slow
def test_a_concept_page_reached_by_label(browser, served):
    with tab(browser, 1280) as (page, problems):
        page.goto(served.url + "/concepts")
        page.fill("input[name=q]", "Location")
        page.press("input[name=q]", "Enter")
        assert page.locator("h1").inner_text() == "location information"
        assert "precise location" in page.locator(".legend").first.inner_text()  # narrower, included
        section = page.locator("section", has=page.locator("h2", has_text="Collected by")).first
        chip = section.locator("a.chip").first
        company = section.locator("tr").first.locator("th").inner_text()
        chip.click()
        assert page.locator("h1").inner_text().startswith(company) and page.locator(".ev blockquote").count() >= 1
        assert "dc:" not in page.locator("main").inner_text()  # concepts by label, never by IRI

"""Tables (issue #13, item 5): found in HTML, Markdown and plain text, read row by row under their header.

Tables written for these tests: cookie tables, data-category tables, a purpose table; and tables of something else
(a price list, a table of contents, contact fields) and near misses that must give no fact. The first part needs no
spaCy model (ingest, segment, header recognition); the second extracts with the real pipeline.
"""
import doctest
import hashlib
from pathlib import Path

import pytest

from kg.extract import tables as tables_module
from kg.extract.tables import cell_spans, find_header
from kg.ingest import columns as columns_module
from kg.ingest import read_document
from kg.ingest.clean import blocks
from kg.ingest.html import extract_text
from kg.model import Document
from kg.normalize import normalize
from kg.segment import segment
from kg.vocab import DC, LB, ORG, PUR, RK
from tests.unit.test_ingest import assert_origin_valid, doc, texts


def test_doctests() -> None:
    for module in (tables_module, columns_module):
        assert doctest.testmod(module).failed == 0


# -- header rows -------------------------------------------------------------------------------------------------
def test_the_table_rules_are_consistent() -> None:
    from kg.extract import rules
    slots = {"name", "data", "category", "purpose", "description", "retention", "legal_basis", "recipient",
             "provider", "collected", "disclosed", "sold", "ignore"}
    found = rules.load("tables")
    assert len({r["id"] for r in found}) == len(found)
    labels = [label.lower() for r in found if r["kind"] == "column" for label in r["labels"]]
    assert len(labels) == len(set(labels)), "a label names one column"
    assert all(r["slot"] in slots for r in found if r["kind"] == "column")
    assert all(set(r["slots"]) <= slots for r in found if r["kind"] == "cell")
    # kg.ingest.columns reads the same labels (without spaCy), with how a one-space row splits under them
    assert set(columns_module.column_labels()) == {tuple(label.split()) for label in labels}


@pytest.mark.parametrize(("cells", "slots", "cookie"), [
    (["Cookie", "Provider", "Purpose", "Expiry"], ["name", "provider", "purpose", "retention"], True),
    (["Name", "Purpose", "Duration"], ["name", "purpose", "retention"], False),
    (["Type of data", "Purpose(s)", "Legal basis:", "Retention period"],
     ["data", "purpose", "legal_basis", "retention"], False),
    (["Categories of personal data", "Shared with"], ["data", "recipient"], False),
    (["Purpose of processing", "Legal basis"], ["purpose", "legal_basis"], False),
    (["Category", "Examples", "Collected", "Sold or shared"], ["category", "data", "collected", "sold"], False),
    (["Cookie", "Type"], ["name", "category"], True),  # a cookie's type is its category (read for purposes)
    # one unknown column beside three known ones is read for nothing
    (["Cookie", "Purpose", "Expiry", "Notes and more"], ["name", "purpose", "retention", None], True),
])
def test_header_rows_name_their_columns(cells, slots, cookie) -> None:
    header = find_header(cells)
    assert header is not None
    assert [c.slot if c else None for c in header.columns] == list(slots)
    assert header.cookie is cookie


@pytest.mark.parametrize("cells", [
    ["Plan", "Price", "Duration"],  # a price list: one known label
    ["Name", "Price", "Duration"],  # two known, one unknown: too few to allow it
    ["Section", "Page"],  # a table of contents
    ["Purpose", "To answer your questions"],  # a field and its value
    ["Name", "Type"],  # nothing said about what the rows are (no purpose, duration, basis, recipient)
    ["Duration", "Expiry"],  # nothing the rows are about
    ["Cookie"],  # one cell
    ["Cookie", "Purpose", "Expiry", "Price", "Colour"],  # two unknown columns
])
def test_other_rows_are_no_header(cells) -> None:
    assert find_header(cells) is None


def test_a_name_column_in_a_cookie_section_makes_a_cookie_table() -> None:
    assert find_header(["Name", "Provider", "Purpose"], ("Privacy Policy", "Cookies we use")).cookie
    assert not find_header(["Name", "Provider", "Purpose"], ("Privacy Policy", "Our partners")).cookie
    assert not find_header(["Name", "Provider", "Purpose"], ("Privacy and Cookie Policy", "Our partners")).cookie


def test_cell_spans_keep_empty_cells() -> None:
    text = "| b |  | d"
    assert [text[a:b] for a, b in cell_spans(text)] == ["", "b", "", "d"]


# -- tables as rows: HTML, Markdown, plain text ------------------------------------------------------------------
def html_blocks(markup: str) -> list[tuple[str, str]]:
    text, _ = extract_text(markup)
    return texts(doc(text, "text/html"))


def test_html_empty_cells_keep_their_place() -> None:
    markup = ("<table><tr><th>Cookie</th><th>Provider</th><th>Expiry</th></tr>"
              "<tr><td>a</td><td></td><td>1 day</td></tr>"  # empty in the middle
              "<tr><td> </td><td>Google</td><td>2 years</td></tr>"  # blank first cell
              "<tr><td>c</td><td>Acme</td><td></td></tr>"  # empty last cell
              "<tr><td>d<td><td>3 days</table><p>After.</p>")  # end tags left out
    assert html_blocks(markup) == [
        ("row", "Cookie | Provider | Expiry"), ("row", "a | | 1 day"), ("row", "| Google | 2 years"),
        ("row", "c | Acme |"), ("row", "d | | 3 days"), ("paragraph", "After.")]
    for text in ("a | | 1 day", "| Google | 2 years", "c | Acme |"):
        assert len(cell_spans(text)) == 3


def test_html_line_break_in_a_cell_keeps_the_row_whole() -> None:
    assert html_blocks("<table><tr><td>_ga</td><td>analytics<br>and reports</td></tr></table>") == [
        ("row", "_ga | analytics and reports")]
    assert html_blocks("<p>one<br>two</p>") == [("paragraph", "one"), ("paragraph", "two")]


def plain_blocks(text: str) -> list[tuple[str, str]]:
    document = doc(text)
    for block in blocks(document):
        assert_origin_valid(document, block)
    return texts(document)


@pytest.mark.parametrize(("text", "expected"), [
    # tab-separated (a table copied from a page): a row that lost its empty last cells gets them back
    ("Cookie\tProvider\tPurpose\tExpiry\n_ga\tGoogle\tanalytics\t2 years\n_gid\t\tanalytics\n",
     [("row", "Cookie | Provider | Purpose | Expiry"), ("row", "_ga | Google | analytics | 2 years"),
      ("row", "_gid | | analytics |")]),
    # aligned columns: an empty column is read from where the cells start; right-aligned numbers by their end
    ("Name        Purpose          Expiry\n"
     "_ga         analytics        2 years\n"
     "_fbp                         3 months\n"
     "lang        preferences\n",
     [("row", "Name | Purpose | Expiry"), ("row", "_ga | analytics | 2 years"), ("row", "_fbp | | 3 months"),
      ("row", "lang | preferences |")]),
    ("Item      Days\nlogs        30\nbackups    365\n",
     [("row", "Item | Days"), ("row", "logs | 30"), ("row", "backups | 365")]),
    # one space apart under a header of known labels, split by type; prose after it ends the table
    ("Cookie Name Duration Purpose\n_ga 2 Years Tracks visits to the site\nNID 6 months advertising\n"
     "We use these cookies on every page.\n",
     [("row", "Cookie Name | Duration | Purpose"), ("row", "_ga | 2 Years | Tracks visits to the site"),
      ("row", "NID | 6 months | advertising"), ("paragraph", "We use these cookies on every page.")]),
    ("Name Purpose Expiry\n_ga analytics 2 years\n",
     [("row", "Name | Purpose | Expiry"), ("row", "_ga | analytics | 2 years")]),
])
def test_plain_text_tables_are_rows(text, expected) -> None:
    assert plain_blocks(text) == expected


@pytest.mark.parametrize("text", [
    # two sentences a double space apart on consecutive lines
    "We collect your name.  We use it to reply.\nWe share nothing.    We never sell data.\n",
    # fields, not a table
    "Email:\tprivacy@acme.example\nPhone:\t+1 555 0100\n",
    # list items whose marker is followed by two spaces
    "a)  Contact details\nb)  Payment details\n",
    # a header line alone
    "Cookie    Purpose    Expiry\n\nWe use cookies.\n",
    # one space apart: no duration column to anchor the split, or a row that does not fit the types
    "Name Provider Purpose\n_ga Google analytics\n",
    "Cookie Name Duration Purpose\nWe keep them for a while.\n",
    "Cookie Duration\n_ga 2 years\n",  # two columns are too few to split by type
])
def test_plain_text_that_is_no_table(text) -> None:
    assert all(kind != "row" for kind, _ in plain_blocks(text))


def test_a_plain_text_row_is_one_sentence_whose_evidence_is_the_line() -> None:
    text = "Cookie\tPurpose\tExpiry\n_ga\tanalytics. Reports.\t2 years\n"
    seg = segment(doc(text))
    assert [(s.block_kind, s.text) for s in seg.sentences] == [
        ("row", "Cookie | Purpose | Expiry"), ("row", "_ga | analytics. Reports. | 2 years")]
    row = seg.sentences[1]
    assert text[row.start:row.end] == "_ga\tanalytics. Reports.\t2 years"
    assert row.doc_span(0, 3) == (text.index("_ga"), text.index("_ga") + 3)


def test_a_markdown_table_in_plain_text_keeps_its_bars() -> None:
    assert plain_blocks("| Cookie | Expiry |\n|---|---|\n| _ga | 2 years |\n") == [
        ("row", "Cookie | Expiry"), ("row", "_ga | 2 years")]


def test_plain_tables_cost_linear_time() -> None:
    import time
    lines = "\n".join(f"c{i}\tanalytics {i}\t{i % 9 + 1} days" for i in range(3000))
    start = time.perf_counter()
    rows = plain_blocks("Cookie\tPurpose\tExpiry\n" + lines + "\n" + " " * 50000 + "x  y\n")
    assert len([r for r in rows if r[0] == "row"]) == 3001
    assert time.perf_counter() - start < 10


# -- extraction --------------------------------------------------------------------------------------------------
def facts(extractor, text: str, media_type: str = "text/plain"):
    if media_type == "text/html":
        text, _ = extract_text(text)
    raw = text.encode()
    document = Document("t", "t", media_type, text, hashlib.sha256(raw).hexdigest(), "utf-8")
    return normalize(extractor.extract(segment(document)).statements)


def rows_of(found, start: str):
    return [p for p in found if p.evidence.text.startswith(start)]


COOKIES_HTML = """<h1>Acme Widgets Privacy Policy</h1>
<p>Acme Widgets Ltd. ("Acme", "we") runs acme.example.</p>
<h2>Cookies</h2>
<table>
<tr><th>Cookie</th><th>Provider</th><th>Purpose</th><th>Expiry</th></tr>
<tr><td>_ga</td><td>Google Analytics</td><td>analytics</td><td>2 years</td></tr>
<tr><td>acme_session</td><td>Acme Widgets</td><td>Strictly necessary</td><td>24 hours</td></tr>
<tr><td>qm_id</td><td>Quillmetrics Ltd.</td><td>Performance</td><td>1 year</td></tr>
<tr><td>lang</td><td>First party</td><td>remembers your settings</td><td></td></tr>
</table>"""


@pytest.mark.slow
def test_cookie_row_gives_a_third_party_collection_and_its_retention(extractor):
    found = facts(extractor, COOKIES_HTML, "text/html")
    assert not rows_of(found, "Cookie | Provider")  # the header row states nothing
    collect, retain = sorted(rows_of(found, "_ga"), key=lambda p: p.kind)
    assert collect.kind == "collect" and collect.third_party_collects and not collect.negated
    assert collect.data == (str(DC.Cookie),) and collect.purposes == (str(PUR.Analytics),)
    assert [(r.org, r.kind) for r in collect.recipients] == [(str(ORG.GoogleAnalytics), str(RK.AnalyticsProvider))]
    assert (collect.evidence.rule, collect.evidence.matched) == ("table.provider.v1", "Google Analytics")
    assert retain.kind == "retain" and retain.data == (str(DC.Cookie),)
    assert [(r.iso, r.bound) for r in retain.retention] == [("P2Y", "exact")]
    assert (retain.evidence.rule, retain.evidence.matched) == ("table.expiry.v1", "2 years")
    assert retain.evidence.text == "_ga | Google Analytics | analytics | 2 years"


@pytest.mark.slow
def test_cookie_rows_of_the_publisher_and_of_unknown_providers(extractor):
    found = facts(extractor, COOKIES_HTML, "text/html")
    own = [p for p in rows_of(found, "acme_session") if p.kind == "collect"]
    assert [(p.third_party_collects, p.recipients, p.purposes, p.evidence.rule) for p in own] == [
        (False, (), (str(PUR.ServiceOperation),), "table.cookie.v1")]  # the publisher's own name: first party
    # a provider the vocabulary does not know, named as written; "Performance": analytics (a cookie category)
    [other] = [p for p in rows_of(found, "qm_id") if p.kind == "collect"]
    assert other.third_party_collects and [(r.name, r.kind) for r in other.recipients] == [
        ("Quillmetrics Ltd.", str(RK.ThirdParty))]
    assert other.purposes == (str(PUR.Analytics),)
    # "First party": the company's own; no expiry, no retention
    assert [(p.kind, p.data, p.third_party_collects) for p in rows_of(found, "lang")] == [
        ("collect", (str(DC.Cookie),), False)]


@pytest.mark.slow
def test_a_tracker_row_collects_the_tracker_it_names(extractor):
    text = "Tracker\tType\tPurpose\nfb_px\tPixel\tadvertising\nprefs\tLocal storage\tremembers your settings\n"
    found = [p for p in facts(extractor, text) if p.kind == "collect"]
    assert [(p.evidence.matched, p.data) for p in found] == [
        ("fb_px", (str(DC.WebBeacon),)), ("prefs", (str(DC.LocalStorage),))]
    assert found[0].purposes == (str(PUR.Advertising),)


DATA_MARKDOWN = """# Privacy notice

## What we keep

| Type of data | Purpose | Legal basis | Retention period | Shared with |
|---|---|---|---|---|
| Contact details (name, e-mail address) | to answer your questions | consent | 2 years | None |
| Payment information | to process payments | Art. 6(1)(b) GDPR | 7 years | Payment processors |
| Order history | | contract | until you close your account | - |
"""


@pytest.mark.slow
def test_data_category_row_gives_collection_basis_retention_and_sharing(extractor):
    found = facts(extractor, DATA_MARKDOWN, "text/markdown")
    contact = {p.kind: p for p in rows_of(found, "Contact details")}
    assert set(contact) == {"collect", "retain", "legal_basis", "share"}
    assert {str(DC.ContactInformation), str(DC.Name), str(DC.EmailAddress)} == set(contact["collect"].data)
    assert contact["collect"].purposes == (str(PUR.CustomerSupport),)
    assert contact["collect"].evidence.rule == "table.data.v1"
    assert [r.iso for r in contact["retain"].retention] == ["P2Y"]
    assert contact["retain"].data == contact["collect"].data
    assert contact["legal_basis"].values == (str(LB.Consent),)
    assert contact["share"].negated and contact["share"].evidence.matched == "None"  # "Shared with: None"
    payment = {p.kind: p for p in rows_of(found, "Payment information")}
    assert payment["legal_basis"].values == (str(LB.Contract),)  # "Art. 6(1)(b) GDPR"
    assert [r.kind for r in payment["share"].recipients] == [str(RK.PaymentProcessor)]
    assert not payment["share"].negated
    orders = {p.kind: p for p in rows_of(found, "Order history")}
    assert set(orders) == {"collect", "retain", "legal_basis"}  # "-": nothing said about sharing
    assert [(r.kind, r.trigger) for r in orders["retain"].retention] == [("until_event", "AccountClosure")]


CCPA_MARKDOWN = """## Categories of personal information

| Category | Examples | Collected | Disclosed for a business purpose | Sold or shared |
|---|---|---|---|---|
| Identifiers | name, e-mail address | Yes | Yes | No |
| Geolocation data | precise location | No | No | No |
| Internet activity | browsing history | Yes | No | Yes |
"""


@pytest.mark.slow
def test_yes_no_columns_state_and_deny_collection_disclosure_and_sale(extractor):
    found = facts(extractor, CCPA_MARKDOWN, "text/markdown")
    by_row = {row: {(p.kind, p.negated) for p in rows_of(found, row)}
              for row in ("Identifiers", "Geolocation data", "Internet activity")}
    assert by_row["Identifiers"] == {("collect", False), ("share", False), ("sell", True)}
    assert by_row["Geolocation data"] == {("collect", True), ("share", True), ("sell", True)}  # "No" denies
    assert by_row["Internet activity"] == {("collect", False), ("share", True), ("sell", False)}
    [sale] = [p for p in rows_of(found, "Internet activity") if p.kind == "sell"]
    assert str(DC.BrowsingHistory) in sale.data and sale.evidence.rule == "table.sold.v1"
    assert [r.kind for r in sale.recipients] == [str(RK.ThirdParty)]


@pytest.mark.slow
def test_purpose_table_states_a_use_and_its_legal_basis(extractor):
    text = ("Purpose of processing\tLegal basis\tRetention\n"
            "To send you marketing communications\tconsent\t3 years\n")
    found = facts(extractor, text)
    kinds = {p.kind: p for p in found}
    assert set(kinds) == {"use", "legal_basis", "retain"}
    assert str(PUR.DirectMarketing) in kinds["use"].purposes
    assert kinds["legal_basis"].values == (str(LB.Consent),)
    assert [r.iso for r in kinds["retain"].retention] == ["P3Y"]


DECLARATION_HTML = """<h1>Northwind Travel privacy notice</h1>
<p>Northwind Travel GmbH ("we") operates northwind.example.</p>
<h2>Statistics</h2>
<table>
<thead><tr><th>Name</th><th>Provider</th><th>Purpose</th><th>Maximum Storage Duration</th><th>Type</th></tr></thead>
<tbody>
<tr><td>_ga</td><td>google.com</td><td>Registers an ID used to generate statistical data</td><td>2 years</td>
<td>HTTP Cookie</td></tr>
<tr><td>collect</td><td>google-analytics.com</td><td>Sends data about your device</td><td>Session</td>
<td>Pixel Tracker</td></tr>
<tr><td>nw_consent</td><td>northwind.example</td><td>Stores your consent state</td><td>1 year</td>
<td>HTTP Cookie</td></tr>
</tbody></table>"""


@pytest.mark.slow
def test_a_cookie_declaration_with_domains_and_types(extractor):
    found = facts(extractor, DECLARATION_HTML, "text/html")
    collected = [(p.evidence.matched, p.data, [r.org for r in p.recipients], p.third_party_collects)
                 for p in found if p.kind == "collect"]
    assert collected == [
        ("google.com", (str(DC.Cookie),), [str(ORG.Google)], True),  # a provider's domain names it
        ("google-analytics.com", (str(DC.WebBeacon),), [str(ORG.GoogleAnalytics)], True),  # "Pixel Tracker"
        ("nw_consent", (str(DC.Cookie),), [], False)]  # the publisher's own domain: first party
    assert [p.purposes for p in found if p.kind == "collect"][0] == (str(PUR.Analytics),)  # "statistical"
    # "Session" is no length: no retention statement for that row
    assert [p.evidence.matched for p in found if p.kind == "retain"] == ["2 years", "1 year"]


@pytest.mark.slow
def test_a_table_of_service_providers_states_disclosures(extractor):
    text = ("Acme Widgets Ltd. (\"we\") runs acme.example.\n\n"
            "Service provider\tPurpose\nStripe\tto process payments\nQuillmetrics Ltd.\tanalytics\n"
            "Us\tto answer your questions\nAcme Widgets\tsupport\n")
    found = [p for p in facts(extractor, text) if p.evidence.rule.startswith("table.")]
    assert [(p.kind, [r.name for r in p.recipients], p.purposes) for p in found] == [
        ("share", ["Stripe"], (str(PUR.Payment),)), ("share", ["Quillmetrics Ltd."], (str(PUR.Analytics),))]
    assert all(p.evidence.rule == "table.provider.v1" and not p.third_party_collects for p in found)


@pytest.mark.slow
def test_plain_text_cookie_table_one_space_apart(extractor):
    text = ("Cookies\n\nCookie Name Duration Purpose\n_ga 2 Years Tracking how visitors use the website\n"
            "_gid 1 day Tracking how visitors use the website\n")
    found = facts(extractor, text)
    retained = [(p.evidence.matched, [r.iso for r in p.retention]) for p in found if p.kind == "retain"]
    assert retained == [("2 Years", ["P2Y"]), ("1 day", ["P1D"])]
    assert all(p.data == (str(DC.Cookie),) for p in found if p.kind == "collect")


@pytest.mark.slow
@pytest.mark.parametrize("text", [
    # a price list, a table of contents, fields: rows, but no header
    "Plan\tPrice\tDuration\nBasic\t$5\t1 month\nPro\t$20\t12 months\n",
    "Section\tPage\n1. What we collect\t2\n2. How long we keep it\t3\n",
    "<table><tr><td>Name</td><td>Price</td><td>Duration</td></tr><tr><td>Basic</td><td>$5</td><td>1 year</td></tr>"
    "</table>",
])
def test_tables_of_something_else_give_no_fact(extractor, text):
    found = facts(extractor, text, "text/html" if text.startswith("<") else "text/plain")
    assert found == ()


@pytest.mark.slow
def test_near_misses_are_read_as_sentences(extractor):
    # a row without a header is read as a sentence, as before
    found = facts(extractor, "| We share your e-mail address with advertisers. |\n", "text/markdown")
    assert [(p.kind, p.evidence.rule) for p in found] == [("share", "share.verb.v1")]
    # a row with another number of cells than its header, and a row after prose (the table ended)
    text = ("| Cookie | Expiry |\n|---|---|\n| _ga | Google | 2 years |\n\nSome prose between.\n\n"
            "| _gid | 1 day |\n")
    found = facts(extractor, text, "text/markdown")
    assert not [p for p in found if p.evidence.rule.startswith("table.")]


@pytest.mark.slow
def test_example_build_reads_the_calsoft_cookie_table(example_graph):
    from kg.vocab import OA, PPKG
    rows = {str(example_graph.value(ev, OA.exact)) for ev, rule in example_graph.subject_objects(PPKG.rule)
            if str(rule) == "table.retention.v1"}
    assert rows == {f"{name} 2 Years Tracking user access data of calsoft.com website"
                    for name in ("_gat_UA-44883700-1", "_gat_UA-83524701-1", "_gid", "_ga")}


def test_read_document_keeps_the_html_cookie_table(tmp_path: Path) -> None:
    path = tmp_path / "p.html"
    path.write_text(COOKIES_HTML, encoding="utf-8")
    seg = segment(read_document(path))
    assert [s.text for s in seg.sentences if s.block_kind == "row"][-1] == \
        "lang | First party | remembers your settings |"

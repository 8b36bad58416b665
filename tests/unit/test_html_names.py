"""The names an HTML page gives itself (kg.ingest.html.extract_page), kept in Document for the controller cues."""
from pathlib import Path

from kg.ingest import read_document
from kg.ingest.html import extract_page, extract_text


def test_title_and_site_name_are_kept_but_not_in_the_text():
    page = extract_page('<html><head><title>\n  Privacy Policy |\n Quillfeather </title>'
                        '<meta property="og:site_name" content=" Quillfeather  Books "></head>'
                        "<body><p>We collect your e-mail address.</p></body></html>")
    assert (page.title, page.site_name) == ("Privacy Policy | Quillfeather", "Quillfeather Books")
    assert page.text == "We collect your e-mail address."
    assert extract_text("<title>T</title><p>Body.</p>") == ("Body.", [])


def test_only_the_pages_own_title_counts():
    page = extract_page("<html><head><svg><title>icon</title></svg><title>Tarnby Privacy</title></head>"
                        "<body><p>Text.</p><title>second</title></body></html>")
    assert page.title == "Tarnby Privacy"


def test_application_name_and_no_names():
    assert extract_page('<meta name="application-name" content="Orvo"><p>x</p>').site_name == "Orvo"
    page = extract_page("<p>No head at all.</p>")
    assert (page.title, page.site_name) == (None, None)


def test_read_document_carries_them(tmp_path: Path):
    path = tmp_path / "p.html"
    path.write_text("<html><head><title>Privacy | Brellin</title></head><body><p>We collect e-mail addresses "
                    "when you subscribe to the newsletter.</p></body></html>")
    document = read_document(path)
    assert (document.title, document.site_name) == ("Privacy | Brellin", None)
    assert read_document(Path(__file__)).title is None  # not HTML

"""kg.ingest: discovering inputs, reading bytes into Documents, the HTML text layer and block cleaning."""
from __future__ import annotations

import codecs
import doctest
import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import EmptyDocument, NotEnglish, UnreadableInput
from kg.ingest import MAX_BYTES, blocks, clean, decode, discover, html, read_document
from kg.ingest.html import extract_text
from kg.model import Block, Document

DATA = Path(__file__).parent / "data" / "ingest"
EXAMPLES = Path(__file__).parents[2] / "examples" / "policies"
ENGLISH = (
    "We collect your name and e-mail address when you create an account. We use this information to provide "
    "the service, to answer your questions and to send you notices about changes to this policy. We do not "
    "sell your personal information to anyone, and we keep it only for as long as your account is open or "
    "as the law requires us to keep it."
)
GERMAN = (
    "Wir nehmen den Schutz Ihrer persönlichen Daten sehr ernst. Wir behandeln Ihre personenbezogenen Daten "
    "vertraulich und entsprechend der gesetzlichen Datenschutzvorschriften sowie dieser Datenschutzerklärung. "
    "Die Nutzung unserer Webseite ist in der Regel ohne Angabe personenbezogener Daten möglich. Soweit auf "
    "unseren Seiten personenbezogene Daten wie beispielsweise Name, Anschrift oder E-Mail-Adressen erhoben "
    "werden, erfolgt dies, soweit möglich, stets auf freiwilliger Basis. Diese Daten werden ohne Ihre "
    "ausdrückliche Zustimmung nicht an Dritte weitergegeben. Wir weisen darauf hin, dass die Datenübertragung "
    "im Internet Sicherheitslücken aufweisen kann."
)
FRENCH = (
    "Nous accordons une grande importance à la protection de vos données personnelles. Cette politique de "
    "confidentialité décrit comment nous collectons, utilisons et partageons vos informations lorsque vous "
    "utilisez notre site web et nos services. Nous pouvons collecter votre nom, votre adresse électronique, "
    "votre numéro de téléphone et des informations sur votre appareil. Ces données sont utilisées pour fournir "
    "nos services, améliorer notre site et vous envoyer des communications. Vous avez le droit d'accéder à vos "
    "données, de les rectifier ou de demander leur suppression à tout moment."
)


def doc(text: str, media_type: str = "text/plain") -> Document:
    return Document(path="t", name="t", media_type=media_type, text=text, sha256="0" * 64, encoding="utf-8")


def texts(document: Document) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in blocks(document)]


def assert_origin_valid(document: Document, block: Block) -> None:
    """Each character maps to the document character it came from, unless cleaning produced it; offsets increase,
    except that characters cleaning produced may share one (" | " between the cells of a plain-text table row
    stands for a tab)."""
    assert len(block.origin) == len(block.text) + 1
    assert all(a < b or (a == b and produced(document, block.text, block.origin, i))
               for i, (a, b) in enumerate(zip(block.origin, block.origin[1:])))
    for char, offset in zip(block.text, block.origin):
        assert document.text[offset] == char or char in " @.|", (block.text, char, offset)


def produced(document: Document, text: str, origin: tuple[int, ...], i: int) -> bool:
    """Whether character i or i + 1 of a block's text is one cleaning produced (it is not the document's)."""
    return any(j < len(text) and document.text[origin[j]] != text[j] for j in (i, i + 1))


# -- discover --------------------------------------------------------------------------------------------------

def test_discover_expands_folders_recursively_sorted(tmp_path: Path) -> None:
    for name in ["b.txt", "a.HTML", "sub/c.md", "sub/deep/d.markdown", "e.pdf", ".hidden.txt", ".git/f.txt",
                 "g.htm", "h.text"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(ENGLISH)
    files, errors = discover([tmp_path])
    assert errors == []
    assert [f.relative_to(tmp_path).as_posix() for f in files] == [
        "a.HTML", "b.txt", "g.htm", "h.text", "sub/c.md", "sub/deep/d.markdown",
    ]


def test_discover_reports_missing_and_empty_inputs_and_goes_on(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "p.txt").write_text(ENGLISH)
    files, errors = discover([tmp_path / "missing.txt", tmp_path / "empty", str(tmp_path / "p.txt"),
                              tmp_path / "notes.pdf", tmp_path / "p.txt"])
    assert files == [tmp_path / "p.txt", tmp_path / "notes.pdf"]  # explicit files kept whatever the extension
    assert [type(e) for e in errors] == [UnreadableInput, UnreadableInput]
    assert errors[0].one_line() == f"{tmp_path / 'missing.txt'}: no such file or folder"
    assert "no policy files" in errors[1].message


# -- read_document ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.txt")))
def test_read_examples(name: str) -> None:
    path = EXAMPLES / name
    document = read_document(path)
    assert document.text == path.read_text(encoding="utf-8")
    assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (document.name, document.media_type, document.encoding) == (name, "text/plain", "utf-8")
    assert document.path == str(path)


def test_read_connact_warns_about_cloudflare_placeholder() -> None:
    warnings = read_document(EXAMPLES / "connact.txt").warnings
    assert any("[email protected]" in w for w in warnings)


def test_crlf_text_is_kept_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(("Privacy Policy\r\n\r\n" + ENGLISH.replace(". ", ".\r\n")).encode())
    document = read_document(path)
    assert "\r\n" in document.text
    found = blocks(document)
    assert found[0] == Block("heading", "Privacy Policy", tuple(range(15)), 1)
    assert all("\r" not in b.text and "\n" not in b.text for b in found)
    for block in found:
        assert_origin_valid(document, block)


def test_latin1_is_decoded_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(("Café Société respects your privacy. " + ENGLISH).encode("latin-1"))
    document = read_document(path)
    assert document.text.startswith("Café Société")
    assert document.encoding != "utf-8"
    assert document.warnings and "guess" in document.warnings[0]


@pytest.mark.parametrize(("bom", "codec", "encoding"), [
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    (codecs.BOM_UTF8, "utf-8", "utf-8"),
])
def test_byte_order_mark_decides_the_encoding(tmp_path: Path, bom: bytes, codec: str, encoding: str) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(bom + ENGLISH.encode(codec))
    document = read_document(path)
    assert (document.text, document.encoding) == (ENGLISH, encoding)


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file, not a text policy"),
    (bytes(range(1, 32)) * 20 + b"some text", "binary file, not a text policy"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF file, not a text policy"),
])
def test_binary_files_are_rejected(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "policy.txt"
    path.write_bytes(content)
    with pytest.raises(UnreadableInput) as info:
        read_document(path)
    assert info.value.one_line() == f"{path}: {message}"


@pytest.mark.parametrize(("content", "message"), [
    (b"", "file is empty"),
    (b" \n\t\r\n  ", "file holds only whitespace"),
])
def test_empty_files_are_rejected(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(EmptyDocument) as info:
        read_document(path)
    assert info.value.message == message


def test_html_without_visible_text_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.html"
    path.write_text("<html><head><script>var x = 1;</script></head><body><nav>Home</nav></body></html>")
    with pytest.raises(EmptyDocument, match="no visible text"):
        read_document(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput, match="no such file"):
        read_document(tmp_path / "nope.txt")
    with pytest.raises(UnreadableInput, match="is a folder"):
        read_document(tmp_path)


def test_huge_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"a " * (MAX_BYTES // 2 + 1))
    with pytest.raises(UnreadableInput, match="over 5 MB"):
        read_document(path)


@pytest.mark.parametrize("text", [GERMAN, FRENCH, "数据保护声明。我们非常重视您的个人数据保护。" * 30])
def test_not_english_is_rejected(tmp_path: Path, text: str) -> None:
    path = tmp_path / "policy.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NotEnglish) as info:
        read_document(path)
    assert info.value.hint


@pytest.mark.parametrize("text", [
    GERMAN[:200],  # too few words to judge
    ENGLISH + "\n" + "\n".join(f"_ga{i} | 2 Years | Google Analytics | calsoft.com" for i in range(40)),
])
def test_short_or_table_heavy_text_passes_language_check(text: str) -> None:
    decode.check_english(text, "t")


def test_html_is_sniffed_whatever_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "policy.txt"
    path.write_text("<!-- saved --><!DOCTYPE html><p>We collect data.</p>")
    document = read_document(path)
    assert (document.media_type, document.text) == ("text/html", "We collect data.")


def test_html_fixture_text_layer() -> None:
    document = read_document(DATA / "policy.html")
    assert document.media_type == "text/html"
    text = document.text
    for dropped in ["window.dataLayer", "font-family", "Log in", "Acme Widgets</", "Related posts",
                    "Accept all cookies", "©", "Back to top", "[email"]:
        assert dropped not in text
    assert "“Acme”" in text and "pages visited & clicks" in text
    assert "our DPO (dpo@acme.example)" in text  # a mailto link keeps its address
    assert "Write to info@example.com." in text  # Cloudflare's data-cfemail decoded
    assert "Text after the footer stays." in text
    assert "## 1. Who we are" in text and "- Usage data" in text and "  - Card number" in text
    assert "| _ga | 2 years" in text


def test_html_fixture_blocks() -> None:
    document = read_document(DATA / "policy.html")
    found = blocks(document)
    assert [(b.kind, b.level, b.text) for b in found if b.kind != "paragraph"] == [
        ("heading", 1, "Privacy Policy"),
        ("heading", 2, "1. Who we are"),
        ("heading", 2, "2. What we collect"),
        ("item", 1, "Contact data, such as your name and e-mail address;"),
        ("item", 1, "Usage data, e.g. pages visited & clicks;"),
        ("item", 1, "Payment data."),
        ("item", 2, "Card number (stored by our processor)"),
        ("heading", 3, "2.1 Cookies"),
        ("row", 0, "Cookie | Duration"),
        ("row", 0, "_ga | 2 years"),
    ]
    assert "Skip to content" not in [b.text for b in found]
    assert any(b.text.endswith("or at privacy@acme.example.") for b in found)  # de-obfuscated
    for block in found:
        assert_origin_valid(document, block)


@pytest.mark.parametrize("markup", [
    "<p>Unclosed <b>bold <div>div <p>para",
    "<<<>>> </p></div> & &nbsp; <p x='",
    "<p>before<script>alert(1)",
    "<table><tr><td>a<td>b</table><li>loose item",
    "<h2>Title<p>para",
    "</html><html><body></body></html>text",
])
def test_malformed_html_does_not_crash(markup: str) -> None:
    text, _ = extract_text(markup)
    assert "alert" not in text and "\n\n\n" not in text


def test_unclosed_nav_keeps_the_rest_of_the_page() -> None:
    text, warnings = extract_text("<nav><a>Home</a><p>We collect data.</p><p>We share it.</p>")
    assert "We share it." in text
    assert warnings == ["<nav> at line 1 is never closed; its text was kept"]


def test_cloudflare_decoding() -> None:
    assert html.decode_cloudflare("543d3a323b14312c35392438317a373b39") == "info@example.com"
    assert html.decode_cloudflare("zz") is None
    assert html.decode_cloudflare("54") is None


# -- blocks ----------------------------------------------------------------------------------------------------

def test_markdown_fixture_blocks() -> None:
    document = read_document(DATA / "policy.md")
    found = blocks(document)
    assert [(b.kind, b.level, b.text) for b in found] == [
        ("heading", 1, "Privacy Policy"),
        ("paragraph", 0, "We are Acme Widgets Ltd., and this policy explains how we handle personal data. "
                         "See our cookie page for details."),
        ("heading", 2, "1. Data we collect"),
        ("item", 1, "Contact data: your name and e-mail address;"),
        ("item", 1, "Usage data, e.g. pages visited;"),
        ("item", 1, "Device data."),
        ("heading", 2, "Data we share"),
        ("row", 0, "Recipient | Purpose"),
        ("row", 0, "Stripe | Payments"),
        ("paragraph", 0, "Contact our DPO at dpo@acme.example or write to us privacy@acme.example."),
    ]
    for block in found:
        assert_origin_valid(document, block)


@pytest.mark.parametrize(("text", "expected"), [
    # hard wraps joined, the paragraph's end kept
    ("This policy explains how we collect\nyour data and why.\n\nWe never sell it.",
     [("paragraph", "This policy explains how we collect your data and why."),
      ("paragraph", "We never sell it.")]),
    # list markers stripped; a line ending with ":" introduces the list
    ("We collect the following:\n1. Your name;\n2) your e-mail;\n(iii) your IP address;\n• cookies\n- logs",
     [("paragraph", "We collect the following:"), ("item", "Your name;"), ("item", "your e-mail;"),
      ("item", "your IP address;"), ("item", "cookies"), ("item", "logs")]),
    # numbered, ALL CAPS and Title Case headings; a field line is not a heading
    ("1. Who We Are\n\nAcme Ltd. is the controller of the personal data described in this policy.\n\n"
     "2.3 Sharing\nWe share data with the payment processors that handle your card payments for us.\n\n"
     "CONTACT US\nWrite to us at any time and we will answer within thirty days of your request.\n\n"
     "Email: privacy@acme.example",
     [("heading", "1. Who We Are"),
      ("paragraph", "Acme Ltd. is the controller of the personal data described in this policy."),
      ("heading", "2.3 Sharing"),
      ("paragraph", "We share data with the payment processors that handle your card payments for us."),
      ("heading", "CONTACT US"),
      ("paragraph", "Write to us at any time and we will answer within thirty days of your request."),
      ("paragraph", "Email: privacy@acme.example")]),
    # debris dropped, copyright kept
    ("Skip to content\nHome > Legal > Privacy\n| • |\nPrivacy Policy\n\nWe respect your privacy.\n\n"
     "Back to top\n© 2024 Acme Widgets Ltd.",
     [("heading", "Privacy Policy"), ("paragraph", "We respect your privacy."),
      ("paragraph", "© 2024 Acme Widgets Ltd.")]),
    # whitespace collapsed, e-mails de-obfuscated
    ("Write\u00a0to   billing[@]acme.example or dpo (at) acme (dot) example.",
     [("paragraph", "Write to billing@acme.example or dpo@acme.example.")]),
])
def test_plain_text_blocks(text: str, expected: list[tuple[str, str]]) -> None:
    document = doc(text)
    assert texts(document) == expected
    for block in blocks(document):
        assert_origin_valid(document, block)


def test_heading_levels_from_numbering() -> None:
    text = ("2. Sharing\n\nWe share some of your data with the service providers listed in this section.\n\n"
            "2.3.1 Processors\n\nOur processors act only on our documented instructions and under contract.")
    assert [(b.kind, b.level) for b in blocks(doc(text))] == [
        ("heading", 1), ("paragraph", 0), ("heading", 3), ("paragraph", 0)]


def test_short_numbered_list_is_not_headings() -> None:
    text = "We collect:\n\n1. Name\n2. Email\n3. Phone\n\nWe keep them for a year after you close your account."
    assert [b.kind for b in blocks(doc(text))] == ["paragraph", "item", "item", "item", "paragraph"]


def test_item_levels_from_indentation() -> None:
    text = "We share data:\n  1. with processors;\n    a) hosting;\n    b) payments;\n  2. with courts."
    assert [(b.kind, b.level) for b in blocks(doc(text))] == [
        ("paragraph", 0), ("item", 1), ("item", 2), ("item", 2), ("item", 1)]


def test_hyphen_at_a_wrap_is_kept_without_a_space() -> None:
    text = ("We will send notices to the e-\nmail address you gave us, and to the postal address on file "
            "with\nour billing team, whenever this policy changes in a way that matters to you.")
    assert blocks(doc(text))[0].text.startswith("We will send notices to the e-mail address")


def test_block_span_maps_back() -> None:
    document = doc("Contact  us at\n billing [at] acme [dot] example")
    [block] = blocks(document)
    assert block.text == "Contact us at billing@acme.example"
    start = block.text.index("billing")
    begin, end = block.span(start, len(block.text))
    assert document.text[begin:end] == "billing [at] acme [dot] example"


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.txt")))
def test_example_blocks_map_back(name: str) -> None:
    document = read_document(EXAMPLES / name)
    found = blocks(document)
    assert found and all(b.text and "\n" not in b.text for b in found)
    for block in found:
        assert_origin_valid(document, block)
    kinds = {b.kind for b in found}
    assert "heading" in kinds and "paragraph" in kinds


def test_softsys_debris_and_obfuscated_email() -> None:
    found = texts(read_document(EXAMPLES / "softsys-hosting.txt"))
    all_text = " ".join(t for _, t in found)
    for debris in ["Skip", "Support Portal", "Print", "Share via", "Thank you for your feedback",
                   "Related Articles", "There was a problem"]:
        assert debris not in all_text
    assert "by emailing billing@softsyshosting.com or" in all_text
    assert found[-1] == ("paragraph", "© Softsys Hosting")


def test_connact_hard_wraps_are_joined() -> None:
    found = texts(read_document(EXAMPLES / "connact.txt"))
    assert found[0] == ("heading", "PRIVACY POLICY")
    assert found[1][1].startswith("We respect your privacy and are committed to protecting it through our "
                                  "compliance with this privacy policy")
    assert ("heading", "CONTACTING US") in found
    assert ("paragraph", "[email protected]") in found


def test_doctests() -> None:
    for module in (clean, decode, html):
        assert doctest.testmod(module).failed == 0


_MARKUP = st.sampled_from([
    "<p>", "</p>", "<nav>", "</nav>", "<script>", "</script>", "<li>", "</li>", "<ul>", "</ul>", "<h2>", "</h2>",
    "<td>", "<tr>", "</table>", "<br>", "<a href='mailto:x@y.org'>", "</a>", "<b", ">", "&amp;", "&#160;", "&bogus;",
    "<!--", "-->", "<![CDATA[", "]]>", "We collect data.", " ", "\n", "<span data-cfemail='zz'>", "</span>",
])


@settings(deadline=None, max_examples=150)
@given(st.lists(_MARKUP, max_size=40))
def test_any_markup_yields_a_text_layer(pieces: list[str]) -> None:
    text, warnings = extract_text("".join(pieces))
    assert "\n\n\n" not in text and text == text.strip("\n")
    assert all(w.endswith("its text was kept") for w in warnings)


@pytest.mark.parametrize(("text", "expected"), [
    # a page that lost its line breaks: the ALL CAPS heading glued to its first sentence is a heading again
    ("CHANGES TO THIS NOTICE When we change this notice we tell you by e-mail.",
     [("heading", "CHANGES TO THIS NOTICE"), ("paragraph", "When we change this notice we tell you by e-mail.")]),
    # ... but capitals that end a sentence, a lone acronym, or a name are not a heading
    ("WE NEVER SELL YOUR DATA. We keep it safe.", [("paragraph", "WE NEVER SELL YOUR DATA. We keep it safe.")]),
    ("GDPR Article 6 is the basis of our processing of your data.",
     [("paragraph", "GDPR Article 6 is the basis of our processing of your data.")]),
    # inline bullets after a lead-in are list items; a lone star elsewhere is text
    ("We use your data to: * improve the service * send you our newsletter • answer questions",
     [("paragraph", "We use your data to:"), ("item", "improve the service"), ("item", "send you our newsletter"),
      ("item", "answer questions")]),
    ("Ratings go from 1 * to 5 stars and are shown publicly.",
     [("paragraph", "Ratings go from 1 * to 5 stars and are shown publicly.")]),
    # Markdown and HTML tables: one row block per row, cells separated by " | "
    ("| Cookie | Purpose | Duration |\n|---|---|---|\n| _ga | analytics | 2 years |",
     [("row", "Cookie | Purpose | Duration"), ("row", "_ga | analytics | 2 years")]),
])
def test_structure_a_page_lost(text: str, expected: list[tuple[str, str]]) -> None:
    document = doc(text)
    assert texts(document) == expected
    for block in blocks(document):
        assert_origin_valid(document, block)


@pytest.mark.parametrize(("text", "expected"), [
    ("Location Information: We may infer your location from your IP address.",
     [("heading", "Location Information"), ("paragraph", "We may infer your location from your IP address.")]),
    # near misses: a field with a value, and a colon that introduces a list
    ("Email: privacy@acme.example", [("paragraph", "Email: privacy@acme.example")]),
    ("We collect: your name and e-mail address.", [("paragraph", "We collect: your name and e-mail address.")]),
])
def test_a_label_opening_a_paragraph_heads_it(text: str, expected: list[tuple[str, str]]) -> None:
    document = doc(text)
    assert texts(document) == expected
    for block in blocks(document):
        assert_origin_valid(document, block)

"""kg.segment: sentences, heading paths and the offsets that tie every sentence back to Document.text."""
from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import segment as segment_module
from kg.ingest import read_document
from kg.model import Document, Segmented, Sentence
from kg.segment import MAX_WORDS, is_title, segment, split_sentences
from tests.unit.test_ingest import produced  # the offset invariant's one exception: characters cleaning produced

EXAMPLES = Path(__file__).parents[2] / "examples" / "policies"
DATA = Path(__file__).parent / "data" / "ingest"
INPUTS = sorted(EXAMPLES.glob("*.txt")) + [DATA / "policy.html", DATA / "policy.md"]


def doc(text: str, media_type: str = "text/plain") -> Document:
    return Document(path="t", name="t", media_type=media_type, text=text, sha256="0" * 64, encoding="utf-8")


def split(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def assert_maps_back(document: Document, sentence: Sentence, words: bool = True) -> None:
    """The offset invariant: characters map to themselves unless cleaning produced them; words stay in order
    (unless asked not to check: removing Markdown syntax can join "a[b](c)" into one word "ab")."""
    text = sentence.text
    assert text and "\n" not in text and text == text.strip()
    assert len(sentence.origin) == len(text) + 1
    assert (sentence.start, sentence.end) == (sentence.origin[0], sentence.origin[-1])
    assert all(a < b or (a == b and produced(document, text, sentence.origin, i))
               for i, (a, b) in enumerate(zip(sentence.origin, sentence.origin[1:])))
    for i, char in enumerate(text):
        assert document.text[sentence.origin[i]] == char or char in " @.|", (text, i)
    evidence, pos = document.text[sentence.start:sentence.end], 0
    for word in re.findall(r"\w+", text) if words else []:
        pos = evidence.index(word, pos) + len(word)
    assert sentence.doc_span(0, len(text)) == (sentence.start, sentence.end)


@pytest.mark.parametrize(("text", "expected"), [
    ("We collect data. We share it.", ["We collect data.", "We share it."]),
    ("Do we sell data? No! We never do.", ["Do we sell data?", "No!", "We never do."]),
    ("We use tools, e.g. Google Analytics, i.e. a service. Next.",
     ["We use tools, e.g. Google Analytics, i.e. a service.", "Next."]),
    ("Pro Softnet Corp. has certified it. JAMS reviews complaints.",
     ["Pro Softnet Corp. has certified it.", "JAMS reviews complaints."]),
    ("We are Acme Inc. We collect data.", ["We are Acme Inc.", "We collect data."]),
    ("Acme Inc. Europe is our branch.", ["Acme Inc. Europe is our branch."]),
    ("Data goes to the U.S. and the EU. We protect it.", ["Data goes to the U.S. and the EU.", "We protect it."]),
    ("Data goes to the U.S. We protect it.", ["Data goes to the U.S.", "We protect it."]),
    ("Under 18 U.S.C. § 2702 we may disclose it.", ["Under 18 U.S.C. § 2702 we may disclose it."]),
    ("Call Dr. Smith or Mr. J. Doe at No. 5 St. James St. today.",
     ["Call Dr. Smith or Mr. J. Doe at No. 5 St. James St. today."]),
    ("It costs 2.5 dollars vs. 3.0 approx. in total.", ["It costs 2.5 dollars vs. 3.0 approx. in total."]),
    ("Email privacy@pro-softnet.com. Visit www.example.com/privacy.html. Done.",
     ["Email privacy@pro-softnet.com.", "Visit www.example.com/privacy.html.", "Done."]),
    ("We keep logs; we delete them after a year.", ["We keep logs; we delete them after a year."]),
    ("The “Policy”. Then “quotes” start.", ["The “Policy”.", "Then “quotes” start."]),
    ("Users (the “Services”.) We act.", ["Users (the “Services”.)", "We act."]),
    ("1. Who is the data controller?", ["1. Who is the data controller?"]),
    ("Children under 13. 2. Parents may ask.", ["Children under 13.", "2. Parents may ask."]),
    ("Wait... Then go.", ["Wait...", "Then go."]),
    ("lower case after a stop. keeps going", ["lower case after a stop. keeps going"]),
])
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split(text) == expected


def test_sections_and_headings() -> None:
    text = ("Privacy Policy\n\nWe respect your privacy and explain here how we handle your personal data.\n\n"
            "1. What We Collect\n\nWe collect your name. We collect your e-mail address when you sign up.\n\n"
            "1.1 Cookies\n\nWe set cookies to keep you logged in to the service for a while.\n\n"
            "2. Sharing\n\nWe share data with our payment processors and with nobody else.\n"
            "- Stripe processes payments.\n- Postmark sends e-mail. It keeps logs.")
    result = segment(doc(text))
    assert isinstance(result, Segmented)
    got = [(s.index, s.block_kind, s.section, s.text) for s in result.sentences]
    pp, c, ck, sh = "Privacy Policy", "1. What We Collect", "1.1 Cookies", "2. Sharing"
    assert got == [
        (0, "heading", (pp,), pp),
        (1, "paragraph", (pp,), "We respect your privacy and explain here how we handle your personal data."),
        (2, "heading", (c,), c),
        (3, "paragraph", (c,), "We collect your name."),
        (4, "paragraph", (c,), "We collect your e-mail address when you sign up."),
        (5, "heading", (c, ck), ck),
        (6, "paragraph", (c, ck), "We set cookies to keep you logged in to the service for a while."),
        (7, "heading", (sh,), sh),
        (8, "paragraph", (sh,), "We share data with our payment processors and with nobody else."),
        (9, "item", (sh,), "Stripe processes payments."),
        (10, "item", (sh,), "Postmark sends e-mail."),
        (11, "item", (sh,), "It keeps logs."),
    ]
    assert result.headings == tuple(s for s in result.sentences if s.block_kind == "heading")
    assert result.document.warnings == ()


@pytest.mark.parametrize("text, expected", [
    ("Information We Collect About You.", True),
    ("TYPES OF INFORMATION WE COLLECT", True),
    ("Third Party Service Providers.", True),
    ("Sharing With Our Partners b.", True),  # the next section's letter, glued on
    ("WE DO NOT SELL YOUR PERSONAL DATA.", False),  # shouted, not a title
    ("Information You Give Us:", False),  # a lead-in
    ("Do We Share Your Data?", False),  # a question (a heading by its own rule)
    ("We collect your name and e-mail address.", False),
    ("Cookies.", False),  # one word
    ("Quebec City G4T 5L3, Canada", False),  # an address line
    ("Effective Date March 3, 2024.", False),
    ("Information We Collect From You When You Visit Our Website Or Use Our Mobile Apps Today.", False),  # too long
])
def test_is_title(text: str, expected: bool) -> None:
    assert is_title(text) is expected


def test_a_title_inside_a_paragraph_heads_what_follows() -> None:
    text = ("Privacy Policy\n\nWe keep records as the law requires. Information We Share With Others. We share your "
            "e-mail address with our mailing provider.\n\nWe never sell it. Your Choices. You may opt out.\n\n"
            "We collect the following:\n\nName And Address.\n\nE-mail Address.\n\nWe use them to ship orders.")
    result = segment(doc(text))
    got = [(s.block_kind, s.section[1:], s.text) for s in result.sentences[1:]]
    share, choices = "Information We Share With Others.", "Your Choices."
    assert got == [
        ("paragraph", (), "We keep records as the law requires."),
        ("heading", (share,), share),
        ("paragraph", (share,), "We share your e-mail address with our mailing provider."),
        ("paragraph", (share,), "We never sell it."),
        ("heading", (choices,), choices),  # the next title ends the section of the one before
        ("paragraph", (choices,), "You may opt out."),
        ("paragraph", (choices,), "We collect the following:"),
        ("paragraph", (choices,), "Name And Address."),  # after a lead-in, titles are its items
        ("paragraph", (choices,), "E-mail Address."),
        ("paragraph", (choices,), "We use them to ship orders."),
    ]


def test_a_bulleted_title_alone_is_a_heading_and_an_item_keeps_its_title() -> None:
    text = ("Privacy Policy\n\nYou can exercise the following rights:\n\n"
            "1. Right to Access Your Data. You may ask for a copy of your data.\n"
            "2. Right to Erasure. You may ask us to delete your data.\n\n"
            "We answer within a month.\n\n  \u2022 The Legal Basis For Processing\n\n"
            "We process your data to perform our contract with you.\n\n"
            "We collect:\n\n- Name And Address\n- E-mail Address\n")
    result = segment(doc(text))
    got = [(s.block_kind, s.text) for s in result.sentences[1:]]
    assert got == [
        ("paragraph", "You can exercise the following rights:"),
        ("item", "Right to Access Your Data."),  # the item's title stays the item's: it may name what it is about
        ("item", "You may ask for a copy of your data."),
        ("item", "Right to Erasure."),
        ("item", "You may ask us to delete your data."),
        ("paragraph", "We answer within a month."),
        ("heading", "The Legal Basis For Processing"),  # a bullet alone between paragraphs
        ("paragraph", "We process your data to perform our contract with you."),
        ("paragraph", "We collect:"),
        ("item", "Name And Address"),  # items of a list: titles, but no headings
        ("item", "E-mail Address"),
    ]
    basis = next(s for s in result.sentences if s.text.startswith("We process"))
    assert basis.section[-1] == "The Legal Basis For Processing"


def test_long_sentence_is_cut_at_semicolons() -> None:
    clause = " ".join(["word"] * 50)
    text = f"{clause}; {clause}; {clause}."
    result = segment(doc(text))
    assert [len(s.text.split()) for s in result.sentences] == [50, 50, 50]
    assert result.sentences[0].text.endswith(";")
    assert result.document.warnings == (f"a sentence of over {MAX_WORDS} words at offset 0 was cut at ';' into 3",)
    for sentence in result.sentences:
        assert_maps_back(result.document, sentence)


def test_sentence_offsets_across_wraps_and_obfuscation() -> None:
    document = doc("Please write\n  to billing [at] acme [dot] example. We reply fast.")
    first, second = segment(document).sentences
    assert first.text == "Please write to billing@acme.example."
    assert document.text[first.start:first.end] == "Please write\n  to billing [at] acme [dot] example."
    at = first.text.index("@")
    assert document.text[slice(*first.doc_span(at - 7, at))] == "billing"
    assert document.text[second.start:second.end] == "We reply fast."
    for sentence in (first, second):
        assert_maps_back(document, sentence)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_offset_invariant_on_inputs(path: Path) -> None:
    document = read_document(path)
    result = segment(document)
    assert result.sentences and result.headings
    assert [s.index for s in result.sentences] == list(range(len(result.sentences)))
    assert all(a.end <= b.start for a, b in zip(result.sentences, result.sentences[1:]))
    for sentence in result.sentences:
        assert_maps_back(document, sentence)
        assert len(sentence.text.split()) <= MAX_WORDS or ";" not in sentence.text


def test_examples_sentence_samples() -> None:
    cubesoft = segment(read_document(EXAMPLES / "cubesoft.txt"))
    texts = [s.text for s in cubesoft.sentences]
    assert "The contact details of the data controller are:" in texts
    assert "132 Ch. des Buttes, Havre aux Maisons" in texts
    heading = next(s for s in cubesoft.headings if s.text.startswith("6."))
    assert heading.text == "6. Your rights"
    rights = [s for s in cubesoft.sentences if s.section == ("6. Your rights",)]
    assert rights[1].text == "You have the following rights with regard to the processing of your personal data:"
    assert rights[2].block_kind == "item"

    softsys = segment(read_document(EXAMPLES / "softsys-hosting.txt"))
    emailing = next(s for s in softsys.sentences if "billing@softsyshosting.com" in s.text)
    assert emailing.section == ("Modification of Customer Information",)


def test_doctests() -> None:
    assert doctest.testmod(segment_module).failed == 0


_PIECES = st.sampled_from([
    "We collect data.", "e.g.", "Inc.", " ", "  ", "\n", "\r\n", "\n\n", "1. ", "2.3 ", "- ", "• ", "(iii) ",
    "# ", "## ", "| ", "---", "WHO WE ARE", "Title Case Line", "billing", " [at] ", "(dot)", " AT ", " DOT ",
    "x.com", "@", ". ", "?", ";", ":", "e-", "mail", "[email protected]", "**", "_", "`", "[link](mailto:a@b.co)",
    "Home", "»", "©", "\u00a0", "\u200b", "\t",
])


@settings(deadline=None, max_examples=200)
@given(st.lists(_PIECES, max_size=40), st.sampled_from(["text/plain", "text/markdown", "text/html"]))
def test_any_text_segments_and_maps_back(pieces: list[str], media_type: str) -> None:
    document = doc("".join(pieces), media_type)
    result = segment(document)
    for sentence in result.sentences:
        assert_maps_back(document, sentence, words=False)


def test_a_question_opening_a_paragraph_heads_its_answer() -> None:
    text = ("Privacy Policy\n\nDo we share your data? We share it with our payment processor only. It needs it.\n\n"
            "We also keep logs.\n\nHow long do we keep it? We keep it for a year.")
    seg = segment(doc(text))
    kinds = [(s.block_kind, s.text, s.section) for s in seg.sentences]
    assert kinds == [
        ("heading", "Privacy Policy", ("Privacy Policy",)),
        ("heading", "Do we share your data?", ("Privacy Policy", "Do we share your data?")),
        ("paragraph", "We share it with our payment processor only.", ("Privacy Policy", "Do we share your data?")),
        ("paragraph", "It needs it.", ("Privacy Policy", "Do we share your data?")),
        ("paragraph", "We also keep logs.", ("Privacy Policy", "Do we share your data?")),
        # the next question closes the previous one; it does not nest under it
        ("heading", "How long do we keep it?", ("Privacy Policy", "How long do we keep it?")),
        ("paragraph", "We keep it for a year.", ("Privacy Policy", "How long do we keep it?")),
    ]
    assert [h.text for h in seg.headings][1:] == ["Do we share your data?", "How long do we keep it?"]
    for s in seg.sentences:
        assert_maps_back(seg.document, s)


def test_a_question_inside_a_paragraph_stays_a_sentence() -> None:
    seg = segment(doc("We collect your e-mail. Why? To answer you."))
    assert [(s.block_kind, s.text) for s in seg.sentences] == [
        ("paragraph", "We collect your e-mail."), ("paragraph", "Why?"), ("paragraph", "To answer you.")]


def test_a_table_row_is_one_sentence() -> None:
    seg = segment(doc("| Cookie | Duration |\n|---|---|\n| _ga. Google. | 2 years. Then deleted. |"))
    assert [(s.block_kind, s.text) for s in seg.sentences] == [
        ("row", "Cookie | Duration"), ("row", "_ga. Google. | 2 years. Then deleted.")]
    for s in seg.sentences:
        assert_maps_back(seg.document, s)

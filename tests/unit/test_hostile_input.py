"""Hostile input that must not hang, fill memory or crash reading, cleaning and segmenting (issue #12): things
that are not regular files, files far over the size limit, and text built to make a scan backtrack. Every hostile
file is written by the test itself. Speed is not asserted here (benchmarks/adversarial.py measures it as ratios
of sizes); the runaway guard only turns a hang back into a failure."""
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from kg.api import time_budget
from kg.errors import TimedOut, UnreadableInput
from kg.graphio import serialize_triples
from kg.ingest import MAX_BYTES, _looks_like_html, discover, read_bounded, read_document
from kg.model import Document
from kg.segment import HARD_MAX_CHARS, HARD_MAX_WORDS, segment

GUARD = 60  # seconds: far over what any of these takes when linear; reached only by a runaway
ENGLISH = "We collect your name and e-mail address and we share them with our partners for marketing. "


def _document(text: str, media_type: str = "text/plain") -> Document:
    return Document(path="x", name="x", media_type=media_type, text=text, sha256="0" * 64, encoding="utf-8")


# -- not a regular file, or far too big: refused before anything is read -----------------------------------------
def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # nobody writes to it: opening it the usual way blocks forever
    with time_budget(GUARD, fifo), pytest.raises(UnreadableInput, match="named pipe"):
        read_document(fifo)


def test_a_symbolic_link_loop_is_one_error_in_a_folder_and_alone(tmp_path: Path) -> None:
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "good.txt").write_text(ENGLISH, encoding="utf-8")
    files, errors = discover([tmp_path])
    assert sorted(f.name for f in files) == ["good.txt", "loop.txt"] and errors == []
    with pytest.raises(UnreadableInput, match="symbolic link loop"):
        read_document(tmp_path / "loop.txt")
    files, errors = discover([tmp_path / "loop.txt"])  # named alone: still one file, reported when read
    assert files == [tmp_path / "loop.txt"]


def test_a_huge_file_is_refused_from_its_size_without_being_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:
        f.truncate(6 * 10**9)  # sparse: 6 GB long, nothing on disk; reading it whole would need 6 GB of memory
    with pytest.raises(UnreadableInput, match="over 5 MB"):
        read_document(huge)


def test_a_device_is_refused(tmp_path: Path) -> None:
    device = Path(os.devnull)  # a character device every POSIX system has; /dev/zero would never end
    with pytest.raises(UnreadableInput, match="character device"):
        read_bounded(device)


def test_bounded_read_takes_at_most_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_bytes(b"a" * 1000)
    assert read_bounded(path, 1000) == b"a" * 1000
    with pytest.raises(UnreadableInput, match="too big"):
        read_bounded(path, 999)
    assert MAX_BYTES == 5_000_000


# -- scans that used to backtrack: they finish, and still find what they should ----------------------------------
def test_html_sniffing_skips_any_number_of_comments() -> None:
    with time_budget(GUARD, "comments"):
        assert _looks_like_html("<!--x-->" * 40 + "\n<!DOCTYPE html><html><p>x</p></html>")
        assert _looks_like_html("  <!-- a -->\n<html lang=en>")
        assert not _looks_like_html("<!--x-->" * 100_000)  # the 382-byte file of 40 hung every build
        assert not _looks_like_html("<!--" + "-" * 100_000)
        assert not _looks_like_html("Privacy <html> policy")


def test_a_comment_only_text_file_builds_as_text(tmp_path: Path) -> None:
    path = tmp_path / "comments.txt"
    path.write_text("<!--x-->" * 40 + "\n" + ENGLISH * 3, encoding="utf-8")
    with time_budget(GUARD, path):
        document = read_document(path)
    assert document.media_type == "text/plain"


@pytest.mark.parametrize("unit, media_type", [
    ("**x ", "text/markdown"), ("__x ", "text/markdown"), ("*x ", "text/markdown"), ("_x ", "text/markdown"),
    ("~~x ", "text/markdown"), ("[a](", "text/markdown"), ("[a][", "text/markdown"), ("<a", "text/markdown"),
    ("<a@", "text/markdown"), ("`", "text/markdown"), ("a. ", "text/plain"), (". ", "text/plain"),
    ("....", "text/plain"), ("a.b.", "text/plain"), ("Inc. ", "text/plain"), ("| a ", "text/plain"),
    ("|", "text/plain"), (" ", "text/markdown"), ("#", "text/markdown"), ("x" * 99 + " ", "text/plain"),
])
def test_a_300_kb_block_of_one_repeated_unit_is_segmented(unit: str, media_type: str) -> None:
    text = "# Privacy\n\n" + ENGLISH + "\n\n" + unit * (300_000 // len(unit)) + "x"
    with time_budget(GUARD, unit):
        result = segment(_document(text, media_type))
    assert result.sentences
    for s in result.sentences:
        assert len(s.text.split()) <= max(HARD_MAX_WORDS, 1) or s.block_kind == "heading"
        assert len(s.text) <= HARD_MAX_CHARS or s.block_kind == "heading"


def test_a_markdown_heading_with_a_huge_blank_run_and_closing_hashes() -> None:
    text = "# Our" + " " * 200_000 + "Policy ##\n\n" + ENGLISH
    with time_budget(GUARD, "heading"):
        result = segment(_document(text, "text/markdown"))
    assert result.headings and result.headings[0].text.startswith("Our")


def test_one_enormous_line_without_a_full_stop_is_cut_between_words() -> None:
    text = "we collect and share your data " * 20_000  # 600 kB, no sentence end, no line break
    with time_budget(GUARD, "line"):
        result = segment(_document(text))
    assert len(result.sentences) == 6 * 20_000 // HARD_MAX_WORDS
    assert any(f"over {HARD_MAX_WORDS} words" in w for w in result.document.warnings)
    word = "x" * (3 * HARD_MAX_CHARS + 7)  # no blank at all
    assert [len(s.text) for s in segment(_document(word)).sentences] == [HARD_MAX_CHARS] * 3 + [7]


def test_an_enormous_capitalised_word_does_not_stall_the_controller_search() -> None:
    from kg.extract.controller import find_controller

    text = "Privacy Policy\n\n" + ("We and the " + "A" * 4000 + " respects your privacy.\n") * 20
    with time_budget(GUARD, "capitals"):
        find_controller(segment(_document(text)))  # each cue rescanned the word from every capital: 20 s a line


def _check_sentences(text: str, media_type: str) -> None:
    with time_budget(GUARD, "generated"):
        result = segment(_document(text, media_type))
    for s in result.sentences:
        assert 0 <= s.start <= s.end <= len(text)
        assert list(s.origin) == sorted(s.origin)
        assert s.text.strip() == s.text and s.text


MARKUP = st.sampled_from(list("*_~`[]()<>!#|.;:?…\"'-@ \n\tAa1") + ["**", "__", "~~", "](", "<!--", "-->", "Inc.",
                                                                   " We ", "e.g.", "\n\n", "# ", "- ", "1. "])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MARKUP, max_size=200), st.sampled_from(["text/plain", "text/markdown", "text/html"]))
def test_generated_markup_soup_segments_with_offsets_into_the_text(pieces: list[str], media_type: str) -> None:
    _check_sentences("".join(pieces), media_type)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MARKUP, min_size=1, max_size=4), st.integers(min_value=1000, max_value=20_000),
       st.sampled_from(["text/plain", "text/markdown"]))
def test_generated_long_repetitions_segment(unit: list[str], repeat: int, media_type: str) -> None:
    # the shape that makes a backtracking scan slow: one short unit many times over
    text = "".join(unit)
    _check_sentences(ENGLISH + text * (repeat // len(text) + 1), media_type)


# -- the Turtle writer: Oxigraph's serializer, same graph ------------------------------------------------------------
def test_serialized_triples_parse_back_to_the_same_graph() -> None:
    base = "https://w3id.org/privacy-kg/id/policy/0123456789abcdef"
    triples = [(URIRef(f"{base}/share/{i}"), URIRef("http://purl.org/dc/terms/description"),
                Literal(f"line {i}\n\"quoted\" \\ é \u0007")) for i in range(1000)]
    triples += [(URIRef(base), URIRef("http://purl.org/dc/terms/modified"), Literal("2024-01-02", datatype=XSD.date)),
                (URIRef(base), URIRef("http://purl.org/dc/terms/title"), Literal("Politique", lang="fr")),
                (URIRef(base), URIRef("http://example.org/count"), Literal(5))]
    want = Graph()
    for t in triples:
        want.add(t)
    for fmt, parse_as in (("turtle", "turtle"), ("nt", "nt")):
        got = Graph().parse(data=serialize_triples(triples, fmt), format=parse_as)
        assert isomorphic(got, want), fmt
    trig = serialize_triples(triples, "trig", base)
    assert f"<{base}> {{" in trig or "GRAPH" in trig or re.search(r"\S+ \{", trig)


def test_the_time_budget_stops_a_runaway_and_is_removed_afterwards() -> None:
    exponential = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL)
    with pytest.raises(TimedOut, match="took over 0.2 s"), time_budget(0.2, "comments.txt"):
        exponential.match("<!--x-->" * 60)  # the regex #12 found: 2^60 steps
    import signal

    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    with time_budget(5, "fast"):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# -- decoding: right, or it says so ----------------------------------------------------------------------------------
def _decoded(tmp_path: Path, raw: bytes) -> Document:
    path = tmp_path / "p.txt"
    path.write_bytes(raw)
    return read_document(path)


def test_latin1_and_windows_1252_decode_right(tmp_path: Path) -> None:
    document = _decoded(tmp_path, ("CubéSoft Société respects your privacy. " + ENGLISH * 10).encode("latin-1"))
    assert document.text.startswith("CubéSoft Société") and document.encoding == "windows-1252"
    assert any("read as Windows-1252" in w for w in document.warnings)
    document = _decoded(tmp_path, ("“CubeSoft” – we’re here. " + ENGLISH * 10).encode("cp1252"))
    assert document.text.startswith("“CubeSoft” – we’re here.")


def test_one_stray_byte_in_utf8_costs_that_byte_only(tmp_path: Path) -> None:
    text = "We at “CubeSoft” – naïve café. " + ENGLISH * 10
    document = _decoded(tmp_path, text.encode("utf-8") + b"caf\xe9 ends")
    assert document.text == text + "café ends"
    assert document.encoding == "utf-8+windows-1252"
    assert document.warnings == ("1 byte(s) that are not UTF-8 (the first at byte "
                                 f"{len(text.encode('utf-8')) + 3}) read as Windows-1252",)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_accepted(tmp_path: Path, codec: str) -> None:
    text = "We at CubeSoft – naïve café. " + ENGLISH * 10
    document = _decoded(tmp_path, text.encode(codec))
    assert (document.text, document.encoding) == (text, codec)
    assert any("no byte-order mark" in w for w in document.warnings)


def test_binary_with_zero_bytes_is_still_binary(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput, match="binary"):
        _decoded(tmp_path, bytes(range(256)) * 50)


@pytest.mark.parametrize("wrong", ["mac_roman", "cp1252"])
def test_mojibake_saved_as_utf8_is_repaired_with_a_warning(tmp_path: Path, wrong: str) -> None:
    text = "We at ‘CubeSoft’ – we’re glad. " + ENGLISH * 10  # no ”: its UTF-8 has a byte cp1252 lacks
    document = _decoded(tmp_path, text.encode("utf-8").decode(wrong).encode("utf-8"))
    assert document.text == text
    assert any("mojibake repaired" in w for w in document.warnings)


def test_ordinary_accents_are_not_repaired(tmp_path: Path) -> None:
    text = "Naïve café Ã la carte © 2024 – we’re “here”. " + ENGLISH * 10
    document = _decoded(tmp_path, text.encode("utf-8"))
    assert (document.text, document.warnings) == (text, ())

"""Segment stage: cut a document into sentences, each with its heading path and offsets into ``Document.text``.

The splitter is rule-based (no model): a sentence ends at ``.``, ``!``, ``?`` or ``…`` (closing quotes and
brackets included) followed by whitespace and a capital letter, digit or opening quote, unless the word before
is an abbreviation ("e.g.", "Inc.", "U.S.") or an initial, or the full stop belongs to the number that opens a
block ("1. Who we are"). ``;`` never ends a sentence, except that a sentence over ``MAX_WORDS`` words is cut
after each ``;`` (and the cut is recorded in ``Document.warnings``). Addresses, URLs and decimals never split:
a boundary needs whitespace after the punctuation.
"""
from __future__ import annotations

import dataclasses
import re

from kg.ingest.clean import MAX_HEADING_WORDS, blocks, is_title_case
from kg.ingest.decode import english_words
from kg.model import Block, Document, Segmented, Sentence

MAX_WORDS = 120
# A sentence still longer than this after the ";" cut is cut between words (the longest sentence of the 177 OPP-115
# and APP-350 dev policies has 380 words): extraction's cost grows faster than a sentence's length, so without a
# bound one enormous line with no full stop would run for hours.
HARD_MAX_WORDS = 400
HARD_MAX_CHARS = 5000  # and a "word" longer than this (no blank at all) is cut too
_WORD_SPAN_RE = re.compile(r"\S+")
MAX_QUESTION_WORDS = 20  # a longer question opening a paragraph is kept as a sentence (never a statement)
# Abbreviations that never end a sentence (compared lower-cased).
ABBREVIATIONS = frozenset({
    "e.g.", "i.e.", "cf.", "viz.", "vs.", "approx.", "mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "mt.", "fig.",
    "sec.", "art.", "para.", "p.", "pp.", "ch.", "ave.", "rd.", "blvd.", "jr.", "sr.", "dept.", "est.", "al.",
    "incl.", "ref.", "tel.", "ph.", "nos.", "u.s.c.", "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.",
    "sep.", "sept.", "oct.", "nov.", "dec.",
})
# Abbreviations that end a sentence when the next word starts one ("… Acme Inc. We collect …").
FINAL_ABBREVIATIONS = frozenset({
    "etc.", "inc.", "ltd.", "corp.", "co.", "llc.", "plc.", "gmbh.", "u.s.", "u.k.", "e.u.", "a.m.", "p.m.",
})
_CASED_ABBREVIATIONS = frozenset({"No."})  # "No. 5", but "the answer is no."
# a run of end punctuation is only tried from its first character (the lookbehind), so a long run of "." costs
# its length once, not its length squared
_BOUNDARY_RE = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’)\]]*(?=\s)")
_NEXT_WORD_RE = re.compile(r"\s*+(\S*)")


def _next_word(text: str, pos: int = 0) -> re.Match[str]:
    """The blanks and the word at ``pos`` (group 1, maybe empty): it always matches."""
    match = _NEXT_WORD_RE.match(text, pos)
    assert match is not None
    return match
_SEMICOLON_RE = re.compile(r";(?=\s)")
_NUMBER_WORD_RE = re.compile(r"\d{1,3}(?:\.\d{1,3})*\.")
_INITIAL_RE = re.compile(r"[A-Z]\.")
MAX_WORD = 100  # characters of the word before a full stop that are looked at (an abbreviation is short)
_INITIALS_RE = re.compile(r"(?:[A-Za-z]\.){2,}")
_OPENING = "\"'“‘([«"
_EXTRA_STARTERS = frozenset({"a", "in", "on", "no", "please", "however", "for", "as", "at"})


def _starters() -> frozenset[str]:
    return english_words() | _EXTRA_STARTERS


def _is_boundary(text: str, match: re.Match[str], sentence_start: int) -> bool:
    """Whether the punctuation ``match`` ends the sentence of ``text`` that starts at ``sentence_start``.

    Looks at the next word and at most ``MAX_WORD`` characters before the match (no slice to the end of the
    text: a block with many candidate boundaries costs its length, not its length squared)."""
    next_word = _next_word(text, match.end())
    after = next_word[1]
    if not after or not (after[0].isupper() or after[0].isdigit() or after[0] in _OPENING):
        return False
    if text[match.start()] != ".":
        return True
    word_start = max(text.rfind(" ", max(sentence_start, match.start() - MAX_WORD), match.start()) + 1,
                     sentence_start, match.start() - MAX_WORD)
    word = text[word_start:match.start() + 1].lstrip(_OPENING)
    if word.lower() in ABBREVIATIONS or word in _CASED_ABBREVIATIONS:
        return False
    if _INITIAL_RE.fullmatch(word):
        return False  # an initial: "John A. Smith"
    if word_start == sentence_start and _NUMBER_WORD_RE.fullmatch(word):
        return False  # the number opening a sentence: "1. Who we are"
    if word.lower() in FINAL_ABBREVIATIONS or _INITIALS_RE.fullmatch(word):
        words = text[next_word.start(1):next_word.start(1) + MAX_WORD].lstrip(_OPENING).split(maxsplit=1)
        return bool(words) and words[0].strip(",;:").lower() in _starters()
    return True


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return the ``[start, end)`` spans of the sentences of one cleaned block, whitespace excluded.

    >>> text = "We are Acme Inc. and we collect data, e.g. your e-mail (a.b@acme.com). Ask us! Okay."
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['We are Acme Inc. and we collect data, e.g. your e-mail (a.b@acme.com).', 'Ask us!', 'Okay.']
    """
    cuts = [0]
    start = _next_word(text).start(1)  # where the current sentence starts (after the blanks)
    for match in _BOUNDARY_RE.finditer(text):
        if _is_boundary(text, match, start):
            cuts.append(match.end())
            start = _next_word(text, match.end()).start(1)
    cuts.append(len(text))
    return [span for a, b in zip(cuts, cuts[1:]) if (span := _trim(text, a, b))]


def is_question(text: str) -> bool:
    """Whether a sentence asks rather than states ("Do we use cookies?", "What do we collect?")."""
    return text.rstrip("\"'”’)] ").endswith("?")


_NEXT_NUMBER_RE = re.compile(r"(?:\d{1,2}|[a-z]|[ivx]{1,4})\.")  # "Information We Collect a." (the next number)


def is_title(text: str) -> bool:
    """Whether a sentence is written as a title: at most a heading's words, in Title Case or in capitals
    ("Information We Collect About You.", "TYPES OF INFORMATION WE COLLECT", "Third Party Service Providers.").
    Where a page lost its line breaks, it heads what follows. A sentence in capitals that ends with a full stop is
    shouted, not a title ("WE DO NOT SELL YOUR DATA."); one that ends with ":" opens a list; a question is not one."""
    tokens = text.split()
    if len(tokens) > MAX_HEADING_WORDS + 1:
        return False
    if len(tokens) > 1 and _NEXT_NUMBER_RE.fullmatch(tokens[-1]):
        tokens.pop()
    body = " ".join(tokens)
    if not body or body[-1] in ":;," or is_question(body):
        return False
    words = body.rstrip(".!").split()
    letters = [c for c in body if c.isalpha()]
    if not 2 <= len(words) <= MAX_HEADING_WORDS or len(letters) < 6 or any(c.isdigit() for c in body) or \
            "@" in body or "://" in body:
        return False  # an address line ("G4T 5L3, Canada"), a date, a contact line
    if all(c.isupper() for c in letters) and body.endswith((".", "!")):
        return False
    return is_title_case(words) and sum(1 for w in words if w[:1].isupper()) >= 2


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``[start, end)`` without surrounding whitespace, or ``None`` if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a sentence of over ``MAX_WORDS`` words after each ``;``."""
    if len(text[start:end].split()) <= MAX_WORDS:
        return [(start, end)]
    cuts = [start] + [m.end() for m in _SEMICOLON_RE.finditer(text, start, end)] + [end]
    return [span for a, b in zip(cuts, cuts[1:]) if (span := _trim(text, a, b))]


def _hard_cut(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut into pieces of at most ``HARD_MAX_WORDS`` words and ``HARD_MAX_CHARS`` characters,
    between words where there are any."""
    if end - start <= HARD_MAX_CHARS and len(text[start:end].split()) <= HARD_MAX_WORDS:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    first, last, count = -1, -1, 0  # the open piece: its start, the end of its last word, its words
    for match in _WORD_SPAN_RE.finditer(text, start, end):
        a, b = match.span()
        if first >= 0 and (count == HARD_MAX_WORDS or b - first > HARD_MAX_CHARS):
            pieces.append((first, last))
            first, count = -1, 0
        while b - a > HARD_MAX_CHARS:  # one enormous "word"
            pieces.append((a, a + HARD_MAX_CHARS))
            a += HARD_MAX_CHARS
        if first < 0:
            first = a
        last, count = b, count + 1
    if first >= 0:
        pieces.append((first, last))
    return pieces


def _sentence(block: Block, start: int, end: int, index: int, section: tuple[str, ...]) -> Sentence:
    origin = block.origin[start:end] + (block.origin[end - 1] + 1,)
    return Sentence(index=index, text=block.text[start:end], start=origin[0], end=origin[-1], section=section,
                    block_kind=block.kind, origin=origin, level=block.level)


def segment(document: Document) -> Segmented:
    """Cut ``document`` into sentences in document order.

    ``Segmented.sentences`` holds every sentence, headings included (``block_kind == "heading"``, one sentence
    per heading); ``Segmented.headings`` holds just the headings. A sentence's ``section`` is the heading path it
    sits under, outermost first; a heading's own path ends with itself. A heading of level L closes the open
    headings of level L or deeper. A short question that opens a paragraph is a heading for the rest of it (and the
    paragraphs after it, up to the next heading or question); so is a sentence of a paragraph written as a title
    (``is_title``: "Information We Collect About You."), unless it is an item of the lead-in before it, and so is
    a bulleted title alone between paragraphs; the title that opens a list item ("2. Business Partners. We share
    ...") stays the item's (it may name what the item is about). A table row is one sentence
    (``block_kind == "row"``).
    When a long sentence had to be cut at ``;`` the returned ``Segmented.document`` is ``document`` with a warning
    added.
    """
    sentences: list[Sentence] = []
    headings: list[Sentence] = []
    path: list[tuple[int, str, str]] = []  # (level, text, "block" / "question" / "title")
    listing = False  # the last sentence opened a list (a lead-in ending in ":") or was one of its items
    warnings: list[str] = []

    def inline_heading(block: Block, start: int, end: int, kind: str) -> None:
        """A question or title inside a paragraph as the heading of what follows, below the last block heading:
        it ends the section of the question or title before it (and a question that of a block heading asking
        one)."""
        while path and (path[-1][2] != "block" or (kind == "question" and is_question(path[-1][1]))):
            path.pop()
        path.append((path[-1][0] + 1 if path else 1, block.text[start:end], kind))
        heading = _sentence(block, start, end, len(sentences), tuple(t for _, t, _ in path))
        sentences.append(dataclasses.replace(heading, block_kind="heading"))
        headings.append(sentences[-1])

    found = blocks(document)
    for at, block in enumerate(found):
        # a bulleted line alone between paragraphs ("  • The Legal Basis For Processing") is a title, not a list
        alone = block.kind == "item" and all(b.kind != "item" for b in found[max(0, at - 1):at] + found[at + 1:at + 2])
        if block.kind == "heading":
            listing = False
            while path and path[-1][0] >= block.level:
                path.pop()
            path.append((block.level, block.text, "block"))
            heading = _sentence(block, 0, len(block.text), len(sentences), tuple(t for _, t, _ in path))
            sentences.append(heading)
            headings.append(heading)
            continue
        if block.kind == "row":  # a table row is one unit: its cells are read with the table's header row
            for a, b in _hard_cut(block.text, 0, len(block.text)):  # unless it is enormous
                sentences.append(_sentence(block, a, b, len(sentences), tuple(t for _, t, _ in path)))
            continue
        spans = split_sentences(block.text)
        if block.kind == "paragraph" and len(spans) > 1 and is_question(block.text[spans[0][0]:spans[0][1]]) \
                and len(block.text[spans[0][0]:spans[0][1]].split()) <= MAX_QUESTION_WORDS:
            # a paragraph that opens with a question ("Do we share your data? We do not …"): the question is a
            # heading for what answers it, as it would be on a page that kept its line breaks
            inline_heading(block, *spans[0], "question")
            spans = spans[1:]
        for start, end in spans:
            text = block.text[start:end]
            if is_title(text) and ((block.kind == "paragraph" and not listing) or alone):
                # a title inside running text ("... as required by law. Information We Collect About You. We
                # collect ..."): the heading of what follows, as it would be on a page that kept its line breaks
                inline_heading(block, start, end, "title")
                continue
            # after a lead-in ("We collect:"), titles are its items ("Name and E-mail Address.")
            listing = text.rstrip().endswith(":") or (listing and is_title(text))
            section = tuple(t for _, t, _ in path)
            pieces = _split_long(block.text, start, end)
            if len(pieces) > 1:
                warnings.append(f"a sentence of over {MAX_WORDS} words at offset {block.origin[start]} "
                                f"was cut at ';' into {len(pieces)}")
            cut = [small for piece in pieces for small in _hard_cut(block.text, *piece)]
            if len(cut) > len(pieces):
                warnings.append(f"a sentence of over {HARD_MAX_WORDS} words or {HARD_MAX_CHARS} characters at "
                                f"offset {block.origin[start]} was cut between words into {len(cut)}")
                pieces = cut
            for a, b in pieces:
                sentences.append(_sentence(block, a, b, len(sentences), section))
    if warnings:
        document = dataclasses.replace(document, warnings=document.warnings + tuple(warnings))
    return Segmented(document=document, sentences=tuple(sentences), headings=tuple(headings))

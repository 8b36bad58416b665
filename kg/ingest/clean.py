"""Cut a document's text into cleaned heading, paragraph and list-item blocks that map back to the document.

Cleaning joins hard-wrapped lines, strips list markers and Markdown syntax, drops navigation debris (see
``debris.txt``), collapses whitespace and de-obfuscates e-mail addresses. Every character of a block's text keeps
the document offset it came from (``Block.origin``); characters cleaning produced (a space that joins two lines,
an ``@`` or ``.`` that replaces ``[at]``/``[dot]``) point at the text they stand for.

Plain text has no markup, so headings are recognised by shape: numbered ("2.3 Sharing", "1. Who are we?"),
ALL CAPS, or a short Title Case or stand-alone line followed by prose. A line ending with ":" introduces what
follows and is never a heading. HTML arrives as the text layer of :mod:`kg.ingest.html`, whose ``#`` and ``-``
markers carry the markup's headings and list items. Table rows ("| a | b |" in Markdown and HTML; in plain text the
lines :mod:`kg.ingest.columns` finds) are blocks of kind "row", their cells separated by " | ".
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from kg.ingest.columns import Cells, row_edits, table_rows
from kg.model import Block, Document
from kg.normalize.emails import deobfuscation_edits, find_emails

MAX_HEADING_WORDS = 12
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]+")
_SPACE_RE = re.compile(r"\s+")
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_MD_HEADING_RE = re.compile(r"(#{1,6})[ \t]+(.*)")  # the closing "##" is cut by _md_heading, not by a regex
_SETEXT_RE = re.compile(r"(=+|-+)[ \t]*$")
# A list marker followed by the item's text: bullets, "1." "1)" "a)" "a." "(a)" "(iii)" "iv.".
_ITEM_RE = re.compile(r"(?:[-*+•·▪◦‣∙●○■□–—]|\d{1,3}[.)]|[a-z][.)]"
                      r"|\((?:\d{1,3}|[a-zA-Z]|[ivxlc]{1,6})\)|[ivx]{1,5}[.)])\s+(?=\S)")
# The number of a numbered heading: "2." "2.3" "2.3." (a bare "2" is too often the start of a sentence).
_NUMBER_RE = re.compile(r"(\d{1,3}(?:\.\d{1,3})+\.?|\d{1,3}\.)\s+(?=\S)")
_BAR_SEPARATOR_RE = re.compile(r"[|•·»›>]")
_TERMINAL = ".!?"
_MINOR_WORDS = frozenset(
    ["a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on", "or", "our", "per",
     "the", "their", "to", "via", "vs", "with", "your"])

# Markdown inline syntax: each pattern's "keep" groups survive, the rest of the match is dropped.
_MD_INLINE = (
    re.compile(r"`(?P<keep>[^`]+)`"),
    re.compile(r"!?\[(?P<keep>[^\[\]]*)\]\((?P<url>[^()\s]*)(?:\s+\"[^\"()]*\")?\)"),
    re.compile(r"\[(?P<keep>[^\[\]]+)\]\[[^\[\]]*\]"),
    re.compile(r"<(?P<keep>(?:https?://|mailto:)[^<>\s]+|[^<>@\s]+@[^<>\s]+)>"),
    re.compile(r"</?[A-Za-z][^<>]*>"),
    re.compile(r"\*\*(?=\S)(?P<keep>(?:[^*]|\*(?!\*))+?)(?<=\S)\*\*"),
    re.compile(r"__(?=\S)(?P<keep>(?:[^_]|_(?!_))+?)(?<=\S)__"),
    re.compile(r"(?<![\w*])\*(?=\S)(?P<keep>[^*]+?)(?<=\S)\*(?![\w*])"),
    re.compile(r"(?<!\w)_(?=\S)(?P<keep>[^_]+?)(?<=\S)_(?!\w)"),
    re.compile(r"~~(?P<keep>(?:[^~]|~(?!~))+?)~~"),
    re.compile(r"\\(?P<keep>[\\`*_{}\[\]()#+\-.!|])"),
)
_MD_REFERENCE_RE = re.compile(r"\[[^\]]+\]:\s+\S+")
_MD_LINK_RE = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")
# A label that opens a paragraph: one to four capitalised words and a colon, then a sentence ("Location Information:
# We may infer your location ...").
_LABEL_RE = re.compile(r"((?:[A-Z][\w'’&/-]*\s){0,3}[A-Z][\w'’&/-]*):\s+(?=(?:We|You|Our|Your|This|These|The|If|When|"
                       r"In|For|It|They|Some|Most|Any|All|Where|As|To|Users?|Each)\s)")
# A title worded as an indirect question: "How we use your information", "What data we collect", "Who we share it with"
_TITLE_QUESTION_RE = re.compile(r"(?:how|what|why|when|where|who|whom|which|with whom)\b(?:\s+\w+){0,3}?\s+"
                                r"(?:we|you|i|our|your|the company)\b", re.I)
# A list marker inside running text ("… as follows: * To improve our service * To send e-mails"): a bullet with
# white space on both sides (scraped pages lose the line breaks between list items, not the bullets).
_INLINE_BULLET_RE = re.compile(r"(?<=\s)[*•·▪◦‣●■](?=\s+\S)")
# An ALL CAPS heading that lost its line break: two to twelve capitalised words, then a sentence that starts with a
# capitalised word in lower case ("CHANGES TO THIS POLICY If we decide to …").
_GLUED_HEADING_RE = re.compile(
    r"((?:[A-Z][A-Z0-9&'’/-]*[A-Z0-9]\s+){1,11}[A-Z][A-Z0-9&'’/-]*[A-Z0-9])\s+(?=[A-Z][a-z])")


@cache
def debris_phrases() -> frozenset[str]:
    """The navigation-debris lines of ``debris.txt``."""
    lines = files(__package__).joinpath("debris.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_debris(line: str) -> bool:
    """Whether a line is page furniture: a menu word, a breadcrumb or link bar, or separators only.

    >>> is_debris("Home > Legal > Privacy"), is_debris("Back to top"), is_debris("© 2024 CubeSoft")
    (True, True, False)
    """
    if not any(c.isalnum() for c in line):
        return True
    if " ".join(line.lower().split()).rstrip(".:!?") in debris_phrases():
        return True
    parts = [p for p in (p.strip() for p in _BAR_SEPARATOR_RE.split(line)) if p]
    return len(parts) >= 2 and sum(len(p.split()) for p in parts) <= MAX_HEADING_WORDS and all(
        len(p.split()) <= 4 and (p[0].isupper() or p[0].isdigit()) and p[-1] not in ".,;:" for p in parts)


# A piece of rewritten text: a kept ``(start, end)`` span of the old text, or ``(chars, index)``: produced
# characters that point where old character ``index`` came from.
_Piece = tuple[int, int] | tuple[str, int]


class _Text:
    """Characters with the document offset each came from."""

    def __init__(self, chars: list[str] | None = None, offsets: list[int] | None = None):
        self.chars = chars or []
        self.offsets = offsets or []

    def add(self, text: str, start: int) -> None:
        self.chars.extend(text)
        self.offsets.extend(range(start, start + len(text)))

    def put(self, char: str, offset: int) -> None:
        self.chars.append(char)
        self.offsets.append(offset)

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def replace(self, edits: Iterable[tuple[int, int, Sequence[_Piece]]]) -> _Text:
        """Replace each ``[start, end)`` span (in order, not overlapping) by its pieces."""
        out, pos = _Text(), 0
        for start, end, pieces in edits:
            out.chars += self.chars[pos:start]
            out.offsets += self.offsets[pos:start]
            for first, second in pieces:
                if isinstance(first, str):
                    for char in first:
                        out.put(char, self.offsets[second])
                else:
                    out.chars += self.chars[first:second]
                    out.offsets += self.offsets[first:second]
            pos = end
        out.chars += self.chars[pos:]
        out.offsets += self.offsets[pos:]
        return out

    def sub(self, pattern: re.Pattern[str], pieces: Callable[[re.Match[str]], list[_Piece]]) -> _Text:
        """Replace each match of ``pattern`` by ``pieces(match)``."""
        return self.replace((m.start(), m.end(), pieces(m)) for m in pattern.finditer(self.text))


def _markdown_inline(match: re.Match[str]) -> list[_Piece]:
    groups = match.re.groupindex
    if "keep" not in groups:
        return []
    kept: list[_Piece] = [match.span("keep")]
    url = match["url"] if "url" in groups else None
    if url and url[:7].lower() == "mailto:" and not find_emails(match["keep"]):
        # keep the address the link hides: "[write to us](mailto:a@b.org)" -> "write to us a@b.org"
        kept += [(" ", match.end("keep")), (match.start("url") + 7, match.end("url"))]
        if match.string[match.end():match.end() + 1].isalnum():
            kept.append((" ", match.end() - 1))  # keep the address apart from a word glued to the link
    return kept


def _clean(text: _Text, markdown: bool) -> _Text:
    """Apply inline cleaning: Markdown syntax, invisible characters, whitespace runs, obfuscated e-mails."""
    if markdown:
        for pattern in _MD_INLINE:
            text = text.sub(pattern, _markdown_inline)
    text = text.sub(_INVISIBLE_RE, lambda m: [])
    # a whitespace run becomes one space; a single space stays as it is (and needs no edit)
    text = text.replace((m.start(), m.end(), [(" ", m.start())]) for m in _SPACE_RE.finditer(text.text)
                        if m.group() != " ")
    text = text.replace((start, end, [(at_or_dot, start)]) for start, end, at_or_dot in deobfuscation_edits(text.text))
    start, end = 0, len(text.chars)
    while start < end and text.chars[start] == " ":
        start += 1
    while end > start and text.chars[end - 1] == " ":
        end -= 1
    return _Text(text.chars[start:end], text.offsets[start:end])


@dataclass
class _Line:
    start: int  # offset of the first character after the indentation
    end: int  # offset after the last non-space character
    indent: int  # columns of indentation
    content: str


@dataclass
class _Draft:
    """A block being assembled from lines."""

    kind: str  # "heading", "paragraph", "item" or "row"
    lines: list[_Line]
    start: int  # where the block's text starts in its first line (after a list marker)
    level: int = 0
    indent: int = 0
    number: str | None = None  # "2.3" of a numbered line
    blank_before: bool = False
    blank_after: bool = False
    joins: list[str] = field(default_factory=list)  # what joins line i to line i + 1: " " or "" (hyphen wrap)
    cells: Cells | None = None  # a row of a plain-text table: its cells (kg.ingest.columns)
    text: _Text = field(default_factory=_Text)


def _lines(text: str) -> list[_Line | None]:
    """Split ``text`` into lines; ``None`` for a blank line."""
    lines: list[_Line | None] = []
    pos = 0
    for match in [*_LINE_BREAK_RE.finditer(text), None]:
        end = match.start() if match else len(text)
        raw = text[pos:end]
        content = _INVISIBLE_RE.sub("", raw).strip()
        if content:
            lead = len(raw) - len(raw.lstrip())
            indent = len(raw[:lead].expandtabs(4))
            stripped_end = pos + len(raw.rstrip())
            lines.append(_Line(pos + lead, stripped_end, indent, text[pos + lead:stripped_end]))
        else:
            lines.append(None)
        pos = match.end() if match else end
    return lines


def _wrap_width(lines: list[_Line | None]) -> float:
    """The width plain text was hard-wrapped at, or infinity if it was not.

    Estimated as the 90th percentile width of lines followed by another line; wrapped text has most such lines
    near that width, and it is between 40 and 120 columns.
    """
    widths = sorted(a.indent + len(a.content) for a, b in zip(lines, lines[1:]) if a and b)
    if len(widths) < 5:
        return float("inf")
    width = widths[int(0.9 * (len(widths) - 1))]
    full = sum(w >= 0.8 * width for w in widths)
    return width if 40 <= width <= 120 and full >= len(widths) / 2 else float("inf")


def _wrapped(prev: _Line, line: _Line, width: float) -> bool:
    """Whether the break between two plain-text lines is a soft wrap rather than the end of a paragraph."""
    ends_sentence = prev.content[-1] in _TERMINAL
    if ends_sentence and line.content[-1] not in _TERMINAL + ",;:" and len(line.content) < 0.6 * width:
        return False  # a short line without a full stop after a sentence: a heading or a line of its own
    first_word = line.content.split()[0]
    if prev.indent + len(prev.content) + 1 + len(first_word) > 0.9 * width:
        return True  # the next word did not fit (give or take what the wrapping program counted)
    opening = line.content.lstrip("\"'“‘(")
    return opening[:1].islower() and not ends_sentence and prev.content[-1] not in ":;"


def _draft(text: str, mode: str) -> list[_Draft]:
    """Group lines into drafts: markers and joins decided, headings by markup only."""
    lines = _lines(text)
    width = _wrap_width(lines) if mode == "plain" else float("inf")
    drafts: list[_Draft] = []
    current: _Draft | None = None
    blank = True
    rows = table_rows(lines) if mode == "plain" else {}
    for i, line in enumerate(lines):
        if i in rows:  # a line of a plain-text table: a row of its own
            assert line is not None  # table_rows finds rows among lines, not blanks
            current = _Draft("row", [line], line.start, indent=line.indent, cells=rows[i], blank_before=blank)
            drafts.append(current)
            current, blank = None, False
            continue
        if line is not None and mode == "markdown" and current and current.kind == "paragraph" \
                and len(current.lines) == 1 and _SETEXT_RE.fullmatch(line.content):
            current.kind, current.level = "heading", 1 if line.content[0] == "=" else 2
            current = None
            continue
        if line is None or _is_debris_line(line.content, mode):
            if current:
                current.blank_after = True
            current, blank = None, True
            continue
        content = line.content
        if current and current.kind in ("paragraph", "item"):
            prev = current.lines[-1]
            join = None
            if mode == "markdown":
                if not (_ITEM_RE.match(content) or content.startswith(("#", "|"))):
                    join = " "
            elif mode == "plain" and _wrapped(prev, line, width) and (
                    not _ITEM_RE.match(content) or prev.content[-1] not in _TERMINAL + ":;"):
                join = "" if prev.content[-1] == "-" and prev.content[-2:-1].isalpha() \
                    and content[0].islower() else " "
            if join is not None:
                current.lines.append(line)
                current.joins.append(join)
                continue
        current = _start(line, mode)
        current.blank_before = blank
        drafts.append(current)
        if current.kind in ("heading", "row"):
            current = None
        blank = False
    return drafts


def _is_debris_line(content: str, mode: str) -> bool:
    if mode == "markdown":
        if _MD_REFERENCE_RE.fullmatch(content):
            return True
        content = _MD_LINK_RE.sub(r"\1", content)
    if content.startswith("|"):
        return not any(c.isalnum() for c in content)  # a table row, or a Markdown table's |---| rule
    if mode != "plain" and (heading := _MD_HEADING_RE.fullmatch(content)):
        content = _without_closing_hashes(heading[2])
    elif item := _ITEM_RE.match(content):
        content = content[item.end():]
    return is_debris(content)


def _without_closing_hashes(text: str) -> str:
    """A Markdown heading's text without its optional closing ``#`` run ("Title ##" -> "Title")."""
    text = text.rstrip(" \t")
    bare = text.rstrip("#")
    return bare.rstrip(" \t") if bare != text and bare[-1:] in (" ", "\t") else text


def _without_row_edges(text: _Text) -> _Text:
    """A table row without the ``|`` runs at its start and end."""
    chars = text.text
    start = len(chars) - len(chars.lstrip("|"))
    end = max(start, len(chars.rstrip("|")))
    return text.replace([(0, start, []), (end, len(chars), [])])


def _start(line: _Line, mode: str) -> _Draft:
    content = line.content
    if mode != "plain" and (heading := _MD_HEADING_RE.fullmatch(content)):
        return _Draft("heading", [line], line.start + heading.start(2), level=len(heading[1]), indent=line.indent)
    if content.startswith("|"):
        return _Draft("row", [line], line.start, indent=line.indent)
    number = _NUMBER_RE.match(content)
    item = _ITEM_RE.match(content)
    if item:
        return _Draft("item", [line], line.start + item.end(), indent=line.indent,
                      number=number[1].rstrip(".") if number else None)
    return _Draft("paragraph", [line], line.start, indent=line.indent,
                  number=number[1].rstrip(".") if number else None)


def is_title_case(words: list[str]) -> bool:
    """Every word capitalised but minor ones after the first (\"Information We Collect About You\")."""
    words = [w.strip("\"'“”‘’()") for w in words]
    words = [w for w in words if w and w[0].isalpha()]
    return bool(words) and all(
        w[0].isupper() or (i > 0 and w.lower() in _MINOR_WORDS) for i, w in enumerate(words))


def _paragraph_like(draft: _Draft | None) -> bool:
    if draft is None or draft.kind != "paragraph":
        return False
    words = draft.text.text.split()
    return len(words) >= 20 or (len(words) >= 8 and draft.text.text[-1] in _TERMINAL + ":;")


def _follows(draft: _Draft, other: _Draft | None) -> bool:
    """Whether ``draft`` is the next item of the list ``other`` belongs to (same indent, next number)."""
    return (other is not None and other.kind == "item" and other.indent == draft.indent
            and draft.number is not None and other.number is not None
            and draft.number.isdigit() and other.number.isdigit() and int(draft.number) == int(other.number) + 1)


def _heading_level(draft: _Draft, prev: _Draft | None, nxt: _Draft | None, mode: str) -> int | None:
    """The level of ``draft`` if its shape makes it a heading, else ``None``."""
    if len(draft.lines) > 1 or draft.kind not in ("paragraph", "item"):
        return None
    line = draft.lines[0].content
    text = line[len(draft.number) + 1:].strip() if draft.number and draft.kind == "paragraph" else draft.text.text
    words = text.split()
    if (not words or len(words) > MAX_HEADING_WORDS or not line[0].isalnum() or not text[0].isalnum()
            or line[-1] in ".,;:" or "@" in line or "://" in line):
        return None
    if draft.kind == "item" and draft.number is None:
        return None  # bullets, "1)" and "a)" mark list items
    prev_ok = draft.blank_before or prev is None or prev.kind == "heading" or prev.text.text.endswith(tuple(_TERMINAL))
    if draft.number:
        if _follows(draft, prev) or (nxt is not None and _follows(nxt, draft)):
            # a numbered list, unless the item is a Title Case title over a long item ("1. Sharing With Law
            # Enforcement" / "2. We cooperate with ...", as pages that number every block are copied)
            long_next = nxt is not None and len(nxt.text.text.split()) >= 20
            return 1 if len(words) >= 3 and is_title_case(words) and long_next else None
        return draft.number.count(".") + 1
    if ": " in text:
        return None  # "Email: privacy@…", "Last revision: May 2024" are fields
    if _TITLE_QUESTION_RE.match(text) and (prev_ok or draft.blank_before):
        return 1  # "How we use your information", "What we collect": a question asked as a title
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return 1 if (len(words) >= 2 and (prev_ok or _paragraph_like(nxt))) or (prev_ok and _paragraph_like(nxt)) \
            else None
    if is_title_case(words):
        if prev is None:
            return 1  # the document's title
        lead_in = _paragraph_like(nxt) or (draft.blank_after and nxt is not None and nxt.kind == "item")
        return 1 if prev_ok and lead_in else None
    if mode != "html" and draft.blank_before and draft.blank_after and _paragraph_like(nxt):
        return 1
    return None


def _levels(drafts: list[_Draft]) -> None:
    """Give list items their nesting depth from indentation; any other block ends the list."""
    stack: list[int] = []
    for draft in drafts:
        if draft.kind != "item":
            stack.clear()
            continue
        while stack and stack[-1] > draft.indent:
            stack.pop()
        if not stack or stack[-1] < draft.indent:
            stack.append(draft.indent)
        draft.level = len(stack)


def blocks(document: Document) -> list[Block]:
    """Cut ``document.text`` into cleaned heading, paragraph and item blocks, in document order.

    Heading levels come from numbering depth ("2.3" is 2), Markdown ``#`` or HTML ``<hN>``, else 1; item levels
    from indentation. Heading text keeps its number ("2. What we collect"); item text loses its marker.
    """
    mode = {"text/html": "html", "text/markdown": "markdown"}.get(document.media_type, "plain")
    drafts = _draft(document.text, mode)
    for draft in drafts:
        raw = _Text()
        first = draft.lines[0]
        start = draft.start
        raw.add(document.text[start:first.end], start)
        for line, join in zip(draft.lines[1:], draft.joins):
            if join:
                raw.put(join, raw.offsets[-1] + 1)
            raw.add(line.content, line.start)
        if draft.kind == "row":
            raw = _without_row_edges(raw)
        if draft.cells is not None:
            raw = raw.replace(row_edits(draft.cells, len(raw.chars)))  # "a | b": cells as Markdown writes them
        draft.text = _clean(raw, markdown=mode == "markdown")
    drafts = [d for d in drafts if d.text.chars]
    for i, draft in enumerate(drafts):
        level = _heading_level(draft, drafts[i - 1] if i else None, drafts[i + 1] if i + 1 < len(drafts) else None,
                               mode)
        if level is not None:
            draft.kind, draft.level = "heading", level
            if draft.number and draft.start != draft.lines[0].start:  # an "item" keeps its number as a heading
                marker = document.text[draft.lines[0].start:draft.start]
                number = _Text()
                number.add(marker.rstrip(), draft.lines[0].start)
                number.put(" ", draft.lines[0].start + len(marker.rstrip()))
                draft.text = _Text(number.chars + draft.text.chars, number.offsets + draft.text.offsets)
    _levels(drafts)
    result = []
    for draft in drafts:
        for kind, text, level in _unglue(draft):
            offsets = text.offsets
            result.append(Block(kind, text.text, (*offsets, offsets[-1] + 1), level))
    return result


def _unglue(draft: _Draft) -> list[tuple[str, _Text, int]]:
    """The blocks a draft stands for: itself, or, where a page lost its line breaks, the ALL CAPS heading glued
    to the start of a paragraph and the list items written inline after their bullets."""
    text, kind, level = draft.text, draft.kind, draft.level
    out: list[tuple[str, _Text, int]] = []
    if kind == "paragraph" and (glued := _GLUED_HEADING_RE.match(text.text) or _LABEL_RE.match(text.text)):
        end = glued.end(1)  # a label ("Analytics: We use ...") heads its sentence, below the current heading
        out.append(("heading", _Text(text.chars[:end], text.offsets[:end]), 1 if glued.re is _GLUED_HEADING_RE else 6))
        rest = len(text.chars) - len(text.text[glued.end():])
        text = _Text(text.chars[rest:], text.offsets[rest:])
    if kind in ("paragraph", "item"):
        cuts = [m.start() for m in _INLINE_BULLET_RE.finditer(text.text)]
        if cuts and (len(cuts) >= 2 or text.text[:cuts[0]].rstrip().endswith((":", ".", ";", "!", "?"))):
            pieces = [(kind, 0, cuts[0])] + [("item", a + 1, b) for a, b in zip(cuts, cuts[1:] + [len(text.chars)])]
            for piece_kind, start, end in pieces:
                while start < end and text.chars[start] == " ":
                    start += 1
                while end > start and text.chars[end - 1] == " ":
                    end -= 1
                if start < end:  # inline items sit one level below the block that holds them
                    out.append((piece_kind, _Text(text.chars[start:end], text.offsets[start:end]),
                                level if piece_kind == kind else level + 1))
            return out
    return out + [(kind, text, level)]

"""Tables in plain text: the lines of a table copied from a web page or laid out in columns, found by shape.

Three shapes are recognised, each needing a header line and at least one row under it, on consecutive lines:

- **tab-separated** lines (a copied HTML table): each tab ends a cell, a row with fewer cells than the header lost
  its empty last ones (line ends are stripped);
- **aligned columns**, two spaces or more apart: every cell of a row starts where a header cell starts (or ends
  where it ends: right-aligned numbers), so a row may leave a column empty;
- **one space apart** only under a header made of known column labels (``kg/extract/rules/tables.jsonl``, e.g.
  "Cookie Name Duration Purpose") with at least three columns, one of them a duration and at most one free text:
  each row must then split by type ("_ga 2 Years Tracking user access" -> "_ga" | "2 Years" | "Tracking user
  access"), or the table ends.

A header's cells are short labels (at most six words, not ending with ``. , ; :``): two sentences a double space
apart, or "Email:<tab>privacy@acme.com", are no table. A line starting with ``|`` is a Markdown-style row and left
to :mod:`kg.ingest.clean`. Every step is linear in the length of the text.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

Cells = list[tuple[int, int] | None]  # a row's cells by column: (start, end) in the line's content, None if empty
_GAP_RE = re.compile(r"[ \t]{2,}|\t")  # a column gap: a tab, or two spaces or more
_WORD_RE = re.compile(r"\S+")
_MARKER_RE = re.compile(r"[-*+•·▪◦‣∙●○■□–—]|\(?[0-9a-zA-Z]{1,4}[.)]")  # a list item's marker, not a cell
_NUMBER = r"(?:\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|an)"
_UNIT = r"(?:years?|yrs?|months?|weeks?|days?|hours?|hrs?|minutes?|mins?|seconds?|secs?)"
_DURATION_START_RE = re.compile(rf"{_NUMBER} {_UNIT}\b|session\b|persistent\b", re.I)
_DURATION_END_RE = re.compile(rf"(?<!\S){_NUMBER} {_UNIT}$|(?<!\S)session$|(?<!\S)persistent$", re.I)
MAX_LABEL_WORDS = 6
_RULES = Path(__file__).resolve().parents[1] / "extract" / "rules" / "tables.jsonl"


class Line(Protocol):
    content: str  # the line without its indentation and trailing blanks
    indent: int  # columns of indentation


@cache
def column_labels() -> dict[tuple[str, ...], str]:
    """The words of each column label of ``rules/tables.jsonl`` -> how a one-space row splits in that column
    ("token", "duration" or "text")."""
    out: dict[tuple[str, ...], str] = {}
    for line in _RULES.read_text(encoding="utf-8").splitlines():
        if line.startswith("{"):
            rule = json.loads(line)
            for label in rule.get("labels", ()) if rule["kind"] == "column" else ():
                out[tuple(label.lower().split())] = rule.get("split", "text")
    return out


def table_rows(lines: Sequence[Line | None]) -> dict[int, Cells]:
    """The lines (by index; ``None`` is a blank line) that are rows of a plain-text table, header included, with
    their cells."""
    rows: dict[int, Cells] = {}
    i = 0
    while i < len(lines):
        found = _tabbed(lines, i) or _aligned(lines, i) or _typed(lines, i)
        if found:
            rows.update(found)
            i = max(found) + 1
        else:
            i += 1
    return rows


def _label_like(content: str, cells: Cells) -> bool:
    texts = [content[c[0]:c[1]] for c in cells if c]
    return len(texts) >= 2 and not _MARKER_RE.fullmatch(texts[0]) \
        and all(len(t.split()) <= MAX_LABEL_WORDS and t[-1] not in ".,;:" for t in texts)


def _gaps(content: str) -> list[tuple[int, int]]:
    return [m.span() for m in _GAP_RE.finditer(content)]


def _split(content: str, gaps: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The text between the gaps."""
    edges = [0] + [x for gap in gaps for x in gap] + [len(content)]
    return list(zip(edges[::2], edges[1::2]))


def _tab_cells(content: str) -> Cells:
    """Cells between single tabs (two tabs in a row: an empty cell), blanks around a cell excluded."""
    out: Cells = []
    start = 0
    for end in [i for i, c in enumerate(content) if c == "\t"] + [len(content)]:
        a, b = start, end
        while a < b and content[a] == " ":
            a += 1
        while b > a and content[b - 1] == " ":
            b -= 1
        out.append((a, b) if a < b else None)
        start = end + 1
    return out


def _tabbed(lines: Sequence[Line | None], i: int) -> dict[int, Cells]:
    header = lines[i]
    if header is None or "\t" not in header.content or header.content.startswith("|"):
        return {}
    cells = _tab_cells(header.content)
    if not _label_like(header.content, cells):
        return {}
    rows = {i: cells}
    for j in range(i + 1, len(lines)):
        line = lines[j]
        if line is None or "\t" not in line.content or line.content.startswith("|"):
            break
        row = _tab_cells(line.content)
        if len(row) > len(cells):
            break
        rows[j] = row + [None] * (len(cells) - len(row))
    return rows if len(rows) >= 2 else {}


def _aligned(lines: Sequence[Line | None], i: int) -> dict[int, Cells]:
    header = lines[i]
    if header is None or "  " not in header.content or "\t" in header.content or header.content.startswith("|"):
        return {}
    spans = _split(header.content, _gaps(header.content))
    if len(spans) < 2 or not _label_like(header.content, list(spans)):
        return {}
    starts = {header.indent + a: k for k, (a, _) in enumerate(spans)}
    ends = {header.indent + b: k for k, (_, b) in enumerate(spans)}
    rows: dict[int, Cells] = {i: list(spans)}
    for j in range(i + 1, len(lines)):
        line = lines[j]
        if line is None or "\t" in line.content or line.content.startswith("|"):
            break
        gaps = _gaps(line.content)
        if not gaps:
            break
        row: Cells = [None] * len(spans)
        last = -1
        for a, b in _split(line.content, gaps):
            column = starts.get(line.indent + a, ends.get(line.indent + b))
            if column is None or column <= last:
                row = []
                break
            row[column], last = (a, b), column
        if not row:
            break
        rows[j] = row
    return rows if len(rows) >= 2 else {}


def _typed(lines: Sequence[Line | None], i: int) -> dict[int, Cells]:
    header = lines[i]
    if header is None or header.content.startswith("|"):
        return {}
    types = _label_types(header.content)
    if types is None:
        return {}
    rows: dict[int, Cells] = {}
    for j in range(i + 1, len(lines)):
        line = lines[j]
        row = _typed_row(line.content, types) if line is not None else None
        if row is None:
            break
        rows[j] = row
    if not rows:
        return {}
    words = [m.span() for m in _WORD_RE.finditer(header.content)]
    cells: Cells = []
    for count in types[1]:
        cells.append((words[0][0], words[count - 1][1]))
        words = words[count:]
    return {i: cells, **rows}


def _label_types(content: str) -> tuple[list[str], list[int]] | None:
    """How a one-space table splits under a header line made only of column labels: each column's type and the
    number of header words of its label; ``None`` unless the line is such a header (three columns or more, one a
    duration, at most one free text)."""
    if len(content) > 40 * MAX_LABEL_WORDS:
        return None  # too long for a line of labels
    words = [w.strip(":*").lower() for w in content.split()]
    labels = column_labels()
    if not 3 <= len(words) <= 3 * MAX_LABEL_WORDS:
        return None
    # best[k]: the fewest labels that make up words[:k], and the last label's length
    best: list[tuple[int, int] | None] = [(0, 0)] + [None] * len(words)
    for k in range(1, len(words) + 1):
        for n in range(1, min(MAX_LABEL_WORDS, k) + 1):
            prev, current = best[k - n], best[k]
            if prev is not None and tuple(words[k - n:k]) in labels and (current is None or prev[0] + 1 < current[0]):
                best[k] = (prev[0] + 1, n)
    if best[-1] is None:
        return None
    counts: list[int] = []
    k = len(words)
    while k:
        step = best[k]
        assert step is not None  # best[-1] is set, so is every k on its way back
        counts.append(step[1])
        k -= step[1]
    counts.reverse()
    types, k = [], 0
    for n in counts:
        types.append(labels[tuple(words[k:k + n])])
        k += n
    if len(types) < 3 or "duration" not in types or types.count("text") > 1:
        return None
    return types, counts


def _typed_row(content: str, header: tuple[list[str], list[int]]) -> Cells | None:
    """A one-space row cut by its columns' types, or ``None`` if it does not fit them."""
    types = header[0]
    if content.startswith("|") or "\t" in content or "  " in content:
        return None
    free = types.index("text") if "text" in types else len(types)
    cells: Cells = [None] * len(types)
    start, end = 0, len(content)
    for k in range(free):  # from the left up to the free-text column
        cell = _take(content, start, end, types[k], from_left=True)
        if cell is None:
            return None
        cells[k], start = cell, min(cell[1] + 1, end)
    for k in range(len(types) - 1, free, -1):  # from the right down to it
        cell = _take(content, start, end, types[k], from_left=False)
        if cell is None:
            return None
        cells[k], end = cell, max(cell[0] - 1, start)
    if free < len(types):
        if start >= end:
            return None
        cells[free] = (start, end)
    elif start < end:
        return None  # words left over
    return cells


def _take(content: str, start: int, end: int, kind: str, from_left: bool) -> tuple[int, int] | None:
    """The cell of type ``kind`` (a word, or a duration) at the start or the end of ``content[start:end]``."""
    if start >= end:
        return None
    if kind == "duration":
        if from_left:
            m = _DURATION_START_RE.match(content, start, end)
            return m.span() if m and (m.end() == end or content[m.end()] == " ") else None
        m = _DURATION_END_RE.search(content, start, end)
        return m.span() if m else None
    if kind != "token":
        return None
    if from_left:
        stop = content.find(" ", start, end)
        return (start, stop if stop >= 0 else end)
    space = content.rfind(" ", start, end)
    return (space + 1 if space >= 0 else start, end)


def row_edits(cells: Cells, length: int) -> list[tuple[int, int, list[tuple[str, int]]]]:
    """Edits (for ``kg.ingest.clean._Text.replace``) that write a plain-text row as "a | b | c": each gap between
    cells becomes `` | `` (one per column it spans), an empty first or last cell a bar of its own. The characters
    written point into the gap they stand for (several at one offset where the gap is shorter than they are)."""
    filled = [(k, c) for k, c in enumerate(cells) if c is not None]
    if not filled:
        return []
    edits: list[tuple[int, int, list[tuple[str, int]]]] = []
    first, (start, _) = filled[0]
    if first:
        edits.append((start, start, [(char, start) for char in "| " * first]))
    for (k, (_, end)), (m, (nxt, _)) in zip(filled, filled[1:]):
        produced = " | " * (m - k)
        edits.append((end, nxt, [(char, end + j * (nxt - end) // len(produced)) for j, char in enumerate(produced)]))
    last, (_, end) = filled[-1]
    if last < len(cells) - 1:
        edits.append((end, length, [(char, end - 1) for char in " |" * (len(cells) - 1 - last)]))
    return edits

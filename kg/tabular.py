"""Rows for people and for programs: delimited text (CSV, TSV) written by the ``csv`` module, and aligned tables
that fit a given width (cells cut with an ellipsis only when a width is given: for a terminal).

>>> print(fit_table(["name", "note"], [["acme", "a rather long note"]], width=20))
name  note
----  --------------
acme  a rather long…
>>> delimited(["a", "b"], [["x\\ty", 'a "b" c']], "tsv").splitlines()
['a\\tb', '"x\\ty"\\t"a ""b"" c"']
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

DELIMITED = ("csv", "tsv")
GAP = "  "  # between two table columns
MIN_COLUMN = 6  # a column is never cut narrower than this (or its widest cell, when that is narrower)


def delimited(header: Sequence[str], rows: Iterable[Sequence[object]], fmt: str = "csv") -> str:
    """``header`` and ``rows`` as CSV (RFC 4180: comma, ``\\r\\n`` line ends, as the SPARQL 1.1 CSV results format
    asks) or TSV (the csv module's ``excel-tab`` dialect with ``\\n`` line ends: a cell holding a tab, a line break
    or a double quote is quoted, its quotes doubled, so every row reads back as written). ``None`` is an empty
    cell."""
    out = io.StringIO()
    if fmt == "tsv":
        writer = csv.writer(out, dialect="excel-tab", lineterminator="\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
    else:
        raise ValueError(f"unknown delimited format {fmt!r}")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue()


def column_widths(natural: Sequence[int], width: int | None) -> list[int]:
    """Each column's width: its ``natural`` width (its widest cell) when the table fits in ``width`` characters
    (or ``width`` is None); else the widest columns are narrowed to one common cap, the largest that fits, no
    column below ``MIN_COLUMN``.

    >>> column_widths([4, 30, 50], 40)
    [4, 16, 16]
    >>> column_widths([4, 30, 50], None)
    [4, 30, 50]
    """
    gaps = len(GAP) * max(len(natural) - 1, 0)
    if width is None or sum(natural) + gaps <= width:
        return list(natural)
    room = width - gaps
    low, high = MIN_COLUMN, max(natural)
    while low < high:  # the largest cap with sum(min(w, cap)) <= room
        cap = (low + high + 1) // 2
        if sum(min(w, cap) for w in natural) <= room:
            low = cap
        else:
            high = cap - 1
    return [min(w, low) for w in natural]


def cut(text: str, width: int) -> str:
    """``text`` in ``width`` characters: cut with an ellipsis when longer."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def fit_table(header: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None) -> str:
    """Aligned columns under a header and a rule line. With ``width`` (a terminal's), the table is at most that
    wide: the widest columns are narrowed and their cells cut with "…"; without, nothing is cut."""
    natural = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    widths = column_widths(natural, width)
    lines = [GAP.join(cut(c, w).ljust(w) for c, w in zip(r, widths)).rstrip() for r in [list(header), *rows]]
    lines.insert(1, GAP.join("-" * w for w in widths))
    return "\n".join(lines)


__all__ = ["DELIMITED", "column_widths", "cut", "delimited", "fit_table"]

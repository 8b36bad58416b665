"""Find calendar dates in policy text and the policy's version date ("Last updated: July 22, 2018").

Formats read, all returned as ISO ``yyyy-mm-dd``:

* "December 12, 2023", "Dec. 12, 2023", "Dec 12th 2023"; "12 December 2023", "12th of December, 2023"
* "2023-12-12" (also with "/" or "."), "12/12/2023" and "12-12-2023" (month first, as in the US, unless the first
  number is over 12: "25/12/2023" is 25 December), "12.12.2023" (day first)
* "December 2023" -> "2023-12-01": a month without a day stands for its first day (the span shows the precision).

Years 1900-2099 only; impossible dates ("February 30, 2023") are not dates. Month names must be capitalised
("may 2023" is not read) so the modal "may" and the verb "march" are not taken for months.
"""
from __future__ import annotations

import re
from datetime import date

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
POLICY_DATE_CUES = (
    "date of last revision", "date of last update", "last updated", "last update", "last modified", "last revised",
    "last revision", "last amended", "last changed", "last reviewed", "revision date", "effective date",
    "effective as of", "effective from", "effective on", "effective", "updated on", "updated", "revised on",
    "revised", "modified on", "modified", "version date", "dated", "as of",
)

_MONTH = r"\b(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)(?!\d)"
_PATTERNS = (
    re.compile(rf"{_MONTH}\s+{_DAY}(?:\s*,\s*|\s+){_YEAR}", re.I),  # December 12, 2023
    re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MONTH}(?:\s*,\s*|\s+){_YEAR}", re.I),  # 12th of December, 2023
    re.compile(rf"{_MONTH}\s*,?\s+{_YEAR}", re.I),  # December 2023
    re.compile(r"(?<![\d./-])(?P<year>(?:19|20)\d\d)(?P<sep>[-/.])(?P<mon>[01]?\d)(?P=sep)(?P<day>[0-3]?\d)"
               r"(?![\d]|[./-]\d)"),  # 2023-12-12
    re.compile(r"(?<![\d./-])(?P<a>[0-3]?\d)(?P<sep>[-/.])(?P<b>[0-3]?\d)(?P=sep)(?P<year>(?:19|20)\d\d)"
               r"(?![\d]|[./-]\d)"),  # 12/12/2023, 12.12.2023
)
_CUE = re.compile(r"\b(?:" + "|".join(sorted((c.replace(" ", r"\s+") for c in POLICY_DATE_CUES), key=len,
                                              reverse=True)) + r")\b", re.I)
_GAP = re.compile(r"[^\n\d.;!?]{0,40}")  # words between a cue and its date: "Last updated on our website on"
_BLANK = re.compile(r"[\s:\-–—]*")  # or only blanks: the cue on one line, the date on the next


def _iso(m: re.Match) -> str | None:
    groups = m.groupdict()
    if groups.get("sep") and groups.get("a"):
        a, b = int(groups["a"]), int(groups["b"])
        month, day = (b, a) if groups["sep"] == "." or a > 12 else (a, b)
    else:
        mon = groups["mon"]
        if not mon.isdigit() and not mon[0].isupper():
            return None
        month = int(mon) if mon.isdigit() else MONTHS[mon.lower()]
        day = int(groups.get("day") or 1)
    try:
        return date(int(groups["year"]), month, day).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[int, int, str]]:
    """Every date in ``text``: ``(start, end, "yyyy-mm-dd")``, non-overlapping, in text order."""
    found = [(m.start(), m.end(), iso) for rx in _PATTERNS for m in rx.finditer(text) if (iso := _iso(m))]
    chosen: list[tuple[int, int, str]] = []
    for hit in sorted(found, key=lambda h: (h[0] - h[1], h[0])):
        if all(hit[1] <= s or hit[0] >= e for s, e, _ in chosen):
            chosen.append(hit)
    return sorted(chosen)


def find_policy_date(text: str) -> tuple[int, int, str] | None:
    """The first date that follows a version cue ("Last updated", "Effective date", ...) in the same line.

    Returns ``(start, end, iso)`` where ``text[start:end]`` runs from the cue to the end of the date
    ("Last updated: July 22, 2018"); None when no cue is followed by a date.
    """
    cues = list(_CUE.finditer(text))
    if not cues:  # most sentences: no need to look for dates
        return None
    dates = find_dates(text)
    for cue in cues:
        for start, end, iso in dates:
            if start < cue.end():
                continue
            if _GAP.fullmatch(text, cue.end(), start) or _BLANK.fullmatch(text, cue.end(), start):
                return cue.start(), end, iso
            break
    return None

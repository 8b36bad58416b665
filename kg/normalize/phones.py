"""Find telephone numbers in policy text and normalise them.

Two shapes are read:

* North American numbers, with or without the country code: "(418) 937-4447", "1-800-555-0199", "310.532.5000",
  "+1 418 555 0100" -> "+1 418 937 4447". Area code and exchange must start with 2-9, and the groups must be
  separated (a bare run of ten digits is more often an ID than a phone number).
* International numbers written with "+" or "00": "+44 20 7946 0958", "+44 (0)20 7946 0958", "0044 20 7946 0958"
  -> "+44 20 7946 0958" (the writer's grouping, single spaces, the trunk "(0)" dropped); "+442079460958" stays
  "+442079460958". 8 to 15 digits (E.164).

An extension ("ext. 12", "x12") is kept as " ext. 12". National numbers outside North America without "+"
("020 7946 0958") are not read: their country cannot be told from the text.
"""
from __future__ import annotations

import re

_EXT = r"(?:\s*(?:,\s*)?(?:ext\.?|extension|x)\s*(?P<ext>\d{1,5}))?"
_END = r"(?![\w]|[-.]\d)"
NANP_RE = re.compile(
    r"(?<![\w+])(?<!\d[-./])(?:(?P<cc>\+?1)\s*[-.]?\s*)?"
    r"(?:\(\s*(?P<area1>[2-9]\d\d)\s*\)\s*[-.]?\s*|(?P<area2>[2-9]\d\d)(?:\s*[-.]\s*|\s+))"
    rf"(?P<exchange>[2-9]\d\d)(?:\s*[-.]\s*|\s+)(?P<line>\d{{4}}){_EXT}{_END}", re.I)
INTL_RE = re.compile(
    r"(?<![\w+])(?:\+|(?<!\d)00)\s?(?P<body>\d{1,4}(?:[ .-]?\(0\))?(?:[ .-]?\(?\d{1,6}\)?){0,6})"
    rf"{_EXT}{_END}", re.I)


def _nanp(area: str, exchange: str, line: str, ext: str | None) -> str:
    return f"+1 {area} {exchange} {line}" + (f" ext. {ext}" if ext else "")


def _normalise(m: re.Match) -> str | None:
    if m.re is NANP_RE:
        return _nanp(m["area1"] or m["area2"], m["exchange"], m["line"], m["ext"])
    groups = re.split(r"[\s.()-]+", m["body"].replace("(0)", " "))
    groups = [g for g in groups if g]
    digits = "".join(groups)
    if not 8 <= len(digits) <= 15:
        return None
    if len(digits) == 11 and digits[0] == "1" and digits[1] in "23456789" and digits[4] in "23456789":
        return _nanp(digits[1:4], digits[4:7], digits[7:], m["ext"])
    return "+" + " ".join(groups) + (f" ext. {m['ext']}" if m["ext"] else "")


def find_phones(text: str) -> list[tuple[int, int, str]]:
    """Every telephone number in ``text``: ``(start, end, normalised)``, non-overlapping, in text order."""
    found = [(m.start(), m.end(), phone) for rx in (NANP_RE, INTL_RE) for m in rx.finditer(text)
             if (phone := _normalise(m))]
    chosen: list[tuple[int, int, str]] = []
    for hit in sorted(found, key=lambda h: (h[0] - h[1], h[0])):
        if all(hit[1] <= s or hit[0] >= e for s, e, _ in chosen):
            chosen.append(hit)
    return sorted(chosen)


def normalize_phone(s: str) -> str | None:
    """The normalised form of a string that is one telephone number ("(418) 937-4447" -> "+1 418 937 4447")."""
    s = s.strip()
    for rx in (NANP_RE, INTL_RE):
        m = rx.fullmatch(s)
        if m and (phone := _normalise(m)):
            return phone
    return None

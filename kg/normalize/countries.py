"""Country names and aliases -> ISO 3166-1 alpha-2 codes, from ``countries.tsv``.

A name matches as written in the table or in capitals ("Canada", "CANADA"); abbreviations ("US", "U.S.", "UK")
match only as written, so the pronoun "us" is never the United States. A bare "US" between capitalised words
("CONTACT US", "ABOUT US NOW") is taken for the pronoun in a shouted heading and skipped.
"""
from __future__ import annotations

import re
from functools import cache
from importlib.resources import files


@cache
def _table() -> tuple[dict[str, str], dict[str, str]]:
    """(code -> name, form as written -> code) read from ``countries.tsv``."""
    names: dict[str, str] = {}
    forms: dict[str, str] = {}
    for line in files(__package__).joinpath("countries.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, name, *rest = line.split("\t")
        names[code] = name
        for form in [name, *(rest[0].split("|") if rest and rest[0] else [])]:
            forms[form] = code
            if not _is_abbreviation(form):
                forms.setdefault(form.upper(), code)
    return names, forms


def _is_abbreviation(form: str) -> bool:
    return form.replace(".", "").isupper() and len(form.replace(".", "")) <= 4


@cache
def _pattern() -> re.Pattern:
    forms = sorted(_table()[1], key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms) + r")(?!\w)")


def _shouted_pronoun(text: str, start: int, end: int) -> bool:
    """A bare "US" next to another all-capital word: "CONTACT US"."""
    before = re.search(r"([A-Za-z]+)\s+$", text[:start])
    after = re.match(r"\s+([A-Za-z]+)", text[end:])
    return any(m and len(m.group(1)) > 1 and m.group(1).isupper() for m in (before, after))


def find_countries(text: str) -> list[tuple[int, int, str]]:
    """Every country named in ``text``: ``(start, end, alpha-2 code)`` in text order."""
    forms = _table()[1]
    out = []
    for m in _pattern().finditer(text):
        form = " ".join(m.group().split())
        if form == "US" and _shouted_pronoun(text, m.start(), m.end()):
            continue
        out.append((m.start(), m.end(), forms[form]))
    return out


def country_code(text: str) -> str | None:
    """The alpha-2 code of the last country named in ``text`` (the country line of an address), or None.

    ``country_code("132 Ch. des Buttes, Havre aux Maisons G4T 5L3, Canada") == "CA"``.
    """
    found = find_countries(text)
    return found[-1][2] if found else None


def country_name(code: str) -> str | None:
    """English short name of an alpha-2 code ("CA" -> "Canada"), or None when the table does not have it."""
    return _table()[0].get(code.upper()) if code else None

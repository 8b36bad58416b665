"""Organisation names: clean them, recognise legal suffixes ("Inc.", "GmbH"), compare and slug them.

``same_organisation("CONNACT Cloud ltd.", "Connact Cloud Ltd")`` is True: names are compared without case,
punctuation, a leading "The" or a legal suffix. ``slug`` gives the stable ASCII key used in organisation IRIs.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

LEGAL_SUFFIXES: tuple[str, ...] = (
    "Inc.", "Inc", "Incorporated", "Corp.", "Corp", "Corporation", "LLC", "L.L.C.", "Ltd.", "Ltd", "ltd.", "ltd",
    "Limited", "GmbH", "AG", "S.A.", "SA", "SAS", "SARL", "B.V.", "BV", "N.V.", "NV", "Pty Ltd", "Pty. Ltd.",
    "Pvt. Ltd.", "Pvt Ltd", "Private Limited", "PLC", "plc", "LLP", "LP", "L.P.", "Co.", "Company", "S.r.l.",
    "S.p.A.", "SE", "Oy", "AB", "AS", "A/S", "ApS", "K.K.",
)
"""Legal-form suffixes as written in names (case variants listed: callers build case-sensitive patterns)."""

_QUOTES = "\"'“”‘’«»„`"
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l",
                       "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ı": "i"})


def _suffix_pattern(suffix: str) -> str:
    """Short all-capital forms ("AG", "AS", "SE") must match as written; longer ones in any case."""
    body = re.escape(suffix).replace(r"\ ", r"\s+")
    return body if len(suffix) <= 3 and suffix.isalpha() and suffix.isupper() else f"(?i:{body})"


_SUFFIX_RE = re.compile(r"(?:^|[\s,]+)(?:" + "|".join(
    _suffix_pattern(s) for s in sorted(LEGAL_SUFFIXES, key=len, reverse=True)) + r")(?!\w)\s*$")
_SUFFIX_WITH_DOT = re.compile(r"(?:^|\s)(?:" + "|".join(
    f"(?i:{re.escape(s)})" for s in LEGAL_SUFFIXES if s.endswith(".")) + r")$")


def clean_name(s: str) -> str:
    """Collapse whitespace, strip quotes, a leading "the" and trailing punctuation (keeping the dot of "Inc.")."""
    name = " ".join(s.split()).strip(_QUOTES + " ")
    name = re.sub(r"^the\s+", "", name, flags=re.I)
    while name and name[-1] in _QUOTES + ",;:!?)]}-–—." and not _SUFFIX_WITH_DOT.search(name):
        name = name[:-1].rstrip()
    return name.strip(_QUOTES + " ")


def _split(name: str) -> tuple[str, bool]:
    """(cleaned name without its legal suffix, whether it had one); a bare suffix ("Company") is kept as the name."""
    cleaned = clean_name(name)
    stripped = _SUFFIX_RE.sub("", cleaned).rstrip(" ,")
    return (stripped, True) if stripped and stripped != cleaned else (cleaned, False)


def has_legal_suffix(name: str) -> bool:
    """True when the name ends with a legal form: "CubeSoft Communications Inc.", "CONNACT Cloud ltd."."""
    return _split(name)[1]


def strip_legal_suffix(name: str) -> str:
    """The cleaned name without its final legal form and the comma before it ("Acme, Inc." -> "Acme")."""
    return _split(name)[0]


def slug(name: str) -> str:
    """Lowercase ASCII key, accents folded, other runs of characters -> "-".

    "CubeSoft Communications Inc." -> "cubesoft-communications-inc". A name with no Latin letters or digits
    gets "org-" and a hash of the name, so two such names never share a slug.
    """
    folded = unicodedata.normalize("NFKD", name.translate(_FOLD))
    ascii_ = folded.encode("ascii", "ignore").decode("ascii").lower()
    key = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")
    if key:
        return key
    return "org-" + hashlib.sha1(unicodedata.normalize("NFC", name.strip()).encode("utf-8")).hexdigest()[:10]


def organisation_keys(name: str) -> set[str]:
    """Comparison keys of a name with and without its legal suffix ("AA SA" may be a name or "AA" + "SA"): two names
    share one when they denote the same organisation (an index of names by these keys finds one in a set)."""
    return {slug(n.replace("&", " and ")).replace("-", "") for n in (clean_name(name), strip_legal_suffix(name)) if n}


def same_organisation(a: str, b: str) -> bool:
    """Whether two names denote the same organisation, ignoring case, punctuation, "the" and legal suffixes."""
    return bool(organisation_keys(a) & organisation_keys(b))

"""Find, de-obfuscate and normalise e-mail addresses in policy text.

Policies hide contact addresses from scrapers: ``billing[@]example.com``, ``privacy (at) example (dot) com``,
``dpo AT example DOT com``, ``info @ example . com``. Cloudflare replaces them with ``[email protected]``; that
placeholder cannot be recovered from text (see :func:`is_cloudflare_placeholder`).
All spans are ``(start, end, address)`` with ``text[start:end]`` the address as written.
"""
from __future__ import annotations

import re

_LOCAL = r"[\w%+-]+(?:\.[\w%+-]+)*"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_DOMAIN = rf"(?:{_LABEL}\.)+[^\W\d_]{{2,63}}"

EMAIL_RE = re.compile(rf"(?<![\w.%+-])(?P<local>{_LOCAL})@(?P<domain>{_DOMAIN})(?![\w-])")
"""A plain address in running text, e.g. ``privacy@example.com``."""

_ADDRESS_RE = re.compile(rf"(?P<local>{_LOCAL})@(?P<domain>{_DOMAIN})")

_OPEN, _CLOSE = r"[\[({]", r"[\])}]"
# Markers an obfuscated address uses in place of "@" and "."; the whitespace around them belongs to the marker.
_AT = (
    rf"\s*{_OPEN}\s*(?:@|[aA][tT])\s*{_CLOSE}\s*"  # [@] (at) {AT}
    r"|\s+AT\s+"  # bare upper case, checked in _plausible
    r"|\s+@\s*|\s*@\s+|@"  # spaced, or plain when a dot marker is obfuscated
)
_DOT = (
    rf"\s*{_OPEN}\s*(?:\.|[dD][oO][tT])\s*{_CLOSE}\s*"  # [.] (dot) {DOT}
    r"|\s+DOT\s+"
    r"|\s+\.\s+|\."  # " . " needs spaces on both sides, so a full stop ending a sentence is not a dot
)
_OBFUSCATED_RE = re.compile(
    rf"(?<![\w.%+-])(?P<local>{_LOCAL})(?P<at>{_AT})(?P<domain>{_LABEL}(?:(?:{_DOT}){_LABEL})+)(?![\w-])"
)
_MARKER_RE = re.compile(rf"(?P<at>{_AT})|(?P<dot>{_DOT})")
# every _AT marker holds "@", "AT" or a bracketed "at": a text with none of them has no obfuscated address (speed)
_BRACKETED_AT = re.compile(rf"{_OPEN}\s*[aA][tT]\s*{_CLOSE}")

CLOUDFLARE_RE = re.compile(r"\[\s*email(?:\s|&#160;|&nbsp;)*protected\s*\]", re.IGNORECASE)
"""Cloudflare's e-mail protection placeholder, as it survives in copied page text."""

_TRAILING = ".,;:!?)]}>\"'’”"
_LEADING = "(<[{\"'‘“"


def normalize_email(s: str) -> str | None:
    """Return ``s`` as a canonical address (domain lower-cased), or ``None`` if it is not one address.

    Strips a ``mailto:`` prefix and query, angle brackets, quotes and trailing punctuation.

    >>> normalize_email("mailto:Privacy@Example.COM.")
    'Privacy@example.com'
    >>> normalize_email("privacy at example") is None
    True
    """
    s = s.strip().strip(_LEADING).rstrip(_TRAILING).strip()
    if s[:7].lower() == "mailto:":
        s = s[7:].split("?", 1)[0]
    match = _ADDRESS_RE.fullmatch(s)
    if match is None or len(s) > 254 or len(match["local"]) > 64:
        return None
    return f"{match['local']}@{match['domain'].lower()}"


def _plausible(written: str, markers: list[re.Match[str]]) -> bool:
    """Whether a candidate obfuscation is clearly an address rather than prose."""
    kinds = [m.group() for m in markers]
    if all(k in ("@", ".") for k in kinds):
        return False  # a plain address: EMAIL_RE's business
    if any(k.strip() in ("AT", "DOT") for k in kinds):
        # Bare "AT"/"DOT" reads as an address only against a lower-case domain and a local part not in capitals.
        local, domain = _deobfuscate(written).split("@", 1)
        if local.isupper() or domain != domain.lower():
            return False
    return True


def _deobfuscate(written: str) -> str:
    """Replace every marker in ``written`` by ``@`` or ``.``."""
    return _MARKER_RE.sub(lambda m: "@" if m["at"] is not None else ".", written)


def _obfuscated(text: str) -> list[tuple[re.Match[str], list[re.Match[str]], str]]:
    found: list[tuple[re.Match[str], list[re.Match[str]], str]] = []
    if "@" not in text and "AT" not in text and not _BRACKETED_AT.search(text):
        return found
    for match in _OBFUSCATED_RE.finditer(text):
        markers = list(_MARKER_RE.finditer(text, match.start("at"), match.end()))
        if not _plausible(match.group(), markers):
            continue
        address = normalize_email(_deobfuscate(match.group()))
        if address is not None:
            found.append((match, markers, address))
    return found


def find_obfuscated(text: str) -> list[tuple[int, int, str]]:
    """Find obfuscated addresses; return ``(start, end, normalised address)`` for each, in text order.

    Recognised: ``[@]``/``(at)``/``{at}``/``[dot]``-style markers, upper-case ``AT``/``DOT`` between lower-case
    words, and ``@``/``.`` padded with spaces. Prose such as "look at the data" never matches.

    >>> find_obfuscated("write to billing [at] example [dot] com today")
    [(9, 39, 'billing@example.com')]
    """
    return [(m.start(), m.end(), address) for m, _, address in _obfuscated(text)]


def deobfuscation_edits(text: str) -> list[tuple[int, int, str]]:
    """Return the minimal edits that turn each obfuscated address into a plain one.

    Each edit ``(start, end, "@" or ".")`` replaces one marker, padding included; local part and domain labels are
    left as written, so a cleaner that applies the edits keeps every other character where it was.

    >>> deobfuscation_edits("billing(at)x.com")
    [(7, 11, '@')]
    """
    edits = []
    for _, markers, _address in _obfuscated(text):
        for marker in markers:
            replacement = "@" if marker["at"] is not None else "."
            if marker.group() != replacement:
                edits.append((marker.start(), marker.end(), replacement))
    return edits


def find_emails(text: str) -> list[tuple[int, int, str]]:
    """Find plain and obfuscated addresses, normalised, in text order; overlapping finds keep the first.

    >>> find_emails("Email privacy@Example.com or dpo(at)example.com.")
    [(6, 25, 'privacy@example.com'), (29, 47, 'dpo@example.com')]
    """
    found = [(m.start(), m.end(), a) for m in EMAIL_RE.finditer(text) if (a := normalize_email(m.group()))] \
        if "@" in text else []
    found += find_obfuscated(text)
    found.sort(key=lambda f: (f[0], -f[1]))
    result: list[tuple[int, int, str]] = []
    for span in found:
        if not result or span[0] >= result[-1][1]:
            result.append(span)
    return result


def is_cloudflare_placeholder(text: str) -> bool:
    """Whether ``text`` contains Cloudflare's ``[email protected]`` placeholder (the address itself is lost).

    >>> is_cloudflare_placeholder("Contact: [email\\u00a0protected]")
    True
    """
    return CLOUDFLARE_RE.search(text) is not None

"""kg.normalize.emails: plain and obfuscated addresses, normalisation, Cloudflare's placeholder."""
from __future__ import annotations

import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.normalize import emails
from kg.normalize.emails import (EMAIL_RE, deobfuscation_edits, find_emails, find_obfuscated, is_cloudflare_placeholder,
                                 normalize_email)


@pytest.mark.parametrize(("raw", "expected"), [
    ("privacy@example.com", "privacy@example.com"),
    ("Privacy.Team@Example.CO.UK", "Privacy.Team@example.co.uk"),
    ("mailto:dpo@example.com?subject=Hello", "dpo@example.com"),
    ("<dpo@example.com>", "dpo@example.com"),
    ("privacy@pro-softnet.com.", "privacy@pro-softnet.com"),
    ("(support@calsoft.com);", "support@calsoft.com"),
    ("first+tag@sub.example.org", "first+tag@sub.example.org"),
])
def test_normalize_email_accepts(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize("raw", [
    "", "privacy", "privacy@", "@example.com", "privacy@example", "privacy@example.c0m", "a@b@example.com",
    "privacy at example dot com", "privacy@-example.com", "pri vacy@example.com", "x@" + "a" * 250 + ".com",
])
def test_normalize_email_rejects(raw: str) -> None:
    assert normalize_email(raw) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("billing[@]softsyshosting.com", "billing@softsyshosting.com"),
    ("billing [at] x [dot] com", "billing@x.com"),
    ("billing(at)x.com", "billing@x.com"),
    ("billing (AT) x (DOT) com", "billing@x.com"),
    ("billing {at} x {dot} com", "billing@x.com"),
    ("billing AT x DOT com", "billing@x.com"),
    ("billing @ x . com", "billing@x.com"),
    ("billing @x.com", "billing@x.com"),
    ("first.last [at] mail [dot] example [dot] co [dot] uk", "first.last@mail.example.co.uk"),
    ("privacy@example[.]com", "privacy@example.com"),
])
def test_find_obfuscated_styles(text: str, expected: str) -> None:
    assert find_obfuscated(f"Write to {text} today.") == [(9, 9 + len(text), expected)]


@pytest.mark.parametrize("text", [
    "Please look at the data we hold about you.",
    "We are at our site at all times.",
    "Contact us @ support. We answer quickly.",
    "BILLING AT EXAMPLE DOT COM",  # capitals all through: a shouted sentence as likely as an address
    "Look AT our site DOT Thanks",
    "Costs $5 @ 3.50 each.",
    "privacy@example.com",  # plain: not obfuscated
    "Meet us at 10 a.m. at the office.",
])
def test_find_obfuscated_ignores_prose(text: str) -> None:
    assert find_obfuscated(text) == []


def test_deobfuscation_edits_replace_markers_only() -> None:
    text = "mail billing [at] x [dot] com now"
    edits = deobfuscation_edits(text)
    assert edits == [(12, 18, "@"), (19, 26, ".")]
    out = text
    for start, end, char in reversed(edits):
        out = out[:start] + char + out[end:]
    assert out == "mail billing@x.com now"


def test_find_emails_plain_and_obfuscated_in_order() -> None:
    text = "Email privacy@Example.com, dpo(at)example.com or privacy@example.com."
    assert find_emails(text) == [
        (6, 25, "privacy@example.com"), (27, 45, "dpo@example.com"), (49, 68, "privacy@example.com"),
    ]


@pytest.mark.parametrize(("text", "expected"), [
    ("[email protected]", True),
    ("Contact: [email\u00a0protected] today", True),
    ("[email&#160;protected]", True),
    ("email protected", False),
    ("privacy@example.com", False),
])
def test_is_cloudflare_placeholder(text: str, expected: bool) -> None:
    assert is_cloudflare_placeholder(text) is expected


def test_email_re_does_not_take_trailing_full_stop() -> None:
    match = EMAIL_RE.search("Write to privacy@pro-softnet.com.")
    assert match is not None and match.group() == "privacy@pro-softnet.com"


def test_doctests() -> None:
    assert doctest.testmod(emails).failed == 0


# -- properties -----------------------------------------------------------------------------------------------

_LOCAL = st.from_regex(r"[a-z0-9]([a-z0-9_+-]{0,10}[a-z0-9])?(\.[a-z0-9]{1,8}){0,2}", fullmatch=True)
_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,12}[a-z0-9])?", fullmatch=True)
_TLD = st.from_regex(r"[a-z]{2,6}", fullmatch=True)
_STYLES = [
    ("[@]", "."), (" [at] ", " [dot] "), ("(at)", "."), (" (at) ", " (dot) "), (" {at} ", " {dot} "),
    (" AT ", " DOT "), (" @ ", " . "), ("@", "[.]"),
]


@st.composite
def _addresses(draw: st.DrawFn) -> tuple[str, str]:
    """An address and the same address obfuscated in one of the recognised styles."""
    local = draw(_LOCAL)
    labels = [*draw(st.lists(_LABEL, min_size=1, max_size=3)), draw(_TLD)]
    at, dot = draw(st.sampled_from(_STYLES))
    return f"{local}@{'.'.join(labels)}", local + at + dot.join(labels)


@settings(deadline=None, max_examples=150)
@given(_addresses(), st.sampled_from(["", "Contact ", "E-mail us at "]), st.sampled_from(["", ".", " today."]))
def test_obfuscated_round_trip(address: tuple[str, str], before: str, after: str) -> None:
    plain, written = address
    text = before + written + after
    assert find_obfuscated(text) == [(len(before), len(before) + len(written), plain)]
    assert find_emails(text) == [(len(before), len(before) + len(written), plain)]


@settings(deadline=None, max_examples=150)
@given(_addresses())
def test_deobfuscating_twice_changes_nothing(address: tuple[str, str]) -> None:
    plain, written = address
    out = written
    for start, end, char in reversed(deobfuscation_edits(written)):
        out = out[:start] + char + out[end:]
    assert out == plain
    assert deobfuscation_edits(out) == []
    assert normalize_email(out) == plain


_PROSE = "we at the our data dot com look AT site you may contact us about it. Privacy and (at) all times, [at] home"


@settings(deadline=None, max_examples=150)
@given(st.lists(st.sampled_from(_PROSE.split(" ")), max_size=30))
def test_prose_without_addresses_yields_nothing(words: list[str]) -> None:
    assert find_emails(" ".join(words)) == []

"""Retention phrases: finding them in sentences and normalising them (kg.normalize.durations)."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.normalize.durations import days_from_iso, find_retention_phrases, iso_from_parts, parse_retention

# (sentence, [(matched text, kind, iso, days, bound, trigger), ...])
EXAMPLE_POLICIES = [
    ("E-mail exchanges between you and our technical support and sales department staff are archived and stored "
     "for a period of up to 1 year.",
     [("for a period of up to 1 year", "temporal", "P1Y", 365.0, "upper", None)]),
    ("We will retain your personal information for 7 years after inactivity (defined as customers not having any "
     "active services with us, not logging into their accounts with us).",
     [("for 7 years after inactivity", "temporal", "P7Y", 2555.0, "exact", "LastActivity")]),
    ("SoftSys Hosting will retain your personal information for as long as there is any active service associated "
     "with your account, AND we are not explicitly asked by a customer to delete their personal data.",
     [("for as long as there is any active service associated with your account", "until_event", None, None, None,
       "AccountClosure")]),
    ("We will retain your information for as long as your account is active or as needed to provide you our "
     "Services.",
     [("for as long as your account is active", "until_event", None, None, None, "AccountClosure"),
      ("as needed to provide you our Services", "indeterminate", None, None, None, "PurposeFulfilled")]),
    ("Your files will automatically be removed from our servers within 10 business days of cancellation.",
     [("within 10 business days of cancellation", "temporal", "P14D", 14.0, "upper", "ServiceCancellation")]),
    ("We may retain and use your information as necessary to comply with our legal obligations, resolve disputes, "
     "and enforce our agreements.",
     [("as necessary to comply with our legal obligations", "until_event", None, None, None, "LegalPeriodExpiry")]),
    ("We reserve the right to maintain evaluation and feedback records indefinitely.",
     [("indefinitely", "endless", None, None, None, None)]),
    ("We will retain and use your Personal Information for the period necessary to comply with our legal "
     "obligations, to enforce our Policy, resolve disputes, and unless a longer retention period is required or "
     "permitted by law.",
     [("for the period necessary to comply with our legal obligations", "until_event", None, None, None,
       "LegalPeriodExpiry")]),
    ("Following termination or deactivation of your account, we will retain information for at least 1 year and "
     "may retain the information for as long as needed for our business and legal purposes.",
     [("Following termination or deactivation of your account, we will retain information for at least 1 year",
       "temporal", "P1Y", 365.0, "lower", "AccountClosure"),
      ("for as long as needed for our business and legal purposes", "indeterminate", None, None, None,
       "PurposeFulfilled")]),
    ("We will only retain your Personal Data for so long as we reasonably need to unless a longer retention period "
     "is required by law (for example for regulatory purposes).",
     [("for so long as we reasonably need", "indeterminate", None, None, None, "PurposeFulfilled")]),
    ("We try to respond to all legitimate requests within one month. Occasionally it may take us longer than a "
     "month if your request is particularly complex.",
     [("within one month", "temporal", "P1M", 30.0, "upper", None),
      ("longer than a month", "temporal", "P1M", 30.0, "lower", None)]),
    ("_ga 2 Years Tracking user access data of calsoft.com website",
     [("2 Years", "temporal", "P2Y", 730.0, "exact", None)]),
]

PHRASES = [
    # bounds
    ("for 7 years", "P7Y", 2555.0, "exact", None),
    ("up to 24 hours", "PT24H", 1.0, "upper", None),
    ("for no longer than 6 months", "P6M", 180.0, "upper", None),
    ("for a maximum of 30 days", "P30D", 30.0, "upper", None),
    ("for at most 2 weeks", "P14D", 14.0, "upper", None),
    ("for not more than three years", "P3Y", 1095.0, "upper", None),
    ("for less than 90 days", "P90D", 90.0, "upper", None),
    ("for a period not exceeding six (6) months", "P6M", 180.0, "upper", None),
    ("for up to a maximum of 5 years", "P5Y", 1825.0, "upper", None),
    ("for at least 1 year", "P1Y", 365.0, "lower", None),
    ("for a minimum of 10 years", "P10Y", 3650.0, "lower", None),
    ("for no less than 5 years", "P5Y", 1825.0, "lower", None),
    ("for not less than 2 years", "P2Y", 730.0, "lower", None),
    ("for more than 18 months", "P18M", 540.0, "lower", None),
    ("for a minimum period of 3 years", "P3Y", 1095.0, "lower", None),
    ("for 90 days or longer", "P90D", 90.0, "lower", None),
    ("for 90 days or less", "P90D", 90.0, "upper", None),
    ("will not be kept for longer than 2 years", "P2Y", 730.0, "upper", None),
    # ranges
    ("between 30 and 90 days", "P90D", 90.0, "upper", None),
    ("30-90 days", "P90D", 90.0, "upper", None),
    ("from 1 to 3 years", "P3Y", 1095.0, "upper", None),
    ("one to two years", "P2Y", 730.0, "upper", None),
    ("for 6 months to 1 year", "P1Y", 365.0, "upper", None),
    # numbers and units
    ("for thirty (30) days", "P30D", 30.0, "exact", None),
    ("for 30 (thirty) days", "P30D", 30.0, "exact", None),
    ("for a 12-month period", "P12M", 360.0, "exact", None),
    ("for a twelve-month period", "P12M", 360.0, "exact", None),
    ("for twenty-four months", "P24M", 720.0, "exact", None),
    ("for seven years", "P7Y", 2555.0, "exact", None),
    ("for a year", "P1Y", 365.0, "exact", None),
    ("for one year", "P1Y", 365.0, "exact", None),
    ("for an hour", "PT1H", 1 / 24, "exact", None),
    ("for 6 mos", "P6M", 180.0, "exact", None),
    ("for 3 yrs", "P3Y", 1095.0, "exact", None),
    ("for 1 year and 6 months", "P1Y6M", 545.0, "exact", None),
    ("for two and a half years", "P2Y6M", 910.0, "exact", None),
    ("for a year and a half", "P1Y6M", 545.0, "exact", None),
    ("for 1.5 years", "P1Y6M", 545.0, "exact", None),
    ("for half a year", "P6M", 180.0, "exact", None),
    ("for one hundred and eighty days", "P180D", 180.0, "exact", None),
    ("for 1,000 days", "P1000D", 1000.0, "exact", None),
    ("for 2 weeks", "P14D", 14.0, "exact", None),
    ("for 10 working days", "P14D", 14.0, "exact", None),
    ("for 3 business days", "P4DT4H48M", 4.2, "exact", None),
    ("for 30 calendar days", "P30D", 30.0, "exact", None),
    ("for 30 minutes", "PT30M", 30 / 1440, "exact", None),
    # triggers
    ("for 7 years after the last activity", "P7Y", 2555.0, "exact", "LastActivity"),
    ("after 2 years of inactivity", "P2Y", 730.0, "exact", "LastActivity"),
    ("for 12 months after you last logged in to your account", "P12M", 360.0, "exact", "LastActivity"),
    ("for 3 years from your last login", "P3Y", 1095.0, "exact", "LastActivity"),
    ("at least 1 year after termination", "P1Y", 365.0, "lower", "AccountClosure"),
    ("for 90 days after you close your account", "P90D", 90.0, "exact", "AccountClosure"),
    ("for 30 days following account deletion", "P30D", 30.0, "exact", "AccountClosure"),
    ("for 6 months after termination of the agreement", "P6M", 180.0, "exact", "AccountClosure"),
    ("for 5 years following the end of the contract", "P5Y", 1825.0, "exact", "AccountClosure"),
    ("for 60 days after your account is deleted", "P60D", 60.0, "exact", "AccountClosure"),
    ("within 10 business days of cancellation", "P14D", 14.0, "upper", "ServiceCancellation"),
    ("for 30 days after the cancellation of your subscription", "P30D", 30.0, "exact", "ServiceCancellation"),
    ("for 30 days after termination of the service", "P30D", 30.0, "exact", "ServiceCancellation"),
    ("for 2 years from collection", "P2Y", 730.0, "exact", "Collection"),
    ("for 2 years from the date of collection", "P2Y", 730.0, "exact", "Collection"),
    ("for 1 year from the date we collect it", "P1Y", 365.0, "exact", "Collection"),
    ("for 30 days after your request", "P30D", 30.0, "exact", "DeletionRequest"),
    ("within thirty days of receipt of your request", "P30D", 30.0, "upper", "DeletionRequest"),
    ("within 45 days of a deletion request", "P45D", 45.0, "upper", "DeletionRequest"),
    ("for 30 days after the purpose has been fulfilled", "P30D", 30.0, "exact", "PurposeFulfilled"),
    ("for 30 days thereafter", "P30D", 30.0, "exact", None),
    ("Once your account is closed, we keep backups for up to 90 days", "P90D", 90.0, "upper", "AccountClosure"),
    ("Upon termination of your account, we delete your data within 30 days", "P30D", 30.0, "upper",
     "AccountClosure"),
]

WITHOUT_LENGTH = [
    ("as long as your account is active", "until_event", "AccountClosure"),
    ("for as long as you have an account with us", "until_event", "AccountClosure"),
    ("while you are a customer", "until_event", "AccountClosure"),
    ("for as long as you remain a registered user", "until_event", "AccountClosure"),
    ("until you close your account", "until_event", "AccountClosure"),
    ("until your account is deleted", "until_event", "AccountClosure"),
    ("for the duration of your account", "until_event", "AccountClosure"),
    ("for the life of the contract", "until_event", "AccountClosure"),
    ("as long as there is any active service associated with your account", "until_event", "AccountClosure"),
    ("as long as you have an active subscription", "until_event", "ServiceCancellation"),
    ("for the duration of your subscription", "until_event", "ServiceCancellation"),
    ("until you cancel your subscription", "until_event", "ServiceCancellation"),
    ("until you ask us to delete it", "until_event", "DeletionRequest"),
    ("until you request its deletion", "until_event", "DeletionRequest"),
    ("until you withdraw your consent", "until_event", None),
    ("as long as necessary to comply with legal obligations", "until_event", "LegalPeriodExpiry"),
    ("as required by law", "until_event", "LegalPeriodExpiry"),
    ("as long as required by applicable law", "until_event", "LegalPeriodExpiry"),
    ("for as long as we are legally required to do so", "until_event", "LegalPeriodExpiry"),
    ("for so long as the law requires", "until_event", "LegalPeriodExpiry"),
    ("for the statutory retention period", "until_event", "LegalPeriodExpiry"),
    ("for the period necessary to comply with legal obligations", "until_event", "LegalPeriodExpiry"),
    ("for as long as necessary to meet our legal and regulatory requirements", "until_event", "LegalPeriodExpiry"),
    ("for as long as necessary to fulfil the purposes", "indeterminate", "PurposeFulfilled"),
    ("for as long as necessary to fulfil the purposes for which it was collected", "indeterminate",
     "PurposeFulfilled"),
    ("as long as needed for the purposes described in this Privacy Policy", "indeterminate", "PurposeFulfilled"),
    ("for as long as it is necessary", "indeterminate", "PurposeFulfilled"),
    ("for so long as we reasonably need to use it for these purposes", "indeterminate", "PurposeFulfilled"),
    ("no longer than necessary", "indeterminate", "PurposeFulfilled"),
    ("until it is no longer needed", "indeterminate", "PurposeFulfilled"),
    ("until the purpose has been fulfilled", "indeterminate", "PurposeFulfilled"),
    ("as long as we have a legitimate business need", "indeterminate", "PurposeFulfilled"),
    ("for a limited period", "indeterminate", None),
    ("for a reasonable period of time", "indeterminate", None),
    ("indefinitely", "endless", None),
    ("permanently", "endless", None),
    ("forever", "endless", None),
    ("in perpetuity", "endless", None),
    ("for an unlimited period", "endless", None),
    ("for an indefinite period of time", "endless", None),
    ("without any time limit", "endless", None),
]

NOT_RETENTION = [
    "Our services are not directed to children under 13 years of age.",
    "You must be 16 years old to register.",
    "a 13-year-old user",
    "We monitor our servers 24 hours a day, 7 days a week.",
    "categories of personal information we collected in the past 12 months",
    "during the preceding 12 months",
    "We were founded 20 years ago.",
    "This policy was updated in 2023.",
    "Last updated: July 22, 2018",
    "We send a newsletter every 30 days.",
    "We will permanently delete your data.",
    "Deleted data is lost forever.",
    "18 U.S.C. §§ 2702(b)(8) and 2702(c)(4)",
    "a period of",
    "as needed",
]


@pytest.mark.parametrize("sentence, expected", EXAMPLE_POLICIES, ids=lambda v: v[:40] if isinstance(v, str) else "")
def test_example_policy_sentences(sentence, expected):
    got = [(sentence[s:e], r.kind, r.iso, r.days, r.bound, r.trigger) for s, e, r in find_retention_phrases(sentence)]
    assert got == expected


@pytest.mark.parametrize("phrase, iso, days, bound, trigger", PHRASES)
def test_temporal_phrase(phrase, iso, days, bound, trigger):
    sentence = f"We keep it {phrase}."
    [(start, end, r)] = find_retention_phrases(sentence)
    assert sentence[start:end] == r.text
    assert (r.kind, r.iso, r.bound, r.trigger) == ("temporal", iso, bound, trigger)
    assert r.days == pytest.approx(days)
    assert r.days == days_from_iso(r.iso)


@pytest.mark.parametrize("phrase, kind, trigger", WITHOUT_LENGTH)
def test_phrase_without_length(phrase, kind, trigger):
    sentence = f"We keep your data {phrase}."
    hits = find_retention_phrases(sentence)
    assert [(sentence[s:e], r.kind, r.trigger, r.iso, r.days, r.bound) for s, e, r in hits] == \
        [(phrase, kind, trigger, None, None, None)]


@pytest.mark.parametrize("sentence", NOT_RETENTION)
def test_not_a_retention_period(sentence):
    assert find_retention_phrases(sentence) == []
    assert parse_retention(sentence) is None


def test_non_retention_durations_are_still_durations():
    # the extractor decides the context; this module finds every duration expression
    assert [r.iso for _, _, r in find_retention_phrases("We respond within 30 days.")] == ["P30D"]


def test_several_phrases_are_sorted_and_disjoint():
    text = ("Logs are kept for 30 days, invoices for 10 years after the end of the contract, and profiles "
            "as long as your account is active; backups are kept indefinitely.")
    hits = find_retention_phrases(text)
    assert [text[s:e] for s, e, _ in hits] == [
        "for 30 days", "for 10 years after the end of the contract", "as long as your account is active",
        "indefinitely"]
    assert all(a[1] <= b[0] for a, b in zip(hits, hits[1:]))


@pytest.mark.parametrize("sentence", [s for s, _ in EXAMPLE_POLICIES] + [f"We keep it {p[0]}." for p in PHRASES])
def test_parse_retention_reads_a_span_like_find(sentence):
    for start, end, r in find_retention_phrases(sentence):
        assert parse_retention(sentence[start:end]) == r


def test_parse_retention_keeps_the_phrase_and_takes_the_longest_expression():
    r = parse_retention("stored for a period of up to 1 year")
    assert r is not None and r.text == "stored for a period of up to 1 year" and r.iso == "P1Y"
    assert parse_retention("") is None
    assert parse_retention("we keep nothing") is None


@pytest.mark.parametrize("parts, iso", [
    ({"years": 1}, "P1Y"), ({"years": 1, "months": 6}, "P1Y6M"), ({"weeks": 2}, "P14D"),
    ({"weeks": 1, "days": 2}, "P9D"), ({"hours": 24}, "PT24H"), ({"days": 4, "hours": 4, "minutes": 48}, "P4DT4H48M"),
    ({}, "P0D"),
])
def test_iso_from_parts(parts, iso):
    assert iso_from_parts(**parts) == iso


@pytest.mark.parametrize("bad", [{"years": -1}, {"days": 1.5}, {"months": True}, {"hours": "2"}])
def test_iso_from_parts_rejects_bad_parts(bad):
    with pytest.raises(ValueError):
        iso_from_parts(**bad)


@pytest.mark.parametrize("iso, days", [
    ("P1Y", 365.0), ("P6M", 180.0), ("P30D", 30.0), ("P14D", 14.0), ("PT24H", 1.0), ("P1Y6M", 545.0),
    ("PT36H", 1.5), ("P1DT12H", 1.5), ("PT90M", 1 / 16), ("PT86400S", 1.0), ("P1.5Y", 547.5), ("P0,5D", 0.5),
    ("P0D", 0.0),
])
def test_days_from_iso(iso, days):
    assert days_from_iso(iso) == pytest.approx(days)


@pytest.mark.parametrize("bad", ["", "P", "PT", "P1YT", "1Y", "p1y", "P-1D", "P1W2D", "P1.5Y2M", "P1M1Y", "PT1D",
                                 "P1Y ", "P1H", None])
def test_days_from_iso_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        days_from_iso(bad)


# ------------------------------------------------------------------ properties
ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def words(n: int) -> str:
    if n < 10:
        return ONES[n - 1]
    if n < 20:
        return TEENS[n - 10]
    tens, ones = divmod(n, 10)
    return TENS[tens - 2] + (f"-{ONES[ones - 1]}" if ones else "")


UNIT_DAYS = {"year": 365, "month": 30, "week": 7, "day": 1, "hour": 1 / 24, "business day": 1.4}
UNIT_ISO = {"year": "P{}Y", "month": "P{}M", "day": "P{}D", "hour": "PT{}H"}
BOUNDS = {"": "exact", "up to ": "upper", "no longer than ": "upper", "a maximum of ": "upper", "at most ": "upper",
          "not more than ": "upper", "less than ": "upper", "at least ": "lower", "a minimum of ": "lower",
          "no less than ": "lower", "not less than ": "lower", "more than ": "lower"}
TRIGGERS = {"": None, " after your last login": "LastActivity", " after inactivity": "LastActivity",
            " after the last activity": "LastActivity", " after account closure": "AccountClosure",
            " after you delete your account": "AccountClosure", " following termination": "AccountClosure",
            " after the termination of the agreement": "AccountClosure", " of cancellation": "ServiceCancellation",
            " from collection": "Collection", " from the date of collection": "Collection",
            " after your request": "DeletionRequest", " of a deletion request": "DeletionRequest"}


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 99), unit=st.sampled_from(sorted(UNIT_DAYS)), style=st.sampled_from(["digits", "words",
       "both"]), bound=st.sampled_from(sorted(BOUNDS)), trigger=st.sampled_from(sorted(TRIGGERS)),
       lead=st.sampled_from(["for ", "for a period of ", "", "within "]))
def test_built_phrase_parses_back(n, unit, style, bound, trigger, lead):
    number = {"digits": str(n), "words": words(n), "both": f"{words(n)} ({n})"}[style]
    bound = "" if lead == "within " else bound  # "within" is the bound
    phrase = f"{lead}{bound}{number} {unit}{'s' if n > 1 else ''}{trigger}"
    r = parse_retention(phrase)
    assert r is not None and r.kind == "temporal"
    assert [(s, e) for s, e, _ in find_retention_phrases(phrase)] == [(0, len(phrase))]
    assert r.bound == ("upper" if lead == "within " and not bound else BOUNDS[bound])
    assert r.trigger == TRIGGERS[trigger]
    assert r.days == pytest.approx(n * UNIT_DAYS[unit])
    assert r.days == days_from_iso(r.iso)
    if unit in UNIT_ISO:
        assert r.iso == UNIT_ISO[unit].format(n)
    elif unit == "week":
        assert r.iso == f"P{n * 7}D"
    elif n % 5 == 0:
        assert r.iso == f"P{n // 5 * 7}D"


@given(st.integers(0, 50), st.integers(0, 24), st.integers(0, 60), st.integers(0, 400), st.integers(0, 100),
       st.integers(0, 120))
def test_iso_from_parts_and_days_from_iso_agree(years, months, weeks, days, hours, minutes):
    iso = iso_from_parts(years=years, months=months, weeks=weeks, days=days, hours=hours, minutes=minutes)
    expected = years * 365 + months * 30 + weeks * 7 + days + hours / 24 + minutes / 1440
    assert days_from_iso(iso) == pytest.approx(expected)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("for up to 1 7 years days as long a indefinitely after account ,.()-")),
               max_size=80))
def test_spans_are_valid_on_any_text(text):
    hits = find_retention_phrases(text)
    assert all(0 <= s < e <= len(text) and text[s:e] == r.text for s, e, r in hits)
    assert all(a[1] <= b[0] for a, b in zip(hits, hits[1:]))
    assert all(r.days == days_from_iso(r.iso) for _, _, r in hits if r.kind == "temporal")


XSD_DURATION = re.compile(r"P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?!$)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?")


@given(st.integers(0, 50), st.integers(0, 24), st.integers(0, 60), st.integers(0, 400), st.integers(0, 100),
       st.integers(0, 120))
def test_iso_from_parts_is_a_valid_xsd_duration(years, months, weeks, days, hours, minutes):
    """The graph types these literals xsd:duration, whose lexical space has no week designator."""
    iso = iso_from_parts(years=years, months=months, weeks=weeks, days=days, hours=hours, minutes=minutes)
    assert XSD_DURATION.fullmatch(iso), iso

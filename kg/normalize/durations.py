"""Find retention periods in policy sentences and normalise them to ``Retention`` records.

Four kinds (the DPV duration types):

* ``"temporal"``: a stated length. "for up to 1 year" -> iso ``P1Y``, days 365.0, bound ``upper``;
  "for 7 years after inactivity" -> ``P7Y``, bound ``exact``, trigger ``LastActivity``.
* ``"until_event"``: until an event, no length. "as long as your account is active" -> trigger ``AccountClosure``;
  "as necessary to comply with our legal obligations" -> ``LegalPeriodExpiry``.
* ``"indeterminate"``: mentioned but vague. "as long as necessary to fulfil the purposes" -> ``PurposeFulfilled``;
  "for a limited period" -> no trigger.
* ``"endless"``: "indefinitely", "permanently", "forever", "for an unlimited period".

Conventions (the same as ``ppkg:durationDays``): a year is 365 days, a month 30, a week 7, an hour 1/24 day; a
business day is 7/5 of a day (5 business days = 1 week). ``Retention.days`` is always ``days_from_iso(iso)``.
The ISO duration keeps the units as written ("18 months" -> ``P18M``, "24 hours" -> ``PT24H``), except weeks, which
become days ("2 weeks" -> ``P14D``) because ``xsd:duration`` has no week designator. Fractions flow into the next
unit ("two and a half years" -> ``P2Y6M``). Business days give whole weeks when they can ("10 business days" ->
``P14D``) and otherwise their exact calendar length ("3 business days" -> ``P4DT4H48M``, 4.2 days). A range
("30-90 days", "between 30 and 90 days") is read as an upper bound at its maximum.

Spans cover the bound words, number, unit and trigger ("for a period of up to 1 year", "within 10 business days
of cancellation"). A trigger stated in a leading clause ("Following termination of your account, we will retain
information for at least 1 year") and a negation in front of "more/longer than" ("will not be kept for longer than
2 years", read as an upper bound) are part of the span, so ``parse_retention`` of a span gives the same record.
Ages ("13 years of age", "13-year-old"), look-backs ("the past 12 months"), frequencies ("24 hours a day"),
"ago" and the time something takes ("it may take up to four weeks to process your request") are not durations.
"""
from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction

from kg.model import Retention

_CI = re.IGNORECASE  # every pattern here is case-insensitive

# ------------------------------------------------------------------ numbers and units
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1,
}
UNITS = {  # canonical unit -> how policies write it
    "years": r"years?|yrs?",
    "months": r"months?|mos?|mths?",
    "weeks": r"weeks?|wks?",
    "business_days": r"(?:business|working|work)\s+days?",
    "days": r"(?:calendar\s+)?days?",
    "hours": r"hours?|hrs?",
    "minutes": r"minutes?|mins?",
}
DAYS_PER_UNIT = {"years": Fraction(365), "months": Fraction(30), "weeks": Fraction(7), "days": Fraction(1),
                 "hours": Fraction(1, 24), "minutes": Fraction(1, 1440), "seconds": Fraction(1, 86400)}
_CASCADE = {"years": ("months", 12), "months": ("days", 30), "weeks": ("days", 7), "days": ("hours", 24),
            "hours": ("minutes", 60)}


def _alt(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_ONES = _alt(w for w, v in NUMBER_WORDS.items() if 1 <= v <= 9 and w not in ("a", "an"))
_TEENS = _alt(w for w, v in NUMBER_WORDS.items() if 10 <= v <= 19)
_TENS = _alt(w for w, v in NUMBER_WORDS.items() if v >= 20)
_W99 = rf"(?:(?:{_TENS})(?:[\s-](?:{_ONES}))?|{_TEENS}|{_ONES})"
_WORDNUM = rf"\b(?:(?:{_ONES}|a)\s+hundred(?:\s+(?:and\s+)?{_W99})?|{_W99})\b"
_DIGITS = r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?!\d)"
_NUM = (rf"(?:{_WORDNUM}\s*\(\s*{_DIGITS}\s*\)|{_DIGITS}\s*\(\s*{_WORDNUM}\s*\)|{_DIGITS}|{_WORDNUM}"
        r"|\bhalf\s+an?\b|\ban?\b)(?:\s+and\s+a\s+half\b)?")
_UNIT = rf"(?:{'|'.join(UNITS.values())})\b"
_SEP = r"(?:\s*-\s*|\s*)"
_QTY = rf"{_NUM}{_SEP}{_UNIT}(?:\s+and\s+a\s+half\b)?"
_QTY_RE = re.compile(rf"(?P<num>{_NUM}){_SEP}(?P<unit>{_UNIT})(?P<half>\s+and\s+a\s+half\b)?", _CI)
_UNIT_RES = {name: re.compile(rx, _CI) for name, rx in UNITS.items()}
_UNIT_ANY = re.compile(_UNIT, _CI)

# ------------------------------------------------------------------ bounds
UPPER_BOUND_WORDS = ("up to", "no longer than", "not longer than", "no more than", "not more than", "not exceeding",
                     "not to exceed", "a maximum of", "maximum of", "maximum", "at most", "at the most", "less than",
                     "fewer than", "shorter than", "no later than", "within")
LOWER_BOUND_WORDS = ("at least", "a minimum of", "minimum of", "minimum", "no less than", "not less than",
                     "no fewer than", "not fewer than", "no shorter than", "not shorter than", "more than",
                     "longer than", "in excess of", "upwards of")
NEGATABLE_LOWER = ("more than", "longer than", "in excess of")  # "not ... for more than 2 years" is an upper bound
_BOUND_OF = dict.fromkeys(UPPER_BOUND_WORDS, "upper") | dict.fromkeys(LOWER_BOUND_WORDS, "lower")
_BOUND = _alt(w.replace(" ", r"\s+") for w in _BOUND_OF)
_BOUND_RE = re.compile(rf"\b(?:{_BOUND})\b", _CI)

_PERIOD = (r"(?:an?|the)\s+(?:(?:maximum|minimum|total|retention|storage|fixed|limited|reasonable|certain)\s+)?"
           r"(?:period|term|duration|time\s+period|time\s*frame)(?:\s+of(?:\s+time)?)?")
_LEAD = (rf"(?:(?:for|during|within|after|in)\s+)?(?:{_PERIOD}\s+)?(?:(?:{_BOUND})\s+){{0,2}}(?:{_PERIOD}\s+)?"
         r"(?:(?:an?|the)\s+(?=\d))?")
_RANGE = (rf"(?:between\s+(?P<a1>{_NUM})\s+and\s+|from\s+(?P<a2>{_NUM})\s+to\s+|(?P<a3>{_NUM})\s+(?:to|or)\s+|"
          rf"(?P<a4>{_DIGITS})\s*[-–—]\s*(?=\d))(?P<b>{_NUM}){_SEP}(?P<bu>{_UNIT})")  # not "twenty-four"
_QRANGE = (rf"(?:between\s+(?P<q1>{_QTY})\s+and\s+|from\s+(?P<q2>{_QTY})\s+to\s+|"
           rf"(?P<q3>{_QTY})\s*(?:-|–|—|to|or)\s*)(?P<q4>{_QTY})")
TEMPORAL_RE = re.compile(
    rf"(?<![\w-])(?P<lead>{_LEAD})(?P<core>{_RANGE}|{_QRANGE}|(?P<qtys>{_QTY}(?:\s+and\s+{_QTY}){{0,3}}))"
    r"(?:\s+(?:period|term))?(?:\s+or\s+(?P<orbound>more|longer|less|fewer|shorter)\b)?", _CI)

# Context that makes a number + unit something other than a retention period.
_NOT_BEFORE = re.compile(r"\b(?:past|last|previous|preceding|prior|every|each|per|aged?|ages|under|below|above|"
                         r"younger\s+than|older\s+than)\s+$", _CI)
_NOT_AFTER = re.compile(r"(?:\s*-?\s*(?:of[\s-]+age|old)\b|\s+ago\b|"
                        r"\s+(?:a|an|per|each|every)\s+(?:day|week|month|year)\b)", _CI)
# how long something takes, not how long data is kept: "it may take up to four weeks to process your request"
_TAKES = re.compile(r"\b(?:take|takes|taking|took|taken|require|requires)\s+(?:us\s+)?(?:(?:up\s+to|about|around|"
                    r"approximately|roughly|as\s+(?:long|much)\s+as|at\s+least|at\s+most|over|more\s+than|less\s+than|"
                    r"no\s+more\s+than|a\s+few|several)\s+)?$", _CI)
# ... unless what takes that long is the deletion: "it may take up to 30 days to delete your data" (kept till then)
_TO_DELETE = re.compile(r"\s+(?:for\s+(?:\w+\s+){1,3})?to\s+(?:be\s+)?(?:fully\s+|completely\s+|permanently\s+)?"
                        r"(?:delet|eras|remov|purg|destroy)", _CI)
_AFTER_QUANTITY = re.compile(rf"(?:\d|\b(?:{_UNIT}|once|twice|times|several))\s*$", _CI)
_NEGATION = re.compile(r"\b(?:not|never|\w+n['’]t)\b(?:\s+[\w-]+){0,5}\s+$", _CI)

# ------------------------------------------------------------------ triggers
_DET = r"(?:(?:the|your|a|an|such|any|their|its|our|this|that|his|her)\s+)?"
_ACCOUNT = r"(?:(?:user|customer|client|member|online)\s+)?accounts?"
_CONTRACT = r"(?:contracts?|agreements?|(?:business\s+)?relationship(?:\s+with\s+(?:you|us))?|terms(?:\s+of\s+use)?)"
_SUB = r"(?:services?|subscriptions?|plans?|memberships?)"
_END_N = (r"(?:closure|closing|deletion|termination|deactivation|cancell?ation|removal|expiry|expiration|end)"
          r"(?:\s+(?:or|and|and/or)\s+(?:closure|closing|deletion|termination|deactivation|cancell?ation|removal))*")
_END_V = r"(?:close|delete|terminate|deactivate|cancel|remove|end)(?:\s+(?:or|and)\s+(?:close|delete|deactivate))?"
_END_PP = r"(?:closed|deleted|terminated|deactivated|cancell?ed|removed|ended)"
_OBJ = r"(?:us|(?:the|our|your)\s+(?:services?|website|site|app|application|platform|account|products?))"
_DATA = rf"(?:it|them|{_DET}(?:personal\s+)?(?:data|information))"

TRIGGER_PHRASES: dict[str, tuple[str, ...]] = {
    # what may follow "after / following / from / of / since / upon" (and "until") for each ppkg:RetentionTrigger
    "AccountClosure": (
        rf"{_DET}(?:{_ACCOUNT}\s+)?{_END_N}\s+of\s+{_DET}(?:{_ACCOUNT}|{_CONTRACT})",
        rf"{_DET}{_ACCOUNT}\s+{_END_N}",
        rf"you\s+{_END_V}\s+{_DET}(?:{_ACCOUNT}|{_CONTRACT})",
        rf"{_DET}(?:{_ACCOUNT}|{_CONTRACT})\s+(?:is|are|has\s+been|have\s+been|was|were|gets?)\s+{_END_PP}",
        rf"{_DET}{_CONTRACT}\s+(?:ends|expires|terminates)",
        rf"{_DET}(?:termination|closure|deactivation)\b",
    ),
    "ServiceCancellation": (
        rf"{_DET}(?:{_SUB}\s+)?cancell?ation(?:\s+of\s+{_DET}{_SUB})?",
        rf"{_DET}{_END_N}\s+of\s+{_DET}{_SUB}",
        rf"{_DET}{_SUB}\s+(?:{_END_N}|ends|expires|(?:is|has\s+been|was)\s+{_END_PP})",
        rf"you\s+(?:cancel|terminate|end)\s+{_DET}{_SUB}",
        r"you\s+cancel\b",
    ),
    "LastActivity": (
        rf"{_DET}(?:last|latest|most\s+recent|final)\s+(?:account\s+)?(?:activity|active\s+use|use|usage|log-?in|"
        rf"log\s+in|sign-?in|sign\s+in|interaction|visit|contact|transaction|purchase|order|access|session|"
        rf"engagement|communication|payment)(?:\s+(?:with|on|to|of)\s+{_OBJ})?",
        rf"{_DET}(?:period\s+of\s+)?(?:account\s+|user\s+)?(?:inactivity|non-?use|dormancy)",
        rf"(?:{_DET}last\s+time\s+you|you\s+last)\s+(?:used|logged\s+(?:in|on)(?:to)?|signed\s+in(?:to)?|accessed|"
        rf"visited|interacted\s+with|were\s+active\s+on)(?:\s+(?:(?:to|into|on|at|with)\s+)?{_OBJ})?",
        rf"{_DET}{_ACCOUNT}\s+(?:becomes|became|has\s+become|is|has\s+been)\s+(?:inactive|dormant)",
        rf"you\s+(?:stop|stopped|cease|ceased)\s+using\s+{_OBJ}",
    ),
    "Collection": (
        rf"{_DET}(?:initial\s+|original\s+|first\s+)?(?:collection|receipt|capture|submission)"
        rf"(?:\s+of\s+{_DET}(?:personal\s+)?(?:data|information))?",
        rf"{_DATA}\s+(?:was|were|is|are)\s+(?:first\s+)?(?:collected|received|obtained|submitted|provided)",
        rf"we\s+(?:first\s+)?(?:collect(?:ed)?|receive[d]?|obtain(?:ed)?)\s+{_DATA}",
        rf"you\s+(?:submit(?:ted)?|provided?)\s+{_DATA}",
    ),
    "DeletionRequest": (
        rf"(?:(?:receipt|receiving)\s+of\s+|we\s+receive\s+)?{_DET}(?:(?:deletion|erasure|removal)\s+)?request"
        rf"(?:\s+(?:for|of)\s+(?:deletion|erasure|removal)|\s+to\s+(?:delete|erase|remove)(?:\s+{_DATA})?)?",
        rf"you\s+(?:ask|request|instruct|tell)\s+us\s+to\s+(?:delete|erase|remove)(?:\s+{_DATA})?",
        r"you\s+request\s+(?:its\s+|their\s+|the\s+)?(?:deletion|erasure|removal)",
        rf"you\s+request\s+that\s+we\s+(?:delete|erase|remove)(?:\s+{_DATA})?",
    ),
    "PurposeFulfilled": (
        rf"{_DET}purposes?\s+(?:is|are|has\s+been|have\s+been)\s+(?:fulfilled|achieved|completed|served|met)",
        rf"{_DET}(?:fulfil(?:l)?ment|completion|achievement)\s+of\s+{_DET}purposes?",
    ),
}
_TRIGGER_RES = {name: [re.compile(p, _CI) for p in ps] for name, ps in TRIGGER_PHRASES.items()}
_CONNECTOR = re.compile(r"\s*,?\s+(?:after|following|from|of|since|upon|subsequent\s+to|beyond|counted\s+from)"
                        r"(?:\s+the\s+(?:date|time|day|moment)(?:\s+(?:of|on\s+which|when|that))?)?\s+", _CI)
_WORD_END = re.compile(r"(?![\w-])")
_THEREAFTER = re.compile(r"\s*,?\s+(?:thereafter|afterwards|after\s+that)\b", _CI)
_UNTIL = re.compile(r"\b(?:until|till|up\s+until|unless\s+and\s+until)\s+", _CI)
_UNTIL_KIND = {"PurposeFulfilled": "indeterminate", "Collection": None}  # others are "until_event"
_LEADING = re.compile(r"\b(?:following|after|upon|on|once|when)\s+", _CI)
_LEADING_GAP = re.compile(r"\s*,?[^.;:!?()]{0,100}", _CI)

# ------------------------------------------------------------------ phrases without a stated length
_OPEN = (r"(?:for\s+)?(?:(?:as|so)\s+long\s+as|while|whilst|during\s+the\s+(?:time|period)\s+(?:that|when)|"
         r"for\s+the\s+(?:time|period)\s+(?:that|during\s+which))")
_SUBJ = r"(?:(?:it\s+is|is|we\s+are|we|are)\s+)?(?:(?:reasonably|strictly|otherwise|absolutely|legally)\s+)?"
_HOW_LONG = (r"(?:(?:for\s+)?(?:as|so)\s+long\s+as|(?:no\s+)?longer\s+than|"
             r"for\s+(?:the|such)\s+(?:period|time|duration)(?:\s+of\s+time)?(?:\s+(?:as|that))?)")
_LEGAL_OBJ = (rf"(?:{_DET}(?:applicable\s+|relevant\s+|any\s+)?(?:(?:legal|regulatory|statutory|tax|accounting|"
              r"compliance)(?:\s*(?:,|and/or|and|or)\s*|\s+))+(?:obligations?|requirements?|duties|rules|purposes)"
              r"|(?:applicable\s+|the\s+)?(?:law|laws|legislation|regulations?)(?:\s+and\s+regulations?)?)")
_LEGAL_LINK = (r"(?:(?:for\s+us\s+)?to\s+do\s+so\s+)?(?:(?:in\s+order\s+)?to\s+(?:comply\s+with|meet|satisfy|fulfil|"
               r"fulfill|observe|adhere\s+to)|for\s+(?:compliance\s+with|complying\s+with|meeting)|by|under|"
               r"pursuant\s+to|for)")
# what the data is needed for: "to fulfil the purposes (for which it was collected)", "to provide you our Services"
_PURPOSE = (r"\s+(?:(?:in\s+order\s+)?to|for)\s+(?:(?!\b(?:comply|complying|compliance|legally|law|laws)\b)"
            r"[^,.;:()!?]){1,80}?\b(?:purposes?|services?|products?|contracts?|needs|operations|"
            r"(?:this|our|the)\s+(?:privacy\s+)?(?:policy|notice|statement))\b"
            r"(?:\s+(?:for\s+which|described|outlined|set\s+out|set\s+forth|stated|identified|listed|explained|"
            r"mentioned)\b[^,.;:()!?]{0,60}?\b(?:collected|obtained|processed|policy|notice|statement|above|"
            r"below)\b)?")
_NEED = r"(?:necessary|needed|required|appropriate|need|needs|require|requires)\b"

PHRASES: tuple[tuple[str, str | None, str], ...] = (  # (kind, trigger, pattern)
    ("until_event", "LegalPeriodExpiry",
     rf"(?:{_HOW_LONG}|as)\s+{_SUBJ}(?:necessary|needed|required|obliged|obligated|mandated|permitted|allowed|"
     rf"prescribed|stipulated|specified)\s+{_LEGAL_LINK}\s+{_LEGAL_OBJ}"),
    ("until_event", "LegalPeriodExpiry",
     rf"(?:{_HOW_LONG}|as)\s+(?:(?:it\s+is|is|we\s+are|are)\s+)?legally\s+(?:required|obliged|obligated|mandated)"
     r"(?:\s+to\s+(?:do\s+so|keep\s+it|retain\s+it))?"),
    ("until_event", "LegalPeriodExpiry",
     r"(?:for\s+)?(?:as|so)\s+long\s+as\s+(?:the\s+|applicable\s+)?laws?\s+(?:requires?|permits?|allows?)"),
    ("until_event", "LegalPeriodExpiry",
     rf"(?:for\s+)?{_DET}(?:statutory|legal|legally\s+(?:required|mandated|prescribed)|mandatory)\s+"
     r"(?:retention|storage)\s+periods?"),
    ("until_event", "AccountClosure",
     rf"{_OPEN}\s+{_DET}{_ACCOUNT}\s+(?:(?:is|remains|stays)\s+(?:active|open|live|in\s+good\s+standing|registered|"
     r"enabled|in\s+use)|exists)"),
    ("until_event", "AccountClosure",
     rf"{_OPEN}\s+you\s+(?:have|maintain|hold|keep)\s+(?:an?|your)\s+(?:active\s+|open\s+|registered\s+)?{_ACCOUNT}"
     r"(?:\s+with\s+us)?"),
    ("until_event", "AccountClosure",
     rf"{_OPEN}\s+you\s+(?:are|remain)\s+(?:an?|our)\s+(?:active\s+|registered\s+|current\s+)?"
     r"(?:customer|user|member|subscriber|client|account\s+holder)s?"),
    ("until_event", "AccountClosure",
     rf"{_OPEN}\s+(?:there\s+(?:is|are)|you\s+have)\s+(?:an?|any)\s+active\s+(?:services?|accounts?)"
     rf"(?:\s+(?:associated|linked)\s+with\s+{_DET}{_ACCOUNT})?"),
    ("until_event", "AccountClosure",
     rf"(?:for\s+)?the\s+(?:duration|life(?:time)?|term|length)\s+of\s+{_DET}(?:{_ACCOUNT}|{_CONTRACT})"),
    ("until_event", "ServiceCancellation",
     rf"{_OPEN}\s+(?:you\s+(?:have|maintain|hold|keep)|there\s+(?:is|are))\s+(?:an?|any|your)\s+"
     r"(?:active|current|valid)\s+(?:subscriptions?|plans?|memberships?)"),
    ("until_event", "ServiceCancellation",
     rf"{_OPEN}\s+{_DET}(?:subscriptions?|plans?|memberships?)\s+(?:is|are|remains?)\s+"
     r"(?:active|in\s+(?:force|effect)|valid|current)"),
    ("until_event", "ServiceCancellation", rf"{_OPEN}\s+you\s+(?:are|remain)\s+subscribed(?:\s+to\s+{_DET}{_SUB})?"),
    ("until_event", "ServiceCancellation",
     rf"(?:for\s+)?the\s+(?:duration|life(?:time)?|term|length)\s+of\s+{_DET}{_SUB}"),
    ("until_event", None, r"(?:until|till)\s+you\s+(?:withdraw|revoke)\s+(?:your\s+)?consent"),
    ("until_event", None, r"(?:until|till)\s+you\s+(?:unsubscribe|opt[\s-]?out)"),
    ("indeterminate", "PurposeFulfilled", rf"{_HOW_LONG}\s+{_SUBJ}{_NEED}(?:{_PURPOSE})?"),
    ("indeterminate", "PurposeFulfilled",
     rf"\bas\s+{_SUBJ}(?:necessary|needed|required)\b{_PURPOSE}"),  # a bare "as needed" must say what for
    ("indeterminate", "PurposeFulfilled",
     r"(?:until|till)\s+(?:it\s+is|they\s+are|(?:the|such|your)\s+(?:personal\s+)?(?:data|information)\s+(?:is|are))"
     rf"\s+no\s+longer\s+(?:needed|necessary|required|relevant|useful)\b(?:{_PURPOSE})?"),
    ("indeterminate", "PurposeFulfilled",
     rf"{_OPEN}\s+we\s+have\s+an?\s+(?:legitimate\s+)?(?:business\s+)?(?:need|interest|purpose|reason)"
     r"(?:\s+to\s+do\s+so)?"),
    ("indeterminate", None,
     r"(?:for\s+)?an?\s+(?:limited|reasonable|certain|appropriate|specific|short|shorter|defined|unspecified|"
     r"indeterminate|extended|longer|further|additional)\s+(?:period(?:\s+of\s+time)?|time\s+period|time|"
     r"amount\s+of\s+time|duration)"),
    ("indeterminate", None, r"(?:for\s+)?a\s+period\s+of\s+time"),
    ("endless", None, r"\bindefinitely\b|\bin\s+perpetuity\b|\bforever\b|\bpermanently\b"),
    ("endless", None,
     r"(?:for\s+)?an?\s+(?:unlimited|indefinite|infinite)\s+(?:period(?:\s+of\s+time)?|time\s+period|time|"
     r"amount\s+of\s+time|duration)"),
    ("endless", None, r"\bwithout\s+(?:any\s+|a\s+)?time\s+limit(?:s|ations?)?\b|"
                      r"\bwith\s+no\s+(?:time\s+limit|expiration|expiry)(?:\s+date)?\b"),
)
_PHRASE_RES = tuple((kind, trigger, re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", _CI))
                    for kind, trigger, p in PHRASES)
# "permanently deleted", "erase ... forever": about deletion, not keeping
_DELETION_NEAR = re.compile(r"\b(?:delet|eras|remov|destr|purg|anonymi|de-?identif|los[te]|block|suspend|ban)\w*\b",
                            _CI)


# ------------------------------------------------------------------ ISO 8601 durations
_ISO_NUM = r"\d+(?:[.,]\d+)?"
_ISO_RE = re.compile(
    rf"P(?:(?P<weeks>{_ISO_NUM})W|(?=[\dT])(?:(?P<years>{_ISO_NUM})Y)?(?:(?P<months>{_ISO_NUM})M)?"
    rf"(?:(?P<days>{_ISO_NUM})D)?(?:T(?=\d)(?:(?P<hours>{_ISO_NUM})H)?(?:(?P<minutes>{_ISO_NUM})M)?"
    rf"(?:(?P<seconds>{_ISO_NUM})S)?)?)")


def iso_from_parts(years: int = 0, months: int = 0, weeks: int = 0, days: int = 0, hours: int = 0,
                   minutes: int = 0) -> str:
    """An ISO 8601 duration from whole, non-negative parts: ``iso_from_parts(years=1, months=6) == "P1Y6M"``.

    Weeks are folded into days: ``xsd:duration`` (the literal's datatype in the graph) has no ``W`` designator.
    All zero gives ``P0D``.
    """
    parts = {"years": years, "months": months, "weeks": weeks, "days": days, "hours": hours, "minutes": minutes}
    for name, value in parts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    days += 7 * weeks
    date = "".join(f"{v}{u}" for v, u in ((years, "Y"), (months, "M"), (days, "D")) if v)
    time = "".join(f"{v}{u}" for v, u in ((hours, "H"), (minutes, "M")) if v)
    if not date and not time:
        return "P0D"
    return f"P{date}" + (f"T{time}" if time else "")


def days_from_iso(iso: str) -> float:
    """Days in an ISO 8601 duration (``PnYnMnDTnHnMnS`` or ``PnW``), with the module's day convention.

    Only the smallest unit may carry a decimal fraction. Raises ``ValueError`` for anything else.
    """
    m = _ISO_RE.fullmatch(iso) if isinstance(iso, str) else None
    if not m or not any(m.groupdict().values()):
        raise ValueError(f"not an ISO 8601 duration: {iso!r}")
    present = [(unit, value) for unit, value in m.groupdict().items() if value is not None]
    if any(re.search(r"[.,]", value) for _, value in present[:-1]):
        raise ValueError(f"only the smallest unit of an ISO 8601 duration may have a fraction: {iso!r}")
    return float(sum(Fraction(value.replace(",", ".")) * DAYS_PER_UNIT[unit] for unit, value in present))


# ------------------------------------------------------------------ parsing
def _number(s: str) -> Fraction:
    s = " ".join(s.lower().split())
    value = Fraction(1, 2) if s.endswith("and a half") else Fraction(0)
    s = s.removesuffix("and a half").strip()
    digits = re.search(r"\d[\d,]*(?:\.\d+)?", s)
    if digits:
        return value + Fraction(digits.group().replace(",", ""))
    if s.startswith("half"):
        return value + Fraction(1, 2)
    total = 0
    for word in re.split(r"[\s-]+", s):
        if word == "hundred":
            total = (total or 1) * 100
        elif word != "and":
            total += NUMBER_WORDS[word]
    return value + total


def _unit(s: str) -> str:
    return next(name for name, rx in _UNIT_RES.items() if rx.fullmatch(" ".join(s.split())))


def _parts(value: Fraction, unit: str) -> Counter:
    """Whole-numbered parts of ``value`` units, fractions carried into smaller units (minutes are rounded)."""
    if unit == "business_days":
        if value % 5 == 0:
            return Counter(weeks=int(value / 5))
        value, unit = value * Fraction(7, 5), "days"
    parts: Counter = Counter()
    while True:
        whole = int(value)
        parts[unit] += whole
        value -= whole
        if not value or unit not in _CASCADE:
            break
        unit, factor = _CASCADE[unit]
        value *= factor
    parts[unit] += round(value)
    return parts


def _quantity(text: str) -> Counter:
    """Sum of the quantities in ``text`` ("1 year and 6 months")."""
    total: Counter = Counter()
    for q in _QTY_RE.finditer(text):
        value = _number(q["num"]) + (Fraction(1, 2) if q["half"] else 0)
        total.update(_parts(value, _unit(q["unit"])))
    return total


def _iso(parts: Counter) -> str:
    return iso_from_parts(**{k: v for k, v in parts.items() if v})


def _trigger_at(text: str, pos: int) -> tuple[int, str] | None:
    """The longest trigger phrase starting at ``pos``: (end, trigger name)."""
    best: tuple[int, str] | None = None
    for name, patterns in _TRIGGER_RES.items():
        for rx in patterns:
            m = rx.match(text, pos)
            if m and _WORD_END.match(text, m.end()) and (best is None or m.end() > best[0]):
                best = (m.end(), name)
    return best


def _temporal(text: str, m: re.Match) -> tuple[int, int, Retention] | None:
    core = m.start("core")
    before = text[:core]
    if _NOT_BEFORE.search(before) or _NOT_AFTER.match(text, m.end("core")) or (
            _TAKES.search(before) and not _TO_DELETE.match(text, m.end("core"))):
        return None
    if re.match(r"an?\b", m["core"], _CI) and _AFTER_QUANTITY.search(before):  # "24 hours a day"
        return None
    words = None
    if m["b"]:
        low = next(m[g] for g in ("a1", "a2", "a3", "a4") if m[g])
        parts, bound = _parts(max(_number(low), _number(m["b"])), _unit(m["bu"])), "upper"
    elif m["q4"]:
        low, high = _quantity(next(m[g] for g in ("q1", "q2", "q3") if m[g])), _quantity(m["q4"])
        parts, bound = max(low, high, key=lambda p: days_from_iso(_iso(p))), "upper"
    else:
        parts = _quantity(m["qtys"])
        words = _BOUND_RE.search(m["lead"])
        bound = _BOUND_OF[" ".join(words.group().lower().split())] if words else "exact"
        if m["orbound"]:
            bound = "lower" if m["orbound"].lower() in ("more", "longer") else "upper"
    start, end, trigger = m.start(), m.end(), None
    if bound == "lower" and not m["orbound"] and words and " ".join(words.group().lower().split()) in NEGATABLE_LOWER:
        neg = _NEGATION.search(text, max(0, start - 60), start)
        if neg:
            start, bound = neg.start(), "upper"
    connector = _CONNECTOR.match(text, end)
    found = _trigger_at(text, connector.end()) if connector else None
    if found:
        end, trigger = found
    elif then := _THEREAFTER.match(text, end):
        end = then.end()
    iso = _iso(parts)
    return start, end, Retention("temporal", text[start:end], iso, days_from_iso(iso), bound, trigger)


def _leading_trigger(text: str, start: int, others: list[tuple[int, int, Retention]]) -> tuple[int, str] | None:
    """A trigger in a clause before ``start``: "Following termination of your account, we will retain ..."."""
    for lead in reversed(list(_LEADING.finditer(text, max(0, start - 200), start))):
        found = _trigger_at(text, lead.end())
        if not found or found[0] > start:
            continue
        gap = _LEADING_GAP.fullmatch(text, found[0], start)
        if gap and not any(lead.start() < s < start for s, _, _ in others):
            return lead.start(), found[1]
    return None


def _near_deletion(text: str, start: int, end: int) -> bool:
    before = " ".join(re.findall(r"[\w-]+", text[max(0, start - 40):start])[-3:])
    after = " ".join(re.findall(r"[\w-]+", text[end:end + 40])[:2])
    return bool(_DELETION_NEAR.search(before) or _DELETION_NEAR.search(after))


def find_retention_phrases(text: str) -> list[tuple[int, int, Retention]]:
    """Every retention expression in ``text``: ``(start, end, Retention)``, non-overlapping, in text order."""
    found: list[tuple[int, int, Retention]] = []
    for kind, trigger, rx in _PHRASE_RES:
        for m in rx.finditer(text):
            if kind == "endless" and _near_deletion(text, m.start(), m.end()):
                continue
            found.append((m.start(), m.end(), Retention(kind, m.group(), trigger=trigger)))
    for m in _UNTIL.finditer(text):
        hit = _trigger_at(text, m.end())
        if hit and (until := _UNTIL_KIND.get(hit[1], "until_event")):
            found.append((m.start(), hit[0], Retention(until, text[m.start():hit[0]], trigger=hit[1])))
    # every TEMPORAL_RE match holds a unit ("days", "years" ...): without one, skip the costly scan
    temporal = [t for m in TEMPORAL_RE.finditer(text) if (t := _temporal(text, m))] if _UNIT_ANY.search(text) else []
    for i, (start, end, r) in enumerate(temporal):
        if r.trigger is None and (lead := _leading_trigger(text, start, found + temporal[:i])):
            start = lead[0]
            r = Retention(r.kind, text[start:end], r.iso, r.days, r.bound, lead[1])
        found.append((start, end, r))
    chosen: list[tuple[int, int, Retention]] = []
    for candidate in sorted(found, key=lambda h: h[0] - h[1]):  # longest first; ties keep pattern order
        if all(candidate[1] <= s or candidate[0] >= e for s, e, _ in chosen):
            chosen.append(candidate)
    return sorted(chosen, key=lambda h: h[0])


def parse_retention(phrase: str) -> Retention | None:
    """The retention period a phrase states (its longest retention expression), or None."""
    hits = find_retention_phrases(phrase)
    if not hits:
        return None
    start, end, r = max(hits, key=lambda h: h[1] - h[0])
    return Retention(r.kind, phrase, r.iso, r.days, r.bound, r.trigger)

"""Who publishes the policy: legal name, aliases, contacts, postal address and country, privacy officer, date.

The name is read from the cleaned sentences (hard wraps joined, e-mails de-obfuscated) by cues kept as data in
``rules/controller.jsonl`` (``Acme ("we", "us")``, "© 2024 Acme Ltd.", "Welcome to Acme", an "Acme Privacy
Policy" heading, ...), from an HTML page's title and site name, and from the line above the postal address. A
name is cut at heading words ("More Information Acme is committed" -> "Acme") and refused when it is a fragment: a
heading word, a kind of organisation ("the Bank"), a data term, a registration number. The candidates naming one
organisation are scored together: the strongest cue, one point per other kind of cue, more when the site's own
domain spells the name (``privacy@acme.com``: ``site_keys``) or the text names it often. A well-known third party
(ontology/concepts/organisations.ttl), a name in lower case or an everyday word needs the policy's own word for it;
a name no cue presents as the publisher is taken only when it is the one company named with a legal form. Below
``THRESHOLD`` there is no controller, and a warning: none rather than a wrong one. The last resort is the domain of
the policy's own contact address. The chosen cue's id is the evidence's rule, and a name that has a legal-form
elsewhere in the text ("CubeSoft Communications" / "CubeSoft Communications Inc.") takes that form.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate
from typing import Any

from kg.extract import rules
from kg.model import Contact, ControllerInfo, Evidence, PrivacyContact, Segmented, Sentence
from kg.normalize.countries import country_code
from kg.normalize.dates import find_policy_date
from kg.normalize.emails import find_emails
from kg.normalize.organisations import LEGAL_SUFFIXES, clean_name, has_legal_suffix, organisation_keys, \
    same_organisation, slug, strip_legal_suffix
from kg.normalize.phones import find_phones
from kg.resources import data_dir

_SUFFIX = "|".join(sorted((re.escape(s) for s in LEGAL_SUFFIXES), key=len, reverse=True))
# a capitalised word ("Acme", "ACME", "eHarmony", "Sci-News.com"), not a legal suffix
_WORD = rf"(?<![\w&'’.@/-])(?=[A-Z]|[a-z][A-Z])(?!(?:{_SUFFIX})(?!\w))(?:[A-Za-z][\w&'’.-]*[\w.]|[A-Z])"
_LINK = r"(?:\s+(?:of|and|&|de|du|der|für|for|the))?"
# legal forms after a name: short capital ones ("AG", "SA") as written, longer ones in any case ("corporation")
_NAME_SUFFIX = "|".join(re.escape(s) if len(s) <= 3 and s.isalpha() and s.isupper() else f"(?i:{re.escape(s)})"
                        for s in sorted(LEGAL_SUFFIXES, key=len, reverse=True))
# up to five capitalised words ("8 Elements", "Bank of America", "Shanghai X (Y) Technology") and a legal form
NAME = (rf"(?:(?<![\w&'’.@/,:-])\d{{1,3}}\s+(?=[A-Z]))?{_WORD}(?:(?:\s+\({_WORD}\))?{_LINK}\s+{_WORD}){{0,4}}"
        rf"(?:,?\s+(?:{_NAME_SUFFIX})(?![\w]))?")
# a brand written in lower case ("reddit"): trusted only when the site's domain spells it
_LOWER_NAME = r"(?<![\w&'’.@/-])[a-z][a-z0-9]{2,}(?:\.[a-z]{2,4})?(?![\w@-])"
_Q = "[\"“”'‘’«»]"
_YEAR = r"(?:19|20)\d{2}(?:\s*[-–]\s*(?:(?:19|20)\d{2}|present|now))?\s*,?"
_PLACEHOLDERS = {"{NAME}": NAME, "{LNAME}": f"(?:{NAME}|{_LOWER_NAME})", "{WORD}": _WORD,
                 "{LINK}": _LINK, "{SUFFIX}": _SUFFIX, "{Q}": _Q, "{YEAR}": _YEAR}
NAME_RE = re.compile(NAME)


def _expand(pattern: str) -> str:
    for key, value in _PLACEHOLDERS.items():
        pattern = pattern.replace(key, value)
    return pattern


@dataclass(frozen=True)
class Cue:
    """One way a policy names its publisher (a line of ``rules/controller.jsonl``)."""

    rule: str  # id, recorded in provenance
    strength: int
    pattern: re.Pattern
    needle: tuple[str, ...] | None  # one of these is in every sentence the cue matches (others are skipped)
    inner: re.Pattern | None  # what the parenthesis after the name must say ("we", "us", the "Company")
    naming_itself: bool  # the policy names itself here ("Acme ("we")"), not merely some organisation
    at_start: bool  # only at the start of a sentence (a title or heading line)
    name_first: bool  # the name comes before the cue's words ("Acme is committed to")


def _word_list(kind: str) -> frozenset[str]:
    return frozenset(w for r in rules.load("controller") if r["kind"] == kind for w in r["words"])


# a pattern that reads nothing before the name but a sentence start or lookbehinds: the name comes first
_NAME_FIRST = re.compile(r"\^?(?:\(\?:\\W\{0,3\}\))?(?:\(\?<!(?:[^()\\]|\\.)*\))*\(\?P<name>")


def _needle(words: list[str]) -> tuple[str, ...]:
    """A cue's needle words; "{SUFFIXES}" stands for a space and a legal form ("Acme Inc." holds " Inc")."""
    if words == ["{SUFFIXES}"]:
        forms = {" " + s for s in LEGAL_SUFFIXES}
        words = [f for f in forms if not any(f != g and f.startswith(g) for g in forms)]
    return tuple(sorted(words))


def _cues() -> tuple[Cue, ...]:
    out = []
    for r in rules.load("controller"):
        if r["kind"] != "cue":
            continue
        pattern = _expand(r["pattern"])
        out.append(Cue(r["id"], r["strength"], re.compile(pattern), _needle(r["needle"]) if r.get("needle") else None,
                       re.compile(_expand(r["inner"])) if r.get("inner") else None,
                       r.get("self", False), r.get("where") == "start",
                       bool(_NAME_FIRST.match(pattern))))
    return tuple(out)


CUES = _cues()
FREE_MAIL = _word_list("free-mail")
ROLE_MAILBOXES = _word_list("role-mailbox")
FURNITURE = _word_list("furniture")
GENERIC_NAMES = _word_list("generic-name")
NOT_A_NAME = _word_list("not-a-name")
# a sentence naming the site itself: a domain found in it is the site's ("this site, www.acme.com", "(the "Site")")
_OWN_SITE = re.compile(rf"(?i)\b(?:this|our)\s+(?:web\s*)?site\b|\((?:the\s+)?{_Q}?(?:site|web\s*site|service)s?{_Q}|"
                       r"\blocated\s+at\b|\b(?:policy|statement|notice)\s+(?:applies|is\s+applicable|pertains)\s+to\b|"
                       r"\bwelcome\s+to\b")
_DOMAIN_RE = re.compile(r"(?<![@\w.-])(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+(?:com|org|net|edu|gov|io|co|info|biz|"
                        r"me|tv|us|uk|ca|de|fr|ae|cc|[a-z]{2}))\b(?![@\w-])", re.I)
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "or", "ne", "go", "gv"}
_FROM_DOMAIN = ("controller.email", "controller.site-url")  # rules of names read off the site's domain
_LEGAL_SUFFIX_RULE = "controller.legal-suffix.v2"
THRESHOLD = 5  # a name below this score is not trusted: no controller (a warning) rather than a wrong one
_KEY_BONUS = 4  # a name that the site's own domain spells ("Acme Widgets" and privacy@acmewidgets.com)

POSTAL = re.compile(
    r"\b(?P<us>[A-Z]{2}\s+\d{5}(?:-\d{4})?)\b"  # US state + ZIP
    r"|\b(?P<ca>[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d)\b"  # Canada
    r"|\b(?P<uk>[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2})\b"  # United Kingdom
    r"|\b(?P<eu>(?:[A-Z]{1,2}-)?\d{4,5}\s+[A-Z][a-zäöüéè]+)(?=\s*(?:,|$))")  # 75008 Paris, D-10115 Berlin
US_ZIP = re.compile(r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b")
STREET_START = re.compile(r"\b\d{1,6}[A-Za-z]?,?\s+(?:[A-Z][\w.]*|rue|via|ch\.)", re.I)
COUNTRY_AFTER = re.compile(r",?\s*(?P<country>Canada|U\.?S\.?A\.?|United States(?: of America)?|United Kingdom|UK|"
                           r"Ireland|Germany|France|India|Australia|Israel|Netherlands|Spain|Italy|Singapore)\b")
PRIVACY_ROLE = re.compile(r"\b(data protection officer|DPO|chief privacy officer|privacy officer|privacy team|"
                          r"privacy department|privacy office|data protection team)\b", re.I)
PERSON_BEFORE_ROLE = re.compile(r"^(?P<person>(?:[A-Z][a-zà-ÿ'’-]+\s+){1,3}[A-Z][a-zà-ÿ'’-]+)\s+(?:Chief\s+)?"
                                r"(?:Privacy Officer|Data Protection Officer)\b")
PHONE_CUE = re.compile(r"\b(phone|telephone|tel|call|fax|toll[- ]free|contact)\b", re.I)


def evidence(seg: Segmented, sentence: Sentence, rule: str, matched: str = "") -> Evidence:
    return Evidence(seg.document.doc_id, sentence.index, sentence.start, sentence.end,
                    seg.document.text[sentence.start:sentence.end], sentence.section, rule, matched)


@dataclass(frozen=True)
class Candidate:
    """A name some cue read as the publisher's."""

    name: str
    rule: str
    strength: int
    naming_itself: bool
    sentence: Sentence | None  # None: read from the page's title or site name, not from the text
    start: int = 0  # offsets of the name in the sentence's cleaned text
    end: int = 0
    alias: str | None = None
    needs_site: bool = False  # in lower case or an everyday word ("reddit", "Office"): trusted only with the site's


class _Text:
    """What the checks on a name need to know about the whole document, computed once."""

    def __init__(self, seg: Segmented):
        self.sentences = seg.sentences
        self.text = "\n".join(s.text for s in seg.sentences)
        lowered = self.text.lower()  # what needles are matched against: a case-insensitive pattern is slow
        self.lowered = lowered if len(lowered) == len(self.text) else None  # "İ" lower-cases to two characters
        self.starts = list(accumulate((len(s.text) + 1 for s in seg.sentences[:-1]), initial=0))
        self.lower = Counter(re.findall(r"(?<![\w@./-])[a-z][a-z-]*(?![\w@-])", self.text))  # words in lower case
        self._cache: dict[tuple[str, str], Any] = {}  # ('inside', name) -> bool, ('mentions', name) -> int

    def sentences_with(self, needle: tuple[str, ...]) -> list[Sentence]:
        """The sentences holding one of the ``needle`` words: in any case if it is written in lower case, else as
        written (a few scans of the whole text with ``str.find``, not a regular expression per sentence)."""
        if self.lowered is None:
            return [s for s in self.sentences if any(w in (s.text if w.lower() != w else s.text.lower())
                                                     for w in needle)]
        hits = set()
        for word in needle:
            text = self.text if word.lower() != word else self.lowered
            at = text.find(word)
            while at >= 0:
                hits.add(bisect_right(self.starts, at) - 1)
                at = text.find(word, at + 1)
        return [self.sentences[i] for i in sorted(hits)]

    def inside(self, name: str) -> bool:
        """Whether ``name`` is written inside a sentence on its own: after a lower-case word ("by Acme") or a comma,
        not only at a sentence start and not as the end of a longer name ("Bank of America" for "America")."""
        key = ("inside", name)
        if key not in self._cache:
            found, at = False, self.text.find(name)
            while at >= 0 and not found:
                end = at + len(name)
                before = self.text[max(0, at - 40):at]
                word = before.split()[-1] if before[-1:].isspace() and before.split() else ""
                found = (end == len(self.text) or not self.text[end].isalnum()) and bool(word) and \
                    (word[-1] in ",;:)" or (word[0].islower() and word not in _LINKS - {"the"}))
                at = self.text.find(name, at + 1)
            self._cache[key] = found
        return self._cache[key]

    def mentions(self, name: str) -> int:
        key = ("mentions", name)
        if key not in self._cache:
            self._cache[key] = len(re.findall(rf"(?<!\w){re.escape(name)}(?!\w)", self.text))
        return self._cache[key]


_TOKEN = re.compile(r"[^\s,]+")
_SUFFIX_FULL = re.compile(rf"(?:{_SUFFIX})")
_LINKS = {"of", "and", "&", "de", "du", "der", "für", "for", "the"}
_SERIAL = re.compile(r"^[A-Z]?\d{4,}$|^No\.?$")  # a registration or phone number, never part of a name


def _bare(token: str) -> str:
    return re.sub(r"(?:['’]s)$", "", token.strip(".'’\"“”:;!?()[]")).lower()


def _shape(raw: str, name_first: bool, at_start: bool, text: _Text, heading: bool = False) -> tuple[int, int] | None:
    """The span of ``raw`` that is the name: cut at heading and furniture words ("More Information Acme is
    committed" -> "Acme"), keeping the part next to the cue's words; at a sentence start, where a heading may run
    into the sentence, the longest tail that the document also writes inside a sentence. Only a heading line
    (``heading``: "Acme U.S. Online Privacy Notice") may have heading words between the name and the cue."""
    toks = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(raw)]
    body = len(toks)
    for k in (3, 2, 1):
        if len(toks) > k and _SUFFIX_FULL.fullmatch(" ".join(t for _, _, t in toks[-k:])):
            body = len(toks) - k
            break
    if body < len(toks) and (body == 0 or _bare(toks[body - 1][2]) in FURNITURE):
        return None  # a legal form after a heading word ("About Company"): no name
    runs: list[list[int]] = []  # runs of token indexes
    run: list[int] = []
    for i in range(body):
        if _bare(toks[i][2]) in FURNITURE or _SERIAL.match(toks[i][2]):
            runs.append(run)
            run = []
        else:
            run.append(i)
    runs.append(run)
    for r in runs:  # no link word at either end ("of America" -> "America"), but "The Hill"
        while r and _bare(toks[r[0]][2]) in _LINKS and not (len(r) == 2 and _bare(toks[r[0]][2]) == "the"):
            r.pop(0)
        while r and _bare(toks[r[-1]][2]) in _LINKS:
            r.pop()
    runs = [r for r in runs if r]
    if not runs:
        return None
    chosen = runs[-1] if name_first else runs[0]
    if not heading and chosen[-1 if name_first else 0] != (body - 1 if name_first else 0):
        return None  # a heading word between the name and the cue ("Acme Registration No. 5 is the controller")
    last = len(toks) - 1 if chosen[-1] == body - 1 else chosen[-1]  # the legal suffix goes with the run before it
    first = chosen[0]
    if at_start and name_first and len(chosen) > 1:
        whole = raw[toks[first][0]:toks[last][1]]
        if not text.inside(whole):
            for k in range(1, len(chosen)):
                sub = raw[toks[chosen[k]][0]:toks[last][1]]
                if _bare(toks[chosen[k]][2]) not in _LINKS and text.inside(sub):
                    first = chosen[k]
                    break
    return toks[first][0], toks[last][1]


def _clean(name: str) -> str:
    """``clean_name`` without a possessive ("Acme's" -> "Acme"), keeping "The" before a single word ("The Hill")."""
    name = " ".join(re.sub(r"['’][sS]$", "", name.strip()).split())
    single = re.fullmatch(r"(?i)(the)\s+([^\s]+)", name)
    if single and clean_name(single.group(2))[:1].isupper():
        return f"{single.group(1)} {clean_name(single.group(2))}"
    return clean_name(name)


def _checked(name: str, text: _Text | None) -> tuple[bool, bool]:
    """(a name at all, trusted only with the site's support). Never a fragment: not a registration number, not a
    word for a kind of organisation ("the Bank", "Developer Company"), not a heading word."""
    words = name.split()
    if not words or len(name) < 2 or any(_SERIAL.match(w) for w in words):
        return False, False
    stripped = strip_legal_suffix(name)
    bare = [_bare(w) for w in stripped.split()]
    if all(w in GENERIC_NAMES or w in FURNITURE or w in NOT_A_NAME or w in _LINKS for w in bare) or \
            bare[-1] in NOT_A_NAME:
        return False, False
    lower = name[0].islower() and not name[1:2].isupper()
    single = len(bare) == 1 and stripped.isalpha() and stripped[:1].isupper() and \
        (stripped[1:].islower() or stripped.isupper())
    everyday = single and text is not None and text.lower[stripped.lower()] >= 2  # "Office", also in lower case
    return True, lower or everyday


def _candidates(seg: Segmented, text: _Text) -> list[Candidate]:
    """Every name a cue reads, in sentence order, then the page's site name and title."""
    found_by_cue: list[tuple[int, int, Candidate]] = []
    for order, cue in enumerate(CUES):
        for sentence in text.sentences_with(cue.needle) if cue.needle is not None else seg.sentences:
            if cue.at_start:
                m = cue.pattern.match(sentence.text)
                found = _read(m, cue, sentence, text) if m else None
                if found is not None:
                    found_by_cue.append((sentence.index, order, found))
                continue
            pos = 0
            while (m := cue.pattern.search(sentence.text, pos)) is not None:
                found = _read(m, cue, sentence, text)
                if found is None:  # not a name ("This ... (collectively "we")"): the cue may hold one further on
                    pos = m.start("name") + 1
                    continue
                found_by_cue.append((sentence.index, order, found))
                pos = max(m.end(), pos + 1)
    out = [c for _, _, c in sorted(found_by_cue, key=lambda t: t[:2])]
    document = seg.document
    for value, rule, strength in ((document.site_name, "controller.html-site-name.v1", 7),
                                  (document.title, "controller.html-title.v1", 6)):
        name = _page_name(value)
        if name and _checked(name, text)[0]:
            out.append(Candidate(name, rule, strength, True, None))
    return out


_PART_OF_NAME = re.compile(r"(?<![\w&'’.-])([A-Z][\w&'’.-]*)\s+(?:of|and|&|for|de|du|der|für)\s+$")


def _read(m: re.Match, cue: Cue, sentence: Sentence, text: _Text) -> Candidate | None:
    groups = m.groupdict()
    if cue.inner is not None and not cue.inner.search(groups.get("inner") or ""):
        return None
    before = _PART_OF_NAME.search(m.string, 0, m.start("name")) if not cue.name_first else None
    if before and _bare(before.group(1)) not in FURNITURE:
        return None  # the end of a longer name: "America" in "products of Bank of America"
    span = _shape(m.group("name"), cue.name_first, m.start("name") <= 3, text, heading=cue.at_start)
    if span is None:
        return None
    start, end = m.start("name") + span[0], m.start("name") + span[1]
    name = _clean(sentence.text[start:end])
    ok, needs_site = _checked(name, text)
    if not ok:
        return None
    return Candidate(name, cue.rule, cue.strength, cue.naming_itself, sentence, start, end, _alias(groups, name),
                     needs_site)


def _alias(groups: dict, name: str) -> str | None:
    """A short name the cue defines for ``name``: its "alias" group, or a quoted term in the parenthesis."""
    alias = groups.get("alias")
    if alias is None and groups.get("inner"):
        quoted = re.findall(r"[\"“'‘]\s*([^\"“”'‘’]{2,40}?)\s*[,.]?\s*[\"”'’]", groups["inner"])
        alias = next((q for q in quoted if _bare(q) not in FURNITURE | GENERIC_NAMES and q[:1].isupper()), None)
    if not alias:
        return None
    alias = _clean(alias)
    return alias if alias and alias != name and _checked(alias, None)[0] and _related(alias, name) else None


_PAGE_SEPARATORS = re.compile(r"\s+[|–—·•:»-]\s+|\s*\|\s*")


def _page_name(value: str | None) -> str | None:
    """The site's name in a page title or site name: "Privacy Policy | Acme" -> "Acme"."""
    if not value:
        return None
    parts = [clean_name(p) for p in _PAGE_SEPARATORS.split(" ".join(value.split()))]
    parts = [p for p in parts if p and not all(_bare(w) in FURNITURE for w in p.split())]
    return parts[-1] if parts else None


# -- the site's own domain --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SiteKey:
    """The site's name as its domain writes it ("acmewidgets" from privacy@acmewidgets.com)."""

    key: str
    rule: str
    domain: str  # as found (e-mail domain, web address, or the page's title)
    sentence: Sentence | None
    own_domain: bool  # an address on the publisher's own domain (not a free-mail provider's)


def _domain_key(domain: str) -> str:
    labels = [label for label in domain.lower().split(".") if label and label != "www"]
    if len(labels) < 2:
        return ""
    label = labels[-3] if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else labels[-2]
    return label.replace("-", "")


def site_keys(seg: Segmented, emails: list[tuple[Sentence, list]] | None = None) -> list[SiteKey]:
    """Keys of the site's own name: the domains of its contact addresses and of the addresses it calls its own.
    ``emails``: ``_emails(seg)``, when already found."""
    keys: dict[str, SiteKey] = {}
    for sentence, found in emails if emails is not None else _emails(seg):
        for _, _, email in found:
            local, domain = email.rsplit("@", 1)
            domain = domain.lower()
            if domain in FREE_MAIL:  # bxapps7@gmail.com: the mailbox's name is the developer's
                key = re.sub(r"[^a-z0-9]", "", re.sub(r"[\d._-]+$", "", local.lower()))
                if len(key) >= 3 and key not in ROLE_MAILBOXES:
                    keys.setdefault(key, SiteKey(key, "controller.email-local.v1", email, sentence, False))
                continue
            key = _domain_key(domain)
            if len(key) >= 2:
                keys.setdefault(key, SiteKey(key, "controller.email-domain.v1", domain, sentence, True))
        if _DOTTED.search(sentence.text) and _OWN_SITE.search(sentence.text):
            for m in _DOMAIN_RE.finditer(sentence.text):
                key = _domain_key(m.group(1))
                if len(key) >= 2:
                    keys.setdefault(key, SiteKey(key, "controller.site-url.v1", m.group(1).lower(), sentence, False))
    document = seg.document
    for value in (document.site_name, document.title):
        name = _page_name(value)
        if name:
            key = "".join(_name_words(name))
            if len(key) >= 2:
                keys.setdefault(key, SiteKey(key, "controller.html-title.v1", name, None, False))
    return list(keys.values())


def _emails(seg: Segmented) -> list[tuple[Sentence, list[tuple[int, int, str]]]]:
    """Each sentence with the e-mail addresses in it (``find_emails``), found once for the name and the contacts."""
    return [(sentence, find_emails(sentence.text)) for sentence in seg.sentences]


_TLD_WORDS = {"com", "net", "org", "io", "co", "uk", "de", "fr", "info", "biz", "me", "app"}
_DOTTED = re.compile(r"\w\.[A-Za-z]{2}")  # a sentence that may hold a domain name


@lru_cache(maxsize=16384)
def _name_words(name: str) -> tuple[str, ...]:
    """Lower-case words of a name for comparing with a domain: camelCase split, "&" -> "and", no "the", no TLD."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name.replace("&", " and "))
    words = re.findall(r"[a-z0-9]+", spaced.lower())
    while len(words) > 1 and words[-1] in _TLD_WORDS:
        words.pop()
    return tuple(w for w in words if w != "the") or tuple(words)


def _spells(key: str, words: Sequence[str]) -> bool:
    """Whether ``key`` is written by consecutive ``words``, each whole or by its initial, two words at least when an
    initial is used ("nyt" + "times" = "New York Times", "si" = "Smithsonian Institution")."""
    def walk(i: int, at: int, used: int, initials: bool) -> bool:
        if at == len(key):
            return used >= 2 or not initials
        if i == len(words):
            return False
        w = words[i]
        if w in _LINKS and walk(i + 1, at, used, initials):
            return True
        return (key.startswith(w, at) and walk(i + 1, at + len(w), used + 1, initials)) or \
            (key[at] == w[0] and walk(i + 1, at + 1, used + 1, True))
    return any(walk(i, 0, 0, False) for i in range(len(words)) if words[i] not in _LINKS)


@lru_cache(maxsize=16384)
def matches_key(name: str, key: str, partly: bool = True) -> bool:
    """Whether the site key ``key`` is this name: "Acme Widgets" for acmewidgets, "Zacks" for zacks, "PBS" for pbs,
    "New York Times" for nytimes; or (``partly``) one starts the other and is most of it ("Mico" for micous)."""
    words = _name_words(strip_legal_suffix(name))
    if not words:
        return False
    joined = "".join(words)
    if joined == key or _spells(key, words):
        return True
    if not partly or min(len(joined), len(key)) < 4:
        return False
    if joined.startswith(key):  # the domain shortens the name's first words: "nbcuni" for "NBCUniversal Media"
        return any(2 * len(key) >= len("".join(words[:k])) >= len(key) for k in range(1, len(words) + 1))
    return key.startswith(joined) and len(joined) >= 0.6 * len(key)  # "Mico" for micous, not "Lion" for lionmobi


def _key_candidates(seg: Segmented, keys: list[SiteKey], text: _Text) -> list[Candidate]:
    """For each site key, the name the text writes it as most often ("Acme Widgets", "reddit"), if any: the longest
    part of a capitalised name that spells the key, or the key itself in lower case."""
    if not keys:
        return []
    found: dict[str, Counter] = {k.key: Counter() for k in keys}
    partly = {k.key: k.rule != "controller.email-local.v1" for k in keys}  # a mailbox name must be spelled whole
    first: dict[tuple[str, str], tuple[Sentence, int, int]] = {}

    def add(key: str, name: str, sentence: Sentence, s: int, e: int) -> None:
        found[key][name] += 1
        first.setdefault((key, name), (sentence, s, e))

    initials = {k[0] for k in found}
    stems = {k[:4] for k in found}  # a name that spells a key whole or in part holds its first letters
    for sentence in text.sentences_with(tuple(stems)):
        for m in NAME_RE.finditer(sentence.text):
            toks = [(m.start() + t.start(), m.start() + t.end()) for t in _TOKEN.finditer(m.group())]
            bare = [_bare(sentence.text[a:b]) for a, b in toks]
            if not any(w[:1] in initials for w in bare):
                continue
            furniture = [w in FURNITURE for w in bare]
            for key in found:
                spans = ((i, i + n - 1) for n in range(min(len(toks), 5), 0, -1) for i in range(len(toks) - n + 1)
                         if any(w[:1] == key[0] for w in bare[i:i + n]) and not any(furniture[i:i + n]) and
                         bare[i] not in _LINKS)
                for i, j in spans:  # longest first
                    name = _clean(sentence.text[toks[i][0]:toks[j][1]])
                    if name and matches_key(name, key, partly[key]):
                        add(key, name, sentence, toks[i][0], toks[j][1])
                        break
        lowered = sentence.text.lower()
        for key in found:
            if key in lowered:  # written as the domain is, not capitalised: "reddit", "pescAPPs", "bxapps.com"
                for m in re.finditer(rf"(?<![\w@./-]){re.escape(key)}(?:\.(?:com|net|org|io|me|co))?(?![\w@-])",
                                     sentence.text, re.I):
                    if m.group()[0].islower():
                        add(key, m.group(), sentence, m.start(), m.end())
    out = []
    for k in keys:
        names = [n for n in found[k.key] if (check := _checked(n, text))[0] and
                 (not check[1] or "".join(_name_words(n)) == k.key)]  # an everyday word only when it is the key
        if names:
            name = max(names, key=lambda n: (found[k.key][n], len(n)))
            sentence, s, e = first[(k.key, name)]
            out.append(Candidate(name, k.rule, 5, True, sentence, s, e))
    return out


# -- choosing -----------------------------------------------------------------------------------------------------
@cache
def _known_organisations() -> tuple[frozenset[str], frozenset[str]]:
    """Keys of the well-known organisations' labels (ontology/concepts/organisations.ttl), and their one-word
    labels ("Google")."""
    from rdflib import Graph
    from rdflib.namespace import SKOS

    graph = Graph().parse(data_dir("ontology") / "concepts" / "organisations.ttl")
    labels = {str(o) for p in (SKOS.prefLabel, SKOS.altLabel) for o in graph.objects(None, p)}
    return frozenset(k for label in labels for k in organisation_keys(label)), \
        frozenset(slug(label) for label in labels if " " not in label.strip())


@lru_cache(maxsize=4096)
def _well_known(name: str) -> bool:
    """A company policies name as a recipient (Google, Facebook): the publisher only when the policy says so."""
    keys, single = _known_organisations()
    words = _name_words(strip_legal_suffix(name))
    return bool(words) and (words[0] in single or "".join(words) in single or bool(organisation_keys(name) & keys))


def _group(found: list[Candidate]) -> list[list[Candidate]]:
    """Candidates naming one organisation, together: same name but for case, punctuation or legal suffix; one name
    the start of the other ("Zacks", "Zacks Investment Research"); a defined short name or acronym."""
    names = list(dict.fromkeys(c.name for c in found))
    parent = {n: n for n in names}

    def root(n: str) -> str:
        while parent[n] != n:
            n = parent[n]
        return n

    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if _same_group(a, b):
                parent[root(a)] = root(b)
    for c in found:
        if c.alias and c.alias in parent:
            parent[root(c.alias)] = root(c.name)
    groups: dict[str, list[Candidate]] = {}
    for c in found:
        groups.setdefault(root(c.name), []).append(c)
    return list(groups.values())


def _same_group(a: str, b: str) -> bool:
    """Same organisation, one name the start of the other ("Zacks", "Zacks Investment Research"), or one the other's
    acronym ("SRL", "Sports Reference LLC")."""
    short, long_ = sorted((_name_words(strip_legal_suffix(a)), _name_words(strip_legal_suffix(b))), key=len)
    return same_organisation(a, b) or bool(short and long_[:len(short)] == short) or _acronym(a, b) or _acronym(b, a)


def _acronym(short: str, name: str) -> bool:
    """"SRL" for "Sports Reference LLC", "NARA" for "National Archives and Records Administration"."""
    return " " not in short.strip() and len(short) >= 2 and short.isupper() and \
        any(len(words) > 1 and _spells(short.lower(), words) and all(len(w) > 1 for w in words[:1])
            for words in (_name_words(name), _name_words(strip_legal_suffix(name))))


def _score(group: list[Candidate], keys: list[SiteKey], text: _Text, unique_legal: bool = False) -> int:
    """How sure the group is the publisher (0: not at all). The strongest cue, one more per other kind of cue, more
    when the site's domain spells it or the text names it often; a well-known third party's name, a name in lower
    case or an everyday word needs the policy's own word for it."""
    cues = {c.rule: c.strength for c in sorted(group, key=lambda c: c.strength)}
    from_text = [c for c in group if not c.rule.startswith(_FROM_DOMAIN)]
    if not from_text:
        return min(cues.values())  # only the domain's spelling: a fallback
    best = max(c.strength for c in from_text)
    site = any(matches_key(c.name, k.key, k.rule != "controller.email-local.v1") for c in group for k in keys)
    self_named = [c for c in from_text if c.naming_itself]
    if any(_well_known(c.name) for c in group) and not ((site and self_named) or
                                                        any(c.strength >= 8 for c in self_named)):
        return 0
    if all(c.needs_site for c in from_text) and not site and best < 9:
        return 0
    only_legal = {c.rule for c in from_text} == {_LEGAL_SUFFIX_RULE}
    if not self_named and not site and not (unique_legal and any(c.rule == _LEGAL_SUFFIX_RULE for c in group)):
        return 0  # named, but never as the publisher
    score = best + min(3, len(cues) - 1) + (_KEY_BONUS if site else 0)
    if max(text.mentions(c.name) for c in group) >= 3:
        score += 1
    if best < THRESHOLD and only_legal and unique_legal:
        score += 1  # the only company the policy names with its legal form
    return score


def _choose(found: list[Candidate], keys: list[SiteKey], text: _Text) -> tuple[Candidate, list[Candidate]] | None:
    groups = _group(found)
    legal = [g for g in groups if any(c.rule == _LEGAL_SUFFIX_RULE for c in g) and
             not any(_well_known(c.name) for c in g)]
    scored = [(s, g) for g in groups if (s := _score(g, keys, text, len(legal) == 1)) >= THRESHOLD]
    if not scored:
        return None
    first = lambda g: min(c.sentence.index if c.sentence else -1 for c in g)  # noqa: E731
    _, group = max(scored, key=lambda sg: (sg[0], -first(sg[1])))
    best = max(group, key=lambda c: (c.strength, not c.rule.startswith(_FROM_DOMAIN), has_legal_suffix(c.name),
                                     c.sentence is not None, -(c.sentence.index if c.sentence else 0)))
    return best, group


def find_controller(seg: Segmented, given: str | None = None) -> tuple[ControllerInfo | None, list[str]]:
    """The controller and the warnings met on the way (e.g. an e-mail hidden by Cloudflare).

    ``given``: the name a build manifest gives (``kg.manifest``), preferred over the text's: the name the text finds
    is kept as an alias when it is the same organisation, and reported in a warning when it is another."""
    warnings: list[str] = []
    text = _Text(seg)
    emails = _emails(seg)
    keys = site_keys(seg, emails)
    address = _address(seg)
    found = _candidates(seg, text)
    found += _key_candidates(seg, keys, text)
    found += _address_candidate(seg, address, keys, text)
    chosen = (_choose(found, keys, text) if found else None) or _own_domain(seg, keys)
    legal, evidence_, aliases = None, None, []
    if chosen is not None:
        best, group = chosen
        legal = _legal_form(best.name, group)
        evidence_ = _name_evidence(seg, best, legal)
        for c in group:
            for name in (c.alias, strip_legal_suffix(c.name) if c.name == legal else None, c.name):
                if name and name != legal and name not in aliases and _related(name, legal):
                    aliases.append(name)
    given = " ".join(given.split()) if given else None
    if given:
        if legal is not None and legal != given and (_same_group(legal, given) or _related(legal, given)):
            aliases = [a for a in [legal, *aliases] if a != given]
        elif legal is not None and legal != given:
            warnings.append(f"the manifest names the controller {given!r}; the text reads {legal!r} "
                            f"({evidence_.rule if evidence_ else 'no cue'})")
            evidence_, aliases = _written(seg, given), []
        legal = given
    elif legal is None:
        return None, ["no controller name found (no 'Acme (\"we\")', '© Acme', 'Acme Inc.', contact domain ...): "
                      "give it in a build manifest (--manifest)"]
    contacts = _contacts(seg, emails)  # e-mails hidden by Cloudflare are already reported by ingest
    country = None
    if address:
        contacts.append(address)
        country = _country(address.value)
    return ControllerInfo(legal_name=legal, evidence=evidence_, aliases=tuple(aliases), contacts=tuple(contacts),
                          country=country, privacy_contact=_privacy_contact(seg, contacts),
                          named_by="manifest" if given else "text"), warnings


_UNIT = re.compile(r"(?i)(?:\s+(?:law|legal|privacy|compliance|customer|service|services|support|data|protection|"
                   r"department|dept\.?|office|division|team|desk|unit|attn\.?|attention))+$")


def _address_candidate(seg: Segmented, address: Contact | None, keys: list[SiteKey],
                       text: _Text) -> list[Candidate]:
    """The organisation on the line above the policy's postal address ("Acme Inc." / "Acme Law Department" above
    "12 Main Street"): only with a legal form or an office's name after it, or spelled by the site's domain, never
    a bare person's name ("Jane Doe")."""
    if address is None or address.evidence is None:
        return []
    first = seg.sentences[address.evidence.sentence_index]
    head = first.text[:first.text.find(address.value.split()[0])].strip(" ,;:") if \
        address.value.split()[0] in first.text else ""
    sentence = first
    if not head and first.index > 0:
        sentence = seg.sentences[first.index - 1]
        head = sentence.text.strip(" ,;:") if len(sentence.text.split()) <= 6 else ""
    m = NAME_RE.search(head) if head else None
    if m is None or len(m.group()) < 0.7 * len(head):
        return []
    unit = _UNIT.search(m.group())
    name = _clean(m.group()[:unit.start()] if unit else m.group())
    if not name or not (unit or has_legal_suffix(name) or any(matches_key(name, k.key) for k in keys)):
        return []
    ok, needs_site = _checked(name, text)
    start = m.start() + sentence.text.find(head)
    return [Candidate(name, "controller.postal-address.v1", 5, True, sentence, start, start + len(name),
                      None, needs_site)] if ok and not _well_known(name) else []


def _legal_form(name: str, group: list[Candidate]) -> str:
    """The name with its legal form, where the policy writes one: '"CubeSoft" refers to CubeSoft Communications
    Inc.', 'CubeSoft is the data controller' -> "CubeSoft Communications Inc."."""
    defined = [c.name for c in group if c.alias and c.alias.lower() == name.lower()]
    if defined:
        name = defined[0]
    if not has_legal_suffix(name):
        fuller = [c.name for c in group if has_legal_suffix(c.name) and _same_group(c.name, name)]
        if fuller:
            name = max(fuller, key=lambda n: (sum(c.name == n for c in group), len(n)))
    return name


def _written(seg: Segmented, name: str) -> Evidence | None:
    """The first sentence that writes ``name`` (or it without its legal form), for a name the manifest gives."""
    for form in dict.fromkeys((name, strip_legal_suffix(name))):
        rx = re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.I)
        for sentence in seg.sentences:
            m = rx.search(sentence.text)
            if m:
                return evidence(seg, sentence, "controller.manifest.v1", m.group())
    return None


_CONTACT_US = re.compile(r"(?i)\b(?:contact|e-?mail|write|reach|send|questions?)\b.*\b(?:us|our)\b|"
                         r"\b(?:us|our)\b.*\b(?:contact|e-?mail|at)\b")


def _own_domain(seg: Segmented, keys: list[SiteKey]) -> tuple[Candidate, list[Candidate]] | None:
    """The last resort, when the text names no publisher: the policy's own contact address ("contact us at
    privacy@acme.com" -> "acme.com"; at a free-mail provider, the mailbox: "acmegames7@gmail.com" -> "acmegames").
    Never a well-known third party's domain."""
    own = [k for k in keys if k.sentence is not None and k.rule != "controller.site-url.v1" and
           not _well_known(k.key) and (_CONTACT_US.search(k.sentence.text) or len(k.sentence.text.split()) <= 6)]
    own = [k for k in own if k.own_domain] or \
        [k for k in own if len(k.key) >= 4 and re.fullmatch(r"[a-z]+\d*", k.domain.split("@")[0].lower())]
    if not own:
        return None
    k = own[0]
    assert k.sentence is not None  # own keeps the keys that come with a sentence
    name = k.domain if k.own_domain else k.domain.split("@")[0].rstrip("0123456789._-")
    start = max(k.sentence.text.lower().find(name.lower()), 0)
    c = Candidate(name, k.rule, 5, True, k.sentence, start, start + len(name))
    return c, [c]


def _name_evidence(seg: Segmented, best: Candidate, legal: str) -> Evidence:
    """The sentence the name was read from; for a page's title or site name, the first sentence that writes the
    name (else the first sentence), with the title or site name as the matched text."""
    if best.sentence is not None:
        return evidence(seg, best.sentence, best.rule, best.sentence.text[best.start:best.end])
    where = next((s for s in seg.sentences if legal.lower() in s.text.lower()), seg.sentences[0])
    return evidence(seg, where, best.rule, best.name)

def _related(name: str, legal: str) -> bool:
    """An alias shares its first word with the legal name, case-insensitively ("CubeSoft", "CONNACT"), or is its
    acronym ("SRL" for "Sports Reference LLC")."""
    first = strip_legal_suffix(legal).split()[0].lower()
    return name.split()[0].lower().rstrip("’'s") == first or same_organisation(name, legal) or \
        name.lower() == first or _acronym(name, legal)


def _contacts(seg: Segmented, emails: list[tuple[Sentence, list]] | None = None) -> list[Contact]:
    contacts: list[Contact] = []
    seen: set[tuple[str, str]] = set()
    for sentence, found in emails if emails is not None else _emails(seg):
        for start, end, email in found:
            if ("email", email) not in seen:
                seen.add(("email", email))
                contacts.append(Contact("email", email, evidence(seg, sentence, "contact.email.v1",
                                                                 sentence.text[start:end])))
        if PHONE_CUE.search(sentence.text) or len(sentence.text.split()) <= 8:
            for start, end, phone in find_phones(sentence.text):
                if ("phone", phone) not in seen:
                    seen.add(("phone", phone))
                    contacts.append(Contact("phone", phone, evidence(seg, sentence, "contact.phone.v1",
                                                                     sentence.text[start:end])))
    return contacts


def _address(seg: Segmented) -> Contact | None:
    """The first postal address: a street number followed within 120 characters by a postal code.

    Address blocks are often one short line per part ("132 Ch. des Buttes" / "G4T 5L3, Canada"), so up to two
    preceding short sentences are read together with the one holding the postal code.
    """
    sentences = seg.sentences
    for i, sentence in enumerate(sentences):
        if not POSTAL.search(sentence.text):
            continue
        for back in (0, 1, 2):
            window = sentences[i - back:i + 1] if i - back >= 0 else []
            if not window or any(len(s.text.split()) > 10 for s in window[:-1]):
                break
            text = ", ".join(s.text.rstrip(",") for s in window)
            offset = len(text) - len(sentence.text)
            for m in POSTAL.finditer(text, offset):
                starts = [st for st in STREET_START.finditer(text, max(0, m.start() - 120), m.start())
                          if not text[st.start():m.start()].strip().isdigit()]
                if not starts:
                    continue
                end = m.end()
                after = COUNTRY_AFTER.match(text, end)
                if after:
                    end = after.end()
                value = " ".join(text[starts[0].start():end].split())
                first, last = window[0], window[-1]
                ev = Evidence(seg.document.doc_id, first.index, first.start, last.end,
                              seg.document.text[first.start:last.end], first.section,
                              f"contact.address.{m.lastgroup}.v1", value)
                return Contact("address", value, ev)
    return None


def _country(address: str) -> str | None:
    code = country_code(address)
    if code:
        return code
    if US_ZIP.search(address):
        return "US"
    return None


def _privacy_contact(seg: Segmented, contacts: list[Contact]) -> PrivacyContact | None:
    best: tuple | None = None
    sentences = seg.sentences
    for i, sentence in enumerate(sentences):
        m = PRIVACY_ROLE.search(sentence.text)
        if not m or re.search(r"\b(if|where) (we|you) (have|are required|appoint)", sentence.text, re.I):
            continue
        role = m.group(1)
        is_dpo = role.lower() in ("data protection officer", "dpo")
        person = PERSON_BEFORE_ROLE.search(sentence.text)
        if person is None and i > 0 and len(sentences[i - 1].text.split()) <= 4 and \
                PERSON_BEFORE_ROLE.match(f"{sentences[i - 1].text} Privacy Officer"):
            person = PERSON_BEFORE_ROLE.match(f"{sentences[i - 1].text} Privacy Officer")
        nearby = {e for s in sentences[i:i + 4] if s is sentence or len(s.text.split()) <= 12
                  for _, _, e in find_emails(s.text)}
        linked = tuple(c for c in contacts if c.kind == "email" and c.value in nearby)
        score = (is_dpo, person is not None, bool(linked))
        if best is None or score > best[0]:
            role_name = "Data Protection Officer" if role.upper() == "DPO" else role.title()
            best = (score, PrivacyContact(role=role_name, evidence=evidence(seg, sentence, "contact.privacy-role.v1",
                                                                            m.group(0)),
                                          name=person.group("person") if person else None, is_dpo=is_dpo,
                                          contacts=linked))
    return best[1] if best else None


def find_date(seg: Segmented) -> tuple[str | None, Evidence | None]:
    """The policy's version date ("Last updated: July 22, 2018") and the sentence it is in."""
    for sentence in seg.sentences:
        hit = find_policy_date(sentence.text)
        if hit:
            start, end, iso = hit
            return iso, evidence(seg, sentence, "policy.date.v1", sentence.text[start:end])
    return None, None

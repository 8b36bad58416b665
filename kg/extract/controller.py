"""Who publishes the policy: legal name, aliases, contacts, postal address and country, privacy officer, date.

Read from the cleaned sentences (hard wraps joined, e-mails de-obfuscated) with patterns that policies use to
name themselves. Each pattern has a strength; the strongest candidate wins, and a name that has a legal-suffix
form elsewhere in the text ("CubeSoft Communications" / "CubeSoft Communications Inc.") takes that form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.model import Contact, ControllerInfo, Evidence, PrivacyContact, Segmented, Sentence
from kg.normalize.countries import country_code
from kg.normalize.dates import find_policy_date
from kg.normalize.emails import find_emails
from kg.normalize.organisations import LEGAL_SUFFIXES, clean_name, has_legal_suffix, same_organisation, \
    strip_legal_suffix
from kg.normalize.phones import find_phones

_SUFFIX = "|".join(sorted((re.escape(s) for s in LEGAL_SUFFIXES), key=len, reverse=True))
# a capitalised word, not a legal suffix; at most 62 characters, so a match attempt inside one enormous word ends
# after 62 of them (unbounded, a 4,000-letter word took seconds per cue: each capital restarted a scan to its end)
_WORD = rf"(?=[A-Z])(?!(?:{_SUFFIX})(?!\w))(?:[A-Z][\w&'’.-]{{0,60}}[\w.]|[A-Z])"
_LINK = r"(?:\s+(?:of|and|&|de|du|der|für))?"
NAME = rf"{_WORD}(?:{_LINK}\s+{_WORD}){{0,4}}(?:,?\s+(?:{_SUFFIX})(?![\w]))?"
_Q = "[\"“”'‘’«»]"

# (strength, pattern with a group "name" and optionally "alias", rule id)
_CUES: tuple[tuple[int, str, str], ...] = (
    (10, rf"\bcontroller\s+(?:of\s+(?:your\s+)?personal\s+(?:data|information)\s+)?(?:is|will be)\s+(?P<name>{NAME})",
     "controller.is-controller.v1"),
    (10, rf"(?P<name>{NAME}),?\s+(?:is|acts as|will be)\s+(?:the\s+)?(?:data\s+)?controller\b",
     "controller.is-controller.v1"),
    (9, rf"{_Q}(?P<alias>[^\"“”'‘’]{{2,40}}){_Q}\s+refers\s+to\s+(?P<name>{NAME})", "controller.refers-to.v1"),
    (9, rf"\bbetween\s+you\b.{{0,80}}?\band\s+(?P<name>{NAME})\s*\(\s*(?:doing\s+business\s+as|d/?b/?a)\s*{_Q}?"
        rf"(?P<alias>[^\"“”'‘’,)]{{2,40}})", "controller.agreement-parties.v1"),
    (9, rf"\bbetween\s+you\b.{{0,80}}?\band\s+(?P<name>{NAME})", "controller.agreement-parties.v1"),
    (8, rf"(?P<name>{NAME})\s*\(\s*(?:{_Q}|hereinafter\s+)?(?:we|us|our|the company)\b", "controller.we-defined.v1"),
    (7, rf"\bWe\s+at\s+(?P<name>{NAME})", "controller.we-at.v1"),
    (7, rf"(?P<name>{NAME})\s+(?:has\s+created|has\s+adopted|respects|is\s+committed\s+to)\b",
     "controller.self-statement.v1"),
    (7, rf"\bprivacy\s+is\s+(?:very\s+)?important\s+to\s+(?P<name>{NAME})", "controller.self-statement.v1"),
    (6, rf"(?P<name>{NAME})(?:'s|’s)\s+(?:privacy\s+(?:policy|statement|notice)|information\s+practices)",
     "controller.possessive-policy.v1"),
    (5, rf"(?:©|\(c\)|Copyright)\s*(?:©\s*)?(?:\d{{4}}(?:\s*[-–]\s*\d{{4}})?\s*,?\s*)?(?P<name>{NAME})",
     "controller.copyright.v1"),
    (3, rf"(?P<name>{_WORD}(?:{_LINK}\s+{_WORD}){{0,4}},?\s+(?:{_SUFFIX}))(?![\w])", "controller.legal-suffix.v1"),
)
# A cue that starts with a name is tried at every capital letter; its "needle" is a cheap pattern that is found in
# every sentence the cue matches (a word the cue requires), so a sentence without it is skipped (speed only).
_NEEDLES = {
    "controller.is-controller.v1": r"controller",
    "controller.we-defined.v1": r"\(",
    "controller.self-statement.v1": r"created|adopted|respects|committed",
    "controller.possessive-policy.v1": r"['’]s",
    "controller.legal-suffix.v1": rf"\s(?:{_SUFFIX})(?!\w)",
}
CUES: tuple[tuple[int, re.Pattern, str, re.Pattern | None], ...] = tuple(
    (s, re.compile(p), r, re.compile(_NEEDLES[r]) if p.startswith("(?P<name>") and r in _NEEDLES else None)
    for s, p, r in _CUES)
STOP_WORDS = {"privacy", "policy", "this", "the", "our", "your", "we", "you", "website", "services", "service",
              "site", "terms", "data", "personal", "information", "user", "users", "company", "in", "if", "for",
              "all", "any", "by", "as", "a", "an", "it", "california", "european", "eu", "gdpr", "ccpa", "who", "what",
              "which", "how", "where", "when", "why", "contact", "data", "controller", "processor", "customer"}

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


@dataclass(frozen=True)
class _Candidate:
    strength: int
    name: str
    alias: str | None
    sentence: Sentence
    rule: str
    start: int  # offsets in the sentence's cleaned text
    end: int


def evidence(seg: Segmented, sentence: Sentence, rule: str, matched: str = "") -> Evidence:
    return Evidence(seg.document.doc_id, sentence.index, sentence.start, sentence.end,
                    seg.document.text[sentence.start:sentence.end], sentence.section, rule, matched)


def candidates(seg: Segmented) -> list[_Candidate]:
    out = []
    for sentence in seg.sentences:
        for strength, rx, rule, needle in CUES:
            if needle is not None and not needle.search(sentence.text):
                continue
            for m in rx.finditer(sentence.text):
                name = clean_name(m.group("name"))
                if not _plausible(name):
                    continue
                alias = m.groupdict().get("alias")
                alias = clean_name(alias) if alias and _plausible(clean_name(alias)) else None
                out.append(_Candidate(strength, name, alias, sentence, rule, m.start("name"), m.end("name")))
    return out


def _plausible(name: str) -> bool:
    words = name.split()
    if not words or words[0].lower() in STOP_WORDS or len(name) < 3:
        return False
    return not all(w.lower().strip(".,") in STOP_WORDS for w in words)


def find_controller(seg: Segmented) -> tuple[ControllerInfo | None, list[str]]:
    """The controller and the warnings met on the way (e.g. an e-mail hidden by Cloudflare)."""
    warnings: list[str] = []
    found = candidates(seg)
    if not found:
        return None, ["no controller name found (no 'X is the data controller', '© X', 'X Inc.' ...)"]
    best = max(found, key=lambda c: (c.strength, has_legal_suffix(c.name), -c.sentence.index))
    legal = best.name
    defined = [c.name for c in found if c.alias and c.alias.lower() == legal.lower()]
    if defined:  # '"CubeSoft" refers to CubeSoft Communications Inc.' ... 'CubeSoft is the data controller'
        legal = defined[0]
    if not has_legal_suffix(legal):
        fuller = [c.name for c in found if has_legal_suffix(c.name) and
                  same_organisation(strip_legal_suffix(c.name), legal)]
        if fuller:
            legal = max(fuller, key=lambda n: (sum(c.name == n for c in found), len(n)))
    aliases = []
    for c in found:
        for name in (c.alias, strip_legal_suffix(c.name) if c.name == legal else None, c.name):
            if name and name != legal and name not in aliases and _related(name, legal):
                aliases.append(name)
    contacts = _contacts(seg)  # e-mails hidden by Cloudflare are already reported by ingest
    address = _address(seg)
    country = None
    if address:
        contacts.append(address)
        country = _country(address.value)
    matched = best.sentence.text[best.start:best.end]
    return ControllerInfo(legal_name=legal, evidence=evidence(seg, best.sentence, best.rule, matched),
                          aliases=tuple(aliases), contacts=tuple(contacts), country=country,
                          privacy_contact=_privacy_contact(seg, contacts)), warnings


def _related(name: str, legal: str) -> bool:
    """An alias shares its first word with the legal name, case-insensitively ("CubeSoft", "CONNACT")."""
    first = strip_legal_suffix(legal).split()[0].lower()
    return name.split()[0].lower().rstrip("’'s") == first or same_organisation(name, legal) or \
        name.lower() == first


def _contacts(seg: Segmented) -> list[Contact]:
    contacts: list[Contact] = []
    seen: set[tuple[str, str]] = set()
    for sentence in seg.sentences:
        for start, end, email in find_emails(sentence.text):
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

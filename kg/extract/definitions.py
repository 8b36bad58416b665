"""Defined terms of a policy: "Personal Information means your name, address and e-mail", "... your name and
e-mail address (collectively, "Contact Data")". A term carries the data categories of its definition wherever the
policy uses it, before or after the definition.

Definitions are found with the tokenizer and the concept matcher only (no parse), so the whole document can be read
for them before its sentences are parsed. Two shapes, each a rule with an id (the rule is recorded in the evidence
of a fact that took categories from a definition):

- ``definition.means.v1``: the sentence opens with the term, then a defining verb ("means", "refers to",
  "includes", "consists of", "is defined as"), then the categories;
- ``definition.collectively.v1``: categories, then the term in quotes in brackets, optionally after "collectively",
  "together" or "hereinafter".

A term is a data term: a phrase of a modifier and "information", "data", "details" or "info" ("Log Data"), or a
quoted acronym ("PII"); "this information" refers back and is no definition (see ``kg.extract.statements``), and
"the Services" is a term but not one of data. "Does not include" defines nothing.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from kg.extract.lexicon import Mention

_OPEN = "\"“‘'«"
_CLOSE = "\"”’'»"
# the term at the start of the sentence, then a defining verb (modals and adverbs allowed in between)
MEANS = re.compile(
    rf"^[\s{_OPEN}(]*(?:the\s+terms?\s+)?[{_OPEN}]{{0,2}}(?P<term>[A-Za-z][\w\-’' ]{{1,60}}?)[{_CLOSE}]{{0,2}}"
    r"(?:\s*\([^()]{0,60}\))?,?\s+(?:(?:may|can|will|might|could|shall|also|generally|typically|usually|often|"
    r"collectively)\s+){0,3}(?P<verb>means?|refers?\s+to|(?:is|are)\s+defined\s+as|includes?|consists?\s+of|"
    r"comprises?|encompasses|covers?)\b", re.I)
# a quoted term in brackets: (collectively, "Personal Information") / (''Non-Personal Information'') / ("PII")
COLLECTIVELY = re.compile(
    rf"\((?:\s*(?:collectively|together|jointly|hereinafter|hereafter|all|each|the)\b[\s,]*){{0,3}}"
    rf"(?:(?:referred\s+to\s+)?as\s+)?(?:the\s+)?[{_OPEN}]{{1,2}}(?P<term>[^{_CLOSE}{_OPEN}()]{{2,60}})[{_CLOSE}]{{1,2}}"
    rf"(?:\s*(?:,|or|and)\s*[{_OPEN}]{{1,2}}(?P<alt>[^{_CLOSE}{_OPEN}()]{{2,40}})[{_CLOSE}]{{1,2}})?[\s,]*\)",
    re.I)
DATA_NOUNS = frozenset({"information", "data", "details", "info", "identifiers", "pii"})
DATA_ACRONYMS = frozenset({"pii", "pi", "spi", "phi", "npi"})
ANAPHORIC = frozenset({"this", "that", "these", "those", "such", "it", "they", "which", "said"})


DETERMINERS = frozenset({"the", "any", "all", "your", "our", "a", "an", "certain", "some"})


def _is_term(term: str, quoted: bool) -> bool:
    """A data term: a modifier and a data noun ("Personal Information", "Log Data"), or a quoted data acronym
    ("PII"). "The information" and "examples of this data" refer back to something; "the Services" is a defined
    term, but not one of data."""
    words = term.lower().split()
    if not words or len(words) > 6 or any(w in ANAPHORIC for w in words):
        return False
    while words and words[0] in DETERMINERS:
        words = words[1:]
    if len(words) == 1:
        return quoted and words[0] in DATA_ACRONYMS
    return words[-1] in DATA_NOUNS


def term_key(term: str) -> str:
    """How a term is compared: lower case, single spaces, no space after a hyphen ("Non- Personal")."""
    return re.sub(r"-\s+", "-", " ".join(term.lower().split())).strip(" .,")


@dataclass
class Terms:
    """The defined terms of one document: term (lower case) -> data-category concepts, and the rule that found it."""

    concepts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    where: dict[str, int] = field(default_factory=dict)  # term -> position of its (first) defining sentence
    phrases: set[tuple[str, ...]] = field(default_factory=set)  # the words of each form matched (by ``compile``)
    _matcher: PhraseMatcher | None = None

    def add(self, term: str, concepts: Iterable[str], rule: str, where: int = -1) -> None:
        key = term_key(term)
        found = tuple(dict.fromkeys((*self.concepts.get(key, ()), *concepts)))
        if found:
            self.concepts[key] = found
            self.rules.setdefault(key, rule)
            self.where.setdefault(key, where)

    def compile(self, nlp: Language) -> None:
        self._matcher = PhraseMatcher(nlp.vocab, attr="LOWER") if self.concepts else None
        self.phrases = set()
        for term in self.concepts:
            forms = {term, term + "s"} if term.split()[-1] in ("identifier", "detail") else {term}
            forms |= {f.replace("-", sep) for f in forms if "-" in f for sep in ("- ", " ")}
            docs = [nlp.make_doc(f) for f in sorted(forms)] + [nlp.make_doc(f.upper()) for f in sorted(forms)]
            self._matcher.add(term, docs)  # type: ignore[union-attr]
            self.phrases.update(tuple(t.lower_ for t in d) for d in docs)

    def mentions(self, doc: Doc) -> list[tuple[int, int, str]]:
        """Uses of a defined term in ``doc``: (start, end, term), longest first where two overlap."""
        if self._matcher is None:
            return []
        found = sorted(((s, e, doc.vocab.strings[m]) for m, s, e in self._matcher(doc)), key=lambda x: (x[0], -x[1]))
        out, last = [], -1
        for start, end, term in found:
            if start >= last:
                out.append((start, end, term))
                last = end
        return out


def find_definitions(texts: Iterable[str], make_doc: Callable[[str], Doc],
                     concepts: Callable[[Doc], list[Mention]]) -> Terms:
    """The defined terms of the sentences ``texts`` (tokenizer and concept matcher only); ``Terms.where`` gives the
    position in ``texts`` of each term's defining sentence."""
    terms = Terms()
    for position, text in enumerate(texts):
        means = MEANS.match(text)
        brackets = list(COLLECTIVELY.finditer(text)) if "(" in text else []
        if not means and not brackets:
            continue
        doc = make_doc(text)
        data = [(doc[m.start].idx, doc[m.end - 1].idx + len(doc[m.end - 1]), m.concept)
                for m in concepts(doc) if m.scheme == "data"]
        if means and _is_term(means["term"], quoted=text.lstrip(" (")[:1] in _OPEN) and \
                not re.search(r"\b(?:not|n't)\s*$", text[:means.start("verb")]):
            listed = [c for start, _, c in data if start >= means.end("verb")]
            terms.add(means["term"], listed, "definition.means.v1", position)
        previous_end = 0
        for bracket in brackets:  # the categories of its clause: after the last ";" or ":" and the last bracket
            since = max(previous_end, text.rfind(";", 0, bracket.start()) + 1, text.rfind(":", 0, bracket.start()) + 1)
            listed = [c for start, end, c in data if since <= start and end <= bracket.start()]
            for term in (bracket["term"], bracket["alt"]):
                if term and _is_term(term, quoted=True):
                    terms.add(term, listed, "definition.collectively.v1", position)
            previous_end = bracket.end()
    return terms

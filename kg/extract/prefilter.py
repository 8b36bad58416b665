"""Which sentences can hold a statement, decided from the tokenizer's output alone (no tagger, no parser).

Every statement the extractor makes starts from a hit of one of its matchers on the parsed sentence: a concept
label (``kg.extract.lexicon``), a token pattern of ``rules/triggers``, ``cues``, ``purposes``, ``data`` or
``concepts``, or a term the document defines (``kg.extract.definitions``). Each of those needs certain words in
the sentence: a label all of its words (as lower-case tokens), a token pattern one word of each required token
that tests a word (``LEMMA``, ``LOWER``, ``ORTH``, ``NORM``; the other tests, such as ``POS``, are left out, which
only lets more sentences through). ``Prefilter`` compiles those requirements once and checks a tokenized sentence
against them: when no requirement is met, no matcher can hit the parsed sentence, whatever the tagger and the
parser would say, so the sentence need not be parsed (``SentenceExtractor.read`` then handles the few ways a
sentence without hits still matters: a lead-in ending in ":", a table row, a Do Not Track anaphor, an age, a
fragment that continues a list).

A lemma is not in the tokenizer's output, so a token stands for every lemma the pipeline could give it: its
lower-case form, every form the lemmatizer's rules and exceptions make of it under any part of speech, and the
lemma any attribute-ruler pattern sets for that word (``lemma_forms``). A rule the prefilter cannot bound (a
pattern with no word test on any required token, an attribute-ruler pattern setting a lemma for any word) makes it
pass every sentence (``Prefilter.bounded`` is then False), so a rule file can use the whole pattern language.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, cast

from spacy.attrs import LOWER, NORM
from spacy.language import Language
from spacy.tokens import Doc

_WORD_ATTRS = frozenset({"LEMMA", "LOWER", "ORTH", "TEXT", "NORM"})
_UPOS = ("adj", "adp", "adv", "aux", "cconj", "det", "intj", "noun", "num", "part", "pron", "propn", "punct",
         "sconj", "sym", "verb", "x")
Requirement = tuple[frozenset[str], ...]  # each set: one of these lower-case words must be in the sentence


def _required(op: str | None) -> bool:
    """Whether a token with quantifier ``op`` must occur in every match."""
    if op in (None, "1", "+", "!"):
        return op != "!"
    if op in ("?", "*"):
        return False
    if op.startswith("{") and op.endswith("}"):
        low = op[1:-1].split(",")[0]
        return bool(low) and int(low) >= 1
    return False


def pattern_requirement(pattern: Sequence[dict]) -> Requirement | None:
    """The words a match of the token ``pattern`` needs: for each required token that tests a word attribute
    (a string, or ``IN`` a list of strings), the words it accepts, in lower case; None when there is none."""
    groups = []
    for spec in pattern:
        if not _required(spec.get("OP")):
            continue
        for name, value in spec.items():
            if name.upper() not in _WORD_ATTRS:
                continue
            if isinstance(value, str):
                groups.append(frozenset({value.lower()}))
            elif isinstance(value, dict) and set(value) == {"IN"} and \
                    all(isinstance(v, str) for v in value["IN"]):
                groups.append(frozenset(v.lower() for v in value["IN"]))
    return tuple(groups) or None


class Prefilter:
    """The word requirements of every matcher, indexed by one word of each; ``may_hit`` on a tokenized
    sentence."""

    def __init__(self, nlp: Language, phrases: Iterable[Sequence[str]], patterns: Iterable[Sequence[dict]]):
        self.bounded = True
        self._singles: set[str] = set()  # words any of which is a requirement met
        self._index: dict[str, list[Requirement]] = {}  # the other requirements, by a word of their smallest group
        for phrase in phrases:
            self._add(tuple(frozenset({w.lower()}) for w in phrase))
        for pattern in patterns:
            requirement = pattern_requirement(pattern)
            if requirement is None:
                self.bounded = False
            else:
                self._add(requirement)
        self._lemma_tables = _lemma_tables(nlp)
        self._ruler_lemmas, self._ruler_regexes, free = _ruler_lemmas(nlp)
        if free:
            self.bounded = False
        self._forms: dict[str, frozenset[str]] = {}
        self._words = frozenset(w for requirements in self._index.values() for r in requirements for g in r
                                for w in g) | self._singles
        self._relevant: dict[int, frozenset[str]] = {}  # string id -> the words of self._words it may stand for

    def _add(self, requirement: Requirement) -> None:
        if not requirement:
            return
        if len(requirement) == 1:  # one word of a set will do: checked with one set operation
            self._singles |= requirement[0]
            return
        # index on the smallest group: fewer entries, and checks start from the rarer words
        first = min(requirement, key=len)
        for word in first:
            self._index.setdefault(word, []).append(requirement)

    def lemma_forms(self, text: str) -> frozenset[str]:
        """Every lemma (lower case) the pipeline could give a token ``text``, and its lower-case form."""
        lower = text.lower()
        forms = self._forms.get(lower)
        if forms is None:
            out = {lower}
            for rules, exceptions in self._lemma_tables:
                for old, new in rules:
                    if lower.endswith(old):
                        form = lower[:len(lower) - len(old)] + new
                        if form:
                            out.add(form)
                out.update(f.lower() for f in exceptions.get(lower, ()))
            out.update(self._ruler_lemmas.get(lower, ()))
            out.update(lemma for regex, lemma in self._ruler_regexes if regex.search(lower))
            forms = self._forms[lower] = frozenset(out)
        return forms

    def words(self, doc: Doc) -> tuple[set[str], set[int]]:
        """The words of a tokenized sentence that some requirement names, as the requirements read them (its
        tokens' lower-case forms, norms and every possible lemma); and the ids of its tokens' lower-case forms and
        norms."""
        ids: set[int] = set(cast("list[int]", doc.to_array([LOWER, NORM]).ravel().tolist()))
        out: set[str] = set()
        relevant, strings = self._relevant, doc.vocab.strings
        for i in ids:
            found = relevant.get(i)
            if found is None:
                found = relevant[i] = self.lemma_forms(strings[i]) & self._words
            if found:
                out |= found
        return out, ids

    def may_hit(self, doc: Doc, extra: Iterable[tuple[int, ...]] = ()) -> bool:
        """Whether any matcher (or an ``extra`` phrase: the ids of the lower-case words of a document's defined
        terms) could hit the sentence ``doc`` (tokenizer only) once it is parsed. False only when none can."""
        if not self.bounded:
            return True
        words, ids = self.words(doc)
        if not self._singles.isdisjoint(words):
            return True
        for phrase in extra:
            if all(w in ids for w in phrase):
                return True
        index = self._index
        for word in words:
            for requirement in index.get(word, ()):
                if all(group & words for group in requirement):
                    return True
        return False


def _lemma_tables(nlp: Language) -> list[tuple[Any, Any]]:
    """(rules, exceptions) of the lemmatizer for each part of speech it has tables for (rule mode); [] when
    the pipeline has no rule lemmatizer."""
    if "lemmatizer" not in nlp.pipe_names:
        return []
    lemmatizer: Any = nlp.get_pipe("lemmatizer")
    lookups = lemmatizer.lookups
    rules = lookups.get_table("lemma_rules", {}) if lookups.has_table("lemma_rules") else {}
    exceptions = lookups.get_table("lemma_exc", {}) if lookups.has_table("lemma_exc") else {}
    tables = []
    for pos in _UPOS:
        r, e = rules.get(pos, []), exceptions.get(pos, {})
        if r or e:
            tables.append((tuple(tuple(x) for x in r), e))
    lookup = lookups.get_table("lemma_lookup", {}) if lookups.has_table("lemma_lookup") else {}
    if lookup:  # a lookup lemmatizer: its table, as "exceptions" of any word
        tables.append(((), {k.lower() if isinstance(k, str) else k: [v] for k, v in lookup.items()}))
    return tables


def _ruler_lemmas(nlp: Language) -> tuple[dict[str, set[str]], list[tuple[re.Pattern[str], str]], bool]:
    """The lemmas the attribute ruler sets: by the lower-case word of the token they are set on, and by a
    ``REGEX`` on it; and whether a pattern sets a lemma on a token without a test on its word that these can
    follow (any token could then get that lemma)."""
    words_to: dict[str, set[str]] = {}
    regexes: list[tuple[re.Pattern[str], str]] = []
    free = False
    if "attribute_ruler" not in nlp.pipe_names:
        return words_to, regexes, free
    ruler: Any = nlp.get_pipe("attribute_ruler")
    for entry in ruler.patterns:
        lemma = entry["attrs"].get("LEMMA")
        if lemma is None:
            continue
        lemma = str(lemma).lower()
        index = entry.get("index", 0)
        for pattern in entry["patterns"]:
            spec = pattern[index] if isinstance(pattern, list) and -len(pattern) <= index < len(pattern) else {}
            bounded = False
            for name, value in spec.items():
                if name.upper() not in ("LOWER", "ORTH", "TEXT"):
                    continue
                if isinstance(value, str):
                    words_to.setdefault(value.lower(), set()).add(lemma)
                elif isinstance(value, dict) and set(value) == {"IN"}:
                    for v in value["IN"]:
                        words_to.setdefault(str(v).lower(), set()).add(lemma)
                elif isinstance(value, dict) and set(value) == {"REGEX"} and name.upper() == "LOWER":
                    regexes.append((re.compile(value["REGEX"]), lemma))
                else:
                    continue
                bounded = True
                break
            free = free or not bounded
    return words_to, regexes, free

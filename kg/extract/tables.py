"""Tables read row by row: a header row names the columns, each row under it gives facts by column.

A table row is one sentence (``block_kind == "row"``, cells separated by ``|``: see :mod:`kg.ingest.clean`). A row is
a **header** when every cell is a column label of ``rules/tables.jsonl`` ("Cookie", "Purpose", "Expiry", "Type of
data", "Legal basis", "Shared with", ...; one unknown column is allowed beside three known ones), at least one
column says what the row is about (a name, data, a category or a purpose) and another says something about it. The
header holds for the rows that follow it (rows only in between), each read with the same number of cells:

- **cookie tables** (a cookie column, an expiry column, or a name column under a heading about cookies): the row's
  cookie (``dc:Cookie``, or the tracking technology a cell names: "pixel", "local storage") and the data its cells
  name are collected, for the purposes its purpose, category and description cells name; a provider cell naming
  a third party (an organisation of the ontology, a kind of recipient, or a capitalised name that is not the
  publisher's own) makes it a collection by that party (``third_party_collects``);
- **data tables** (a data or category column): the data the row names is collected for its purposes; a
  purpose-only table ("Purpose | Legal basis") states a use of personal information for that purpose;
- every row with a duration cell ("2 years", "until you close your account") states the retention of that data,
  with the row's purposes; a legal-basis cell a legal-basis statement; a recipient cell (outside a cookie table,
  a provider cell too: "Service provider | Purpose") a disclosure to that recipient ("None" in it: a denial);
- yes/no columns (CCPA tables: "Category | Examples | Collected | Disclosed for a business purpose | Sold or
  shared"): "No" under "Collected" denies the row's collection, "Yes"/"No" under a disclosure or sale column states
  or denies that disclosure (to third parties the row does not name).

Each fact's evidence is the row, its rule the id of the column it was read from (``table.retention.v1``), its
matched text the cell. A row without a header, or with another number of cells, is read as a sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from kg.extract import rules
from kg.extract.controller import find_controller
from kg.extract.lexicon import SCHEMES, ConceptMatcher, Lexicon, Mention, expand
from kg.extract.patterns import PatternMatcher, TokenTable
from kg.model import ControllerInfo, Evidence, RecipientMention, Segmented, Sentence, Statement
from kg.normalize.durations import find_retention_phrases
from kg.normalize.organisations import organisation_keys, strip_legal_suffix

SUBJECT_SLOTS = ("name", "data", "category", "purpose")  # what a row is about, in order of preference
FACT_SLOTS = frozenset({"purpose", "description", "retention", "legal_basis", "recipient", "provider", "collected",
                        "disclosed", "sold"})
ANSWER_SLOTS = {"disclosed": "share", "sold": "sell"}  # yes/no columns of what is done with the row's data
DATA_SLOTS = ("name", "data", "category", "description")  # cells read for data categories
PURPOSE_SLOTS = ("purpose", "category", "description")  # cells read for purposes
COOKIE_SECTION = re.compile(r"cookie|tracking technolog|tracker|pixel|local storage", re.I)
_BRACKETS_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_LABEL_EDGES = " \t*:#.?!-–—\"'“”‘’"
_DOMAIN_RE = re.compile(r"^\.?(?:[a-z0-9-]+\.)*([a-z0-9-]+)\.[a-z]{2,6}$", re.I)


@dataclass(frozen=True)
class Column:
    """A header cell that is a known label: the slot its cells fill and the rule that names it."""

    slot: str
    rule: str
    cookie: bool = False


@dataclass(frozen=True)
class Header:
    columns: tuple[Column | None, ...]  # None: an unknown or empty header cell, read for nothing
    cookie: bool  # a table of cookies (or other trackers): each row is one


@dataclass(frozen=True)
class _CellRule:
    rule: str
    slots: frozenset[str]
    regex: re.Pattern[str]
    values: tuple[str, ...] = ()
    first_party: bool = False
    nobody: bool = False
    empty: bool = False
    answer: str | None = None  # "yes" / "no": a cell of a yes/no column ("Collected | Sold or shared")


def _label(text: str) -> str:
    """A header cell as compared with the labels: lower case, no brackets, end punctuation or extra space."""
    return " ".join(_BRACKETS_RE.sub(" ", text).split()).strip(_LABEL_EDGES).lower()


def column_rules() -> dict[str, Column]:
    """Label -> column, from the ``column`` rules of ``rules/tables.jsonl``."""
    out: dict[str, Column] = {}
    for r in rules.load("tables"):
        if r["kind"] == "column":
            for label in r["labels"]:
                out[_label(label)] = Column(r["slot"], r["id"], bool(r.get("cookie")))
    return out


def cell_spans(text: str) -> list[tuple[int, int]]:
    """The ``[start, end)`` spans of a row's cells (``|``-separated), surrounding spaces excluded (an empty cell is
    an empty span).

    >>> text = "_ga | analytics |  | 2 years"
    >>> [text[a:b] for a, b in cell_spans(text)]
    ['_ga', 'analytics', '', '2 years']
    """
    spans, start = [], 0
    for end in [i for i, c in enumerate(text) if c == "|"] + [len(text)]:
        a, b = start, end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        spans.append((a, b))
        start = end + 1
    return spans


def find_header(cells: list[str], section: tuple[str, ...] = (), columns: dict[str, Column] | None = None
                ) -> Header | None:
    """The header a row's cells make, or ``None`` if they are not one (see the module's docstring).

    >>> find_header(["Cookie", "Purpose", "Expiry"]).cookie
    True
    >>> find_header(["Plan", "Price", "Duration"]) is None
    True
    """
    columns = column_rules() if columns is None else columns
    labels = [_label(c) for c in cells]
    found = [columns.get(label) if label else None for label in labels]
    known = [c for c in found if c is not None]
    unknown = sum(1 for label, col in zip(labels, found) if col is None and label)
    if len(cells) < 2 or len(known) < 2 or (unknown and (unknown > 1 or len(known) < 3)):
        return None
    slots = {c.slot for c in known}
    subject = next((s for s in SUBJECT_SLOTS if s in slots), None)
    cookie = any(c.cookie for c in known) or (
        "name" in slots and "data" not in slots and bool(section) and bool(COOKIE_SECTION.search(section[-1])))
    facts = (slots - {subject}) & (FACT_SLOTS | ({"category"} if cookie else set()))
    if subject is None or not facts:
        return None
    return Header(tuple(found), cookie)


@dataclass
class TableState:
    """The table being read: its header and the index of its latest row (kept in the extractor's context)."""

    header: Header | None = None
    last: int = -1
    controller: ControllerInfo | None = None  # the publisher, once looked up (for a provider named in a cell)
    looked_up: bool = False


@dataclass
class _Row:
    """One body row: its cells with their texts and the concept mentions found in each."""

    texts: list[str]
    spans: list[tuple[int, int]]
    mentions: list[list[Mention]]


class TableReader:
    """Reads table rows with the extractor's vocabulary (``ConceptMatcher`` and the purpose patterns)."""

    def __init__(self, lexicon: Lexicon, concepts: ConceptMatcher, purpose_patterns: PatternMatcher,
                 purpose_rules: dict):
        self.lexicon = lexicon
        self.concepts = concepts
        self.purpose_patterns = purpose_patterns
        self.purpose_rules = purpose_rules
        self.columns = column_rules()
        self.cell_rules = tuple(_CellRule(r["id"], frozenset(r["slots"]), re.compile(r["regex"], re.I),
                                          tuple(expand(v) for v in r.get("values", ())), bool(r.get("first_party")),
                                          bool(r.get("nobody")), bool(r.get("empty")), r.get("answer"))
                                for r in rules.load("tables") if r["kind"] == "cell")
        unknown = [v for c in self.cell_rules for v in c.values if v not in lexicon.pref]
        if unknown:
            raise ValueError(f"rules/tables.jsonl: no such concept {unknown[0]}")
        self.cookie = f"{SCHEMES['data']}Cookie"
        self.tracking = f"{SCHEMES['data']}TrackingTechnology"
        self.third_party = f"{SCHEMES['recipient']}ThirdParty"
        # an organisation by the name its web domain spells ("doubleclick.net", "google-analytics.com")
        self.domains = {_key(label): concept for label, concept in lexicon.labels.get("org", ())}

    def read(self, seg: Segmented, sentence: Sentence, doc: Doc, state: TableState) -> list[Statement] | None:
        """The statements of a table row: ``[]`` for a header row, ``None`` for a row that is not read as a table's
        (no header above it, or another number of cells): the caller reads it as a sentence."""
        spans = cell_spans(sentence.text)
        texts = [sentence.text[a:b] for a, b in spans]
        header = find_header(texts, sentence.section, self.columns)
        if header is not None:
            state.header, state.last = header, sentence.index
            return []
        if state.header is None or any(s.block_kind != "row" for s in seg.sentences[state.last + 1:sentence.index]):
            state.header = None  # prose in between: the table has ended
            return None
        state.last = sentence.index
        if len(spans) != len(state.header.columns):
            return None
        return self._facts(seg, sentence, state, _Row(texts, spans, self._mentions(doc, spans)))

    # -- reading a row ------------------------------------------------------------------------------------------
    def _mentions(self, doc: Doc, spans: list[tuple[int, int]]) -> list[list[Mention]]:
        """The concept mentions of each cell (a mention across a cell boundary belongs to none)."""
        table = TokenTable(doc)
        found = list(self.concepts(doc, table))
        for match_id, start, end in self.purpose_patterns(doc, table):
            found.extend(Mention("purpose", concept, start, end) for concept in self.purpose_rules[match_id][2])
        out: list[list[Mention]] = [[] for _ in spans]
        for m in found:
            lo, hi = doc[m.start].idx, doc[m.end - 1].idx + len(doc[m.end - 1])
            for i, (a, b) in enumerate(spans):
                if a <= lo and hi <= b:
                    out[i].append(m)
        return out

    def _rules_of(self, slot: str, text: str) -> list[_CellRule]:
        return [r for r in self.cell_rules if slot in r.slots and r.regex.search(text)]

    def _values(self, slot: str, text: str, mentions: list[Mention], scheme: str) -> tuple[str, ...]:
        """The concepts of ``scheme`` a cell names: its mentions, else the cell rules' words ("Performance")."""
        return _unique(m.concept for m in mentions if m.scheme == scheme) or \
            _unique(v for r in self._rules_of(slot, text) for v in r.values)

    def _answer(self, slot: str, text: str) -> str | None:
        """ "yes" or "no" for a cell of a yes/no column, else None."""
        return next((r.answer for r in self._rules_of(slot, text.strip()) if r.answer), None)

    def _empty(self, slot: str, text: str) -> bool:
        return any(r.empty for r in self._rules_of(slot, text.strip()))

    def _cells(self, header: Header, row: _Row, *slots: str) -> list[tuple[int, Column, str, list[Mention]]]:
        """The non-empty cells of the columns of ``slots``: (index, column, text, mentions)."""
        return [(i, col, row.texts[i], row.mentions[i]) for i, col in enumerate(header.columns)
                if col is not None and col.slot in slots and not self._empty(col.slot, row.texts[i])]

    def _facts(self, seg: Segmented, sentence: Sentence, state: TableState, row: _Row) -> list[Statement]:
        header = state.header
        assert header is not None
        data = _unique(m.concept for _, _, _, ms in self._cells(header, row, *DATA_SLOTS) for m in ms
                       if m.scheme == "data")
        if not data and self._cells(header, row, "data"):
            data = self._root_data()  # a data column names data the vocabulary has no word for
        purposes = _unique(v for _, col, text, ms in self._cells(header, row, *PURPOSE_SLOTS)
                           for v in self._values(col.slot, text, ms, "purpose"))
        subject = self._subject(header, row)
        if subject is None:
            return []
        index, column = subject
        kind = "collect"
        if header.cookie:
            if not any(d == self.tracking or self.tracking in self.lexicon.ancestors(d) for d in data):
                data = (self.cookie,) + data  # the row's cookie, unless a cell names another tracker ("pixel")
        elif not data and column.slot == "purpose" and purposes and not self._cells(header, row, "recipient",
                                                                                     "provider"):
            kind, data = "use", self._root_data()  # "Purpose | Legal basis": personal data is used for it
        out: list[Statement] = []

        def add(kind: str, column: Column, cell: int, **values) -> None:
            out.append(_statement(seg, sentence, kind, column.rule, row.texts[cell], **values))

        collectors, provider = self._collectors(seg, header, row, state)
        answered = next(((i, col, answer) for i, col, text, _ in self._cells(header, row, "collected")
                         if (answer := self._answer(col.slot, text))), None)
        if data:
            if collectors:
                add("collect", provider[1] if provider else column, provider[0] if provider else index,
                    data=data, purposes=purposes, recipients=collectors, third_party_collects=True)
            elif answered:  # "Collected: No" denies it
                i, col, answer = answered
                add(kind, col, i, negated=answer == "no", data=data, purposes=purposes)
            else:
                add(kind, column, index, data=data, purposes=purposes)
        # "Disclosed for a business purpose | Sold or shared": Yes / No, to parties the row does not name
        for i, col, text, _ in self._cells(header, row, *ANSWER_SLOTS):
            answer = self._answer(col.slot, text)
            if answer is not None and data:
                add(ANSWER_SLOTS[col.slot], col, i, negated=answer == "no", data=data,
                    recipients=(RecipientMention(kind=self.third_party),))
        for i, col, text, _ in self._cells(header, row, "retention"):
            phrases = tuple(text[a:b] for a, b, _ in find_retention_phrases(text))
            if phrases and data:
                add("retain", col, i, data=data, purposes=purposes, retention=phrases)
        for i, col, text, mentions in self._cells(header, row, "legal_basis"):
            bases = self._values(col.slot, text, mentions, "legal_basis")
            if bases:
                add("legal_basis", col, i, values=bases)
        # whom the data goes to; outside a cookie table a provider ("Service provider | Purpose") is one too
        for i, col, text, mentions in self._cells(header, row, "recipient", *(() if header.cookie else ("provider",))):
            if any(r.nobody for r in self._rules_of(col.slot, text.strip())):
                add("share", col, i, negated=True, data=data or self._root_data())
                continue
            recipients = self._third_parties(seg, col, text, mentions, state)
            if recipients:
                add("share", col, i, data=data or self._root_data(), purposes=purposes, recipients=recipients)
        return out

    def _subject(self, header: Header, row: _Row) -> tuple[int, Column] | None:
        """The column the row is about and the index of its cell, if that cell says anything."""
        for slot in SUBJECT_SLOTS:
            for i, column in enumerate(header.columns):
                if column is not None and column.slot == slot and not self._empty(slot, row.texts[i]):
                    return i, column
        return None

    def _root_data(self) -> tuple[str, ...]:
        return (self.lexicon.roots["data"],) if "data" in self.lexicon.roots else ()

    def _collectors(self, seg: Segmented, header: Header, row: _Row, state: TableState
                    ) -> tuple[tuple[RecipientMention, ...], tuple[int, Column] | None]:
        """The third parties that collect a cookie row's data, and the provider cell that names them (if one does).

        A provider column names them ("Google", "Third party", "Hotjar Ltd."; not "First party", "Us" or the
        publisher's own name); without one, the organisations a cookie row's other cells name ("set by Google
        Analytics to ...") do."""
        if not header.cookie:
            return (), None
        providers = self._cells(header, row, "provider")
        if providers:
            for i, col, text, mentions in providers:
                parties = self._third_parties(seg, col, text, mentions, state)
                if parties:
                    return parties, (i, col)
            return (), None
        named = _unique_parties(self._party(m) for _, _, _, ms in self._cells(header, row, *DATA_SLOTS) for m in ms
                                if m.scheme == "org")
        return tuple(p for p in named if not self._own(seg, p.name or "", state)), None

    def _third_parties(self, seg: Segmented, column: Column, text: str, mentions: list[Mention],
                       state: TableState) -> tuple[RecipientMention, ...]:
        """The parties a recipient or provider cell names: its organisation and recipient-kind mentions, else a
        capitalised name or a domain ("Quillmetrics Ltd.", "quill.example") as a named third party; none where
        the cell names the company itself ("First party", "Us", the publisher's own name)."""
        text = text.strip()
        if any(r.first_party for r in self._rules_of(column.slot, text)):
            return ()
        found = _unique_parties(self._party(m) for m in mentions if m.scheme in ("org", "recipient"))
        domain = _DOMAIN_RE.match(text) if len(text) <= 100 else None
        if not found and domain and _key(domain[1]) in self.domains:
            found = (self._party(Mention("org", self.domains[_key(domain[1])], 0, 0)),)
        if not found and (_proper_name(text) or domain):
            found = (RecipientMention(kind=self.third_party, name=text.lstrip(".")),)
        return tuple(p for p in found if not (p.name and self._own(seg, p.name, state)))

    def _party(self, m: Mention) -> RecipientMention:
        if m.scheme == "org":
            kind = self.lexicon.org_kind.get(m.concept) or self.lexicon.roots.get("recipient", self.third_party)
            return RecipientMention(kind=kind, name=self.lexicon.pref.get(m.concept), org=m.concept)
        return RecipientMention(kind=m.concept)

    def _own(self, seg: Segmented, name: str, state: TableState) -> bool:
        """Whether a provider's name is the publisher's own ("Acme" in Acme's policy, "acme.com")."""
        if not state.looked_up:  # once per document, and only for one whose table names a provider
            state.controller, state.looked_up = find_controller(seg)[0], True
        controller = state.controller
        if controller is None:
            return False
        names = (controller.legal_name, *controller.aliases)
        own = {k for n in names for part in (n, *strip_legal_suffix(n).split()[:1]) for k in organisation_keys(part)}
        domain = _DOMAIN_RE.match(name.strip()) if len(name) <= 100 else None
        keys = organisation_keys(domain[1]) if domain else organisation_keys(name)
        return bool(keys & own)


def _key(name: str) -> str:
    """A name's letters and digits, lower case: "Google Analytics" and "google-analytics" are "googleanalytics"."""
    return "".join(c for c in name.lower() if c.isalnum())


def _proper_name(text: str) -> bool:
    """A capitalised name of one to five words ("Hotjar Ltd.", "Acme Payments"), not a phrase."""
    words = text.split()
    return 1 <= len(words) <= 5 and all(w[:1].isupper() or w[:1].isdigit() or w in ("&", "and", "of") for w in words)


def _unique(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _unique_parties(parties) -> tuple[RecipientMention, ...]:
    return tuple(dict.fromkeys(parties))


def _statement(seg: Segmented, sentence: Sentence, kind: str, rule: str, matched: str, *, negated: bool = False,
               **values) -> Statement:
    evidence = Evidence(seg.document.doc_id, sentence.index, sentence.start, sentence.end,
                        seg.document.text[sentence.start:sentence.end], sentence.section, rule, matched)
    return Statement(kind=kind, negated=negated, evidence=evidence, **values)

"""Token patterns of the rule files, matched like spaCy's ``Matcher`` but only where a match can start.

spaCy's ``Matcher`` starts every pattern at every token and evaluates each ``IN``/``NOT_IN`` set as a Python
call per token and pattern; over the rule files (about 50 patterns, most of them ``{"LEMMA": {"IN": [...]}}``
followed by a ``{0,5}`` wildcard) that was about 45 Python calls per token, a tenth of the whole build.
``PatternMatcher`` reads the token attributes the patterns test once per Doc (``Doc.to_array``), indexes the
patterns by the words their first token accepts, and tries a pattern only where its first token's word is
present. It returns exactly what ``Matcher`` returns for the same patterns, in the same order:

- the matches are every ``(match_id, start, end)`` such that ``doc[start:end]`` matches the pattern (all paths,
  non-greedy, no zero-length match, each once), which is the set ``Matcher`` finds;
- ``Matcher`` emits a match when it reads the match's last token, so when every pattern ends in a required
  token and no two matches of a Doc end at the same token, its order is by end. When two matches of a Doc end
  together, their order comes from ``Matcher``'s internal state list, so that Doc (about one call in 70 on the
  OPP-115 sentences) is handed to a compiled spaCy ``Matcher`` of the same patterns.

Supported: the ``OP`` quantifiers ``?``, ``*``, ``+``, ``1``, ``{n}``, ``{n,m}``, ``{n,}``, ``{,m}`` (the last
token of a pattern must be a plain required one); the attributes ``ORTH``/``TEXT``, ``LOWER``, ``NORM``,
``LEMMA``, ``POS``, ``TAG``, ``DEP``, ``SHAPE``, ``ENT_TYPE`` with a string or ``IN``/``NOT_IN`` a list of
strings, and the boolean flags (``IS_*``, ``LIKE_*``, ``IS_SENT_START``). When a pattern uses anything else
(``!``, ``REGEX``, ``FUZZY``, ``_``, comparisons, an optional last token ...) the whole matcher falls back to
spaCy's ``Matcher``, so a rule file may use the whole pattern language. Patterns are validated by spaCy
(``Matcher(validate=True)``) either way.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from spacy.attrs import IDS
from spacy.matcher import Matcher
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.vocab import Vocab

_VALUE_ATTRS = ("ORTH", "LOWER", "NORM", "LEMMA", "POS", "TAG", "DEP", "SHAPE", "ENT_TYPE")
_FLAG_ATTRS = ("IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_PUNCT", "IS_SPACE", "IS_TITLE", "IS_UPPER",
               "LIKE_URL", "LIKE_NUM", "LIKE_EMAIL", "IS_STOP", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT",
               "IS_RIGHT_PUNCT", "IS_CURRENCY", "IS_SENT_START")
# first-token attributes worth indexing on, most selective first
_INDEX_ATTRS = ("LEMMA", "LOWER", "ORTH", "NORM")
_INF = 1 << 30

# a check is (column, op, value): op "eq" (value int), "in" / "not_in" (value frozenset of ints), "sent" (value 0/1)
Check = tuple[int, str, object]
# The token attributes read from Docs, shared by every PatternMatcher so that one TokenTable serves them all.
_COLUMNS: list[str] = []


def _column(attr: str) -> int:
    if attr not in _COLUMNS:
        _COLUMNS.append(attr)
    return _COLUMNS.index(attr)


class TokenTable:
    """The attributes patterns test, read from a Doc in one ``Doc.to_array`` call: make one per Doc and pass it to
    every matcher that reads that Doc (the Doc must not change in between)."""

    def __init__(self, doc: Doc):
        self.n = len(doc)
        self.width = len(_COLUMNS)
        if self.n and self.width:
            array = doc.to_array([IDS[a] for a in _COLUMNS])
            self.cols: list[list[int]] = cast("list[list[int]]", array.reshape(self.n, self.width).T.tolist())
        else:
            self.cols = [[] for _ in _COLUMNS]
        self._values: dict[int, set[int]] = {}

    def values(self, column: int) -> set[int]:
        """The values found in ``column``."""
        if column not in self._values:
            self._values[column] = set(self.cols[column])
        return self._values[column]


class _Unsupported(Exception):
    pass


def _quantifier(op: str | None) -> tuple[int, int]:
    if op is None or op == "1":
        return 1, 1
    if op in ("?", "*", "+"):
        return {"?": (0, 1), "*": (0, _INF), "+": (1, _INF)}[op]
    if op.startswith("{") and op.endswith("}"):
        body = op[1:-1]
        low, _, high = body.partition(",") if "," in body else (body, ",", body)
        return int(low or 0), (int(high) if high else _INF)
    raise _Unsupported(op)


class PatternMatcher:
    """Callable like ``spacy.matcher.Matcher`` (``matcher(doc) -> [(match_id, start, end), ...]``)."""

    def __init__(self, vocab: Vocab, validate: bool = True):
        self.vocab = vocab
        self._patterns: list[tuple[int, tuple[tuple[tuple[Check, ...], int, int], ...]]] = []  # (key, specs)
        self._index: dict[int, dict[int, list[int]]] = {}  # column -> first-token value -> pattern numbers
        # patterns indexed on a later token (those before it optional or not indexable, of bounded length):
        # column -> value -> (pattern number, fewest tokens before it, most tokens before it)
        self._later: dict[int, dict[int, list[tuple[int, int, int]]]] = {}
        self._anywhere: list[int] = []  # patterns no token of which can be indexed: tried at every token
        self.spacy = Matcher(vocab, validate=validate)  # the same patterns: ties, and anything unsupported
        self.fast = True  # False once a pattern needs spaCy's Matcher
        self.fallbacks = 0  # Docs handed to spaCy's Matcher (ties), for the benchmarks

    def __len__(self) -> int:
        return len(self.spacy)

    def add(self, key: str, patterns: Sequence[list[dict]]) -> None:
        self.spacy.add(key, list(patterns))  # validates, with spaCy's own error messages
        for pattern in patterns:
            if not self._add_fast(key, pattern):
                self.fast = False

    def add_unordered(self, key: str, pattern: list[dict]) -> bool:
        """Add one pattern for ``match_set`` only (no validation, no spaCy ``Matcher`` behind it); False, and
        nothing added, when it uses what this matcher does not support."""
        return self._add_fast(key, pattern)

    def _add_fast(self, key: str, pattern: list[dict]) -> bool:
        try:
            specs = tuple(self._compile_token(spec) for spec in pattern)
            if not specs or specs[-1][1:] != (1, 1):
                raise _Unsupported("a last token that is optional or repeated")
        except _Unsupported:
            return False
        self._patterns.append((self.vocab.strings.add(key), specs))
        self._index_first(len(self._patterns) - 1, specs)
        return True

    # -- compiling -----------------------------------------------------------------------------------------------
    def _compile_token(self, spec: dict) -> tuple[tuple[Check, ...], int, int]:
        checks: list[Check] = []
        op = None
        for name, value in spec.items():
            attr = name.upper()
            if attr == "OP":
                op = value
                continue
            attr = "ORTH" if attr == "TEXT" else attr
            if attr in _FLAG_ATTRS and isinstance(value, bool):
                column = _column("SENT_START" if attr == "IS_SENT_START" else attr)
                checks.append((column, "sent" if attr == "IS_SENT_START" else "eq", int(value)))
            elif attr in _VALUE_ATTRS and isinstance(value, str):
                checks.append((_column(attr), "eq", get_string_id(value)))
            elif attr in _VALUE_ATTRS and isinstance(value, dict) and len(value) == 1 and \
                    next(iter(value)) in ("IN", "NOT_IN") and isinstance(next(iter(value.values())), list) and \
                    all(isinstance(v, str) for v in next(iter(value.values()))):
                (predicate, values), = value.items()
                checks.append((_column(attr), predicate.lower(), frozenset(get_string_id(v) for v in values)))
            else:
                raise _Unsupported(attr)
        low, high = _quantifier(op)
        return tuple(checks), low, high

    def _index_first(self, index: int, specs) -> None:
        """Index the pattern by the first required token with a value test; when tokens come before that one
        (optional ones, or ones without such a test), with how many of them a match can begin."""
        fewest = most = 0
        for checks, low, high in specs:
            if low >= 1:
                by_column = {_COLUMNS[c]: (c, op, v) for c, op, v in checks if op in ("eq", "in")}
                attr = next((a for a in _INDEX_ATTRS + tuple(by_column) if a in by_column), None)
                if attr is not None:
                    column, op, value = by_column[attr]
                    for v in (value,) if op == "eq" else value:
                        if most == 0:
                            self._index.setdefault(column, {}).setdefault(v, []).append(index)
                        else:
                            self._later.setdefault(column, {}).setdefault(v, []).append((index, fewest, most))
                    return
            if high >= _INF:
                break  # a match may begin any number of tokens before
            fewest, most = fewest + low, most + high
        self._anywhere.append(index)

    # -- matching ------------------------------------------------------------------------------------------------
    def __call__(self, doc: Doc, table: TokenTable | None = None) -> list[tuple[int, int, int]]:
        """The matches in ``doc``; ``table`` is ``TokenTable(doc)`` when the caller has one already."""
        if not self.fast:
            return self.spacy(doc)
        found = self.match_set(doc, table)
        if len({end for _, _, end in found}) < len(found):
            self.fallbacks += 1
            return self.spacy(doc)  # two matches end together: their order is the Matcher's own
        return sorted(found, key=lambda m: (m[2], m[1], m[0]))

    def match_set(self, doc: Doc, table: TokenTable | None = None) -> set[tuple[int, int, int]]:
        """The ``(match_id, start, end)`` of every match of the fast patterns in ``doc``, each once, unordered:
        the set spaCy's ``Matcher`` returns for them."""
        n = len(doc)
        if not n or not self._patterns:
            return set()
        if table is None or table.width < len(_COLUMNS):
            table = TokenTable(doc)
        cols = table.cols
        starts: dict[int, set[int]] = {}
        for column, index in self._index.items():
            common = index.keys() & table.values(column)
            if common:
                for i, v in enumerate(cols[column]):
                    if v in common:
                        starts.setdefault(i, set()).update(index[v])
        for column, later in self._later.items():
            common = later.keys() & table.values(column)
            if common:
                for i, v in enumerate(cols[column]):
                    if v in common:
                        for number, fewest, most in later[v]:
                            for start in range(max(0, i - most), i - fewest + 1):
                                starts.setdefault(start, set()).add(number)
        if self._anywhere:
            for i in range(n):
                starts.setdefault(i, set()).update(self._anywhere)
        found: set[tuple[int, int, int]] = set()
        patterns = self._patterns
        for start, numbers in starts.items():
            for number in numbers:
                key, specs = patterns[number]
                if len(specs) == 1:  # one required token (the last token is never optional): no paths to follow
                    if _ok(specs[0][0], cols, start):
                        found.add((key, start, start + 1))
                else:
                    found.update((key, start, end) for end in _ends(specs, cols, start, n))
        return found


def _ok(checks: tuple[Check, ...], cols: list[list[int]], i: int) -> bool:
    for column, op, value in checks:
        v = cols[column][i]
        if op == "eq":
            if v != value:
                return False
        elif op == "in":
            if v not in value:  # type: ignore[operator]
                return False
        elif op == "not_in":
            if v in value:  # type: ignore[operator]
                return False
        elif (v == 1) != bool(value):  # "sent": IS_SENT_START, true only where sent_start == 1
            return False
    return True


def _ends(specs, cols: list[list[int]], start: int, n: int) -> set[int]:
    """Every end of a match of ``specs`` that starts at ``start`` (all paths, like the non-greedy Matcher)."""
    positions = {start}
    for checks, low, high in specs:
        reached: set[int] = set()
        for p in positions:
            count, j = 0, p
            if low == 0:
                reached.add(j)
            while count < high and j < n and _ok(checks, cols, j):
                j += 1
                count += 1
                if count >= low:
                    reached.add(j)
        if not reached:
            return reached
        positions = reached
    positions.discard(start)
    return positions

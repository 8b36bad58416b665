"""Extraction rules as data: one JSON object per line, each with an ``id`` recorded in provenance.

- ``triggers.jsonl``: token patterns (spaCy ``Matcher``) whose anchor token is the verb or noun of a data
  practice (collect, use, share, sell, retain, transfer). ``anchor`` is the index of that token in the pattern
  (default 0; -1 = last).
- ``cues.jsonl``: token patterns that license a non-practice statement (right, legal basis, Do Not Track,
  security, choice, policy change, audience age).
- ``data.jsonl``: token patterns that name a data category in words its labels cannot list (``kind`` "data",
  ``values`` the concepts, optional ``span`` [start, end] the slice of the match that is the mention, as in
  Python; optional ``with``: lower-case words one of which the sentence must contain), and patterns whose words
  are not data although they contain a label (``kind`` "not_data": "contact us via email", "13 years of age");
  read by ``kg.extract.lexicon.ConceptMatcher``.
- ``concepts.jsonl``: the same for the other schemes (security measures, choices, rights): ``kind`` "concept",
  ``values`` the concepts, read with ``data.jsonl``.
- ``safeguards.jsonl``: the transfer safeguards a transfer statement names (``name`` as recorded in the graph,
  ``regex`` matched case-insensitively on the sentence).
- ``sections.jsonl``: heading words that put every sentence of a section in a context (e.g. a sentence that
  lists data categories under "What data is collected?" is a collection statement).
- ``tables.jsonl``: the column labels that make a table row a header ("Cookie", "Purpose", "Expiry"), each with
  the slot its cells fill, and the words a cell may hold for a concept ("Performance", "Art. 6(1)(a)"); read by
  ``kg.extract.tables`` (and, for the labels, by ``kg.ingest.columns``). A fact read from a column has the column
  rule's id as its rule.

Bump the ``.vN`` suffix of an id when a rule's behaviour changes, so graphs show which version produced a fact.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

_DIR = Path(__file__).resolve().parent


@cache
def load(name: str) -> tuple[dict, ...]:
    """The rules of ``<name>.jsonl``; a malformed line fails with its file and line number."""
    path = _DIR / f"{name}.jsonl"
    rules = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            rule = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: {exc.msg}") from exc
        if not {"id", "kind"} <= rule.keys():
            raise ValueError(f"{path}:{number}: a rule needs an 'id' and a 'kind'")
        rules.append(rule)
    return tuple(rules)


"""Normalise stage: raw statements in, practices with parsed retention periods out (a pure function)."""
from __future__ import annotations

from dataclasses import fields

from kg.model import Practice, Statement
from kg.normalize.durations import parse_retention

_SHARED = [f.name for f in fields(Practice) if f.name != "retention"]


def normalize(statements: tuple[Statement, ...] | list[Statement]) -> tuple[Practice, ...]:
    """Parse each retention phrase into a ``Retention``; a phrase that does not parse is dropped.

    A retention statement whose phrases all fail to parse is dropped; one that never had a phrase ("we retain
    your information to comply with the law") is kept, without a period.
    """
    out = []
    for s in statements:
        retention = tuple(r for r in (parse_retention(p) for p in s.retention) if r is not None)
        if s.kind == "retain" and s.retention and not retention:
            continue
        out.append(Practice(retention=retention, **{name: getattr(s, name) for name in _SHARED}))
    return tuple(out)

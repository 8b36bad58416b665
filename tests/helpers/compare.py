"""Graphs compared as graphs, failing with a sorted excerpt of what differs (after rdflib's test/utils)."""
from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic


def assert_isomorphic(got: Graph, want: Graph, name: str = "the expected graph", shown: int = 40) -> None:
    """Fail, listing up to ``shown`` triples on each side (sorted), unless ``got`` and ``want`` are isomorphic."""
    got_iso, want_iso = to_isomorphic(got), to_isomorphic(want)
    if got_iso == want_iso:
        return
    _, missing, extra = graph_diff(want_iso, got_iso)
    lines = [f"- {' '.join(t.n3() for t in triple)}" for triple in sorted(missing)][:shown]
    lines += [f"+ {' '.join(t.n3() for t in triple)}" for triple in sorted(extra)][:shown]
    pytest.fail(f"graph differs from {name} ({len(missing)} missing, {len(extra)} extra):\n" + "\n".join(lines))

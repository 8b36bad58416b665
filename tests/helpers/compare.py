"""Graphs compared as graphs, failing with a sorted excerpt of what differs (after rdflib's test/utils)."""
from __future__ import annotations

import pytest
from rdflib import BNode, Graph
from rdflib.compare import graph_diff, to_isomorphic


def assert_isomorphic(got: Graph, want: Graph, name: str = "the expected graph", shown: int = 40) -> None:
    """Fail, listing up to ``shown`` triples on each side (sorted), unless ``got`` and ``want`` are isomorphic."""
    if not _has_blank_nodes(got) and not _has_blank_nodes(want):
        # Ground graphs are isomorphic exactly when their triple sets are equal; rdflib's canonicaliser would
        # spend minutes on a graph of a few thousand triples for the same answer.
        got_set, want_set = set(got), set(want)
        if got_set == want_set:
            return
        missing, extra = want_set - got_set, got_set - want_set
    else:
        got_iso, want_iso = to_isomorphic(got), to_isomorphic(want)
        if got_iso == want_iso:
            return
        _, missing_g, extra_g = graph_diff(want_iso, got_iso)
        missing, extra = set(missing_g), set(extra_g)
    lines = [f"- {' '.join(t.n3() for t in triple)}" for triple in sorted(missing)][:shown]
    lines += [f"+ {' '.join(t.n3() for t in triple)}" for triple in sorted(extra)][:shown]
    pytest.fail(f"graph differs from {name} ({len(missing)} missing, {len(extra)} extra):\n" + "\n".join(lines))


def _has_blank_nodes(graph: Graph) -> bool:
    return any(isinstance(term, BNode) for triple in graph for term in triple)

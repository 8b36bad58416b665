"""Checks every store kind must pass (the embedded Oxigraph folder in tests/cli/test_store_cli.py, a real
``oxigraph serve`` in tests/integration/test_endpoint.py): written once, run against each."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from rdflib import Graph, Literal

from kg import api
from kg.sources import StoreSource
from kg.sparql import list_queries, run_query
from kg.store import GraphStore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"


class NoExtraction:
    """An extractor that fails the test if anything is extracted (passed through the public API)."""
    model = "none"

    def __init__(self):
        self.calls = 0

    def extract(self, segmented):
        self.calls += 1
        raise AssertionError(f"extracted {segmented.document.name} again")


def check_rebuild_does_no_extraction(store: GraphStore) -> None:
    """Adding the examples again to a store that holds them: 5 unchanged, nothing read past the hash."""
    extractor = NoExtraction()
    summary = api.build([EXAMPLES], StoreSource(store), extractor=extractor)
    assert (summary.unchanged, summary.added, summary.replaced, summary.extracted) == (5, 0, 0, 0)
    assert extractor.calls == 0 and not summary.failed


def normal_rows(rows):
    """Rows as a multiset; GROUP_CONCAT order is undefined in SPARQL and Oxigraph keeps a common language tag on
    it, so literals compare by their ', '-separated parts and datatype."""
    def cell(t):
        return ("literal", tuple(sorted(str(t).split(", "))), t.datatype) if isinstance(t, Literal) else t
    return Counter(tuple(cell(t) for t in row) for row in rows)


def check_packaged_queries_match(store: GraphStore, graph: Graph) -> None:
    """Every packaged query gives the store the same rows as rdflib gives the Turtle build ``graph``."""
    for spec in list_queries():
        expected, got = run_query(graph, spec), api.query(StoreSource(store), spec)
        assert got.vars == expected.vars, spec.name
        assert normal_rows(got.rows) == normal_rows(expected.rows), spec.name
        assert got.rows or not expected.rows, spec.name


def write_contradicting_policies(folder: Path) -> Path:
    """Four short policies written for the paging tests, each denying and stating a disclosure of the e-mail
    address: one `contradictions` row each (the examples hold only one)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("Alder", "Birch", "Cedar", "Damson"):
        (folder / f"{name.lower()}.txt").write_text(
            f"{name} Ltd. Privacy Policy\n\n{name} Ltd. (\"we\") runs this site.\n\nWe do not share your e-mail "
            "address with third parties.\n\nWe share your e-mail address with advertisers.\n", encoding="utf-8")
    return folder


def check_pages_are_slices(source, name: str) -> list:
    """--limit/--offset: every page of the query ``name`` is the same slice of its whole answer (more than three
    rows), in the answer's order; returns the whole answer."""
    whole = api.query(source, name).rows
    assert len(whole) > 3
    for limit, offset in ((3, 0), (5, 2), (1000, 1), (0, 0), (2, len(whole) - 1), (4, len(whole) + 5)):
        assert api.query(source, name, limit=limit, offset=offset).rows == whole[offset:offset + limit]
    return whole

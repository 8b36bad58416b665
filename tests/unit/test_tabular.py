"""kg.tabular: CSV and TSV written by the csv module read back cell for cell, whatever the cells hold; tables fit a
width and are cut only when one is given."""
import csv
import doctest
import io

from rdflib import Literal, URIRef

from kg import tabular
from kg.sparql import QueryResult, to_csv, to_table, to_tsv

HARD = ["tab\there", "line\nbreak", 'a "quoted" word', "comma, here", "", "trailing space ", "\\backslash"]


def test_doctests():
    assert doctest.testmod(tabular).failed == 0


def test_tsv_and_csv_read_back_every_cell():
    res = QueryResult(["text", "iri"], [(Literal(h), URIRef("https://example.org/x")) for h in HARD] + [(None, None)])
    want = [["text", "iri"]] + [[h, "https://example.org/x"] for h in HARD] + [["", ""]]
    assert list(csv.reader(io.StringIO(to_tsv(res), newline=""), dialect="excel-tab")) == want
    assert list(csv.reader(io.StringIO(to_csv(res), newline=""))) == want
    assert to_tsv(res).count("\n") == len(want) + HARD[1].count("\n")  # one line end per row, none extra


def test_column_widths_fit_and_keep_narrow_columns_whole():
    widths = tabular.column_widths([3, 40, 200, 10], 80)
    assert sum(widths) + 2 * 3 <= 80 and widths[0] == 3 and widths[3] == 10
    assert tabular.column_widths([3, 40], 80) == [3, 40]
    assert min(tabular.column_widths([50, 50, 50], 10)) == tabular.MIN_COLUMN  # never narrower than this


def test_a_table_is_cut_only_with_a_width():
    res = QueryResult(["n", "sentence"], [(Literal(1), Literal("word " * 40))])
    assert "…" not in to_table(res) and ("word " * 40).strip() in to_table(res)
    lines = to_table(res, width=40).splitlines()
    assert max(len(line) for line in lines) <= 40 and lines[2].endswith("…")

"""kg.tabular: CSV written by the csv module reads back cell for cell, whatever the cells hold, and SPARQL TSV reads
back term for term in rdflib; tables fit a width and are cut only when one is given."""
import csv
import doctest
import io

from rdflib import Literal, URIRef
from rdflib.query import Result

from kg import tabular
from kg.sparql import QueryResult, to_csv, to_table, to_tsv

HARD = ["tab\there", "line\nbreak", 'a "quoted" word', "comma, here", "", "trailing space ", "\\backslash"]


def test_doctests():
    assert doctest.testmod(tabular).failed == 0


def test_tsv_and_csv_read_back_every_cell():
    iri = URIRef("https://example.org/x")
    rows = [(Literal(h), iri) for h in HARD] + [(Literal("fr", lang="fr"), None), (Literal(3), iri), (None, None)]
    res = QueryResult(["text", "iri"], rows)
    want = [["text", "iri"]] + [["" if t is None else str(t) for t in row] for row in rows]
    assert list(csv.reader(io.StringIO(to_csv(res), newline=""))) == want
    tsv = to_tsv(res)
    assert tsv.count("\n") == len(rows) + 1  # one line per row: breaks and tabs inside a cell are escaped
    assert tsv.splitlines()[0] == "?text\t?iri" and tsv.splitlines()[-1] == "\t"
    back = Result.parse(io.StringIO(tsv), format="tsv")  # rdflib's SPARQL TSV parser: the same terms
    assert [str(v) for v in back.vars] == ["text", "iri"]
    assert [tuple(r) for r in back] == rows[:-1]  # (rdflib skips a line of unbound cells only)


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

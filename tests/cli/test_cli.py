"""The CLI as users run it: the example corpus end to end, bad input, exit codes."""
import json
import re

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF

from kg import api
from kg.cli import main
from kg.sparql import list_queries
from kg.vocab import DPV, OA, PPKG
from kg.exporters import in_vocabulary

pytestmark = pytest.mark.slow
ROOT_EXAMPLES = "examples/policies"
CONTROLLERS = {"CubeSoft Communications Inc.", "SoftSys Hosting", "Pro Softnet Corporation", "Calsoft Systems",
               "CONNACT Cloud ltd."}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_build_examples_names_the_five_controllers(example_graph):
    names = {str(example_graph.value(p, DCTERMS.publisher / DPV.hasName))
             for p in example_graph.subjects(RDF.type, PPKG.PrivacyPolicy)}
    assert names == CONTROLLERS


def test_every_fact_links_to_a_sentence_whose_offsets_slice_the_input(example_graph):
    from pathlib import Path
    texts = {str(example_graph.value(p, PPKG.sourceFile)): (Path(ROOT_EXAMPLES) / str(
        example_graph.value(p, PPKG.sourceFile))).read_text(encoding="utf-8")
        for p in example_graph.subjects(RDF.type, PPKG.PrivacyPolicy)}
    checked = 0
    for statement in example_graph.subjects(RDF.type, PPKG.Statement):
        ev = example_graph.value(statement, PPKG.evidence)
        source = str(example_graph.value(example_graph.value(ev, DCTERMS.source), PPKG.sourceFile))
        start, end = int(example_graph.value(ev, OA.start)), int(example_graph.value(ev, OA.end))
        assert texts[source][start:end] == str(example_graph.value(ev, OA.exact))
        checked += 1
    assert checked > 100


def test_summary_reports_policies_and_facts(example_build):
    result, _ = example_build
    assert re.search(r"wrote .*: 5 policies, \d+ triples", result.output)
    assert "facts: " in result.output and "share (negated)" in result.output


def test_bad_files_are_reported_and_skipped(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Acme Inc. is the data controller. We do not sell your personal information.\n")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    out = tmp_path / "kg.ttl"
    result = invoke("build", tmp_path, tmp_path / "missing.txt", "-o", out)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 3
    assert any("empty.txt" in e for e in errors) and any("binary.txt" in e for e in errors)
    assert any("missing.txt" in e for e in errors)
    g = Graph().parse(out)
    assert len(list(g.subjects(RDF.type, PPKG.PrivacyPolicy))) == 1


def test_nothing_readable_writes_nothing(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n")
    result = invoke("build", tmp_path / "empty.txt", "-o", tmp_path / "kg.ttl")
    assert result.exit_code == 2 and not (tmp_path / "kg.ttl").exists()


def test_validate_exit_codes(example_build, tmp_path):
    _, graph = example_build
    assert invoke("validate", graph, "--profile", "core").exit_code == 0
    gdpr = invoke("validate", graph, "--profile", "gdpr", "--report", tmp_path / "r.ttl")
    assert gdpr.exit_code == 1 and "13(2)(d) complaint" in gdpr.output
    assert (tmp_path / "r.ttl").exists()
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix x: <http://x/> . x:a x:b ")
    result = invoke("validate", broken)
    assert result.exit_code == 2 and result.output.startswith(f"error: {broken}: not valid turtle")


def test_every_packaged_query_returns_rows_on_the_examples(example_build):
    _, graph = example_build
    result = invoke("query", "controllers", graph, "--format", "json")  # the command line once, the library for all
    assert result.exit_code == 0 and len(json.loads(result.output)["results"]["bindings"]) == 5, result.output
    with api.open_source(graph) as source:
        for spec in list_queries():
            assert api.query(source, spec.name).rows, spec.name


def test_query_list_and_bad_parameter(example_build):
    _, graph = example_build
    listing = invoke("query", "--list")
    assert all(spec.title in listing.output for spec in list_queries())
    bad = invoke("query", "companies-collecting-category", graph, "--param", "category=dc:Nope")
    assert bad.exit_code == 2 and "error: dc:Nope: unknown concept" in bad.output


def test_query_parameters_by_label(example_build):
    _, graph = example_build
    by_label = invoke("query", "sharing-with-recipient-kind", graph, "--param", "kind=service providers",
                      "--format", "csv")
    by_name = invoke("query", "sharing-with-recipient-kind", graph, "--param", "kind=rk:ServiceProvider",
                     "--format", "csv")
    assert by_label.exit_code == 0 and by_label.output == by_name.output and by_label.output.count("\n") > 1
    near = invoke("query", "companies-collecting-category", graph, "--param", "category=locaton")
    assert near.exit_code == 2
    assert near.output == ("error: category=locaton: no data category is called 'locaton'\n"
                           "hint: did you mean 'location information' (dc:Location)?\n")


def test_export_formats(example_build, tmp_path):
    """A smoke test on the real corpus (tests/unit/test_export.py round-trips every format): the command line once,
    the library for the other formats (each with the DPV mapping triples of the concepts the graph uses)."""
    _, graph = example_build
    result = invoke("export", graph, "--format", "trig", "-o", tmp_path / "kg.trig")
    assert result.exit_code == 0 and result.output == f"wrote {tmp_path / 'kg.trig'} (trig)\n"
    with api.open_source(graph) as source:
        for fmt in api.EXPORT_FORMATS:
            written = api.export(source, fmt, tmp_path / f"kg.{fmt}")
            assert written.count == len(in_vocabulary(source.union(), "ours")) and written.path.stat().st_size > 1000


def test_help_lists_the_commands():
    out = invoke("--help").output
    for command in ("build", "validate", "query", "export", "network", "report"):
        assert command in out


def test_network_and_report(example_build, tmp_path):
    _, graph = example_build
    net = invoke("network", graph, "--top", "3", "--json", tmp_path / "n.json", "--graphml", tmp_path / "n.graphml")
    assert net.exit_code == 0 and net.output.startswith("- ")
    assert json.loads((tmp_path / "n.json").read_text())
    rep = invoke("report", graph, "-o", tmp_path / "r.html", "--validate", "gdpr")
    assert rep.exit_code == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "CubeSoft Communications Inc." in html and "<svg" in html and "http://" not in html.split("<body", 1)[0]


def test_query_explain_prints_sentences(example_build):
    _, graph = example_build
    out = invoke("query", "negative-statements", graph, "--explain")
    assert out.exit_code == 0 and "We will not share this information with any third parties." in out.output

"""`build --manifest FILE` as users run it: a Turtle file (one job and two), a store (rebuilt unchanged, and
replaced when a row changes); the SPARQL-server sink is in tests/integration/test_endpoint.py. Bad rows are one
error line each naming the manifest's line, exit code 2, and every file is built all the same."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from kg import api
from kg.cli import main
from kg.store import Store
from kg.vocab import DPV, PPKG

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"
CSV = ("path,controller,url,jurisdiction,retrieved\n"
       "{corpus}/calsoft.txt,Calsoft Systems Pvt. Ltd.,https://calsoft.example/privacy,IN,2024-05-31\n"
       "cubesoft.txt,,https://cubesoft.example/privacy,CA,2024-13-01\n"
       "pro-softnet.txt,Pro Softnet Corp.,,,\n")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("calsoft.txt", "cubesoft.txt"):
        shutil.copy(EXAMPLES / name, folder / name)
    return folder


def lines(output: str, prefix: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(prefix)]


def by_source(graph: Graph) -> dict[str, URIRef]:
    return {str(graph.value(p, PPKG.sourceFile)): p for p in graph.subjects(RDF.type, PPKG.PrivacyPolicy)}


def check_graph(graph: Graph) -> None:
    policies = by_source(graph)
    calsoft, cubesoft = policies["calsoft.txt"], policies["cubesoft.txt"]
    assert str(graph.value(calsoft, DCTERMS.publisher / DPV.hasName)) == "Calsoft Systems Pvt. Ltd."
    assert graph.value(calsoft, PPKG.publisherNameSource) == PPKG.NameFromManifest
    assert graph.value(calsoft, PPKG.sourceUrl) == URIRef("https://calsoft.example/privacy")
    assert graph.value(calsoft, PPKG.jurisdiction) == Literal("IN")
    assert graph.value(calsoft, PPKG.retrievedOn) == Literal("2024-05-31", datatype=XSD.date)
    assert "Calsoft Systems" in {str(a) for a in graph.objects(graph.value(calsoft, DCTERMS.publisher), PPKG.alias)}
    # the bad row's file is built without it, its name read from the text
    assert str(graph.value(cubesoft, DCTERMS.publisher / DPV.hasName)) == "CubeSoft Communications Inc."
    assert graph.value(cubesoft, PPKG.publisherNameSource) == PPKG.NameFromText
    assert graph.value(cubesoft, PPKG.sourceUrl) is None


def test_turtle_build_records_the_manifest_and_reports_each_bad_row(corpus, tmp_path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(CSV.format(corpus=corpus))
    out = tmp_path / "kg.ttl"
    result = invoke("build", corpus, "-o", out, "--manifest", manifest)
    assert result.exit_code == 2, result.output
    assert lines(result.output, "error: ") == [
        f"error: {manifest}:3: retrieved '2024-13-01' is not an ISO date (YYYY-MM-DD)"]
    assert lines(result.output, "warning: ") == [
        f"warning: {manifest}:4: path 'pro-softnet.txt' matches no input file; row not used"]
    assert "1 bad manifest row(s); see the errors above" in result.output
    assert "  calsoft.txt: Calsoft Systems Pvt. Ltd., " in result.output
    check_graph(Graph().parse(out))
    validated = invoke("validate", out, "--profile", "core")
    assert validated.exit_code == 0, validated.output


def test_two_jobs_and_json_lines_give_the_same_graph(corpus, tmp_path):
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(
        '{"path": "calsoft.txt", "controller": "Calsoft Systems Pvt. Ltd.", "url": "https://calsoft.example/privacy",'
        ' "jurisdiction": "IN", "retrieved": "2024-05-31"}\n'
        '{"path": "cubesoft.txt", "jurisdiction": "CA", "retrieved": "2024-13-01"}\n')
    out = tmp_path / "kg.ttl"
    result = invoke("build", corpus, "-o", out, "--manifest", manifest, "--jobs", 2)
    assert result.exit_code == 2, result.output
    assert lines(result.output, "error: ") == [
        f"error: {manifest}:2: retrieved '2024-13-01' is not an ISO date (YYYY-MM-DD)"]
    graph = Graph().parse(out)
    check_graph(graph)
    expected, summary = api.build_graph_of([corpus], manifest=manifest)
    assert [e.path for e in summary.failed] == [f"{manifest}:2"]
    assert set(graph) == set(expected)


def test_store_build_rebuild_and_a_changed_row(corpus, tmp_path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(CSV.format(corpus=corpus))
    db = tmp_path / "db"
    first = invoke("build", corpus, "--store", db, "--manifest", manifest)
    assert first.exit_code == 2 and "2 added, 0 replaced, 0 unchanged" in first.output, first.output
    assert len(lines(first.output, "error: ")) == 1
    with Store(db) as store:
        check_graph(store.to_rdflib())
    again = invoke("build", corpus, "--store", db, "--manifest", manifest)
    assert "0 added, 0 replaced, 2 unchanged" in again.output, again.output
    manifest.write_text(CSV.format(corpus=corpus).replace("Calsoft Systems Pvt. Ltd.", "Calsoft Holdings Ltd."))
    changed = invoke("build", corpus, "--store", db, "--manifest", manifest)
    assert "0 added, 1 replaced, 1 unchanged" in changed.output, changed.output
    with Store(db) as store:
        graph = store.to_rdflib()
        assert len(store) == 2
    calsoft = by_source(graph)["calsoft.txt"]
    assert [str(n) for n in graph.objects(calsoft, DCTERMS.publisher / DPV.hasName)] == ["Calsoft Holdings Ltd."]
    without = invoke("build", corpus, "--store", db)  # no manifest: the stored values stay
    assert without.exit_code == 0 and "0 added, 0 replaced, 2 unchanged" in without.output, without.output


def test_unreadable_manifest_stops_the_build(corpus, tmp_path):
    bad = tmp_path / "m.csv"
    bad.write_bytes(b"path,controller\ncalsoft.txt,Soci\xe9t\xe9\n")
    out = tmp_path / "kg.ttl"
    result = invoke("build", corpus, "-o", out, "--manifest", bad)
    assert result.exit_code == 2
    assert lines(result.output, "error: ") == [f"error: {bad}: the manifest is not UTF-8 text"]
    assert not out.exists()

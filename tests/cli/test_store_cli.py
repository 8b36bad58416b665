"""`--store`: building the examples into an Oxigraph store, rebuilding without extraction, the same query answers
as from the Turtle file, the other commands on a store, `remove`, and a build killed with SIGKILL."""
from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, Namespace

from kg import api
from kg.cli import main
from kg.store import Store
from tests.helpers.storecheck import (check_packaged_queries_match, check_pages_are_slices,
                                     check_rebuild_does_no_extraction, write_contradicting_policies)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "policies"


@pytest.fixture(scope="module")
def built_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "db"
    result = CliRunner().invoke(main, ["build", str(EXAMPLES), "--store", str(path)])
    assert result.exit_code == 0, result.output
    assert "5 added, 0 replaced, 0 unchanged" in result.output
    return path


def test_rebuild_does_no_extraction(built_store):
    result = CliRunner().invoke(main, ["build", str(EXAMPLES), "--store", str(built_store)])
    assert result.exit_code == 0, result.output
    assert "0 added, 0 replaced, 5 unchanged (not extracted again); 5 policies stored" in result.output
    with Store(built_store) as store:
        check_rebuild_does_no_extraction(store)


def test_store_graph_equals_turtle_build(built_store, example_graph):
    with Store(built_store) as store:
        assert set(store.to_rdflib()) == set(example_graph)


def test_every_packaged_query_gives_the_same_answers(built_store, example_graph):
    with Store(built_store) as store:
        check_packaged_queries_match(store, example_graph)


def test_commands_on_a_store(built_store, tmp_path, example_build):
    run = lambda *args: CliRunner().invoke(main, list(args))  # noqa: E731
    r_store = run("query", "retention-longer-than", "--store", str(built_store), "--param", "min_days=100",
                  "--format", "csv")
    r_file = run("query", "retention-longer-than", str(example_build[1]), "--param", "min_days=100", "--format", "csv")
    assert r_store.exit_code == 0 and sorted(r_store.output.splitlines()) == sorted(r_file.output.splitlines())
    assert run("query", "controllers", "--store", str(built_store), "--explain").exit_code == 0
    r = run("validate", "--store", str(built_store), "--profile", "core")
    assert r.exit_code == 0 and "conforms" in r.output
    r_store = run("network", "--store", str(built_store), "--json", str(tmp_path / "store.json"))
    r_file = run("network", str(example_build[1]), "--json", str(tmp_path / "file.json"))
    headlines = lambda r: [line for line in r.output.splitlines() if not line.startswith("wrote ")]  # noqa: E731
    assert r_store.exit_code == 0 == r_file.exit_code and headlines(r_store) == headlines(r_file)
    assert (tmp_path / "store.json").read_text() == (tmp_path / "file.json").read_text()
    assert run("report", "--store", str(built_store), "-o", str(tmp_path / "r.html")).exit_code == 0
    r = run("export", "--store", str(built_store), "--format", "trig", "-o", str(tmp_path / "kg.trig"))
    assert r.exit_code == 0
    trig = (tmp_path / "kg.trig").read_text()
    with Store(built_store) as store:
        assert all(f"<{iri}> {{" in trig for iri, _, _ in store.policies())
    assert run("export", "--store", str(built_store), "--format", "nt", "-o", str(tmp_path / "kg.nt")).exit_code == 0
    assert len(Graph().parse(tmp_path / "kg.nt")) > 6000


def test_validate_on_a_store_reads_one_policy_at_a_time_and_reports_the_same(built_store, example_build, tmp_path):
    """Validating a store validates each stored policy graph on its own (flat memory) and reports exactly what
    validating the Turtle build reports (matrices, results), and its sh:ValidationReport has the same results
    (``validate --store`` on the command line: test_commands_on_a_store)."""
    with api.open_source(example_build[1]) as file, api.open_source(store=built_store) as store:
        from_file, from_store = api.validate(file), api.validate(store)
    assert from_file.fails() and from_store.fails()  # the examples miss GDPR requirements
    for fmt in ("text", "markdown"):
        assert "GDPR Art. 13" in from_store.render(fmt) and from_store.render(fmt) == from_file.render(fmt)
    from_file.write_report(tmp_path / "a.ttl")
    from_store.write_report(tmp_path / "b.ttl")
    a, b = (_results(Graph().parse(tmp_path / f"{x}.ttl")) for x in "ab")
    assert len(a) > 10 and a == b  # profile all: gdpr and ccpa only on the two policies in their scope
    with api.open_source(example_build[1]) as file, api.open_source(store=built_store) as store:
        forced = [api.validate(source, "ccpa") for source in (file, store)]  # forced on all five policies
    forced[0].write_report(tmp_path / "c.ttl")
    forced[1].write_report(tmp_path / "d.ttl")
    c, d = (_results(Graph().parse(tmp_path / f"{x}.ttl")) for x in "cd")
    assert len(c) > 20 and c == d and forced[0].applied == forced[1].applied == {"ccpa": (5, 5)}


def _results(report: Graph) -> Counter:
    """The sh:ValidationResults of a report as (focus, shape, severity, message, value) rows."""
    SH = Namespace("http://www.w3.org/ns/shacl#")
    return Counter(tuple(report.value(r, p) for p in (SH.focusNode, SH.sourceShape, SH.resultSeverity,
                                                      SH.resultMessage, SH.value))
                   for r in report.subjects(RDF.type, SH.ValidationResult))


def test_source_errors(built_store, example_build, tmp_path):
    run = lambda *args: CliRunner().invoke(main, list(args))  # noqa: E731
    for args in (["validate"], ["validate", str(example_build[1]), "--store", str(built_store)], ["network"],
                 ["query", "controllers"], ["build", str(EXAMPLES)],
                 ["build", str(EXAMPLES), "-o", "x.ttl", "--store", str(built_store)]):
        r = run(*args)
        assert r.exit_code == 2 and "exactly one" in r.output, args
    r = run("query", "controllers", "--store", str(tmp_path / "missing"))
    assert r.exit_code == 2 and "no such store" in r.output


def test_remove_then_rebuild_extracts_only_that_file(tmp_path, built_store):
    import shutil

    copy = tmp_path / "db"
    shutil.copytree(built_store, copy)
    (copy / "LOCK").unlink(missing_ok=True)
    r = CliRunner().invoke(main, ["remove", "calsoft.txt", "--store", str(copy)])
    assert r.exit_code == 0 and "4 policies stored" in r.output
    r = CliRunner().invoke(main, ["remove", "calsoft.txt", "--store", str(copy)])
    assert r.exit_code == 2 and "no such policy" in r.output
    r = CliRunner().invoke(main, ["build", str(EXAMPLES), "--store", str(copy)])
    assert r.exit_code == 0 and "1 added, 0 replaced, 4 unchanged" in r.output


def test_changed_file_replaces_its_graph(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    policy = src / "softsys-hosting.txt"
    policy.write_bytes((EXAMPLES / "softsys-hosting.txt").read_bytes())
    db = tmp_path / "db"
    assert CliRunner().invoke(main, ["build", str(src), "--store", str(db)]).exit_code == 0
    policy.write_bytes(policy.read_bytes() + b"\nWe do not sell your personal information.\n")
    r = CliRunner().invoke(main, ["build", str(src), "--store", str(db)])
    assert r.exit_code == 0 and "0 added, 1 replaced, 0 unchanged" in r.output
    with Store(db) as store:
        [(iri, source, sha)] = store.policies()
        assert source == "softsys-hosting.txt" and iri.endswith(sha[:16])


KILLED_BUILD = textwrap.dedent("""
    import sys
    from kg import api
    from kg.store import Store
    store = Store(sys.argv[1])
    api.build([sys.argv[2]], api.StoreSource(store), progress=lambda p: print("committed", p, flush=True))
""")


def test_sigkill_leaves_every_policy_complete_or_absent(tmp_path, built_store):
    with Store(built_store) as clean:
        expected = {iri: clean.triple_count(iri) for iri, _, _ in clean.policies()}
    db = tmp_path / "db"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(db), str(EXAMPLES)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        line = proc.stdout.readline()  # the first policy is committed; the second is being extracted or written
        assert line.startswith("committed"), line
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    with Store(db) as store:
        present = store.policies()
        assert 1 <= len(present) <= 5
        for iri, _, _ in present:
            assert store.triple_count(iri) == expected[iri], iri
        summary = api.build([EXAMPLES], api.StoreSource(store))  # the rebuild completes the rest
        assert summary.unchanged == len(present) and summary.added == 5 - len(present)
        assert {iri: store.triple_count(iri) for iri, _, _ in store.policies()} == expected


@pytest.fixture(scope="module")
def contradicting_store(tmp_path_factory):
    """A store of four policies with one `contradictions` row each (the examples hold only one)."""
    root = write_contradicting_policies(tmp_path_factory.mktemp("contradicting"))
    path = root.parent / "db"
    result = CliRunner().invoke(main, ["build", str(root), "--store", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("name", ["evidence", "negative-statements", "contradictions", "controllers"])
def test_query_pages_are_slices_of_the_whole_answer(built_store, contradicting_store, example_graph, name):
    """--limit/--offset: a store pages through its policies (# page-by) or slices; a graph file slices; every page
    is the same slice of the same answer, in the answer's order."""
    store = contradicting_store if name == "contradictions" else built_store
    with api.open_source(store=store) as source:
        whole = check_pages_are_slices(source, name)
        assert api.query(source, name, offset=2).rows == whole[2:]
    graph = api.open_source(example_graph)  # (same answers as the store: test_every_packaged_query_gives_...)
    assert api.query(graph, name, limit=3, offset=1).rows == api.query(graph, name).rows[1:4]
    result = CliRunner().invoke(main, ["query", name, "--store", str(store), "--limit", "2", "--offset", "1",
                                       "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert len([r for r in csv.reader(io.StringIO(result.output)) if r]) == 3  # header and two rows
    bad = CliRunner().invoke(main, ["query", name, "--store", str(built_store), "--limit", "-1"])
    assert bad.exit_code == 2

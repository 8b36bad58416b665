"""`build --jobs N`: the same graph as one job (Turtle and store), bad files and a killed worker in a parallel
batch, no dispatch on an unchanged rebuild, and a Turtle output streamed per policy whose triple count is true."""
from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF

from kg import api, sinks
from kg.cli import main
from kg.store import Store
from kg.vocab import PPKG

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "policies"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def printed_triples(output: str) -> int:
    return int(re.search(r": \d+ policies, (\d+) triples", output)[1])


def test_two_jobs_give_the_same_turtle_graph(tmp_path, example_graph):
    out = tmp_path / "kg.ttl"
    result = invoke("build", EXAMPLES, "-o", out, "--jobs", 2)
    assert result.exit_code == 0, result.output
    got = Graph().parse(out)
    assert set(got) == set(example_graph)
    assert printed_triples(result.output) == len(got)
    lines = [line for line in result.output.splitlines() if line.startswith("  ")]
    assert [line.split(":")[0].strip() for line in lines] == sorted(p.name for p in EXAMPLES.iterdir())


def test_two_jobs_give_the_same_store_and_a_rebuild_dispatches_nothing(tmp_path, example_graph):
    db = tmp_path / "db"
    result = invoke("build", EXAMPLES, "--store", db, "-j", 2)
    assert result.exit_code == 0, result.output
    assert "5 added, 0 replaced, 0 unchanged" in result.output
    with Store(db) as store:
        assert set(store.to_rdflib()) == set(example_graph)
        summary = api.build([EXAMPLES], api.StoreSource(store), jobs=2)
    assert (summary.unchanged, summary.added, summary.extracted, summary.dispatched) == (5, 0, 0, 0)
    assert not summary.failed and summary.model == ""  # no worker ran, so no model was loaded
    result = invoke("build", EXAMPLES, "--store", db, "--jobs", 2)
    assert result.exit_code == 0 and "0 added, 0 replaced, 5 unchanged" in result.output
    assert "spaCy model" not in result.output


def _corpus_with_bad_files(folder: Path) -> None:
    folder.mkdir()
    for name in ("cubesoft.txt", "softsys-hosting.txt", "connact.txt"):
        shutil.copy(EXAMPLES / name, folder / name)
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)


@pytest.mark.parametrize("target", ["-o", "--store"])
def test_a_bad_file_in_a_parallel_batch(tmp_path, target):
    src = tmp_path / "in"
    _corpus_with_bad_files(src)
    dest = tmp_path / ("kg.ttl" if target == "-o" else "db")
    result = invoke("build", src, target, dest, "--jobs", 2)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "binary.txt" in errors[0], result.output
    if target == "-o":
        graph = Graph().parse(dest)
        assert len(set(graph.subjects(RDF.type, PPKG.PrivacyPolicy))) == 3
        assert printed_triples(result.output) == len(graph)
    else:
        assert "3 added" in result.output
        with Store(dest) as store:
            assert len(store) == 3


def test_repeated_files_keep_the_turtle_graph_and_count_true(tmp_path):
    """Two inputs with the same bytes share every triple but their source file: the streamed Turtle file holds
    the graph the in-memory build gives, and the printed count is that graph's size."""
    src = tmp_path / "in"
    src.mkdir()
    for name in ("cubesoft.txt", "softsys-hosting.txt"):
        shutil.copy(EXAMPLES / name, src / name)
    shutil.copy(EXAMPLES / "cubesoft.txt", src / "cubesoft-copy.txt")
    expected, _ = api.build_graph_of([src])
    for jobs in (1, 2):
        out = tmp_path / f"kg{jobs}.ttl"
        result = invoke("build", src, "-o", out, "--jobs", jobs)
        assert result.exit_code == 0, result.output
        got = Graph().parse(out)
        assert set(got) == set(expected) and printed_triples(result.output) == len(expected)
    db = tmp_path / "db"
    result = invoke("build", src, "--store", db, "--jobs", 2)
    assert result.exit_code == 0 and "2 added, 0 replaced, 1 unchanged" in result.output, result.output


def _workers(pid: int) -> list[int]:
    """The spawned worker processes under ``pid`` (not multiprocessing's resource tracker)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and "spawn_main" in cmdline:
            found.append(int(entry))
    return found


def test_a_killed_worker_does_not_hang_or_lose_the_batch(tmp_path, example_graph):
    db = tmp_path / "db"
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(EXAMPLES), "--store", str(db), "--jobs", "2"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        killed = None
        deadline = time.monotonic() + 120
        while killed is None and proc.poll() is None and time.monotonic() < deadline:
            workers = _workers(proc.pid)
            if workers:
                os.kill(workers[0], signal.SIGKILL)  # while it loads spaCy or extracts its first policy
                killed = workers[0]
            time.sleep(0.05)
        output, _ = proc.communicate(timeout=300)
    finally:
        proc.kill()
    assert killed is not None, output
    assert proc.returncode == 0, output
    assert "5 added, 0 replaced, 0 unchanged" in output
    with Store(db) as store:
        assert set(store.to_rdflib()) == set(example_graph)


class CountingStore(Store):
    """A real store that counts the flushes a build asks of it."""

    flushes = 0

    def flush(self) -> None:
        self.flushes += 1


def test_a_store_build_flushes_its_write_buffers_as_it_goes(tmp_path, monkeypatch):
    monkeypatch.setattr(sinks, "FLUSH_EVERY", 1000)
    with CountingStore(tmp_path / "db") as store:
        summary = api.build([EXAMPLES], api.StoreSource(store))
        assert summary.added == 5
        expected, unflushed = 0, 0
        for _, _, iri in sorted((src, -1, iri) for iri, src, _ in store.policies()):  # input order: by file name
            unflushed += store.triple_count(iri)
            if unflushed >= 1000:
                expected, unflushed = expected + 1, 0
        assert store.flushes == expected >= 2


def test_a_big_build_lists_the_first_policies_then_a_count(capsys):
    from kg import cli
    from kg.cli_support import setup_logging

    setup_logging(logging.INFO)  # as `privacy-kg build` sets it up: the summary is said at info level

    summary = api.BuildSummary()
    for i in range(cli.POLICY_LINES + 50):
        summary.add_policy(api.BuiltPolicy(f"in/p{i}.txt", f"p{i}.txt", "Acme Inc.", 3, None,
                                          ("no controller name found",) if i == 120 else ()), Counter(collect=3))
    cli._print_policies(summary)
    err = capsys.readouterr().err.splitlines()
    listed = [line for line in err if line.startswith("  p")]
    assert listed[0] == "  p0.txt: Acme Inc., 3 statements" and len(listed) == cli.POLICY_LINES
    assert "  ... and 50 more" in err[cli.POLICY_LINES]
    assert "warning: in/p120.txt: no controller name found" in err  # warnings are never cut
    assert summary.facts == Counter(collect=3 * (cli.POLICY_LINES + 50))

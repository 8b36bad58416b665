"""Command-line conventions (issue 15), each run as a user runs it: `-o -` is standard output, formats from the
output's extension, `--format tsv`, CSV without a trailing blank line, tables that fit a terminal (a real pseudo
terminal) and are never cut in a pipe, `--explain` in JSON and TSV, `-v`/`-q`/`--log-level`, did-you-mean and the
argument order, and shell completion as bash asks for it.

The graph read is tests/golden/examples.ttl (the example corpus as built), so these tests need no spaCy.
"""
from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.query import Result

from kg.cli import main
from kg.cli_support import ProgressLines
from kg.exporters import in_vocabulary
from kg.graphio import policy_closures
from kg.store import Store
from tests.helpers.compare import assert_isomorphic
from tests.unit.test_store import add, record

ROOT = Path(__file__).resolve().parents[2]
GRAPH = ROOT / "tests" / "golden" / "examples.ttl"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def invoke(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    """``python -m kg ARGS`` in a child process, as from a shell."""
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True, env=ENV,
                          **kwargs)


@pytest.fixture(scope="module")
def golden() -> Graph:
    return Graph().parse(GRAPH)


def exported(graph: Graph) -> Graph:
    """What ``export`` writes of ``graph`` by default: the graph and the DPV matches of the concepts it uses."""
    return in_vocabulary(graph, "ours")


@pytest.fixture(scope="module")
def small(tmp_path_factory, golden) -> Path:
    """Two of the five example policies (CubeSoft, SoftSys Hosting: 1,387 triples), for the fast tests."""
    keep = [g for g in policy_closures(golden).values()
            if any("CubeSoft" in str(o) or "SoftSys" in str(o) for o in g.objects())]
    assert len(keep) == 2
    out = tmp_path_factory.mktemp("small") / "small.ttl"
    union = Graph()
    for g in keep:
        union += g
    union.serialize(out, format="turtle")
    return out


def parsed(data: str | Path, fmt: str) -> Graph:
    """RDF text or a file, the union of its graphs for TriG."""
    if fmt != "trig":
        return Graph().parse(data, format=fmt) if isinstance(data, Path) else Graph().parse(data=data, format=fmt)
    ds = Dataset()
    ds.parse(data, format="trig") if isinstance(data, Path) else ds.parse(data=data, format="trig")
    union = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


# -- -o - ----------------------------------------------------------------------------------------------------------
@pytest.mark.slow  # child processes or the whole example graph parsed and compared
@pytest.mark.parametrize("fmt, rdf", [("turtle", "turtle"), ("nt", "nt"), ("trig", "trig")])
def test_export_to_standard_output(tmp_path, golden, fmt, rdf):
    result = run("export", GRAPH, "--format", fmt, "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "-").exists() and list(tmp_path.iterdir()) == []
    assert_isomorphic(parsed(result.stdout, rdf), exported(golden), f"export -o - --format {fmt}")
    assert result.stderr == ""  # no "wrote" line for standard output


def test_export_to_standard_output_is_turtle_without_format(small):
    result = invoke("export", small, "-o", "-")
    assert result.exit_code == 0, result.output
    assert_isomorphic(Graph().parse(data=result.stdout, format="turtle"), exported(Graph().parse(small)),
                      "export -o -")


@pytest.mark.slow  # child processes or the whole example graph parsed and compared
def test_dot_slash_dash_is_a_file_named_dash(tmp_path, golden):
    result = run("export", GRAPH, "--format", "nt", "-o", "./-", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == ""
    assert len(Graph().parse(tmp_path / "-", format="nt")) == len(exported(golden))


def test_report_to_standard_output(small):
    result = invoke("report", small, "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip().lower().startswith("<!doctype html") and "CubeSoft" in result.stdout


def test_network_json_to_standard_output_moves_the_findings_to_stderr(small):
    result = invoke("network", small, "--json", "-")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary and "- " not in result.stdout.splitlines()[0]
    assert result.stderr.startswith("- ")  # the findings
    both = invoke("network", small, "--json", "-", "--graphml", "-")
    assert both.exit_code == 2 and "cannot both be standard output" in both.output


@pytest.mark.slow  # child processes or the whole example graph parsed and compared
def test_network_graphml_to_standard_output():
    import networkx as nx

    result = invoke("network", GRAPH, "--graphml", "-")
    assert result.exit_code == 0, result.output
    graph = nx.parse_graphml(result.stdout)
    assert graph.number_of_nodes() > 5


def test_validate_report_to_standard_output(small):
    result = invoke("validate", small, "--profile", "core", "--report", "-")
    assert result.exit_code in (0, 1), result.output
    report = Graph().parse(data=result.stdout, format="turtle")
    assert len(report) > 0
    assert "conform" in result.stderr  # the text report went to standard error


def test_query_to_standard_output_and_to_a_file(tmp_path, small):
    to_stdout = invoke("query", "controllers", small, "--format", "csv", "-o", "-")
    printed = invoke("query", "controllers", small, "--format", "csv")
    assert to_stdout.exit_code == printed.exit_code == 0
    assert to_stdout.stdout == printed.stdout
    out = tmp_path / "rows.csv"
    written = invoke("query", "controllers", small, "-o", out)
    assert written.exit_code == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8") == printed.stdout
    assert f"wrote {out} (csv, 2 rows)" in written.stderr


# -- formats from the extension --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, rdf", [("kg.nt", "nt"), ("kg.trig", "trig"), ("kg.jsonld", "json-ld"),
                                       ("KG.TTL", "turtle")])
@pytest.mark.slow  # child processes or the whole example graph parsed and compared
def test_export_format_from_the_extension(tmp_path, golden, name, rdf):
    out = tmp_path / name
    result = invoke("export", GRAPH, "-o", out)
    assert result.exit_code == 0, result.output
    assert_isomorphic(parsed(out, rdf), exported(golden), name)


@pytest.mark.slow  # child processes or the whole example graph parsed and compared
def test_export_graphml_from_the_extension(tmp_path):
    out = tmp_path / "kg.graphml"
    result = invoke("export", GRAPH, "-o", out)
    assert result.exit_code == 0 and "(graphml)" in result.stderr
    assert out.read_text(encoding="utf-8").startswith("<graphml")


def test_format_wins_over_the_extension(tmp_path, small):
    out = tmp_path / "kg.ttl"
    assert invoke("export", small, "-o", out, "--format", "nt").exit_code == 0
    Graph().parse(out, format="nt")  # N-Triples, whatever the name says


@pytest.mark.parametrize("command", [["export", GRAPH], ["query", "controllers", GRAPH], ["build", GRAPH]])
def test_an_unknown_extension_is_an_error_with_a_hint(tmp_path, command):
    out = tmp_path / "out.xyz"
    result = invoke(*command, "-o", out)
    assert result.exit_code == 2
    error, hint = result.stderr.splitlines()[:2]
    assert error == f"error: {out}: cannot tell the format from the extension '.xyz'"
    assert hint.startswith("hint: ") and (".ttl" in hint or ".csv" in hint)
    assert not out.exists()


def test_query_format_from_the_extension(tmp_path, small):
    for name, check in (("rows.tsv", lambda t: t.split("\n")[0].split("\t")[:2] == ["?company", "?country"]),
                        ("rows.json", lambda t: json.loads(t)["head"]["vars"][0] == "company"),
                        ("rows.txt", lambda t: t.splitlines()[1].startswith("-----"))):
        out = tmp_path / name
        assert invoke("query", "controllers", small, "-o", out).exit_code == 0
        assert check(out.read_text(encoding="utf-8")), name


# -- tsv and csv ---------------------------------------------------------------------------------------------------
def test_tsv_has_the_cells_of_csv(small):
    """TSV is SPARQL's: each cell an RDF term, which rdflib reads back; their lexical forms are CSV's cells."""
    as_csv = invoke("query", "retention-periods", small, "--format", "csv").stdout
    as_tsv = invoke("query", "retention-periods", small, "--format", "tsv").stdout
    rows = list(csv.reader(io.StringIO(as_csv)))
    back = Result.parse(io.StringIO(as_tsv), format="tsv")
    assert [[str(v) for v in back.vars]] + [["" if t is None else str(t) for t in r] for r in back] == rows
    assert len(rows) > 2 and rows[0][0] == "company"
    assert "\r" not in as_tsv


def test_csv_ends_without_a_blank_line(small):
    text = subprocess.run([sys.executable, "-m", "kg", "query", "controllers", str(small), "--format", "csv"],
                          capture_output=True, env=ENV).stdout.decode("utf-8")  # bytes: line ends as written
    assert text.endswith("\r\n") and not text.endswith("\r\n\n") and not text.endswith("\r\n\r\n")
    assert len(text.split("\r\n")) == 1 + 2 + 1  # header, two controllers, nothing after the last line end


def test_versions_as_csv_and_tsv(tmp_path):
    with Store(tmp_path / "db") as store:
        add(store, record("acme.txt", "We collect your e-mail address. 2023.", date="2023-01-01"))
        add(store, record("acme.txt", "We collect your e-mail address.\t2024.", date="2024-01-01"))
    found = {}
    for fmt in ("csv", "tsv"):
        result = invoke("versions", "--store", tmp_path / "db", "--format", fmt)
        assert result.exit_code == 0, result.output
        found[fmt] = list(csv.reader(io.StringIO(result.stdout), dialect="excel-tab" if fmt == "tsv" else "excel"))
    assert found["csv"] == found["tsv"]
    header, *rows = found["csv"]
    assert header == ["controller", "controller_iri", "date", "same_date", "source", "statements", "policy",
                      "built_by"]
    assert [(r[0], r[2], r[4]) for r in rows] == [("Acme Inc.", "2023-01-01", "acme.txt"),
                                                 ("Acme Inc.", "2024-01-01", "acme.txt")]


# -- tables and terminals ------------------------------------------------------------------------------------------
def on_a_terminal(args: list[str], columns: int) -> str:
    """Run ``python -m kg ARGS`` with its standard output on a pseudo terminal ``columns`` wide; what it printed."""
    leader, follower = pty.openpty()
    env = {**ENV, "COLUMNS": str(columns), "LINES": "40"}
    child = subprocess.Popen([sys.executable, "-m", "kg", *args], stdout=follower, stderr=subprocess.DEVNULL,
                             env=env)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    child.wait(timeout=60)
    os.close(leader)
    assert child.returncode == 0
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.slow  # child processes or the whole example graph parsed and compared
@pytest.mark.parametrize("columns", [80, 132])
def test_a_table_fits_the_terminal(columns):
    text = on_a_terminal(["query", "retention-periods", str(GRAPH)], columns)
    lines = text.rstrip("\n").split("\n")
    assert max(len(line) for line in lines) <= columns
    assert "…" in text and lines[0].split()[:2] == ["company", "iso"]


@pytest.mark.slow  # child processes or the whole example graph parsed and compared
def test_a_piped_table_is_never_cut():
    piped = run("query", "retention-periods", GRAPH).stdout
    evidence = [r[-1] for r in csv.reader(io.StringIO(run("query", "retention-periods", GRAPH, "--format", "csv")
                                                      .stdout))][1:]
    assert "…" not in piped
    longest = max(evidence, key=len)
    assert len(longest) > 150 and " ".join(longest.split()) in piped  # the longest sentence, whole


# -- --explain -----------------------------------------------------------------------------------------------------
def test_explain_as_json(small):
    result = invoke("query", "negative-statements", small, "--explain", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    bindings, evidence = data["results"]["bindings"], data["evidence"]
    assert len(bindings) == len(evidence) > 0
    first = evidence[0][0]
    assert set(first) == {"node", "source", "start", "end", "rule", "section", "text"}
    assert first["source"].endswith(".txt") and isinstance(first["start"], int) and first["text"]
    plain = json.loads(invoke("query", "negative-statements", small, "--format", "json").stdout)
    assert plain["results"] == data["results"] and "evidence" not in plain


def test_explain_as_tsv(small):
    result = invoke("query", "negative-statements", small, "--explain", "--format", "tsv")
    back = Result.parse(io.StringIO(result.stdout), format="tsv")
    header, rows = [str(v) for v in back.vars], [list(r) for r in back]
    assert header[-5:] == ["evidence_source", "evidence_start", "evidence_end", "evidence_rule", "evidence_text"]
    assert rows and all(r[-1] for r in rows) and all(int(r[-4]) < int(r[-3]) for r in rows)


# -- -v, -q, --log-level, progress ----------------------------------------------------------------------------------
def test_quiet_and_log_level(tmp_path, small):
    out = tmp_path / "kg.nt"
    assert "wrote" in invoke("export", small, "-o", out).stderr
    assert invoke("-q", "export", small, "-o", out).stderr == ""
    assert invoke("--log-level", "warning", "export", small, "-o", out).stderr == ""
    bad = invoke("-qq", "export", small, "-o", tmp_path / "missing" / "kg.nt")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: ")  # errors are always said


def test_verbose_adds_debug_lines(small):
    plain = invoke("query", "controllers", small)
    verbose = invoke("-v", "query", "controllers", small)
    assert plain.stderr == ""
    assert verbose.stdout == plain.stdout
    assert verbose.stderr.startswith(f"debug: query controllers over {small}: 2 rows in ")
    assert invoke("--log-level", "debug", "query", "controllers", small).stderr.startswith("debug: ")


def test_progress_lines_every_few_seconds_or_tenth():
    clock = [0.0]
    lines: list[str] = []
    progress = ProgressLines(100, seconds=5.0, share=0.1, clock=lambda: clock[0])
    from kg.cli_support import LOG

    class Catch(__import__("logging").Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    catch = Catch()
    LOG.addHandler(catch)
    old = LOG.level
    LOG.setLevel("INFO")
    try:
        for i in range(100):
            clock[0] = i * 0.1 if i < 50 else 5 + i * 1.0  # fast at first, then one file a second
            progress(Path(f"p{i}.txt"))
    finally:
        LOG.removeHandler(catch)
        LOG.setLevel(old)
    done = [int(line.split()[1].split("/")[0]) for line in lines]
    assert done[0] == 1 and done[-1] == 100
    assert 11 in done and 21 in done  # every tenth of the batch while files are fast
    assert {56, 61, 66} <= set(done)  # every five seconds once they are slow
    assert lines[-1].startswith("extracting: 100/100 files (100%) in ") and lines[-1].endswith(": p99.txt")
    assert lines[0] == "extracting: 1/100 files (1%): p0.txt"
    assert lines[1] == "extracting: 11/100 files (11%), 10.0 files/s, about 9 s left: p10.txt"  # from the first on


def test_progress_lines_of_a_stream_say_the_count_and_rate_every_few_seconds():
    """Records read as a stream have no total: a line after the first and then every ``seconds``."""
    clock = [0.0]
    progress = ProgressLines(None, seconds=5.0, clock=lambda: clock[0])
    from kg.cli_support import LOG

    said: list[str] = []
    old_info = LOG.info
    LOG.info = said.append  # type: ignore[method-assign]
    try:
        for i in range(40):
            clock[0] = i * 0.5  # two policies a second for 20 s
            progress(Path(f"r{i}"))
    finally:
        LOG.info = old_info  # type: ignore[method-assign]
    assert said[0] == "extracting: 1 policy: r0"
    assert [line.split()[1] for line in said] == ["1", "11", "21", "31"]  # every 5 s
    assert said[1].startswith("extracting: 11 policies, 2.0/s")


# -- mistakes ------------------------------------------------------------------------------------------------------
def test_did_you_mean_a_query(small):
    result = invoke("query", "retention-period", small)
    assert result.exit_code == 2
    assert "error: retention-period: no packaged query of that name" in result.stderr
    hint = result.stderr.splitlines()[1]
    assert hint.startswith("hint: did you mean retention-periods, ") and "? available: " in hint


def test_swapped_arguments_say_the_order():
    result = invoke("query", GRAPH, "retention-periods")
    assert result.exit_code == 2
    assert f"the query comes first: privacy-kg query retention-periods {GRAPH}" in result.output
    alone = invoke("query", GRAPH, "--store", "nowhere")
    assert alone.exit_code == 2 and "privacy-kg query NAME GRAPH" in alone.output


# -- completion ----------------------------------------------------------------------------------------------------
def complete(words: str, env: dict | None = None) -> list[str]:
    """What Click's bash completion answers for the command line ``words`` (the cursor on its last word)."""
    parts = words.split(" ")
    result = CliRunner().invoke(main, [], prog_name="privacy-kg",
                                env={"_PRIVACY_KG_COMPLETE": "bash_complete", "COMP_WORDS": words,
                                     "COMP_CWORD": str(len(parts) - 1), **(env or {})})
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_query_names_complete():
    assert complete("privacy-kg query ret") == ["plain,retention-longer-than", "plain,retention-periods"]
    assert "plain,controllers" in complete("privacy-kg query ")
    assert complete("privacy-kg query my/") == ["file,my/"]  # a path: the shell completes files
    assert "plain,tsv" in complete("privacy-kg query controllers kg.ttl --format ")


@pytest.mark.slow  # child processes or the whole example graph parsed and compared
@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_completion_in_bash(tmp_path):
    """The script Click writes for bash, sourced in a real bash, completes a query name."""
    source = subprocess.run([sys.executable, "-c", "from kg.cli import main; main(prog_name='privacy-kg')"],
                            env={**ENV, "_PRIVACY_KG_COMPLETE": "bash_source"}, capture_output=True, text=True)
    assert source.returncode == 0 and "_PRIVACY_KG_COMPLETE" in source.stdout
    shim = tmp_path / "privacy-kg"
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'from kg.cli import main; main(prog_name=\"privacy-kg\")' "
                    '"$@"\n')
    shim.chmod(0o755)
    (tmp_path / "complete.bash").write_text(source.stdout)
    test = ('source complete.bash; COMP_WORDS=(privacy-kg query retention-p); COMP_CWORD=2; '
            '_privacy_kg_completion privacy-kg query retention-p; printf "%s\\n" "${COMPREPLY[@]}"')
    done = subprocess.run(["bash", "-c", test], cwd=tmp_path, capture_output=True, text=True,
                          env={**ENV, "PATH": f"{tmp_path}:{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["retention-periods"]


# -- build (spaCy) -------------------------------------------------------------------------------------------------
EXAMPLES = ROOT / "examples" / "policies"


@pytest.mark.slow
def test_build_to_standard_output_says_its_progress_as_it_goes(tmp_path, golden):
    """`build -o - > kg.ttl 2> build.log`: Turtle on standard output, a progress line on standard error after the
    first file, while the others are still being extracted."""
    out = tmp_path / "kg.ttl"
    with out.open("wb") as stdout:
        child = subprocess.Popen([sys.executable, "-m", "kg", "build", str(EXAMPLES), "-o", "-"], stdout=stdout,
                                 stderr=subprocess.PIPE, text=True, env=ENV, cwd=tmp_path)
        assert child.stderr is not None
        first = child.stderr.readline()
        running = child.poll() is None
        rest = child.stderr.read()
        child.stderr.close()
        assert child.wait(timeout=600) == 0, first + rest
    assert first.startswith("extracting: 1/5 files (20%): ") and running
    progress = [line for line in rest.splitlines() if line.startswith("extracting: ")]
    assert [p.split()[1] for p in progress] == ["2/5", "3/5", "4/5", "5/5"]
    assert "wrote standard output: 5 policies" in rest
    assert_isomorphic(parsed(out, "turtle"), golden, "build -o -")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.ttl"]  # no file named "-", no temporary file left


@pytest.mark.slow
def test_build_writes_n_triples_for_a_nt_name_and_quiet_says_nothing(tmp_path):
    policy = EXAMPLES / "softsys-hosting.txt"
    nt, ttl = tmp_path / "kg.nt", tmp_path / "kg.ttl"
    result = run("-q", "build", policy, "-o", nt)
    assert result.returncode == 0 and result.stderr == "" and result.stdout == ""
    assert run("build", policy, "-o", ttl).returncode == 0
    assert_isomorphic(Graph().parse(nt, format="nt"), Graph().parse(ttl, format="turtle"), "build -o kg.nt")

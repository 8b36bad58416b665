"""`--endpoint`: a real `oxigraph serve` (the `oxigraph` package of the test extra) on 127.0.0.1 as the store.

One server and one build of the example corpus per module; the tests that change the store's content get a fresh
server of their own (or put back what they took away)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset

from kg import api
from kg.cli import main
from kg.endpoint import EndpointStore, EndpointUnavailable
from kg.graph import policy_graph
from kg.exporters import in_vocabulary
from tests.helpers.processes import command, free_port
from tests.helpers.storecheck import (check_packaged_queries_match, check_pages_are_slices,
                                     check_rebuild_does_no_extraction, write_contradicting_policies)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "policies"


def _oxigraph() -> str:
    return command("oxigraph", "server CLI")


class Server:
    """`oxigraph serve --location DIR --bind 127.0.0.1:PORT`, started and waited for."""

    def __init__(self, location: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = location.with_suffix(".log")
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen([_oxigraph(), "serve", "--location", str(location), "--bind",
                                          f"127.0.0.1:{self.port}"], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=2):
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"oxigraph serve did not start: {self.log.read_text(errors='replace')[-500:]}")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("oxigraph") / "db")
    yield s
    s.stop()


@pytest.fixture
def fresh_server(tmp_path):
    s = Server(tmp_path / "db")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def built(server):
    """The server URL after `privacy-kg build examples/policies --endpoint URL`."""
    result = CliRunner().invoke(main, ["build", str(EXAMPLES), "--endpoint", server.url])
    assert result.exit_code == 0, result.output
    assert f"store {server.url}: 5 added, 0 replaced, 0 unchanged" in result.output
    return server.url


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def error_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("error:")]


def test_rebuild_reports_unchanged_and_does_no_extraction(built):
    r = run("build", EXAMPLES, "--endpoint", built)
    assert r.exit_code == 0, r.output
    assert "0 added, 0 replaced, 5 unchanged (not extracted again); 5 policies stored" in r.output
    with EndpointStore(built) as store:
        check_rebuild_does_no_extraction(store)


def test_server_graph_equals_turtle_build(built, example_graph):
    with EndpointStore(built) as store:
        assert len(store) == 5
        assert set(store.to_rdflib()) == set(example_graph)


def test_every_packaged_query_gives_the_same_rows_as_the_turtle_build(built, example_graph):
    with EndpointStore(built) as store:
        check_packaged_queries_match(store, example_graph)


def test_query_cli_with_a_parameter_and_with_explicit_urls(built, example_build):
    r_server = run("query", "retention-longer-than", "--endpoint", built, "--param", "min_days=100", "--format", "csv")
    r_file = run("query", "retention-longer-than", example_build[1], "--param", "min_days=100", "--format", "csv")
    assert r_server.exit_code == 0 and len(r_server.output.splitlines()) > 1
    assert sorted(r_server.output.splitlines()) == sorted(r_file.output.splitlines())
    # --latest names the dataset graph by graph (5 companies, one version each: the same rows)
    r_latest = run("query", "retention-longer-than", "--endpoint", built, "--latest", "--param", "min_days=100",
                   "--format", "csv")
    assert r_latest.exit_code == 0 and r_latest.output == r_server.output
    explicit = f"query={built}/query update={built}/update store={built}/store"
    r_explicit = run("query", "retention-longer-than", "--endpoint", explicit, "--param", "min_days=100",
                     "--format", "csv")
    assert r_explicit.exit_code == 0 and r_explicit.output == r_server.output


def test_export_trig_has_one_named_graph_per_policy(built, tmp_path):
    r = run("export", "--endpoint", built, "--format", "trig", "-o", tmp_path / "kg.trig")
    assert r.exit_code == 0, r.output
    ds = Dataset()
    ds.parse(tmp_path / "kg.trig", format="trig")
    sizes = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    with EndpointStore(built) as store:
        # each policy's graph as stored, with the DPV mapping triples of the concepts it uses
        want = {iri: len(in_vocabulary(store.graph(iri), "ours")) for iri, _, _ in store.policies()}
        assert sizes == want and len(sizes) == 5


def test_validate_network_report_and_explain_run_on_the_server(built, tmp_path):
    r = run("validate", "--endpoint", built, "--profile", "core")
    assert r.exit_code == 0 and "conforms" in r.output, r.output
    r = run("network", "--endpoint", built, "--top", "2")
    assert r.exit_code == 0 and r.output.startswith("- "), r.output
    assert run("report", "--endpoint", built, "-o", tmp_path / "r.html").exit_code == 0
    assert "<html" in (tmp_path / "r.html").read_text()
    r = run("query", "controllers", "--endpoint", built, "--explain")
    assert r.exit_code == 0 and "calsoft.txt" in r.output


def test_remove_drops_one_policy_and_rebuild_extracts_only_it(built):
    with EndpointStore(built) as store:
        before = {iri: store.triple_count(iri) for iri, src, _ in store.policies()}
        [calsoft] = [iri for iri, src, _ in store.policies() if src == "calsoft.txt"]
    r = run("remove", "calsoft.txt", "--endpoint", built)
    assert r.exit_code == 0 and f"removed calsoft.txt from {built}; 4 policies stored" in r.output, r.output
    with EndpointStore(built) as store:
        assert {iri: store.triple_count(iri) for iri, _, _ in store.policies()} == \
            {iri: n for iri, n in before.items() if iri != calsoft}
    r = run("remove", "calsoft.txt", "--endpoint", built)
    assert r.exit_code == 2 and "no such policy" in r.output
    r = run("build", EXAMPLES, "--endpoint", built)  # puts it back for the other tests
    assert r.exit_code == 0 and "1 added, 0 replaced, 4 unchanged" in r.output, r.output
    with EndpointStore(built) as store:
        assert {iri: store.triple_count(iri) for iri, _, _ in store.policies()} == before


def test_changed_file_replaces_its_graph_in_one_request(fresh_server, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    policy = src / "softsys-hosting.txt"
    policy.write_bytes((EXAMPLES / "softsys-hosting.txt").read_bytes())
    assert run("build", src, "--endpoint", fresh_server.url).exit_code == 0
    policy.write_bytes(policy.read_bytes() + b"\nWe do not sell your personal information.\n")
    r = run("build", src, "--endpoint", fresh_server.url)
    assert r.exit_code == 0 and "0 added, 1 replaced, 0 unchanged" in r.output, r.output
    with EndpointStore(fresh_server.url) as store:
        [(iri, source, sha)] = store.policies()
        assert source == "softsys-hosting.txt" and iri.endswith(sha[:16])
        assert set(store.to_rdflib()) == set(policy_graph(api.process_file(policy, _extractor())))


def test_manifest_on_the_server_and_a_changed_row_replaces_in_place(fresh_server, tmp_path):
    from rdflib import URIRef
    from rdflib.namespace import DCTERMS

    from kg.vocab import DPV, PPKG

    src = tmp_path / "in"
    src.mkdir()
    (src / "softsys-hosting.txt").write_bytes((EXAMPLES / "softsys-hosting.txt").read_bytes())
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,controller,url\nsoftsys-hosting.txt,SoftSys Hosting LLC,https://softsys.example/p\n"
                        "softsys-hosting.txt,Again,\n")
    r = run("build", src, "--endpoint", fresh_server.url, "--manifest", manifest)
    assert r.exit_code == 2 and error_lines(r) == [f"error: {manifest}:3: path 'softsys-hosting.txt' is already "
                                                   "given on line 2"], r.output
    assert "1 added, 0 replaced, 0 unchanged" in r.output
    manifest.write_text("path,controller,url\nsoftsys-hosting.txt,SoftSys Hosting Inc.,https://softsys.example/p\n")
    r = run("build", src, "--endpoint", fresh_server.url, "--manifest", manifest)
    assert r.exit_code == 0 and "0 added, 1 replaced, 0 unchanged" in r.output, r.output
    with EndpointStore(fresh_server.url) as store:
        graph = store.to_rdflib()
        [(iri, _, _)] = store.policies()
    policy = URIRef(iri)
    assert [str(n) for n in graph.objects(policy, DCTERMS.publisher / DPV.hasName)] == ["SoftSys Hosting Inc."]
    assert graph.value(policy, PPKG.publisherNameSource) == PPKG.NameFromManifest
    assert graph.value(policy, PPKG.sourceUrl) == URIRef("https://softsys.example/p")


def _extractor():
    from kg.extract import Extractor
    from kg.graphio import ontology_graph

    return Extractor(ontology_graph())


def test_unreachable_server_is_one_error_line_and_exit_2(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    for args in (["build", EXAMPLES, "--endpoint", url], ["query", "controllers", "--endpoint", url],
                 ["remove", "calsoft.txt", "--endpoint", url], ["validate", "--endpoint", url]):
        r = run(*args)
        assert r.exit_code == 2, (args, r.output)
        assert error_lines(r) == [f"error: {url}/query: cannot reach the server (Connection refused)"], r.output
    r = run("query", "controllers", "--endpoint", f"{url.replace('http', 'ftp')}")
    assert r.exit_code == 2 and "not an http(s) URL" in r.output


def test_wrong_url_and_malformed_query_are_one_line_errors(built, tmp_path):
    r = run("query", "controllers", "--endpoint", f"{built}/sparql")  # not where Oxigraph serves SPARQL
    assert r.exit_code == 2 and len(error_lines(r)) == 1, r.output
    assert error_lines(r)[0].startswith(f"error: {built}/sparql/query: HTTP 404 Not Found: ")
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?s WHERE { ?s ?p }\n")
    r = run("query", bad, "--endpoint", built)
    assert r.exit_code == 2 and len(error_lines(r)) == 1, r.output
    assert error_lines(r)[0].startswith(f"error: {bad}: SPARQL syntax error: ")
    assert f"(HTTP 400 from {built}/query)" in error_lines(r)[0]
    service = tmp_path / "service.rq"  # valid, but fails at evaluation after the server sent the first bytes
    service.write_text("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }\n")
    r = run("query", service, "--endpoint", built)
    assert r.exit_code == 2 and len(error_lines(r)) == 1, r.output
    assert error_lines(r)[0].startswith(f"error: {service}: SPARQL evaluation error: ")
    ask = tmp_path / "ask.rq"
    ask.write_text("ASK { ?s ?p ?o }\n")
    r = run("query", ask, "--endpoint", built)
    assert r.exit_code == 2 and error_lines(r) == [f"error: {ask}: only SELECT queries are supported"]
    for args in (["query", "controllers", "--endpoint", built, "--store", tmp_path / "db"],
                 ["build", EXAMPLES, "-o", tmp_path / "x.ttl", "--endpoint", built],
                 ["remove", "calsoft.txt"], ["network", tmp_path / "x.ttl", "--endpoint", built]):
        r = run(*args)
        assert r.exit_code == 2 and "exactly one" in r.output, args


def test_server_gone_mid_build_stops_the_batch_with_one_error(fresh_server, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("softsys-hosting.txt", "cubesoft.txt"):
        (src / name).write_bytes((EXAMPLES / name).read_bytes())
    with EndpointStore(fresh_server.url) as store, \
            pytest.raises(EndpointUnavailable, match="cannot reach the server"):
            api.build([src], api.StoreSource(store), progress=lambda path: fresh_server.stop())


KILLED_BUILD = textwrap.dedent("""
    import sys
    from kg import api
    from kg.endpoint import EndpointStore
    store = EndpointStore(sys.argv[1])
    api.build([sys.argv[2]], api.StoreSource(store), progress=lambda p: print("committed", p, flush=True))
""")


def test_sigkill_leaves_every_policy_on_the_server_complete_or_absent(built, fresh_server):
    with EndpointStore(built) as clean:
        expected = {iri: clean.triple_count(iri) for iri, _, _ in clean.policies()}
    proc = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, fresh_server.url, str(EXAMPLES)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        line = proc.stdout.readline()  # the first policy is committed; the second is being extracted or sent
        assert line.startswith("committed"), line
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    with EndpointStore(fresh_server.url) as store:
        present = store.policies()
        assert 1 <= len(present) <= 5
        for iri, _, _ in present:
            assert store.triple_count(iri) == expected[iri], iri


# -- hostile conditions (issue #12) ---------------------------------------------------------------------------------
def test_a_slow_drip_server_is_given_up_at_the_total_deadline():
    """A server that answers one byte every 0.5 s never lets a socket timeout fire; the request's total deadline
    does."""
    import http.server
    import threading

    class Drip(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the handler's name
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            for _ in range(60):  # 30 s in all, if nobody gave up
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.5)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        start = time.monotonic()
        with pytest.raises(EndpointUnavailable, match="no complete answer within 2 s"):
            EndpointStore(f"http://127.0.0.1:{httpd.server_address[1]}", timeout=2)
        assert time.monotonic() - start < 20  # far below the 30 s the drip lasts (the bound is 2 s)
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_concurrent_builds_into_one_server_store_each_policy_once(fresh_server, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(3):
        for f in sorted(EXAMPLES.iterdir()):
            (inputs / f"{i}-{f.name}").write_text(f.read_text(encoding="utf-8") + f"\nRevision {i}.\n",
                                                  encoding="utf-8")
    command = [sys.executable, "-m", "kg", "build", str(inputs), "--endpoint", fresh_server.url, "-q"]
    builds = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [b.communicate(timeout=600)[1] for b in builds]
    assert [b.returncode for b in builds] == [0, 0], errors
    policies = EndpointStore(fresh_server.url).policies()
    assert len(policies) == 15 == len({src for _, src, _ in policies}) == len({h for _, _, h in policies})


def test_the_server_answers_a_whole_store_query_like_the_folder(built, tmp_path):
    """Over every policy the server gets the folder's query shape (the union of its graphs as the default
    graph), not a dataset that lists each graph: the same rows."""
    from kg.sparql import resolve_query
    spec = resolve_query("sharing-with-recipient-kind")
    store = EndpointStore(built)
    union = sorted(map(str, store.query(spec.text).rows))
    listed = sorted(map(str, store.query(spec.text, graphs=store.policy_graph_names()).rows))
    assert union == listed and union


def test_query_pages_on_the_server_are_slices_of_the_whole_answer(built):
    from kg import api

    with api.open_source(endpoint=built) as source:
        for name in ("evidence", "negative-statements"):
            check_pages_are_slices(source, name)


def test_contradictions_page_on_the_server(fresh_server, tmp_path):
    from kg import api

    result = run("build", write_contradicting_policies(tmp_path / "policies"), "--endpoint", fresh_server.url)
    assert result.exit_code == 0, result.output
    with api.open_source(endpoint=fresh_server.url) as source:
        check_pages_are_slices(source, "contradictions")

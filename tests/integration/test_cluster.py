"""`build --dask`: a real `dask scheduler`, two `dask worker` processes and a real `oxigraph serve` on 127.0.0.1,
started and stopped here; the build runs as users run it (`python -m kg build ...` in a subprocess), so a worker or
the scheduler can be killed while it runs.

The reference is a local build (`--store`, in this process) of the same corpus: a cluster build must store every
policy exactly once, each with the same triples."""
from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from distributed import Client

from benchmarks.throughput import make_corpus
from kg import api
from kg.endpoint import EndpointStore
from kg.store import GraphStore, Store
from tests.helpers.processes import command, free_port
from tests.integration.test_endpoint import Server

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "policies"
POLICIES = 24  # enough that a build is still running when a process is killed, few enough for a loaded machine
DEADLINE = 600  # seconds a cluster build may take on a loaded 2-core machine (about 20 s when idle)


def _dask() -> str:
    return command("dask", "command")


class Process:
    """A command started in its own process group, its output in a log file."""

    def __init__(self, args: list[str], log: Path):
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                         env={**os.environ, "OMP_NUM_THREADS": "1"})

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class DaskCluster:
    """`dask scheduler` on a free port and `dask worker` processes (one thread each, no nanny: killing one kills
    the worker, not a process its nanny would replace)."""

    def __init__(self, folder: Path, workers: int = 2, port: int | None = None):
        self.folder = folder
        self.port = port or free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.scheduler = Process([_dask(), "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                                  "--no-dashboard"], folder / "scheduler.log")
        self.workers = [self.add_worker(i) for i in range(workers)]
        self.wait_for(workers)

    def add_worker(self, i: int) -> Process:
        return Process([_dask(), "worker", self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                        "--name", f"w{i}"], self.folder / f"worker{i}.log")

    def wait_for(self, workers: int) -> None:
        from distributed import Client

        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(self.address, timeout=5, set_as_default=False) as client:
                    client.wait_for_workers(workers, timeout=max(1.0, deadline - time.monotonic()))
                    return
            except (OSError, TimeoutError):
                if time.monotonic() > deadline or self.scheduler.proc.poll() is not None:
                    self.stop()
                    pytest.fail("the Dask cluster did not start: "
                                + (self.folder / "scheduler.log").read_text(errors="replace")[-800:])
                time.sleep(0.5)

    def stop(self) -> None:
        for w in self.workers:
            w.stop()
        self.scheduler.stop()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    make_corpus(sorted(EXAMPLES.iterdir()), POLICIES, folder)
    return folder


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> dict[str, int]:
    """Triples per policy graph of a local build (this process, no cluster) of the corpus."""
    with Store(tmp_path_factory.mktemp("local") / "store") as store:
        summary = api.build([corpus], api.StoreSource(store))
        assert summary.added == POLICIES and not summary.failed
        return per_policy(store)


def per_policy(store: GraphStore) -> dict[str, int]:
    """{policy IRI: triples} of every stored policy; fails if a content hash is stored twice."""
    policies = store.policies()
    hashes = [h for _, _, h in policies]
    assert len(hashes) == len(set(hashes)), "a policy is stored twice"
    return {iri: store.triple_count(iri) for iri, _, _ in policies}


def build(corpus: Path, *target: str, dask: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg", "build", str(corpus), *target, "--dask", dask],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)


def wait_until(check, what: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + DEADLINE
    while not check():
        if proc.poll() is not None:
            pytest.fail(f"the build ended before {what}: {proc.stdout.read() if proc.stdout else ''}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no {what} within {DEADLINE} s")
        time.sleep(0.2)


def stored_on(url: str) -> int:
    with EndpointStore(url) as store:
        return len(store)


def test_worker_killed_mid_build_every_policy_once(corpus, reference, tmp_path):
    """Workers write to the SPARQL server; one is killed after the first policies are stored: the scheduler runs
    its tasks again on the other, and the server ends up with every policy once, with a local build's triples."""
    server = Server(tmp_path / "db")
    cluster = DaskCluster(tmp_path)
    try:
        proc = build(corpus, "--endpoint", server.url, dask=cluster.address)
        wait_until(lambda: stored_on(server.url) >= 3, "3 policies stored", proc)
        cluster.workers[0].kill()
        output, _ = proc.communicate(timeout=DEADLINE)
        assert proc.returncode == 0, output
        assert f"{POLICIES} policies stored" in output
        assert "Traceback" not in output
        with EndpointStore(server.url) as store:
            assert per_policy(store) == reference
        with Client(cluster.address, set_as_default=False) as client:  # the survivor loaded spaCy once, and kept it
            # lambdas: cloudpickle sends them by value (a worker of an installed privacy-kg cannot import tests/)
            loads = client.run(lambda dask_worker: dask_worker.plugins["privacy-kg"].state.loads)
            profiling = client.run(lambda dask_worker: bool({"profile", "profile-cycle"}
                                                            & set(dask_worker.periodic_callbacks)))
            assert list(loads.values()) == [1]
            assert list(profiling.values()) == [False]  # the plugin stopped Dask's profiler
    finally:
        cluster.stop()
        server.stop()


def test_scheduler_gone_stops_with_one_line_and_the_same_command_resumes(corpus, reference, tmp_path):
    """With a store folder the client writes; the scheduler is killed mid-build: one error line and the count
    stored, exit code 2; the same command, with a new scheduler and workers, builds only what is missing."""
    store = tmp_path / "store"
    cluster = DaskCluster(tmp_path)
    try:
        proc = build(corpus, "--store", str(store), dask=cluster.address)
        wait_until(lambda: _stored_in(store) >= 3, "3 policies stored", proc)
        cluster.scheduler.kill()
        output, _ = proc.communicate(timeout=DEADLINE)
    finally:
        cluster.stop()
    assert proc.returncode == 2, output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "the Dask scheduler went away" in errors[0], output
    assert "Traceback" not in output
    note = next(line for line in output.splitlines() if line.startswith("stopped;"))
    with Store(store, read_only=True) as s:
        first = len(s)
    assert 3 <= first < POLICIES and f"{first} policies are stored in all" in note, output

    cluster = DaskCluster(tmp_path, port=cluster.port)
    try:
        proc = build(corpus, "--store", str(store), dask=cluster.address)
        output, _ = proc.communicate(timeout=DEADLINE)
    finally:
        cluster.stop()
    assert proc.returncode == 0, output
    assert f"{POLICIES - first} added, 0 replaced, {first} unchanged" in output, output
    with Store(store, read_only=True) as s:
        assert per_policy(s) == reference


def _stored_in(folder: Path) -> int:
    if not folder.exists():
        return 0
    try:
        with Store(folder, read_only=True) as store:
            return len(store)
    except Exception:  # noqa: BLE001 - not created yet, or caught mid-write: try again
        return 0



def test_records_on_a_local_cluster_equal_a_local_build_and_a_rebuild_sends_nothing(tmp_path):
    """`--records` (gzip, one bad line) on `local:2` stores what a build in this process stores; building again
    sends no policy to a worker (the stored hashes are read once, up front)."""
    lines = [json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8"), "retrieved": "2024-05-31"})
             for p in sorted(EXAMPLES.iterdir())]
    lines.insert(2, '{"id": "bad", "text": 5}')
    records = tmp_path / "policies.jsonl.gz"
    records.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))

    with Store(tmp_path / "local") as store:
        here = api.build(api.plan([], records=records), api.StoreSource(store))
        expected = per_policy(store)
    with Store(tmp_path / "cluster") as store:
        summary = api.build(api.plan([], records=records), api.StoreSource(store), dask="local:2")
        assert (summary.added, summary.dispatched) == (5, 5)
        assert [e.path for e in summary.failed] == [e.path for e in here.failed] == [f"{records}:3"]
        assert per_policy(store) == expected and len(expected) == 5
        again = api.build(api.plan([], records=records), api.StoreSource(store), dask="local:2")
        assert (again.unchanged, again.added, again.dispatched, again.extracted) == (5, 0, 0, 0)

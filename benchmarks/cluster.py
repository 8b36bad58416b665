"""`build --dask` against `--jobs` on this machine, the SPARQL server's write rate, memory per Dask worker over
1,000 policies, and a large synthetic store's bulk-load time and size: the measured inputs of docs/scaling.md.

Sections (each can be left out with its size 0):

* speed (``--policies``, default 200): the same synthetic corpus as ``benchmarks/throughput.py`` (the examples and,
  when present, the OPP-115 dev texts, each copy with its own company name), built by
  ``python -m kg build CORPUS --store FRESH -q`` with ``--jobs 1``, ``--jobs 2``, ``--dask local:1`` and
  ``--dask local:2``: wall time of the whole command (start-up, cluster start, spaCy loading included) and CPU
  seconds of its process tree. Reported: the 1 -> 2 worker speed-up of each path, and the cluster path's cost per
  policy against ``--jobs`` at the same worker count (wall and CPU, as ratios).
* memory (``--memory-policies``, default 1000): ``--dask local:2 --endpoint URL`` (the workers write to a real
  ``oxigraph serve``) on that many policies: each worker process's RSS sampled every 0.5 s; reported at 10%, 50%
  and 100% of the run, with the policies/s and triples/s the server took in.
* writes (``--writes``, default 500): that many real-shaped policy graphs (``benchmarks/synthetic.py`` copies of the
  built examples + OPP-115 dev) added to a fresh ``oxigraph serve`` with ``EndpointStore.add`` (one lookup query
  and one update request per policy, as a worker does), from 1 and from 2 client threads: policies/s, triples/s.
* store (``--synthetic``, default 10000 100000): synthetic stores of that many policies bulk-loaded (pyoxigraph's
  bulk loader over generated N-Quads, then ``optimize``) into a fresh folder: load time, quads, size on disk.

Timings on a shared 2-core machine are noisy: compare figures of one run (ratios).

    python benchmarks/cluster.py                                        # everything (about 25 minutes idle)
    python benchmarks/cluster.py --policies 20 --memory-policies 20 --writes 20 --synthetic 100   # a check
"""
from __future__ import annotations

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.throughput import (EXAMPLES, THREADS, _status, descendants, disk_size, find_opp115,  # noqa: E402
                                   make_corpus, run_measured)


def corpus_sources(data: Path | None) -> list[Path]:
    sources = sorted(EXAMPLES.glob("*.txt"))
    opp = find_opp115(data)
    return sources + (sorted(opp.glob("*.txt")) if opp else [])


# -- speed ------------------------------------------------------------------------------------------------------
def speed(corpus: Path, n: int, work: Path, env: dict[str, str]) -> list[str]:
    runs = [("--jobs 1", ["--jobs", "1"]), ("--jobs 2", ["--jobs", "2"]),
            ("--dask local:1", ["--dask", "local:1"]), ("--dask local:2", ["--dask", "local:2"])]
    got: dict[str, tuple[float, float]] = {}
    for name, extra in runs:
        store = work / f"store-{name.replace(' ', '').replace(':', '')}"
        shutil.rmtree(store, ignore_errors=True)
        cmd = [sys.executable, "-m", "kg", "build", str(corpus), "--store", str(store), "-q", *extra]
        elapsed, code, mem = run_measured(cmd, env)
        if code:
            raise SystemExit(f"error: {' '.join(cmd)} exited with {code}")
        got[name] = (elapsed, mem.cpu_s)
        print(f"{name}: {elapsed:.1f} s wall, {mem.cpu_s:.1f} s CPU, load {mem.mean_load:.2f}", flush=True)
        shutil.rmtree(store, ignore_errors=True)
    lines = [f"| build of {n} policies | wall s | s per policy | CPU s | CPU s per policy |", "|---|---|---|---|---|"]
    lines += [f"| `{name}` | {w:.1f} | {w / n:.3f} | {c:.1f} | {c / n:.3f} |" for name, (w, c) in got.items()]
    (j1, _), (j2, cj2) = got["--jobs 1"], got["--jobs 2"]
    (d1, _), (d2, cd2) = got["--dask local:1"], got["--dask local:2"]
    lines += ["", f"* speed-up 1 -> 2 workers: `--dask` {d1 / d2:.2f}x, `--jobs` {j1 / j2:.2f}x",
              f"* cluster against `--jobs` at 2 workers: wall {d2 / j2:.2f}x, CPU {cd2 / cj2:.2f}x; "
              f"at 1 worker: wall {d1 / j1:.2f}x"]
    return lines


# -- memory and the server's intake under a cluster build --------------------------------------------------------
class Oxigraph:
    def __init__(self, location: Path, port: int):
        exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
        if exe is None:
            raise SystemExit("error: the oxigraph server CLI is not installed (pip install '.[test]')")
        self.url = f"http://127.0.0.1:{port}"
        self.log = (location.parent / "oxigraph.log").open("wb")
        self.proc = subprocess.Popen([exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("error: oxigraph serve did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.log.close()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(corpus: Path, n: int, work: Path, env: dict[str, str]) -> list[str]:
    from kg.endpoint import EndpointStore

    server = Oxigraph(work / "server-memory", free_port())
    samples: list[tuple[float, dict[int, int]]] = []
    try:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(corpus), "--endpoint", server.url,
                                 "--dask", "local:2", "-q"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        while proc.poll() is None:
            rss = {pid: _status(pid).get("VmRSS", 0) for pid in descendants(proc.pid) if pid != proc.pid}
            samples.append((time.perf_counter() - start, {p: r for p, r in rss.items() if r > 150_000}))
            time.sleep(0.5)
        elapsed = time.perf_counter() - start
        err = proc.stderr.read() if proc.stderr else ""
        if proc.returncode:
            raise SystemExit(f"error: the cluster build exited with {proc.returncode}: {err[-2000:]}")
        with EndpointStore(server.url) as store:
            stored, triples = len(store), store.triple_count()
    finally:
        server.stop()
    workers = sorted({pid for _, rss in samples for pid in rss})

    def at(fraction: float) -> list[int]:
        t = fraction * elapsed
        # the last sample at or before t in which the worker was alive (spaCy loaded: RSS > 150 MB)
        return [next((rss[pid] for when, rss in reversed(samples) if when <= t and pid in rss), 0) // 1024
                for pid in workers]

    lines = [f"`--dask local:2 --endpoint URL` of {n} policies: {elapsed:.1f} s; the server holds {stored} policies, "
             f"{triples:,} triples: {stored / elapsed:.2f} policies/s, {triples / elapsed:,.0f} triples/s taken in",
             "", "| worker | RSS MB at 10% | at 50% | at 100% | 100% / 10% |", "|---|---|---|---|---|"]
    for i, (a, b, c) in enumerate(zip(at(0.1), at(0.5), at(1.0))):
        lines.append(f"| {i + 1} | {a} | {b} | {c} | {c / a:.2f} |" if a else f"| {i + 1} | - | {b} | {c} | - |")
    return lines


# -- the server's write rate --------------------------------------------------------------------------------------
def policy_copies(n: int, work: Path, data: Path | None) -> list:
    """``n`` (header, triples) pairs: synthetic copies of the built example + OPP-115 dev policies."""
    import pyoxigraph as ox
    from rdflib import URIRef
    from rdflib.namespace import DCTERMS

    from benchmarks.synthetic import copy_iri, real_policy_graphs, templates
    from kg.model import PolicyHeader
    from kg.terms import to_rdflib
    from kg.vocab import PPKG

    inputs = [EXAMPLES] + ([find_opp115(data)] if find_opp115(data) else [])
    tpls = templates(real_policy_graphs([p for p in inputs if p], cache_dir=work / "cache"))
    out = []
    for i in range(n):
        tpl = tpls[i % len(tpls)]
        triples = [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
                   for t in ox.parse(tpl.fill(tpl.triples, i).encode(), ox.RdfFormat.N_TRIPLES)]
        iri = URIRef(copy_iri(tpl, i))
        facts = {(s, p): o for s, p, o in triples if s == iri}
        date = facts.get((iri, DCTERMS.modified))
        out.append((PolicyHeader(str(iri), str(facts[(iri, PPKG.sourceFile)]), str(facts[(iri, PPKG.contentHash)]),
                                 str(date) if date is not None else None), triples))
    return out


def _add_every(store, policies: list) -> None:
    for header, triples in policies:
        store.add(header, triples)


def writes(n: int, work: Path, data: Path | None) -> list[str]:
    from kg.endpoint import EndpointStore

    policies = policy_copies(n, work, data)
    triples = sum(len(t) for _, t in policies)
    lines = [f"{n} policies, {triples:,} triples, added to a fresh `oxigraph serve` (one lookup query and one "
             "update request each, as a worker writes):", "", "| client threads | s | policies/s | triples/s |",
             "|---|---|---|---|"]
    for threads in (1, 2):
        server = Oxigraph(work / f"server-writes-{threads}", free_port())
        try:
            stores = [EndpointStore(server.url) for _ in range(threads)]
            start = time.perf_counter()

            pool = [threading.Thread(target=_add_every, args=(stores[k], policies[k::threads]))
                    for k in range(threads)]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
            elapsed = time.perf_counter() - start
            assert len(stores[0]) == n, "not every policy was stored"
        finally:
            server.stop()
        lines.append(f"| {threads} | {elapsed:.1f} | {n / elapsed:.1f} | {triples / elapsed:,.0f} |")
        print(lines[-1], flush=True)
    return lines


# -- a large synthetic store ------------------------------------------------------------------------------------
def stores(sizes: list[int], work: Path, data: Path | None) -> list[str]:
    from benchmarks.synthetic import bulk_load, real_policy_graphs, templates, triple_count

    inputs = [EXAMPLES] + ([find_opp115(data)] if find_opp115(data) else [])
    tpls = templates(real_policy_graphs([p for p in inputs if p], cache_dir=work / "cache"))
    lines = ["| policies | quads | bulk load + optimize s | quads/s | size of files GB | allocated GB | "
             "bytes per quad |", "|---|---|---|---|---|---|---|"]
    for n in sizes:
        path = work / f"synthetic-{n}"
        shutil.rmtree(path, ignore_errors=True)
        start = time.perf_counter()
        bulk_load(path, tpls, n)
        elapsed = time.perf_counter() - start
        quads = triple_count(tpls, n)
        size, alloc = disk_size(path)
        lines.append(f"| {n:,} | {quads:,} | {elapsed:.1f} | {quads / elapsed:,.0f} | {size / 1e9:.2f} | "
                     f"{alloc / 1e9:.2f} | {size / quads:.0f} |")
        print(lines[-1], flush=True)
        shutil.rmtree(path, ignore_errors=True)
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--policies", type=int, default=200, help="corpus size for the speed runs (default 200)")
    ap.add_argument("--memory-policies", type=int, default=1000, help="corpus size of the memory run (1000)")
    ap.add_argument("--writes", type=int, default=500, help="policies written in the write-rate run (500)")
    ap.add_argument("--synthetic", type=int, nargs="*", default=[10000, 100000],
                    help="sizes of the bulk-loaded synthetic stores (default 10000 100000)")
    ap.add_argument("--data", type=Path, help="OPP-115 dev folder (with policies/*.txt); default ../shared/...")
    ap.add_argument("--work", type=Path, help="work folder (default: a temporary one, deleted afterwards)")
    args = ap.parse_args(argv)
    os.environ.update(THREADS)
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-distributed-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    report = [f"Run of {datetime.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, load at start "
              f"{os.getloadavg()[0]:.2f}; `python benchmarks/cluster.py"
              + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:])) + "`", ""]
    try:
        sources = corpus_sources(args.data)
        if args.policies:
            make_corpus(sources, args.policies, work / "corpus")
            report += ["### Cluster against --jobs", ""] + speed(work / "corpus", args.policies, work, env) + [""]
        if args.memory_policies:
            make_corpus(sources, args.memory_policies, work / "corpus-memory")
            report += ["### Memory per worker, and the server's intake", ""]
            report += memory(work / "corpus-memory", args.memory_policies, work, env) + [""]
        if args.writes:
            report += ["### The SPARQL server's write rate", ""] + writes(args.writes, work, args.data) + [""]
        if args.synthetic:
            report += ["### Bulk-loaded synthetic stores", ""] + stores(args.synthetic, work, args.data) + [""]
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How fast ``privacy-kg serve`` answers on a large store: page times and concurrent /sparql clients.

    python benchmarks/serve.py --policies 1000 --work /work/scratch/serve --reuse --wait-jobs --cache

1. A store of N synthetic policies (``benchmarks/synthetic.py``: the real graphs of the 5 examples and, when
   present, the 69 OPP-115 dev policies, copied with their own policy, statement and controller IRIs), reused when
   ``--reuse`` finds one of that size in ``--work``.
2. ``privacy-kg serve --store`` started as a real server (uvicorn, HTTP on 127.0.0.1 and a free port); the time
   until its background index is ready (``/health``) is reported, and pages are timed after it (``--wait-jobs``:
   also after the network and completeness jobs, which take minutes at 1,000 policies).
3. Page times, one request at a time, wall clock from request to the last byte (``urllib``): company pages
   (``--samples`` companies at random), concept pages (as many concepts at random, of data categories, purposes
   and recipient kinds), question pages: every packaged question with its defaults, ``--samples`` with one concept
   parameter given by label (both kinds are among the answers the app computes in the background at start), and
   ``--samples`` with two concepts at once (category and recipient kind: not precomputed, the query runs).
4. /sparql: ``--clients`` threads at once, each sending ``--requests`` queries (four kinds: a count, a page of a
   join, a filter on a name, an ASK) with JSON or CSV results; every answer must be 200 and parse.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import synthetic  # noqa: E402

SPARQL = [
    ("count", "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ppkg:PrivacyPolicy }", "application/sparql-results+json"),
    ("join page", "SELECT ?company ?data WHERE { ?policy dct:publisher/dpv:hasName ?company ; ppkg:hasPractice ?s . "
                  "?s a ppkg:CollectionPractice ; dpv:hasPersonalData ?data } LIMIT 500", "text/csv"),
    ("by name", "SELECT ?policy WHERE { ?policy dct:publisher/dpv:hasName ?n FILTER(STRSTARTS(?n, \"Calsoft\")) } "
                "LIMIT 100", "application/sparql-results+json"),
    ("ask", "ASK { ?s a ppkg:SharingPractice ; dpv:hasRecipient/ppkg:recipientKind rk:Advertiser }",
     "application/sparql-results+json"),
]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def get(url: str, accept: str = "text/html", data: bytes | None = None,
        timeout: float = 600) -> tuple[int, bytes, float]:
    req = urllib.request.Request(url, data=data, headers={"Accept": accept})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    return status, body, time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_store(path: Path, n: int, reuse: bool, cache: Path) -> float | None:
    if reuse and (path / "CURRENT").is_file():
        return None
    if path.exists():
        shutil.rmtree(path)
    inputs = [ROOT / "examples" / "policies"]
    opp = next((p / "shared" / "benchmarks" / "opp115-dev" / "policies" for p in ROOT.parents
                if (p / "shared" / "benchmarks" / "opp115-dev" / "policies").is_dir()), None)
    if opp is not None:
        inputs.append(opp)
    start = time.perf_counter()
    real = synthetic.real_policy_graphs(inputs, cache)
    synthetic.bulk_load(path, synthetic.templates(real), n)
    from kg.store import Store

    Store(path).close()  # adds the ontology graph and the store's bookkeeping, as a build does
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--policies", type=int, default=1000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/privacy-kg-serve-bench"))
    ap.add_argument("--reuse", action="store_true", help="reuse the store in --work when there is one")
    ap.add_argument("--samples", type=int, default=100, help="company and concept pages timed (each)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=25, help="/sparql requests per client")
    ap.add_argument("--wait-jobs", action="store_true", help="also wait for the network and completeness jobs")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache", action="store_true",
                    help="serve with --cache WORK/serve-cache (the background work kept by the store's state; a "
                         "second run starts from it), and at the end time a restart, which reads it back")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    store = args.work / f"store-{args.policies}"
    built = make_store(store, args.policies, args.reuse, args.work / "cache")
    print(f"store: {store} ({args.policies} policies; {'reused' if built is None else f'built in {built:.0f} s'})")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    cache = ["--cache", str(args.work / "serve-cache")] if args.cache else ["--no-cache"]
    command = [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port), *cache]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        start = time.perf_counter()
        pages_ready = None  # when every job the pages wait for was done (the concept answers may still run)
        while True:
            try:
                status, body, _ = get(base + "/health", timeout=5)
                health = json.loads(body)
                jobs = all(j["ready"] for j in health["jobs"].values())
                if pages_ready is None and health["index"]["ready"] and all(
                        j["ready"] for k, j in health["jobs"].items() if k != "concepts"):
                    pages_ready = time.perf_counter() - start
                if health["index"]["ready"] and (jobs or not args.wait_jobs):
                    break
            except OSError:
                pass
            if server.poll() is not None:
                sys.exit(f"the server stopped: {server.stderr.read()}")
            time.sleep(1)
        print(f"ready after {time.perf_counter() - start:.1f} s (server start included)"
              + (" with every background job done" if args.wait_jobs else "")
              + (f", read from the cache {health['from_cache']}" if health.get("from_cache") else ""))
        if pages_ready is not None:
            print(f"every page's background work (index, default answers, network, completeness) done after "
                  f"{pages_ready:.1f} s")
        print(f"background work: policy index {health['seconds']} s; "
              + "; ".join(f"{k} {j['seconds']} s" for k, j in health["jobs"].items() if j["ready"]))
        rss = next((int(line.split()[1]) for line in Path(f"/proc/{server.pid}/status").read_text().splitlines()
                    if line.startswith("VmRSS:")), 0)
        print(f"server memory (RSS) then: {rss / 1024:,.0f} MB")
        results: dict[str, list[float]] = {}

        def timed(kind: str, path: str, ok=(200,)) -> float:
            status, body, seconds = get(base + path)
            if status not in ok:
                raise SystemExit(f"{path}: HTTP {status}: {body[:300]!r}")
            results.setdefault(kind, []).append(seconds)
            return seconds

        companies = re.findall(r'href="/companies/([^"?]+)"', get(base + "/companies")[1].decode())
        for key in rng.sample(companies, min(args.samples, len(companies))):
            timed("company page", f"/companies/{key}")
        concepts = sorted(set(re.findall(r'href="/concepts/([^"?]+)"', get(base + "/concepts")[1].decode())))
        for name in rng.sample(concepts, min(args.samples, len(concepts))):
            timed("concept page", f"/concepts/{name}")
        questions = sorted(set(re.findall(r'href="/questions/([\w-]+)"', get(base + "/questions")[1].decode())))
        slow = []
        for name in questions:
            first = timed("question page, default parameters", f"/questions/{name}")
            slow.append((first, name))
        labelled = {"companies-collecting-category": "category", "sharing-with-recipient-kind": "kind",
                    "sharing-for-purpose": "purpose"}
        from kg.concepts import vocabulary
        from kg.vocab import DC, PUR, RK

        vocab = vocabulary()
        domains = {"category": DC.PersonalInformation, "kind": RK.ThirdParty, "purpose": PUR.AnyPurpose}
        def label(param: str) -> str:
            return vocab.concepts[rng.choice(sorted(vocab.domain_of(domains[param]).members))].label

        for _ in range(args.samples):
            name = rng.choice(sorted(labelled))
            param = labelled[name]
            timed("question page, one concept parameter by label",
                  f"/questions/{name}?{urllib.parse.urlencode({param: label(param)})}")
        for _ in range(args.samples):  # two concepts at once: not among the answers computed at start
            timed("question page, two concept parameters (not precomputed: runs the query)",
                  "/questions/sharing-with-recipient-kind?"
                  + urllib.parse.urlencode({"category": label("category"), "kind": label("kind")}))

        print()
        print("| page | requests | p50 ms | p95 ms | max ms |")
        print("|---|---:|---:|---:|---:|")
        for kind, values in results.items():
            print(f"| {kind} | {len(values)} | {1000 * statistics.median(values):.0f} | {1000 * pct(values, .95):.0f} "
                  f"| {1000 * max(values):.0f} |")
        print("\nslowest question pages with default parameters: " + ", ".join(
            f"{n} {1000 * s:.0f} ms" for s, n in sorted(slow, reverse=True)[:5]))

        # /sparql, concurrent clients
        errors: list[str] = []
        times: dict[str, list[float]] = {}
        lock = threading.Lock()

        def client(i: int) -> None:
            crng = random.Random(args.seed * 100 + i)
            for _ in range(args.requests):
                kind, query, accept = crng.choice(SPARQL)
                data = urllib.parse.urlencode({"query": query}).encode()
                status, body, seconds = get(base + "/sparql", accept=accept, data=data)
                try:
                    if status != 200:
                        raise ValueError(f"HTTP {status}: {body[:200]!r}")
                    if accept.endswith("json"):
                        json.loads(body)
                    elif not body.startswith(b"company,data"):
                        raise ValueError(f"unexpected CSV {body[:80]!r}")
                except ValueError as exc:
                    with lock:
                        errors.append(f"{kind}: {exc}")
                with lock:
                    times.setdefault(kind, []).append(seconds)

        start = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        total = sum(len(v) for v in times.values())
        print(f"\n/sparql: {args.clients} concurrent clients x {args.requests} requests = {total} requests in "
              f"{wall:.1f} s ({total / wall:.1f} requests/s), {len(errors)} errors")
        print("\n| /sparql query | requests | p50 ms | p95 ms | max ms |")
        print("|---|---:|---:|---:|---:|")
        for kind, values in sorted(times.items()):
            print(f"| {kind} | {len(values)} | {1000 * statistics.median(values):.0f} | {1000 * pct(values, .95):.0f} "
                  f"| {1000 * max(values):.0f} |")
        for e in errors[:10]:
            print("error:", e)
        if errors:
            sys.exit(1)
        if args.cache:  # a restart over the same store: every background result read back from the cache
            server.terminate()
            server.wait(30)
            start = time.perf_counter()
            server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
            while True:
                try:
                    health = json.loads(get(base + "/health", timeout=5)[1])
                    if health["index"]["ready"] and all(j["ready"] for j in health["jobs"].values()):
                        break
                except OSError:
                    pass
                if server.poll() is not None:
                    sys.exit(f"the server stopped: {server.stderr.read()}")
                time.sleep(0.2)
            print(f"\nrestart: every background job ready after {time.perf_counter() - start:.1f} s (server start "
                  f"included){', read from the cache' if health.get('from_cache') else ', NOT from the cache'}")
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()

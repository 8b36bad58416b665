"""Every packaged query on an on-disk Oxigraph store of 10,000 policies, and rdflib's in-memory engine beside it.

    python benchmarks/queries.py                 # 100, 1,000 and 10,000 policies; rdflib at 100 and 1,000
    python benchmarks/queries.py --sizes 1000 --rdflib-sizes 1000 --runs 9 --queries evidence controllers
    python benchmarks/queries.py --query-dir OLD_QUERIES --sizes 100 --rdflib-sizes   # an earlier queries/
    git archive main queries | tar -x -C /work/scratch/old     # then, old and new in one run, stores kept:
    python benchmarks/queries.py --old-query-dir /work/scratch/old/queries --work /work/scratch/qbench --reuse

Real per-policy graphs first: ``policy_graph(record)`` of examples/policies and, when the OPP-115 dev folder is
found (``--data DIR``, else ``shared/benchmarks/opp115-dev`` beside the repository or one of its parents), of its
69 policies too, built with the normal pipeline once and cached as N-Quads under ``--cache`` (outside the
repository), keyed by the inputs and the code. Then N synthetic policies, renamed copies of the real ones taken
round-robin (``benchmarks/synthetic.py``: own policy, statements, evidence, controller and its names per copy;
vocabulary, recipient kinds and named recipients shared), bulk-loaded into a fresh store folder (one named graph
per policy) and compacted, then opened with ``kg.store.Store``, which adds the ontology graph and its bookkeeping
as for any new store, and checked (N policies in N graphs; the first and last copy hold their triples).

Each query runs with its default parameters through ``kg.api.query`` over the store (what ``privacy-kg query --store``
runs, rows converted to rdflib terms): for a query that lists rows (``# page-by`` in its header) first its first
page (``limit=100``), then one warm-up run (the "first run": nothing kept yet), then ``--runs`` timed runs (fewer,
at least 3, once they have taken ``--budget`` seconds) -> p50, p95 (nearest rank; with 7 runs p95 is the slowest
run), rows. ``kg.store.Store`` keeps answers by store state, so the timed runs after the first are answered from
what it kept (an open store, such as the web app's or a notebook's): compare "first run" for a cold store. rdflib runs
at ``--rdflib-sizes`` over one Graph of the same copies plus the ontology, the evaluation ``kg.sparql.run_query``
does for ``privacy-kg query kg.ttl`` (the dataset view of graph + ontology it makes on every call is timed once per
size and reported apart), each query in a child process stopped after ``--rdflib-cap`` seconds; an rdflib error is
reported as such. Where both engines ran at the same size, their rows are compared (as multisets; GROUP_CONCAT
cells as sets). Prints Markdown tables. Timings vary between runs on shared machines: compare figures of one run.

``--old-query-dir DIR`` also times the .rq files of DIR (say an earlier queries/) on the same stores, each old
query right before the new one of the same name, and checks they return the same rows (as multisets). ``--reuse``
(with ``--work``) keeps the stores and the real policies' graphs in the work folder and reuses them on the next run
when they hold what the run needs (the same N policies), so a 10,000-policy store is loaded once.
"""
from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import synthetic  # noqa: E402

from kg.sparql import QuerySpec, list_queries, parse_spec  # noqa: E402


def find_opp115(explicit: Path | None) -> Path | None:
    if explicit is not None:
        if not (explicit / "policies").is_dir():
            sys.exit(f"error: {explicit}: no policies/ folder (expected the OPP-115 layout)")
        return explicit
    for parent in ROOT.parents:
        candidate = parent / "shared" / "benchmarks" / "opp115-dev"
        if (candidate / "policies").is_dir():
            return candidate
    return None


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def norm_rows(rows) -> list[tuple]:
    """Rows comparable across engines: lexical forms, GROUP_CONCAT-like cells as sorted parts."""
    def cell(t):
        if t is None:
            return None
        text = str(t)
        for sep in (", ", " | "):
            if sep in text:
                return tuple(sorted(text.split(sep)))
        return text

    return sorted((tuple(cell(t) for t in row) for row in rows), key=repr)


# -- Oxigraph ------------------------------------------------------------------------------------------------
def time_store(path: Path, specs: list[QuerySpec], runs: int, budget: float, keep_rows: bool,
               old_specs: dict[str, QuerySpec] | None = None) -> tuple[dict, dict]:
    """Per-query results on the store at ``path``: one warm-up run, then ``runs`` timed runs (fewer, but at least
    3, once the timed runs of a query have taken ``budget`` seconds). With ``old_specs`` (by name), the old query
    of the same name is timed right before each query too; the second dict holds its results (``same``: whether
    it returned the same rows)."""
    from kg.api import query
    from kg.sources import StoreSource
    from kg.store import Store

    def one(store, spec, label):
        page = None
        if spec.page_by:  # the first page, before anything is kept: what a web page listing the rows waits for
            start = time.perf_counter()
            query(StoreSource(store), spec, limit=100)
            page = time.perf_counter() - start
        start = time.perf_counter()
        result = query(StoreSource(store), spec)  # warm-up: the first run on this store (nothing kept yet)
        cold = time.perf_counter() - start
        times: list[float] = []
        while len(times) < runs and (len(times) < 3 or sum(times) < budget):
            start = time.perf_counter()
            query(StoreSource(store), spec)
            times.append(time.perf_counter() - start)
        r = {"rows": len(result.rows), "p50": statistics.median(times), "runs": len(times),
             "p95": percentile(times, 0.95), "norm": norm_rows(result.rows), "cold": cold, "page": page}
        print(f"  {label:8} {spec.name:30} rows {r['rows']:>8}  first run {cold * 1000:9.1f} ms  p50 "
              f"{r['p50'] * 1000:9.1f} ms  p95 {r['p95'] * 1000:9.1f} ms  ({len(times)} runs)"
              + (f"  first 100 rows {page * 1000:.1f} ms" if page is not None else ""), flush=True)
        return r

    out, old = {}, {}
    with Store(path) as store:
        for spec in specs:
            if old_specs and spec.name in old_specs:
                old[spec.name] = one(store, old_specs[spec.name], "old")
            r = out[spec.name] = one(store, spec, "oxigraph")
            if spec.name in old:
                old[spec.name]["same"] = old[spec.name].pop("norm") == r["norm"]
                if not old[spec.name]["same"]:
                    print(f"  warning: {spec.name}: the old query returns other rows", flush=True)
            if not keep_rows:
                r["norm"] = None
    return out, old


def build_store(path: Path, tpls, n: int, reuse: bool = False) -> dict:
    """Bulk-load ``n`` copies into a new store at ``path``; open it with kg.store and check it. ``reuse``: keep a
    store already at ``path`` when it passes the same check (load and compaction times are then not measured)."""
    from kg.store import Store

    t_bulk = None
    if reuse and (path / "CURRENT").is_file():
        print(f"reusing {path}", flush=True)
    else:
        if path.exists():
            shutil.rmtree(path)
        start = time.perf_counter()
        synthetic.bulk_load(path, tpls, n)
        t_bulk = time.perf_counter() - start
    start = time.perf_counter()
    with Store(path) as store:  # adds the ontology graph and its hash, as for any new store
        t_open = time.perf_counter() - start
        policies = store.policies()
        graphs = store.policy_graph_names()
        if not len(policies) == n == len(graphs) or {p for p, _, _ in policies} != set(graphs):
            sys.exit(f"error: {path}: {len(policies)} policies in {len(graphs)} graphs, expected {n}"
                     + (" (remove the folder to rebuild it)" if t_bulk is None else ""))
        expected = [str(synthetic.copy_iri(tpls[i % len(tpls)], i)) for i in (0, n - 1)]
        if not all(store.triple_count(iri) == tpls[i % len(tpls)].size for iri, i in zip(expected, (0, n - 1))):
            sys.exit(f"error: {path}: the first or last copy does not hold its triples")
    return {"bulk": t_bulk, "open": t_open, "bytes": folder_size(path), "quads": synthetic.triple_count(tpls, n)}


# -- rdflib --------------------------------------------------------------------------------------------------
_UNION = None  # the rdflib dataset (graph + ontology), inherited by the forked children


def _rdflib_child(spec: QuerySpec, runs: int, budget: float, conn) -> None:
    from rdflib import Variable

    from kg.sparql import bind_params, parsed

    prepared = parsed(spec)  # parse and bind as kg.sparql.select_graph does, outside the timing
    bindings = {Variable(n): term for n, term in bind_params(spec, None).items()}

    def execute():
        result = _UNION.query(prepared, initBindings=bindings)
        return type("Result", (), {"rows": [tuple(row) for row in result]})

    try:
        result = execute()  # warm-up
    except Exception as exc:  # an rdflib failure is a result too: report it
        conn.send(("error", " ".join(str(exc).split())))
        return
    conn.send(("rows", norm_rows(result.rows)))
    spent = 0.0
    for _ in range(runs):
        start = time.perf_counter()
        execute()
        took = time.perf_counter() - start
        conn.send(("time", took))
        spent += took
        if spent > budget:
            break
    conn.send(("done", None))


def time_rdflib(tpls, n: int, specs: list[QuerySpec], runs: int, cap: float):
    global _UNION
    from kg.sparql import query_dataset

    start = time.perf_counter()
    graph = synthetic.synthetic_graph(tpls, n)
    t_parse = time.perf_counter() - start
    start = time.perf_counter()
    union = query_dataset(graph)  # what kg.sparql.select_graph does on every call (a view: nothing is copied)
    t_copy = time.perf_counter() - start
    _UNION = union
    del graph
    ctx = mp.get_context("fork")
    out = {}
    for spec in specs:
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_rdflib_child, args=(spec, runs, cap / 2, child))
        start = time.perf_counter()
        proc.start()
        child.close()
        rows, times, finished, error = None, [], False, None
        while True:
            left = cap - (time.perf_counter() - start)
            if left <= 0 or not parent.poll(left):
                break
            try:
                kind, value = parent.recv()
            except EOFError:
                break
            if kind == "error":
                error = value
                break
            if kind == "rows":
                rows = value
            elif kind == "time":
                times.append(value)
            else:
                finished = True
                break
        if proc.is_alive():
            proc.kill()
        proc.join()
        out[spec.name] = {"rows": len(rows) if rows is not None else None, "norm": rows, "runs": len(times),
                          "p50": statistics.median(times) if times else None, "finished": finished,
                          "error": error}
        shown = (f"p50 {out[spec.name]['p50'] * 1000:9.1f} ms ({len(times)} runs)" if times else
                 f"error: {error[:100]}" if error else f"> {cap:.0f} s")
        print(f"  rdflib   {spec.name:30} rows {out[spec.name]['rows'] if rows is not None else '-':>8}  {shown}",
              flush=True)
    _UNION = None
    return out, {"parse": t_parse, "copy": t_copy, "triples": len(union)}


# -- report --------------------------------------------------------------------------------------------------
def ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    value = seconds * 1000
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def report(specs, sizes, rdflib_sizes, ox_results, rd_results, stores, rd_info, runs, cap, command) -> str:
    big = max(sizes)
    lines = [f"Command: `{command}` ({date.today().isoformat()}; one warm-up run, then {runs} timed runs: fewer, "
             f"at least 3, marked *, where they took over the time budget)", ""]
    lines += ["| policies | quads in the policy graphs | bulk load + compaction s | open (ontology graph) s | "
              "store size MB |", "|---:|---:|---:|---:|---:|"]
    for n in sizes:
        s = stores[n]
        bulk = "reused" if s["bulk"] is None else f"{s['bulk']:.1f}"
        lines.append(f"| {n:,} | {s['quads']:,} | {bulk} | {s['open']:.1f} | {s['bytes'] / 1e6:,.0f} |")
    lines.append("")
    both = [n for n in rdflib_sizes if n in ox_results]
    head = ["query", f"rows at {big:,}"]
    head += [f"first run ms, {n:,}" for n in sizes]
    head += [f"first 100 rows ms, {n:,}" for n in sizes]
    head += [f"Oxigraph p50 / p95 ms, {n:,}" for n in sizes]
    head += [f"rdflib p50 ms, {n:,}" for n in rdflib_sizes]
    head += [f"rdflib / Oxigraph, {n:,}" for n in both]
    lines += ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]

    def rd_cell(r):
        if r["p50"] is not None:
            return ms(r["p50"])
        return "error" if r["error"] else f"> {cap:.0f} s"

    for spec in specs:
        row = [spec.name, f"{ox_results[big][spec.name]['rows']:,}"]
        row += [ms(ox_results[n][spec.name]["cold"]) for n in sizes]
        row += [ms(ox_results[n][spec.name]["page"]) for n in sizes]
        for n in sizes:
            o = ox_results[n][spec.name]
            row.append(f"{ms(o['p50'])} / {ms(o['p95'])}" + ("*" if o["runs"] < runs else ""))
        row += [rd_cell(rd_results[n][spec.name]) for n in rdflib_sizes]
        for n in both:
            r, o = rd_results[n][spec.name], ox_results[n][spec.name]
            row.append(f"{r['p50'] / o['p50']:,.1f}x" if r["p50"] is not None else
                       "–" if r["error"] else f"> {cap / o['p50']:,.0f}x")
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    fast = [s.name for s in specs if ox_results[big][s.name]["p50"] < 0.1]
    lines.append(f"p50 < 100 ms at {big:,} policies: {len(fast)} of {len(specs)} queries"
                 + (f" ({', '.join(fast)})" if fast else "") + ". The others, per policy and per result row:")
    lines.append("")
    for spec in specs:
        r = ox_results[big][spec.name]
        if r["p50"] >= 0.1:
            lines.append(f"- {spec.name}: {ms(r['p50'])} ms = {r['p50'] / big * 1e6:,.0f} µs per policy; "
                         f"{r['rows']:,} rows = {r['p50'] / max(r['rows'], 1) * 1e6:,.0f} µs per row")
    lines.append("")
    for n in both:
        finished = [s.name for s in specs if rd_results[n][s.name]["norm"] is not None]
        differ = [name for name in finished if rd_results[n][name]["norm"] != ox_results[n][name]["norm"]]
        errors = [f"{s.name} ({rd_results[n][s.name]['error'][:160]})" for s in specs if rd_results[n][s.name]["error"]]
        info = rd_info[n]
        lines.append(f"- rdflib at {n:,} policies: {info['triples']:,} triples with the ontology (parsing the "
                     f"N-Triples: {info['parse']:.1f} s). `kg.sparql.run_query` also makes its dataset of graph + "
                     "ontology "
                     f"on every call: {info['copy'] * 1000:.1f} ms, not in the p50s above. Same rows as Oxigraph: "
                     f"{len(finished) - len(differ)} of the {len(finished)} queries rdflib finished"
                     + (f"; different rows: {', '.join(differ)}" if differ else "")
                     + (f"; rdflib failed: {'; '.join(errors)}" if errors else "") + ".")
    return "\n".join(lines)


def old_report(specs, sizes, ox_results, old_results, old_dir: Path) -> str:
    """Old against new query texts, p50 per size (same stores, same run)."""
    head = ["query", f"rows at {max(sizes):,}"]
    head += [f"{which} p50 ms, {n:,}" for n in sizes for which in ("old", "new")]
    lines = [f"Old queries ({old_dir}) against the current ones, same stores, same run:", "",
             "| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    differ = set()
    for spec in specs:
        row = [spec.name, f"{ox_results[max(sizes)][spec.name]['rows']:,}"]
        for n in sizes:
            o, r = old_results[n].get(spec.name), ox_results[n][spec.name]
            row += [ms(o["p50"]) if o else "same text", ms(r["p50"])]
            if o and not o["same"]:
                differ.add(spec.name)
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "Same rows from old and new: " + ("all queries compared" if not differ else
                                                     f"NO for {', '.join(sorted(differ))}") + "."]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, help="OPP-115 dev folder (policies/*.txt) to add to the real policies "
                    "(default: shared/benchmarks/opp115-dev beside the repository or a parent, if present)")
    ap.add_argument("--no-data", action="store_true", help="use examples/policies only")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000], help="store sizes (policies)")
    ap.add_argument("--rdflib-sizes", type=int, nargs="*", default=[100, 1000], help="rdflib sizes (policies)")
    ap.add_argument("--runs", type=int, default=7, help="timed runs per query after one warm-up (default 7)")
    ap.add_argument("--budget", type=float, default=300.0,
                    help="seconds of timed Oxigraph runs per query and size after which fewer runs (at least 3) "
                         "are made (default 300)")
    ap.add_argument("--rdflib-cap", type=float, default=60.0,
                    help="seconds per query and size for rdflib, warm-up included (default 60)")
    ap.add_argument("--queries", nargs="+", help="only these packaged queries")
    ap.add_argument("--query-dir", type=Path, help="time the .rq files of this folder instead of the packaged "
                    "queries (e.g. an earlier version of queries/, to compare)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "privacy-kg-bench",
                    help="where the real policies' graphs are cached (default: %(default)s)")
    ap.add_argument("--work", type=Path, help="folder for the stores (default: a new temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the stores (in --work) after the run")
    ap.add_argument("--reuse", action="store_true", help="with --work: keep the stores and the real policies' "
                    "graphs there and reuse them on the next run (a store is reused when it holds the N policies)")
    ap.add_argument("--old-query-dir", type=Path, help="also time the .rq files of this folder (e.g. an earlier "
                    "queries/) on the same stores, each right before the query of the same name, rows compared")
    args = ap.parse_args()
    if args.reuse and not args.work:
        sys.exit("error: --reuse needs --work FOLDER")
    args.keep = args.keep or args.reuse

    sizes, rdflib_sizes = sorted(set(args.sizes)), sorted(set(args.rdflib_sizes))
    if args.query_dir:
        files = sorted(args.query_dir.glob("*.rq"))
        specs = [parse_spec(f.stem, f.read_text(encoding="utf-8"), f) for f in files]
    else:
        specs = list_queries()
    specs = [s for s in specs if not args.queries or s.name in args.queries]
    if args.queries and len(specs) != len(set(args.queries)):
        sys.exit(f"error: unknown query in {args.queries}")
    old_specs = {}
    if args.old_query_dir:
        old_specs = {f.stem: parse_spec(f.stem, f.read_text(encoding="utf-8"), f)
                     for f in sorted(args.old_query_dir.glob("*.rq"))}
        if not old_specs:
            sys.exit(f"error: {args.old_query_dir}: no .rq files")
        current = {s.name: s.text for s in specs}
        old_specs = {k: v for k, v in old_specs.items() if current.get(k) != v.text}  # unchanged: timed once
    inputs = [ROOT / "examples" / "policies"]
    opp = None if args.no_data else find_opp115(args.data)
    if opp is not None:
        inputs.append(opp / "policies")
    start = time.perf_counter()
    kept = args.work / "real-policies.nq" if args.reuse else None
    if kept is not None and kept.is_file():
        real = synthetic._split(kept.read_text(encoding="utf-8"))
    else:
        real = synthetic.real_policy_graphs(inputs, args.cache)
        if kept is not None:
            args.work.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(args.cache / f"policies-{synthetic.cache_key(inputs)[:20]}.nq", kept)
    tpls = synthetic.templates(real)
    print(f"real policies: {len(real)} ({', '.join(str(p) for p in inputs)}), "
          f"{sum(t.size for t in tpls):,} triples, {time.perf_counter() - start:.1f} s (cache {args.cache})",
          flush=True)

    work = args.work or Path(tempfile.mkdtemp(prefix="privacy-kg-qbench-"))
    work.mkdir(parents=True, exist_ok=True)
    ox_results, old_results, stores = {}, {}, {}
    try:
        for n in sizes:
            path = work / f"store-{n}"
            stores[n] = build_store(path, tpls, n, reuse=args.reuse)
            bulk = "reused" if stores[n]["bulk"] is None else f"{stores[n]['bulk']:.1f} s"
            print(f"{n:,} policies: {stores[n]['quads']:,} quads, bulk load + compaction {bulk}, "
                  f"open {stores[n]['open']:.1f} s, {stores[n]['bytes'] / 1e6:,.0f} MB", flush=True)
            ox_results[n], old_results[n] = time_store(path, specs, args.runs, args.budget,
                                                       keep_rows=n in rdflib_sizes, old_specs=old_specs)
            if not args.keep:
                shutil.rmtree(path)
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    rd_results, rd_info = {}, {}
    for n in rdflib_sizes:
        print(f"rdflib, {n:,} policies:", flush=True)
        rd_results[n], rd_info[n] = time_rdflib(tpls, n, specs, args.runs, args.rdflib_cap)

    command = "python " + " ".join([f"benchmarks/{Path(sys.argv[0]).name}"] + sys.argv[1:])
    print()
    print(report(specs, sizes, rdflib_sizes, ox_results, rd_results, stores, rd_info, args.runs, args.rdflib_cap,
                 command))
    if old_specs:
        print()
        print(old_report(specs, sizes, ox_results, old_results, args.old_query_dir))


if __name__ == "__main__":
    main()

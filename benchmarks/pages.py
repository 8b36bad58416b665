"""First pages and kept answers on a big store: what a web page over the store waits for.

    python benchmarks/pages.py STORE [--queries NAME ...] [--runs 3]

For each packaged query (default: all), on the store folder STORE (e.g. one that ``benchmarks/queries.py --work
DIR --keep`` left, ``DIR/store-10000``), opened fresh for each query so nothing is kept from before: for a query that
lists rows (``# page-by`` in its header) the first page (``kg.api.query(..., limit=100)``) and the page at offset
1,000; then the whole answer once (the first run), then ``--runs`` more runs answered from what the open store
keeps (``kg.store.Store``: answers by store state) -> p50. Prints one Markdown row per query.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.api import query  # noqa: E402
from kg.sources import StoreSource  # noqa: E402
from kg.sparql import list_queries  # noqa: E402
from kg.store import Store  # noqa: E402


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--queries", nargs="+")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-whole", nargs="*", default=[], help="queries whose whole answer is not timed")
    args = ap.parse_args()
    specs = [s for s in list_queries() if not args.queries or s.name in args.queries]
    print("| query | first 100 rows ms | rows 1,000-1,099 ms | whole answer, first run ms | rows | "
          "again (kept), p50 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for spec in specs:
        with Store(args.store, read_only=True) as store:
            source = StoreSource(store)
            first = later = None
            if spec.page_by:
                _, first = timed(query, source, spec, limit=100)
                _, later = timed(query, source, spec, limit=100, offset=1000)
            cold = rows = p50 = None
            if spec.name not in args.no_whole:
                result, cold = timed(query, source, spec)
                rows = len(result.rows)
                p50 = statistics.median(timed(query, source, spec)[1] for _ in range(args.runs))

        def ms(x):
            return "–" if x is None else f"{x * 1000:,.1f}" if x < 0.1 else f"{x * 1000:,.0f}"
        print(f"| {spec.name} | {ms(first)} | {ms(later)} | {ms(cold)} | "
              f"{'–' if rows is None else f'{rows:,}'} | {ms(p50)} |", flush=True)


if __name__ == "__main__":
    main()

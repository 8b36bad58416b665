"""Validation cost against the number of policies: is it linear?

    python benchmarks/validation.py                      # builds examples/policies, 10, 100 and 1,000 policies
    python benchmarks/validation.py --graph kg.ttl --sizes 10 100 --profile gdpr

Synthetic graphs shaped like real output: the per-policy closures of a built graph (``kg.graphio.
policy_closures``; the five example policies by default) copied round-robin until there are N policies, each copy
renamed by ``benchmarks/synthetic.py`` (its own policy, statements, evidence and controller with its names, so
every copy is its own policy of its own company; vocabulary, recipient kinds and named recipients stay shared, as
in real graphs). For each N it times, in one
process: one pySHACL run over the whole graph (``kg.shacl.check``), one run per policy closure
(``check(..., per_policy=True)``), and the companies x requirements matrices (``kg.shacl.matrices``), and prints seconds
and seconds per policy. Both validations must report the same results (checked). Timings vary about ±15% between
runs on shared machines. The whole-graph run is not linear once the SPARQL shapes are in (CCPA retention per
category: rdflib evaluates the pre-bound $this query against the whole graph, so each policy's check costs more
as the graph grows); ``--modes per-policy`` times the linear path alone.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from rdflib import Graph  # noqa: E402
from synthetic import synthetic_graph, templates  # noqa: E402

from kg.graphio import load_graph, policy_closures  # noqa: E402
from kg.shacl import check, matrices  # noqa: E402
from kg.vocab import bind_prefixes  # noqa: E402


def synthetic(source: Graph, n: int) -> Graph:
    """``n`` renamed copies of the policy closures of ``source`` (round-robin; ``benchmarks/synthetic.py``)."""
    return bind_prefixes(synthetic_graph(templates(policy_closures(source)), n))


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph", type=Path, help="a built graph (default: build examples/policies)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument("--profile", default="all", choices=["core", "gdpr", "ccpa", "all"])
    ap.add_argument("--modes", nargs="+", default=["whole", "per-policy"], choices=["whole", "per-policy"],
                    help="which validations to time (the whole-graph run is quadratic with the SPARQL shapes)")
    args = ap.parse_args()
    if args.graph:
        source = load_graph(args.graph)
    else:
        from kg.api import build

        with tempfile.TemporaryDirectory() as tmp:
            build([ROOT / "examples" / "policies"], Path(tmp) / "kg.ttl")
            source = load_graph(Path(tmp) / "kg.ttl")
    print(f"profile {args.profile}; source: {len(policy_closures(source))} policies, {len(source)} triples")
    print(f"{'policies':>8} {'triples':>9} {'whole s':>9} {'s/policy':>9} {'per-policy s':>13} {'s/policy':>9} "
          f"{'matrix s':>9} {'s/policy':>9}")
    for n in args.sizes:
        g = synthetic(source, n)
        whole = per = None
        t_whole = t_per = float("nan")
        if "whole" in args.modes:
            whole, t_whole = _timed(check, g, profile=args.profile)
        if "per-policy" in args.modes:
            per, t_per = _timed(check, g, profile=args.profile, per_policy=True)
        if whole is not None and per is not None:
            assert per.results == whole.results, "per-policy and whole-graph validation disagree"
        _, t_matrix = _timed(matrices, g, whole or per, args.profile)
        print(f"{n:>8} {len(g):>9} {t_whole:>9.1f} {t_whole / n:>9.3f} {t_per:>13.1f} {t_per / n:>9.3f} "
              f"{t_matrix:>9.1f} {t_matrix / n:>9.3f}", flush=True)


if __name__ == "__main__":
    main()

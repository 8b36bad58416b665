"""Validation cost per policy against the build's, before (pySHACL) and after (the compiled engine), and against
the number of policies.

    python benchmarks/validation.py                          # builds examples/policies; 10, 100, 1,000 policies
    python benchmarks/validation.py --sizes 10 100 --before-sizes 10 --profile gdpr
    python benchmarks/validation.py --store DIR              # also `kg.validate` over a store folder, end to end
    python benchmarks/validation.py --sizes 10 --before-sizes --store S1 S2 --sample 500   # 500 policies of each store

First it builds examples/policies twice in this process (``kg.api.build``; the second build is timed: the build's
cost per policy with the spaCy model loaded). Synthetic graphs shaped like real output: the per-policy closures
of the built graph (``kg.graphio.policy_closures``) copied round-robin until there are N policies, each copy
renamed by ``benchmarks/synthetic.py`` (its own policy, statements, evidence and controller with its names, so
every copy is its own policy of its own company; vocabulary, recipient kinds and named recipients stay shared, as
in real graphs). For each N it times, in one process:

* before (``--before-sizes``): what ``privacy-kg validate`` did until this round: pySHACL one policy closure at a
  time (``kg.shacl.check(..., per_policy=True, engine="pyshacl")``) plus the companies x requirements matrices
  with their queries run by rdflib over a copy of the graph and the ontology structure;
* after: ``kg.shacl.validate_graphs([graph])``, what ``kg.validate`` runs on a graph file now (the compiled
  engine, ``kg.shacl.engine``: results, matrices and labels);

and prints seconds, milliseconds per policy and the ratio to the build's cost per policy. Where both ran, their
results and matrices must be the same (checked). ``--store DIR`` also times ``kg.validate`` over a store (each
policy graph read from Oxigraph into an ``IndexGraph``, validated, tabulated; the report rendered as text).
Timings vary on shared machines: compare figures of one run (the ratio to the build is measured in the same run).
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
from kg.shacl import check, matrices, validate_graphs  # noqa: E402
from kg.shacl.matrix import _NS, MATRIX_PROFILES, requirements  # noqa: E402
from kg.shacl.run import ontology_structure  # noqa: E402
from kg.vocab import bind_prefixes  # noqa: E402


def synthetic(source: Graph, n: int) -> Graph:
    """``n`` renamed copies of the policy closures of ``source`` (round-robin; ``benchmarks/synthetic.py``)."""
    return bind_prefixes(synthetic_graph(templates(policy_closures(source)), n))


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def _cpu_timed(fn, *args, **kwargs):
    """(value, wall seconds, CPU seconds of this process): on a shared machine the CPU time is what load changes
    least (this process's threads only; the build and validation run in it)."""
    cpu = time.process_time()
    value, wall = _timed(fn, *args, **kwargs)
    return value, wall, time.process_time() - cpu


def before(g: Graph, profile: str):
    """pySHACL per policy closure, and the matrices' queries by rdflib over graph + ontology structure."""
    result = check(g, profile=profile, per_policy=True, engine="pyshacl")
    merged = Graph()
    merged += g
    merged += ontology_structure()
    names = MATRIX_PROFILES if profile == "all" else (profile,) if profile in MATRIX_PROFILES else ()
    texts = {q for p in names for r in requirements(p) for q in (r.evidence_query, r.condition_query) if q}
    answers = {t: [tuple(row) for row in merged.query(t, initNs=_NS)] for t in texts}
    return result, matrices(g, result, profile, answers=answers)


def build_cost() -> tuple[Graph, float, float, int]:
    """The example graph, and the seconds per policy (wall, CPU) of a warm build of examples/policies."""
    from kg.api import build

    policies = sorted((ROOT / "examples" / "policies").glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        build([ROOT / "examples" / "policies"], Path(tmp) / "warm.ttl")  # loads the spaCy model
        _, seconds, cpu = _cpu_timed(build, [ROOT / "examples" / "policies"], Path(tmp) / "kg.ttl")
        graph = load_graph(Path(tmp) / "kg.ttl")
    return graph, seconds / len(policies), cpu / len(policies), len(policies)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument("--before-sizes", type=int, nargs="*", default=[10, 100],
                    help="sizes at which pySHACL (the path before this round) is timed too (about 0.6 s a policy)")
    ap.add_argument("--profile", default="all", choices=["core", "gdpr", "ccpa", "all"])
    ap.add_argument("--store", type=Path, nargs="+", help="also time kg.validate over these store folders")
    ap.add_argument("--sample", type=int, help="with --store: validate this many of each store's policies, spread "
                    "evenly over it (per-policy cost in a large store without validating all of it)")
    args = ap.parse_args()
    source, build_s, build_cpu, n_built = build_cost()
    print(f"build: {n_built} example policies, warm build {build_s * 1000:.0f} ms/policy "
          f"(10% of it: {build_s * 100:.1f} ms), CPU {build_cpu * 1000:.0f} ms/policy; source graph {len(source):,} "
          f"triples; profile {args.profile}")
    print(f"{'policies':>8} {'triples':>10} {'before s':>9} {'ms/policy':>10} {'after s':>8} {'ms/policy':>10} "
          f"{'after/build':>11} {'before/after':>12}")
    for n in sorted(set(args.sizes) | set(args.before_sizes)):
        g = synthetic(source, n)
        old = old_t = None
        if n in args.before_sizes:
            old, old_t = _timed(before, g, args.profile)
        new, new_t = _timed(validate_graphs, [g], args.profile)
        if old is not None:
            assert old[0].results == new.result.results, "pySHACL and the compiled engine disagree"
            assert [m.cells for m in old[1]] == [m.cells for m in new.matrices], "the matrices disagree"
        per_new = new_t / n
        print(f"{n:>8} {len(g):>10,} " + (f"{old_t:>9.1f} {old_t / n * 1000:>10.1f} " if old_t else
                                            f"{'-':>9} {'-':>10} ")
              + f"{new_t:>8.2f} {per_new * 1000:>10.1f} {per_new / build_s:>10.1%} "
              + (f"{old_t / new_t:>11.1f}x" if old_t else f"{'-':>12}"), flush=True)
    for folder in args.store or ():
        from kg.api import validate
        from kg.shacl.engine import IndexGraph
        from kg.sources import open_source
        from kg.store import Store

        with open_source(store=folder) as src:
            n = len(src.policies())
            if args.sample:  # the same reading as StoreSource.validation_parts, for every n // sample-th policy
                store = src.store
                assert isinstance(store, Store)
                names = store.policy_graph_names()[::max(1, n // args.sample)][:args.sample]
                parts = (IndexGraph(store._graph_triples(iri)) for iri in names)
                v, took, cpu = _cpu_timed(validate_graphs, parts, args.profile)
                what, n = f"{len(names):,} of {n:,} policies", len(names)
            else:
                v, took, cpu = _cpu_timed(validate, src, args.profile)
                what = f"{n:,} policies"
            _, render_wall, render_cpu = _cpu_timed(v.render, "text")
            took, cpu = took + render_wall, cpu + render_cpu
        print(f"store {folder}: {what}, kg.validate + render {took:.1f} s = {took / n * 1000:.1f} "
              f"ms/policy ({took / n / build_s:.1%} of the build); CPU {cpu / n * 1000:.1f} ms/policy "
              f"({cpu / n / build_cpu:.1%} of the build's CPU); results {v.result.counts}", flush=True)


if __name__ == "__main__":
    main()

"""The look-up of stored versions a store makes before each add (``GraphStore._candidates``), against the single
query it used until 2026-12-04, on stores of several sizes: milliseconds per look-up, and whether both give the
same candidates.

    python benchmarks/lookup.py DIR/store-1000 DIR/store-10000          # stores from benchmarks/queries.py --work
    python benchmarks/lookup.py DIR/store-100000 --files 5              # the old query takes ~2 s each there

Half the look-ups are of stored files (their hash and name), half of new ones (another hash and name), as a build
of changed and new files makes them. Old and new run alternately, twice, in one process.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
from rdflib.namespace import DCTERMS  # noqa: E402

from kg.model import PolicyHeader  # noqa: E402
from kg.store import PPKG, Store  # noqa: E402


def old_lookup(store: Store, policy: PolicyHeader) -> list[PolicyHeader]:
    """The query before the change: both conditions joined inside GRAPH ?g."""
    h, src = ox.Literal(policy.sha256), ox.Literal(policy.source)
    rows = store._rows(
        f"SELECT ?g ?src ?h ?date WHERE {{ GRAPH ?g {{ "
        f"{{ ?g <{PPKG.contentHash}> {h} }} UNION {{ ?g <{PPKG.sourceFile}> {src} }} "
        f"?g a <{PPKG.PrivacyPolicy}> ; <{PPKG.contentHash}> ?h . OPTIONAL {{ ?g <{PPKG.sourceFile}> ?src }} "
        f"OPTIONAL {{ ?g <{DCTERMS.modified}> ?date }} }} }}")
    found = {PolicyHeader(str(g), str(s) if s is not None else "", str(hh), str(d) if d is not None else None)
             for g, s, hh, d in rows}
    return sorted(found, key=lambda c: (c.iri, c.source, c.sha256, c.date or ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stores", type=Path, nargs="+")
    ap.add_argument("--files", type=int, default=60, help="stored files looked up (as many new ones too)")
    args = ap.parse_args()
    print("| store | old look-up ms (two runs) | new look-up ms (two runs) | same candidates |")
    print("|---:|---:|---:|---|")
    for path in args.stores:
        with Store(path, read_only=True) as store:
            stored = store.policies()
            asked = [PolicyHeader("x", src, h, None) for _, src, h in stored[:args.files]]
            asked += [PolicyHeader("x", src + ".new", h[::-1], None) for _, src, h in stored[:args.files]]
            times: dict[str, list[float]] = {"old": [], "new": []}
            answers: dict[str, list] = {}
            for name, lookup in (("old", lambda p: old_lookup(store, p)), ("new", store._candidates)) * 2:
                start = time.perf_counter()
                answers[name] = [lookup(p) for p in asked]
                times[name].append((time.perf_counter() - start) / len(asked) * 1000)
            same = answers["old"] == answers["new"]
            print(f"| {len(stored):,} policies | {times['old'][0]:.2f}, {times['old'][1]:.2f} | "
                  f"{times['new'][0]:.2f}, {times['new'][1]:.2f} | {'yes' if same else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()

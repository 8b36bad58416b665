"""kg.parallel.ordered_map with real worker processes (spawned; no spaCy): input order, items kept out of the
workers, errors carried back, a worker killed mid-batch, bounded read-ahead, single-threaded children."""
from __future__ import annotations

import os
import time

import pytest

from kg.parallel import SKIPPED, THREAD_VARS, WorkerCrashed, ordered_map, resolve_jobs
from kg.pipeline import as_error


# The worker functions must be importable by the spawned processes: module-level, in this (importable) module.
def double(x):
    if x == "bad":
        raise ValueError("bad item")
    if x == "die":
        os._exit(7)  # the process dies, as under the OOM killer
    if isinstance(x, int) and x % 3 == 0:
        time.sleep(0.05)  # finish out of order
    return x * 2


def thread_env(_):
    return {k: os.environ.get(k) for k in THREAD_VARS}


def test_results_in_input_order_with_skips_and_errors():
    items = [1, 2, "skip", 3, "bad", 4, 5, 6, "skip", 7]
    got = list(ordered_map(double, items, jobs=2, dispatch=lambda x: x != "skip"))
    assert [item for item, _, _ in got] == items
    for item, value, error in got:
        if item == "skip":
            assert value is SKIPPED and error is None
        elif item == "bad":
            assert isinstance(error, ValueError) and "bad item" in str(error)
        else:
            assert error is None and value == item * 2


def test_nothing_dispatched_starts_no_worker():
    # double() would fail on these; with nothing dispatched no pool is made and they come back as SKIPPED
    assert list(ordered_map(double, ["bad", "die"], jobs=2, dispatch=lambda x: False)) == [
        ("bad", SKIPPED, None), ("die", SKIPPED, None)]


def test_a_dying_worker_costs_only_its_item():
    items = [1, 2, 3, "die", 4, 5, 6, 7, 8, 9]
    got = list(ordered_map(double, items, jobs=2, window=4))
    assert [item for item, _, _ in got] == items
    errors = {item: error for item, _, error in got if error is not None}
    assert list(errors) == ["die"] and isinstance(errors["die"], WorkerCrashed)
    assert {item: value for item, value, error in got if error is None} == {i: 2 * i for i in items if i != "die"}
    line = as_error("x.txt", errors["die"]).one_line()
    assert line.startswith("x.txt: the worker process died") and "\n" not in line


def test_items_are_read_lazily_within_the_window():
    pulled = []

    def items():
        for i in range(40):
            pulled.append(i)
            yield i

    results = ordered_map(double, items(), jobs=2, window=3)
    first = next(results)
    assert first == (0, 0, None)
    assert len(pulled) <= 4  # the window (3 in flight) plus the one whose submission made it full
    assert [v for _, v, _ in results] == [2 * i for i in range(1, 40)]


def test_workers_run_single_threaded_and_the_parent_env_is_restored():
    before = {k: os.environ.get(k) for k in THREAD_VARS}
    [(_, env, error)] = list(ordered_map(thread_env, [0], jobs=2))
    assert error is None
    assert env == {k: before[k] if before[k] is not None else "1" for k in THREAD_VARS}
    assert {k: os.environ.get(k) for k in THREAD_VARS} == before


def test_resolve_jobs():
    assert resolve_jobs(3) == 3 and resolve_jobs(0) >= 1
    with pytest.raises(ValueError):
        resolve_jobs(-1)


"""Run one function over many items in worker processes: results in input order, a bounded amount of work in
flight, and a worker that dies (killed, out of memory, a fault in a native library) costs at most the item it
was running, never the batch and never a hang.

Generic on purpose (no pipeline code here): ``kg.api`` passes its per-file function and worker initializer.
Workers are started with the "spawn" method (a clean interpreter; forking a parent that holds an open Oxigraph
store's threads is not safe) and single-threaded numerical libraries (``THREAD_VARS`` = 1 unless already set),
so N workers on N cores do not oversubscribe them.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
               "NUMEXPR_NUM_THREADS")


class WorkerCrashed(Exception):
    """The process running an item died; the item was run again alone in a fresh process and that died too."""


def cpu_count() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def resolve_jobs(jobs: int) -> int:
    """``jobs`` as a process count: 0 means one per available core."""
    if jobs < 0:
        raise ValueError(f"jobs must be 0 (all cores) or more, not {jobs}")
    return jobs or cpu_count()


@contextmanager
def single_threaded_children() -> Iterator[None]:
    """Set ``THREAD_VARS`` to 1 (where not set already) while processes are started, then restore them.

    Spawned workers inherit the environment as it is when they start; the libraries read it when they load
    (before any initializer could set it), so it has to be in place in the parent.
    """
    saved = {k: os.environ.get(k) for k in THREAD_VARS}
    for k in THREAD_VARS:
        os.environ.setdefault(k, "1")
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass
class _Slot:
    item: Any
    dispatched: bool = False
    future: Future | None = None  # set while the item is in a worker
    value: Any = None
    error: BaseException | None = None


class Skipped(Enum):
    """The value yielded for an item that ``dispatch`` kept out of the workers (one member, ``SKIPPED``)."""

    SKIPPED = "skipped"


SKIPPED: Final = Skipped.SKIPPED


def ordered_map(fn: Callable[[Any], Any], items: Iterable[Any], *, jobs: int,
                initializer: Callable[[], None] | None = None,
                dispatch: Callable[[Any], bool] | None = None,
                window: int | None = None) -> Generator[tuple[Any, Any, BaseException | None], None, None]:
    """Yield ``(item, value, error)`` for every item of ``items``, in their order.

    ``fn(item)`` runs in one of ``jobs`` worker processes, each of which ran ``initializer()`` once; ``fn`` and
    ``initializer`` must be importable module-level functions, items and values picklable. ``error`` is None, or
    the exception ``fn`` raised (or its value failed to pickle), or ``WorkerCrashed``. An item for which
    ``dispatch(item)`` is false is never sent to a worker: it is yielded as ``(item, SKIPPED, None)`` in its place.
    The pool is started only when the first item is dispatched. ``items`` is read lazily and at most ``window``
    (default ``4 * jobs``) dispatched items are in flight, done or not, at any time.

    When a worker dies, the items that were in flight and not finished are run again one at a time in a fresh
    single-worker pool, so only the item that kills a process alone is reported (``WorkerCrashed``); the rest of
    the batch then goes on in a fresh pool.
    """
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    window = max(1, window or 4 * jobs)
    ctx = multiprocessing.get_context("spawn")
    pool: ProcessPoolExecutor | None = None
    slots: deque[_Slot] = deque()
    in_flight = 0

    def new_pool(workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=ctx, initializer=initializer)

    def recover() -> None:
        """The pool broke: keep what finished, rerun every unfinished item alone."""
        nonlocal pool
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)  # afterwards every future is done or cancelled
            pool = None
        suspects = []
        for slot in slots:
            if slot.future is None:
                continue
            f, slot.future = slot.future, None
            exc = f.exception() if f.done() and not f.cancelled() else None
            if not f.done() or f.cancelled() or isinstance(exc, BrokenProcessPool):
                suspects.append(slot)
            elif exc is not None:
                slot.error = exc
            else:
                slot.value = f.result()
        solo: ProcessPoolExecutor | None = None
        try:
            for slot in suspects:
                solo = solo or new_pool(1)
                try:
                    slot.value = solo.submit(fn, slot.item).result()
                except BrokenProcessPool:
                    slot.error = WorkerCrashed("the worker process died while working on it")
                    solo.shutdown(wait=True, cancel_futures=True)
                    solo = None
                except Exception as exc:  # noqa: BLE001 - handed to the caller with its item
                    slot.error = exc
        finally:
            if solo is not None:
                solo.shutdown(wait=True)

    def submit(slot: _Slot) -> None:
        nonlocal pool
        for _ in range(2):
            pool = pool or new_pool(jobs)
            try:
                slot.future = pool.submit(fn, slot.item)
                return
            except BrokenProcessPool:  # broke since we last looked: sort out what was in flight, then retry
                recover()
        raise RuntimeError("cannot start worker processes")  # pragma: no cover

    def pop() -> _Slot:
        nonlocal in_flight
        slot = slots[0]
        if slot.future is not None:
            try:
                slot.future.result()
            except BrokenProcessPool:
                recover()
            except Exception:  # noqa: BLE001 - read below
                pass
            if slot.future is not None:  # not reset by recover()
                f, slot.future = slot.future, None
                slot.error = f.exception()
                slot.value = None if slot.error else f.result()
        if slot.dispatched:
            in_flight -= 1
        return slots.popleft()

    with single_threaded_children():
        try:
            for item in items:
                if dispatch is None or dispatch(item):
                    slot = _Slot(item, dispatched=True)
                    submit(slot)
                    in_flight += 1
                else:
                    slot = _Slot(item, value=SKIPPED)
                slots.append(slot)
                while slots and (slots[0].value is SKIPPED or in_flight >= window):
                    done = pop()
                    yield done.item, done.value, done.error
            while slots:
                done = pop()
                yield done.item, done.value, done.error
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)


__all__ = ["SKIPPED", "THREAD_VARS", "Skipped", "WorkerCrashed", "cpu_count", "ordered_map", "resolve_jobs",
           "single_threaded_children"]

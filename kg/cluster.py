"""Extraction on a Dask cluster: ``build --dask ADDRESS`` (a running scheduler, ``tcp://host:8786``) or
``--dask local:N`` (a local cluster of N single-threaded worker processes, started and stopped here).

``kg.api.build`` runs the same loop as with ``--jobs``; only where each policy is extracted changes
(``kg.pipeline.run`` hands its tasks to ``Cluster.map``):

* every worker holds the ``Pipeline`` worker plugin, which loads spaCy and the matchers once per worker thread, on
  its first policy, and keeps them (``loads`` counts the loads), for every build on the cluster (it is registered
  once); with ``--endpoint`` it also holds the worker's connection to the SPARQL server, and each worker writes
  the policies it builds itself: one update request per policy, all or nothing (``kg.store.GraphStore.add``),
  so the client receives a few counts per policy, never the triples. With a store folder (one process owns it)
  or a Turtle file, the workers send the triples back and the client writes them, as with ``--jobs``.
* the client sends at most ``window`` policies ahead of the one it waits for, and yields the results in input
  order; a policy the target holds already is never sent.
* a worker that dies costs the policies it was running, which the scheduler runs again elsewhere (a policy that
  kills ``distributed.scheduler.allowed-failures`` + 1 workers is reported as that file's error). A policy whose
  update reached the server before its worker died is found there by its content hash when it runs again, and is
  not written twice (the insert is conditional, too).
* the scheduler going away stops the build with ``ClusterGone`` (one line); every policy written before it is
  whole, and the same command resumes (what is stored is not built again).

Dask is an optional dependency (``pip install 'privacy-kg[dask]'``): ``kg.api`` imports this module only when a
cluster is asked for.
"""
from __future__ import annotations

import importlib.util
from concurrent.futures import CancelledError
import logging
import threading
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import dask
from distributed import Client, KilledWorker, LocalCluster, WorkerPlugin, get_worker

from kg.errors import ClusterError, ClusterGone, KgError, StoreUnavailable
from kg.parallel import single_threaded_children
from kg.pipeline import Built, Task, WorkerUnusable, as_error, new_extractor, work

if TYPE_CHECKING:
    from kg.endpoint import EndpointStore
    from kg.extract import Extractor

PLUGIN = "privacy-kg"  # the worker plugin's name on every worker
CONNECT_TIMEOUT = 30.0  # seconds to reach a scheduler
WORKER_WAIT = 120.0  # seconds to wait for a scheduler's first worker (a batch queue may take a while)
# The workers of ``local:N`` get glibc's default memory trimming, as ``--jobs`` workers do: Dask's nannies set
# MALLOC_TRIM_THRESHOLD_=65536 in their workers' environment, which cost 4-10% of a worker's CPU on this pipeline
# (BENCHMARKS.md, "Builds on a Dask cluster").
LOCAL_WORKER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
ADDRESS_HINT = "--dask takes a scheduler address (tcp://HOST:8786) or local:N (N worker processes here)"


# -- on the workers ----------------------------------------------------------------------------------------------
class _PipelineState:
    """What a worker keeps between policies: an extractor per thread, a connection per SPARQL server."""

    def __init__(self) -> None:
        self.loads = 0  # extractors loaded on this worker (one per worker thread that ran a policy)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._stores: dict[str, EndpointStore] = {}

    def extractor(self) -> Extractor | WorkerUnusable:
        found = getattr(self._local, "extractor", None)
        if found is None:
            try:
                found = new_extractor()
            except Exception as exc:  # no spaCy model, say: every policy would fail the same way
                error = as_error(None, exc)
                found = WorkerUnusable(error.path, error.message, error.hint)
            else:
                with self._lock:
                    self.loads += 1
            self._local.extractor = found
        return found

    def store(self, endpoint: str) -> EndpointStore:
        from kg.endpoint import EndpointStore

        with self._lock:
            if endpoint not in self._stores:
                self._stores[endpoint] = EndpointStore(endpoint)
            return self._stores[endpoint]

    def close(self) -> None:
        for store in self._stores.values():
            store.close()


class Pipeline(WorkerPlugin):
    """The worker plugin: the pipeline, loaded once per worker thread and kept (``_PipelineState``), and the
    worker's connections to the SPARQL servers it writes to. It holds no build's settings, so one registration
    serves every build on the cluster (builds of several clients at once, too)."""

    name = PLUGIN

    def __init__(self) -> None:
        self.state: _PipelineState | None = None

    def setup(self, worker: Any) -> None:
        self.state = _PipelineState()
        # Dask's statistical profiler keeps the stack samples of the last 1,000 s; the pipeline's deep and varied
        # stacks made that 0.12 MB more per policy, a worker's memory growing by 100 MB over 500 policies
        # (BENCHMARKS.md). Stopped, a worker stays flat; the dashboard's profile page stays empty.
        for name in ("profile", "profile-cycle"):
            callback = worker.periodic_callbacks.pop(name, None)
            if callback is not None:
                callback.stop()
        worker.profile_history.clear()
        worker.profile_keys_history.clear()

    def teardown(self, worker: Any) -> None:
        if self.state is not None:
            self.state.close()


def worker_state() -> _PipelineState:
    """This worker's ``_PipelineState`` (inside a task)."""
    plugin = get_worker().plugins[PLUGIN]
    assert isinstance(plugin, Pipeline) and plugin.state is not None
    return plugin.state


def build_on_worker(task: Task, endpoint: str | None = None) -> Built | KgError:
    """One policy on a worker: extracted with the worker's pipeline and, when the build writes to a SPARQL server
    (``endpoint``), written there by the worker (then only the outcome and counts go back). Failures are returned,
    not raised (a raised exception would be retried as if the worker had died); the server being unreachable comes
    back as ``StoreUnavailable``, which stops the build."""
    state = worker_state()
    extractor = state.extractor()
    if isinstance(extractor, WorkerUnusable):
        return extractor
    result = work(task, extractor)
    if not isinstance(result, Built) or endpoint is None:
        return result
    try:
        outcome = state.store(endpoint).add(result.header, result.triples, replace_same=task.replace)
    except StoreUnavailable as exc:
        return exc
    except Exception as exc:  # this policy could not be written; the next one may be
        return as_error(task.path, exc)
    return replace(result, triples=[], stored=outcome, written=0 if outcome == "unchanged" else len(result.triples))


# -- on the client -----------------------------------------------------------------------------------------------
class Cluster:
    """The cluster at ``address`` (a scheduler's address, or ``local:N``), connected to when the first policy is
    sent (a build that finds every policy stored starts nothing), the pipeline plugin registered on its workers
    (``endpoint``: the SPARQL server they write to). ``notice(line)`` is told which cluster, once connected."""

    def __init__(self, address: str, endpoint: str | None = None, notice: Callable[[str], None] | None = None):
        if address.startswith("local:"):
            count = address.removeprefix("local:")
            if not count.isdigit() or int(count) < 1:
                raise ClusterError(address, "local:N needs a worker count N of 1 or more", hint=ADDRESS_HINT)
            self.local_workers = int(count)
        elif ":" in address:
            self.local_workers = 0
        else:
            raise ClusterError(address, "not a scheduler address", hint=ADDRESS_HINT)
        self.address, self.endpoint, self.notice = address, endpoint, notice
        self.client: Any = None  # distributed.Client, once started
        self.local: Any = None  # the LocalCluster started for local:N
        self.workers = self.threads = 0
        self.dashboard: str | None = None

    def start(self) -> None:
        """Connect (start the local cluster), register the plugin, wait for a first worker."""
        if self.client is not None:
            return
        target: Any = self.address
        if self.local_workers:
            target = self.local = _local_cluster(self.local_workers)
        try:
            self.client = Client(target, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            self.close()
            text = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise ClusterError(self.address, f"cannot reach the Dask scheduler ({text})",
                               hint="is it running? e.g. dask scheduler --host 127.0.0.1") from None
        try:
            if not self.client.run_on_scheduler(_has_plugin):  # registered again, it would be set up anew
                self.client.register_plugin(Pipeline(), name=PLUGIN)
            try:
                self.client.wait_for_workers(1, timeout=WORKER_WAIT)
            except TimeoutError:
                raise ClusterError(self.address, f"the Dask scheduler has no workers (waited {WORKER_WAIT:g} s)",
                                   hint="start some: dask worker ADDRESS --nthreads 1") from None
            info = self.client.scheduler_info()
        except BaseException:
            self.close()
            raise
        workers = info.get("workers", {})
        self.workers, self.threads = len(workers), sum(w.get("nthreads", 1) for w in workers.values())
        self.dashboard = self.client.dashboard_link if _answers(self.client.dashboard_link) else None
        if self.notice:
            self.notice(self.describe())

    @property
    def window(self) -> int:
        """Policies sent ahead of the one the client waits for: enough to keep every worker thread busy while
        one policy takes long."""
        return max(16, 4 * self.threads)

    def describe(self) -> str:
        where = (f"local cluster of {self.local_workers} worker process(es)" if self.local_workers
                 else f"scheduler {self.address}")
        bokeh = not self.local_workers or importlib.util.find_spec("bokeh") is not None
        return (f"dask: {where}, {self.threads} thread(s) on {self.workers} worker(s)"
                + (f"; dashboard {self.dashboard}" if self.dashboard else "")
                + ("" if bokeh or not self.dashboard else " (pip install bokeh to see it)"))

    def map(self, tasks: Iterable[Task], dispatch: Callable[[Task], bool]) -> Iterator[tuple[Task, Any]]:
        """``(task, result)`` in input order, as ``kg.pipeline.run``: a ``Built``, the file's ``KgError``, or
        ``SKIPPED`` for a task ``dispatch`` kept back (never sent)."""
        from kg.parallel import SKIPPED

        pending: deque[tuple[Task, Any]] = deque()
        in_flight = 0
        try:
            for task in tasks:
                if dispatch(task):
                    pending.append((task, self._submit(task)))
                    in_flight += 1
                else:
                    pending.append((task, None))
                while pending and (pending[0][1] is None or in_flight >= self.window):
                    task, future = pending.popleft()
                    if future is None:
                        yield task, SKIPPED
                    else:
                        in_flight -= 1
                        yield task, self._result(task, future)
            while pending:
                task, future = pending.popleft()
                yield task, SKIPPED if future is None else self._result(task, future)
        finally:
            for _, future in pending:
                if future is not None:
                    future.release()

    def _submit(self, task: Task) -> Any:
        self.start()
        try:
            return self.client.submit(build_on_worker, task, self.endpoint, pure=False)
        except Exception as exc:
            raise self._gone(exc) from None

    def _result(self, task: Task, future: Any) -> Any:
        try:
            result = future.result()
        except KilledWorker as exc:
            return KgError(task.path, f"the Dask worker running it died, {exc.__class__.__name__}: every worker that "
                                      "ran it died (out of memory, or a crash in a native library)",
                           hint="build it alone with --jobs 1 to see more")
        except Exception as exc:
            raise self._gone(exc) from None
        finally:
            future.release()
        if isinstance(result, WorkerUnusable | StoreUnavailable):
            raise result
        return result

    def _gone(self, exc: BaseException) -> ClusterGone:
        if isinstance(exc, CancelledError):  # distributed.client.FutureCancelledError among them
            why = "the connection to it was lost"
        else:
            why = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        return ClusterGone(self.address, f"the Dask scheduler went away ({why})",
                           hint="start it again and run the same command: what was stored is not built again")

    def close(self) -> None:
        if self.client is not None:
            with suppress(Exception):  # a scheduler that is gone cannot be told goodbye
                self.client.close(timeout=10)
        if self.local is not None:
            self.local.close(timeout=30)
        self.client = self.local = None


@contextmanager
def connect(address: str, endpoint: str | None = None,
            notice: Callable[[str], None] | None = None) -> Iterator[Cluster]:
    """A ``Cluster`` for ``--dask ADDRESS`` (a scheduler's address) or ``local:N`` (N worker processes started
    here, one thread each), started when the first policy is sent and closed at the end (a local cluster is
    stopped). A malformed address raises ``ClusterError`` at once."""
    cluster = Cluster(address, endpoint, notice)
    with quiet_client_logs():
        try:
            yield cluster
        finally:
            cluster.close()


def _has_plugin(dask_scheduler: Any) -> bool:
    """On the scheduler: whether the pipeline plugin is registered (by an earlier build on this cluster)."""
    return PLUGIN in dask_scheduler.worker_plugins


def _answers(url: str) -> bool:
    """Whether the dashboard answers at ``url`` (a scheduler lists its HTTP service also without a dashboard)."""
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, ValueError):
        return False


@contextmanager
def quiet_client_logs() -> Iterator[None]:
    """Dask's client logs a lost scheduler connection with tracebacks; the build says it in one line."""
    handlers = logging.getLogger("distributed").handlers  # Dask's own, which its child loggers propagate to
    levels = [h.level for h in handlers]
    for h in handlers:
        h.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for h, level in zip(handlers, levels):
            h.setLevel(level)


def _local_cluster(workers: int) -> Any:
    """``local:N``: N worker processes of one thread each (spaCy holds the GIL: more threads per process would not
    run in parallel), numerical libraries single-threaded; the dashboard on a free port (it shows something when
    bokeh is installed)."""
    with single_threaded_children(), dask.config.set(LOCAL_WORKER_CONFIG):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address=":0", silence_logs=logging.ERROR)


__all__ = ["PLUGIN", "Cluster", "Pipeline", "build_on_worker", "connect",
           "worker_state"]

"""One policy file through every stage, in this process or in worker processes.

read (``kg.ingest``) -> segment -> extract -> normalise -> the policy's triples (``kg.graph``): ``process_file``
gives the record, ``built`` the one result a build writes (``Built``: a few fields for the summary and the store,
and the triples). ``run`` does it for a plan's files in input order, in ``jobs`` processes; a file that fails
(unreadable, over its time budget, a crash) is a ``KgError`` in its place and the batch goes on.
"""
from __future__ import annotations

import ctypes
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from rdflib import Graph

from kg.errors import KgError, TimedOut
from kg.graph import policy_graph, policy_header, unique_triples
from kg.graphio import ontology_graph
from kg.ingest import document_of, read_document
from kg.jurisdiction import jurisdiction_cues
from kg.model import Document, PlannedFile, PolicyHeader, PolicyMetadata, PolicyRecord
from kg.normalize import normalize
from kg.parallel import SKIPPED, Skipped, WorkerCrashed, ordered_map, resolve_jobs
from kg.segment import segment

if TYPE_CHECKING:
    from kg.cluster import Cluster
    from kg.extract import Extractor
    from kg.terms import Triple

# seconds; the largest policy accepted (5 MB) took 93 s as 48,000 sentences, 275 s as words without a sentence end
# (BENCHMARKS.md, hostile input); a real policy about a second
TIMEOUT_PER_FILE = 300.0


@contextmanager
def time_budget(seconds: float | None, path: str | Path) -> Iterator[None]:
    """Raise ``TimedOut`` for ``path`` in this block once ``seconds`` (wall clock) have passed.

    In the main thread, a ``SIGALRM`` interval timer: its handler raises between two bytecodes, and the regular
    expression engine checks for signals too, so a runaway match or loop is stopped where it is. Costs two
    ``setitimer`` calls per file. In another thread (a Dask worker runs its tasks in threads, where signals cannot
    be handled), a timer thread raises it in this thread asynchronously (``_thread_budget``): also between two
    bytecodes, but a long native call (a regular expression match) finishes first. With ``seconds`` None or 0, no
    budget applies; a budget already running outside (nested use) is left alone.
    """
    if not seconds:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        with _thread_budget(seconds, path):
            yield
        return
    if signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return

    def expired(signum: int, frame: FrameType | None) -> None:
        raise _timed_out(seconds, path)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _timed_out(seconds: float, path: str | Path) -> TimedOut:
    return TimedOut(str(path), f"took over {seconds:g} s (--timeout-per-file); skipped",
                    hint="if it is a real policy, build it alone with a larger --timeout-per-file")


class _Overtime(Exception):
    """Raised asynchronously in a thread whose time budget ran out (``_thread_budget``)."""


_BUDGETED: set[int] = set()  # threads inside a _thread_budget block (nested use leaves the outer budget alone)


@contextmanager
def _thread_budget(seconds: float, path: str | Path) -> Iterator[None]:
    """``time_budget`` outside the main thread: ``PyThreadState_SetAsyncExc`` raises ``_Overtime`` in this thread
    when the timer fires, turned into ``TimedOut`` here. A lock orders the timer against the block's end, and an
    exception still pending when the block ends is cleared, so it never lands after the block."""
    me = threading.get_ident()
    if me in _BUDGETED:
        yield
        return
    lock = threading.Lock()
    state = {"active": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["active"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(me), ctypes.py_object(_Overtime))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    _BUDGETED.add(me)
    timer.start()
    try:
        yield
    except _Overtime:
        raise _timed_out(seconds, path) from None
    finally:
        while True:  # an _Overtime delivered during this clean-up is spent; the clean-up is run again
            try:
                with lock:
                    state["active"] = False
                    timer.cancel()
                _BUDGETED.discard(me)
                if state["fired"]:  # delivered already, or still pending: clear it (a no-op when delivered)
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(me), None)
                break
            except _Overtime:
                continue


def new_extractor() -> Extractor:
    """spaCy and the matchers, loaded on first need (imported here, so a parent that only writes what its worker
    processes extracted never loads spaCy at all)."""
    from kg.extract import Extractor

    return Extractor(ontology_graph())


def process_file(path: str | Path, extractor: Extractor, metadata: PolicyMetadata | None = None,
                 document: Document | None = None) -> PolicyRecord:
    """One policy file through every stage up to the graph's input record; ``metadata``: its build-manifest row.
    ``document``: the policy already read (a record's, ``kg.records``), else the file ``path`` is read."""
    document = document or read_document(path)
    segmented = segment(document)
    given = metadata.controller if metadata else None
    extraction = extractor.extract(segmented, given) if given else extractor.extract(segmented)
    return PolicyRecord(
        document=segmented.document,  # segment() may add warnings (e.g. an over-long sentence cut at ";")
        controller=extraction.controller,
        practices=normalize(extraction.statements),
        model=extractor.model,
        date=extraction.date,
        date_evidence=extraction.date_evidence,
        warnings=segmented.document.warnings + extraction.warnings,
        metadata=metadata,
        jurisdictions=jurisdiction_cues(segmented),
    )


@dataclass(frozen=True)
class BuiltPolicy:
    """What a build's summary keeps of one built policy: a few short strings and counts, never the text."""

    path: str  # as given on the command line
    name: str  # file name
    controller: str | None  # the controller's legal name, None when none was found
    statements: int
    date: str | None
    warnings: tuple[str, ...]

    @classmethod
    def of(cls, record: PolicyRecord) -> BuiltPolicy:
        warnings = record.warnings
        if record.controller is None and not any("controller" in w for w in warnings):
            warnings += ("no controller name found",)
        return cls(record.document.path, record.document.name,
                   record.controller.legal_name if record.controller else None, len(record.practices),
                   record.date, warnings)


def fact_counts(record: PolicyRecord) -> Counter[str]:
    """Statements per kind, with negated ones counted separately as "<kind> (negated)"."""
    return Counter(f"{p.kind} (negated)" if p.negated else p.kind for p in record.practices)


@dataclass(frozen=True)
class Built:
    """One policy, extracted and turned into its triples: what the worker hands back and a build writes."""

    policy: BuiltPolicy  # for the summary
    facts: Counter[str]  # statements per kind
    model: str  # the spaCy pipeline that ran
    header: PolicyHeader  # the policy's IRI, source file, content hash and date, for a store
    triples: list[Triple]  # its graph (exactly policy_graph(record)), each triple once
    stored: str | None = None  # when the worker wrote it into the store itself (``kg.cluster``): the outcome ...
    written: int = 0  # ... and the triples it wrote (``triples`` is then left empty)


def built(path: str | Path, extractor: Extractor, metadata: PolicyMetadata | None = None,
          timeout: float | None = TIMEOUT_PER_FILE, document: Callable[[], Document] | None = None) -> Built:
    """``process_file`` within ``timeout`` seconds, and the policy's triples; ``document``: reads the policy
    (a record's), else the file ``path`` is read."""
    with time_budget(timeout, path):
        record = process_file(path, extractor, metadata, document() if document else None)
        return Built(BuiltPolicy.of(record), fact_counts(record), extractor.model, policy_header(record),
                     unique_triples(record))


def as_error(path: str | Path | None, exc: BaseException) -> KgError:
    """Any failure on one file as a ``KgError`` naming it."""
    if isinstance(exc, KgError):
        return exc
    if isinstance(exc, WorkerCrashed):
        return KgError(str(path), f"{exc}: killed, out of memory, or a crash in a native library",
                       hint="build it alone with --jobs 1 to see more")
    # a bug on one policy must not cost the rest of the batch
    return KgError(str(path), f"internal error ({type(exc).__name__}: {exc}); please report it with this file")


class WorkerUnusable(KgError):
    """A worker process could not load the pipeline (no spaCy model, say): the whole build stops."""


# -- a plan's files, in this process or in worker processes --------------------------------------------------
@dataclass(frozen=True)
class Task:
    """One file (or record) to build, with what the worker needs besides the extractor."""

    path: str  # the file, or FILE:LINE for a record
    metadata: PolicyMetadata | None = None  # the file's build-manifest row (a record's own fields)
    timeout: float | None = TIMEOUT_PER_FILE  # seconds the file may take, reading to its triples (time_budget)
    content: bytes | None = None  # a record's text or HTML; None: read the file
    media_type: str = "text/plain"  # a record's
    source: str | None = None  # a record's source name
    digest: str | None = None  # the sha256 of its bytes (PlannedFile.digest)
    wanted: bool = True  # False: the target holds it already (or it repeats an earlier input): never sent
    replace: bool = False  # stored with other manifest values: replaces the stored graph of the same content

    @classmethod
    def of(cls, file: PlannedFile, timeout: float | None = TIMEOUT_PER_FILE) -> Task:
        return cls(str(file.path), file.metadata, timeout, file.content, file.media_type, file.source, file.digest)

    def planned(self) -> PlannedFile:
        """What a sink needs of the input (its content left out)."""
        return PlannedFile(Path(self.path), self.digest, self.metadata, source=self.source)

    def document(self) -> Document:
        """The record's ``Document`` (``content`` given), else the file's."""
        if self.content is None:
            return read_document(self.path)
        return document_of(self.content, self.path, self.source or self.path, self.media_type)


def work(task: Task, extractor: Extractor) -> Built | KgError:
    """``built`` for one task; a failure is returned (picklable, naming the file), not raised."""
    try:
        return built(task.path, extractor, task.metadata, task.timeout, task.document)
    except Exception as exc:
        return as_error(task.path, exc)


_WORKER: dict[str, object] = {}  # per worker process: its Extractor, or the error that kept it from loading


def _init_worker() -> None:
    """Worker initializer: load spaCy and the matchers once; Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _WORKER["extractor"] = new_extractor()
    except Exception as exc:
        error = as_error(None, exc)
        _WORKER["unusable"] = WorkerUnusable(error.path, error.message, error.hint)


def _work_in_worker(task: Task) -> Built | KgError:
    unusable = _WORKER.get("unusable")
    if isinstance(unusable, WorkerUnusable):
        return unusable
    return work(task, _WORKER["extractor"])  # type: ignore[arg-type]  # set by _init_worker


def run(tasks: Iterable[Task], dispatch: Callable[[Task], bool], jobs: int = 1,
        extractor: Extractor | None = None, cluster: Cluster | None = None,
        ) -> Iterator[tuple[Task, Built | KgError | Skipped]]:
    """``(task, result)`` in input order: a ``Built``, the file's ``KgError``, or ``SKIPPED`` for a task that
    ``dispatch`` kept back; in this process (``jobs`` 1, with ``extractor`` if given), in ``jobs`` worker
    processes (0: one per core) or on the workers of a Dask ``cluster`` (``kg.cluster``). Nothing loads spaCy
    until some task is dispatched. A worker that could not start raises ``WorkerUnusable``, as loading the pipeline
    in this process would."""
    if cluster is not None:
        yield from cluster.map(tasks, dispatch)
        return
    jobs = resolve_jobs(jobs)
    if jobs == 1:
        for task in tasks:
            if not dispatch(task):
                yield task, SKIPPED
                continue
            extractor = extractor or new_extractor()
            yield task, work(task, extractor)
        return
    if extractor is not None:
        raise ValueError("an extractor object can only be used in this process (jobs=1)")
    with closing(ordered_map(_work_in_worker, tasks, jobs=jobs, initializer=_init_worker,
                             dispatch=dispatch)) as results:
        for task, value, error in results:
            if isinstance(value, WorkerUnusable):
                raise value
            yield task, (as_error(task.path, error) if error is not None else value)


def graphs_of_files(paths: Sequence[str | Path], extractor: Extractor | None = None) -> list[Graph]:
    """The policy graph of each file, built with the normal pipeline (spaCy loaded once, after every file has been
    read, so an unreadable one fails fast). Raises ``KgError`` naming the file that fails."""
    for path in paths:
        read_document(path)
    extractor = extractor or new_extractor()
    graphs = []
    for path in paths:
        try:
            with time_budget(TIMEOUT_PER_FILE, path):  # as build's default --timeout-per-file
                graphs.append(policy_graph(process_file(path, extractor)))
        except Exception as exc:  # as for a build: name the file, not a traceback
            raise as_error(path, exc) from exc
    return graphs


__all__ = ["TIMEOUT_PER_FILE", "Built", "BuiltPolicy", "Task", "WorkerUnusable", "as_error", "built", "fact_counts",
           "graphs_of_files", "new_extractor", "process_file", "run", "time_budget", "work"]

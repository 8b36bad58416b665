"""The library API: the pipeline wired in one place, and what each CLI command calls.

ingest -> segment -> extract -> normalize -> graph, per file; validate / query / export over the result.
Functions here return result objects and raise ``KgError``; they never print or exit.
"""
from __future__ import annotations

import hashlib
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rdflib import Graph

from kg.errors import KgError, StoreUnavailable, TimedOut
from kg.graph import build_graph, policy_graph, policy_iri, unique_triples
from kg.graphio import RdfStream, ontology_graph, serialize_triples, split_owned
from kg.ingest import discover, read_bounded, read_document
from kg.manifest import load as load_manifest
from kg.model import PolicyMetadata, PolicyRecord
from kg.normalize import normalize
from kg.parallel import SKIPPED, WorkerCrashed, ordered_map, resolve_jobs
from kg.segment import segment

if TYPE_CHECKING:
    from kg.extract import Extractor
    from kg.store import GraphStore

T = TypeVar("T")
# seconds; the largest policy accepted (5 MB) took 93 s as 48,000 sentences, 275 s as words without a sentence end
# (BENCHMARKS.md, hostile input); a real policy about a second
TIMEOUT_PER_FILE = 300.0


@contextmanager
def time_budget(seconds: float | None, path: str | Path) -> Iterator[None]:
    """Raise ``TimedOut`` for ``path`` in this block once ``seconds`` (wall clock) have passed.

    A ``SIGALRM`` interval timer: its handler raises in the main thread between two bytecodes, and the regular
    expression engine checks for signals too, so a runaway match or loop is stopped where it is. Costs two
    ``setitimer`` calls per file. In a thread other than the main one (where signals cannot be handled), or with
    ``seconds`` None or 0, no budget applies; a budget already running outside (nested use) is left alone.
    """
    if not seconds or threading.current_thread() is not threading.main_thread() \
            or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return

    def expired(signum, frame):
        raise TimedOut(str(path), f"took over {seconds:g} s (--timeout-per-file); skipped",
                       hint="if it is a real policy, build it alone with a larger --timeout-per-file")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _new_extractor() -> Extractor:
    """spaCy and the matchers, loaded on first need (imported here, so a parent that only writes what its worker
    processes extracted never loads spaCy at all)."""
    from kg.extract import Extractor

    return Extractor(ontology_graph())


def process_file(path: str | Path, extractor: Extractor, metadata: PolicyMetadata | None = None) -> PolicyRecord:
    """One policy file through every stage up to the graph's input record; ``metadata``: its build-manifest row."""
    document = read_document(path)
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
    )


@dataclass(frozen=True)
class PolicyInfo:
    """What the build summary keeps of one built policy: a few short strings and counts, never the text."""

    path: str  # as given on the command line
    name: str  # file name
    controller: str | None  # the controller's legal name, None when none was found
    statements: int
    date: str | None
    warnings: tuple[str, ...]

    @classmethod
    def of(cls, record: PolicyRecord) -> PolicyInfo:
        warnings = record.warnings
        if record.controller is None and not any("controller" in w for w in warnings):
            warnings += ("no controller name found",)
        return cls(record.document.path, record.document.name,
                   record.controller.legal_name if record.controller else None, len(record.practices),
                   record.date, warnings)


def fact_counts(record: PolicyRecord) -> Counter:
    """Statements per kind, with negated ones counted separately as "<kind> (negated)"."""
    return Counter(f"{p.kind} (negated)" if p.negated else p.kind for p in record.practices)


@dataclass
class BuildSummary:
    """What a build did: counts for the closing summary, and every problem by file.

    Memory stays flat as the corpus grows: per policy only a ``PolicyInfo`` (a few hundred bytes) is kept; the
    documents, records and graphs are dropped as soon as each policy is written.
    """

    model: str = ""
    policies: list[PolicyInfo] = field(default_factory=list)
    failed: list[KgError] = field(default_factory=list)
    facts: Counter = field(default_factory=Counter)  # statements per kind over all built policies
    triples: int = 0
    # store builds only (``build_into_store``): outcome per file
    added: int = 0
    versioned: int = 0  # same file name as a stored policy of another date: kept beside it as a new version
    replaced: int = 0
    unchanged: int = 0  # stored with the same content hash: skipped before reading or extracting
    extracted: int = 0  # files that went through extraction (``process_file``)
    dispatched: int = 0  # files handed to worker processes (``jobs`` > 1)
    manifest_warnings: list[tuple[str, str]] = field(default_factory=list)  # (manifest:line, message)

    def add_policy(self, info: PolicyInfo, facts: Counter) -> None:
        self.policies.append(info)
        self.facts.update(facts)

    @property
    def warnings(self) -> list[tuple[str, str]]:
        return self.manifest_warnings + [(info.path, w) for info in self.policies for w in info.warnings]


def _inputs(inputs: Iterable[str | Path], manifest: str | Path | None,
            summary: BuildSummary) -> tuple[list[Path], dict[Path, PolicyMetadata]]:
    """The policy files under ``inputs`` and each one's manifest row; what cannot be used goes to ``summary.failed``
    (an unreadable manifest raises ``KgError``: nothing is built)."""
    paths, errors = discover(inputs)
    metadata, bad_rows, unmatched = load_manifest(manifest, paths)
    summary.failed.extend(bad_rows + errors)
    summary.manifest_warnings.extend((exc.path, exc.message) for exc in unmatched)
    return paths, metadata


def _as_error(path: str | Path, exc: BaseException) -> KgError:
    if isinstance(exc, KgError):
        return exc
    if isinstance(exc, WorkerCrashed):
        return KgError(str(path), f"{exc}: killed, out of memory, or a crash in a native library",
                       hint="build it alone with --jobs 1 to see more")
    # a bug on one policy must not cost the rest of the batch
    return KgError(str(path), f"internal error ({type(exc).__name__}: {exc}); please report it with this file")


def _guarded(path: Path, summary: BuildSummary, step: Callable[[], T]) -> T | None:
    """Run one file's ``step``; a failure is added to ``summary.failed`` so the rest of the batch goes on (except
    ``StoreUnavailable``: with the store gone, every other file would fail the same way)."""
    try:
        return step()
    except StoreUnavailable:
        raise
    except Exception as exc:
        summary.failed.append(_as_error(path, exc))
    return None


def iter_records(inputs: Iterable[str | Path], summary: BuildSummary,
                 progress: Callable[[Path], None] | None = None,
                 extractor: Extractor | None = None, manifest: str | Path | None = None,
                 timeout: float | None = TIMEOUT_PER_FILE) -> Iterator[PolicyRecord]:
    """Records of every readable policy under ``inputs``; failures go to ``summary.failed``, the rest go on.
    ``manifest``: a build manifest (``kg.manifest``); its bad rows go to ``summary.failed`` too. ``timeout``:
    seconds each file may take (see ``time_budget``)."""
    paths, metadata = _inputs(inputs, manifest, summary)
    if not paths:
        return
    extractor = extractor or _new_extractor()
    summary.model = extractor.model
    for path in paths:
        record = _guarded(path, summary, lambda: _process_in_time(path, extractor, metadata.get(path), timeout))
        if record is not None:
            summary.add_policy(PolicyInfo.of(record), fact_counts(record))
            yield record
        if progress:
            progress(path)


def _process_in_time(path: Path, extractor: Extractor, metadata: PolicyMetadata | None,
                     timeout: float | None) -> PolicyRecord:
    with time_budget(timeout, path):
        return process_file(path, extractor, metadata)


# -- one file, in this process or in a worker -----------------------------------------------------------------
@dataclass(frozen=True)
class _Task:
    path: str
    digest: str | None = None  # sha256 of the file's bytes, when it could be read
    to_turtle: bool = False  # what the parent needs: a Turtle part (``build``) or record + graph (store)
    dedupe_all: bool = False  # Turtle: another input has the same bytes, so even the policy's own triples repeat
    metadata: PolicyMetadata | None = None  # the file's build-manifest row
    timeout: float | None = TIMEOUT_PER_FILE  # seconds the file may take, reading to its graph (``time_budget``)


@dataclass
class _Done:
    """One policy, extracted and turned into its graph, as the parent needs it."""

    info: PolicyInfo
    facts: Counter
    model: str
    record: PolicyRecord | None = None  # store builds: what ``Store.add`` takes ...
    triples: list | None = None  # ... and the policy's triples, each once (``kg.graph.unique_triples``)
    turtle: str = ""  # Turtle builds: the policy's own triples (subjects at or below its IRI) as Turtle ...
    own: int = 0  # ... and how many they are
    shared: list = field(default_factory=list)  # the other triples (controllers, recipients), deduplicated later


@dataclass(frozen=True)
class _Failed:
    """A failure carried back from a worker (a ``KgError`` does not survive pickling as itself)."""

    path: str | None
    message: str
    hint: str | None = None
    fatal: bool = False  # the worker could not start (no spaCy model): the whole build stops, as with jobs=1

    @classmethod
    def of(cls, exc: KgError, fatal: bool = False) -> _Failed:
        return cls(exc.path, exc.message, exc.hint, fatal)

    def error(self) -> KgError:
        return KgError(self.path, self.message, self.hint)


def _work(task: _Task, extractor: Extractor) -> _Done | _Failed:
    """read -> segment -> extract -> normalise -> graph for one file, within ``task.timeout`` seconds; a failure
    is returned, not raised."""
    try:
        with time_budget(task.timeout, task.path):
            record = process_file(task.path, extractor, task.metadata)
            done = _Done(PolicyInfo.of(record), fact_counts(record), extractor.model)
            if not task.to_turtle:
                done.record, done.triples = record, unique_triples(record)
                return done
            graph = policy_graph(record)
            if task.dedupe_all:
                done.shared = list(graph)
            else:
                graph, done.shared = split_owned(graph, str(policy_iri(record.document.doc_id)))
                done.own, done.turtle = len(graph), serialize_triples(graph)
            return done
    except Exception as exc:
        return _Failed.of(_as_error(task.path, exc))


_WORKER: dict = {}  # per worker process: its Extractor, or the error that kept it from loading


def _init_worker() -> None:
    """Worker initializer: load spaCy and the matchers once; Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _WORKER["extractor"] = _new_extractor()
    except Exception as exc:
        _WORKER["fatal"] = _Failed.of(_as_error(None, exc), fatal=True)


def _work_in_worker(task: _Task) -> _Done | _Failed:
    if "fatal" in _WORKER:
        return _WORKER["fatal"]
    return _work(task, _WORKER["extractor"])


def _results(tasks: Iterable[_Task], dispatch: Callable[[_Task], bool], jobs: int,
             extractor: Extractor | None, summary: BuildSummary) -> Iterator[tuple[_Task, object]]:
    """``(task, _Done | _Failed | SKIPPED)`` in input order: in this process (``jobs`` 1) or in worker processes.

    Nothing loads spaCy until some task is dispatched."""
    jobs = resolve_jobs(jobs)
    if jobs == 1:
        for task in tasks:
            if not dispatch(task):
                yield task, SKIPPED
                continue
            extractor = extractor or _new_extractor()
            yield task, _work(task, extractor)
        return
    if extractor is not None:
        raise ValueError("an extractor object can only be used in this process (jobs=1)")

    def counted(task: _Task) -> bool:
        go = dispatch(task)
        summary.dispatched += go
        return go

    with closing(ordered_map(_work_in_worker, tasks, jobs=jobs, initializer=_init_worker,
                             dispatch=counted)) as results:
        for task, value, error in results:
            yield task, (_Failed.of(_as_error(task.path, error)) if error is not None else value)


@contextmanager
def _summary_on_error(summary: BuildSummary) -> Iterator[None]:
    """An error that stops the whole build (the output cannot be written, the store is gone) leaves with
    ``summary`` attached as ``error.summary``: what was done, and every per-file error before it, can still be
    reported."""
    try:
        yield
    except KgError as exc:
        exc.summary = summary
        raise


def _digest(path: Path) -> str | None:
    """sha256 of the file's bytes, read as ``read_document`` reads them (regular files only, at most
    ``MAX_BYTES``): None when it cannot be read that way (the worker's ``read_document`` reports why)."""
    try:
        return hashlib.sha256(read_bounded(path)).hexdigest()
    except KgError:
        return None




def build(inputs: Iterable[str | Path], output: str | Path,
          progress: Callable[[Path], None] | None = None, jobs: int = 1,
          manifest: str | Path | None = None, timeout: float | None = TIMEOUT_PER_FILE) -> BuildSummary:
    """Build the graph of every policy under ``inputs`` and write it to ``output`` as Turtle (atomically).

    ``jobs`` processes extract (0: one per core; 1: this process). The graph is streamed to the file one policy
    at a time (see ``kg.graphio.RdfStream``): the whole corpus's graph is never held in memory, and the file holds the same
    graph as ``build_graph_of``. Nothing is written when no policy could be read; the caller decides the exit code
    from ``summary.failed``. ``progress(path)`` is called after each file, in input order. ``manifest``: a build
    manifest (``kg.manifest``): what it says of a file is recorded in its graph; its bad rows are failures. A file
    that takes over ``timeout`` seconds (None or 0: no limit) is a failure like any other (``TimedOut``).
    """
    summary = BuildSummary()
    paths, metadata = _inputs(inputs, manifest, summary)
    digests = [_digest(p) for p in paths]
    repeated = {d for d, n in Counter(digests).items() if d is not None and n > 1}
    tasks = (_Task(str(p), d, to_turtle=True, dedupe_all=d in repeated, metadata=metadata.get(p), timeout=timeout)
             for p, d in zip(paths, digests))
    out = RdfStream(output)
    try:
        with _summary_on_error(summary):
            for task, result in _results(tasks, lambda task: True, jobs, None, summary):
                if isinstance(result, _Failed):
                    if result.fatal:
                        raise result.error()
                    summary.failed.append(result.error())
                else:
                    summary.model = result.model
                    out.add(result.turtle, result.own, result.shared)
                    summary.add_policy(result.info, result.facts)
                if progress:
                    progress(Path(task.path))
            if summary.policies:
                out.commit()
                summary.triples = out.triples
    finally:
        out.discard()
    return summary


def _metadata_values(metadata: PolicyMetadata | None) -> tuple[str | None, ...]:
    """What a manifest row puts in a policy's graph, to compare with what a store holds (``_stored_metadata``)."""
    m = metadata or PolicyMetadata()
    return m.controller, m.url, m.jurisdiction, m.retrieved


def _stored_metadata(store: GraphStore, digest: str) -> tuple[str | None, ...]:
    """``_metadata_values`` of the stored policy with this content hash (all None where none was given)."""
    from rdflib import Literal

    rows = store.query(
        "SELECT ?name ?url ?j ?r WHERE { ?p ppkg:contentHash ?h . "
        "OPTIONAL { ?p ppkg:publisherNameSource ppkg:NameFromManifest ; dct:publisher/dpv:hasName ?name } "
        "OPTIONAL { ?p ppkg:sourceUrl ?url } OPTIONAL { ?p ppkg:jurisdiction ?j } "
        "OPTIONAL { ?p ppkg:retrievedOn ?r } } LIMIT 1", {"h": Literal(digest)})
    row = rows.rows[0] if rows.rows else None
    return tuple(str(v) if v is not None else None for v in row) if row else (None, None, None, None)


FLUSH_EVERY = 50_000  # triples written into a store between flushes of its write buffers


def _flusher(store: GraphStore) -> Callable[[], None] | None:
    """The store's flush, if it has one. An Oxigraph folder keeps writes in RocksDB's in-memory write buffers
    until they fill: without flushing, a build's peak RSS grew from 440 MB at 100 policies to 1,262 MB at 1,000
    (BENCHMARKS.md); flushed every ``FLUSH_EVERY`` triples, 363 and 406 MB. A SPARQL server store has no flush."""
    flush = getattr(store, "flush", None)
    return flush if callable(flush) else None


def build_into_store(inputs: Iterable[str | Path], store: GraphStore,
                     progress: Callable[[Path], None] | None = None,
                     extractor: Extractor | None = None, jobs: int = 1,
                     manifest: str | Path | None = None, timeout: float | None = TIMEOUT_PER_FILE) -> BuildSummary:
    """Add every policy under ``inputs`` to ``store`` (a ``kg.store.Store`` folder or a ``kg.endpoint.EndpointStore``
    SPARQL server), one transaction per policy.

    A file whose sha256 (of its bytes) is already stored, or repeats an earlier file of the batch, is skipped
    before it is read, segmented or extracted (``summary.unchanged``) and never sent to a worker; spaCy is loaded
    only when some file needs extracting. A changed file replaces the policy stored under the same file name
    (``summary.replaced``) unless both are dated and the dates differ: then it is kept beside it as a new version
    (``summary.versioned``; see ``kg.store._plan_add``); a new one is added (``summary.added``).
    ``jobs`` processes extract (0: one per core; 1: this process, with ``extractor`` if given); this process writes
    every policy to the store, in input order.
    ``progress(path)`` is called after each file is committed (or skipped, or failed). ``manifest``: a build
    manifest (``kg.manifest``); a stored file whose manifest row says something else than its stored graph is
    extracted again and replaces it. ``timeout``: as for ``build``.
    """
    summary = BuildSummary()
    paths, metadata = _inputs(inputs, manifest, summary)
    known = store.known_hashes()  # grows as policies are stored
    first: dict[str, str] = {}  # digest -> the first file of this batch with those bytes
    refresh: set[str] = set()  # digests stored with other manifest values: extracted again, replaced in place

    def dispatch(task: _Task) -> bool:
        if task.digest is None:
            return True  # unreadable: the worker reports why
        if task.digest in first:
            return False
        if task.digest in known:
            if task.metadata is None or _stored_metadata(store, task.digest) == _metadata_values(task.metadata):
                return False
            refresh.add(task.digest)
        first[task.digest] = task.path
        return True

    flush, unflushed = _flusher(store), 0
    tasks = (_Task(str(p), _digest(p), metadata=metadata.get(p), timeout=timeout) for p in paths)
    with _summary_on_error(summary):
        for task, result in _results(tasks, dispatch, jobs, extractor, summary):
            path = Path(task.path)
            if result is SKIPPED:
                if task.digest in known:
                    summary.unchanged += 1
                else:
                    summary.failed.append(KgError(task.path, f"same content as {first[task.digest]}, which was not "
                                                             "stored (see its error)"))
            elif isinstance(result, _Failed):
                if result.fatal:
                    raise result.error()
                summary.failed.append(result.error())
            else:
                summary.model = result.model
                summary.extracted += 1
                replace = result.record.document.sha256 in refresh
                outcome = _guarded(path, summary, lambda: store.add(result.record, result.triples, replace_same=replace))
                if outcome is not None:
                    summary.add_policy(result.info, result.facts)
                    if outcome == "unchanged":
                        summary.unchanged += 1
                    else:
                        setattr(summary, outcome, getattr(summary, outcome) + 1)
                        summary.triples += len(result.triples)
                        unflushed += len(result.triples)
                    known.add(result.record.document.sha256)
                    if flush is not None and unflushed >= FLUSH_EVERY:
                        flush()
                        unflushed = 0
            if progress:
                progress(path)
    return summary


def build_graph_of(inputs: Iterable[str | Path], manifest: str | Path | None = None) -> tuple[Graph, BuildSummary]:
    """Like ``build`` but returns the graph instead of writing it (for tests and library users)."""
    summary = BuildSummary()
    graph = build_graph(iter_records(inputs, summary, manifest=manifest))
    summary.triples = len(graph)
    return graph, summary


def graphs_of_files(paths: Sequence[str | Path], extractor=None) -> list[Graph]:
    """The policy graph of each file, built with the normal pipeline (spaCy loaded once, after every file has been
    read, so an unreadable one fails fast). Raises ``KgError`` naming the file that fails."""
    for path in paths:
        read_document(path)
    extractor = extractor or _new_extractor()
    graphs = []
    for path in paths:
        try:
            with time_budget(TIMEOUT_PER_FILE, path):  # as build's default --timeout-per-file
                graphs.append(policy_graph(process_file(path, extractor)))
        except Exception as exc:  # as for a build: name the file, not a traceback
            raise _as_error(path, exc) from exc
    return graphs


__all__ = ["TIMEOUT_PER_FILE", "BuildSummary", "PolicyInfo", "build", "build_graph_of", "build_into_store",
           "fact_counts", "graphs_of_files", "iter_records", "policy_graph", "process_file", "time_budget"]

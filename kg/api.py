"""The library API: what privacy-kg does, as functions over a ``Source``, each returning a result object.

Build: ``build(inputs, target)`` finds the policy files under ``inputs`` and hashes each once (``plan``), runs
every file the target needs through the pipeline (``kg.pipeline``: read -> segment -> extract -> normalise -> the
policy's triples, in ``jobs`` processes) and writes each policy, as soon as it is built, into the target's sink
(``kg.sinks``: a Turtle file, a store folder or SPARQL server, or a graph in memory).

Read: ``open_source(...)`` names the graph (a file, a store folder or a SPARQL server, ``latest`` or not); then
``validate``, ``query`` (a packaged query by name, a file or the text of one; ``explain``), ``export``,
``network``, ``report``, ``versions``, ``diff`` and ``remove``. ``concepts``: the ontology's vocabulary (no source).

Nothing here prints or exits: errors are ``KgError``s (``kg.errors``) naming the file or value concerned.
"""
from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef

from kg.compare import FORMATS as DIFF_FORMATS
from kg.compare import PolicyDiff, diff_policies
from kg.concept_list import BY_EXTENSION as CONCEPT_EXTENSIONS
from kg.concept_list import FORMATS as CONCEPT_FORMATS
from kg.concept_list import ConceptRow, Scheme, render_concepts, render_schemes
from kg.errors import (BadArguments, ClusterError, ClusterGone, KgError, OutputError, StoreUnavailable, UnknownName,
                       visible)
from kg.exporters import EXPORTERS, STREAMED, VOCABULARIES, export_graph, export_policies, in_vocabulary
from kg.graphio import FORMATS as GRAPH_FORMATS
from kg.graphio import write_atomic
from kg.history import FORMATS as VERSION_FORMATS
from kg.history import VERSIONS_QUERY, Controller, controller_named, find_version, list_versions, render_versions
from kg.ingest import discover, read_bounded
from kg.manifest import BadManifest
from kg.manifest import load as load_manifest
from kg.parallel import resolve_jobs
from kg.pipeline import (TIMEOUT_PER_FILE, Built, BuiltPolicy, Task, as_error, graphs_of_files, process_file, run,
                         time_budget)
from kg.records import Records
from kg.shacl import FAIL_ON, PROFILES, Validation, validate_graphs
from kg.shacl.render import FORMATS
from kg.sinks import GraphSink, PlannedFile, Sink, StoreSink, TurtleSink
from kg.sources import GraphSource, Source, StoreSource, open_source, open_store, open_target
from kg.sparql import FORMATTERS, QueryResult, QuerySpec, Value, bind_params, list_queries, parse_spec, resolve_query
from kg.sparql import explain as explain_query

if TYPE_CHECKING:
    from kg.cluster import Cluster
    from kg.corrections import Review
    from kg.extract import Extractor
    from kg.sharing import NetworkResult

LOG = logging.getLogger(__name__)  # debug lines: what each file and query took (privacy-kg -v)
VALIDATION_FORMATS = FORMATS  # text, markdown, turtle (the report), csv (the matrices), json (everything)
QUERY_FORMATS = tuple(FORMATTERS)
EXPORT_FORMATS = tuple(EXPORTERS)
EXPORT_EXTENSIONS = {ext: fmt for fmt, (_, ext) in EXPORTERS.items()} | {".json": "jsonld"}  # export -o: the format
GRAPH_EXTENSIONS = tuple(GRAPH_FORMATS)  # the graph files the reading commands take


# -- build ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """The files a build will read, each hashed once, and what went wrong finding them."""

    files: tuple[PlannedFile, ...]
    errors: tuple[KgError, ...] = ()  # inputs with no policy file, bad manifest rows
    warnings: tuple[tuple[str, str], ...] = ()  # (manifest:line, message): rows that match no input file
    records: Records | None = None  # a records file (``kg.records``), read as a stream after the files

    def __len__(self) -> int:
        return len(self.files)

    @property
    def total(self) -> int | None:
        """How many policies the build reads: None with a records file (not counted before it is read)."""
        return None if self.records is not None else len(self.files)

    def __iter__(self) -> Iterator[PlannedFile | KgError]:
        """The files, then the records (a bad record is its ``KgError``, in its place)."""
        yield from self.files
        if self.records is not None:
            yield from self.records

    @property
    def repeated(self) -> set[str]:
        """The digests of files (and records) whose bytes another input repeats (reads a records file through)."""
        counts = Counter(f.digest for f in self.files if f.digest is not None)
        if self.records is not None:
            counts.update(self.records.digests())
        return {d for d, n in counts.items() if n > 1}


def plan(inputs: Iterable[str | Path], manifest: str | Path | None = None,
         records: str | Path | None = None) -> Plan:
    """The policy files under ``inputs`` (files and folders, ``kg.ingest.discover``), each with the sha256 of its
    bytes and its row of the build ``manifest`` (``kg.manifest``), and the ``records`` file (JSON Lines, gzip or
    not: ``kg.records``), read later as a stream. An unreadable manifest or records file raises ``KgError``."""
    inputs = list(inputs)
    if not inputs and records is None:
        raise BadArguments(None, "give policy files or folders, or --records FILE")
    paths, errors = discover(inputs)
    metadata, bad_rows, unmatched = load_manifest(manifest, paths)
    return Plan(tuple(PlannedFile(p, _digest(p), metadata.get(p)) for p in paths), tuple(bad_rows + errors),
                tuple((w.path or "", w.message) for w in unmatched), Records(records) if records else None)


def _digest(path: Path) -> str | None:
    """sha256 of the file's bytes, read as ``read_document`` reads them (regular files only, at most
    ``MAX_BYTES``): None when it cannot be read that way (the pipeline reports why)."""
    try:
        return hashlib.sha256(read_bounded(path)).hexdigest()
    except KgError:
        return None


@dataclass
class BuildSummary:
    """What a build did: counts for the closing summary, and every problem by file.

    Memory stays flat as the corpus grows: per policy only a ``BuiltPolicy`` (a few hundred bytes) is kept; the
    documents, records and graphs are dropped as soon as each policy is written.
    """

    target: str = ""  # the file, folder or URL written
    into_store: bool = False
    stored: int = 0  # policies in the store after the build
    model: str = ""
    policies: list[BuiltPolicy] = field(default_factory=list)
    failed: list[KgError] = field(default_factory=list)
    facts: Counter[str] = field(default_factory=Counter)  # statements per kind over all built policies
    triples: int = 0
    added: int = 0  # outcome per file
    versioned: int = 0  # same file name as a stored policy of another date: kept beside it as a new version
    replaced: int = 0
    unchanged: int = 0  # stored with the same content hash: skipped before reading or extracting
    extracted: int = 0  # files that went through extraction (``kg.pipeline.process_file``)
    dispatched: int = 0  # files handed to worker processes (``jobs`` > 1)
    manifest_warnings: list[tuple[str, str]] = field(default_factory=list)  # (manifest:line, message)

    def add_policy(self, info: BuiltPolicy, facts: Counter[str]) -> None:
        self.policies.append(info)
        self.facts.update(facts)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def warnings(self) -> list[tuple[str, str]]:
        return self.manifest_warnings + [(info.path, w) for info in self.policies for w in info.warnings]

    @property
    def bad_manifest_rows(self) -> int:
        return sum(isinstance(exc, BadManifest) for exc in self.failed)


def build(inputs: Iterable[str | Path] | Plan, target: Source | str | Path, *, jobs: int = 1,
          manifest: str | Path | None = None, timeout: float | None = TIMEOUT_PER_FILE,
          progress: Callable[[Path], None] | None = None, extractor: Extractor | None = None,
          dask: str | None = None, notice: Callable[[str], None] | None = None) -> BuildSummary:
    """Build the graph of every policy under ``inputs`` (files and folders, or a ``plan``) into ``target``: a
    Turtle file (a path, or ``open_target(output)``: written atomically, nothing when no policy could be read), a
    store (``open_target(store=...)`` / ``open_store``) or a graph in memory (``GraphSource(Graph())``).

    Policy by policy, in input order: each file the target needs (a store skips the ones it holds, by content
    hash, before reading them) goes through ``kg.pipeline`` in this process or in ``jobs`` worker processes (0:
    one per core), within ``timeout`` seconds (None or 0: no limit); its triples are written at once, so memory
    does not grow with the corpus. A file that fails is added to ``summary.failed`` and the build goes on; a build
    that cannot go on (the output cannot be written, the store is gone, spaCy cannot load) raises ``KgError``
    with what it did before in ``error.earlier`` and ``error.note``. ``manifest``: a build manifest
    (``kg.manifest``); its bad rows are failures. ``progress(path)`` is called after each file.

    ``dask``: extract on a Dask cluster instead (``kg.cluster``: a scheduler's address, or ``local:N`` for N worker
    processes here), started when a first policy is sent; with a SPARQL server as the target the workers write each
    policy to it themselves. ``notice(line)`` is told which cluster (and its dashboard) when it starts. A plan with
    records (``plan(records=...)``) streams them: a bad record is a failure naming its line; the build goes on.
    """
    files = inputs if isinstance(inputs, Plan) else plan(inputs, manifest)
    target = target if isinstance(target, Source) else GraphSource(path=target)
    if dask is not None and (resolve_jobs(jobs) > 1 or extractor is not None):
        raise BadArguments(None, "--dask runs the extraction on the cluster's workers: give it without --jobs")
    summary = BuildSummary(target=target.location, into_store=isinstance(target, StoreSource),
                           failed=list(files.errors), manifest_warnings=list(files.warnings))
    sink = _sink(target, files)
    parallel = dask is not None or resolve_jobs(jobs) > 1

    def tasks() -> Iterator[Task]:
        for item in files:
            if isinstance(item, KgError):  # a bad record
                summary.failed.append(item)
                continue
            go = sink.wants(item)
            yield replace(Task.of(item, timeout), wanted=go,
                          replace=go and isinstance(sink, StoreSink) and sink.replaces(item))

    def wanted(task: Task) -> bool:
        summary.dispatched += task.wanted and parallel
        return task.wanted

    try:
        with _stops(summary, target), _cluster(dask, target, notice) as cluster:
            started = time.monotonic()
            for task, result in run(tasks(), wanted, jobs, extractor, cluster):
                _record(summary, sink, task.planned(), result)
                LOG.debug("%s: %s, %.1f s into the build", task.path, "built" if isinstance(result, Built) else
                          "failed" if isinstance(result, KgError) else "kept as stored", time.monotonic() - started)
                if progress:
                    progress(Path(task.path))
            if summary.policies:
                sink.commit()
            summary.triples = sink.triples
            if isinstance(target, StoreSource):
                summary.stored = len(target.store)
    finally:
        sink.close()
    return summary


@contextmanager
def _cluster(address: str | None, target: Source,
             notice: Callable[[str], None] | None) -> Iterator[Cluster | None]:
    """The Dask cluster at ``address`` (``kg.cluster.connect``: started when a first policy is sent), or None; its
    workers write to the target when it is a SPARQL server."""
    if address is None:
        yield None
        return
    try:
        from kg.cluster import connect
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("dask", "distributed"):
            raise
        raise ClusterError(address, "Dask is not installed",
                           hint="install it with: pip install 'privacy-kg[dask]'") from None
    writer = getattr(target.store, "spec", None) if isinstance(target, StoreSource) else None
    with connect(address, writer, notice) as cluster:
        yield cluster


def _sink(target: Source, files: Plan) -> Sink:
    if isinstance(target, StoreSource):
        return StoreSink(target.store)
    assert isinstance(target, GraphSource)
    if target.path is not None:
        return TurtleSink(target.path, files.repeated)
    return GraphSink(target.graph)


def _record(summary: BuildSummary, sink: Sink, file: PlannedFile, result: Built | KgError | object) -> None:
    """What happened to one file, written and counted."""
    if isinstance(result, StoreUnavailable):
        raise result  # a worker could not reach the store (kg.cluster): every other file would fail the same way
    if isinstance(result, KgError):
        summary.failed.append(result)
    elif not isinstance(result, Built):  # kept back by the sink
        outcome = sink.skipped(file)
        if isinstance(outcome, KgError):
            summary.failed.append(outcome)
        else:
            summary.count(outcome)
    else:
        summary.model = result.model
        summary.extracted += 1
        try:
            summary.count(sink.write(result))
        except (StoreUnavailable, OutputError):
            raise  # with the store gone or the output unwritable, every other file would fail the same way
        except Exception as exc:  # this policy could not be written; the next one may be
            summary.failed.append(as_error(file.path, exc))
            return
        summary.add_policy(result.policy, result.facts)


@contextmanager
def _stops(summary: BuildSummary, target: Source) -> Iterator[None]:
    """An error that stops the whole build leaves with what the build reported before it (``earlier``) and, for
    a store, how many policies it stored whole before (``note``; when the cluster went away, how many the store
    holds now, too: workers writing to a SPARQL server may have stored more than the client heard of)."""
    try:
        yield
    except KgError as exc:
        exc.earlier = list(summary.failed)
        if summary.into_store and (summary.policies or isinstance(exc, ClusterGone)):
            exc.note = f"stopped; {len(summary.policies)} policies of this run were stored whole before it"
        if summary.into_store and isinstance(exc, ClusterGone) and isinstance(target, StoreSource):
            with suppress(KgError):
                exc.note = f"{exc.note}; {len(target.store)} policies are stored in all; the same command goes on"
        raise


def build_graph_of(inputs: Iterable[str | Path], manifest: str | Path | None = None,
                   extractor: Extractor | None = None) -> tuple[Graph, BuildSummary]:
    """Like ``build`` into a graph in memory, in this process: the graph and the summary."""
    graph = Graph()
    summary = build(inputs, GraphSource(graph), manifest=manifest, extractor=extractor)
    return graph, summary


# -- reading a source -------------------------------------------------------------------------------------------
def validate(source: Source, profile: str = "all") -> Validation:
    """Check the policies against the SHACL shapes of ``profile`` (``PROFILES``: core, gdpr, ccpa, all), one policy
    graph at a time: the results, the companies x requirements matrices and the policy labels (``Validation``:
    ``.conforms``, ``.fails(fail_on)``, ``.render(fmt)``, ``.to_turtle()``)."""
    return validate_graphs(source.validation_parts(), profile)


def query(source: Source, query: str | Path | QuerySpec, params: Mapping[str, Value] | Iterable[str] | None = None, *,
          explain: bool = False, limit: int | None = None, offset: int = 0) -> QueryResult:
    """Run a query where the data is: a packaged query by name (``list_queries()``), a ``.rq`` file, or the text
    of a SELECT query. ``params``: values for the parameters its header declares (text as typed on the command
    line, or Python numbers, booleans, dates, rdflib terms; or ``NAME=VALUE`` strings); the others take their
    defaults. With ``explain``,
    each row comes with the evidence sentences behind it (``result.explained``). ``limit`` and ``offset``: only
    rows ``offset`` to ``offset + limit`` of the answer, in its order (a store pages through its policies for the
    queries that list rows: ``Source.select_page``).
    ``result.dicts()`` gives the rows as plain Python values, ``result.format(fmt)`` as text."""
    if (limit is not None and limit < 0) or offset < 0:
        raise BadArguments(None, "--limit and --offset take a number >= 0")
    spec = resolve_query(query)
    bindings = bind_params(spec, params)
    started = time.monotonic()
    if explain:
        result = explain_query(source.select, spec, bindings)
        result = result if limit is None and not offset else result.page(limit, offset)
    elif limit is None and not offset:
        result = source.select(spec, bindings)
    else:
        result = source.select_page(spec, bindings, limit, offset)
    LOG.debug("query %s over %s: %d rows in %.2f s", spec.name, source.location, len(result.rows),
              time.monotonic() - started)
    return result


@dataclass(frozen=True)
class Written:
    """A file a command wrote: where, in which format, how many triples (or policies, for a report)."""

    path: Path
    format: str
    count: int = 0


def export(source: Source, fmt: str, path: str | Path, vocabulary: str = "ours",
           context: str | Path | None = None) -> Written:
    """Write the graph in ``fmt`` (``EXPORT_FORMATS``) to ``path``, atomically, with the DPV match triples of the
    concepts it uses (``vocabulary="ours"``) or in DPV 2.3's terms (``"dpv"``, ``kg.dpv.to_dpv``); JSON-LD is
    compacted with the published ``@context`` or the one in the file ``context``. From a store, Turtle, N-Triples
    and TriG are written one stored policy at a time (memory stays flat; TriG keeps the store's own named graphs, one
    per policy); the other formats, and any format from a graph file, serialise the whole graph."""
    from kg.jsonld import load_context

    if fmt not in EXPORTERS:
        raise UnknownName(fmt, "unknown export format", hint=f"choose one of {', '.join(EXPORTERS)}")
    if vocabulary not in VOCABULARIES:
        raise UnknownName(vocabulary, "unknown vocabulary", hint=f"choose one of {', '.join(VOCABULARIES)}")
    if context is not None and fmt != "jsonld":
        raise BadArguments(context, "--context is for --format jsonld only")
    ctx = load_context(context) if context is not None else None
    if isinstance(source, StoreSource) and fmt in STREAMED:
        graphs = ((iri, in_vocabulary(g, vocabulary)) for iri, g in source.named_graphs())
        return Written(Path(path), fmt, export_policies(graphs, fmt, path))
    graph = in_vocabulary(source.union(), vocabulary)
    export_graph(graph, fmt, path, ctx)
    return Written(Path(path), fmt, len(graph))


def network(source: Source) -> NetworkResult:
    """Who shares with whom: the company-recipient and company-category graphs, shared recipients, similarity,
    centrality (``kg.sharing``), read one policy graph at a time."""
    from kg.sharing import analyse  # networkx is loaded by the commands that draw graphs only

    return analyse(source.graphs())


def report(source: Source, path: str | Path, profile: str | None = None) -> Written:
    """Write a self-contained HTML report of the policies to ``path`` (atomically); with ``profile``, validated
    with it and with the completeness section."""
    from kg.html_report import render_html  # networkx is loaded by the commands that draw graphs only

    validation = validate_graphs(source.graphs(), profile) if profile else None
    write_atomic(path, render_html(source.union(), validation))
    return Written(Path(path), "html", len(source.policies()))


@dataclass(frozen=True)
class Versions:
    """Controllers, each with its policies ordered by date (``kg.history``)."""

    controllers: tuple[Controller, ...]

    def render(self, fmt: str = "text") -> str:
        """``text``, ``markdown`` or ``json`` (``VERSION_FORMATS``)."""
        return render_versions(list(self.controllers), fmt)


def versions(source: Source, controller: str | None = None) -> Versions:
    """Every controller's policies (or only those of ``controller``: its name, part of it, or its IRI) ordered by
    policy date, oldest first."""
    found = _controllers(source)
    return Versions(tuple([controller_named(found, controller)] if controller else found))


def _controllers(source: Source) -> list[Controller]:
    return list_versions(source.select(parse_spec("versions", VERSIONS_QUERY)))


def diff(old: str | Path | None = None, new: str | Path | None = None, *, source: Source | None = None,
         controller: str | None = None) -> PolicyDiff:
    """The practices added, removed and changed from policy ``old`` to policy ``new``, and the controller facts
    that differ (``kg.compare``; ``.differs``, ``.render(fmt)``).

    Without ``source``, ``old`` and ``new`` are policy files, built on the fly. With a ``source`` (a store), they
    name stored policies (source file, ``SOURCE@DATE`` or policy IRI), or ``controller`` names a controller whose
    two latest versions are compared."""
    if source is None:
        if controller:
            raise BadArguments(None, "--controller needs --store DIR or --endpoint URL")
        if not (old and new):
            raise BadArguments(None, "give two policies OLD NEW (files, or stored ones with --store DIR), "
                                     "or --store DIR --controller NAME")
        before, after = graphs_of_files([old, new])
        return diff_policies(before, after)
    if controller and (old or new):
        raise BadArguments(None, "give OLD and NEW, or --controller NAME, not both")
    if not controller and not (old and new):
        raise BadArguments(None, "give two policies OLD NEW (files, or stored ones with --store DIR), "
                                 "or --store DIR --controller NAME")
    controllers = _controllers(source)
    if controller:
        found = controller_named(controllers, controller)
        if len(found.versions) < 2:
            raise KgError(controller, f"{found.name} has {len(found.versions)} stored version(s); a diff needs two",
                          hint="list them with: privacy-kg versions --store DIR")
        pair = list(found.versions[-2:])
    else:
        every = [v for c in controllers for v in c.versions]
        pair = [find_version(every, str(old)), find_version(every, str(new))]
    a, b = pair
    return diff_policies(source.policy_graph(a.iri), source.policy_graph(b.iri), a.iri, b.iri)


def review(source: Source, statement: str, verdict: str, comment: str = "", reviewer: str = "") -> Review:
    """Record a reviewer's ``verdict`` ("wrong" or "confirmed") on the fact ``statement`` (its IRI), with a comment,
    where the source keeps reviews (``kg.corrections``: beside a graph file, or in a store's corrections graph);
    ``BadReview`` when the statement is not in the graph or the verdict is unknown."""
    from kg.corrections import BadReview, new_review
    from kg.view import evidence_of

    policy = next((p for p in source.policies() if statement.startswith(p + "/")), None)
    graph = source.policy_graph(policy) if policy is not None else None
    if policy is None or graph is None or (URIRef(statement), None, None) not in graph:
        raise BadReview(statement, "no such statement in the graph")
    label = "; ".join(dict.fromkeys(e.text for e in evidence_of(graph, URIRef(statement))))
    made = new_review(statement, verdict, comment, reviewer, policy=policy, label=label)
    source.add_review(made)
    return made


def serve(source: Source, *, host: str = "127.0.0.1", port: int = 8080, texts: Iterable[str | Path] = (),
          sparql_timeout: float = 30.0, sparql_row_limit: int = 10_000, cache: str | Path | None = None) -> None:
    """Run the web app (``kg.web``) over ``source`` on ``host``:``port`` until interrupted: pages, ``/sparql`` (with
    its time and row limits) and reviews. ``texts``: folders of the policy files, to show a fact in its policy's
    full text. ``cache``: a folder where the app keeps what it computes at start (practice cards, the packaged
    questions' answers, the network, the completeness matrices), by the state of the source, so the next start over
    the same policies is ready at once; None: not kept."""
    import uvicorn

    from kg.web import create_app
    from kg.web.data import Data

    app = create_app(Data(source, texts=[Path(t) for t in texts], cache_dir=Path(cache) if cache else None),
                     sparql_limits={"timeout": sparql_timeout, "row_limit": sparql_row_limit})
    uvicorn.run(app, host=host, port=port, log_level="warning")


@dataclass(frozen=True)
class Removed:
    """A policy dropped from a store, and how many are left."""

    ref: str
    location: str
    left: int


def remove(source: StoreSource, ref: str) -> Removed:
    """Drop the policy stored under the source file name or policy IRI ``ref``, in one update request."""
    if not isinstance(source, StoreSource):
        raise BadArguments(None, "give --store DIR or --endpoint URL (exactly one)")
    if not source.store.remove(ref):
        raise UnknownName(ref, f"no such policy in {source.location}",
                          hint=f"the stored policies are listed by: privacy-kg query controllers {source.option}")
    return Removed(ref, source.location, len(source.store))


@dataclass(frozen=True)
class Concepts:
    """The vocabulary asked for (``kg.concept_list``): the schemes (``scheme``/``search`` not given), or the
    concepts of ``scheme`` as a tree, or those whose labels hold ``search``."""

    schemes: tuple[Scheme, ...]
    concepts: tuple[ConceptRow, ...] = ()
    scheme: Scheme | None = None
    search: str | None = None

    @property
    def lists_schemes(self) -> bool:
        return self.scheme is None and self.search is None

    def render(self, fmt: str = "table", width: int | None = None) -> str:
        """``table`` (cut to ``width`` when given; a search's with the scheme of each concept), ``csv``, ``tsv``
        or ``json`` (``CONCEPT_FORMATS``)."""
        if self.lists_schemes:
            return render_schemes(self.schemes, fmt, width)
        return render_concepts(list(self.concepts), fmt, width, scheme=self.search is not None)


def concepts(scheme: str | None = None, search: str | None = None) -> Concepts:
    """The ontology's concept schemes; with ``scheme`` (its name ``data-category``, prefix ``dc``, label or IRI)
    its concepts as a tree; with ``search`` the concepts (of ``scheme``, else of all) whose labels hold the word.
    An unknown scheme or a word no label holds: ``UnknownConcept`` with "did you mean"."""
    from kg import concept_list

    found = concept_list.scheme_named(scheme) if scheme is not None else None
    if search is not None:
        rows = concept_list.search(search, found)
    elif found is not None:
        rows = concept_list.tree(found)
    else:
        rows = []
    return Concepts(concept_list.schemes(), tuple(rows), found, search)


__all__ = ["DIFF_FORMATS", "EXPORT_EXTENSIONS", "EXPORT_FORMATS", "GRAPH_EXTENSIONS", "FAIL_ON", "PROFILES",
           "QUERY_FORMATS", "TIMEOUT_PER_FILE", "VALIDATION_FORMATS", "VERSION_FORMATS", "VOCABULARIES",
           "BadArguments", "BuildSummary", "BuiltPolicy", "KgError", "Plan",
           "PolicyDiff", "QueryResult", "Removed", "Source", "GraphSource", "StoreSource", "Validation", "Versions",
           "Written", "build", "build_graph_of", "diff", "export", "graphs_of_files", "list_queries", "network",
           "open_source", "open_store", "open_target", "plan", "process_file", "query", "remove", "report",
           "review", "serve", "time_budget", "validate",
           "versions", "visible",
           "CONCEPT_EXTENSIONS", "CONCEPT_FORMATS", "ConceptRow", "Concepts", "Scheme", "concepts"]

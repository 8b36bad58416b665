"""Where a build writes each policy as it is built: a Turtle file, a store (folder or SPARQL server), or an rdflib
graph in memory. Each sink says which files it needs extracted at all (``wants``), writes one policy's triples
(``write``), and keeps or drops the whole at the end (``commit`` / ``close``)."""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

from rdflib import Graph, Literal

from kg.errors import KgError
from kg.graphio import RdfStream, owned_by, serialize_triples
from kg.model import PlannedFile, PolicyMetadata
from kg.pipeline import Built
from kg.store import GraphStore

FLUSH_EVERY = 50_000  # triples written into a store between flushes of its write buffers


class Sink(Protocol):
    triples: int  # triples written

    def wants(self, file: PlannedFile) -> bool:
        """Whether ``file`` must be extracted (called in input order, before it is)."""

    def skipped(self, file: PlannedFile) -> str | KgError:
        """The outcome of a file ``wants`` kept back: "unchanged", or why it was not built."""

    def write(self, built: Built) -> str:
        """Write one policy: "added", "replaced", "versioned" or "unchanged"."""

    def commit(self) -> None:
        """Keep what was written (called once, when at least one policy was built)."""

    def close(self) -> None:
        """Release the target; what ``commit`` did not keep is dropped."""


class _EveryFile:
    """A sink that needs every file extracted (it keeps nothing from earlier builds)."""

    def wants(self, file: PlannedFile) -> bool:
        return True

    def skipped(self, file: PlannedFile) -> str | KgError:
        raise AssertionError(f"{type(self).__name__} extracts every file")


class TurtleSink(_EveryFile):
    """A Turtle file, written one policy at a time into a temporary file and renamed over ``path`` by ``commit``
    (``kg.graphio.RdfStream``): the whole graph is never held in memory.

    A policy's own triples (its IRI and the IRIs below it) are written as they come; the triples of nodes several
    policies share (controllers, recipients) once each. Files with the same bytes (``repeated`` digests) have the
    same policy IRI, so all their triples go through that check. A path ending in ``.nt`` gets N-Triples."""

    def __init__(self, path: str | Path, repeated: set[str]):
        self.format = "nt" if Path(path).suffix.lower() == ".nt" else "turtle"
        self.stream = RdfStream(path, self.format)
        self.repeated = repeated
        self.triples = 0

    def write(self, built: Built) -> str:
        if built.header.sha256 in self.repeated:
            self.stream.add("", 0, built.triples)
        else:
            own = [t for t in built.triples if owned_by(t[0], built.header.iri)]
            shared = [t for t in built.triples if not owned_by(t[0], built.header.iri)]
            self.stream.add(serialize_triples(own, self.format), len(own), shared)
        return "added"

    def commit(self) -> None:
        self.stream.commit()
        self.triples = self.stream.triples

    def close(self) -> None:
        self.stream.discard()


class StoreSink:
    """A store (``kg.store.Store`` folder or ``kg.endpoint.EndpointStore``), one transaction per policy.

    A file whose sha256 is already stored, or repeats an earlier file of the build, is not extracted at all
    ("unchanged"), unless its build-manifest row says something else than its stored graph: then it is extracted
    again and replaces it. Whether a new one is added, replaces a stored one or is kept beside it as another version
    is the store's decision (``kg.store._plan_add``)."""

    def __init__(self, store: GraphStore):
        self.store = store
        self.known = store.known_hashes()  # grows as policies are stored
        self.first: dict[str, Path] = {}  # digest -> the first file of this build with those bytes
        self.refresh: set[str] = set()  # digests stored with other manifest values: replaced in place
        self.triples = 0
        self._unflushed = 0

    def wants(self, file: PlannedFile) -> bool:
        if file.digest is None:
            return True  # unreadable: the pipeline reports why
        if file.digest in self.first:
            return False
        if file.digest in self.known:
            if file.metadata is None or self._stored_metadata(file.digest) == _metadata_values(file.metadata):
                return False
            self.refresh.add(file.digest)
        self.first[file.digest] = file.path
        return True

    def skipped(self, file: PlannedFile) -> str | KgError:
        if file.digest in self.known:
            return "unchanged"
        assert file.digest is not None
        return KgError(str(file.path), f"same content as {self.first[file.digest]}, which was not stored (see its "
                                       "error)")

    def replaces(self, file: PlannedFile) -> bool:
        """Whether ``file`` (wanted) replaces the stored graph of the same content (its manifest values changed)."""
        return file.digest in self.refresh

    def write(self, built: Built) -> str:
        if built.stored is not None:  # written by the worker that built it (kg.cluster, --endpoint)
            self.known.add(built.header.sha256)
            self.triples += built.written
            return built.stored
        outcome = self.store.add(built.header, built.triples, replace_same=built.header.sha256 in self.refresh)
        self.known.add(built.header.sha256)
        if outcome != "unchanged":
            self.triples += len(built.triples)
            self._unflushed += len(built.triples)
        if self._unflushed >= FLUSH_EVERY:
            self.flush()
        return outcome

    def flush(self) -> None:
        """A store folder keeps writes in RocksDB's in-memory write buffers until they fill: without flushing, a
        build's peak RSS grew from 440 MB at 100 policies to 1,262 MB at 1,000 (BENCHMARKS.md); flushed every
        ``FLUSH_EVERY`` triples, 363 and 406 MB. A SPARQL server has nothing to flush."""
        self.store.flush()
        self._unflushed = 0

    def commit(self) -> None:
        pass  # each policy was committed when written

    def close(self) -> None:
        pass  # the store is the caller's to close

    def _stored_metadata(self, digest: str) -> tuple[str | None, ...]:
        """``_metadata_values`` of the stored policy with this content hash (all None where none was given)."""
        rows = self.store.query(
            "SELECT ?name ?url ?j ?r WHERE { ?p ppkg:contentHash ?h . "
            "OPTIONAL { ?p ppkg:publisherNameSource ppkg:NameFromManifest ; dct:publisher/dpv:hasName ?name } "
            "OPTIONAL { ?p ppkg:sourceUrl ?url } OPTIONAL { ?p ppkg:jurisdiction ?j } "
            "OPTIONAL { ?p ppkg:retrievedOn ?r } } LIMIT 1", {"h": Literal(digest)})
        row = rows.rows[0] if rows.rows else None
        return tuple(str(v) if v is not None else None for v in row) if row else (None, None, None, None)


def _metadata_values(metadata: PolicyMetadata | None) -> tuple[str | None, ...]:
    """What a manifest row puts in a policy's graph, to compare with what a store holds."""
    m = metadata or PolicyMetadata()
    return m.controller, m.url, m.jurisdiction, m.retrieved


class GraphSink(_EveryFile):
    """An rdflib graph in memory: every policy's triples added to it."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.triples = 0

    def write(self, built: Built) -> str:
        self.graph.addN((s, p, o, self.graph) for s, p, o in built.triples)
        return "added"

    def commit(self) -> None:
        self.triples = len(self.graph)

    def close(self) -> None:
        pass


__all__ = ["FLUSH_EVERY", "GraphSink", "PlannedFile", "Sink", "StoreSink", "TurtleSink"]

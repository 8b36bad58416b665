"""The library API: the pipeline wired in one place, and what each CLI command calls.

ingest -> segment -> extract -> normalize -> graph, per file; validate / query / export over the result.
Functions here return result objects and raise ``KgError``; they never print or exit.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rdflib import Graph

from kg.errors import KgError, StoreUnavailable
from kg.extract import Extractor
from kg.graph import build_graph, policy_graph
from kg.graphio import ontology_graph, write_atomic
from kg.ingest import discover, read_document
from kg.model import PolicyRecord
from kg.normalize import normalize
from kg.segment import segment

if TYPE_CHECKING:
    from kg.store import GraphStore

T = TypeVar("T")


def process_file(path: str | Path, extractor: Extractor) -> PolicyRecord:
    """One policy file through every stage up to the graph's input record."""
    document = read_document(path)
    segmented = segment(document)
    extraction = extractor.extract(segmented)
    return PolicyRecord(
        document=segmented.document,  # segment() may add warnings (e.g. an over-long sentence cut at ";")
        controller=extraction.controller,
        practices=normalize(extraction.statements),
        model=extractor.model,
        date=extraction.date,
        date_evidence=extraction.date_evidence,
        warnings=segmented.document.warnings + extraction.warnings,
    )


@dataclass
class BuildSummary:
    """What a build did: counts for the closing summary, and every problem by file."""

    model: str = ""
    policies: list[PolicyRecord] = field(default_factory=list)
    failed: list[KgError] = field(default_factory=list)
    triples: int = 0
    # store builds only (``build_into_store``): outcome per file
    added: int = 0
    versioned: int = 0  # same file name as a stored policy of another date: kept beside it as a new version
    replaced: int = 0
    unchanged: int = 0  # stored with the same content hash: skipped before reading or extracting
    extracted: int = 0  # files that went through extraction (``process_file``)

    @property
    def facts(self) -> Counter:
        """Statements per kind, with negated ones counted separately as "<kind> (negated)"."""
        counts: Counter = Counter()
        for record in self.policies:
            for p in record.practices:
                counts[f"{p.kind} (negated)" if p.negated else p.kind] += 1
        return counts

    @property
    def warnings(self) -> list[tuple[str, str]]:
        out = [(r.document.path, w) for r in self.policies for w in r.warnings]
        out += [(r.document.path, "no controller name found") for r in self.policies if r.controller is None
                and not any("controller" in w for w in r.warnings)]
        return out


def _guarded(path: Path, summary: BuildSummary, step: Callable[[], T]) -> T | None:
    """Run one file's ``step``; a failure is added to ``summary.failed`` so the rest of the batch goes on (except
    ``StoreUnavailable``: with the store gone, every other file would fail the same way)."""
    try:
        return step()
    except StoreUnavailable:
        raise
    except KgError as exc:
        summary.failed.append(exc)
    except Exception as exc:  # a bug on one policy must not cost the rest of the batch
        summary.failed.append(KgError(str(path), f"internal error ({type(exc).__name__}: {exc}); "
                                      "please report it with this file"))
    return None


def iter_records(inputs: Iterable[str | Path], summary: BuildSummary,
                 progress: Callable[[Path], None] | None = None,
                 extractor: Extractor | None = None) -> Iterator[PolicyRecord]:
    """Records of every readable policy under ``inputs``; failures go to ``summary.failed``, the rest go on."""
    paths, errors = discover(inputs)
    summary.failed.extend(errors)
    if not paths:
        return
    extractor = extractor or Extractor(ontology_graph())
    summary.model = extractor.model
    for path in paths:
        record = _guarded(path, summary, lambda: process_file(path, extractor))
        if record is not None:
            summary.policies.append(record)
            yield record
        if progress:
            progress(path)


def build(inputs: Iterable[str | Path], output: str | Path,
          progress: Callable[[Path], None] | None = None) -> BuildSummary:
    """Build the graph of every policy under ``inputs`` and write it to ``output`` as Turtle (atomically).

    Nothing is written when no policy could be read; the caller decides the exit code from ``summary.failed``.
    """
    summary = BuildSummary()
    graph = build_graph(iter_records(inputs, summary, progress))
    if summary.policies:
        summary.triples = len(graph)
        write_atomic(output, graph.serialize(format="turtle"))
    return summary


def build_into_store(inputs: Iterable[str | Path], store: GraphStore,
                     progress: Callable[[Path], None] | None = None,
                     extractor: Extractor | None = None) -> BuildSummary:
    """Add every policy under ``inputs`` to ``store`` (a ``kg.store.Store`` folder or a ``kg.endpoint.EndpointStore``
    SPARQL server), one transaction per policy.

    A file whose sha256 (of its bytes) is already stored is skipped before it is read, segmented or extracted
    (``summary.unchanged``); spaCy is loaded only when some file needs extracting. A changed file replaces the
    policy stored under the same file name (``summary.replaced``) unless both are dated and the dates differ: then it
    is kept beside it as a new version (``summary.versioned``; see ``kg.store._plan_add``); a new one is added
    (``summary.added``).
    ``progress(path)`` is called after each file is committed (or skipped, or failed).
    """
    summary = BuildSummary()
    paths, errors = discover(inputs)
    summary.failed.extend(errors)
    known = store.known_hashes()
    for path in paths:
        try:
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            digest = None  # read_document reports it below
        if digest is not None and digest in known:
            summary.unchanged += 1
        else:
            extractor = extractor or Extractor(ontology_graph())  # spaCy only once some file needs extracting
            summary.model = extractor.model
            record = _guarded(path, summary, lambda: process_file(path, extractor))
            if record is not None:
                summary.extracted += 1
                graph = _guarded(path, summary, lambda: policy_graph(record))
                outcome = _guarded(path, summary, lambda: store.add(record, graph)) if graph is not None else None
                if outcome is not None:
                    summary.policies.append(record)
                    if outcome == "unchanged":
                        summary.unchanged += 1
                    else:
                        setattr(summary, outcome, getattr(summary, outcome) + 1)
                        summary.triples += len(graph)
                    known.add(record.document.sha256)
        if progress:
            progress(path)
    return summary


def build_graph_of(inputs: Iterable[str | Path]) -> tuple[Graph, BuildSummary]:
    """Like ``build`` but returns the graph instead of writing it (for tests and library users)."""
    summary = BuildSummary()
    graph = build_graph(iter_records(inputs, summary))
    summary.triples = len(graph)
    return graph, summary


__all__ = ["BuildSummary", "build", "build_graph_of", "build_into_store", "iter_records", "policy_graph", "process_file"]

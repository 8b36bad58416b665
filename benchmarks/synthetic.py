"""Synthetic graphs shaped like real output, for the benchmarks (shared by ``validation.py`` and ``queries.py``).

Start from real per-policy graphs (``policy_graph(record)`` of real policies, or the ``policy_closures`` of a built
Turtle graph) and make N policies by copying them round-robin, each copy renamed so it is its own policy of its
own company:

* the policy gets a new content hash (sha256 of the original hash and the copy number), hence a new policy IRI
  ``kgid:policy/{hash[:16]}`` with everything under it renamed along (statements, evidence, retention periods),
  and a new ``ppkg:sourceFile`` (``s00017-acme.txt``), so every copy is a distinct document to the store;
* the controller (every ``dct:publisher`` of the policy) gets a new IRI (``kgid:org/acme-inc-s00017``) with its
  contact points and privacy contact renamed along, and its ``dpv:hasName`` / ``ppkg:alias`` literals get the same
  suffix (``Acme Inc. s00017``), so queries that group by company see 10,000 companies, not 74;
* everything else is kept, as in real graphs where it is shared between policies: vocabulary concepts, recipient
  kinds (``kgid:recipient/...``), named recipients (``kgid:org/google`` as a recipient), evidence texts, contact
  values, dates.

Copies are produced as N-Quads / N-Triples text from a template per source policy (terms written by
``kg.store.to_ox``, exactly as ``Store.add`` writes them), which is fast enough for 10,000 policies.
"""
from __future__ import annotations

import hashlib
import io
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.terms import to_ox
from kg.vocab import DPV, ID, PPKG

ROOT = Path(__file__).resolve().parents[1]

# placeholders in the templates (``template`` refuses a source graph whose text already holds "{{")
_DOC, _HASH, _TAG = "{{DOC}}", "{{HASH}}", "{{TAG}}"
_NAME_PROPERTIES = (DPV.hasName, PPKG.alias)


def tag(i: int) -> str:
    """The suffix of copy ``i`` (``s00017``)."""
    return f"s{i:05d}"


def copy_hash(content_hash: str, i: int) -> str:
    """The content hash of copy ``i`` of a policy with ``content_hash``."""
    return hashlib.sha256(f"{content_hash}/{tag(i)}".encode()).hexdigest()


@dataclass(frozen=True)
class Template:
    """One source policy as N-Triples lines with placeholders for the copy's doc id, hash and suffix."""

    source: URIRef  # the source policy's IRI
    content_hash: str
    triples: str  # N-Triples (one "s p o ." per line), placeholders in
    quads: str  # the same lines as N-Quads in the graph named by the copy's policy IRI
    size: int  # number of triples

    def fill(self, text: str, i: int) -> str:
        h = copy_hash(self.content_hash, i)
        return text.replace(_DOC, h[:16]).replace(_HASH, h).replace(_TAG, tag(i))


def template(policy: URIRef, graph: Graph) -> Template:
    """The renaming template of one policy's own graph (``graph`` holds its triples only)."""
    content_hash = graph.value(policy, PPKG.contentHash)
    if content_hash is None:
        raise ValueError(f"{policy}: no ppkg:contentHash")
    new_policy = f"{ID}policy/{_DOC}"
    controllers = [str(o) for o in graph.objects(policy, DCTERMS.publisher) if isinstance(o, URIRef)]

    def iri(term) -> str:
        text = str(term)
        if text == str(policy) or text.startswith(f"{policy}/"):
            return f"<{new_policy}{text[len(str(policy)):]}>"
        for org in controllers:
            if text == org or text.startswith(f"{org}/"):
                return f"<{org}-{_TAG}{text[len(org):]}>"
        return str(to_ox(term))

    def obj(s, p, o) -> str:
        if isinstance(o, Literal):
            if s == policy and p == PPKG.contentHash:
                return str(to_ox(Literal(_HASH)))
            if s == policy and p == PPKG.sourceFile:
                return str(to_ox(Literal(f"{_TAG}-{o}")))
            if str(s) in controllers and p in _NAME_PROPERTIES:
                return str(to_ox(Literal(f"{o} {_TAG}", lang=o.language, datatype=o.datatype)))
            return str(to_ox(o))
        return iri(o) if isinstance(o, URIRef) else str(to_ox(o))

    if any("{{" in str(term) for triple in graph for term in triple):
        raise ValueError(f"{policy}: a term holds '{{{{', which the copy templates use as placeholders")
    lines = sorted(f"{iri(s)} {iri(p)} {obj(s, p, o)}" for s, p, o in graph)
    graph_name = f"<{new_policy}>"
    return Template(policy, str(content_hash), "".join(f"{line} .\n" for line in lines),
                    "".join(f"{line} {graph_name} .\n" for line in lines), len(lines))


def templates(per_policy: Mapping[URIRef, Graph]) -> list[Template]:
    """Templates of every policy, in IRI order (so copy ``i`` is always of the same source policy)."""
    return [template(p, per_policy[p]) for p in sorted(per_policy)]


def copies(tpls: list[Template], n: int, quads: bool = True) -> Iterator[str]:
    """The N-Quads (or N-Triples) text of copies 0..n-1, one string per copy; copy ``i`` is of ``tpls[i % k]``."""
    for i in range(n):
        t = tpls[i % len(tpls)]
        yield t.fill(t.quads if quads else t.triples, i)


def copy_iri(tpl: Template, i: int) -> URIRef:
    """The policy IRI of copy ``i`` (of ``tpl``)."""
    return URIRef(f"{ID}policy/{copy_hash(tpl.content_hash, i)[:16]}")


def copy_graph(tpl: Template, i: int) -> Graph:
    """Copy ``i`` (of ``tpl``) as an rdflib Graph: the triples of its named graph."""
    return Graph().parse(data=tpl.fill(tpl.triples, i), format="nt")


def synthetic_graph(tpls: list[Template], n: int) -> Graph:
    """The union of ``n`` copies as one rdflib Graph (what ``privacy-kg build`` would write for them)."""
    graph = Graph()
    for text in copies(tpls, n, quads=False):
        graph.parse(data=text, format="nt")
    return graph


def triple_count(tpls: list[Template], n: int) -> int:
    """Quads in the policy graphs of ``n`` copies (shared triples counted once per policy graph)."""
    return sum(tpls[i % len(tpls)].size for i in range(n))


class _TextStream(io.RawIOBase):
    """A read-only byte stream over an iterator of strings (feeds ``bulk_load`` without one big buffer)."""

    def __init__(self, chunks: Iterator[str]):
        self._chunks, self._buffer = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self._buffer:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._buffer = chunk.encode("utf-8")
        k = min(len(b), len(self._buffer))
        b[:k], self._buffer = self._buffer[:k], self._buffer[k:]
        return k


def bulk_load(path, tpls: list[Template], n: int, optimize: bool = True) -> None:
    """Write ``n`` copies into a new Oxigraph store folder ``path``, one named graph per policy (the policy's
    IRI), with pyoxigraph's bulk loader, then (``optimize``) compact it, as RocksDB's background compaction does
    in time for a store written one transaction at a time. Open it with ``kg.store.Store(path)`` afterwards: that
    adds the ontology graph and the store's bookkeeping, exactly as for a store built with ``privacy-kg build
    --store``."""
    Path(path).mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(path))
    try:
        store.bulk_load(io.BufferedReader(_TextStream(copies(tpls, n)), 1 << 20), ox.RdfFormat.N_QUADS)
        if optimize:
            store.optimize()
        store.flush()
    finally:
        del store  # releases the folder lock (CPython frees it at once)


# -- the real per-policy graphs -------------------------------------------------------------------------------
def _input_files(inputs: Iterable[Path]) -> list[Path]:
    from kg.ingest import discover

    paths, _ = discover(inputs)
    return sorted(Path(p) for p in paths)


def cache_key(inputs: Iterable[Path]) -> str:
    """sha256 over the input files and everything that decides the graph (kg/ code and rules, ontology/)."""
    h = hashlib.sha256()
    code = sorted(f for d in ("kg", "ontology") for f in (ROOT / d).rglob("*")
                  if f.is_file() and "__pycache__" not in f.parts)
    for f in _input_files(inputs) + code:
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def real_policy_graphs(inputs: list[Path], cache_dir: Path | None = None) -> dict[URIRef, Graph]:
    """``policy_graph(record)`` of every policy under ``inputs`` (the normal pipeline, ``kg.pipeline.run``, in
    this process), by policy IRI. With ``cache_dir``, the graphs are kept there as N-Quads (one named graph per
    policy) under a key of the inputs and the code, so a rerun with nothing changed skips extraction."""
    from kg.pipeline import Built, Task, run

    cached = cache_dir / f"policies-{cache_key(inputs)[:20]}.nq" if cache_dir else None
    if cached is None or not cached.is_file():
        lines = []
        for _, result in run((Task(str(p)) for p in _input_files(inputs)), lambda task: True):
            if not isinstance(result, Built):
                print(f"warning: {result}", file=sys.stderr)
                continue
            name = f"<{result.header.iri}>"
            lines += [f"{to_ox(s)} {to_ox(p)} {to_ox(o)} {name} .\n" for s, p, o in result.triples]
        if cached is None:
            return _split("".join(lines))
        from kg.graphio import write_atomic

        cached.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(cached, "".join(lines))
    return _split(cached.read_text(encoding="utf-8"))


def _split(nquads: str) -> dict[URIRef, Graph]:
    from kg.terms import to_rdflib

    out: dict[URIRef, Graph] = {}
    for q in ox.parse(nquads.encode("utf-8"), ox.RdfFormat.N_QUADS):
        g = out.setdefault(URIRef(q.graph_name.value), Graph())
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return out

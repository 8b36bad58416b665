"""Reading and writing graphs: parse with clear errors, write atomically, load the packaged ontology once."""
from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

from rdflib import RDF, Graph, URIRef

from kg.errors import BadGraph
from kg.resources import ontology_files
from kg.vocab import ID, PPKG, bind_prefixes

FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".trig": "trig", ".nq": "nquads"}


def load_graph(path: str | Path) -> Graph:
    """Parse an RDF file (format from its extension); any problem is a one-line ``BadGraph``."""
    path = Path(path)
    if not path.is_file():
        raise BadGraph(path, "no such file")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise BadGraph(path, f"unknown RDF file extension {path.suffix!r} (use {', '.join(sorted(FORMATS))})")
    graph = bind_prefixes(Graph())
    try:
        graph.parse(path, format=fmt)
    except Exception as exc:  # rdflib raises many types; all mean "not parseable"
        raise BadGraph(path, f"not valid {fmt}: {exc}") from exc
    return graph


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the mode open() would
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@cache
def ontology_graph() -> Graph:
    """Our ontology and concept schemes (not the large DPV files), parsed once per process."""
    graph = bind_prefixes(Graph())
    for f in ontology_files():
        graph.parse(f)
    return graph


def policy_closures(graph: Graph) -> dict[URIRef, Graph]:
    """Each policy's own triples: everything reachable from its ``ppkg:PrivacyPolicy`` node through instance IRIs.

    The walk follows object IRIs under ``kgid:`` (statements, evidence, retention periods, controllers, contact
    points, recipients) and stops at concepts and classes, so shared nodes such as a controller or a named
    recipient appear in the closure of every policy that reaches them. Evidence nodes point back to their policy
    with ``dct:source``; that edge is kept but not followed into another policy.
    """
    out: dict[URIRef, Graph] = {}
    for policy in sorted(graph.subjects(RDF.type, PPKG.PrivacyPolicy)):
        sub = bind_prefixes(Graph())
        seen, todo = {policy}, [policy]
        while todo:
            node = todo.pop()
            for p, o in graph.predicate_objects(node):
                sub.add((node, p, o))
                if isinstance(o, URIRef) and o not in seen and str(o).startswith(str(ID)) and \
                        (o, RDF.type, PPKG.PrivacyPolicy) not in graph:
                    seen.add(o)
                    todo.append(o)
        out[policy] = sub
    return out

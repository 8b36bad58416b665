"""Reading and writing graphs: parse with clear errors, write atomically, load the packaged ontology once, and
split a graph into per-policy closures (used by the TriG export and by per-policy validation)."""
from __future__ import annotations

import json
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from kg.errors import BadGraph
from kg.resources import ontology_files
from kg.vocab import ID, PPKG, PREFIXES, bind_prefixes

FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".trig": "trig", ".nq": "nquads"}
QUAD_FORMATS = {"trig", "nquads"}


def load_graph(path: str | Path) -> Graph:
    """Parse an RDF file, format from its extension; quad formats are read as the union of their graphs.

    Raises ``BadGraph`` (path, one line, with the line number when the parser reports one) if the file is
    missing, has an unknown extension or does not parse.
    """
    path = Path(path)
    if not path.is_file():
        raise BadGraph(path, "no such file")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise BadGraph(path, f"unknown RDF file extension {path.suffix!r}",
                       hint=f"use one of {', '.join(sorted(FORMATS))}")
    try:
        with path.open("rb") as fh, rdflib_dataset_warnings_ignored():
            if fmt in QUAD_FORMATS:
                ds = Dataset()
                ds.parse(fh, format=fmt, publicID=path.resolve().as_uri())
                graph = bind_prefixes(Graph())
                for s, p, o, _ in ds.quads((None, None, None, None)):
                    graph.add((s, p, o))
            else:
                graph = bind_prefixes(Graph())
                graph.parse(fh, format=fmt, publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises many unrelated types; all mean "not parseable"
        raise BadGraph(path, f"not valid {fmt}{_where(exc)}: {_reason(exc)}") from exc
    return graph


@contextmanager
def rdflib_dataset_warnings_ignored() -> Iterator[None]:
    """Silence the DeprecationWarnings rdflib 7's own TriG/N-Quads/JSON-LD code raises about its Dataset API."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"(ConjunctiveGraph|Dataset\.\w+) is deprecated", DeprecationWarning)
        yield


def _where(exc: Exception) -> str:
    if isinstance(exc, BadSyntax):
        return f" (line {exc._str[:exc._i].count(10) + 1})"
    if isinstance(exc, json.JSONDecodeError):
        return f" (line {exc.lineno}, column {exc.colno})"
    return ""


def _reason(exc: Exception) -> str:
    if isinstance(exc, BadSyntax):
        return exc._why
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Write ``data`` (str as UTF-8) to ``path`` via a temporary file in the same folder and ``os.replace``.

    Readers see the old file or the complete new one, never a partial write; on any error the temporary file is
    removed and ``path`` is untouched. The new file gets the mode ``open()`` would give it (0666 & ~umask).
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@cache
def _prefix_table() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((str(ns), prefix) for prefix, ns in PREFIXES.items()), key=lambda x: -len(x[0])))


def short_name(term: Node) -> str:
    """A term for people to read: ``kgid:policy/3f9a…/share/9e8d`` (our prefixes, ``/`` allowed in the local
    part, so not always valid Turtle), ``<iri>`` outside our namespaces, a literal's lexical form."""
    if isinstance(term, URIRef):
        text = str(term)
        for ns, prefix in _prefix_table():
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns):]}"
        return f"<{text}>"
    if isinstance(term, Literal):
        return str(term)
    return term.n3()


@cache
def ontology_graph() -> Graph:
    """Our ontology and concept schemes (``kg.resources.ontology_files()``, not the DPV files), parsed once.

    The graph is shared: callers must not modify it (copy it with ``Graph() + ontology_graph()`` instead).
    """
    graph = bind_prefixes(Graph())
    for f in ontology_files():
        graph.parse(f, format="turtle")
    return graph


def policy_closures(graph: Graph) -> dict[URIRef, Graph]:
    """Each ``ppkg:PrivacyPolicy``'s own triples, keyed by the policy IRI (sorted).

    From the policy node the walk follows object IRIs under ``kgid:`` (statements, evidence, retention periods,
    controllers, contact points, recipients) and stops at every other IRI (concepts, classes). Shared nodes
    (``kgid:org/...``, ``kgid:recipient/...``) land in the closure of every policy that reaches them. Nodes owned
    by another policy (that policy's IRI or an IRI below it, e.g. its evidence) are never entered, and a shared
    node's edge into another policy's node (a controller's ``ppkg:evidence`` from another version of the same
    company's policy) is left to that policy's closure. Triples no policy reaches are in no closure.
    """
    policies = {p for p in graph.subjects(RDF.type, PPKG.PrivacyPolicy) if isinstance(p, URIRef)}
    prefix = str(ID)

    def owner(node: URIRef) -> URIRef | None:
        text = str(node)
        while True:
            if URIRef(text) in policies:
                return URIRef(text)
            cut = text.rfind("/")
            if cut <= len(prefix):
                return None
            text = text[:cut]

    out: dict[URIRef, Graph] = {}
    for policy in sorted(policies):
        sub = bind_prefixes(Graph())
        seen, todo = {policy}, [policy]
        while todo:
            node = todo.pop()
            node_is_shared = owner(node) is None
            for p, o in graph.predicate_objects(node):
                o_owner = owner(o) if isinstance(o, URIRef) and str(o).startswith(prefix) else None
                if o_owner not in (None, policy):
                    if not node_is_shared:  # a direct link from this policy's node: keep the edge, do not enter
                        sub.add((node, p, o))
                    continue
                sub.add((node, p, o))
                if isinstance(o, URIRef) and o not in seen and str(o).startswith(prefix):
                    seen.add(o)
                    todo.append(o)
        out[policy] = sub
    return out

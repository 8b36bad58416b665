"""Reading and writing graphs: parse with clear errors, write atomically (in one piece, or streamed one policy at a
time), load the packaged ontology once, and split a graph into per-policy closures (used by the TriG export and by
per-policy validation)."""
from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from kg.errors import BadGraph, OutputError
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


_OUTPUT_ERRORS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "over the disk quota",
                  errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
                  errno.EPERM: "permission denied", errno.ENOTDIR: "a part of the path is not a folder",
                  errno.EISDIR: "is a folder", errno.EFBIG: "the file is too large for this file system"}


def output_error(path: str | Path, exc: OSError) -> OutputError:
    """An ``OSError`` met writing ``path`` as one line that names ``path``."""
    path = Path(path)
    if exc.errno == errno.ENOENT:
        reason = f"no such folder {path.parent}" if not path.parent.exists() else "the file vanished"
    else:
        reason = _OUTPUT_ERRORS.get(exc.errno or 0) or exc.strerror or str(exc)
    return OutputError(path, f"cannot write: {reason}; nothing written")


class AtomicFile:
    """A file that appears at ``path`` complete or not at all: written into an unnamed file in the same folder
    (Linux ``O_TMPFILE``), which ``commit`` links in under a temporary name and renames over ``path``. A process
    killed before ``commit`` leaves nothing behind (no ``.tmp`` litter); where the file system has no unnamed
    files, a hidden ``.NAME.*.tmp`` file is used instead and removed on any error. The file gets the mode
    ``open()`` would give it (0666 & ~umask). Every ``OSError`` is raised as ``OutputError`` (one line).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._tmp: str | None = None
        folder = str(self.path.parent)
        try:
            try:
                fd = os.open(folder, os.O_TMPFILE | os.O_RDWR | os.O_CLOEXEC, 0o666)  # readable: see _name_unnamed
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                    raise
                fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(fd, 0o666 & ~umask)
        except OSError as exc:
            raise output_error(self.path, exc) from None
        self._fh = os.fdopen(fd, "wb")

    def write(self, data: bytes | str) -> None:
        try:
            self._fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        except OSError as exc:
            self.discard()
            raise output_error(self.path, exc) from None

    def commit(self) -> None:
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            if self._tmp is None:
                self._tmp = self._name_unnamed()
            self._fh.close()
            os.replace(self._tmp, self.path)
            self._tmp = None
        except OSError as exc:
            self.discard()
            raise output_error(self.path, exc) from None

    def _name_unnamed(self) -> str:
        """Give the unnamed file a temporary name beside ``path``: a hard link to it, or where the file system
        refuses that (overlayfs: "cross-device link"), a copy of it, made only now (the named file exists only
        while it is copied)."""
        fd = self._fh.fileno()
        name = str(self.path.parent / f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            os.link(f"/proc/self/fd/{fd}", name)
            return name
        except OSError:
            pass
        copy, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=str(self.path.parent))
        self._tmp = name  # removed by discard() if the copy fails
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(copy, 0o666 & ~umask)
            size, offset = os.fstat(fd).st_size, 0
            while offset < size:
                sent = os.copy_file_range(fd, copy, size - offset, offset, offset)
                if not sent:
                    raise OSError(errno.EIO, "short copy")
                offset += sent
            os.fsync(copy)
        finally:
            os.close(copy)
        return name

    def discard(self) -> None:
        """Drop what was written (the target is untouched)."""
        if not self._fh.closed:
            with contextlib.suppress(OSError):  # a full disk may refuse the last flush: the file is gone all the same
                self._fh.close()
        if self._tmp is not None:
            Path(self._tmp).unlink(missing_ok=True)
            self._tmp = None


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Write ``data`` (str as UTF-8) to ``path`` atomically (``AtomicFile``): readers see the old file or the
    complete new one, never a partial write; on any error ``path`` is untouched and the error is one line
    (``OutputError``)."""
    out = AtomicFile(path)
    try:
        out.write(data)
        out.commit()
    finally:
        out.discard()


# characters XML 1.0 forbids even as references (&#7; is invalid too): C0 controls but tab, LF and CR; lone
# surrogates; U+FFFE and U+FFFF
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def graphml_bytes(graph) -> bytes:
    """A networkx graph as GraphML (UTF-8): networkx's writer, with every character XML cannot hold removed from
    the text it wrote (a BEL or ESC in a policy sentence made the file invalid XML)."""
    import networkx as nx

    return _NOT_XML_RE.sub("", "\n".join(nx.generate_graphml(graph))).encode("utf-8")


_OX_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "trig": "TRIG"}


def serialize_triples(triples: Iterable[tuple[Node, Node, Node]], fmt: str = "turtle", graph: str | None = None) -> str:
    """``triples`` as Turtle, N-Triples or (into the named graph ``graph``) TriG, written by Oxigraph's serializer
    with our fixed prefixes.

    rdflib's Turtle writer looks up every IRI in a namespace table that grows with the IRIs it has written, so one
    policy of 4,000 statements took 155 s of its 165 s in it; this costs the same per triple at any size."""
    import pyoxigraph as ox

    from kg.terms import ox_quad, ox_triple

    items: Iterator[ox.Quad] | Iterator[ox.Triple]
    if fmt == "trig":
        name = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        items = (ox_quad(t, name) for t in triples)
    else:
        items = (ox_triple(t) for t in triples)
    # kgid: IRIs (policy/<hash>/share/<n>) have "/" in their local part, which Turtle must escape ("\\/"): they
    # are written in full, as rdflib's writer did
    prefixes = {k: str(v) for k, v in PREFIXES.items() if v != ID} if fmt != "nt" else None
    out = ox.serialize(items, format=getattr(ox.RdfFormat, _OX_FORMATS[fmt]), prefixes=prefixes)
    return (out or b"").decode("utf-8")


def owned_by(subject: Node, policy: str) -> bool:
    """True for a policy's own nodes: its IRI and the IRIs below it (statements, evidence), which no other policy
    produces; controllers, contact points and recipients are shared."""
    s = str(subject)
    return s == policy or s.startswith(policy + "/")


def split_owned(graph: Graph, policy: str) -> tuple[Graph, list[tuple[Node, Node, Node]]]:
    """``graph`` (one policy's triples) without the triples of shared nodes, and those triples; ``graph`` itself is
    what is returned first, the shared triples removed from it."""
    shared = [t for t in graph if not owned_by(t[0], policy)]
    for t in shared:
        graph.remove(t)
    return graph, shared


_PREFIX_LINE = re.compile(r"@prefix\s+([\w.-]*):\s*<([^>]*)>\s*\.\s*$")


class RdfStream:
    """An RDF file written one policy at a time into a temporary file beside ``path``, renamed over it at the end
    (``commit``) or removed (``discard``): the whole graph is never held in memory, and readers see the old file
    or the complete new one.

    ``add(text, count, shared)``: ``text`` is one policy's own triples serialised (Turtle, N-Triples, or TriG: one
    named graph) and ``count`` how many they are; ``shared`` are the triples of nodes several policies share
    (controllers, contact points, recipients), written the first time they are seen (a 16-byte digest of each is
    kept, so memory grows with the number of distinct organisations, not with the corpus). Prefixes are declared
    once, where first needed. ``triples`` is the number of triples written: for Turtle and N-Triples, where every
    policy's own triples are distinct, the same count as ``len()`` of the whole graph parsed back.
    """

    def __init__(self, path: str | Path, fmt: str = "turtle"):
        self.path = Path(path)
        self.format = fmt  # how ``shared`` triples are serialised
        self.triples = 0
        self._prefixes: dict[str, str] = {}
        self._seen: set[bytes] = set()
        self._fh: AtomicFile | None = None

    def add(self, text: str, count: int, shared: Iterable[tuple[Node, Node, Node]] = ()) -> None:
        if self._fh is None:
            self._fh = AtomicFile(self.path)
        if text:
            self._write(text)
            self.triples += count
        new = []
        for t in shared:
            key = hashlib.blake2b("\x1f".join(term.n3() for term in t).encode("utf-8"), digest_size=16).digest()
            if key not in self._seen:
                self._seen.add(key)
                new.append(t)
        if new:
            self._write(serialize_triples(new, self.format))
            self.triples += len(new)

    def _write(self, text: str) -> None:
        lines = text.split("\n")
        head = []
        i = 0
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith("@prefix")):
            m = _PREFIX_LINE.match(lines[i])
            if m and self._prefixes.get(m[1]) != m[2]:
                self._prefixes[m[1]] = m[2]
                head.append(lines[i])
            i += 1
        body = "\n".join(lines[i:]).strip()
        assert self._fh is not None  # opened by add()
        self._fh.write(("\n".join(head) + "\n\n" if head else "") + (body + "\n\n" if body else ""))

    def commit(self) -> None:
        """Rename the file into place (an empty file when nothing was added)."""
        if self._fh is None:
            self.add("", 0)
        fh, self._fh = self._fh, None
        assert fh is not None  # opened by add()
        fh.commit()

    def discard(self) -> None:
        if self._fh is not None:
            self._fh.discard()
            self._fh = None


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
        for triple in _closure_walk(graph, policy, owner, prefix):
            sub.add(triple)
        out[policy] = sub
    return out


def closure_subjects(graph: Graph) -> dict[URIRef, set[Node]]:
    """The subjects of each ``policy_closures`` graph, without building the graphs (``kg.shacl.matrix``'s row
    labels need only these)."""
    policies = {p for p in graph.subjects(RDF.type, PPKG.PrivacyPolicy) if isinstance(p, URIRef)}
    prefix = str(ID)
    names = {str(p) for p in policies}
    owners: dict[Node, URIRef | None] = {}

    def owner(node: URIRef) -> URIRef | None:
        if node in owners:
            return owners[node]
        text, found = str(node), None
        while True:
            if text in names:
                found = URIRef(text)
                break
            cut = text.rfind("/")
            if cut <= len(prefix):
                break
            text = text[:cut]
        owners[node] = found
        return found

    return {policy: {s for s, _, _ in _closure_walk(graph, policy, owner, prefix)} for policy in sorted(policies)}


def _closure_walk(graph: Graph, policy: URIRef, owner, prefix: str) -> Iterator[tuple[Node, Node, Node]]:
    """The triples of ``policy``'s closure (see ``policy_closures``)."""
    seen, todo = {policy}, [policy]
    while todo:
        node = todo.pop()
        node_is_shared = owner(node) is None
        for p, o in graph.predicate_objects(node):
            o_owner = owner(o) if isinstance(o, URIRef) and str(o).startswith(prefix) else None
            if o_owner not in (None, policy):
                if not node_is_shared:  # a direct link from this policy's node: keep the edge, do not enter
                    yield node, p, o
                continue
            yield node, p, o
            if isinstance(o, URIRef) and o not in seen and str(o).startswith(prefix):
                seen.add(o)
                todo.append(o)

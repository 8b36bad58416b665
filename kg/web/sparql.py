"""``/sparql``: a read-only SPARQL 1.1 Protocol endpoint over the served graph, for YASGUI, rdflib's
``SPARQLStore``, Jena and curl.

* Query operation by GET (``?query=``) and POST (``application/x-www-form-urlencoded`` with ``query=``, or
  ``application/sparql-query``), with ``default-graph-uri`` / ``named-graph-uri``. The default dataset is the union
  of the policy graphs and the ontology (as ``privacy-kg query`` sees it).
* Results by content negotiation (``Accept``) or ``format=``: SELECT and ASK as SPARQL JSON (the default), XML,
  CSV or TSV; CONSTRUCT and DESCRIBE as Turtle (the default), N-Triples or RDF/XML. A browser (``text/html``) gets a
  page with the query form and the answer as a table.
* Updates are refused (403): the update operation, and update text sent as a query. The store is opened
  read-only by the workers, so nothing could be written anyway.
* Limits: each query runs in a worker process (``workers`` of them, started on first use) and is stopped when it
  runs over ``timeout`` seconds (the worker is killed and replaced: Oxigraph cannot be interrupted otherwise), and
  at most ``row_limit`` rows (or triples) are returned; a cut answer says so in the header
  ``X-Privacy-KG-Truncated: <limit>``. Requests wait for a free worker up to ``timeout`` seconds (then 503).
"""
from __future__ import annotations

import multiprocessing
import queue
import re
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

if TYPE_CHECKING:
    from kg.sources import Source

TIMEOUT = 30.0
ROW_LIMIT = 10_000
WORKERS = 2
_UPDATE = re.compile(r"^\s*(?:(?:PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*"
                     r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE)
_COMMENT = re.compile(r"#[^\n]*")

TABULAR = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
           "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPHS = {"turtle": "text/turtle", "ntriples": "application/n-triples", "rdfxml": "application/rdf+xml"}
MEDIA = {**{v: k for k, v in TABULAR.items()}, **{v: k for k, v in GRAPHS.items()},
         "application/json": "json", "text/plain": "ntriples", "application/xml": "xml", "text/xml": "xml",
         "text/html": "html"}


class SparqlError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


# -- content negotiation ---------------------------------------------------------------------------------------
def negotiate(accept: str, explicit: str | None) -> list[str]:
    """Our format names in the client's order of preference (``format=`` first)."""
    if explicit:
        name = MEDIA.get(explicit, explicit)
        return [name]
    ranked = []
    for i, part in enumerate(accept.split(",")):
        media, *params = [x.strip() for x in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media in MEDIA and q > 0:
            ranked.append((-q, i, MEDIA[media]))
        elif media in ("*/*", "application/*", "text/*") and q > 0:
            ranked.append((-q, i, "*"))
    if not accept.strip():
        return ["*"]
    return [name for _, _, name in sorted(ranked)]  # empty: nothing we offer is acceptable (406)


def _pick(preferences: list[str], offered: dict[str, str], default: str) -> str | None:
    for name in preferences:
        if name == "*":
            return default
        if name in offered:
            return name
    return None


# -- neutral terms and serialisers -----------------------------------------------------------------------------
# a term is ("uri", iri) | ("bnode", id) | ("literal", text, language or "", datatype or "")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _ox_term(t):
    import pyoxigraph as ox

    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return ("uri", t.value)
    if isinstance(t, ox.BlankNode):
        return ("bnode", t.value)
    if isinstance(t, ox.Literal):
        dt = t.datatype.value if t.datatype is not None else ""
        return ("literal", t.value, t.language or "", "" if t.language or dt == XSD_STRING else dt)
    return ("literal", str(t), "", "")


def _json_term(t) -> dict:
    if t[0] == "literal":
        out = {"type": "literal", "value": t[1]}
        if t[2]:
            out["xml:lang"] = t[2]
        elif t[3]:
            out["datatype"] = t[3]
        return out
    return {"type": t[0], "value": t[1]}


def _from_json_term(d: dict):
    kind = d.get("type")
    if kind == "uri":
        return ("uri", d["value"])
    if kind == "bnode":
        return ("bnode", d["value"])
    return ("literal", d.get("value", ""), d.get("xml:lang", ""), d.get("datatype", ""))


def _nt(t) -> str:
    """A term in N-Triples syntax (for TSV)."""
    if t[0] == "uri":
        return f"<{t[1]}>"
    if t[0] == "bnode":
        return f"_:{t[1]}"
    text = t[1].replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") \
        .replace("\t", "\\t")
    return f'"{text}"' + (f"@{t[2]}" if t[2] else f"^^<{t[3]}>" if t[3] else "")


def _csv_cell(text: str) -> str:
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in ',"\r\n') else text


def serialize_select(fmt: str, variables: list[str], rows: list[list]) -> bytes:
    import json

    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode()
    if fmt == "csv":
        lines = [",".join(_csv_cell(v) for v in variables)]
        lines += [",".join("" if t is None else _csv_cell(t[1] if t[0] != "bnode" else f"_:{t[1]}") for t in row)
                  for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode()
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join("" if t is None else _nt(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    out += [f'<variable name="{xml_escape(v)}"/>' for v in variables]
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        for v, t in zip(variables, row):
            if t is None:
                continue
            if t[0] == "literal":
                attr = f' xml:lang="{xml_escape(t[2])}"' if t[2] else \
                    f' datatype="{xml_escape(t[3])}"' if t[3] else ""
                inner = f"<literal{attr}>{xml_escape(t[1])}</literal>"
            else:
                tag = "uri" if t[0] == "uri" else "bnode"
                inner = f"<{tag}>{xml_escape(t[1])}</{tag}>"
            out.append(f'<binding name="{xml_escape(v)}">{inner}</binding>')
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode()


def serialize_ask(fmt: str, value: bool) -> bytes:
    import json

    if fmt == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    if fmt in ("csv", "tsv"):
        return (("true" if value else "false") + "\n").encode()
    return json.dumps({"head": {}, "boolean": value}).encode()


@dataclass
class Answer:
    """What a worker returns: the form of the query, and the serialised answer or the neutral rows."""

    form: str  # select | ask | graph
    media: str = ""
    body: bytes = b""
    truncated: bool = False
    variables: list | None = None  # select, for the HTML page
    rows: list | None = None
    boolean: bool | None = None


# -- the worker process ----------------------------------------------------------------------------------------
def _open_local(source_kind: str, location: str) -> Any:
    """An Oxigraph store over the source, opened through ``kg.sources``: a store folder's own (read-only), or, for
    a graph file, its graph in an in-memory store (the policies in the default graph, the ontology in its own)."""
    import pyoxigraph as ox

    from kg.resources import ontology_files
    from kg.sources import GraphSource, StoreSource, open_source
    from kg.store import ONTOLOGY_GRAPH, Store, to_ox

    if source_kind == "store":
        source = open_source(store=location)
        assert isinstance(source, StoreSource) and isinstance(source.store, Store)
        return source.store.oxigraph
    source = open_source(location)
    assert isinstance(source, GraphSource)
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph())  # type: ignore[arg-type]
                 for s, p, o in source.union())
    for f in ontology_files():
        store.bulk_load(path=str(f), format=ox.RdfFormat.TURTLE, to_graph=ONTOLOGY_GRAPH)
    return store


def run_local(store, request: dict) -> Answer:
    """Run one protocol request on an Oxigraph store (in the worker)."""
    import pyoxigraph as ox

    from kg.vocab import PREFIXES

    kwargs: dict[str, Any] = {"prefixes": {k: str(v) for k, v in PREFIXES.items()}}
    if request["default"]:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in request["default"]]
    else:
        kwargs["use_default_graph_as_union"] = True
    if request["named"]:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in request["named"]]
    try:
        result = store.query(request["query"], **kwargs)
    except SyntaxError as exc:
        raise SparqlError(400, f"SPARQL syntax error: {' '.join(str(exc).split())}") from None
    limit, prefs = request["limit"], request["formats"]
    if isinstance(result, (bool, getattr(ox, "QueryBoolean", bool))):
        result = bool(result)
        fmt = _pick(prefs, {**TABULAR, "html": ""}, "json")
        if fmt is None:
            raise SparqlError(406, "an ASK answer is offered as " + ", ".join(TABULAR.values()))
        return Answer("ask", TABULAR.get(fmt, ""), b"" if fmt == "html" else serialize_ask(fmt, result),
                      boolean=result)
    if isinstance(result, ox.QuerySolutions):
        fmt = _pick(prefs, {**TABULAR, "html": ""}, "json")
        if fmt is None:
            raise SparqlError(406, "a SELECT answer is offered as " + ", ".join(TABULAR.values()))
        variables = [v.value for v in result.variables]
        rows: list[list] = []
        truncated = False
        try:
            for solution in result:
                if len(rows) == limit:
                    truncated = True
                    break
                rows.append([_ox_term(solution[i]) for i in range(len(variables))])
        except (OSError, RuntimeError, ValueError) as exc:
            raise SparqlError(400, f"SPARQL evaluation error: {' '.join(str(exc).split())}") from None
        if fmt == "html":
            return Answer("select", "", b"", truncated, variables, rows)
        return Answer("select", TABULAR[fmt], serialize_select(fmt, variables, rows), truncated)
    fmt = _pick(prefs, {**GRAPHS, "html": ""}, "turtle")
    if fmt is None:
        raise SparqlError(406, "a CONSTRUCT or DESCRIBE answer is offered as " + ", ".join(GRAPHS.values()))
    triples: list = []
    truncated = False
    for t in result:
        if len(triples) == limit:
            truncated = True
            break
        triples.append(t)
    if fmt == "html":
        return Answer("graph", "", b"", truncated, ["subject", "predicate", "object"],
                      [[_ox_term(t.subject), _ox_term(t.predicate), _ox_term(t.object)] for t in triples])
    out = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML}[fmt]
    return Answer("graph", GRAPHS[fmt], ox.serialize(triples, format=out) or b"", truncated)


def _worker(conn, source_kind: str, location: str) -> None:  # pragma: no cover - runs in a child process
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        store = _open_local(source_kind, location)
    except Exception as exc:
        conn.send(("error", 500, f"cannot open {location}: {exc}"))
        return
    conn.send(("ready",))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", run_local(store, request)))
        except SparqlError as exc:
            conn.send(("error", exc.status, exc.message))
        except Exception as exc:
            conn.send(("error", 400, f"SPARQL evaluation error: {' '.join(str(exc).split())}"))


class _Worker:
    def __init__(self, kind: str, location: str):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, kind, location), daemon=True,
                                   name="privacy-kg-sparql")
        self.process.start()
        child.close()
        self.ready = False

    def ask(self, request: dict, deadline: float):
        if not self.ready:
            if not self.conn.poll(max(deadline - time.monotonic(), 0.0)):
                raise TimeoutError
            msg = self.conn.recv()
            if msg[0] != "ready":
                raise SparqlError(msg[1], msg[2])
            self.ready = True
        self.conn.send(request)
        if not self.conn.poll(max(deadline - time.monotonic(), 0.0)):
            raise TimeoutError
        msg = self.conn.recv()
        if msg[0] == "error":
            raise SparqlError(msg[1], msg[2])
        return msg[1]

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class SparqlService:
    """The endpoint: protocol parsing here, evaluation in worker processes (or on the SPARQL server itself)."""

    def __init__(self, source: Source, timeout: float = TIMEOUT, row_limit: int = ROW_LIMIT, workers: int = WORKERS):
        from kg.web.data import source_kind

        self.source, self.timeout, self.row_limit = source, timeout, row_limit
        self.kind = source_kind(source)
        self.workers = workers
        self._idle: queue.Queue = queue.Queue()
        self._started = 0
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        self._server = None  # kg.endpoint.EndpointStore, for --endpoint

    def _take(self, deadline: float) -> _Worker:
        with self._lock:
            if self._idle.empty() and self._started < self.workers:
                self._started += 1
                w = _Worker(self.kind, self.source.location)
                self._all.append(w)
                return w
        try:
            return self._idle.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            raise SparqlError(503, f"busy: no worker became free within {self.timeout:g} s; try again") from None

    def run(self, request: dict) -> Answer:
        """Evaluate with the time and row limits (blocking; call it in a thread)."""
        if self.kind == "endpoint":
            return self._remote(request)
        deadline = time.monotonic() + self.timeout
        worker = self._take(deadline)
        try:
            answer = worker.ask(request, deadline)
        except TimeoutError:
            worker.kill()
            with self._lock:
                self._all.remove(worker)
                self._started -= 1
            raise SparqlError(503, f"the query ran over the time limit of {self.timeout:g} s and was stopped") \
                from None
        except SparqlError:
            self._idle.put(worker)
            raise
        except (EOFError, OSError, BrokenPipeError):
            worker.kill()
            with self._lock:
                self._all.remove(worker)
                self._started -= 1
            raise SparqlError(500, "the query worker stopped (out of memory?); try a smaller query") from None
        self._idle.put(worker)
        return answer

    def _remote(self, request: dict) -> Answer:
        """Forward to the SPARQL server (SELECT/ASK as JSON, re-serialised with the row limit)."""
        import json
        import urllib.error
        import urllib.parse
        import urllib.request

        from kg.endpoint import EndpointStore, _prologue
        from kg.sources import StoreSource
        from kg.store import ONTOLOGY_GRAPH

        inner = getattr(self.source, "inner", self.source)
        assert isinstance(inner, StoreSource) and isinstance(inner.store, EndpointStore)
        server = inner.store
        url = server.query_url
        params = [("query", _prologue(request["query"]) + request["query"]), ("timeout", f"{self.timeout:g}")]
        if request["default"] or request["named"]:
            params += [("default-graph-uri", g) for g in request["default"]] + \
                [("named-graph-uri", g) for g in request["named"]]
        elif server.oxigraph:  # the union of the graphs, as the app's own queries see the server
            params.append(("union-default-graph", ""))
        else:
            names = [ONTOLOGY_GRAPH.value, *server.policy_graph_names()]
            params += [("default-graph-uri", g) for g in names] + [("named-graph-uri", g) for g in names]
        req = urllib.request.Request(url.url, data=urllib.parse.urlencode(params).encode(), method="POST", headers={
            **url.headers, "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json, text/turtle;q=0.9"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                media = resp.headers.get_content_type()
                body = resp.read(64 * 1024 * 1024)
        except urllib.error.HTTPError as exc:
            raise SparqlError(400 if exc.code < 500 else 502,
                              f"the SPARQL server answered {exc.code}: {exc.read(2000).decode(errors='replace')}") \
                from None
        except (OSError, urllib.error.URLError) as exc:
            raise SparqlError(502, f"the SPARQL server did not answer: {exc}") from None
        prefs = request["formats"]
        if media != "application/sparql-results+json":
            return Answer("graph", media, body)
        data = json.loads(body)
        if "boolean" in data:
            fmt = _pick(prefs, {**TABULAR, "html": ""}, "json") or "json"
            return Answer("ask", TABULAR.get(fmt, ""), b"" if fmt == "html" else serialize_ask(fmt, data["boolean"]),
                          boolean=data["boolean"])
        variables = data["head"]["vars"]
        bindings = data["results"]["bindings"]
        truncated = len(bindings) > self.row_limit
        rows = [[_from_json_term(b[v]) if v in b else None for v in variables] for b in bindings[:self.row_limit]]
        picked = _pick(prefs, {**TABULAR, "html": ""}, "json")
        if picked is None:
            raise SparqlError(406, "a SELECT answer is offered as " + ", ".join(TABULAR.values()))
        if picked == "html":
            return Answer("select", "", b"", truncated, variables, rows)
        return Answer("select", TABULAR[picked], serialize_select(picked, variables, rows), truncated)

    def close(self) -> None:
        with self._lock:
            for w in self._all:
                w.kill()
            self._all.clear()

    # -- the protocol ---------------------------------------------------------------------------------------
    async def handle(self, request: Request, render=None) -> Response:
        """One protocol request (GET or POST); ``render(query, answer, error)`` makes the HTML page."""
        import anyio

        params = request.query_params
        query = params.get("query")
        default, named = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                return _refuse()
            if ctype == "application/sparql-query":
                query = (await request.body()).decode("utf-8", errors="replace")
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.form()
                if "update" in form:
                    return _refuse()
                text = form.get("query")
                query = text if isinstance(text, str) else None
                default += [str(g) for g in form.getlist("default-graph-uri")]
                named += [str(g) for g in form.getlist("named-graph-uri")]
            else:
                return PlainTextResponse("send the query as application/sparql-query or as a form field 'query'\n",
                                         status_code=415)
        elif "update" in params:
            return _refuse()
        formats = negotiate(request.headers.get("accept", "*/*"), params.get("format"))
        html = bool(formats) and formats[0] == "html" and render is not None
        if not query:
            if html:
                return render("", None, None)
            return PlainTextResponse("no query: send ?query=SELECT ... (SPARQL 1.1 Protocol)\n", status_code=400)
        query = str(query)
        if _UPDATE.match(_COMMENT.sub("", query)):
            return _refuse()
        job = {"query": query, "default": default, "named": named, "limit": self.row_limit, "formats": formats}
        try:
            answer = await anyio.to_thread.run_sync(self.run, job)
        except SparqlError as exc:
            if html:
                return render(query, None, exc)
            return PlainTextResponse(exc.message + "\n", status_code=exc.status)
        headers = {"x-privacy-kg-truncated": str(self.row_limit)} if answer.truncated else {}
        if html and not answer.media:
            return render(query, answer, None)
        return Response(answer.body, media_type=answer.media, headers=headers)


def _refuse() -> Response:
    return PlainTextResponse("updates are refused: this SPARQL endpoint is read-only\n", status_code=403)


__all__ = ["ROW_LIMIT", "TIMEOUT", "SparqlService", "negotiate", "serialize_select"]

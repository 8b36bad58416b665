"""Any SPARQL 1.1 server as the store (``--endpoint URL``), over HTTP with the standard library only.

The store logic is ``kg.store.GraphStore``'s (one named graph per policy, the ontology in its own graph, one
update request per add / replace / remove); this module gives it the primitives over the three protocols:

* SPARQL 1.1 Query (POST, form-encoded; results as ``application/sparql-results+json``). Queries over the policies
  name their dataset with one ``default-graph-uri`` parameter per policy graph plus the ontology graph, so the
  default graph is their merge on any server that supports protocol datasets (Oxigraph, Fuseki, GraphDB, ...),
  whatever its own default-graph setting, and one ``named-graph-uri`` parameter per graph too, so ``GRAPH ?g``
  (which the packaged queries use to match each policy's patterns in its own graph) sees the same graphs as
  named graphs (with ``default-graph-uri`` alone, the protocol's named-graph set would be empty).
* SPARQL 1.1 Update (POST ``application/sparql-update``). Each policy add, replace or remove is ONE request; the
  server applies a request all-or-nothing (Oxigraph does), so a client killed mid-build leaves every policy
  fully present or absent.
* Graph Store HTTP Protocol (GET ``?graph=IRI`` as N-Triples) to read a policy graph back (export, validate, ...).

URL convention: ``--endpoint http://HOST:PORT`` is an Oxigraph server's base URL (``/query``, ``/update``,
``/store``); other servers take the three URLs explicitly, separated by spaces, e.g. Fuseki's
``"query=http://h:3030/ds/sparql update=http://h:3030/ds/update store=http://h:3030/ds/data"``.
``user:password@`` in a URL is sent as HTTP Basic authentication (and never shown in messages).

Errors are ``KgError``s naming the URL, one line, with the server's own message: a server that cannot be reached,
times out or answers "wrong URL" (404, 405, 401, ...) is ``EndpointUnavailable`` (a batch build stops there);
another refusal of one request is ``EndpointError`` (a batch build goes on with the next file).
"""
from __future__ import annotations

import base64
import http.client
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence

import pyoxigraph as ox
from rdflib import BNode, URIRef
from rdflib.term import Node

from kg.errors import StoreUnavailable
from kg.store import ONTOLOGY_GRAPH, GraphStore, NotSelect, StoreError
from kg.terms import to_rdflib
from kg.vocab import PREFIXES

TIMEOUT = 60.0  # seconds without an answer before a request fails
URL_HINT = ("--endpoint takes a server's base URL (Oxigraph: http://HOST:PORT) or the three URLs "
            "'query=URL update=URL store=URL'")
_KEYS = ("query", "update", "store")
_RESULTS_JSON = "application/sparql-results+json"
_FATAL_STATUS = {401, 403, 404, 405, 406, 407, 410, 415, 501, 502, 503, 504}
_PREFIX_DECL = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:")


class EndpointError(StoreError):
    """The server refused one request (HTTP 4xx/5xx); ``status`` and ``server_message`` say why."""

    def __init__(self, url: str, status: int, reason: str, server_message: str, hint: str | None = None):
        self.status, self.server_message = status, server_message
        super().__init__(url, f"HTTP {status} {reason}" + (f": {server_message}" if server_message else ""),
                         hint=hint)


class EndpointUnavailable(StoreUnavailable):
    """The server cannot be reached, does not answer in time, or the URL is not a SPARQL service."""


class _Url:
    """One service URL: what is requested, what is shown, and the Basic authentication header if any."""

    def __init__(self, text: str):
        parts = urllib.parse.urlsplit(text.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EndpointUnavailable(text, "not an http(s) URL", hint=URL_HINT)
        netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        netloc += f":{parts.port}" if parts.port else ""
        self.url = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        self.headers = {}
        if parts.username is not None:
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            self.headers["Authorization"] = f"Basic {token}"
        self.loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")

    def with_params(self, params: dict[str, str]) -> str:
        sep = "&" if urllib.parse.urlsplit(self.url).query else "?"
        return self.url + sep + urllib.parse.urlencode(params)

    def __str__(self) -> str:
        return self.url


def endpoint_urls(spec: str) -> dict[str, str]:
    """``{"query": URL, "update": URL, "store": URL}`` from ``--endpoint``'s value (see the module docstring)."""
    words = spec.split()
    if not words:
        raise EndpointUnavailable(spec, "empty endpoint URL", hint=URL_HINT)
    if not any(w.partition("=")[0] in _KEYS and "=" in w for w in words):
        if len(words) > 1:
            raise EndpointUnavailable(spec, "one base URL, or query=URL update=URL store=URL", hint=URL_HINT)
        _Url(words[0])  # checked as given, before the service paths are added
        base = words[0].rstrip("/")
        return {key: f"{base}/{key}" for key in _KEYS}
    urls: dict[str, str] = {}
    for word in words:
        key, sep, url = word.partition("=")
        if not sep or key not in _KEYS or key in urls:
            raise EndpointUnavailable(spec, f"unexpected {word!r}", hint=URL_HINT)
        urls[key] = url
    missing = [k for k in _KEYS if k not in urls]
    if missing:
        raise EndpointUnavailable(spec, f"no {' and no '.join(missing)} URL given", hint=URL_HINT)
    return urls


def _prologue(sparql: str) -> str:
    """``PREFIX`` declarations of our prefixes that the query does not declare itself, on one line."""
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(sparql)}
    return "".join(f"PREFIX {p}: <{ns}> " for p, ns in PREFIXES.items() if p not in declared)


def _json_term(term: dict) -> Node:
    """A SPARQL JSON results term as an rdflib term (literals normalised like ``kg.store.to_rdflib``)."""
    kind, value = term["type"], term["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        if term.get("xml:lang"):
            return to_rdflib(ox.Literal(value, language=term["xml:lang"]))
        if term.get("datatype"):
            return to_rdflib(ox.Literal(value, datatype=ox.NamedNode(term["datatype"])))
        return to_rdflib(ox.Literal(value))
    raise ValueError(f"unsupported term type {kind!r} in the results")


def _server_message(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read(4096).decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        text = ""
    return _one_line(text)


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."


class QueryFailed(Exception):
    """The server could not evaluate a query (HTTP 5xx)."""


class EndpointStore(GraphStore):
    """A SPARQL 1.1 server as the store; ``url`` as for ``--endpoint`` (see ``endpoint_urls``)."""

    def __init__(self, url: str, timeout: float = TIMEOUT):
        urls = endpoint_urls(url)
        self.spec = url  # as given: what a Dask worker connects with (kg.cluster)
        self.query_url, self.update_url, self.store_url = (_Url(urls[k]) for k in _KEYS)
        self.location = str(self.query_url).removesuffix("/query") if len(url.split()) == 1 else str(self.query_url)
        self.oxigraph = len(url.split()) == 1  # a base URL: Oxigraph's server (see endpoint_urls)
        self.timeout = timeout
        # proxies from the environment are honoured, except for a server on this machine
        handlers = [urllib.request.ProxyHandler({})] if self.query_url.loopback else []
        self._opener = urllib.request.build_opener(*handlers)
        self._ensure_ontology()

    # HTTP ----------------------------------------------------------------------------------------------------
    def _request(self, url: _Url, target: str, data: bytes | None, headers: dict[str, str],
                 method: str = "POST") -> tuple[str, bytes]:
        """(media type, body) of one request within ``timeout`` seconds in all: the socket's timeout bounds each
        wait for a byte, but a server that sends one byte every few seconds would hold a read for ever, so the
        request runs in a daemon thread and is given up at the deadline (the thread ends with its socket).
        Every failure is an ``EndpointError``/``EndpointUnavailable`` naming ``url``."""
        box: dict = {}

        def run() -> None:
            try:
                box["value"] = self._request_now(url, target, data, headers, method)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                box["error"] = exc

        worker = threading.Thread(target=run, name="sparql-request", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            raise EndpointUnavailable(str(url), f"no complete answer within {self.timeout:g} s")
        if "error" in box:
            raise box["error"]
        return box["value"]

    def _request_now(self, url: _Url, target: str, data: bytes | None, headers: dict[str, str],
                     method: str) -> tuple[str, bytes]:
        request = urllib.request.Request(target, data=data, method=method, headers={**url.headers, **headers})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as exc:
            status, reason, message = exc.code, exc.reason, _server_message(exc)
            exc.close()
            if status in _FATAL_STATUS or 300 <= status < 400:
                raise EndpointUnavailable(str(url), f"HTTP {status} {reason}" + (f": {message}" if message else ""),
                                          hint=URL_HINT) from None
            raise EndpointError(str(url), status, str(reason), message) from None
        except urllib.error.URLError as exc:
            cause = exc.reason
            if isinstance(cause, TimeoutError):
                raise self._timeout(url) from None
            text = getattr(cause, "strerror", None) or str(cause)
            raise EndpointUnavailable(str(url), f"cannot reach the server ({text})",
                                      hint="is the server running? e.g. oxigraph serve --location DIR "
                                           "--bind 127.0.0.1:7878") from None
        except TimeoutError:
            raise self._timeout(url) from None
        except (http.client.HTTPException, OSError) as exc:
            text = " ".join(str(exc).split()) or type(exc).__name__
            raise EndpointUnavailable(str(url), f"the connection failed ({text})") from None

    def _timeout(self, url: _Url) -> EndpointUnavailable:
        return EndpointUnavailable(str(url), f"no answer within {self.timeout:g} s")

    # the primitives of GraphStore ----------------------------------------------------------------------------
    def _select(self, sparql: str, union: bool = False, graphs: Sequence[str] | None = None):
        # "timeout" (seconds): the server-side limit of servers that take one per request (Fuseki); Oxigraph
        # ignores it and takes its limit from `oxigraph serve --timeout-s`
        form = [("query", _prologue(sparql) + sparql), ("timeout", f"{self.timeout:g}")]
        if union and graphs is None and self.oxigraph:
            # every graph as the default graph, as the store folder queries it (use_default_graph_as_union):
            # the same fast plans; a dataset listing thousands of graphs was 10x slower at 100 policies
            form.append(("union-default-graph", ""))
        elif union:  # the dataset: the merge of the policy graphs (or of ``graphs``) and the ontology; the same
            # graphs as named graphs (``GRAPH ?g``)
            names = [ONTOLOGY_GRAPH.value, *(self.policy_graph_names() if graphs is None else graphs)]
            form += [("default-graph-uri", g) for g in names] + [("named-graph-uri", g) for g in names]
        try:
            media, body = self._request(self.query_url, self.query_url.url, urllib.parse.urlencode(form).encode(),
                                        {"Content-Type": "application/x-www-form-urlencoded",
                                         "Accept": f"{_RESULTS_JSON}, application/n-triples;q=0.5, */*;q=0.1"})
        except EndpointError as exc:
            where = f"(HTTP {exc.status} from {self.query_url})"
            if exc.status == 400:
                raise SyntaxError(f"{exc.server_message} {where}") from None
            raise QueryFailed(f"{exc.server_message} {where}") from None
        if media not in (_RESULTS_JSON, "application/json"):
            raise NotSelect(f"the server answered {media}")
        try:
            results = json.loads(body)
        except ValueError as exc:  # Oxigraph streams: an evaluation error after the first row ends the body
            text = body.decode("utf-8", errors="replace")
            tail = _one_line(text[exc.pos:] if isinstance(exc, json.JSONDecodeError) else "") or str(exc)
            raise QueryFailed(f"the results break off: {tail} (from {self.query_url})") from None
        if "results" not in results:
            raise NotSelect("not a SELECT query")
        names = list(results.get("head", {}).get("vars", []))
        rows = [tuple(_json_term(b[n]) if n in b else None for n in names) for b in results["results"]["bindings"]]
        return names, rows

    def _update(self, sparql: str) -> None:
        self._request(self.update_url, self.update_url.url, sparql.encode("utf-8"),
                      {"Content-Type": "application/sparql-update; charset=utf-8"})

    def _graph_triples(self, iri: str) -> Iterator[tuple[Node, Node, Node]]:
        media, body = self._request(self.store_url, self.store_url.with_params({"graph": iri}), None,
                                    {"Accept": "application/n-triples, text/turtle;q=0.5"}, method="GET")
        fmt = ox.RdfFormat.from_media_type(media)
        if fmt is None:
            raise EndpointError(str(self.store_url), 200, "OK", f"unsupported graph format {media}")
        try:
            triples = list(ox.parse(body, format=fmt))
        except SyntaxError as exc:
            raise EndpointError(str(self.store_url), 200, "OK",
                                f"unreadable graph <{iri}> ({' '.join(str(exc).split())})") from None
        for t in triples:
            yield to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)


__all__ = ["EndpointError", "EndpointStore", "EndpointUnavailable", "endpoint_urls"]

"""kg.endpoint without a server: the --endpoint URL convention, credentials, predeclared prefixes, JSON terms."""
from __future__ import annotations

import base64
import re

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.endpoint import EndpointUnavailable, _json_term, _prologue, _Url, endpoint_urls


def test_a_base_url_stands_for_oxigraphs_three_services():
    assert endpoint_urls("http://127.0.0.1:7878/") == {"query": "http://127.0.0.1:7878/query",
                                                        "update": "http://127.0.0.1:7878/update",
                                                        "store": "http://127.0.0.1:7878/store"}


def test_explicit_urls_in_any_order():
    spec = " store=http://h:3030/ds/data  query=http://h:3030/ds/sparql update=http://h:3030/ds/update "
    assert endpoint_urls(spec) == {"query": "http://h:3030/ds/sparql", "update": "http://h:3030/ds/update",
                                   "store": "http://h:3030/ds/data"}


@pytest.mark.parametrize("spec, problem", [
    ("", "empty"), ("ftp://h/", "not an http(s) URL"), ("h:7878", "not an http(s) URL"),
    ("http://a/ http://b/", "one base URL"), ("query=http://h/q", "no update and no store URL"),
    ("query=http://h/q update=http://h/u store=http://h/s query=http://h/x", "unexpected"),
    ("query=http://h/q update=http://h/u data=http://h/s", "unexpected"),
])
def test_bad_specs_are_one_line_errors(spec, problem):
    with pytest.raises(EndpointUnavailable, match=re.escape(problem)) as info:
        endpoint_urls(spec)
    assert "\n" not in str(info.value) and info.value.hint


def test_credentials_become_basic_auth_and_are_never_shown():
    url = _Url("http://ann:s%3Acret@Example.org:3030/ds/sparql?x=1")
    assert url.url == "http://example.org:3030/ds/sparql?x=1" and str(url) == url.url
    assert url.headers == {"Authorization": "Basic " + base64.b64encode(b"ann:s:cret").decode()}
    assert url.with_params({"graph": "https://e/g#1"}) == url.url + "&graph=https%3A%2F%2Fe%2Fg%231"
    assert _Url("http://127.0.0.1:1/").loopback and not url.loopback


def test_prologue_predeclares_only_what_the_query_does_not_declare():
    ours = _prologue("SELECT * {}")
    assert "PREFIX ppkg: <" in ours and "PREFIX dpv: <" in ours
    mine = _prologue("prefix ppkg: <http://e/> SELECT * {}")
    assert "PREFIX ppkg:" not in mine and "PREFIX dpv: <" in mine


def test_json_terms_become_the_same_rdflib_terms_as_the_embedded_store():
    assert _json_term({"type": "uri", "value": "http://e/a"}) == URIRef("http://e/a")
    assert _json_term({"type": "bnode", "value": "b0"}) == BNode("b0")
    assert _json_term({"type": "literal", "value": "x", "xml:lang": "en"}) == Literal("x", lang="en")
    assert _json_term({"type": "literal", "value": "x"}) == Literal("x")
    decimal = _json_term({"type": "literal", "value": "365", "datatype": str(XSD.decimal)})
    assert decimal == Literal("365.0", datatype=XSD.decimal) and str(decimal) == "365.0"
    with pytest.raises(ValueError):
        _json_term({"type": "triple", "value": {}})

"""kg.store: one named graph per policy; add / unchanged / replaced / remove; queries inside Oxigraph."""
from __future__ import annotations

import hashlib

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from kg import api
from kg.errors import BadQuery
from kg.exporters import export_graph, in_vocabulary
from kg.graph import policy_graph, policy_header, unique_triples
from kg.model import ControllerInfo, Document, Evidence, PolicyRecord, Practice
from kg.sources import StoreSource
from kg.store import GraphStore, Store, StoreError, with_values
from kg.vocab import DC

SENTENCE = "We collect your e-mail address."


def record(name: str, text: str, company: str = "Acme Inc.", date: str | None = None) -> PolicyRecord:
    sha = hashlib.sha256(text.encode()).hexdigest()
    doc = Document(path=name, name=name, media_type="text/plain", text=text, sha256=sha, encoding="utf-8")
    ev = Evidence(doc_id=doc.doc_id, sentence_index=0, start=0, end=len(SENTENCE), text=SENTENCE, section=(),
                  rule="collect.verb.v1")
    practice = Practice(kind="collect", negated=False, evidence=ev, data=(str(DC.EmailAddress),))
    return PolicyRecord(document=doc, controller=ControllerInfo(legal_name=company, evidence=ev),
                        practices=[practice], model="test", date=date, date_evidence=None, warnings=())


def add(store: GraphStore, record: PolicyRecord) -> str:
    return store.add(policy_header(record), unique_triples(record))


def run_query(store: GraphStore, query: str, params: dict | None = None) -> api.QueryResult:
    return api.query(StoreSource(store), query, params)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "db") as s:
        yield s


def test_add_unchanged_replaced_remove(store):
    a1 = record("acme.txt", SENTENCE + " Version 1.")
    assert add(store, a1) == "added"
    assert add(store, a1) == "unchanged"
    [(iri, src, sha)] = store.policies()
    assert (src, sha) == ("acme.txt", a1.document.sha256) and iri.endswith(a1.document.doc_id)
    assert store.triple_count(iri) == len(policy_graph(a1))

    a2 = record("acme.txt", SENTENCE + " Version 2.")
    assert add(store, a2) == "replaced"
    assert [p[2] for p in store.policies()] == [a2.document.sha256]  # the old graph is gone
    assert store.known_hashes() == {a2.document.sha256}
    assert set(store.to_rdflib()) == set(policy_graph(a2))

    b = record("beta.txt", SENTENCE + " Beta.")
    assert add(store, b) == "added"
    assert len(store) == 2
    assert store.remove("acme.txt") is True
    assert store.remove("acme.txt") is False
    assert store.remove(store.policies()[0][0]) is True  # by IRI
    assert store.policies() == [] and len(store.to_rdflib()) == 0


def test_page_keys_are_kept_until_the_store_is_written(store):
    add(store, record("acme.txt", SENTENCE + " A.", company="Acme Inc."))
    first = store.page_keys("company")
    assert [k for k, _ in first] == ["Acme Inc."] and store.page_keys("company") == first
    assert [k for k, _ in store.page_keys("source")] == ["acme.txt"]
    add(store, record("beta.txt", SENTENCE + " B.", company="Beta Ltd."))  # a write: listed again
    assert sorted(k for k, _ in store.page_keys("company")) == ["Acme Inc.", "Beta Ltd."]
    assert sorted(k for k, _ in store.page_keys("source")) == ["acme.txt", "beta.txt"]
    store.remove("acme.txt")
    assert [k for k, _ in store.page_keys("company")] == ["Beta Ltd."]


def test_shared_nodes_survive_removing_one_policy(store):
    a, b = record("a.txt", SENTENCE + " A."), record("b.txt", SENTENCE + " B.")  # same controller node
    add(store, a), add(store, b)
    assert set(store.to_rdflib()) == set(policy_graph(a)) | set(policy_graph(b))
    store.remove("a.txt")
    assert set(store.to_rdflib()) == set(policy_graph(b))  # the controller's name etc. are still there


def test_persists_and_reopens(tmp_path):
    a = record("acme.txt", SENTENCE)
    with Store(tmp_path / "db") as s:
        add(s, a)
    with Store(tmp_path / "db") as s:
        assert s.known_hashes() == {a.document.sha256}
        assert add(s, a) == "unchanged"


def test_second_writer_is_refused(tmp_path):
    with Store(tmp_path / "db"), pytest.raises(StoreError):
        Store(tmp_path / "db")


def test_not_a_folder(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(StoreError):
        Store(tmp_path / "f")


def test_query_uses_ontology_and_binds_parameters_safely(store):
    add(store, record("acme.txt", SENTENCE))
    text = ("# param: category = dc:ContactInformation\n"
            "SELECT ?company WHERE { ?policy dct:publisher/dpv:hasName ?company ; ppkg:hasPractice ?p . "
            "?p dpv:hasPersonalData/skos:broader* ?category . }")
    by_name = ("# param: name = Acme\n"
               "SELECT ?company WHERE { ?policy dct:publisher/dpv:hasName ?company . "
               "FILTER(CONTAINS(STR(?company), STR(?name))) }")
    # e-mail address is narrower than contact information only through the ontology's skos:broader
    res = run_query(store, text, {"category": "dc:ContactInformation"})
    assert res.vars == ["company"] and res.rows == [(Literal("Acme Inc."),)]
    assert run_query(store, text, {"category": "dc:Location"}).rows == []
    # a hostile value stays one literal: no match, no error, the store untouched
    assert run_query(store, by_name).rows == [(Literal("Acme Inc."),)]
    assert run_query(store, by_name, {"name": '"} } ; DROP ALL ; SELECT * { {"'}).rows == []
    assert len(store) == 1
    with pytest.raises(BadQuery):
        run_query(store, text, {"nope": "1"})
    with pytest.raises(BadQuery):
        run_query(store, "ASK { ?s ?p ?o }")
    with pytest.raises(BadQuery):
        run_query(store, "SELECT ?s WHERE { ?s ?p }")


def test_with_values_skips_strings_comments_and_iris():
    q = '# a { in a comment\nPREFIX x: <http://e/#{>\nSELECT ("{" AS ?b) ?s WHERE { ?s ?p ?o }'
    out = with_values(q, {"p": URIRef("http://e/p")})
    assert out.endswith('WHERE { VALUES (?p) { (<http://e/p>) } ?s ?p ?o }')
    assert with_values(q, {}) == q


@pytest.mark.parametrize("fmt", ["trig", "turtle", "nt"])
def test_streamed_export_writes_what_the_whole_graph_export_writes(store, tmp_path, fmt):
    """Exporting a store streams it one policy at a time: TriG gives the store's own named graphs, Turtle and
    N-Triples the union (shared nodes once): the same quads / triples as exporting the store loaded whole (each
    with the DPV mapping triples of the concepts it uses)."""
    add(store, record("a.txt", SENTENCE + " A.")), add(store, record("b.txt", SENTENCE + " B."))
    streamed, whole = tmp_path / f"s.{fmt}", tmp_path / f"w.{fmt}"
    n = api.export(StoreSource(store), fmt, streamed).count
    if fmt == "trig":
        ds = Dataset()
        ds.parse(streamed, format="trig")
        got = {str(g.identifier): set(g) for g in ds.graphs() if len(g)}
        want = {iri: set(in_vocabulary(store.graph(iri), "ours")) for iri, _, _ in store.policies()}
        assert got == want  # one per policy, complete
        assert len(got) == 2 and n == sum(map(len, got.values()))
    else:
        export_graph(in_vocabulary(store.to_rdflib(), "ours"), fmt, whole)
        rdf = "nt" if fmt == "nt" else "turtle"
        got, expected = Graph().parse(streamed, format=rdf), Graph().parse(whole, format=rdf)
        assert set(got) == set(expected) and n == len(expected) > 0
        if fmt == "nt":  # shared nodes' triples (the controller, its recipients) written once, not per policy
            lines = [line for line in streamed.read_text().splitlines() if line]
            assert len(lines) == len(set(lines)) == n


def test_streamed_export_of_an_empty_store_is_an_empty_file(store, tmp_path):
    assert api.export(StoreSource(store), "turtle", tmp_path / "e.ttl").count == 0
    assert (tmp_path / "e.ttl").read_text() == ""


def test_versions_same_name_other_date_kept_same_date_replaced(store):
    v23 = record("acme.txt", SENTENCE + " 2023.", date="2023-01-01")
    v24 = record("acme.txt", SENTENCE + " 2024.", date="2024-01-01")
    assert add(store, v23) == "added"
    assert add(store, v24) == "versioned"  # same file name, another policy date: both kept
    assert {p[2] for p in store.policies()} == {v23.document.sha256, v24.document.sha256}
    assert set(store.to_rdflib()) == set(policy_graph(v23)) | set(policy_graph(v24))

    v24b = record("acme.txt", SENTENCE + " 2024, corrected.", date="2024-01-01")
    assert add(store, v24b) == "replaced"  # same name, same date: replaces that version only
    assert {p[2] for p in store.policies()} == {v23.document.sha256, v24b.document.sha256}

    undated = record("acme.txt", SENTENCE + " no date.")
    assert add(store, undated) == "replaced"  # an undated file cannot be placed: it replaces every acme.txt
    assert [p[2] for p in store.policies()] == [undated.document.sha256]
    assert set(store.to_rdflib()) == set(policy_graph(undated))


def test_versions_same_controller_same_date_other_file_both_kept(store):
    a = record("acme.txt", SENTENCE + " Policy.", date="2024-01-01")
    b = record("acme-cookies.txt", SENTENCE + " Cookies.", date="2024-01-01")
    assert add(store, a) == "added" and add(store, b) == "added"
    assert [p[1] for p in store.policies()] == ["acme-cookies.txt", "acme.txt"]

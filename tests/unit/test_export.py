"""Export and graph I/O: every registered format round-trips (one test walks the whole table); TriG holds one
named graph per policy; loading reports bad files with their line; writes are atomic."""
from __future__ import annotations

import os

import networkx as nx
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.errors import BadGraph, OutputError, UnknownName
from kg.exporters import EXPORTERS
from kg.exporters import export_graph as export
from kg.graphio import load_graph, policy_closures, rdflib_dataset_warnings_ignored, write_atomic
from kg.vocab import DC, ID, PPKG, bind_prefixes
from tests.helpers.compare import assert_isomorphic
from tests.helpers.graphs import PolicyWriter, acme, sample_graph


def read_dataset(path) -> Dataset:
    ds = Dataset()
    with rdflib_dataset_warnings_ignored():
        ds.parse(path, format="trig")
    return ds


def expected_property_graph(graph: Graph) -> tuple[set[str], list[tuple[str, str, str]]]:
    """Nodes and edges the GraphML export must have, derived from the RDF independently of kg.exporters."""
    nodes = {str(s) for s in graph.subjects()}
    nodes |= {str(o) for _, p, o in graph if not isinstance(o, Literal) and p != RDF.type}  # types: attributes
    edges = sorted((str(s), str(o), str(p)) for s, p, o in graph if not isinstance(o, Literal) and p != RDF.type)
    return nodes, edges


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_every_format_round_trips(fmt, tmp_path):
    graph = sample_graph()
    function, extension = EXPORTERS[fmt]
    out = tmp_path / f"kg{extension}"
    export(graph, fmt, out)
    if fmt == "graphml":
        back = nx.read_graphml(out, force_multigraph=True)
        nodes, edges = expected_property_graph(graph)
        assert set(back.nodes) == nodes
        assert sorted((u, v, d["predicate"]) for u, v, d in back.edges(data=True)) == edges
        acme_org = back.nodes[str(ID["org/acme-inc"])]
        assert acme_org["label"] == "Acme Inc." and acme_org["dpv:hasName"] == "Acme Inc."
        assert acme_org["types"] == "https://w3id.org/dpv#Organisation https://w3id.org/privacy-kg/ns#Controller"
        assert back.nodes[str(DC.EmailAddress)]["label"] == "email address"  # concept label from the ontology
        return
    assert_isomorphic(load_graph(out), graph)
    if fmt == "trig":
        ds = read_dataset(out)
        policies = set(graph.subjects(RDF.type, PPKG.PrivacyPolicy))
        named = {g.identifier for g in ds.graphs() if g.identifier != ds.default_graph.identifier and len(g)}
        assert named == policies and len(policies) == 2  # one named graph per policy
        closures = policy_closures(graph)
        for policy in policies:
            assert_isomorphic(ds.graph(policy), closures[policy])
        assert len(ds.default_graph) == 0  # every triple of the sample is reachable from a policy


def test_trig_puts_shared_nodes_in_every_policy_graph_and_the_rest_in_the_default_graph(tmp_path):
    graph = sample_graph()
    orphan = (ID["recipient/Nobody"], PPKG.recipientKind, URIRef("https://w3id.org/privacy-kg/recipient#Court"))
    graph.add(orphan)
    export(graph, "trig", tmp_path / "kg.trig")
    ds = read_dataset(tmp_path / "kg.trig")
    stripe = (ID["org/stripe"], PPKG.organisation, URIRef("https://w3id.org/privacy-kg/organisation#Stripe"))
    holding = {g.identifier for g in ds.graphs() if stripe in g}
    assert holding == set(graph.subjects(RDF.type, PPKG.PrivacyPolicy))
    assert set(ds.default_graph) == {orphan}


def test_closure_of_two_versions_of_one_company_keeps_each_versions_evidence():
    g = bind_prefixes(Graph())
    first = acme(g)
    second = PolicyWriter(g, "acme-2025.txt", "Acme Inc. is the controller.\n")
    second.publisher("acme-inc", "Acme Inc.", "Acme Inc. is the controller.")  # the same controller node
    closures = policy_closures(g)
    org = ID["org/acme-inc"]
    for policy, closure in closures.items():
        evidence = set(closure.objects(org, PPKG.evidence))
        assert evidence and all(str(e).startswith(f"{policy}/") for e in evidence)
        assert not any(str(s).startswith(f"{other}/") for other in closures if other != policy
                       for s in closure.subjects())
    assert set().union(*(set(c) for c in closures.values())) == set(g)
    assert first.iri in closures and second.iri in closures


def test_unknown_format_writes_nothing(tmp_path):
    with pytest.raises(UnknownName) as exc:
        export(sample_graph(), "xml", tmp_path / "kg.xml")
    assert "turtle" in exc.value.hint
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "kg.ttl"
    target.write_text("old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OutputError, match="kg.ttl: cannot write: disk full; nothing written"):  # one line
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["kg.ttl"]  # no temporary file left behind


def test_write_atomic_gives_the_mode_open_would(tmp_path):
    write_atomic(tmp_path / "a.ttl", b"x")
    (tmp_path / "b.ttl").write_bytes(b"x")
    assert (tmp_path / "a.ttl").stat().st_mode == (tmp_path / "b.ttl").stat().st_mode


@pytest.mark.parametrize("name, text, message", [
    ("bad.ttl", "@prefix x: <http://x/> .\nx:a x:b x:c .\nx:a x:b ;; .\n", "not valid turtle (line 3)"),
    ("bad.jsonld", '{"@id": "http://x/a",\n "http://x/b": [ }', "not valid json-ld (line 2, column 18)"),
    ("bad.nt", "<http://x/a> <http://x/b> .\n", "not valid nt: Invalid line"),
    ("bad.rdf", "<rdf:RDF/>", "unknown RDF file extension '.rdf'"),
])
def test_load_graph_reports_file_and_line(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    with pytest.raises(BadGraph) as exc:
        load_graph(tmp_path / name)
    assert exc.value.path == str(tmp_path / name)
    assert exc.value.message.startswith(message)


def test_load_graph_missing_file(tmp_path):
    with pytest.raises(BadGraph, match="no such file"):
        load_graph(tmp_path / "missing.ttl")


def test_load_graph_reads_quads_as_their_union(tmp_path):
    (tmp_path / "kg.trig").write_text("<http://g> { <http://x/a> <http://x/b> <http://x/c> . }\n"
                                      "<http://x/d> <http://x/b> <http://x/c> .\n")
    assert len(load_graph(tmp_path / "kg.trig")) == 2

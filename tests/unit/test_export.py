"""Export stage: every registered format round-trips (one test walks the whole table)."""
import networkx as nx
import pytest
from graphs import sample_graph
from rdflib import Dataset, Graph
from rdflib.compare import to_isomorphic

from kg.errors import UnknownName
from kg.export import EXPORTERS, export, to_networkx
from kg.vocab import PPKG

RDF_FORMATS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig"}


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_round_trip(fmt, tmp_path):
    graph = sample_graph()
    out = tmp_path / f"g{EXPORTERS[fmt][1]}"
    export(graph, fmt, out)
    if fmt == "graphml":
        back = nx.read_graphml(out, force_multigraph=True)
        want = to_networkx(graph)
        assert set(back.nodes) == set(want.nodes)
        assert sorted((u, v, d["predicate"]) for u, v, d in back.edges(data=True)) == \
            sorted((u, v, d["predicate"]) for u, v, d in want.edges(data=True))
        assert dict(back.nodes(data=True)) == dict(want.nodes(data=True))
        return
    if fmt == "trig":
        ds = Dataset()
        ds.parse(out, format="trig")
        policies = set(graph.subjects(predicate=None, object=PPKG.PrivacyPolicy))
        named = {g.identifier for g in ds.graphs() if len(g)}
        assert policies <= named  # one named graph per policy
        back = Graph()
        for g in ds.graphs():
            back += g
    else:
        back = Graph().parse(out, format=RDF_FORMATS[fmt])
    assert to_isomorphic(back) == to_isomorphic(graph)


def test_trig_graph_holds_its_policy_only(tmp_path):
    graph = sample_graph()
    export(graph, "trig", tmp_path / "g.trig")
    ds = Dataset()
    ds.parse(tmp_path / "g.trig", format="trig")
    for g in ds.graphs():
        policies = set(g.subjects(predicate=None, object=PPKG.PrivacyPolicy))
        assert len(policies) <= 1
        if policies:
            assert policies == {g.identifier}


def test_unknown_format(tmp_path):
    with pytest.raises(UnknownName):
        export(sample_graph(), "xml", tmp_path / "g.xml")
    assert not (tmp_path / "g.xml").exists()

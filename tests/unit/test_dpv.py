"""DPV-native data: the vendored DPV 2.3 for queries, exports in DPV's terms, mapping triples, compacted JSON-LD.

The acceptance test of issue 15: an export with ``--vocabulary dpv`` loaded into a fresh Oxigraph store beside DPV
alone (no privacy-kg ontology) answers "who collects pd:EmailAddress" and "who shares with dpv:ThirdParty".
"""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from kg import api
from kg.dpv import (bridge, dpv_graph, exact_matches, extract_taxonomy, is_known, mapping_triples, query_vocabulary,
                    taxonomy_path, to_dpv)
from kg.errors import BadQuery
from kg.exporters import in_vocabulary
from kg.graphio import ontology_graph
from kg.jsonld import compact, context_path, make_context
from kg.resources import dpv_files
from kg.sparql import parse_param
from kg.vocab import DC, DPV, PD, RK
from tests.helpers.compare import assert_isomorphic
from tests.helpers.graphs import sample_graph

PREFIXES = ("PREFIX dpv: <https://w3id.org/dpv#> PREFIX pd: <https://w3id.org/dpv/pd#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ")


def names(store: ox.Store, where: str) -> list[str]:
    query = PREFIXES + f"SELECT DISTINCT ?name WHERE {{ {where} ?c dpv:hasName ?name }}"
    return sorted(r[0].value for r in store.query(query))  # type: ignore[union-attr,index]


def dpv_alone_with(path) -> ox.Store:
    store = ox.Store()
    for f in dpv_files():
        store.bulk_load(path=str(f), format=ox.RdfFormat.TURTLE)
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def test_dpv_export_answers_dpv_questions_with_dpv_alone(tmp_path, example_build):
    _, built = example_build
    out = tmp_path / "dpv.ttl"
    with api.open_source(built) as source:
        api.export(source, "turtle", out, vocabulary="dpv")
    store = dpv_alone_with(out)
    collects_email = names(store, "?p dpv:hasProcessing dpv:Collect ; dpv:hasPersonalData pd:EmailAddress ; "
                                  "dpv:hasDataController ?c .")
    shares_with_third_party = names(store, "?p dpv:hasRecipient ?r ; dpv:hasDataController ?c . "
                                           "?r a/rdfs:subClassOf* dpv:ThirdParty .")
    # the same questions asked of the privacy-kg graph through the packaged queries (our vocabulary)
    with api.open_source(built) as source:
        ours_email = sorted({r["company"] for r in api.query(source, "companies-collecting-category",
                                                              {"category": "dc:EmailAddress"}).dicts()})
    assert collects_email == ours_email and len(collects_email) >= 3
    assert {"Calsoft Systems", "CubeSoft Communications Inc."} <= set(shares_with_third_party)
    # DPV's taxonomy reaches our data: pd:EmailAddress is narrower than pd:Contact in DPV
    assert set(collects_email) <= set(names(store, "?p dpv:hasPersonalData ?d ; dpv:hasDataController ?c . "
                                                   "?d skos:broader* pd:Contact ."))


def test_to_dpv_replaces_exact_matches_and_links_the_rest():
    graph = sample_graph()
    out = to_dpv(graph)
    exact = exact_matches()
    assert exact[DC.EmailAddress] == PD.EmailAddress
    assert not any(o == DC.EmailAddress for o in out.objects())  # replaced everywhere
    assert (None, DPV.hasPersonalData, PD.EmailAddress) in out
    kept = {o for o in out.objects(None, DPV.hasPersonalData) if str(o).startswith("https://w3id.org/privacy-kg/")}
    for concept in kept:  # no exact match: ours, with its matches and a broader DPV concept
        assert concept not in exact
        assert any(True for _ in out.objects(concept, SKOS.broader)) or \
            any(True for p in (SKOS.closeMatch, SKOS.relatedMatch, SKOS.narrowMatch) for _ in out.objects(concept, p))
    # a recipient of kind "advertisers" is typed with the DPV class of the nearest kind above it that has one
    for node, kind in graph.subject_objects(URIRef("https://w3id.org/privacy-kg/ns#recipientKind")):
        assert any(str(t).startswith("https://w3id.org/dpv#") for t in out.objects(node, RDF.type)), kind
    assert len(graph) == len(sample_graph())  # the input is not modified


def test_default_export_carries_the_mapping_triples_of_the_concepts_it_uses():
    graph = sample_graph()
    out = in_vocabulary(graph, "ours")
    assert (DC.EmailAddress, SKOS.exactMatch, PD.EmailAddress) in out
    added = set(out) - set(graph)
    assert added == set(mapping_triples(graph))
    used = {o for o in graph.objects() if isinstance(o, URIRef)}
    assert {s for s, _, _ in added} <= used  # only the concepts the graph uses


def test_dpv_terms_are_query_parameters_and_broader_reaches_dpv(example_graph):
    from kg.sparql import run_query

    def companies(category: str) -> set[str]:
        rows = run_query(example_graph, "companies-collecting-category", {"category": category})
        return {r["company"] for r in rows.dicts()}

    assert companies("pd:EmailAddress") == companies("dc:EmailAddress") != set()
    assert companies("pd:Contact") >= companies("dc:EmailAddress")  # pd:Contact is above pd:EmailAddress in DPV
    kinds = run_query(example_graph, "sharing-with-recipient-kind", {"kind": "dpv:ThirdParty"})
    assert len(kinds.rows) > 0
    with pytest.raises(BadQuery, match="not defined in DPV 2.3"):
        parse_param("pd:Emial")


def test_the_bridge_leads_from_ours_into_dpv_only():
    ours = "https://w3id.org/privacy-kg/"
    assert all(str(s).startswith(ours) and str(o).startswith("https://w3id.org/dpv") for s, _, o in bridge())
    assert (RK.ThirdParty, SKOS.broader, DPV.ThirdParty) in bridge()  # closeMatch bridged
    assert is_known(PD.EmailAddress) and is_known(DC.EmailAddress) and not is_known(PD.Emial)
    assert len(query_vocabulary()) == len(ontology_graph()) + len(bridge()) + len(Graph().parse(taxonomy_path()))


def test_the_shipped_dpv_taxonomy_is_the_vendored_dpv_s():
    """``ontology/dpv-taxonomy.nt`` is made by ``python -m kg.dpv``; it must match the vendored files."""
    shipped = Graph().parse(taxonomy_path(), format="nt")
    assert_isomorphic(shipped, extract_taxonomy(dpv_graph()))


def test_the_shipped_context_is_current():
    """``ontology/context.jsonld`` is made by ``python -m kg.jsonld`` from the ontology."""
    assert json.loads(context_path().read_text(encoding="utf-8")) == make_context(ontology_graph())


@pytest.mark.parametrize("vocabulary", ["ours", "dpv"])
def test_jsonld_is_compact_and_round_trips(example_graph, vocabulary):
    graph = in_vocabulary(example_graph, vocabulary)
    text = compact(graph)
    data = json.loads(text)
    assert set(data) == {"@context", "@graph"}
    keys = {k for node in data["@graph"] for k in node}
    assert not [k for k in keys if k.startswith("http")], "every property has a short term"
    practice = next(n for n in data["@graph"] if "CollectionPractice" in n.get("type", []))
    assert isinstance(practice["negated"], bool) and isinstance(practice["hasProcessing"], str)
    evidence = next(n for n in data["@graph"] if n.get("type") == "Evidence")
    assert isinstance(evidence["start"], int) and isinstance(evidence["exact"], str)
    assert_isomorphic(Graph().parse(data=text, format="json-ld"), graph)

"""Network analysis on the hand-written graph (Acme, Beta, Gamma): exact edges, weights, shared recipients,
Jaccard similarity, centrality, GraphML, JSON summary and headlines."""
from __future__ import annotations

import json

import networkx as nx
import pytest

from kg.sharing import analyse
from kg.vocab import ID
from tests.helpers.graphs import library_graph, sample_graph

ACME, BETA, GAMMA = (str(ID[f"org/{s}"]) for s in ("acme-inc", "beta-llc", "gamma-corp"))
STRIPE, GOOGLE, ADS, THIRD = (str(ID[s]) for s in ("org/stripe", "org/google", "recipient/Advertiser",
                                                     "recipient/ThirdParty"))


@pytest.fixture(scope="module")
def net():
    return analyse(library_graph())


def test_company_recipient_graph(net):
    g = net.company_recipient
    edges = {(a, b) if a in (ACME, BETA, GAMMA) else (b, a): (d["weight"], d["categories"])
             for a, b, d in g.edges(data=True)}
    assert edges == {
        (ACME, STRIPE): (1, ["dc:EmailAddress"]), (ACME, ADS): (1, ["dc:UsageData"]),
        (BETA, STRIPE): (1, ["dc:EmailAddress"]), (BETA, ADS): (1, ["dc:EmailAddress"]),
        (GAMMA, ADS): (1, ["dc:PhoneNumber"]), (GAMMA, GOOGLE): (1, ["dc:UsageData"]),
    }  # negated sharing (Beta's, Gamma's "third parties") is no edge
    assert THIRD not in g
    assert {n: (d["type"], d["label"]) for n, d in g.nodes(data=True)} == {
        ACME: ("company", "Acme Inc."), BETA: ("company", "Beta LLC"), GAMMA: ("company", "Gamma Corp."),
        STRIPE: ("recipient", "Stripe"), GOOGLE: ("recipient", "Google"), ADS: ("recipient", "advertiser")}


def test_edge_weight_counts_distinct_categories():
    from kg.vocab import DC, RK
    from tests.helpers.graphs import PolicyWriter, recipient
    g = sample_graph()
    text = "We share your name and e-mail address with Stripe.\nWe share your name with Stripe again.\n"
    w = PolicyWriter(g, "delta.txt", text)
    w.publisher("delta", "Delta", text.splitlines()[0])
    stripe = recipient(g, RK.PaymentProcessor, "Stripe", slug="stripe")
    w.practice("share", text.splitlines()[0], data=(DC.Name, DC.EmailAddress), recipients=(stripe,))
    w.practice("share", text.splitlines()[1], data=(DC.Name,), recipients=(stripe,))
    edge = analyse(g).company_recipient.edges[str(ID["org/delta"]), STRIPE]
    assert edge == {"weight": 2, "categories": ["dc:EmailAddress", "dc:Name"]}


def test_company_category_graph(net):
    g = net.company_category
    got = {(a, b) if a in (ACME, BETA, GAMMA) else (b, a): (d["weight"], d["practices"])
           for a, b, d in g.edges(data=True)}
    dc = "https://w3id.org/privacy-kg/data-category#"
    assert got == {
        (ACME, dc + "EmailAddress"): (3, ["collect", "retain", "share"]), (ACME, dc + "IPAddress"): (1, ["collect"]),
        (ACME, dc + "UsageData"): (1, ["share"]),
        (BETA, dc + "Name"): (1, ["collect"]), (BETA, dc + "EmailAddress"): (2, ["collect", "share"]),
        (BETA, dc + "PersonalInformation"): (1, ["retain"]),
        (GAMMA, dc + "PhoneNumber"): (2, ["collect", "share"]), (GAMMA, dc + "PreciseLocation"): (1, ["collect"]),
        (GAMMA, dc + "UsageData"): (1, ["share"]), (GAMMA, dc + "LogData"): (1, ["retain"]),
        (GAMMA, dc + "PersonalInformation"): (1, ["transfer"]),
    }  # negated practices (Acme's and Gamma's "do not sell") name no category


def test_shared_recipients(net):
    assert net.shared_recipients() == [(ADS, [ACME, BETA, GAMMA]), (STRIPE, [ACME, BETA])]
    assert net.shared_recipients(min_companies=3) == [(ADS, [ACME, BETA, GAMMA])]


def test_practice_triples_and_jaccard(net):
    assert net.practices[ACME] == {
        ("dc:EmailAddress", "pur:ServiceProvision", None), ("dc:IPAddress", "pur:ServiceProvision", None),
        ("dc:EmailAddress", "pur:Payment", "rk:PaymentProcessor"), ("dc:UsageData", "pur:Advertising", "rk:Advertiser"),
        ("dc:EmailAddress", None, None)}
    assert net.practices[BETA] == {
        ("dc:Name", None, None), ("dc:EmailAddress", None, None), ("dc:EmailAddress", None, "rk:Advertiser"),
        ("dc:EmailAddress", None, "rk:PaymentProcessor"), ("dc:PersonalInformation", None, None)}
    assert len(net.practices[GAMMA]) == 6
    assert net.similarity == {(ACME, BETA): pytest.approx(1 / 9), (ACME, GAMMA): 0.0,
                              (BETA, GAMMA): pytest.approx(1 / 10)}
    assert [(a, b) for a, b, _ in net.most_similar()] == [(ACME, BETA), (BETA, GAMMA)]


def test_recipient_centrality(net):
    # betweenness by hand: advertisers lie on every shortest path to Gamma and Google and on half of Acme-Beta's
    assert net.centrality == {
        ADS: {"degree": 1.0, "weighted_degree": 3.0, "betweenness": 0.65},
        STRIPE: {"degree": pytest.approx(2 / 3), "weighted_degree": 2.0, "betweenness": 0.05},
        GOOGLE: {"degree": pytest.approx(1 / 3), "weighted_degree": 1.0, "betweenness": 0.0}}
    assert net.recipients() == [ADS, STRIPE, GOOGLE]


def test_summary_is_json_and_complete(net):
    summary = json.loads(json.dumps(net.summary()))
    assert [c["label"] for c in summary["companies"]] == ["Acme Inc.", "Beta LLC", "Gamma Corp."]
    assert [(r["label"], r["companies"], r["betweenness"]) for r in summary["recipients"]] == [
        ("advertiser", 3, 0.65), ("Stripe", 2, 0.05), ("Google", 1, 0.0)]
    assert summary["shared_recipients"] == [
        {"recipient": "advertiser", "companies": ["Acme Inc.", "Beta LLC", "Gamma Corp."]},
        {"recipient": "Stripe", "companies": ["Acme Inc.", "Beta LLC"]}]
    assert summary["similarity"][0] == {"a": "Acme Inc.", "b": "Beta LLC", "jaccard": 0.1111,
                                        "shared_practices": [["dc:EmailAddress", None, None]]}
    assert len(summary["company_recipient_edges"]) == 6 and len(summary["company_category_edges"]) == 11
    assert summary["categories"][0] == {"category": "email address", "companies": ["Acme Inc.", "Beta LLC"]}


def test_headlines(net):
    assert net.headlines(top=2) == [
        "2 recipient(s) used by several companies: advertiser (3 of 3: Acme Inc., Beta LLC, Gamma Corp.); "
        "Stripe (2 of 3: Acme Inc., Beta LLC)",
        "Most central recipients: advertiser (betweenness 0.65, 3 companies), Stripe (betweenness 0.05, 2 companies)",
        "Widest data flows: Acme Inc. -> Stripe (1 category), Acme Inc. -> advertiser (1 category)",
        "Most similar companies (Jaccard over category/purpose/recipient-kind practices): Acme Inc. & Beta LLC "
        "(0.11), Beta LLC & Gamma Corp. (0.10)",
        "Most widely processed data categories: email address (2 companies), personal information (2 companies)",
    ]


def test_graphml_round_trips(net, tmp_path):
    path = tmp_path / "net.graphml"
    net.to_graphml(path)
    g = nx.read_graphml(path)
    relations = sorted(d["relation"] for _, _, d in g.edges(data=True))
    assert relations.count("shares_with") == 6 and relations.count("processes") == 11
    assert relations.count("similar_to") == 2
    assert g.nodes[ADS]["label"] == "advertiser" and g.nodes[ADS]["centrality_betweenness"] == 0.65
    assert g.edges[ACME, STRIPE]["categories"] == "dc:EmailAddress"


def test_empty_graph():
    from rdflib import Graph
    net = analyse(Graph())
    assert net.headlines() == [] and net.summary()["companies"] == []


def test_per_policy_graphs_give_the_network_of_their_union(example_graph):
    """analyse() over a store's policy graphs one at a time (each policy's closure, shared nodes repeated in each)
    equals analyse() over their union: same nodes, labels, edges, weights, similarity and centrality."""
    from kg.graphio import policy_closures

    closures = policy_closures(example_graph)
    assert len(closures) == 5
    whole = analyse(example_graph)
    streamed = analyse(closures[p] for p in sorted(closures))
    assert streamed.summary() == whole.summary()
    for attr in ("company_recipient", "company_category"):
        a, b = getattr(whole, attr), getattr(streamed, attr)
        assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
        assert {frozenset(e[:2]): e[2] for e in a.edges(data=True)} == \
            {frozenset(e[:2]): e[2] for e in b.edges(data=True)}
    assert streamed.similarity == whole.similarity and streamed.centrality == whole.centrality

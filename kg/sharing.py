"""Network analysis: who shares with whom, who processes what, which companies look alike.

Built from the positive (``ppkg:negated false``) data practices of every policy, keyed by the policy's
controller (``dct:publisher``):

* company-recipient graph: an edge from a company to every recipient it shares data with (``dpv:hasRecipient``
  of a sharing practice) or lets collect data on its site (``ppkg:collector``); ``weight`` = number of distinct
  data categories that flow along the edge. Recipients are the graph's recipient nodes: named organisations
  (``kgid:org/stripe``) or unnamed kinds (``kgid:recipient/Advertiser``), shared across policies.
* company-data category graph: an edge from a company to every category one of its practices names;
  ``weight`` = number of statements, ``practices`` = the practice kinds (collect, use, share, ...).
* company similarity: Jaccard index of the companies' sets of (data category, purpose, recipient kind) practice
  triples (no purpose / no recipient count as a value of their own, so "collects e-mail for no stated purpose"
  matches only that).
* recipient centrality: companies using it, weighted degree, betweenness in the company-recipient graph.

``analyse(graph)`` returns a ``NetworkResult`` with ``to_graphml(path)``, ``summary()`` (JSON-serialisable) and
``headlines(top)``. ``graph`` may also be an iterable of graphs, e.g. a store's policy graphs one at a time (sorted
by policy IRI): the result is the same as for their union, and the triples are never all in memory at once.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import networkx as nx
from rdflib import Graph, URIRef
from rdflib.term import Node

from kg.graphio import graphml_bytes, ontology_graph, short_name, write_atomic
from kg.view import Labels, read_policies

PracticeKey = tuple[str, str | None, str | None]  # (category, purpose, recipient kind) as prefixed names


def _label(labels: Labels, node: Node) -> str:
    return labels.name(node) or short_name(node)


@dataclass
class NetworkResult:
    """The graphs and measures; nodes are keyed by full IRI, with ``label`` and ``type`` attributes."""

    company_recipient: nx.Graph
    company_category: nx.Graph
    practices: dict[str, set[PracticeKey]]  # company IRI -> practice triples
    similarity: dict[tuple[str, str], float]  # (company IRI, company IRI), sorted pair -> Jaccard
    centrality: dict[str, dict[str, float]] = field(default_factory=dict)  # recipient IRI -> measures

    # -- views -------------------------------------------------------------------------------------------------
    def label(self, node: str) -> str:
        for g in (self.company_recipient, self.company_category):
            if node in g:
                return g.nodes[node]["label"]
        return node

    def companies(self) -> list[str]:
        nodes = set(self.practices) | {n for g in (self.company_recipient, self.company_category)
                                       for n, t in g.nodes(data="type") if t == "company"}
        return sorted(nodes, key=lambda n: (self.label(n), n))

    def recipients(self) -> list[str]:
        """Recipients, most central first (companies using them, then betweenness, then label)."""
        g = self.company_recipient
        nodes = [n for n, t in g.nodes(data="type") if t == "recipient"]
        return sorted(nodes, key=lambda n: (-g.degree(n), -self.centrality[n]["betweenness"], g.nodes[n]["label"], n))

    def shared_recipients(self, min_companies: int = 2) -> list[tuple[str, list[str]]]:
        """(recipient IRI, company IRIs) for recipients used by at least ``min_companies`` companies."""
        g = self.company_recipient
        return [(r, sorted(g.neighbors(r), key=lambda c: (self.label(c), c))) for r in self.recipients()
                if g.degree(r) >= min_companies]

    def most_similar(self) -> list[tuple[str, str, float]]:
        """Company pairs with a Jaccard index above 0, most similar first."""
        pairs = [(a, b, j) for (a, b), j in self.similarity.items() if j > 0]
        return sorted(pairs, key=lambda p: (-p[2], self.label(p[0]), self.label(p[1])))

    def categories(self) -> list[tuple[str, list[str]]]:
        """(category IRI, company IRIs) by number of companies processing it."""
        g = self.company_category
        cats = [n for n, t in g.nodes(data="type") if t == "category"]
        cats.sort(key=lambda n: (-g.degree(n), g.nodes[n]["label"], n))
        return [(c, sorted(g.neighbors(c), key=lambda x: (self.label(x), x))) for c in cats]

    # -- outputs -----------------------------------------------------------------------------------------------
    def combined(self) -> nx.Graph:
        """One graph for GraphML: companies, recipients and categories; edges carry ``relation`` (shares_with,
        processes, similar_to) and ``weight``; list attributes are joined with ``, ``."""
        g = nx.Graph()
        for src, relation in ((self.company_recipient, "shares_with"), (self.company_category, "processes")):
            for n, attrs in src.nodes(data=True):
                g.add_node(n, **dict(attrs))
            for a, b, attrs in src.edges(data=True):
                g.add_edge(a, b, relation=relation,
                           **{k: ", ".join(v) if isinstance(v, list) else v for k, v in attrs.items()})
        for (a, b), j in self.similarity.items():
            if j > 0:
                g.add_edge(a, b, relation="similar_to", weight=j)
        for r, measures in self.centrality.items():
            g.nodes[r].update({f"centrality_{k}": v for k, v in measures.items()})
        return g

    def to_graphml(self, path: str | Path) -> None:
        """Write ``combined()`` as GraphML (for Gephi, yEd, networkx), atomically."""
        write_atomic(path, graphml_bytes(self.combined()))

    def to_json(self, path: str | Path) -> None:
        """Write ``summary()`` as JSON, atomically."""
        write_atomic(path, json.dumps(self.summary(), ensure_ascii=False, indent=2) + "\n")

    def summary(self) -> dict:
        """Everything as plain JSON types: companies, recipients (with centrality), edges, shared recipients,
        similarity, categories."""
        cr, cc = self.company_recipient, self.company_category
        return {
            "companies": [{"id": c, "label": self.label(c), "practices": len(self.practices.get(c, ())),
                           "recipients": cr.degree(c) if c in cr else 0,
                           "categories": cc.degree(c) if c in cc else 0} for c in self.companies()],
            "recipients": [{"id": r, "label": cr.nodes[r]["label"], "kind": cr.nodes[r]["kind"],
                            "companies": cr.degree(r), **self.centrality[r]} for r in self.recipients()],
            "company_recipient_edges": [
                {"company": self.label(c), "recipient": self.label(r), "weight": d["weight"],
                 "categories": d["categories"]} for c, r, d in self._edges(cr)],
            "shared_recipients": [{"recipient": self.label(r), "companies": [self.label(c) for c in cs]}
                                  for r, cs in self.shared_recipients()],
            "similarity": [{"a": self.label(a), "b": self.label(b), "jaccard": round(j, 4),
                            "shared_practices": [list(p) for p in sorted(self.practices[a] & self.practices[b],
                                                                         key=_practice_key)]}
                           for (a, b), j in sorted(self.similarity.items(), key=lambda kv: (
                               -kv[1], self.label(kv[0][0]), self.label(kv[0][1])))],
            "categories": [{"category": self.label(c), "companies": [self.label(x) for x in cs]}
                           for c, cs in self.categories()],
            "company_category_edges": [
                {"company": self.label(c), "category": self.label(k), "weight": d["weight"],
                 "practices": d["practices"]} for c, k, d in self._edges(cc)],
        }

    def _edges(self, g: nx.Graph) -> list[tuple[str, str, dict]]:
        """Edges as (company, other, data), by company label then other label."""
        out = []
        for a, b, d in g.edges(data=True):
            if g.nodes[a]["type"] != "company":
                a, b = b, a
            out.append((a, b, d))
        return sorted(out, key=lambda e: (self.label(e[0]), self.label(e[1]), e[0], e[1]))

    def headlines(self, top: int = 5) -> list[str]:
        """The findings worth a line each, ``top`` items per finding."""
        lines = []
        n_companies = len(self.companies())
        shared = self.shared_recipients()
        if shared:
            lines.append(f"{len(shared)} recipient(s) used by several companies: " + "; ".join(
                f"{self.label(r)} ({len(cs)} of {n_companies}: {', '.join(self.label(c) for c in cs)})"
                for r, cs in shared[:top]))
        recipients = sorted(self.recipients(), key=lambda r: (-self.centrality[r]["betweenness"],
                                                              -self.company_recipient.degree(r), self.label(r)))
        if recipients:
            lines.append("Most central recipients: " + ", ".join(
                f"{self.label(r)} (betweenness {self.centrality[r]['betweenness']:.2f}, "
                f"{_n(self.company_recipient.degree(r), 'company', 'companies')})" for r in recipients[:top]))
        flows = sorted(self._edges(self.company_recipient), key=lambda e: (-e[2]["weight"], self.label(e[0]),
                                                                           self.label(e[1])))
        if flows:
            lines.append("Widest data flows: " + ", ".join(
                f"{self.label(c)} -> {self.label(r)} ({d['weight']} categor{'y' if d['weight'] == 1 else 'ies'})"
                for c, r, d in flows[:top]))
        similar = self.most_similar()
        if similar:
            lines.append("Most similar companies (Jaccard over category/purpose/recipient-kind practices): " +
                         ", ".join(f"{self.label(a)} & {self.label(b)} ({j:.2f})" for a, b, j in similar[:top]))
        elif n_companies > 1:
            lines.append("No two companies state a common practice.")
        cats = self.categories()
        if cats:
            lines.append("Most widely processed data categories: " + ", ".join(
                f"{self.label(c)} ({_n(len(cs), 'company', 'companies')})" for c, cs in cats[:top]))
        return lines


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _practice_key(p: PracticeKey) -> tuple[str, str, str]:
    return tuple(x or "" for x in p)  # type: ignore[return-value]


def _add_node(g: nx.Graph, node: str, label: str, **attrs) -> None:
    """Add ``node``, or keep it with the smaller of its labels (a node met in several policy graphs gets the label
    the union of those graphs would give it: the first of its sorted names)."""
    if node in g and g.nodes[node].get("label", label) < label:
        label = g.nodes[node]["label"]
    g.add_node(node, label=label, **attrs)


def analyse(graph: Graph | Iterable[Graph]) -> NetworkResult:
    """Build the company-recipient and company-category graphs, practice triples, similarity and centrality, from
    one graph or from several graphs, each holding whole policies (their union)."""
    onto = ontology_graph()
    cr, cc = nx.Graph(), nx.Graph()
    practices: dict[str, set[PracticeKey]] = {}
    flows: dict[tuple[str, str], set[str]] = {}
    processes: dict[tuple[str, str], tuple[set[Node], set[str]]] = {}
    for g in [graph] if isinstance(graph, Graph) else graph:
        _add_policies(g, Labels(g, onto), cr, cc, practices, flows, processes)
    for (c, r), cats in flows.items():
        cr.add_edge(c, r, weight=len(cats), categories=sorted(cats))
    for (c, d), (stmts, kinds) in processes.items():
        cc.add_edge(c, d, weight=len(stmts), practices=sorted(kinds))
    similarity = {}
    for a, b in combinations(sorted(practices), 2):
        union = practices[a] | practices[b]
        similarity[(a, b)] = len(practices[a] & practices[b]) / len(union) if union else 0.0
    recipients = [n for n, t in cr.nodes(data="type") if t == "recipient"]
    betweenness = nx.betweenness_centrality(cr, normalized=True) if len(cr) > 2 else dict.fromkeys(cr, 0.0)
    n_companies = max(len(practices), 1)
    centrality = {r: {"degree": cr.degree(r) / n_companies,
                      "weighted_degree": float(cr.degree(r, weight="weight")),
                      "betweenness": round(betweenness.get(r, 0.0), 6)} for r in recipients}
    return NetworkResult(cr, cc, practices, similarity, centrality)


def _add_policies(graph: Graph, labels: Labels, cr: nx.Graph, cc: nx.Graph, practices: dict[str, set[PracticeKey]],
                  flows: dict[tuple[str, str], set[str]],
                  processes: dict[tuple[str, str], tuple[set[Node], set[str]]]) -> None:
    """Add the positive practices of the policies in ``graph`` to the accumulators of ``analyse``."""
    for policy in read_policies(graph):
        if policy.controller is None:
            continue
        cid = str(policy.controller.iri)
        practices.setdefault(cid, set())
        for g in (cr, cc):
            _add_node(g, cid, _label(labels, policy.controller.iri), type="company")
        for s in policy.statements:
            if not s.is_practice or s.negated is not False:
                continue
            purposes: list[URIRef | None] = list(s.purposes) or [None]
            parties = list(s.recipients) if s.kind in ("share", "sell") else []
            parties += [c for c in s.collectors if c not in parties]
            for party in parties:
                rid = str(party.iri)
                label = party.name or _label(labels, party.kind if party.kind is not None else party.iri)
                kind = short_name(party.kind) if party.kind is not None else ""
                _add_node(cr, rid, label, type="recipient", kind=kind)
                flows.setdefault((cid, rid), set()).update(short_name(d) for d in s.data)
            kinds = [party.kind for party in parties] or [None]
            for d in s.data:
                did = str(d)
                _add_node(cc, did, _label(labels, d), type="category")
                stmts, pkinds = processes.setdefault((cid, did), (set(), set()))
                stmts.add(s.iri)
                pkinds.add(s.kind)
                for purpose in purposes:
                    for k in kinds:
                        practices[cid].add((short_name(d), short_name(purpose) if purpose is not None else None,
                                            short_name(k) if k is not None else None))

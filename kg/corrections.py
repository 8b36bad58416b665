"""Reviews of extracted facts, and graphs with the reviewers' corrections applied (``--with-corrections``).

A reviewer marks a statement wrong or confirms it, with a comment (``privacy-kg serve``, the review buttons). Each
review is a ``ppkg:Review`` (a Web Annotation: ``oa:hasTarget`` the statement, ``oa:bodyValue`` the comment,
``dct:creator``, ``dct:created``, ``ppkg:verdict ppkg:Rejected | ppkg:Confirmed``; ``dct:source`` the policy,
``rdfs:label`` what the fact said and its sentence, for reading after the statement is gone). Reviews live apart
from the policies, so rebuilding a policy never loses them:

* in a store (folder or SPARQL server): the named graph ``CORRECTIONS_GRAPH``, which ``build`` and ``remove`` never
  touch (they replace policy graphs only);
* beside a graph file ``kg.ttl``: the Turtle file ``kg.corrections.ttl`` (``corrections_file``).

Statement IRIs are deterministic (a hash of the document, the rule, the offsets and the values), so a rebuild of
the same policy gives its statements the same IRIs and their reviews still apply. A review whose statement is no
longer in the graph (the policy changed, or a rule did) stays in the graph of reviews and is listed as such.

The newest review of a statement counts (``current``). ``apply_corrections`` returns a copy of a graph without the
statements whose current verdict is "wrong": without their triples, the triples below their IRIs (evidence,
retention periods) and the links to them.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from kg.errors import KgError
from kg.vocab import BASE, ID, OA, PPKG, bind_prefixes

CORRECTIONS_GRAPH = URIRef(f"{BASE}store/corrections")
VERDICTS = {"wrong": PPKG.Rejected, "confirmed": PPKG.Confirmed}
VERDICT_NAMES = {v: k for k, v in VERDICTS.items()}


class BadReview(KgError):
    """A review that cannot be recorded (unknown verdict, no such statement)."""


@dataclass(frozen=True)
class Review:
    statement: str
    verdict: str  # "wrong" | "confirmed"
    comment: str = ""
    reviewer: str = ""
    created: str = ""  # ISO 8601 UTC, e.g. 2026-12-04T10:00:00Z
    policy: str = ""
    label: str = ""  # what the fact said, and its sentence, when it was reviewed

    @property
    def iri(self) -> URIRef:
        h = hashlib.sha256(f"{self.statement}\0{self.created}\0{self.reviewer}".encode()).hexdigest()[:16]
        return URIRef(f"{ID}review/{h}")


def new_review(statement: str, verdict: str, comment: str = "", reviewer: str = "", *, policy: str = "",
               label: str = "") -> Review:
    """A review made now; ``BadReview`` for an unknown verdict or a statement IRI that is none of ours."""
    if verdict not in VERDICTS:
        raise BadReview(verdict, "unknown verdict", hint=f"choose {' or '.join(VERDICTS)}")
    if not statement.startswith(f"{ID}policy/"):
        raise BadReview(statement, "not a statement of a policy")
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return Review(statement, verdict, " ".join(comment.split()), " ".join(reviewer.split()), created, policy,
                  " ".join(label.split()))


def review_triples(review: Review) -> Graph:
    g = bind_prefixes(Graph())
    node = review.iri
    g.add((node, RDF.type, PPKG.Review))
    g.add((node, OA.hasTarget, URIRef(review.statement)))
    g.add((node, PPKG.verdict, VERDICTS[review.verdict]))
    g.add((node, DCTERMS.created, Literal(review.created, datatype=XSD.dateTime)))
    if review.comment:
        g.add((node, OA.bodyValue, Literal(review.comment)))
    if review.reviewer:
        g.add((node, DCTERMS.creator, Literal(review.reviewer)))
    if review.policy:
        g.add((node, DCTERMS.source, URIRef(review.policy)))
    if review.label:
        g.add((node, RDFS.label, Literal(review.label)))
    return g


def read_reviews(graph: Graph) -> list[Review]:
    """Every review in ``graph`` (a graph of reviews), oldest first."""
    out = []
    for node in graph.subjects(RDF.type, PPKG.Review):
        target, verdict = graph.value(node, OA.hasTarget), graph.value(node, PPKG.verdict)
        if target is None or not isinstance(verdict, URIRef) or verdict not in VERDICT_NAMES:
            continue
        text = [str(graph.value(node, p) or "") for p in (OA.bodyValue, DCTERMS.creator, DCTERMS.created,
                                                           DCTERMS.source, RDFS.label)]
        out.append(Review(str(target), VERDICT_NAMES[verdict], *text))
    return sorted(out, key=lambda r: (r.created, r.statement))


def current(reviews: Iterable[Review]) -> dict[str, Review]:
    """The newest review of each statement."""
    out: dict[str, Review] = {}
    for r in sorted(reviews, key=lambda r: r.created):
        out[r.statement] = r
    return out


def rejected(reviews: Iterable[Review]) -> set[str]:
    """The statements whose newest review says "wrong"."""
    return {s for s, r in current(reviews).items() if r.verdict == "wrong"}


def apply_corrections(graph: Graph, reviews: Iterable[Review]) -> Graph:
    """A copy of ``graph`` without the statements reviewed as wrong (their triples, the nodes below their IRIs,
    and the links to them); ``graph`` is not modified."""
    wrong = rejected(reviews)
    out = bind_prefixes(Graph())
    if not wrong:
        out += graph
        return out
    prefixes = tuple(s + "/" for s in wrong)

    def gone(term) -> bool:
        return isinstance(term, URIRef) and (str(term) in wrong or str(term).startswith(prefixes))

    for s, p, o in graph:
        if not gone(s) and not gone(o):
            out.add((s, p, o))
    return out


# -- where reviews are kept ------------------------------------------------------------------------------------
def corrections_file(graph_file: str | Path) -> Path:
    """The reviews of a graph file ``kg.ttl``: ``kg.corrections.ttl`` beside it."""
    path = Path(graph_file)
    return path.with_name(f"{path.name.split('.')[0]}.corrections.ttl")


def load_reviews_file(path: str | Path) -> list[Review]:
    """The reviews in a corrections file (none when it does not exist)."""
    from kg.graphio import load_graph

    return read_reviews(load_graph(path)) if Path(path).is_file() else []


def add_to_file(path: str | Path, review: Review) -> None:
    """Append ``review`` to a corrections file (written atomically: the whole file is replaced)."""
    from kg.graphio import load_graph, write_atomic

    graph = load_graph(path) if Path(path).is_file() else bind_prefixes(Graph())
    graph += review_triples(review)
    write_atomic(path, graph.serialize(format="turtle"))


def store_reviews(store) -> list[Review]:
    """The reviews in a store's corrections graph (``kg.store.GraphStore``; none when it has no such graph)."""
    graph = bind_prefixes(Graph())
    for triple in store._rows(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{CORRECTIONS_GRAPH}> {{ ?s ?p ?o }} }}"):
        graph.add(triple)
    return read_reviews(graph)


def add_to_store(store, review: Review) -> None:
    """Insert ``review`` into the store's corrections graph (one update request); ``store`` open for writing."""
    from kg.store import to_ox

    body = " ".join(f"{to_ox(s)} {to_ox(p)} {to_ox(o)} ." for s, p, o in review_triples(review))
    store._update(f"INSERT DATA {{ GRAPH <{CORRECTIONS_GRAPH}> {{ {body} }} }}")


__all__ = ["CORRECTIONS_GRAPH", "BadReview", "Review", "add_to_file", "add_to_store", "apply_corrections",
           "corrections_file", "current", "load_reviews_file", "new_review", "read_reviews", "rejected",
           "review_triples", "store_reviews"]

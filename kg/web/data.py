"""The web app's data: what the pages show, read through the library API the CLI uses (``kg.api`` over a
``kg.sources.Source``: a graph file, a store folder or a SPARQL server). The pages and the SPARQL endpoint only
see what this module returns; nothing here opens a file, store or server itself.

``api.versions`` gives the policy list; ``api.query`` the packaged questions (and, with ``explain``, the evidence
behind a row); ``api.validate`` the completeness matrices; ``api.network`` the sharing network; ``api.diff`` two
versions; ``api.review`` records a review. ``kg.view`` reads a policy graph back (``source.policy_graph``) into
the practice cards of ``kg.cards``.

Costs, and what is cached: the policy list and the packaged questions' answers are computed on first use and kept
(keyed by query and parameters) for the life of the process; the per-policy index the concept, compare and
overview pages read, the default answers, the network and the completeness matrices are computed in one
background thread after start (``Data.warm``), each page saying so while they are not ready, then kept; the answers
for each single concept (the concept pages' links) come last, as their own job. A store is opened read-only: the
app sees the policies stored when it started (restart it after a build).
"""
from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg import api, cards
from kg.cards import Card, EvidenceItem, Fact
from kg.concepts import Concept, Domain, vocabulary
from kg.errors import KgError, UnknownName
from kg.jurisdiction import Scope, policy_scope
from kg.sources import GraphSource, Source, StoreSource
from kg.sparql import LOOKS_PREFIXED, QueryResult, QuerySpec, bind_params, list_queries, parse_param, resolve_query
from kg.vocab import PPKG


def source_kind(source: Source) -> str:
    """"graph" (a file or a graph in memory), "store" (a folder) or "endpoint" (a SPARQL server)."""
    inner = getattr(source, "inner", source)
    if isinstance(inner, StoreSource):
        from kg.store import Store

        return "store" if isinstance(inner.store, Store) else "endpoint"
    return "graph"


# -- what pages get --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PolicyRow:
    """One stored policy, as the companies list shows it."""

    iri: str
    source: str
    date: str | None
    statements: int
    controller: str  # name, or "(no controller found) file.txt"
    controller_iri: str | None


@dataclass(frozen=True)
class Company:
    """A controller with its policies, oldest first (its newest is what its page shows by default)."""

    key: str  # URL key: the controller IRI's last segment, or "source:<file>" for policies without one
    name: str
    iri: str | None
    versions: tuple[PolicyRow, ...]

    @property
    def latest(self) -> PolicyRow:
        return self.versions[-1]


@dataclass
class PolicyIndex:
    """What the concept, compare and overview pages read about every policy, built once in the background."""

    cards: dict[str, Card] = field(default_factory=dict)  # policy IRI -> its card
    done: int = 0
    total: int = 0
    ready: bool = False
    error: str | None = None
    seconds: float = 0.0


@dataclass
class Job:
    """A background computation: its progress and its result."""

    name: str
    done: int = 0
    total: int = 0
    ready: bool = False
    error: str | None = None
    value: object = None
    seconds: float = 0.0
    skipped: bool = False  # done without running (not asked for)


CONCEPT_SECTIONS = {("collect", False): "Collected by", ("use", False): "Used by, for",
                    ("share", False): "Shared by, with", ("sell", False): "Sold by, to",
                    ("retain", False): "Retained by", ("transfer", False): "Transferred abroad by",
                    ("collect", True): "Said not to be collected by", ("use", True): "Said not to be used by",
                    ("share", True): "Said not to be shared by", ("sell", True): "Said not to be sold by"}


@dataclass
class ConceptView:
    scheme: str  # data | purpose | recipient
    ready: bool
    done: int
    total: int
    broader: list = field(default_factory=list)
    narrower: list = field(default_factory=list)
    sections: list = field(default_factory=list)  # (title, [(Company, {chip label: [statements]})])


CACHE_ROWS = 1_000_000  # answers of the packaged questions kept in memory, in rows (least recently used go first)


class Data:
    """The data of one source for the web app (thread-safe: pages run in a thread pool)."""

    def __init__(self, source: Source, *, texts: Iterable[Path] = (), cache_size: int = 2048,
                 cache_dir: Path | None = None):
        self.source = source
        self.cache_dir = cache_dir  # where the background work is kept, by the state of the source
        self.from_cache: str | None = None  # the file the background work was read from
        self.kind = source_kind(source)
        self._lock = threading.RLock()
        self._queries: OrderedDict[tuple, QueryResult] = OrderedDict()
        self._cache_size = cache_size
        self._companies: list[Company] | None = None
        self._by_name: dict[str, Company] | None = None
        self._by_iri: dict[str, PolicyRow] | None = None
        self.index = PolicyIndex()
        self.jobs: dict[str, Job] = {"questions": Job("questions"), "network": Job("network"),
                                     "matrices": Job("completeness"), "concepts": Job("concept answers")}
        self._text_dirs = [Path(p) for p in texts]
        self._texts: dict[str, Path] | None = None
        self._reviews: list | None = None
        self._by_concept: dict[str, list[tuple[str, Fact]]] = {}
        self._graphs: OrderedDict[str, Graph] = OrderedDict()  # a few policy graphs, most recently read last
        self.vocab = vocabulary()
        self.companies()  # a source that cannot be read fails here, before the server starts

    def close(self) -> None:
        self.source.close()

    # -- policies -----------------------------------------------------------------------------------------------
    def companies(self) -> list[Company]:
        """Every controller with its policies (``api.versions``), by name."""
        with self._lock:
            if self._companies is None:
                out = []
                for c in api.versions(self.source).controllers:
                    rows = tuple(PolicyRow(v.iri, v.source, v.date, v.statements, c.name, c.iri) for v in c.versions)
                    key = c.iri.rstrip("/").rsplit("/", 1)[-1] if c.iri else f"source:{rows[-1].source}"
                    out.append(Company(key, c.name, c.iri, rows))
                self._companies = out
                self._by_iri = {v.iri: v for c in out for v in c.versions}
            return self._companies

    def company_named(self, name: str) -> Company | None:
        """The company called ``name`` (a query's ``company`` column), when exactly one is."""
        if self._by_name is None:
            names: dict[str, list[Company]] = {}
            for c in self.companies():
                names.setdefault(c.name, []).append(c)
            self._by_name = {n: cs[0] for n, cs in names.items() if len(cs) == 1}
        return self._by_name.get(name)

    def company(self, key: str) -> Company | None:
        return next((c for c in self.companies() if c.key == key), None)

    def policy_rows(self) -> list[PolicyRow]:
        return [v for c in self.companies() for v in c.versions]

    def policy_row(self, iri: str) -> PolicyRow | None:
        self.companies()
        assert self._by_iri is not None
        return self._by_iri.get(iri)

    def company_of(self, iri: str) -> Company | None:
        return next((c for c in self.companies() if any(v.iri == iri for v in c.versions)), None)

    def policy_graph(self, iri: str) -> Graph:
        """A graph holding policy ``iri`` whole (``source.policy_graph``; the last few read are kept)."""
        if self.policy_row(iri) is None:
            raise UnknownName(iri, "no such policy")
        with self._lock:
            if iri in self._graphs:
                self._graphs.move_to_end(iri)
                return self._graphs[iri]
        graph = self.source.policy_graph(iri)
        with self._lock:
            self._graphs[iri] = graph
            while len(self._graphs) > 16:
                self._graphs.popitem(last=False)
        return graph

    def scope(self, iri: str) -> Scope:
        """The jurisdiction policy ``iri`` is taken to be under, and why (``kg.jurisdiction``: what validation
        applies GDPR and CCPA by)."""
        return policy_scope(self.policy_graph(iri), URIRef(iri))

    def card(self, iri: str) -> Card:
        """The practice card of one policy (``kg.cards`` over ``kg.view``), with its retention periods."""
        cached = self.index.cards.get(iri)
        return cached if cached is not None else cards.policy_card(self.policy_graph(iri), iri)

    def evidence(self, iri: str, statements: Iterable[str]) -> list[EvidenceItem]:
        """The sentences behind statements of policy ``iri``, in document order."""
        return cards.evidence(self.policy_graph(iri), [s for s in statements if s.startswith(iri + "/")], iri)

    def statement_policy(self, statement: str) -> str | None:
        """The policy a statement IRI belongs to (statement IRIs sit below their policy's IRI)."""
        for row in self.policy_rows():
            if statement.startswith(row.iri + "/"):
                return row.iri
        return None

    # -- the policy text ----------------------------------------------------------------------------------------
    def document_text(self, iri: str) -> str | None:
        """The decoded text of the policy file (what evidence offsets refer to), when ``--texts`` holds a file with
        the policy's content hash; None otherwise."""
        from kg.ingest import discover, read_bounded, read_document

        digest = self.policy_graph(iri).value(URIRef(iri), PPKG.contentHash)
        if digest is None or not self._text_dirs:
            return None
        with self._lock:
            if self._texts is None:
                import hashlib

                self._texts = {}
                paths, _ = discover(self._text_dirs)
                for path in paths:
                    try:
                        self._texts[hashlib.sha256(read_bounded(path)).hexdigest()] = path
                    except KgError:
                        continue
        found = self._texts.get(str(digest))
        if found is None:
            return None
        try:
            return read_document(found).text
        except KgError:
            return None

    # -- questions ----------------------------------------------------------------------------------------------
    def specs(self) -> list[QuerySpec]:
        return list_queries()

    def spec(self, name: str) -> QuerySpec:
        if not any(s.name == name for s in self.specs()):
            raise UnknownName(name, "no packaged query of that name")
        return resolve_query(name)

    def run(self, name: str, params: Mapping[str, str] | None = None) -> QueryResult:
        """A packaged question's answer (``api.query``, cached per parameters); ``KgError`` for a bad parameter."""
        spec = self.spec(name)
        given = {k: v for k, v in (params or {}).items() if v not in ("", None)}
        # keyed by the terms the values stand for: kind=advertisers and kind=rk:Advertiser share one answer
        key = (name, tuple(sorted((k, t.n3()) for k, t in bind_params(spec, given).items())))
        with self._lock:
            if key in self._queries:
                self._queries.move_to_end(key)
                return self._queries[key]
        result = api.query(self.source, spec, given)
        with self._lock:
            self._queries[key] = result
            while len(self._queries) > 1 and (len(self._queries) > self._cache_size or
                                              sum(len(r.rows) for r in self._queries.values()) > CACHE_ROWS):
                self._queries.popitem(last=False)
        return result

    def explain_row(self, name: str, params: Mapping[str, str], row: tuple) -> list[EvidenceItem]:
        """The sentences behind one row of a question (``api.query(..., explain=True)``): over the graph file, or,
        for a store, over the policy graphs of the companies the row names (a company column or a list of names),
        else over the whole store."""
        spec = self.spec(name)
        given = {k: v for k, v in params.items() if v not in ("", None)}
        source: Source = self.source
        matches: list[Company] = []
        if self.kind != "graph":
            names = {str(t) for t in row if t is not None}  # a company column, or a list of companies
            names |= {n for t in row if t is not None for n in str(t).split(", ")}
            matches = [c for c in self.companies() if c.name in names]
        if self.kind != "graph" and matches:
            graph = Graph()
            for c in matches:
                for v in c.versions:
                    graph += self.policy_graph(v.iri)
            source = GraphSource(graph)
        explained = api.query(source, spec, given, explain=True).explained or []
        found = next((e for e in explained if _same_row(e.row, row)), None)
        if found is None:
            return []
        statements = {str(node) for node, _ in found.evidence}
        items = []
        for policy in sorted({p for s in statements if (p := self.statement_policy(s)) is not None}):
            items += self.evidence(policy, statements)
        return items

    def all_evidence(self, iri: str) -> list[EvidenceItem]:
        """Every sentence of policy ``iri`` that some fact was read from, in document order (what the source view
        shows when the policy file is not at hand)."""
        graph = self.policy_graph(iri)
        items = self.evidence(iri, {str(s) for s in graph.subjects(PPKG.evidence, None)})
        seen, out = set(), []
        for e in items:
            if (e.start, e.text) not in seen:
                seen.add((e.start, e.text))
                out.append(e)
        return out

    def diff(self, old: str, new: str) -> api.PolicyDiff:
        """``api.diff`` of two stored policies."""
        return api.diff(old, new, source=self.source)

    def _chips(self, scheme: str, f: Fact, narrower: set[str]) -> list[str] | None:
        """What a concept page shows of fact ``f`` (None: nothing, the concept is not what it is about)."""
        label = self.vocab.label
        if scheme == "data" and set(f.data) & narrower:
            if f.kind in ("share", "sell"):
                return [name for name, _ in f.recipients]
            if f.kind == "use":
                return [label(URIRef(p)) for p in f.purposes]
            return [label(URIRef(d)) for d in f.data if d in narrower]
        if scheme == "purpose" and set(f.purposes) & narrower:
            return [label(URIRef(d)) for d in f.data] or ["(no data named)"]
        if scheme == "recipient" and f.kind in ("share", "sell"):
            data = ", ".join(label(URIRef(d)) for d in f.data) or "data"
            return [f"{name}: {data}" for name, kind in f.recipients if kind in narrower] or None
        return None

    # -- reviews ------------------------------------------------------------------------------------------------
    def _load_reviews(self) -> list:
        return self.source.reviews()

    def all_reviews(self) -> list:
        """Every review, newest first (``kg.corrections.Review``), each with whether its statement is still in the
        graph: ``[(review, present)]``."""
        with self._lock:
            if self._reviews is None:
                self._reviews = self._load_reviews()
            reviews = list(self._reviews)
        out = []
        for r in sorted(reviews, key=lambda r: r.created, reverse=True):
            policy = self.statement_policy(r.statement)
            present = policy is not None and (URIRef(r.statement), None, None) in self.policy_graph(policy)
            out.append((r, present))
        return out

    def reviews_of(self, iri: str) -> dict:
        """statement -> its newest review, for the statements of policy ``iri``."""
        from kg.corrections import current

        with self._lock:
            if self._reviews is None:
                self._reviews = self._load_reviews()
            return {s: r for s, r in current(self._reviews).items() if s.startswith(iri + "/")}

    def add_review(self, statement: str, verdict: str, comment: str = "", reviewer: str = "") -> None:
        """Record a review of ``statement`` (``api.review``: the graph file's corrections file, the store's
        corrections graph, or the SPARQL server's)."""
        with self._lock:
            review = api.review(self.source, statement, verdict, comment, reviewer)
            if self._reviews is None:
                self._reviews = self._load_reviews()
            else:
                self._reviews.append(review)

    # -- concepts -----------------------------------------------------------------------------------------------
    def concept_domain(self) -> Domain:
        """What the concept pages browse: data categories, purposes and recipient kinds."""
        from kg.vocab import DC, PUR, RK

        members: set[URIRef] = set()
        for top in (DC.PersonalInformation, PUR.AnyPurpose, RK.ThirdParty):
            members |= self._scheme(top).members
        return Domain("data category, purpose or recipient kind", frozenset(members))

    def _scheme(self, top: URIRef) -> Domain:
        domain = self.vocab.domain_of(top)
        assert domain is not None, top
        return domain

    def param_domain(self, default: str) -> Domain | None:
        """The concepts a query parameter with this default takes (None: not a concept parameter)."""
        if not default or not LOOKS_PREFIXED.match(default):
            return None
        try:
            return self.vocab.domain_of(parse_param(default))
        except KgError:
            return None

    def concept_groups(self) -> list[tuple[str, list[Concept]]]:
        """(title, concepts by label) of each browsable scheme, for the concept index page."""
        from kg.vocab import DC, PUR, RK

        return [(title, sorted((self.vocab.concepts[m] for m in self._scheme(top).members),
                               key=lambda c: c.label.casefold()))
                for title, top in (("Data categories", DC.PersonalInformation), ("Purposes", PUR.AnyPurpose),
                                   ("Recipient kinds", RK.ThirdParty))]

    def concept_view(self, iri: URIRef) -> ConceptView:
        """Who collects, uses, shares (with whom) or does not: the facts of each company's newest policy about
        ``iri`` or a narrower concept, from the background index."""
        from kg.vocab import DC, PUR, RK

        vocab = self.vocab
        narrower = {str(x) for x in vocab.narrower(iri)}
        scheme = next((what for what, top in (("data", DC.PersonalInformation), ("purpose", PUR.AnyPurpose),
                                              ("recipient", RK.ThirdParty))
                       if iri in self._scheme(top).members), "data")
        view = ConceptView(scheme, self.index.ready, self.index.done, self.index.total)
        concept = vocab.concepts[iri]
        view.broader = [vocab.concepts[b] for b in concept.broader if b in vocab.concepts]
        view.narrower = sorted((vocab.concepts[n] for n in vocab.children(iri) if n in vocab.concepts),
                               key=lambda c: c.label.casefold())
        if not self.index.ready:
            return view
        sections: dict[str, dict[str, dict[str, list[str]]]] = {}
        for key, f in self._by_concept.get(str(iri), ()):
            chips = self._chips(scheme, f, narrower)
            if chips is None:
                continue
            title = CONCEPT_SECTIONS.get((f.kind, f.negated), f"{'does not ' if f.negated else ''}{f.kind}")
            row = sections.setdefault(title, {}).setdefault(key, {})
            for chip in chips or ["(unspecified)"]:
                row.setdefault(chip, []).append(f.statement)
        names = {c.key: c for c in self.companies()}
        order = list(dict.fromkeys(CONCEPT_SECTIONS.values()))

        def by_name(kv: tuple[str, Any]) -> str:
            return names[kv[0]].name.casefold()

        view.sections = [(title, [(names[k], chips) for k, chips in sorted(rows.items(), key=by_name)])
                         for title, rows in sorted(sections.items(),
                                                   key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)]
        return view

    # -- background work ----------------------------------------------------------------------------------------
    def warm(self, concept_answers: bool = True) -> None:
        """Build the policy index, answer the packaged questions with their defaults, then the network, then the
        completeness matrices, and last (``concept_answers``) each question for each single concept parameter
        (``_warm_concept_answers``); call it in a thread."""
        rows = self.policy_rows()
        self.index.total = len(rows)
        if self._load_cache():
            if not self.jobs["concepts"].ready:  # kept before the concept answers were done
                self._concept_answers(concept_answers)
            return
        start = time.perf_counter()
        try:
            from kg.graphio import ontology_graph
            from kg.view import Labels, read_policies

            wanted = {r.iri for r in rows}
            for graph in self.source.graphs():  # a store's policy graphs one by one; a file's one graph
                labels = Labels(graph, ontology_graph())
                for view in read_policies(graph):
                    if str(view.iri) in wanted and str(view.iri) not in self.index.cards:
                        self.index.cards[str(view.iri)] = cards.card_of(view, labels)
                        self.index.done += 1
            self._by_concept = self._concept_index()
            self.index.seconds = time.perf_counter() - start
            self.index.ready = True
        except Exception as exc:  # shown on the pages that need it
            self.index.error = f"{type(exc).__name__}: {exc}"
            return
        self._job("questions", self._warm_questions)
        self._job("network", lambda job: api.network(_Counted(self.source, job)))
        self._job("matrices", lambda job: {m.profile: m for m in api.validate(_Counted(self.source, job),
                                                                            "all").matrices})
        # the answers for each concept last: the pages they serve run the (narrower) query when asked meanwhile,
        # while the completeness page waits for its job (at 1,000 policies they took 783 s of a 2,583 s start)
        self._save_cache()  # kept as soon as what the pages need is there
        self._concept_answers(concept_answers)

    def _concept_answers(self, wanted: bool) -> None:
        """The concept answers' job: run and kept, or (not ``wanted``) marked done without running and not kept."""
        if wanted:
            self._job("concepts", self._warm_concept_answers)
            self._save_cache()
        else:
            job = self.jobs["concepts"]
            job.ready = job.skipped = True

    # -- the background work, kept by the state of the source ----------------------------------------------------
    def state_key(self) -> str:
        """A digest of everything the background work depends on: the policies read (IRI, file, date, number of
        statements; a policy's IRI is a digest of its content), the graph file's size and time, the ontology,
        shapes and packaged queries, and privacy-kg's own code. Another build, another release: another key."""
        import hashlib

        import kg
        from kg.resources import ontology_files, query_files, shape_files

        h = hashlib.sha256(f"{self.kind}\0{self.source.location}\n".encode())
        if isinstance(self.source, GraphSource) and self.source.path is not None:
            stat = self.source.path.stat()
            h.update(f"{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        for r in sorted(self.policy_rows(), key=lambda r: r.iri):
            h.update(f"{r.iri}\0{r.source}\0{r.date}\0{r.statements}\n".encode())
        code = sorted(Path(kg.__file__).parent.rglob("*.py"))
        for f in [*ontology_files(), *shape_files(), *query_files(), *code]:
            h.update(f.name.encode() + b"\0" + f.read_bytes())
        return h.hexdigest()[:32]

    def _cache_file(self) -> Path | None:
        return self.cache_dir / f"serve-{self.state_key()}.pickle" if self.cache_dir is not None else None

    def _save_cache(self) -> None:
        """Keep the background work for the next start over the same state (written atomically; a cache that
        cannot be written is no error: the next start computes it again)."""
        import os
        import pickle
        import tempfile

        path = self._cache_file()
        if path is None or not all(j.ready for k, j in self.jobs.items() if k != "concepts"):
            return
        with self._lock:
            state = {"cards": self.index.cards, "by_concept": self._by_concept, "queries": list(self._queries.items()),
                     "jobs": {k: (j.value, j.total, j.seconds) for k, j in self.jobs.items()
                              if j.ready and not j.skipped},
                     "seconds": self.index.seconds}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                pickle.dump(state, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            return
        for old in path.parent.glob("serve-*.pickle"):  # the work of states no longer served goes
            if old != path and time.time() - old.stat().st_mtime > 7 * 86400:
                old.unlink(missing_ok=True)

    def _load_cache(self) -> bool:
        """The background work of an earlier start over the same state, when it was kept: True when read."""
        import pickle

        path = self._cache_file()
        if path is None or not path.is_file():
            return False
        try:
            with path.open("rb") as f:
                state = pickle.load(f)  # noqa: S301 - our own file, in the user's own cache folder
        except Exception:  # damaged or from an incompatible release: computed again
            return False
        with self._lock:
            self.index.cards, self._by_concept = state["cards"], state["by_concept"]
            self.index.done, self.index.seconds, self.index.ready = len(self.index.cards), state["seconds"], True
            for key, result in state["queries"]:
                self._queries.setdefault(key, result)
            for name, (value, total, seconds) in state["jobs"].items():
                job = self.jobs[name]
                job.value, job.total, job.done, job.seconds, job.ready = value, total, total, seconds, True
            self.from_cache = str(path)
        return True

    def _concept_index(self) -> dict[str, list[tuple[str, Fact]]]:
        """concept IRI -> (company key, fact) for the facts of each company's newest policy that name the concept
        or a narrower one (as data, purpose or recipient kind): what a concept page reads."""
        out: dict[str, list[tuple[str, Fact]]] = {}
        up: dict[str, set[URIRef]] = {}
        for company in self.companies():
            card = self.index.cards.get(company.latest.iri)
            for f in card.facts if card else ():
                named = set(f.data) | set(f.purposes) | {k for _, k in f.recipients if k}
                concepts: set[URIRef] = set().union(*(up.setdefault(n, self.vocab.broader_all(URIRef(n)))
                                                      for n in named)) if named else set()
                for c in concepts:
                    out.setdefault(str(c), []).append((company.key, f))
        return out

    def _job(self, name: str, work: Callable[[Job], object]) -> None:
        job = self.jobs[name]
        job.total = job.total or len(self.policy_rows())
        start = time.perf_counter()
        try:
            job.value = work(job)
            job.ready = True
            job.done = job.total
        except Exception as exc:
            job.error = f"{type(exc).__name__}: {exc}"
        job.seconds = time.perf_counter() - start

    def _warm_questions(self, job: Job) -> None:
        """Every packaged question with its default parameters (what the questions page links to)."""
        self._answer_all(job, [(spec.name, {}) for spec in self.specs()])

    def _warm_concept_answers(self, job: Job) -> None:
        """Each packaged question with each concept for each one of its parameters that takes a data category,
        purpose or recipient kind (the links of the concept pages), so those pages answer from the cache; then the
        defaults again, so they are the most recently used answers. Other choices (two concepts at once, a number)
        run when asked."""
        browsable = self.concept_domain().members
        runs: list[tuple[str, dict[str, str]]] = []
        for spec in self.specs():
            for p in spec.params:
                domain = self.param_domain(p.default)
                if domain is not None and domain.members <= browsable:
                    runs += [(spec.name, {p.name: self.vocab.concepts[c].name}) for c in sorted(domain.members)]
        self._answer_all(job, runs + [(spec.name, {}) for spec in self.specs()])

    def _answer_all(self, job: Job, runs: list[tuple[str, dict[str, str]]]) -> None:
        job.total = len(runs)
        for name, params in runs:
            with contextlib.suppress(KgError):  # a question that cannot run is shown with its error when asked
                self.run(name, params)
            job.done += 1

    def matrix(self, profile: str) -> Any:
        job = self.jobs["matrices"]
        return job.value.get(profile) if job.ready and isinstance(job.value, dict) else None

    def network(self) -> Any:
        job = self.jobs["network"]
        return job.value if job.ready else None


class _Counted(Source):
    """``source`` as it is, counting the policy graphs read in ``job`` (the progress a page shows)."""

    def __init__(self, source: Source, job: Job):
        self.inner, self.job, self.location, self.latest = source, job, source.location, source.latest

    def policies(self) -> list[str]:
        return self.inner.policies()

    def graphs(self) -> Iterator[Graph]:
        self.job.done = 0
        for graph in self.inner.graphs():
            yield graph
            self.job.done += len(list(graph.subjects(RDF.type, PPKG.PrivacyPolicy)))

    def union(self) -> Graph:
        return self.inner.union()

    def policy_graph(self, iri: str) -> Graph:
        return self.inner.policy_graph(iri)

    def select(self, spec: QuerySpec, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        return self.inner.select(spec, bindings)


def _same_row(a: tuple, b: tuple) -> bool:
    """Two answers' rows are the same row: equal cells, where a GROUP_CONCAT list may come in another order (SPARQL
    leaves it open: Oxigraph and rdflib differ) and a number may be typed differently."""
    def same(x, y) -> bool:
        if x == y:
            return True
        if x is None or y is None:
            return False
        if str(x) == str(y):
            return True
        return sorted(str(x).split(", ")) == sorted(str(y).split(", "))
    return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))


__all__ = ["Card", "Company", "Data", "EvidenceItem", "PolicyRow", "source_kind"]

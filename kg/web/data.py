"""The web app's one door to the data: every read of the graph file, store folder or SPARQL server, and every
write (reviews), goes through this module. The pages and the SPARQL endpoint only see what it returns.

It is written over the library the CLI uses (``kg.versions`` for the policy list, ``kg.query`` / ``kg.store`` for
the packaged questions, ``kg.validate`` for completeness, ``kg.network`` for the sharing network, ``kg.report``'s
practice cards, ``kg.corrections`` for reviews); when the library's single API (issue #14) lands, this file is what
changes.

Costs, and what is cached: the policy list and the packaged questions' answers are computed on first use and kept
(keyed by query and parameters) for the life of the process; the per-policy index the concept, compare and
overview pages read, the completeness matrices and the network are computed in one background thread after start
(``Data.warm``), each page saying so while they are not ready. A store is opened read-only: the app sees the
policies stored when it started (restart it after a build).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from kg import cards
from kg.cards import Card, EvidenceItem, Fact
from kg.concepts import vocabulary
from kg.errors import KgError
from kg.graphio import load_graph, policy_closures
from kg.query import QueryResult, QuerySpec, list_queries, resolve_query
from kg.vocab import PPKG


# -- the source ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """Where the graph is: a graph file, a store folder or a SPARQL server (exactly one)."""

    graph: Path | None = None
    store: Path | None = None
    endpoint: str | None = None

    @property
    def kind(self) -> str:
        return "graph" if self.graph is not None else "store" if self.store is not None else "endpoint"

    @property
    def location(self) -> str:
        return str(self.graph or self.store or self.endpoint)


def _open_store(source: Source):
    if source.endpoint is not None:
        from kg.endpoint import EndpointStore

        return EndpointStore(source.endpoint)
    from kg.store import Store

    return Store(source.store, create=False, read_only=True)


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

    def __init__(self, source: Source, *, texts: Iterable[Path] = (), cache_size: int = 2048):
        self.source = source
        self._lock = threading.RLock()
        self._graph: Graph | None = None
        self._closures: dict[URIRef, Graph] | None = None
        self._store = None
        self._queries: OrderedDict[tuple, QueryResult] = OrderedDict()
        self._cache_size = cache_size
        self._companies: list[Company] | None = None
        self._by_name: dict[str, Company] | None = None
        self.index = PolicyIndex()
        self.jobs: dict[str, Job] = {"questions": Job("questions"), "network": Job("network"),
                                     "matrices": Job("completeness")}
        self._text_dirs = [Path(p) for p in texts]
        self._texts: dict[str, Path] | None = None
        self._reviews: list | None = None
        self._by_concept: dict[str, list[tuple[str, Fact]]] = {}
        self.vocab = vocabulary()
        self._open()

    # -- opening ------------------------------------------------------------------------------------------------
    def _open(self) -> None:
        if self.source.graph is not None:
            self._graph = load_graph(self.source.graph)
            self._closures = policy_closures(self._graph)
        else:
            self._store = _open_store(self.source)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- policies -----------------------------------------------------------------------------------------------
    def companies(self) -> list[Company]:
        """Every controller with its policies (``kg.versions.list_versions``), by name."""
        with self._lock:
            if self._companies is None:
                from kg.versions import list_versions

                out = []
                for c in list_versions(self._graph if self._graph is not None else self._store):
                    rows = tuple(PolicyRow(v.iri, v.source, v.date, v.statements, c.name, c.iri) for v in c.versions)
                    key = c.iri.rstrip("/").rsplit("/", 1)[-1] if c.iri else f"source:{rows[-1].source}"
                    out.append(Company(key, c.name, c.iri, rows))
                self._companies = out
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
        return next((v for v in self.policy_rows() if v.iri == iri), None)

    def company_of(self, iri: str) -> Company | None:
        return next((c for c in self.companies() if any(v.iri == iri for v in c.versions)), None)

    def policy_graph(self, iri: str) -> Graph:
        """One policy's own triples (a store's named graph, or its closure in the graph file)."""
        if self._closures is not None:
            graph = self._closures.get(URIRef(iri))
            if graph is None:
                raise KgError(iri, "no such policy")
            return graph
        return self._store.graph(iri)

    def card(self, iri: str) -> Card:
        """The practice card of one policy (``kg.report``'s card rows), with its retention periods."""
        cached = self.index.cards.get(iri)
        return cached if cached is not None else cards.policy_card(self.policy_graph(iri), URIRef(iri))

    def evidence(self, iri: str, statements: Iterable[str]) -> list[EvidenceItem]:
        """The sentences behind statements of policy ``iri``, in document order."""
        return cards.evidence(self.policy_graph(iri), statements)

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

        graph = self.policy_graph(iri)
        digest = graph.value(URIRef(iri), PPKG.contentHash)
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
        path = self._texts.get(str(digest))
        if path is None:
            return None
        try:
            return read_document(path).text
        except KgError:
            return None

    # -- questions ----------------------------------------------------------------------------------------------
    def specs(self) -> list[QuerySpec]:
        return list_queries()

    def spec(self, name: str) -> QuerySpec:
        return resolve_query(name) if any(s.name == name for s in self.specs()) else _unknown_query(name)

    def run(self, name: str, params: Mapping[str, str] | None = None) -> QueryResult:
        """A packaged question's answer (cached per parameters); ``KgError`` for a bad parameter."""
        from kg.query import bind_params

        spec = self.spec(name)
        given = {k: v for k, v in (params or {}).items() if v not in ("", None)}
        # keyed by the terms the values stand for: kind=advertisers and kind=rk:Advertiser share one answer
        key = (name, tuple(sorted((k, t.n3()) for k, t in bind_params(spec, given).items())))
        with self._lock:
            if key in self._queries:
                self._queries.move_to_end(key)
                return self._queries[key]
        if self._graph is not None:
            from kg.query import run_query

            result = run_query(self._graph, spec, given)
        else:
            from kg.store import run_query as run_in_store

            result = run_in_store(self._store, spec, given)
        with self._lock:
            self._queries[key] = result
            while len(self._queries) > 1 and (len(self._queries) > self._cache_size or
                                              sum(len(r.rows) for r in self._queries.values()) > CACHE_ROWS):
                self._queries.popitem(last=False)
        return result

    def explain_row(self, name: str, params: Mapping[str, str], row: tuple) -> list[EvidenceItem]:
        """The sentences behind one row of a question (``kg.query.explain``): over the graph file, or over the
        policies of the row's company when the source is a store (its graphs only, not the whole store)."""
        from kg.query import explain

        spec = self.spec(name)
        given = {k: v for k, v in params.items() if v not in ("", None)}
        if self._graph is not None:
            graph = self._graph
        else:
            result = self.run(name, given)
            company = dict(zip(result.vars, row)).get("company")
            matches = [c for c in self.companies() if company is not None and c.name == str(company)]
            if not matches:
                return []
            graph = Graph()
            for c in matches:
                for v in c.versions:
                    graph += self.policy_graph(v.iri)
        found = next((e for e in explain(graph, spec, given) if _same_row(e.row, row)), None)
        if found is None:
            return []
        statements = {str(e.statement) for e in found.evidence}
        items = []
        for policy in sorted({self.statement_policy(s) for s in statements} - {None}):
            items += self.evidence(policy, [s for s in statements if s.startswith(policy + "/")])
        return items

    def all_evidence(self, iri: str) -> list[EvidenceItem]:
        """Every sentence of policy ``iri`` that some fact was read from, in document order (what the source view
        shows when the policy file is not at hand)."""
        graph = self.policy_graph(iri)
        items = cards.evidence(graph, {str(s) for s in graph.subjects(PPKG.evidence, None)})
        seen, out = set(), []
        for e in items:
            if (e.start, e.text) not in seen:
                seen.add((e.start, e.text))
                out.append(e)
        return out

    def diff(self, old: str, new: str):
        """``kg.versions.diff_policies`` of two stored policies."""
        from kg.versions import diff_policies

        return diff_policies(self.policy_graph(old), self.policy_graph(new), old, new)

    def _chips(self, scheme: str, f: Fact, narrower: set[str]) -> list[str] | None:
        """What a concept page shows of fact ``f`` (None: nothing, the concept is not what it is about)."""
        label = self.vocab.label
        if scheme == "data" and set(f.data) & narrower:
            if f.kind in ("share", "sell"):
                return [name for name, _ in f.recipients]
            if f.kind == "use":
                return [label(p) for p in f.purposes]
            return [label(d) for d in f.data if d in narrower]
        if scheme == "purpose" and set(f.purposes) & narrower:
            return [label(d) for d in f.data] or ["(no data named)"]
        if scheme == "recipient" and f.kind in ("share", "sell"):
            data = ", ".join(label(d) for d in f.data) or "data"
            return [f"{name}: {data}" for name, kind in f.recipients if kind in narrower] or None
        return None

    # -- reviews ------------------------------------------------------------------------------------------------
    def _load_reviews(self) -> list:
        from kg import corrections as c

        if self.source.graph is not None:
            return c.load_reviews_file(c.corrections_file(self.source.graph))
        return c.store_reviews(self._store)

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
        """Record a review of ``statement`` in the source's corrections (``kg.corrections``): the graph file's
        corrections file, the store's corrections graph (written by a short-lived writer process: this one holds
        the store read-only), or the SPARQL server's."""
        from kg import corrections as c

        policy = self.statement_policy(statement)
        if policy is None or (URIRef(statement), None, None) not in self.policy_graph(policy):
            raise c.BadReview(statement, "no such statement in the graph")
        items = self.evidence(policy, [statement])
        label = "; ".join(dict.fromkeys(e.text for e in items))
        review = c.new_review(statement, verdict, comment, reviewer, policy=policy, label=label)
        with self._lock:
            if self.source.graph is not None:
                c.add_to_file(c.corrections_file(self.source.graph), review)
            elif self.source.endpoint is not None:
                c.add_to_store(self._store, review)
            else:
                _write_in_child(self.source.store, review)
            if self._reviews is None:
                self._reviews = self._load_reviews()
            else:
                self._reviews.append(review)

    # -- concepts -----------------------------------------------------------------------------------------------
    def concept_domain(self):
        """What the concept pages browse: data categories, purposes and recipient kinds."""
        from kg.concepts import Domain
        from kg.vocab import DC, PUR, RK

        members = set()
        for top in (DC.PersonalInformation, PUR.AnyPurpose, RK.ThirdParty):
            members |= self.vocab.domain_of(top).members
        return Domain("data category, purpose or recipient kind", frozenset(members))

    def param_domain(self, default: str):
        """The concepts a query parameter with this default takes (None: not a concept parameter)."""
        from kg.query import LOOKS_PREFIXED, parse_param

        if not default or not LOOKS_PREFIXED.match(default):
            return None
        try:
            return self.vocab.domain_of(parse_param(default))
        except KgError:
            return None

    def concept_groups(self):
        """(title, concepts by label) of each browsable scheme, for the concept index page."""
        from kg.vocab import DC, PUR, RK

        return [(title, sorted((self.vocab.concepts[m] for m in self.vocab.domain_of(top).members),
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
                       if iri in vocab.domain_of(top).members), "data")
        view = ConceptView(scheme, self.index.ready, self.index.done, self.index.total)
        concept = vocab.concepts[iri]
        view.broader = [vocab.concepts[b] for b in concept.broader if b in vocab.concepts]
        view.narrower = sorted((vocab.concepts[n] for n in vocab._narrower.get(iri, ()) if n in vocab.concepts),
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
        by_name = lambda kv: names[kv[0]].name.casefold()  # noqa: E731
        view.sections = [(title, [(names[k], chips) for k, chips in sorted(rows.items(), key=by_name)])
                         for title, rows in sorted(sections.items(),
                                                   key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)]
        return view

    # -- background work ----------------------------------------------------------------------------------------
    def warm(self, concept_answers: bool = True) -> None:
        """Build the policy index, answer the packaged questions (``concept_answers``: also for each single concept
        parameter, see ``_warm_questions``), then the network, then the completeness matrices (call it in a
        thread)."""
        rows = self.policy_rows()
        self.index.total = len(rows)
        start = time.perf_counter()
        try:
            for row in rows:
                self.index.cards[row.iri] = cards.policy_card(self.policy_graph(row.iri), URIRef(row.iri))
                self.index.done += 1
            self._by_concept = self._concept_index()
            self.index.seconds = time.perf_counter() - start
            self.index.ready = True
        except Exception as exc:  # shown on the pages that need it
            self.index.error = f"{type(exc).__name__}: {exc}"
            return
        self._job("questions", lambda job: self._warm_questions(job, concept_answers))
        self._job("network", lambda job: self._network(rows, job))
        self._job("matrices", lambda job: self._matrices(rows, job))

    def _concept_index(self) -> dict[str, list[tuple[str, Fact]]]:
        """concept IRI -> (company key, fact) for the facts of each company's newest policy that name the concept
        or a narrower one (as data, purpose or recipient kind): what a concept page reads."""
        out: dict[str, list[tuple[str, Fact]]] = {}
        up: dict[str, set[URIRef]] = {}
        for company in self.companies():
            card = self.index.cards.get(company.latest.iri)
            for f in card.facts if card else ():
                named = set(f.data) | set(f.purposes) | {k for _, k in f.recipients if k}
                concepts = set().union(*(up.setdefault(n, self.vocab.broader_all(URIRef(n))) for n in named)) \
                    if named else set()
                for c in concepts:
                    out.setdefault(str(c), []).append((company.key, f))
        return out

    def _job(self, name: str, work: Callable[[Job], object]) -> None:
        job = self.jobs[name]
        start = time.perf_counter()
        try:
            job.value = work(job)
            job.ready = True
        except Exception as exc:
            job.error = f"{type(exc).__name__}: {exc}"
        job.seconds = time.perf_counter() - start

    def _warm_questions(self, job: Job, concept_answers: bool = True) -> None:
        """Every packaged question with its default parameters, then with each concept for each one of its
        parameters that takes a data category, purpose or recipient kind (the links of the concept pages), so
        those pages answer from the cache. Other choices (two concepts at once, a number) run when asked."""
        browsable = self.concept_domain().members
        runs: list[tuple[str, dict[str, str]]] = []
        defaults = [(spec.name, {}) for spec in self.specs()]
        for spec in self.specs():
            for p in spec.params:
                domain = self.param_domain(p.default)
                if concept_answers and domain is not None and domain.members <= browsable:
                    runs += [(spec.name, {p.name: self.vocab.concepts[c].name}) for c in sorted(domain.members)]
        runs = defaults + runs + defaults  # the defaults again at the end: the most recently used answers
        job.total = len(runs)
        for name, params in runs:
            try:
                self.run(name, params)
            except KgError:
                pass
            job.done += 1

    def _graphs(self, rows: list[PolicyRow], job: Job):
        """The policy graphs of ``rows``, one at a time, counted in ``job``'s progress."""
        job.total = len(rows)
        for row in rows:
            yield self.policy_graph(row.iri)
            job.done += 1

    def _network(self, rows: list[PolicyRow], job: Job):
        from kg.network import network

        return network(self._graphs(rows, job))

    def _matrices(self, rows: list[PolicyRow], job: Job):
        from kg.validate import validate_each

        _, tables, _ = validate_each(self._graphs(rows, job), "all")
        return {m.profile: m for m in tables}

    def matrix(self, profile: str):
        job = self.jobs["matrices"]
        return job.value.get(profile) if job.ready else None

    def network(self):
        job = self.jobs["network"]
        return job.value if job.ready else None


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


def _store_writer(path: str, review) -> None:  # pragma: no cover - runs in a child process
    from kg.corrections import add_to_store
    from kg.store import Store

    store = Store(path, create=False)
    try:
        add_to_store(store, review)
    finally:
        store.close()


def _write_in_child(path: Path, review) -> None:
    """Write a review into a store folder from a child process: this process keeps its read-only view open, and
    a writer beside it in one process is not allowed; a build holding the store's lock makes it fail."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        try:
            pool.apply(_store_writer, (str(path), review))
        except KgError:
            raise
        except Exception as exc:
            raise KgError(str(path), f"cannot record the review: {exc}",
                          hint="a build may be writing to the store; try again when it is done") from None


def _unknown_query(name: str):
    from kg.errors import UnknownName

    raise UnknownName(name, "no packaged query of that name")


# -- reading one policy graph ----------------------------------------------------------------------------------
__all__ = ["Card", "Company", "Data", "EvidenceItem", "PolicyRow", "Source"]

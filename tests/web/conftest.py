"""Fixtures for the web app: graphs to serve (the example corpus, a hostile one), a TestClient, a live server."""
from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from kg.vocab import DC, DPV, ID, OA, PPKG, RK, bind_prefixes
from tests.helpers.processes import free_port

# policy text is hostile input: markup, script, quotes and control characters in every field the app shows
HOSTILE_NAME = 'Evil <script>alert("name")</script> & "Co" Inc.'
HOSTILE_SOURCE = "<img src=x onerror=alert(1)>.txt"
HOSTILE_SENTENCE = 'We collect your e-mail address <script>alert("ev")</script><img src=x onerror=alert(2)>.'
HOSTILE_SHARE = "We share it with advertisers \"><svg onload=alert(3)> for ads."
HOSTILE_SECTION = '"><iframe src=javascript:alert(4)>'
HOSTILE_TEXT = f"Privacy policy of {HOSTILE_NAME}\n\n{HOSTILE_SENTENCE}\n{HOSTILE_SHARE}\n"


def hostile_graph() -> tuple[Graph, str]:
    """One policy whose every shown string is hostile; (graph, policy text)."""
    g = bind_prefixes(Graph())
    sha = hashlib.sha256(HOSTILE_TEXT.encode()).hexdigest()
    policy = ID[f"policy/{sha[:16]}"]
    org = ID["org/evil"]
    for p, o in [(RDF.type, PPKG.PrivacyPolicy), (PPKG.sourceFile, Literal(HOSTILE_SOURCE)),
                 (PPKG.contentHash, Literal(sha)), (PPKG.mediaType, Literal("text/plain")),
                 (DCTERMS.publisher, org)]:
        g.add((policy, p, o))
    for p, o in [(RDF.type, PPKG.Controller), (RDF.type, DPV.Organisation), (DPV.hasName, Literal(HOSTILE_NAME))]:
        g.add((org, p, o))

    def statement(kind: str, cls, sentence: str, **values) -> URIRef:
        node = URIRef(f"{policy}/{kind}/{hashlib.sha256(sentence.encode()).hexdigest()[:12]}")
        for t in (cls, PPKG.DataPractice, PPKG.Statement):
            g.add((node, RDF.type, t))
        g.add((policy, PPKG.hasPractice, node))
        g.add((node, PPKG.negated, Literal(False)))
        for p, o in values.items():
            g.add((node, getattr(DPV, p), o))
        ev = URIRef(f"{node}/evidence")
        start = HOSTILE_TEXT.index(sentence)
        for p, o in [(RDF.type, PPKG.Evidence), (DCTERMS.source, policy), (OA.exact, Literal(sentence)),
                     (OA.start, Literal(start, datatype=XSD.integer)),
                     (OA.end, Literal(start + len(sentence), datatype=XSD.integer)),
                     (PPKG.sectionPath, Literal(HOSTILE_SECTION)), (PPKG.rule, Literal("<b>rule</b>"))]:
            g.add((ev, p, o))
        g.add((node, PPKG.evidence, ev))
        return node

    statement("collect", PPKG.CollectionPractice, HOSTILE_SENTENCE, hasPersonalData=DC.EmailAddress)
    recipient = ID["recipient/Advertiser"]
    g.add((recipient, RDF.type, PPKG.Recipient))
    g.add((recipient, PPKG.recipientKind, RK.Advertiser))
    statement("share", PPKG.SharingPractice, HOSTILE_SHARE, hasPersonalData=DC.EmailAddress, hasRecipient=recipient)
    return g, HOSTILE_TEXT


@pytest.fixture
def hostile_files(tmp_path) -> tuple[Path, Path]:
    """(graph file, folder with the policy's text)."""
    graph, text = hostile_graph()
    path = tmp_path / "hostile.ttl"
    graph.serialize(path, format="turtle")
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "policy.txt").write_text(text, encoding="utf-8")
    return path, texts


@pytest.fixture
def example_copy(example_build, tmp_path) -> Path:
    """The example corpus graph, copied (so its corrections file is this test's own)."""
    result, out = example_build
    assert result.exit_code == 0, result.output
    path = tmp_path / "kg.ttl"
    shutil.copyfile(out, path)
    return path


def make_client(graph: Path, texts=(), **limits):
    """A Starlette TestClient over the app serving ``graph``, its background work done first."""
    from starlette.testclient import TestClient

    from kg.web import create_app
    from kg.sources import open_source
    from kg.web.data import Data

    data = Data(open_source(graph), texts=texts)
    data.warm(concept_answers=False)
    app = create_app(data, warm=False, sparql_limits=limits or None)
    return TestClient(app, base_url="http://127.0.0.1:8080", headers={"origin": "http://127.0.0.1:8080"})


class LiveServer:
    """uvicorn serving the app on 127.0.0.1 and a free port, in a thread."""

    def __init__(self, graph: Path, texts=()):
        import uvicorn

        from kg.web import create_app
        from kg.sources import open_source
        from kg.web.data import Data

        data = Data(open_source(graph), texts=texts)
        data.warm(concept_answers=False)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(data, warm=False), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Debian's Chromium driven by Playwright (never a downloaded browser); skipped when it is not installed."""
    if CHROMIUM is None:
        if os.environ.get("CI"):  # .ci/run installs it: in CI a browser test never skips
            pytest.fail("Debian's chromium is not installed, and CI is set (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS)
        yield context
        context.close()


def versions_graph() -> Graph:
    """Two dated versions of one company's policy: the newer one shares e-mail with advertisers."""
    g = bind_prefixes(Graph())
    org = ID["org/acme"]
    for p, o in [(RDF.type, PPKG.Controller), (DPV.hasName, Literal("Acme Inc."))]:
        g.add((org, p, o))
    for date, text, share in (("2023-01-01", "We collect your e-mail address.\n", False),
                              ("2024-01-01", "We collect your e-mail address.\nWe share it with advertisers.\n", True)):
        sha = hashlib.sha256(text.encode()).hexdigest()
        policy = ID[f"policy/{sha[:16]}"]
        for p, o in [(RDF.type, PPKG.PrivacyPolicy), (PPKG.sourceFile, Literal("acme.txt")),
                     (PPKG.contentHash, Literal(sha)), (DCTERMS.publisher, org),
                     (DCTERMS.modified, Literal(date, datatype=XSD.date))]:
            g.add((policy, p, o))
        lines = [("collect", PPKG.CollectionPractice, text.splitlines()[0])]
        if share:
            lines.append(("share", PPKG.SharingPractice, text.splitlines()[1]))
        for kind, cls, sentence in lines:
            node = URIRef(f"{policy}/{kind}/{hashlib.sha256(sentence.encode()).hexdigest()[:12]}")
            for t in (cls, PPKG.DataPractice, PPKG.Statement):
                g.add((node, RDF.type, t))
            g.add((policy, PPKG.hasPractice, node))
            g.add((node, PPKG.negated, Literal(False)))
            g.add((node, DPV.hasPersonalData, DC.EmailAddress))
            if kind == "share":
                g.add((node, DPV.hasRecipient, ID["recipient/Advertiser"]))
                g.add((ID["recipient/Advertiser"], PPKG.recipientKind, RK.Advertiser))
            ev = URIRef(f"{node}/evidence")
            start = text.index(sentence)
            for p, o in [(DCTERMS.source, policy), (OA.exact, Literal(sentence)),
                         (OA.start, Literal(start, datatype=XSD.integer)),
                         (OA.end, Literal(start + len(sentence), datatype=XSD.integer))]:
                g.add((ev, p, o))
            g.add((node, PPKG.evidence, ev))
    return g


def store_of(graph: Graph, folder: Path) -> Path:
    """A store folder holding ``graph``'s policies, one named graph each (as ``build --store`` writes them)."""
    import pyoxigraph as ox

    from kg.graphio import policy_closures
    from kg.store import Store, to_ox

    folder.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(folder))
    for policy, closure in policy_closures(graph).items():
        store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(policy))) for s, p, o in closure)
    store.flush()
    del store
    Store(folder).close()  # the ontology graph and the store's bookkeeping
    return folder

"""What the dev-set benchmarks (opp115.py, app350.py) share: build a folder of policies with the normal pipeline,
time it against the bare spaCy model, and load the graph with the ontology into an in-memory Oxigraph store for the
prediction queries. Predictions are read from the graph by SPARQL only; no text is read here but to count words.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyoxigraph  # noqa: E402
from rdflib import Graph  # noqa: E402

from kg.api import BuildSummary, build_graph_of  # noqa: E402
from kg.extract.nlp import load_pipeline  # noqa: E402
from kg.graphio import ontology_graph  # noqa: E402

PREFIXES = """
PREFIX ppkg: <https://w3id.org/privacy-kg/ns#>
PREFIX dpv: <https://w3id.org/dpv#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX opp: <https://w3id.org/privacy-kg/opp115#>
PREFIX app350: <https://w3id.org/privacy-kg/app350#>
"""

def mapped(scheme: str, concept: str = "?c", value: str = "?v", label: str = "?label") -> str:
    """Graph pattern: the value ``value`` (with prefLabel ``label``) of scheme ``scheme`` mapped on ``concept`` or
    on its nearest ``skos:broader`` ancestor that has a mapping into the scheme (skos:exactMatch, closeMatch or
    broadMatch)."""
    return f"""
  {concept} skos:broader* {value}_anc .
  {value}_anc skos:exactMatch|skos:closeMatch|skos:broadMatch {value} .
  {value} skos:inScheme {scheme} ; skos:prefLabel {label} .
  FILTER NOT EXISTS {{
    {concept} skos:broader* {value}_nearer . {value}_nearer skos:broader+ {value}_anc .
    {value}_nearer skos:exactMatch|skos:closeMatch|skos:broadMatch {value}_other .
    {value}_other skos:inScheme {scheme} .
  }}
"""


@dataclass
class Run:
    graph: Graph
    summary: BuildSummary
    words: int
    build_s: float
    bare_s: float | None

    def report(self) -> str:
        lines = [f"{len(self.summary.policies)} policies, {self.words} words, {len(self.graph)} triples; "
                 f"model {self.summary.model}",
                 f"whole build: {self.build_s:.1f} s = {self.words / self.build_s:,.0f} words/s"]
        if self.bare_s is not None:
            lines.append(f"bare en_core_web_sm (NER disabled), same texts: {self.bare_s:.1f} s = "
                         f"{self.words / self.bare_s:,.0f} words/s (build/bare throughput ratio "
                         f"{self.bare_s / self.build_s:.2f})")
        return "\n".join(lines)


def build(policies: Path, baseline: bool = True) -> Run:
    """Build the graph of ``policies/*.txt`` exactly as ``privacy-kg build`` does; time the bare model on the same
    texts first unless ``baseline`` is false (both models loaded outside the timings)."""
    files = sorted(policies.glob("*.txt"))
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    pipeline = load_pipeline(accelerated=False)  # the unmodified model
    load_pipeline()  # the build's (accelerated attribute ruler)
    bare = None
    if baseline:
        start = time.perf_counter()
        for _ in pipeline.nlp.pipe(texts, batch_size=8):
            pass
        bare = time.perf_counter() - start
    start = time.perf_counter()
    graph, summary = build_graph_of([policies])
    elapsed = time.perf_counter() - start
    for exc in summary.failed:
        print(f"error: {exc.one_line()}", file=sys.stderr)
    return Run(graph, summary, sum(len(t.split()) for t in texts), elapsed, bare)


def oxigraph_of(graph: Graph) -> pyoxigraph.Store:
    """The graph plus the ontology in an in-memory Oxigraph store (rdflib takes minutes on these queries)."""
    store = pyoxigraph.Store()
    for g in (graph, ontology_graph()):
        store.load(g.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def sources(store: pyoxigraph.Store) -> list[str]:
    """The source file stems of the policies in the store."""
    return sorted(Path(row["source"].value).stem for row in store.query(
        PREFIXES + "SELECT ?source WHERE { ?p a ppkg:PrivacyPolicy ; ppkg:sourceFile ?source }"))

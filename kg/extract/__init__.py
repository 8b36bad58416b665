"""Extract stage: a segmented document in, the controller and raw statements out.

``Extractor`` holds what is expensive to make (the spaCy pipeline and the matchers compiled from the ontology's
labels) and is made once per process; ``Extractor.extract`` is then a function of the document alone.
"""
from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from kg.extract.controller import find_controller, find_date
from kg.extract.lexicon import Lexicon, load_lexicon
from kg.extract.nlp import Pipeline, load_pipeline
from kg.extract.statements import SentenceExtractor
from kg.model import ControllerInfo, Evidence, Segmented, Statement

PIPE_BATCH = 32  # sentences per spaCy batch (benchmarks/adversarial.py: memory per policy stays bounded)


@dataclass(frozen=True)
class Extraction:
    controller: ControllerInfo | None
    statements: tuple[Statement, ...]
    date: str | None
    date_evidence: Evidence | None
    warnings: tuple[str, ...]


class Extractor:
    def __init__(self, ontology: Graph, pipeline: Pipeline | None = None):
        self.pipeline = pipeline or load_pipeline()
        self.lexicon: Lexicon = load_lexicon(ontology)
        self.sentences = SentenceExtractor(self.pipeline.nlp, self.lexicon)

    @property
    def model(self) -> str:
        return self.pipeline.label

    def extract(self, seg: Segmented, controller_name: str | None = None) -> Extraction:
        """``controller_name``: the publisher's name as a build manifest gives it (preferred over the text's)."""
        # spaCy's memory grows with the words of a batch: 1,000 sentences (its default) of up to 400 words each
        # (kg.segment.HARD_MAX_WORDS) peaked at 970 MB over the model; 32 sentences at most ~13,000 words
        nlp = self.pipeline.nlp
        statements = tuple(self.sentences.read(seg, lambda docs: nlp.pipe(docs, batch_size=PIPE_BATCH)))
        controller, warnings = find_controller(seg, controller_name)
        date, date_evidence = find_date(seg)
        return Extraction(controller, statements, date, date_evidence, tuple(warnings))

"""Extract stage: a segmented document in, the controller and raw statements out.

``Extractor`` holds what is expensive to make (the spaCy pipeline and the matchers compiled from the ontology's
labels) and is made once per process; ``Extractor.extract`` is then a function of the document alone.
"""
from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy

from rdflib import Graph
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.controller import find_controller, find_date
from kg.extract.lexicon import Lexicon, load_lexicon
from kg.extract.nlp import Pipeline, load_pipeline
from kg.extract.statements import SentenceExtractor
from kg.model import ControllerInfo, Evidence, Segmented, Statement

PIPE_BATCH = 32  # sentences per spaCy batch (benchmarks/adversarial.py: memory per policy stays bounded)
PARSE_CACHE = 5_000  # parsed sentences remembered by text per process (ParseCache): about 7 kB each, 36 MB
_NO_TENSOR = numpy.zeros((0, 0), dtype="float32")


@dataclass(frozen=True)
class Extraction:
    controller: ControllerInfo | None
    statements: tuple[Statement, ...]
    date: str | None
    date_evidence: Evidence | None
    warnings: tuple[str, ...]


class ParseCache:
    """``nlp.pipe`` that remembers the parses of the last ``size`` distinct sentences, by exact text: policies
    repeat boilerplate ("If you have any questions about this Privacy Policy, please contact us.") within and across
    documents (in the 69 OPP-115 dev policies, 6% of the words are in a sentence seen before). The parse of a text
    is a function of the text alone, and the extractor only reads a Doc, so a remembered Doc serves every sentence
    with that text. Kept without its ``tensor`` (the tok2vec output, which nothing after the parser reads): about
    7 kB a sentence."""

    def __init__(self, nlp: Language, size: int = PARSE_CACHE, batch_size: int = PIPE_BATCH):
        self.nlp, self.size, self.batch_size = nlp, size, batch_size
        self.docs: OrderedDict[str, Doc] = OrderedDict()
        self.counts: Counter[str] = Counter()  # sentences found here ("hit") and parsed ("parsed")

    def __call__(self, docs: Iterable[Doc]) -> Iterator[Doc]:
        """The parses of the tokenized ``docs``, in order (lazily, ``batch_size`` at a time)."""
        for chunk in _batches(docs, self.batch_size):
            todo: dict[str, Doc] = {}
            for doc in chunk:
                if doc.text not in self.docs:
                    todo.setdefault(doc.text, doc)
            parsed = dict(zip(todo, self.nlp.pipe(todo.values(), batch_size=self.batch_size)))
            self.counts["parsed"] += len(parsed)
            self.counts["hit"] += len(chunk) - len(parsed)
            for doc in chunk:
                found = parsed.get(doc.text)
                if found is None:
                    found = self.docs[doc.text]
                    self.docs.move_to_end(doc.text)
                yield found
            for text, doc in parsed.items():
                if self.size:
                    doc.tensor = _NO_TENSOR
                    self.docs[text] = doc
            while len(self.docs) > self.size:
                self.docs.popitem(last=False)


def _batches(items: Iterable[Doc], n: int) -> Iterator[list[Doc]]:
    batch: list[Doc] = []
    for item in items:
        batch.append(item)
        if len(batch) == n:
            yield batch
            batch = []
    if batch:
        yield batch


class Extractor:
    def __init__(self, ontology: Graph, pipeline: Pipeline | None = None):
        self.pipeline = pipeline or load_pipeline()
        self.lexicon: Lexicon = load_lexicon(ontology)
        self.sentences = SentenceExtractor(self.pipeline.nlp, self.lexicon)
        self.parse = ParseCache(self.pipeline.nlp)

    @property
    def model(self) -> str:
        return self.pipeline.label

    def extract(self, seg: Segmented, controller_name: str | None = None) -> Extraction:
        """``controller_name``: the publisher's name as a build manifest gives it (preferred over the text's)."""
        # spaCy's memory grows with the words of a batch: 1,000 sentences (its default) of up to 400 words each
        # (kg.segment.HARD_MAX_WORDS) peaked at 970 MB over the model; 32 sentences at most ~13,000 words
        statements = tuple(self.sentences.read(seg, self.parse))
        controller, warnings = find_controller(seg, controller_name)
        date, date_evidence = find_date(seg)
        return Extraction(controller, statements, date, date_evidence, tuple(warnings))

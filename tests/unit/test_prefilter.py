"""Parsing only what can hold a statement (kg.extract.prefilter, SentenceExtractor.read) and the parse cache
(kg.extract.ParseCache): the same statements as parsing every sentence, on the real pipeline and the examples."""
from pathlib import Path

import pytest

from kg.extract import ParseCache
from kg.extract.patterns import TokenTable
from kg.extract.prefilter import pattern_requirement
from kg.extract.statements import body_sentences
from kg.ingest import read_document
from kg.segment import segment

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"


@pytest.fixture(scope="module")
def examples():
    return [segment(read_document(path)) for path in sorted(EXAMPLES.iterdir())]


@pytest.fixture(scope="module")
def parsed(extractor, examples):
    """Every body sentence of the examples, parsed (the whole pipeline)."""
    texts = [s.text for seg in examples for s in body_sentences(seg)]
    return list(extractor.pipeline.nlp.pipe(texts))


def test_pattern_requirement_takes_the_words_of_required_tokens():
    pattern = [{"LOWER": {"IN": ["You", "users"]}}, {"POS": "AUX", "OP": "*"}, {"LEMMA": "provide", "POS": "VERB"},
               {"LOWER": "it", "OP": "?"}, {"IS_PUNCT": True}]
    assert pattern_requirement(pattern) == (frozenset({"you", "users"}), frozenset({"provide"}))
    assert pattern_requirement([{"LEMMA": "share", "OP": "{2,3}"}]) == (frozenset({"share"}),)
    # no word to look for: such a pattern may match any sentence
    assert pattern_requirement([{"POS": "VERB"}, {"LEMMA": "data", "OP": "*"}]) is None
    assert pattern_requirement([{"LEMMA": {"NOT_IN": ["share"]}}]) is None


def test_every_lemma_the_pipeline_gives_is_a_form_the_prefilter_expects(extractor, parsed):
    prefilter = extractor.sentences.prefilter
    tokens = [t for doc in parsed for t in doc]
    assert len(tokens) > 10_000
    missed = {(t.text, t.lemma_) for t in tokens if t.lemma_.lower() not in prefilter.lemma_forms(t.text)}
    assert not missed


def test_a_sentence_the_prefilter_rules_out_has_no_hit_once_parsed(extractor, parsed):
    sentences = extractor.sentences
    ruled_out = 0
    for doc in parsed:
        if sentences.prefilter.may_hit(sentences.nlp.make_doc(doc.text)):
            continue
        ruled_out += 1
        table = TokenTable(doc)
        assert not sentences.concepts(doc, table), doc.text
        assert not sentences.triggers(doc, table), doc.text
        assert not sentences.cues(doc, table), doc.text
        assert not sentences.purpose_patterns(doc, table), doc.text
    assert ruled_out >= 20  # headings-like lines, addresses, "Last updated ..." and the like


def test_prefilter_keeps_sentences_with_a_label_or_a_trigger(extractor):
    sentences = extractor.sentences
    assert sentences.prefilter.bounded
    for text in ("We collect your e-mail address.", "They sold it.", "Cookies are small files.",
                 "You may opt out at any time."):
        assert sentences.prefilter.may_hit(sentences.nlp.make_doc(text)), text
    for text in ("Last updated: 1 March 2020", "Welcome!", "123 Main Street, Springfield"):
        assert not sentences.prefilter.may_hit(sentences.nlp.make_doc(text)), text


def test_reading_with_the_prefilter_and_the_cache_gives_every_statement(extractor, examples):
    sentences, nlp = extractor.sentences, extractor.pipeline.nlp
    cache = ParseCache(nlp, size=50)
    skipped = sentences.counts["skipped"]
    for seg in examples * 2:  # the second time, some sentences come from the cache
        everything = sentences.extract(seg, nlp.pipe([s.text for s in body_sentences(seg)]))
        assert sentences.read(seg, cache) == everything
        assert sentences.read(seg, lambda docs: nlp.pipe(docs)) == everything
    assert sentences.counts["skipped"] > skipped
    assert cache.counts["hit"] > 0 and len(cache.docs) <= 50


def test_parse_cache_serves_a_repeated_text_from_memory(extractor):
    nlp = extractor.pipeline.nlp
    cache = ParseCache(nlp, size=2, batch_size=1)  # one at a time: the second "We collect" finds the first
    texts = ["We collect your name.", "We share it with partners.", "We collect your name.", "Third one.",
             "Fourth one.", "We collect your name."]
    docs = list(cache(nlp.make_doc(t) for t in texts))
    assert [d.text for d in docs] == texts
    assert docs[2] is docs[0]  # a hit: the same (read-only) Doc
    assert docs[5] is not docs[0]  # evicted by the two texts between (size 2), parsed again
    assert cache.counts == {"parsed": 5, "hit": 1}
    assert [t.dep_ for t in docs[5]] == [t.dep_ for t in nlp(texts[0])]
    assert len(cache.docs) == 2 and all(d.tensor.size == 0 for d in cache.docs.values())

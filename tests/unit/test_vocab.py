"""kg.vocab.PPKG lists exactly the terms ontology/privacy-kg.ttl defines."""
from rdflib import RDF, Graph
from rdflib.namespace import OWL

from kg.resources import data_dir
from kg.vocab import PPKG


def test_closed_namespace_matches_ontology():
    g = Graph().parse(data_dir("ontology") / "privacy-kg.ttl")
    ns = str(PPKG._NS)
    defined = {str(s)[len(ns):] for s in g.subjects(RDF.type, None) if str(s).startswith(ns) and str(s) != ns}
    assert defined == set(PPKG.__annotations__)


def test_typo_raises():
    import pytest
    with pytest.raises(AttributeError):
        PPKG.hasPractise  # noqa: B018


def test_every_term_is_typed_and_labelled():
    g = Graph().parse(data_dir("ontology") / "privacy-kg.ttl")
    from rdflib.namespace import RDFS, SKOS
    for name in PPKG.__annotations__:
        term = PPKG[name]
        assert (term, RDF.type, None) in g, name
        if (term, RDF.type, OWL.Class) in g or (term, RDF.type, OWL.ObjectProperty) in g:
            assert g.value(term, RDFS.label) or g.value(term, SKOS.prefLabel), name


def test_ontology_version_iri_is_the_one_graphs_name():
    from rdflib import Graph
    from rdflib.namespace import OWL
    from kg.resources import data_dir
    from kg.vocab import ONTOLOGY_VERSION
    g = Graph().parse(data_dir("ontology") / "privacy-kg.ttl")
    assert list(g.objects(None, OWL.versionIRI)) == [ONTOLOGY_VERSION]

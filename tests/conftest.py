"""Shared fixtures: the example corpus built once per session through the real CLI; the extractor (the real spaCy
pipeline and the ontology's vocabulary), loaded once per session."""
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "policies"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/*.ttl from the current output instead of comparing")


@pytest.fixture(scope="session")
def example_build(tmp_path_factory):
    """(CliRunner result, path of the Turtle file) of `privacy-kg build examples/policies -o ...`."""
    from kg.cli import main

    out = tmp_path_factory.mktemp("build") / "kg.ttl"
    result = CliRunner().invoke(main, ["build", str(EXAMPLES), "-o", str(out)])
    return result, out


@pytest.fixture(scope="session")
def example_graph(example_build) -> Graph:
    result, out = example_build
    assert result.exit_code == 0, result.output
    return Graph().parse(out)


@pytest.fixture(scope="session")
def extractor():
    from kg.extract import Extractor
    from kg.resources import ontology_files

    g = Graph()
    for f in ontology_files():
        g.parse(f)
    return Extractor(g)

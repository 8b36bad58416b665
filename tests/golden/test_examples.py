"""Golden end-to-end test: `privacy-kg build examples/policies` gives exactly tests/golden/examples.ttl.

Compared as graphs (isomorphism), not as text. After an intended change to extraction, review the diff this
test prints, then rewrite the file with `python -m pytest tests/golden --update-golden`.
"""
from pathlib import Path

import pytest
from rdflib import Graph

from tests.helpers.compare import assert_isomorphic

GOLDEN = Path(__file__).with_name("examples.ttl")


@pytest.mark.slow
def test_build_matches_golden(example_build, request):
    result, out = example_build
    assert result.exit_code == 0, result.output
    if request.config.getoption("--update-golden"):
        GOLDEN.write_bytes(out.read_bytes())
        pytest.skip("golden file rewritten")
    assert_isomorphic(Graph().parse(out), Graph().parse(GOLDEN), GOLDEN.name)

"""Golden end-to-end test: `privacy-kg build examples/policies` gives exactly tests/golden/examples.ttl.

Compared as graphs (isomorphism), not as text. After an intended change to extraction, review the diff this
test prints, then rewrite the file with `python -m pytest tests/golden --update-golden`.
"""
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic

GOLDEN = Path(__file__).with_name("examples.ttl")


@pytest.mark.slow
def test_build_matches_golden(example_build, request):
    result, out = example_build
    assert result.exit_code == 0, result.output
    if request.config.getoption("--update-golden"):
        GOLDEN.write_bytes(out.read_bytes())
        pytest.skip("golden file rewritten")
    got, want = to_isomorphic(Graph().parse(out)), to_isomorphic(Graph().parse(GOLDEN))
    if got != want:
        _, missing, extra = graph_diff(want, got)
        lines = [f"- {' '.join(t.n3() for t in triple)}" for triple in sorted(missing)][:40]
        lines += [f"+ {' '.join(t.n3() for t in triple)}" for triple in sorted(extra)][:40]
        pytest.fail(f"graph differs from {GOLDEN.name} ({len(missing)} missing, {len(extra)} extra):\n"
                    + "\n".join(lines))

"""Hostile input through `privacy-kg build` as users run it (issue #12): each bad file is one error line naming
it, the exit code is 2, and every good file of the batch is still built. The hostile files are written here."""
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF

from kg.cli import main
from kg.vocab import PPKG

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"
SENTENCE = "We share your email address and phone number {i} with advertising partners for marketing purposes.\n"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


def _policies(path: Path) -> int:
    return len(set(Graph().parse(path).subjects(RDF.type, PPKG.PrivacyPolicy)))


def test_pipes_links_and_huge_files_are_one_line_each_and_the_batch_goes_on(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_bytes((EXAMPLES / "calsoft.txt").read_bytes())
    os.mkfifo(inputs / "pipe.txt")
    (inputs / "loop.txt").symlink_to(inputs / "loop.txt")
    with (inputs / "huge.txt").open("wb") as f:
        f.truncate(6 * 10**9)
    (inputs / "comments.txt").write_text("<!--x-->" * 40, encoding="utf-8")  # hung every build before
    out = tmp_path / "kg.ttl"
    result = invoke("build", inputs, "-o", out)
    assert result.exit_code == 2, result.output
    errors = _errors(result.output)
    assert len(errors) == 3, result.output
    assert any("pipe.txt" in e and "named pipe" in e for e in errors)
    assert any("loop.txt" in e and "symbolic link loop" in e for e in errors)
    assert any("huge.txt" in e and "over 5 MB" in e for e in errors)
    assert "Traceback" not in result.output
    assert _policies(out) == 2  # good.txt and the comments file (read as text)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_over_its_time_budget_is_one_line_and_the_batch_goes_on(tmp_path, jobs):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a-big.txt").write_text("".join(SENTENCE.format(i=i) for i in range(20_000)), encoding="utf-8")
    (inputs / "b-small.txt").write_text("Acme Inc. Privacy Policy\n\n" + SENTENCE.format(i=0), encoding="utf-8")
    out = tmp_path / "kg.ttl"
    result = invoke("build", inputs, "-o", out, "--timeout-per-file", 3, "--jobs", jobs)
    assert result.exit_code == 2, result.output
    assert _errors(result.output) == [f"error: {inputs / 'a-big.txt'}: took over 3 s (--timeout-per-file); skipped"]
    assert _policies(out) == 1
    assert "b-small.txt" in result.output


def test_the_time_budget_is_documented_in_help():
    result = invoke("build", "--help")
    assert "--timeout-per-file" in result.output and "300" in result.output

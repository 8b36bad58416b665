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


# -- stores: reading never creates one, readers never wait, damage is one line ----------------------------------------
@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile-store") / "db"
    result = invoke("build", EXAMPLES / "calsoft.txt", EXAMPLES / "connact.txt", "--store", path)
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("command", [
    ["query", "controllers"], ["validate"], ["versions"], ["network"], ["remove", "calsoft.txt"],
    ["export", "--format", "nt", "-o", "{tmp}/x.nt"], ["report", "-o", "{tmp}/r.html"],
])
def test_a_folder_that_is_not_a_store_is_an_error_and_stays_untouched(tmp_path, command):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "cat.jpg").write_bytes(b"\xff\xd8 not a store")
    result = invoke(*[c.format(tmp=tmp_path) for c in command], "--store", folder)
    assert result.exit_code == 2, result.output
    assert _errors(result.output) == [f"error: {folder}: not a store (no Oxigraph database in this folder)"]
    assert sorted(p.name for p in folder.iterdir()) == ["cat.jpg"]
    missing = tmp_path / "missing"
    result = invoke(*[c.format(tmp=tmp_path) for c in command], "--store", missing)
    assert _errors(result.output) == [f"error: {missing}: no such store"] and not missing.exists()


def test_readers_do_not_wait_for_a_writer_or_each_other(small_store, tmp_path):
    import subprocess
    import sys

    holder = subprocess.Popen(  # a writer holding the store's lock, as a running build does
        [sys.executable, "-c", "import sys, time; from kg.store import Store; s = Store(sys.argv[1]); "
                               "print('locked', flush=True); time.sleep(60)", str(small_store)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        readers = [subprocess.Popen([sys.executable, "-m", "kg", "query", "controllers", "--store", str(small_store),
                                     "--format", "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(4)]
        outputs = [r.communicate(timeout=120) for r in readers]
        assert [r.returncode for r in readers] == [0, 0, 0, 0], outputs
        assert all("Calsoft Systems" in out and "CONNACT" in out for out, _ in outputs)
        second = invoke("remove", "calsoft.txt", "--store", small_store)  # a second writer is refused, one line
        assert second.exit_code == 2 and "lock" in second.output and "Traceback" not in second.output
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_a_damaged_store_is_one_line(small_store, tmp_path):
    import shutil

    damaged = tmp_path / "damaged"
    shutil.copytree(small_store, damaged)
    (damaged / "CURRENT").write_text("garbage\n")
    for command in (["query", "controllers"], ["build", EXAMPLES / "calsoft.txt"]):
        result = invoke(*command, "--store", damaged)
        assert result.exit_code == 2, result.output
        errors = _errors(result.output)
        assert len(errors) == 1 and "the store is damaged" in errors[0], result.output
        assert "Traceback" not in result.output

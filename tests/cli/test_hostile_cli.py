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


# -- faults of the disk and of the output: one line each ------------------------------------------------------------
@pytest.fixture(scope="module")
def graph_file(tmp_path_factory):
    """A built graph whose evidence holds BEL and ESC characters (a policy with terminal escapes in it)."""
    folder = tmp_path_factory.mktemp("escapes")
    policy = folder / "escapes.txt"
    policy.write_text("Acme Inc. Privacy Policy\n\nWe share your email address with advertisers \x07 for "
                      "marketing \x1b[2J\x1b[31m purposes.\n\n"
                      + (EXAMPLES / "calsoft.txt").read_text(encoding="utf-8"), encoding="utf-8")  # < 1% controls
    out = folder / "kg.ttl"
    result = invoke("build", policy, "-o", out)
    assert result.exit_code == 0, result.output
    return out


def _mount_tmpfs(folder: Path, options: str) -> bool:
    import subprocess

    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    return done.returncode == 0


def _unmount(folder: Path) -> None:
    import subprocess

    subprocess.run(["umount", str(folder)], capture_output=True)


@pytest.fixture
def full_disk(tmp_path):
    """A 1 MB file system, filled but for 64 kB (needs root and mount; skipped elsewhere)."""
    folder = tmp_path / "full"
    if not _mount_tmpfs(folder, "size=1m"):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        (folder / "filler").write_bytes(b"\0" * (1024 * 1024 - 64 * 1024))
        yield folder
    finally:
        _unmount(folder)


@pytest.fixture
def read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    if not _mount_tmpfs(folder, "ro,size=1m"):
        pytest.skip("cannot mount a read-only tmpfs here (needs root)")
    try:
        yield folder
    finally:
        _unmount(folder)


def _output_commands(graph: Path, target: Path) -> list[list]:
    return [["build", EXAMPLES / "calsoft.txt", "-o", target / "kg.ttl"],
            ["export", graph, "--format", "graphml", "-o", target / "kg.graphml"],
            ["export", graph, "--format", "trig", "-o", target / "kg.trig"],
            ["report", graph, "-o", target / "r.html"],
            ["network", graph, "--json", target / "n.json"],
            ["validate", graph, "--report", target / "v.ttl"]]


def test_a_missing_output_folder_is_one_line_for_every_command(graph_file, tmp_path):
    missing = tmp_path / "no" / "such"
    for command in _output_commands(graph_file, missing):
        result = invoke(*command)
        assert result.exit_code == 2, (command, result.output)
        errors = _errors(result.output)
        assert len(errors) == 1 and f"cannot write: no such folder {missing}; nothing written" in errors[0], \
            (command, result.output)
        assert "Traceback" not in result.output


def test_a_read_only_output_folder_is_one_line_for_every_command(graph_file, read_only_folder):
    for command in _output_commands(graph_file, read_only_folder):
        result = invoke(*command)
        assert result.exit_code == 2, (command, result.output)
        assert [e.endswith("cannot write: the file system is read-only; nothing written")
                for e in _errors(result.output)] == [True], (command, result.output)


def test_a_full_disk_is_one_line_and_keeps_the_per_file_errors(graph_file, full_disk, tmp_path):
    missing_input = tmp_path / "missing.txt"
    result = invoke("build", EXAMPLES, missing_input, "-o", full_disk / "kg.ttl")
    assert result.exit_code == 2, result.output
    assert _errors(result.output) == [f"error: {missing_input}: no such file or folder",
                                      f"error: {full_disk / 'kg.ttl'}: cannot write: the disk is full; nothing written"]
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]  # no partial file, no .tmp file
    result = invoke("build", EXAMPLES / "calsoft.txt", "--store", full_disk / "db")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert [e.endswith(": the disk is full") for e in _errors(result.output)] == [True], result.output


def test_graphml_exports_stay_valid_xml_with_control_characters(graph_file, tmp_path):
    import xml.etree.ElementTree as ET

    assert "\\u0007" in graph_file.read_text(encoding="utf-8") or "\x07" in Graph().parse(graph_file).serialize()
    for command, path in ((["export", graph_file, "--format", "graphml", "-o"], tmp_path / "e.graphml"),
                          (["network", graph_file, "--graphml"], tmp_path / "n.graphml")):
        result = invoke(*command, path)
        assert result.exit_code == 0, result.output
        ET.parse(path)  # raises on invalid XML
        assert "\x07" not in path.read_text(encoding="utf-8") and "\x1b" not in path.read_text(encoding="utf-8")
    ET.parse(tmp_path / "e.graphml").getroot()
    assert "marketing [2J[31m purposes" in (tmp_path / "e.graphml").read_text(encoding="utf-8")


def test_escape_sequences_from_a_policy_never_reach_a_terminal(graph_file, tmp_path):
    import subprocess
    import sys

    query = tmp_path / "evidence.rq"
    query.write_text('SELECT ?text WHERE { ?e <http://www.w3.org/ns/oa#exact> ?text FILTER(CONTAINS(?text, '
                     '"advertisers")) }\n', encoding="utf-8")
    command = [sys.executable, "-m", "kg", "query", str(query), str(graph_file), "--format", "csv"]
    primary, secondary = os.openpty()  # the command's stdout is a terminal
    try:
        done = subprocess.Popen(command, stdout=secondary, stderr=subprocess.DEVNULL)
        os.close(secondary)
        secondary = None
        shown = b""
        while True:  # read as it writes (a terminal's buffer is small)
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the command ended and its output is drained
                break
            if not chunk:
                break
            shown += chunk
        done.wait(timeout=120)
    finally:
        os.close(primary)
        if secondary is not None:
            os.close(secondary)
    assert done.returncode == 0, shown
    assert b"\x1b" not in shown and b"\x07" not in shown
    assert b"\\x1b[2J\\x1b[31m" in shown and b"\\x07" in shown
    piped = subprocess.run(command, capture_output=True, timeout=120)  # not a terminal: the data as it is
    assert b"\x07" in piped.stdout


def test_a_killed_build_leaves_no_temporary_file(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(150):  # copies: the parse cache serves their repeated sentences, so many are needed
        (inputs / f"p{i:03}.txt").write_text((EXAMPLES / "calsoft.txt").read_text(encoding="utf-8")
                                             + f"\nRevision {i}.\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    build = subprocess.Popen([sys.executable, "-m", "kg", "build", str(inputs), "-o", str(out / "kg.ttl"), "-q"])
    time.sleep(8)  # spaCy loaded, some policies written into the (unnamed) output file
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert build.returncode == -signal.SIGKILL, "the build finished before it was killed: give it more files"
    assert list(out.iterdir()) == []

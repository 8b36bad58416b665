"""`build --dask` / `--records`: what is refused before any cluster starts or any policy is read (no spaCy)."""
from __future__ import annotations

from click.testing import CliRunner

from kg.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_malformed_dask_address_is_one_error_line(tmp_path):
    for address, message in (("local:0", "local:N needs a worker count N of 1 or more"),
                             ("local:x", "local:N needs a worker count"), ("nowhere", "not a scheduler address")):
        r = run("build", "examples/policies", "--store", tmp_path / "s", "--dask", address)
        assert r.exit_code == 2
        assert f"error: {address}: {message}" in r.output and "hint: --dask takes a scheduler address" in r.output


def test_dask_and_jobs_do_not_go_together(tmp_path):
    r = run("build", "examples/policies", "-o", tmp_path / "kg.ttl", "--dask", "local:1", "--jobs", "2")
    assert r.exit_code == 2 and "give it without --jobs" in r.output
    assert not (tmp_path / "kg.ttl").exists()


def test_build_needs_inputs_or_records(tmp_path):
    r = run("build", "-o", tmp_path / "kg.ttl")
    assert r.exit_code == 2 and "give policy files or folders, or --records FILE" in r.output
    r = run("build", "--records", tmp_path / "missing.jsonl", "-o", tmp_path / "kg.ttl")
    assert r.exit_code == 2 and "missing.jsonl: no such records file" in r.output


def test_help_names_the_new_options():
    r = run("build", "--help")
    assert "--dask ADDRESS" in r.output and "--records FILE" in r.output and '"text" or "html"' in r.output

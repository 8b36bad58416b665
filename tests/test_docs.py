"""The documentation is tested like code (after sqlite-utils' tests/test_docs.py): every command has help and is in
the README, every choice of every option is a key of the registry it names and is written in the README and in the
command's --help, every packaged query is listed in the README, and the README's Python example runs."""
from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kg import api
from kg.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(main.commands)
REGISTRIES = {  # (command, option) -> the registry its choices are read from
    ("validate", "profile"): api.PROFILES,
    ("validate", "fmt"): api.VALIDATION_FORMATS,
    ("validate", "fail_on"): tuple(api.FAIL_ON),
    ("query", "fmt"): api.QUERY_FORMATS,
    ("export", "fmt"): api.EXPORT_FORMATS,
    ("export", "vocabulary"): api.VOCABULARIES,
    ("report", "profile"): api.PROFILES,
    ("versions", "fmt"): api.VERSION_FORMATS,
    ("diff", "fmt"): api.DIFF_FORMATS,
    ("concepts", "fmt"): api.CONCEPT_FORMATS,
}


def choices() -> list[tuple[str, str, tuple[str, ...]]]:
    return [(name, p.name or "", tuple(p.type.choices)) for name in COMMANDS for p in main.commands[name].params
            if isinstance(p.type, click.Choice)]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_a_readme_section(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and main.commands[command].help
    assert f"privacy-kg {command}" in README, f"the README shows no `privacy-kg {command}`"
    assert command in CliRunner().invoke(main, ["--help"]).output


@pytest.mark.parametrize("command, option, values", choices(), ids=lambda x: str(x))
def test_every_choice_comes_from_its_registry_and_is_documented(command, option, values):
    assert values == tuple(REGISTRIES[(command, option)]), "the choices are not the registry's keys"
    help_text = CliRunner().invoke(main, [command, "--help"]).output
    for value in values:
        assert value in help_text, f"{command} --help does not show {value}"
        assert re.search(rf"`[^`]*\b{re.escape(value)}\b[^`]*`", README), f"the README does not show {value}"


def test_every_registry_with_choices_is_checked():
    assert {(c, o) for c, o, _ in choices()} == set(REGISTRIES)


def test_every_packaged_query_is_listed_in_the_readme():
    table = README[README.index("| query | question |"):]
    table = table[:table.index("\n\n")]
    listed = set(re.findall(r"^\| `([\w-]+)` \|", table, re.MULTILINE))
    assert {spec.name for spec in api.list_queries()} == listed


def test_every_packaged_query_has_a_header():
    for spec in api.list_queries():
        assert spec.title != spec.name and spec.question, spec.name
        assert spec.columns, spec.name


@pytest.mark.slow
def test_the_readme_python_example_runs(tmp_path, monkeypatch):
    """The library example of the README, run as written from a folder holding examples/."""
    [code] = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "kg.ttl").is_file()

"""A non-editable install carries ontology/, shapes/ and queries/ inside the package (kg/_data/...).

Runs the installed package from a directory outside the source tree so the checkout cannot be picked up.
Skipped when privacy-kg is not installed in this interpreter, or installed in editable mode.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, kg.resources as r
print(json.dumps({name: str(r.data_dir(name)) for name in ("ontology", "shapes", "queries")}))
"""


def installed_dirs(tmp_path):
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip("privacy-kg is not installed in this interpreter")
    dirs = {k: Path(v) for k, v in json.loads(proc.stdout).items()}
    if not all("site-packages" in d.parts for d in dirs.values()):
        pytest.skip("privacy-kg is installed in editable mode; nothing to check")
    return dirs


@pytest.mark.parametrize("folder", ["ontology", "shapes", "queries"])
def test_installed_package_ships_data_folder(tmp_path, folder):
    installed = installed_dirs(tmp_path)[folder]
    assert installed.parts[-2:] == ("_data", folder)
    source = {p.relative_to(ROOT / folder) for p in (ROOT / folder).rglob("*") if p.is_file()}
    shipped = {p.relative_to(installed) for p in installed.rglob("*") if p.is_file()}
    assert source and source == shipped


def test_installed_package_ships_the_templates_and_the_web_apps_files(tmp_path):
    installed_dirs(tmp_path)  # skips unless a non-editable install
    probe = "import json, kg.templating as t; print(json.dumps([str(t.TEMPLATES), str(t.STATIC)]))"
    proc = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    for folder, source in zip(json.loads(proc.stdout), (ROOT / "kg" / "templates", ROOT / "kg" / "web" / "static")):
        shipped = {p.name for p in Path(folder).iterdir()}
        assert "site-packages" in Path(folder).parts and shipped >= {p.name for p in source.iterdir()}

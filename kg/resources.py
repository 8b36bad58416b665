"""Locate the packaged data folders (ontology/, shapes/, queries/).

Installed from a wheel they live in ``kg/_data/<folder>`` (hatchling force-include, see pyproject.toml); in a
source checkout they are the top-level folders beside ``kg/``.
"""
from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``"ontology"``, ``"shapes"`` or ``"queries"``)."""
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"packaged folder {name!r} not found beside {_PKG}")


def ontology_files() -> list[Path]:
    """Our ontology and concept schemes (not the vendored DPV files), in a stable order."""
    root = data_dir("ontology")
    return sorted(root.glob("*.ttl")) + sorted((root / "concepts").glob("*.ttl"))


def dpv_files() -> list[Path]:
    """The vendored, unmodified DPV 2.3 Turtle files."""
    return sorted((data_dir("ontology") / "vendor" / "dpv-2.3").glob("*.ttl"))


def shape_files() -> list[Path]:
    return sorted(data_dir("shapes").glob("*.ttl"))


def query_files() -> list[Path]:
    return sorted(data_dir("queries").glob("*.rq"))


@cache
def rules_version() -> str:
    """A digest of the extraction rule files (kg/extract/rules/*.jsonl): equal digests, equal rules."""
    digest = hashlib.sha256()
    for path in sorted((_PKG / "extract" / "rules").glob("*.jsonl")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return "rules-" + digest.hexdigest()[:12]

"""Build manifests: what the user knows about each input file, recorded in the graph (``privacy-kg build --manifest``).

A manifest is a CSV file with a header row, or JSON Lines (one object per line; ``.jsonl``, ``.ndjson``, ``.json``,
or any file whose first non-blank character is ``{``). Fields, per input file:

* ``path`` (required): the input file, matched against its path as the build found it (``policies/acme.txt``), the
  same file by another relative path (from the working folder or the manifest's folder), or its file name alone
  (``acme.txt``) when one input file has that name;
* ``controller``: the publisher's name, preferred over the name extraction finds;
* ``url``: where the policy was retrieved from (an absolute http(s) URL);
* ``jurisdiction``: as the user writes it ("EU", "US-CA", "Germany");
* ``retrieved``: the retrieval date, ISO 8601 (``2024-05-31``).

Empty values are as good as absent. A bad row (no path, a malformed URL or date, an unknown column, a path that
matches several input files) is one ``KgError`` naming the manifest's file and line; the build reports it and goes
on, building that row's file without it. A row whose path matches no input file is only a warning: one manifest
may describe a whole corpus, and a build take part of it.
"""
from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from kg.errors import KgError
from kg.model import PolicyMetadata

FIELDS = ("path", "controller", "url", "jurisdiction", "retrieved")
_MAX_VALUE = 500  # characters: a name, a URL or a jurisdiction is never longer


class BadManifest(KgError):
    """The manifest, or one of its rows, cannot be used."""


@dataclass(frozen=True)
class Row:
    line: int
    path: str
    metadata: PolicyMetadata


def read_manifest(manifest: str | Path) -> tuple[list[Row], list[KgError]]:
    """The manifest's usable rows and one error per bad row. Raises ``BadManifest`` if the file cannot be read."""
    manifest = Path(manifest)
    try:
        text = manifest.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise BadManifest(str(manifest), "no such manifest file") from None
    except IsADirectoryError:
        raise BadManifest(str(manifest), "is a folder, not a manifest file") from None
    except OSError as exc:
        raise BadManifest(str(manifest), f"cannot read the manifest: {exc.strerror or exc}") from exc
    except UnicodeDecodeError:
        raise BadManifest(str(manifest), "the manifest is not UTF-8 text") from None
    if manifest.suffix.lower() in (".jsonl", ".ndjson", ".json") or text.lstrip().startswith("{"):
        raw, errors = _json_lines(manifest, text)
    else:
        raw, errors = _csv(manifest, text)
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for line, values in raw:
        where = f"{manifest}:{line}"
        try:
            row = _row(where, line, values)
        except KgError as exc:
            errors.append(exc)
            continue
        if row.path in seen:
            errors.append(BadManifest(where, f"path {row.path!r} is already given on line {seen[row.path]}"))
            continue
        seen[row.path] = line
        rows.append(row)
    return rows, sorted(errors, key=_line_of)


def _line_of(error: KgError) -> int:
    return int(error.path.rsplit(":", 1)[1]) if error.path and error.path.rsplit(":", 1)[-1].isdigit() else 0


def _csv(manifest: Path, text: str) -> tuple[list[tuple[int, dict]], list[KgError]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [BadManifest(f"{manifest}:1", f"not CSV: {exc}")]
    if not header or "path" not in [h.strip().lower() for h in header]:
        return [], [BadManifest(f"{manifest}:1", "the first line must be a header naming the columns, with 'path' "
                                                 f"among them (columns: {', '.join(FIELDS)})")]
    names = [h.strip().lower() for h in header]
    errors: list[KgError] = []
    unknown = [h for h in names if h and h not in FIELDS]
    if unknown:
        errors.append(BadManifest(f"{manifest}:1", f"unknown column(s) {', '.join(map(repr, unknown))}, ignored "
                                                   f"(columns: {', '.join(FIELDS)})"))
    rows = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(BadManifest(f"{manifest}:{reader.line_num}", f"not CSV: {exc}"))
            break
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(names):
            errors.append(BadManifest(f"{manifest}:{reader.line_num}", f"{len(cells)} cells, but the header names "
                                                                       f"{len(names)} columns"))
            continue
        rows.append((reader.line_num, {n: c for n, c in zip(names, cells) if n in FIELDS}))
    return rows, errors


def _json_lines(manifest: Path, text: str) -> tuple[list[tuple[int, dict]], list[KgError]]:
    rows: list[tuple[int, dict]] = []
    errors: list[KgError] = []
    for line, source in enumerate(text.splitlines(), 1):
        if not source.strip():
            continue
        where = f"{manifest}:{line}"
        try:
            value = json.loads(source)
        except json.JSONDecodeError as exc:
            errors.append(BadManifest(where, f"not JSON: {exc.msg} (one JSON object per line)"))
            continue
        if not isinstance(value, dict):
            errors.append(BadManifest(where, "not a JSON object (one object per line, e.g. {\"path\": \"acme.txt\", "
                                             "\"controller\": \"Acme Inc.\"})"))
            continue
        unknown = [k for k in value if k not in FIELDS]
        if unknown:
            errors.append(BadManifest(where, f"unknown field(s) {', '.join(map(repr, unknown))} "
                                             f"(fields: {', '.join(FIELDS)})"))
            continue
        if any(v is not None and not isinstance(v, str) for v in value.values()):
            errors.append(BadManifest(where, "every value must be a string (or null)"))
            continue
        rows.append((line, value))
    return rows, errors


def _row(where: str, line: int, values: dict) -> Row:
    clean = {k: " ".join((values.get(k) or "").split()) or None for k in FIELDS}
    for key, value in clean.items():
        if value and len(value) > _MAX_VALUE:
            raise BadManifest(where, f"{key} is over {_MAX_VALUE} characters")
        if value and not value.isprintable():
            raise BadManifest(where, f"{key} holds control characters")
    if not clean["path"]:
        raise BadManifest(where, "no path (the input file this row is about)")
    url = clean["url"]
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c in url for c in ' <>"{}|\\^`'):
            raise BadManifest(where, f"url {url!r} is not an absolute http(s) URL")
    retrieved = clean["retrieved"]
    if retrieved is not None:
        try:
            retrieved = date.fromisoformat(retrieved).isoformat()
        except ValueError:
            raise BadManifest(where, f"retrieved {retrieved!r} is not an ISO date (YYYY-MM-DD)") from None
    metadata = PolicyMetadata(controller=clean["controller"], url=url, jurisdiction=clean["jurisdiction"],
                              retrieved=retrieved, origin=where)
    return Row(line, clean["path"], metadata)


def match(manifest: str | Path, rows: Iterable[Row],
          paths: Iterable[Path]) -> tuple[dict[Path, PolicyMetadata], list[KgError], list[KgError]]:
    """The metadata of each input file, one error per row that matches several input files (or a file another row
    describes), and one warning per row that matches none.

    A row's path matches an input file given the same way (``policies/acme.txt``), the same file by another
    relative path (from the working folder or the manifest's folder), or, when it is a bare file name, the one input
    file of that name."""
    paths = list(paths)
    folder = Path(manifest).parent
    by_file: dict[str, Path] = {}
    by_name: dict[str, list[Path]] = {}
    for p in paths:
        by_file.setdefault(_real(p), p)
        by_name.setdefault(p.name, []).append(p)
    found: dict[Path, PolicyMetadata] = {}
    errors: list[KgError] = []
    unmatched: list[KgError] = []
    for row in rows:
        where = f"{manifest}:{row.line}"
        given = Path(row.path)
        hits = {by_file[key] for key in {_real(given), _real(folder / given)} if key in by_file}
        if not hits and given.name == row.path:
            hits = set(by_name.get(row.path, ()))
        if not hits:
            unmatched.append(BadManifest(where, f"path {row.path!r} matches no input file; row not used"))
        elif len(hits) > 1:
            errors.append(BadManifest(where, f"path {row.path!r} matches {len(hits)} input files "
                                             f"({', '.join(sorted(str(p) for p in hits))}): give its folder too"))
        else:
            (hit,) = hits
            if hit in found:
                errors.append(BadManifest(where, f"{hit} is already described on {found[hit].origin}"))
            else:
                found[hit] = row.metadata
    return found, errors, unmatched


def _real(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path))


def load(manifest: str | Path | None,
         paths: Iterable[Path]) -> tuple[dict[Path, PolicyMetadata], list[KgError], list[KgError]]:
    """``read_manifest`` then ``match``: each input file's metadata, the errors and the warnings (rows that match no
    input file); nothing without a manifest."""
    if manifest is None:
        return {}, [], []
    rows, errors = read_manifest(manifest)
    found, bad, unmatched = match(manifest, rows, paths)
    return found, sorted(errors + bad, key=_line_of), unmatched


__all__ = ["FIELDS", "BadManifest", "Row", "load", "match", "read_manifest"]

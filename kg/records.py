"""A corpus as records (``build --records FILE``): JSON Lines, one policy a line, gzip-compressed or not, read as a
stream (a million policies need neither a million files nor the corpus in memory).

Each line is a JSON object with the policy as ``text`` (plain text or Markdown) or ``html`` (a saved page), and
optionally ``id`` (the policy's source name in the graph, ``ppkg:sourceFile``: what a later build of the same
``id`` replaces or keeps as another version), ``url``, ``controller``, ``jurisdiction`` and ``retrieved``
(YYYY-MM-DD), which mean what they mean in a build manifest (``kg.manifest``). Without ``id`` the source name is
the ``url``, else ``FILE:LINE``. Other fields are ignored (corpora carry their own). Each record goes through the
same stages as a file; its content hash is the sha256 of its ``text`` or ``html`` in UTF-8.

A line that is not such an object is a ``BadRecord`` naming ``FILE:LINE``, yielded in its place; the stream goes
on. A gzip stream that breaks off ends the records with one such error.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kg.errors import KgError, UnreadableInput
from kg.ingest import MAX_BYTES
from kg.manifest import _row
from kg.model import PlannedFile

FIELDS = ("id", "text", "html", "url", "controller", "jurisdiction", "retrieved")
MAX_LINE = 8 * MAX_BYTES  # bytes of one JSON line: a policy of MAX_BYTES with every character escaped
_GZIP_MAGIC = b"\x1f\x8b"


class BadRecord(KgError):
    """One line of a records file that is not a policy record."""


def _open(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it starts as gzip does."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise UnreadableInput(str(path), f"cannot open the records file: {exc.strerror or exc}") from None
    if raw.peek(2)[:2] != _GZIP_MAGIC:
        return raw
    raw.close()
    return gzip.GzipFile(path, "rb")  # type: ignore[return-value]  # a binary file, as IO[bytes] says


class Records:
    """The records of one JSON Lines file (``.gz`` or not: told by its first bytes), read lazily, as the build's
    inputs: each good line a ``PlannedFile`` carrying its content, each bad one a ``BadRecord``. Iterating again
    reads the file again."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise UnreadableInput(str(path), "no such records file" if not self.path.exists()
                                  else "not a file (--records takes a JSON Lines file, .gz or not)")
        with _open(self.path) as f:
            try:
                f.read(1)
            except (OSError, EOFError, zlib.error) as exc:
                raise UnreadableInput(str(path), f"not a readable gzip file ({exc})") from None

    def __iter__(self) -> Iterator[PlannedFile | KgError]:
        for line, data in self._lines():
            if isinstance(data, KgError):
                yield data
                continue
            try:
                yield self._record(line, data)
            except KgError as exc:
                yield exc

    def digests(self) -> Iterator[str]:
        """The content hash of every good record (a second pass over the file: for a Turtle output only)."""
        for item in self:
            if isinstance(item, PlannedFile) and item.digest is not None:
                yield item.digest

    def _lines(self) -> Iterator[tuple[int, bytes | KgError]]:
        line = 0
        with _open(self.path) as f:
            while True:
                try:
                    data = f.readline(MAX_LINE + 1)
                except (OSError, EOFError, zlib.error) as exc:
                    yield line + 1, BadRecord(f"{self.path}:{line + 1}", f"the file breaks off here ({exc}); "
                                                                         "no more records read")
                    return
                if not data:
                    return
                line += 1
                if len(data) > MAX_LINE and not data.endswith(b"\n"):
                    while data and not data.endswith(b"\n"):  # skip the rest of the line
                        data = f.readline(MAX_LINE)
                    yield line, BadRecord(f"{self.path}:{line}", f"line over {MAX_LINE // 1_000_000} MB, too big for "
                                                                 "a privacy policy; skipped")
                    continue
                if data.strip():
                    yield line, data

    def _record(self, line: int, data: bytes) -> PlannedFile:
        where = f"{self.path}:{line}"
        try:
            value = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise BadRecord(where, f"not JSON: {reason} (one JSON object per line)") from None
        if not isinstance(value, dict):
            raise BadRecord(where, 'not a JSON object (one object per line, e.g. {"id": "acme", "text": "..."})')
        given = [k for k in ("text", "html") if value.get(k) is not None]
        if len(given) != 1:
            raise BadRecord(where, "needs the policy as \"text\" or as \"html\" (one of the two)")
        (kind,) = given
        content = value[kind]
        if not isinstance(content, str):
            raise BadRecord(where, f"{kind} must be a string")
        raw = content.encode("utf-8", errors="surrogatepass")
        if len(raw) > MAX_BYTES:
            raise BadRecord(where, f"{kind} is over {MAX_BYTES // 1_000_000} MB, too big for a privacy policy")
        for key in ("id", "url", "controller", "jurisdiction", "retrieved"):
            if value.get(key) is not None and not isinstance(value[key], str):
                raise BadRecord(where, f"{key} must be a string (or null)")
        ident = " ".join((value.get("id") or "").split()) or None
        if ident is not None and (len(ident) > 500 or not ident.isprintable()):
            raise BadRecord(where, "id must be at most 500 printable characters")
        try:
            row = _row(where, line, {**{k: value.get(k) for k in ("controller", "url", "jurisdiction", "retrieved")},
                                     "path": ident or where})
        except KgError as exc:
            raise BadRecord(where, exc.message) from None
        source = ident or row.metadata.url or f"{self.path.name}:{line}"
        metadata = row.metadata if any((row.metadata.controller, row.metadata.url, row.metadata.jurisdiction,
                                        row.metadata.retrieved)) else None
        return PlannedFile(Path(where), hashlib.sha256(raw).hexdigest(), metadata, raw,
                           "text/html" if kind == "html" else "text/plain", source)


__all__ = ["FIELDS", "MAX_LINE", "BadRecord", "Records"]

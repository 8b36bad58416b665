"""Ingest stage: find policy files and read each into a ``Document`` (bytes → text, HTML → text layer)."""
from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from kg.errors import EmptyDocument, KgError, UnreadableInput
from kg.ingest.clean import blocks
from kg.ingest.decode import check_english, decode_bytes
from kg.ingest.html import extract_page
from kg.model import Document
from kg.normalize.emails import is_cloudflare_placeholder

__all__ = ["MAX_BYTES", "POLICY_SUFFIXES", "blocks", "discover", "document_of", "read_bounded", "read_document"]

MAX_BYTES = 5_000_000  # a policy is rarely over 200 kB; anything this big is not one
POLICY_SUFFIXES = {
    ".txt": "text/plain", ".text": "text/plain",
    ".md": "text/markdown", ".markdown": "text/markdown",
    ".html": "text/html", ".htm": "text/html",
}
# The start of an HTML page after leading blanks and comments (skipped by ``_looks_like_html`` one at a time: a
# regex with a repeated comment group backtracked exponentially over many unclosed-looking comments).
_HTML_TAG_RE = re.compile(r"<(?:!doctype\s+html|html)\b", re.IGNORECASE)
_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def discover(inputs: Iterable[str | Path]) -> tuple[list[Path], list[KgError]]:
    """Expand files and folders into the policy files to read, plus one error per input that yields none.

    Folders are searched recursively, in sorted order, for the extensions of ``POLICY_SUFFIXES`` (any case);
    hidden files and folders are skipped. A file named explicitly is taken whatever its extension. A file
    reached twice is listed once.
    """
    found: list[Path] = []
    errors: list[KgError] = []
    seen: set[Path] = set()
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            files = _policy_files(path)
            if not files:
                errors.append(UnreadableInput(str(given), "folder holds no policy files ("
                                              + " ".join(POLICY_SUFFIXES) + ")"))
        elif path.exists() or path.is_symlink():  # a dangling or looping link is reported when read
            files = [path]
        else:
            errors.append(UnreadableInput(str(given), "no such file or folder"))
            continue
        for file in files:
            try:
                key = file.resolve()
            except (OSError, RuntimeError):  # a symbolic link loop: read_bounded reports it
                key = file.absolute()
            if key not in seen:
                seen.add(key)
                found.append(file)
    return found, errors


def _policy_files(folder: Path) -> list[Path]:
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files += [Path(root, n) for n in sorted(names)
                  if not n.startswith(".") and Path(n).suffix.lower() in POLICY_SUFFIXES]
    return files


def read_document(path: str | Path) -> Document:
    """Read one policy file into a ``Document``.

    The media type comes from the extension; content starting with ``<!doctype html`` or ``<html`` is read as
    HTML whatever the extension. For HTML, ``Document.text`` is the page's text layer (see
    :mod:`kg.ingest.html`); otherwise it is the decoded file, verbatim.
    Raises ``UnreadableInput`` (missing, a folder, over ``MAX_BYTES``, binary, undecodable), ``EmptyDocument``
    (no text) or ``NotEnglish``.
    """
    name = str(path)
    path = Path(path)
    raw = read_bounded(path, MAX_BYTES, name)
    return document_of(raw, name, path.name, POLICY_SUFFIXES.get(path.suffix.lower(), "text/plain"))


def document_of(raw: bytes, name: str, file_name: str, media_type: str = "text/plain") -> Document:
    """A ``Document`` of the bytes ``raw`` (a file's, or a record's text or HTML: ``kg.records``), as
    ``read_document`` reads a file: ``name`` for messages and ``Document.path``, ``file_name`` its source name,
    ``media_type`` from the extension or the record's field (text that starts as HTML is read as HTML anyway)."""
    text, encoding, warnings = decode_bytes(raw, name)
    title = site_name = None
    if media_type != "text/html" and _looks_like_html(text):
        media_type = "text/html"
    if media_type == "text/html":
        page = extract_page(text)
        text, title, site_name = page.text, page.title, page.site_name
        warnings += page.warnings
        if not text.strip():
            raise EmptyDocument(name, "the HTML has no visible text")
    elif not text.strip():
        raise EmptyDocument(name, "file is empty" if not text else "file holds only whitespace")
    check_english(text, name)
    if is_cloudflare_placeholder(text):
        warnings.append("an e-mail address is hidden behind Cloudflare's '[email protected]'; "
                        "the saved HTML page still holds it")
    return Document(
        path=name,
        name=file_name,
        media_type=media_type,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        encoding=encoding,
        warnings=tuple(warnings),
        title=title,
        site_name=site_name,
    )


def read_bounded(path: str | Path, limit: int = MAX_BYTES, name: str | None = None) -> bytes:
    """The bytes of the regular file ``path``, checked before it is read: never more than ``limit`` + 1 bytes are
    read, and nothing that is not a regular file is read at all.

    The file is opened without blocking (a named pipe with no writer would block ``open`` forever), then its
    type and size come from ``fstat`` on the open descriptor (no race with a rename). Raises ``UnreadableInput``
    for a missing file, a folder, a named pipe, device or socket, a symbolic link loop, no permission, or a file
    over ``limit`` bytes (from its size, or from what was read when it grew).
    """
    name = str(path) if name is None else name
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        reason = {errno.ENOENT: "no such file", errno.ELOOP: "a symbolic link loop, not a file",
                  errno.EACCES: "permission denied", errno.ENXIO: "a socket or device that is not there"}
        raise UnreadableInput(name, reason.get(e.errno or 0) or f"cannot open: {e.strerror or e}") from None
    info = os.fstat(fd)
    kind = None if stat.S_ISREG(info.st_mode) else "is a folder, not a file" if stat.S_ISDIR(info.st_mode) else \
        next((text for test, text in _KINDS if test(info.st_mode)), "not a regular file") \
        + ", not a policy file; not read"
    too_big = UnreadableInput(name, f"file is over {limit // 1_000_000} MB, too big for a privacy policy",
                              hint="pass the policy text alone")
    if kind is not None or info.st_size > limit:
        os.close(fd)
        raise UnreadableInput(name, kind) if kind else too_big
    with os.fdopen(fd, "rb", buffering=0) as f:
        chunks, size = [], 0
        try:
            while size <= limit:
                chunk = f.read(min(1 << 20, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError as e:
            raise UnreadableInput(name, f"cannot read: {e.strerror or e}") from None
    if size > limit:
        raise too_big
    return b"".join(chunks)


def _looks_like_html(text: str) -> bool:
    """Whether ``text`` starts, after blanks and ``<!-- -->`` comments, with ``<!doctype html`` or ``<html``.

    Linear: each comment is skipped with one ``str.find``."""
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos].isspace():
            pos += 1
        if not text.startswith("<!--", pos):
            return _HTML_TAG_RE.match(text, pos) is not None
        end = text.find("-->", pos + 4)
        if end < 0:
            return False
        pos = end + 3

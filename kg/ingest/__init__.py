"""Ingest stage: find policy files and read each into a ``Document`` (bytes → text, HTML → text layer)."""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from kg.errors import EmptyDocument, KgError, UnreadableInput
from kg.ingest.clean import blocks
from kg.ingest.decode import check_english, decode_bytes
from kg.ingest.html import extract_page
from kg.model import Document
from kg.normalize.emails import is_cloudflare_placeholder

__all__ = ["MAX_BYTES", "POLICY_SUFFIXES", "blocks", "discover", "read_document"]

MAX_BYTES = 5_000_000  # a policy is rarely over 200 kB; anything this big is not one
POLICY_SUFFIXES = {
    ".txt": "text/plain", ".text": "text/plain",
    ".md": "text/markdown", ".markdown": "text/markdown",
    ".html": "text/html", ".htm": "text/html",
}
_HTML_START_RE = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL)


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
        elif path.exists():
            files = [path]
        else:
            errors.append(UnreadableInput(str(given), "no such file or folder"))
            continue
        for file in files:
            key = file.resolve()
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
    if path.is_dir():
        raise UnreadableInput(name, "is a folder, not a file")
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UnreadableInput(name, "no such file") from None
    except OSError as e:
        raise UnreadableInput(name, f"cannot read: {e.strerror or e}") from e
    if len(raw) > MAX_BYTES:
        raise UnreadableInput(name, f"file is over {MAX_BYTES // 1_000_000} MB, too big for a privacy policy",
                              hint="pass the policy text alone")
    text, encoding, warnings = decode_bytes(raw, name)
    title = site_name = None
    media_type = POLICY_SUFFIXES.get(path.suffix.lower(), "text/plain")
    if media_type != "text/html" and _HTML_START_RE.match(text):
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
        name=path.name,
        media_type=media_type,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        encoding=encoding,
        warnings=tuple(warnings),
        title=title,
        site_name=site_name,
    )

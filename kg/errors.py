"""Errors the library raises; the CLI turns each into one line ``error: <path>: <message>`` and an exit code.

Library code never prints or exits: it raises one of these. Each carries the path (or name) of the input it
concerns, a one-line message and, where useful, a hint that says how to fix it.
"""
from __future__ import annotations

import re
from os import PathLike

# control characters (C0 but tab and line feed, DEL, C1): shown as \x1b etc., never sent raw to a terminal
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with its control characters (but tab and line feed) written as ``\\x1b``-style escapes: safe to
    print on a terminal whatever a policy, a file name or a server put in it."""
    return CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class KgError(Exception):
    """Base class: something about an input or a request prevents the operation.

    An error that stops a whole batch (a build whose output cannot be written, whose store is gone) carries what
    the batch reported before it in ``earlier`` (the per-file errors) and ``note`` (what was kept).
    """

    def __init__(self, path: str | PathLike[str] | None, message: str, hint: str | None = None):
        self.path = visible(str(path)) if path is not None else None
        self.message = visible(" ".join(str(message).split()))  # always one line, nothing a terminal acts on
        self.hint = visible(hint) if hint is not None else None
        self.earlier: list[KgError] = []
        self.note: str | None = None
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def __reduce__(self):  # survives pickling as itself (from a build's worker process), whatever its __init__
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type[KgError], args: tuple, state: dict) -> KgError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class BadArguments(KgError):
    """A call names no source or several, or options that do not go together (the CLI shows its usage)."""


class UnreadableInput(KgError):
    """The file is missing, unreadable, binary or in an encoding we cannot decode."""


class TimedOut(KgError):
    """One file's work ran over its time budget (``--timeout-per-file``); the batch goes on without it."""


class EmptyDocument(KgError):
    """The file decodes but holds no policy text."""


class NotEnglish(KgError):
    """The text does not look like English; the extractor would produce noise."""


class BadGraph(KgError):
    """An RDF file cannot be parsed or is not a privacy-kg graph."""


class OutputError(KgError):
    """An output file cannot be written (no such folder, read-only, disk full); nothing was written."""


class BadQuery(KgError):
    """A SPARQL query or one of its parameters is malformed."""


class BadShapes(KgError):
    """A SHACL shapes file cannot be loaded."""


class UnknownName(KgError):
    """A query, profile or format name that does not exist."""


class ModelUnavailable(KgError):
    """No usable spaCy English pipeline is installed."""


class StoreUnavailable(KgError):
    """The store cannot be reached at all (a SPARQL server that does not answer, a wrong URL): a batch stops at
    the first one instead of reporting it once per file."""


class ClusterError(KgError):
    """A Dask cluster cannot be used (``build --dask``): Dask is not installed, the address is wrong, the
    scheduler cannot be reached or went away (``kg.cluster``)."""


class ClusterGone(ClusterError):
    """The Dask scheduler went away during a build."""

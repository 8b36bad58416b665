"""The command-line conventions every ``privacy-kg`` command shares, written once: ``-o -`` is standard output,
a format is inferred from the output file's extension, tables fit a terminal, ``-v``/``-q``/``--log-level`` set
what is said on standard error (the ``logging`` module, logger ``kg``), progress lines when standard error is not a
terminal, and shell completion of query names. ``kg.cli`` uses these; nothing here calls the library API.
"""
from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from click.shell_completion import CompletionItem

from kg.errors import BadArguments, UnknownName
from kg.graphio import write_atomic

STDOUT = "-"  # as an output file: standard output
LOG = logging.getLogger("kg")
LOG_LEVELS = ("debug", "info", "warning", "error")


# -- output files ------------------------------------------------------------------------------------------------
def output_option(*decls: str, help: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An output file option: a path, or ``-`` for standard output (the value stays the string ``-``; ``./-`` is a
    file named ``-``)."""
    return click.option(*decls, type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE",
                        help=f"{help} '-': standard output.", **kwargs)


def to_stdout(value: str | None) -> bool:
    return value == STDOUT


def one_stdout(**outputs: str | None) -> None:
    """At most one of the output options is ``-``."""
    dashes = [f"--{name.replace('_', '-')}" for name, value in outputs.items() if to_stdout(value)]
    if len(dashes) > 1:
        raise BadArguments(None, f"{' and '.join(dashes)} cannot both be standard output ('-')")


@contextmanager
def output_path(value: str, suffix: str = "") -> Iterator[Path]:
    """The path a library call writes ``value`` to. A file is written there as the library writes it (atomically);
    for ``-`` the library writes a temporary file (named ``*suffix``, so the format it infers is the same), copied
    to standard output once the call succeeded: standard output gets the whole output or nothing, and memory
    stays flat however large it is."""
    if not to_stdout(value):
        yield Path(value)
        return
    with tempfile.TemporaryDirectory(prefix="privacy-kg-") as folder:
        path = Path(folder) / f"stdout{suffix}"
        yield path
        if path.exists():
            sys.stdout.flush()
            out = sys.stdout.buffer
            with path.open("rb") as fh:
                shutil.copyfileobj(fh, out)
            out.flush()


def write_text(value: str, text: str) -> None:
    """``text`` to the output file ``value`` (atomically) or, for ``-``, to standard output."""
    if to_stdout(value):
        click.echo(text, nl=False)
    else:
        write_atomic(Path(value), text)


def shown(value: str | Path) -> str:
    """An output's name in messages."""
    return "standard output" if to_stdout(str(value)) else str(value)


def infer_format(output: str | None, fmt: str | None, by_extension: Mapping[str, str], default: str) -> str:
    """``fmt`` when given; else the format of ``output``'s extension (``by_extension``: ``.ttl`` -> ``turtle``);
    ``default`` for standard output or no output file. An extension no format has is an error naming the file."""
    if fmt is not None:
        return fmt
    if output is None or to_stdout(output):
        return default
    suffix = Path(output).suffix.lower()
    if suffix in by_extension:
        return by_extension[suffix]
    formats = sorted(set(by_extension.values()))
    known = ", ".join(f"{ext} ({f})" for ext, f in sorted(by_extension.items()))
    raise UnknownName(output, f"cannot tell the format from the extension {suffix or '(none)'!r}",
                      hint=f"give --format ({'|'.join(formats)}) or name the file with one of {known}"
                      if len(formats) > 1 else f"name the file with one of {known}")


def terminal_width() -> int | None:
    """Standard output's width when it is a terminal (``COLUMNS`` if set, as ``shutil`` reads it); None when it
    is a file or a pipe: then nothing is cut."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


# -- logging -----------------------------------------------------------------------------------------------------
class _EchoHandler(logging.Handler):
    """Log records on standard error through ``click.echo`` (the stream of the moment, also under a test runner):
    information as it is, warnings and errors prefixed with their level as the rest of privacy-kg writes them."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
            if record.levelno != logging.INFO:
                message = f"{record.levelname.lower()}: {message}"
            click.echo(message, err=True)
        except Exception:  # pragma: no cover - as logging.Handler.handleError does
            self.handleError(record)


def log_level(verbose: int, quiet: int, name: str | None) -> int:
    """``--log-level`` when given; else info, one step down per ``-v`` (debug) and up per ``-q`` (warning, then
    error)."""
    if name:
        return int(getattr(logging, name.upper()))
    steps = [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR]
    return steps[max(0, min(len(steps) - 1, 1 - verbose + quiet))]


def setup_logging(level: int) -> None:
    """Send the ``kg`` loggers' records at ``level`` and above to standard error (once per invocation; other
    libraries' loggers are left as they are)."""
    for handler in [h for h in LOG.handlers if isinstance(h, _EchoHandler)]:
        LOG.removeHandler(handler)
    LOG.addHandler(_EchoHandler())
    LOG.setLevel(level)
    LOG.propagate = False


def says(level: int = logging.INFO) -> bool:
    return LOG.isEnabledFor(level)


# -- progress ----------------------------------------------------------------------------------------------------
class ProgressLines:
    """Progress of a batch as log lines (for standard error that is not a terminal, where a bar would be noise):
    after the first item, then whenever ``seconds`` have passed or another ``share`` of the batch is done, and
    after the last: ``extracting: 40/200 files (20%), 1.9 files/s, about 84 s left: acme.txt`` (the rate counted
    from the first file on: the time to load spaCy before it is not a file's). Without a ``total`` (records read as
    a stream), every ``seconds``: ``extracting: 40 policies, 1.9/s: NAME``."""

    def __init__(self, total: int | None, label: str = "extracting", seconds: float = 5.0, share: float = 0.1,
                 clock: Callable[[], float] = time.monotonic):
        self.total, self.label, self.seconds, self.clock = total, label, seconds, clock
        self.step = max(1, int(total * share)) if total is not None else 0
        self.done = 0
        self.start = self.last_time = clock()
        self.first = self.start  # when the first file was done
        self.last_done = 0

    def __call__(self, path: Path | None = None) -> None:
        self.done += 1
        now = self.clock()
        if self.done == 1:
            self.first = now
        if self.done in (1, self.total) or now - self.last_time >= self.seconds \
                or (self.step and self.done - self.last_done >= self.step):
            self.last_time, self.last_done = now, self.done
            LOG.info(self.line(now, path))

    def line(self, now: float, path: Path | None) -> str:
        elapsed = now - self.start
        rate = (self.done - 1) / (now - self.first) if now > self.first else 0.0
        if self.total is None:
            text = f"{self.label}: {self.done} polic{'y' if self.done == 1 else 'ies'}"
            text += f", {rate:.1f}/s" if rate else ""
            return text + (f": {path.name}" if path else "")
        text = f"{self.label}: {self.done}/{self.total} files ({100 * self.done // max(self.total, 1)}%)"
        if rate and self.done < self.total:
            text += f", {rate:.1f} files/s, about {(self.total - self.done) / rate:.0f} s left"
        elif self.done == self.total:
            text += f" in {elapsed:.1f} s"
        return text + (f": {path.name}" if path else "")


# -- completion and suggestions -----------------------------------------------------------------------------------
def completion_of(names: Callable[[], list[str]]) -> Callable[[click.Context, click.Parameter, str], list[Any]]:
    """A ``shell_complete`` function: the ``names()`` starting with what was typed, and file names (a name with a
    ``/`` or a ``.``, or none of the names: a path)."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        found = [CompletionItem(n) for n in names() if n.startswith(incomplete)]
        if not found or "/" in incomplete or "." in incomplete:
            found.append(CompletionItem(incomplete, type="file"))
        return found

    return complete


__all__ = ["LOG", "LOG_LEVELS", "STDOUT", "ProgressLines", "completion_of", "infer_format", "log_level",
           "one_stdout", "output_option", "output_path", "says", "setup_logging", "shown", "terminal_width",
           "to_stdout", "write_text"]

"""The ``privacy-kg`` command: parse the arguments, call ``kg.api``, format the result. Nothing else.

Exit codes: 0 success (validate: conforms); 1 validate found violations; 2 an error (bad input, unreadable
file, bad query). Errors are one line on stderr: ``error: <file>: <problem>``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from kg import api
from kg.errors import KgError

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


def fail(exc: KgError) -> None:
    click.echo(f"error: {exc.one_line()}", err=True)
    if exc.hint:
        click.echo(f"hint: {exc.hint}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="privacy-kg")
def main() -> None:
    """Turn privacy policies into a validated, queryable RDF knowledge graph.

    \b
    privacy-kg build examples/policies -o kg.ttl     extract and build the graph
    privacy-kg validate kg.ttl                        completeness checks (SHACL)
    privacy-kg query --list                           the packaged questions
    privacy-kg query retention-periods kg.ttl         answer one of them
    privacy-kg export kg.ttl --format trig -o kg.trig
    """


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Turtle file to write (replaced atomically).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
def build(inputs: tuple[Path, ...], output: Path, quiet: bool) -> None:
    """Build the graph of the policy files and folders INPUTS (.txt, .md, .html).

    A file that cannot be read is reported and skipped; the others are built. Exit code 2 if any failed.
    """
    try:
        if not quiet and sys.stderr.isatty():
            with click.progressbar(length=_count(inputs), label="extracting", file=sys.stderr, show_pos=True,
                                   item_show_func=lambda p: p.name if p else "") as bar:
                summary = api.build(inputs, output, progress=lambda path: bar.update(1, path))
        else:
            summary = api.build(inputs, output)
    except KgError as exc:
        fail(exc)
        sys.exit(EXIT_ERROR)
    for exc in summary.failed:
        fail(exc)
    if not quiet:
        _print_summary(summary, output)
    sys.exit(EXIT_ERROR if summary.failed else EXIT_OK)


def _count(inputs: tuple[Path, ...]) -> int:
    from kg.ingest import discover

    return len(discover(inputs)[0])


def _print_summary(summary: api.BuildSummary, output: Path) -> None:
    echo = lambda s="": click.echo(s, err=True)  # noqa: E731 - the summary goes to stderr, stdout stays clean
    if not summary.policies:
        echo("no policy built; nothing written")
        return
    echo(f"wrote {output}: {len(summary.policies)} policies, {summary.triples} triples "
         f"(spaCy model {summary.model})")
    facts = summary.facts
    if facts:
        echo("facts: " + ", ".join(f"{k} {v}" for k, v in sorted(facts.items())))
    for record in summary.policies:
        name = record.controller.legal_name if record.controller else "(no controller found)"
        echo(f"  {record.document.name}: {name}, {len(record.practices)} statements"
             + (f", dated {record.date}" if record.date else ""))
    for path, message in summary.warnings:
        echo(f"warning: {path}: {message}")
    if summary.failed:
        echo(f"{len(summary.failed)} file(s) failed; see the errors above")


if __name__ == "__main__":  # pragma: no cover
    main()

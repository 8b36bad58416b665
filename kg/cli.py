"""The ``privacy-kg`` command: parse the arguments, call ``kg.api``, format the result. Nothing else.

Exit codes: 0 success (validate: conforms); 1 validate found violations (diff: found differences); 2 an error (bad
input, unreadable file, bad query). Errors are one line on stderr: ``error: <file>: <problem>``, written for every
command in one place (``_Command.invoke``).
"""
from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import click

from kg import api
from kg.cli_support import (LOG, LOG_LEVELS, ProgressLines, completion_of, infer_format, log_level, one_stdout,
                            output_option, output_path, says, setup_logging, shown, terminal_width, to_stdout,
                            write_text)

EXIT_OK, EXIT_FAILS, EXIT_ERROR = 0, 1, 2
POLICY_LINES = 100  # per-policy lines in a build summary; a bigger build lists this many, then a count


class _Command(click.Command):
    """A command whose library errors (``KgError``) are written as ``error: <file>: <problem>`` and ``hint: ...``
    on stderr, exit code 2; options that do not go together (``BadArguments``) show its usage, exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except api.BadArguments as exc:
            raise click.UsageError(exc.message, ctx) from None
        except api.KgError as exc:
            for earlier in exc.earlier:  # a build stopped: what it reported before, then why it stopped
                _fail(earlier)
            _fail(exc)
            if exc.note:
                click.echo(exc.note, err=True)
            ctx.exit(EXIT_ERROR)


class _Commands(click.Group):
    command_class = _Command


def _fail(exc: api.KgError) -> None:
    click.echo(f"error: {exc.one_line()}", err=True)
    if exc.hint:
        click.echo(f"hint: {exc.hint}", err=True)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="privacy-kg")
@click.option("-v", "--verbose", count=True, help="Say more on standard error (-v: debug lines).")
@click.option("-q", "--quiet", count=True,
              help="Say less on standard error (-q: warnings and errors only, no progress; -qq: errors only).")
@click.option("--log-level", "level_name", type=click.Choice(LOG_LEVELS),
              help="What to say on standard error (default: info; overrides -v/-q). Errors are always said.")
def main(verbose: int, quiet: int, level_name: str | None) -> None:
    """Turn privacy policies into a validated, queryable RDF knowledge graph.

    \b
    privacy-kg build examples/policies -o kg.ttl     extract and build the graph
    privacy-kg validate kg.ttl                        completeness checks (SHACL)
    privacy-kg query --list                           the packaged questions
    privacy-kg query retention-periods kg.ttl         answer one of them
    privacy-kg export kg.ttl --format trig -o kg.trig
    privacy-kg network kg.ttl --top 5                 who shares with whom
    privacy-kg report kg.ttl -o report.html --validate all
    privacy-kg build examples/policies --store kg.db  a persistent store (any command: --store kg.db)
    privacy-kg remove calsoft.txt --store kg.db
    privacy-kg build examples/policies --endpoint http://127.0.0.1:7878
                                                    a SPARQL 1.1 server as the store
                                                    (any command: --endpoint URL)
    privacy-kg versions --store kg.db                 each controller's policies by date
    privacy-kg diff old/acme.txt new/acme.txt         practices added, removed, changed
    privacy-kg diff --store kg.db --controller Acme   the two latest stored versions
    privacy-kg serve kg.ttl --texts examples/policies  a local web app at http://127.0.0.1:8080/
    privacy-kg concepts data-category                 the vocabulary: labels, IRIs, DPV matches

    \b
    Every output file option takes '-' for standard output (-o -), and a
    format option left out is read from the output file's extension.
    Shell completion: see the README (_PRIVACY_KG_COMPLETE).
    """
    setup_logging(log_level(verbose, quiet, level_name))
    if sys.stdout.isatty() and not isinstance(sys.stdout, _VisibleStream):
        sys.stdout = _VisibleStream(sys.stdout)


class _VisibleStream:
    """A terminal's output stream that writes control characters from the data (a policy's ESC or BEL, say) as
    visible escapes (``kg.errors.visible``) instead of letting the terminal act on them. Installed on stdout only
    when it is a terminal: piped or redirected output is left as click writes it."""

    def __init__(self, stream: Any):
        self._stream = stream

    def write(self, text: Any) -> Any:
        return self._stream.write(api.visible(text) if isinstance(text, str) else text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@output_option("-o", "--output", help="Turtle file to write (replaced atomically; a name ending in .nt: N-Triples).")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Add the policies to this Oxigraph store folder instead (created if missing): unchanged files "
                   "are skipped without extraction, changed ones replace their graph (or are kept as a new "
                   "version when both are dated and the dates differ).")
@click.option("--endpoint", metavar="URL",
              help="Add the policies to this SPARQL 1.1 server instead, as --store does (URL: see above).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True, metavar="N",
              help="Extract in N worker processes (0: one per CPU core); each loads spaCy once (about 300 MB). "
                   "The graph is the same with any N.")
@click.option("-m", "--manifest", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="What you know about the input files, recorded in the graph (see below): a CSV file with a header "
                   "row, or JSON Lines.")
@click.option("--timeout-per-file", "timeout", type=click.FloatRange(min=0), default=api.TIMEOUT_PER_FILE,
              show_default=True, metavar="SECONDS",
              help="A file that takes longer (reading to its graph) is reported and skipped; the batch goes on. "
                   "0: no limit.")
@click.option("--records", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also build the policies of this JSON Lines file (gzip-compressed or not; see below), read as a "
                   "stream.")
@click.option("--dask", metavar="ADDRESS",
              help="Extract on a Dask cluster: a scheduler's address (tcp://HOST:8786), or local:N for N worker "
                   "processes on this machine (pip install 'privacy-kg[dask]'). With --endpoint the workers write "
                   "to the server themselves.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary (as privacy-kg -q build).")
def build(inputs: tuple[Path, ...], output: str | None, store_dir: Path | None, endpoint: str | None, jobs: int,
          manifest: Path | None, timeout: float, records: Path | None, dask: str | None, quiet: bool) -> None:
    """Build the graph of the policy files and folders INPUTS (.txt, .md, .html) and of the --records FILE into
    a Turtle file (-o), a store folder (--store) or a SPARQL server (--endpoint).

    A file that cannot be read is reported and skipped; the others are built. Exit code 2 if any failed.
    Memory does not grow with the number of files (each policy is written as soon as it is built).

    \b
    --endpoint URL: an Oxigraph server's base URL, http://HOST:PORT (it serves
    /query, /update and /store), or for other servers the URLs of their SPARQL
    1.1 Query, Update and Graph Store services, e.g. for Fuseki:
      --endpoint "query=http://h:3030/ds/sparql update=http://h:3030/ds/update
                  store=http://h:3030/ds/data"
    Each policy is one named graph, written in one update request (all or
    nothing); queries name their dataset with default-graph-uri parameters.

    \b
    --manifest FILE: one row per input file, columns (CSV header) or keys (JSON
    Lines) path (required: the file's path or name), controller, url,
    jurisdiction, retrieved (YYYY-MM-DD), e.g.
      path,controller,url,jurisdiction,retrieved
      acme.txt,Acme Inc.,https://acme.example/privacy,EU,2024-05-31
    The controller given replaces the one extraction finds (the graph says which
    it is: ppkg:publisherNameSource). A bad row is an error naming the manifest
    line (exit code 2) and the files are built all the same; a row for a file
    not in this build is a warning. A stored file whose row changed is
    extracted again; without --manifest, stored values are kept.

    \b
    --records FILE: one policy a line, as a JSON object with the policy as
    "text" or "html", and optionally "id" (its source name in the graph, as a
    file name is; default: its url, else FILE:LINE), "url", "controller",
    "jurisdiction", "retrieved" (as in a manifest), e.g.
      {"id": "acme", "url": "https://acme.example/privacy", "text": "..."}
    A bad record is reported by its line number and skipped.
    """
    if quiet:
        LOG.setLevel(max(LOG.getEffectiveLevel(), logging.WARNING))
    suffix = "." + ("nt" if infer_format(output, None, BUILD_FORMATS, "ttl") == "nt" else "ttl")
    with (output_path(output, suffix) if output else nullcontext() as path,
          api.open_target(path, store=store_dir, endpoint=endpoint) as target):
        plan = api.plan(inputs, manifest, records)
        with _progress(plan.total) as progress:
            summary = api.build(plan, target, jobs=jobs, timeout=timeout, progress=progress, dask=dask,
                                notice=LOG.info)
    for exc in summary.failed:
        _fail(exc)
    if output:
        summary.target = shown(output)
    _print_summary(summary)
    sys.exit(EXIT_ERROR if summary.failed else EXIT_OK)


BUILD_FORMATS = {".ttl": "ttl", ".nt": "nt"}  # build -o: the formats written one policy at a time


@contextmanager
def _progress(total: int | None) -> Iterator[Callable[[Path], None] | None]:
    """The function to call after each file: a progress bar on a terminal's stderr, else a progress line now and
    then (``ProgressLines``); nothing at -q. Without a ``total`` (records, read as a stream), a count and a rate."""
    if not says(logging.INFO):
        yield None
        return
    if not sys.stderr.isatty():
        yield ProgressLines(total)
        return
    if total is None:
        with _count_line() as count:
            yield count
        return
    bar: Any
    with click.progressbar(length=total, label="extracting", file=sys.stderr, show_pos=True,
                           item_show_func=lambda p: api.visible(p.name) if p else "") as bar:
        yield lambda path: bar.update(1, path)


@contextmanager
def _count_line() -> Iterator[Callable[[Path], None]]:
    """``extracting: N policies (R/s) NAME`` on one terminal line, rewritten at most 4 times a second."""
    start = last = time.monotonic()
    done = 0

    def count(path: Path) -> None:
        nonlocal done, last
        done += 1
        now = time.monotonic()
        if now - last >= 0.25:
            last = now
            line = f"extracting: {done} policies ({done / (now - start):.1f}/s) {api.visible(path.name)}"
            click.echo("\r" + line[:100].ljust(100), nl=False, err=True)

    try:
        yield count
    finally:
        click.echo("\r" + " " * 100 + "\r", nl=False, err=True)


def _print_summary(summary: api.BuildSummary) -> None:
    """The build's closing summary on stderr (stdout stays clean): what was written, then each policy."""
    if summary.into_store:
        LOG.info(f"store {summary.target}: {summary.added} added, {summary.replaced} replaced, {summary.unchanged} "
                   f"unchanged (not extracted again)"
                   + (f", {summary.versioned} kept as new version(s)" if summary.versioned else "")
                   + f"; {summary.stored} policies stored"
                   + (f" (spaCy model {summary.model})" if summary.extracted else ""))
    elif not summary.policies:
        LOG.warning("no policy built; nothing written")
        return
    else:
        LOG.info(f"wrote {summary.target}: {len(summary.policies)} policies, {summary.triples} triples "
                   f"(spaCy model {summary.model})")
        if summary.facts:
            LOG.info("facts: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.facts.items())))
    _print_policies(summary)


def _print_policies(summary: api.BuildSummary) -> None:
    """The per-policy lines, warnings and failure count of a build summary (on stderr).

    One line per policy up to ``POLICY_LINES``: past that, a list nobody reads would bury the warnings; every
    policy stays in the graph (``privacy-kg query controllers`` lists them all)."""
    for info in summary.policies[:POLICY_LINES]:
        LOG.info(api.visible(f"  {info.name}: {info.controller or '(no controller found)'}, {info.statements} "
                               "statements" + (f", dated {info.date}" if info.date else "")))
    if len(summary.policies) > POLICY_LINES:
        LOG.info(f"  ... and {len(summary.policies) - POLICY_LINES} more (privacy-kg query controllers lists "
                   "every policy)")
    for path, message in summary.warnings:
        LOG.warning(api.visible(f"{path}: {message}"))
    if summary.failed:
        rows = summary.bad_manifest_rows
        files = len(summary.failed) - rows
        counts = [f"{files} file(s) failed"] * bool(files) + [f"{rows} bad manifest row(s)"] * bool(rows)
        LOG.info("; ".join(counts) + "; see the errors above")


STORE_OPTION = click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
                            help="Read the graph from this Oxigraph store folder instead of a GRAPH file.")
LATEST_OPTION = click.option(
    "--latest", is_flag=True,
    help="With --store or --endpoint: read only each controller's newest policy (by policy date, as `privacy-kg "
         "versions` lists them), leaving its older versions out.")
CORRECTIONS_OPTION = click.option(
    "--with-corrections", "corrections", is_flag=True,
    help="Leave out the facts reviewers marked wrong (privacy-kg serve's review; kept in the store's corrections "
         "graph, or beside GRAPH in GRAPH-NAME.corrections.ttl). The graph is read into memory to apply them.")
ENDPOINT_OPTION = click.option(
    "--endpoint", metavar="URL",
    help="A SPARQL 1.1 server as the store (in place of GRAPH or --store): an Oxigraph base URL "
         "http://HOST:PORT, or 'query=URL update=URL store=URL' (see `privacy-kg build --help`).")


DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "privacy-kg"


def SOURCE_OPTIONS(command: Callable[..., Any]) -> Callable[..., Any]:  # noqa: N802 - a decorator like the options
    """GRAPH, --store, --endpoint and --latest: the graph a reading command reads (``api.open_source``)."""
    for option in (LATEST_OPTION, ENDPOINT_OPTION, STORE_OPTION,
                   click.argument("graph", required=False, type=click.Path(path_type=Path))):
        command = option(command)
    return command


@main.command()
@SOURCE_OPTIONS
@click.option("--profile", type=click.Choice(api.PROFILES), default="all", show_default=True,
              help="Which shapes to check: graph well-formedness, GDPR Art. 13, CCPA, or all. With all, GDPR "
                   "applies only to policies in EU/EEA/UK scope and CCPA to those in California scope (the "
                   "manifest's jurisdiction, else the policy's words and its controller's country); gdpr or "
                   "ccpa applies it to every policy.")
@click.option("--format", "fmt", type=click.Choice(api.VALIDATION_FORMATS), default="text",
              show_default=True, help="Report format on stdout: text or markdown (matrices, then one finding "
                                      "per requirement and policy), turtle (the sh:ValidationReport), csv (the "
                                      "matrices, a row per cell) or json (all of it).")
@output_option("--report", help="Also write the sh:ValidationReport as Turtle to this file (with '-' the report "
                                "in --format goes to standard error).")
@click.option("--fail-on", type=click.Choice(list(api.FAIL_ON)), default="violation", show_default=True,
              help="Exit 1 on violations only, or on warnings too.")
@CORRECTIONS_OPTION
def validate(graph: Path | None, store_dir: Path | None, endpoint: str | None, latest: bool, profile: str, fmt: str,
             report: str | None, fail_on: str, corrections: bool) -> None:
    """Check GRAPH against the SHACL shapes in shapes/.

    Exit 0 when it conforms, 1 when violations were found (or warnings, with --fail-on warning), 2 on error.
    """
    with api.open_source(graph, store=store_dir, endpoint=endpoint, latest=latest, corrections=corrections) as source:
        validation = api.validate(source, profile)
    if report:
        with output_path(report, ".ttl") as path:
            validation.write_report(path)
    click.echo(validation.render(fmt), nl=False, err=to_stdout(report))
    sys.exit(EXIT_FAILS if validation.fails(fail_on) else EXIT_OK)


@main.command()
@click.argument("query", required=False, shell_complete=completion_of(lambda: [q.name for q in api.list_queries()]))
@SOURCE_OPTIONS
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (repeatable): a concept by label (category=location, kind=advertiser) or "
                   "prefixed name (dc:EmailAddress, or DPV's pd:EmailAddress), an IRI <...>, a number, a duration "
                   "P1Y, or text. A label that names no concept is an error (exit 2) with the nearest labels.")
@click.option("--format", "fmt", type=click.Choice(api.QUERY_FORMATS),
              help="Result format (default: from -o's extension .csv, .tsv/.tab, .json/.srj, .txt; else table). A "
                   "table fits the terminal, long cells cut with '…'; written to a file or a pipe, nothing is cut.")
@output_option("-o", "--output", help="Write the result to this file (atomically) instead of standard output.")
@click.option("--list", "list_", is_flag=True, help="List the packaged queries with their questions.")
@click.option("--explain", "explain_", is_flag=True,
              help="Print each row with the evidence sentences behind it (source file, offsets, rule); in json an "
                   "\"evidence\" list per row, in csv/tsv one line per sentence.")
@click.option("--limit", type=click.IntRange(min=0), help="Show at most this many rows (a page of the answer).")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many rows first.")
@CORRECTIONS_OPTION
def query(query: str | None, graph: Path | None, store_dir: Path | None, endpoint: str | None, latest: bool,
          params: tuple[str, ...], fmt: str | None, output: str | None, list_: bool, explain_: bool,
          limit: int | None, offset: int, corrections: bool) -> None:
    """Run a packaged query by NAME (see --list) or a SPARQL file FILE.rq over GRAPH."""
    if list_:
        for spec in api.list_queries():
            click.echo(f"{spec.name}\n  {spec.title}\n  {spec.question}")
            for p in spec.params:
                click.echo(f"  --param {p.name}=VALUE   default {p.default}"
                           + (f"; {p.description}" if p.description else ""))
        return
    if not query or sum(x is not None for x in (graph, store_dir, endpoint)) != 1:
        raise click.UsageError("give a query name (or .rq file) and a GRAPH file, --store DIR or --endpoint URL "
                               "(exactly one), or --list")
    _check_order(query, graph)
    fmt = infer_format(output, fmt, QUERY_FORMATS_BY_EXTENSION, "table")
    with api.open_source(graph, store=store_dir, endpoint=endpoint, latest=latest, corrections=corrections) as source:
        result = api.query(source, query, params, explain=explain_, limit=limit, offset=offset)
    text = result.format(fmt, width=None if output else terminal_width())
    if output:
        write_text(output, text)
        if not to_stdout(output):
            LOG.info(f"wrote {output} ({fmt}, {len(result.rows)} rows)")
    else:
        click.echo(text, nl=False)


QUERY_FORMATS_BY_EXTENSION = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".srj": "json",
                              ".txt": "table"}


def _check_order(query: str, graph: Path | None) -> None:
    """A graph file given as the query (``query kg.ttl retention-periods``): say the order instead of "no such
    file"."""
    if Path(query).suffix.lower() in api.GRAPH_EXTENSIONS and Path(query).is_file():
        names = {q.name for q in api.list_queries()}
        order = (f"privacy-kg query {graph} {query}" if graph is not None and (str(graph) in names or
                                                                              str(graph).endswith(".rq"))
                 else "privacy-kg query NAME GRAPH")
        raise api.BadArguments(None, f"{query} is a graph file, not a query; the query comes first: {order}")


@main.command()
@SOURCE_OPTIONS
@click.option("--format", "fmt", type=click.Choice(api.EXPORT_FORMATS),
              help="trig: one named graph per policy; graphml: for networkx, Gephi, yEd. Default: from -o's "
                   "extension (.ttl, .nt, .jsonld, .json, .trig, .graphml); turtle for '-'.")
@output_option("-o", "--output", required=True, help="The file to write (replaced atomically).")
@click.option("--vocabulary", type=click.Choice(api.VOCABULARIES), default="ours", show_default=True,
              help="ours: privacy-kg's concepts with their DPV matches (skos:exactMatch/closeMatch); dpv: DPV 2.3 "
                   "terms wherever an exact match exists, ours linked to DPV elsewhere.")
@click.option("--context", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON-LD only: compact with the @context in this file instead of privacy-kg's published one.")
@CORRECTIONS_OPTION
def export(graph: Path | None, store_dir: Path | None, endpoint: str | None, latest: bool, fmt: str | None,
           output: str, vocabulary: str, context: Path | None, corrections: bool) -> None:
    """Write GRAPH (or the store's graph) in another format (atomically), with the DPV matches of the concepts it
    uses, or in DPV's own terms (--vocabulary dpv). JSON-LD is compacted: it reads as plain JSON. From a store,
    Turtle, N-Triples and TriG are written one policy at a time (memory stays flat); TriG holds the store's own named
    graphs, one per policy."""
    fmt = infer_format(output, fmt, api.EXPORT_EXTENSIONS, "turtle")
    with (api.open_source(graph, store=store_dir, endpoint=endpoint, latest=latest, corrections=corrections) as source,
          output_path(output) as path):
        api.export(source, fmt, path, vocabulary=vocabulary, context=context)
    if not to_stdout(output):
        LOG.info(f"wrote {output} ({fmt})")


@main.command()
@SOURCE_OPTIONS
@click.option("--top", default=5, show_default=True, help="How many items per headline finding.")
@output_option("--graphml", help="Write companies, recipients and categories (weights, centrality) as GraphML.")
@output_option("--json", "json_", help="Write the JSON summary (edges, shared recipients, similarity, centrality).")
def network(graph: Path | None, store_dir: Path | None, endpoint: str | None, latest: bool, top: int,
            graphml: str | None, json_: str | None) -> None:
    """Who shares with whom: company-recipient and company-category graphs, shared recipients, similarity.

    With --graphml - or --json -, standard output holds that file alone and the findings go to standard error."""
    one_stdout(graphml=graphml, json=json_)
    with api.open_source(graph, store=store_dir, endpoint=endpoint, latest=latest) as source:
        net = api.network(source)
    for output, write in ((graphml, net.to_graphml), (json_, net.to_json)):
        if output:
            with output_path(output) as path:
                write(path)
    for line in net.headlines(top=top):
        click.echo(f"- {line}", err=to_stdout(graphml) or to_stdout(json_))
    for output in (graphml, json_):
        if output and not to_stdout(output):
            LOG.info(f"wrote {output}")


@main.command()
@SOURCE_OPTIONS
@output_option("-o", "--output", required=True, help="The HTML file to write (self-contained; replaced atomically).")
@click.option("--validate", "profile", type=click.Choice(api.PROFILES),
              help="Also validate with this profile and add the completeness section.")
def report(graph: Path | None, store_dir: Path | None, endpoint: str | None, latest: bool, output: str,
           profile: str | None) -> None:
    """Write a self-contained HTML report of GRAPH: each company's jurisdiction (and why) and practice card, data x
    companies matrix, retention chart, network picture, completeness (with --validate; requirements of a profile
    not due for a policy's jurisdiction are n/a) and the evidence sentences behind every cell."""
    with (api.open_source(graph, store=store_dir, endpoint=endpoint, latest=latest) as source,
          output_path(output, ".html") as path):
        api.report(source, path, profile)
    if not to_stdout(output):
        LOG.info(f"wrote {output}")


@main.command()
@click.argument("source_or_iri")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The Oxigraph store folder.")
@ENDPOINT_OPTION
def remove(source_or_iri: str, store_dir: Path | None, endpoint: str | None) -> None:
    """Drop a policy from a store (--store DIR or --endpoint URL), by its source file name (calsoft.txt) or its
    policy IRI; in one update request."""
    with api.open_store(store_dir, endpoint, write=True) as source:
        removed = api.remove(source, source_or_iri)
    LOG.info(f"removed {removed.ref} from {removed.location}; {removed.left} policies stored")


@main.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@STORE_OPTION
@ENDPOINT_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The app has no log-in: to share it, keep 127.0.0.1 and put a reverse proxy "
                   "with authentication in front (README).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--texts", "texts", multiple=True, type=click.Path(exists=True, path_type=Path), metavar="DIR",
              help="Policy files (folders searched) to show the full text of a policy around a fact; a file is "
                   "used when its content hash is the policy's (repeatable).")
@click.option("--sparql-timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              metavar="SECONDS", help="/sparql stops a query that runs longer.")
@click.option("--sparql-row-limit", default=10_000, show_default=True, type=click.IntRange(min=1),
              metavar="ROWS", help="/sparql returns at most this many rows (the header X-Privacy-KG-Truncated says "
                                   "when it cut an answer).")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CACHE, show_default=True,
              help="Keep what the app computes at start here, by the state of the source, so a restart over the "
                   "same policies is ready at once.")
@click.option("--no-cache", is_flag=True, help="Keep nothing: compute it at every start.")
def serve(graph: Path | None, store_dir: Path | None, endpoint: str | None, host: str, port: int,
          texts: tuple[Path, ...], sparql_timeout: float, sparql_row_limit: int, cache: Path,
          no_cache: bool) -> None:
    """A local web app over GRAPH (or --store DIR, --endpoint URL): companies and their practices with the
    sentences behind them, concepts, the packaged questions as forms, completeness, comparison, review, and a
    read-only SPARQL endpoint at /sparql. Open http://127.0.0.1:8080/ (Ctrl-C stops it).
    """
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {host}: anyone who can reach it can read the graph and record reviews; "
                   "see README 'serve' for a reverse proxy with log-in", err=True)
    with api.open_source(graph, store=store_dir, endpoint=endpoint) as source:
        click.echo(f"serving {source.location} at http://{host}:{port}/ (Ctrl-C to stop)", err=True)
        api.serve(source, host=host, port=port, texts=texts, sparql_timeout=sparql_timeout,
                  sparql_row_limit=sparql_row_limit, cache=None if no_cache else cache)


def _format_option(choices: tuple[str, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--format", "fmt", type=click.Choice(choices), default="text", show_default=True,
                        help="Output format on stdout.")


@main.command()
@click.argument("controller", required=False)
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The Oxigraph store folder.")
@ENDPOINT_OPTION
@_format_option(api.VERSION_FORMATS)
def versions(controller: str | None, store_dir: Path | None, endpoint: str | None, fmt: str) -> None:
    """List the stored policies of every controller (or of CONTROLLER: its name, part of it, or its IRI) ordered
    by policy date, oldest first: date, source file, statement count, policy IRI.

    A file whose name is stored with another policy date is kept as a new version (build --store); two policies
    of one controller with the same date are both kept and flagged "(same date)".
    """
    with api.open_store(store_dir, endpoint) as source:
        found = api.versions(source, controller)
    click.echo(found.render(fmt), nl=False)


@main.command()
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Compare stored policies: OLD and NEW name them by source file, SOURCE@DATE or policy IRI.")
@ENDPOINT_OPTION
@click.option("--controller", help="With --store and no OLD/NEW: compare the two latest versions of this "
                                   "controller (its name, part of it, or its IRI).")
@_format_option(api.DIFF_FORMATS)
def diff(old: str | None, new: str | None, store_dir: Path | None, endpoint: str | None, controller: str | None,
         fmt: str) -> None:
    """List the practices added, removed and changed from policy OLD to policy NEW, and the controller facts that
    differ (date, contacts, privacy contact, children's age, Do Not Track).

    OLD and NEW are policy files (built on the fly) or, with --store, stored policies. A practice is a statement's
    kind with its data categories, recipients, purposes (and rights etc.); it "changed" when its polarity,
    retention, conditions or transfer details differ. Evidence wording, offsets and IRIs are ignored. The header
    says what built each side (privacy-kg release and rule set) and warns when they differ or are unknown.

    Exit code like diff(1): 0 no differences, 1 differences, 2 error.
    """
    stored = store_dir is not None or endpoint is not None
    with api.open_store(store_dir, endpoint) if stored else nullcontext() as source:
        result = api.diff(old, new, source=source, controller=controller)
    click.echo(result.render(fmt), nl=False)
    sys.exit(EXIT_FAILS if result.differs else EXIT_OK)


@main.command()
@click.argument("scheme", required=False,
                shell_complete=completion_of(lambda: [s.name for s in api.concepts().schemes]))
@click.option("--search", metavar="WORD",
              help="Only the concepts whose label or alternative label holds WORD (any case, singular or plural), "
                   "in every scheme or in SCHEME.")
@click.option("--format", "fmt", type=click.Choice(api.CONCEPT_FORMATS),
              help="Output format (default: from -o's extension .csv, .tsv/.tab, .json, .txt; else table). table: "
                   "a concept's label indented under its broader concept, fitting the terminal; csv/tsv: a depth "
                   "column instead, list cells joined with '; '.")
@output_option("-o", "--output", help="Write the listing to this file (atomically) instead of standard output.")
def concepts(scheme: str | None, search: str | None, fmt: str | None, output: str | None) -> None:
    """List the ontology's concept schemes (name, label, number of concepts); with SCHEME (its name such as
    data-category, its prefix such as dc, or its label) its concepts as a tree: label, prefixed IRI, alternative
    labels, DPV matches (exact, close, broad) and narrower concepts. These labels and names are what
    query --param accepts (category=email address, category=dc:EmailAddress)."""
    fmt = infer_format(output, fmt, api.CONCEPT_EXTENSIONS, "table")
    found = api.concepts(scheme, search)
    write_text(output or "-", found.render(fmt, width=None if output else terminal_width()))
    if output and not to_stdout(output):
        LOG.info(f"wrote {output} ({fmt}, {len(found.concepts) or len(found.schemes)} rows)")


if __name__ == "__main__":  # pragma: no cover
    main()

"""The ``privacy-kg`` command: parse the arguments, call ``kg.api``, format the result. Nothing else.

Exit codes: 0 success (validate: conforms); 1 validate found violations (diff: found differences); 2 an error (bad
input, unreadable file, bad query). Errors are one line on stderr: ``error: <file>: <problem>``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from kg import api
from kg.errors import KgError, visible

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
    """
    if sys.stdout.isatty() and not isinstance(sys.stdout, _VisibleStream):
        sys.stdout = _VisibleStream(sys.stdout)


class _VisibleStream:
    """A terminal's output stream that writes control characters from the data (a policy's ESC or BEL, say) as
    visible escapes (``kg.errors.visible``) instead of letting the terminal act on them. Installed on stdout only
    when it is a terminal: piped or redirected output is left as click writes it."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        return self._stream.write(visible(text) if isinstance(text, str) else text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Turtle file to write (replaced atomically).")
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
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
def build(inputs: tuple[Path, ...], output: Path | None, store_dir: Path | None, endpoint: str | None, jobs: int,
          manifest: Path | None, timeout: float, quiet: bool) -> None:
    """Build the graph of the policy files and folders INPUTS (.txt, .md, .html) into a Turtle file (-o), a
    store folder (--store) or a SPARQL server (--endpoint).

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
    """
    if sum(x is not None for x in (output, store_dir, endpoint)) != 1:
        raise click.UsageError("give exactly one of -o FILE, --store DIR and --endpoint URL")
    try:
        store = _open_store(store_dir, endpoint, create=True) if output is None else None
        run = (lambda progress=None: api.build_into_store(inputs, store, progress=progress, jobs=jobs,
                                                          manifest=manifest, timeout=timeout)) \
            if store is not None else (lambda progress=None: api.build(inputs, output, progress=progress, jobs=jobs,
                                                                       manifest=manifest, timeout=timeout))
        if not quiet and sys.stderr.isatty():
            with click.progressbar(length=_count(inputs), label="extracting", file=sys.stderr, show_pos=True,
                                   item_show_func=lambda p: visible(p.name) if p else "") as bar:
                summary = run(lambda path: bar.update(1, path))
        else:
            summary = run()
        if store is not None:
            stored = len(store)
            store.close()
    except KgError as exc:
        partial = getattr(exc, "summary", None)  # the build stopped: what it did before, then why it stopped
        for earlier in partial.failed if partial else ():
            fail(earlier)
        fail(exc)
        if partial and partial.policies and store is not None:
            click.echo(f"stopped; {len(partial.policies)} policies of this run were stored whole before it", err=True)
        sys.exit(EXIT_ERROR)
    for exc in summary.failed:
        fail(exc)
    if not quiet:
        if store is not None:
            _print_store_summary(summary, store.location, stored)
        else:
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
    _print_policies(summary)


POLICY_LINES = 100  # per-policy lines in a build summary; a bigger build lists this many, then a count


def _print_policies(summary: api.BuildSummary) -> None:
    """The per-policy lines, warnings and failure count shared by both build summaries (on stderr).

    One line per policy up to ``POLICY_LINES``: past that, a list nobody reads would bury the warnings; every
    policy stays in the graph (``privacy-kg query controllers`` lists them all)."""
    for info in summary.policies[:POLICY_LINES]:
        click.echo(visible(f"  {info.name}: {info.controller or '(no controller found)'}, {info.statements} "
                           "statements" + (f", dated {info.date}" if info.date else "")), err=True)
    if len(summary.policies) > POLICY_LINES:
        click.echo(f"  ... and {len(summary.policies) - POLICY_LINES} more (privacy-kg query controllers lists "
                   "every policy)", err=True)
    for path, message in summary.warnings:
        click.echo(visible(f"warning: {path}: {message}"), err=True)
    if summary.failed:
        from kg.manifest import BadManifest

        rows = sum(isinstance(exc, BadManifest) for exc in summary.failed)
        files = len(summary.failed) - rows
        counts = [f"{files} file(s) failed"] * bool(files) + [f"{rows} bad manifest row(s)"] * bool(rows)
        click.echo("; ".join(counts) + "; see the errors above", err=True)


def _print_store_summary(summary: api.BuildSummary, location: str, stored: int) -> None:
    click.echo(f"store {location}: {summary.added} added, {summary.replaced} replaced, {summary.unchanged} "
               f"unchanged (not extracted again)"
               + (f", {summary.versioned} kept as new version(s)" if summary.versioned else "")
               + f"; {stored} policies stored"
               + (f" (spaCy model {summary.model})" if summary.extracted else ""), err=True)
    _print_policies(summary)


def _open_store(store_dir: Path | None, endpoint: str | None = None, create: bool = False, write: bool = False):
    """The store folder or the SPARQL server ``endpoint``. A folder is opened read-only (no lock, never created)
    unless ``write`` (it must hold a store) or ``create`` (made if missing)."""
    if endpoint is not None:
        from kg.endpoint import EndpointStore

        return EndpointStore(endpoint)
    from kg.store import Store

    return Store(store_dir, create=create, read_only=not (create or write))


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


def _check_source(graph: Path | None, store_dir: Path | None, endpoint: str | None, latest: bool = False) -> None:
    if sum(x is not None for x in (graph, store_dir, endpoint)) != 1:
        raise click.UsageError("give a GRAPH file, --store DIR or --endpoint URL (exactly one)")
    if latest and graph is not None:
        raise click.UsageError("--latest reads a store: give --store DIR or --endpoint URL instead of GRAPH")


def _policy_names(store, latest: bool) -> list[str]:
    """The store's policy graphs to read: all, or each controller's newest (``--latest``)."""
    if latest:
        from kg.versions import latest_policies

        return latest_policies(store)
    return store.policy_graph_names()


def _load(path: Path | None, store_dir: Path | None = None, endpoint: str | None = None, latest: bool = False,
          corrections: bool = False):
    """The graph of a file, or the union of a store's policy graphs (each controller's newest with ``latest``);
    ``corrections``: without the facts reviewed as wrong (``kg.corrections``)."""
    from kg import corrections as c

    if store_dir is not None or endpoint is not None:
        with _open_store(store_dir, endpoint) as store:
            graph = store.to_rdflib(_policy_names(store, latest))
            return c.apply_corrections(graph, c.store_reviews(store)) if corrections else graph
    from kg.graphio import load_graph

    graph = load_graph(path)
    return c.apply_corrections(graph, c.load_reviews_file(c.corrections_file(path))) if corrections else graph


@main.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@STORE_OPTION
@ENDPOINT_OPTION
@LATEST_OPTION
@click.option("--profile", type=click.Choice(["core", "gdpr", "ccpa", "all"]), default="all", show_default=True,
              help="Which shapes to check: graph well-formedness, GDPR Art. 13, CCPA, or all.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "turtle"]), default="text",
              show_default=True, help="Report format on stdout.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the sh:ValidationReport as Turtle to this file.")
@click.option("--fail-on", type=click.Choice(["violation", "warning"]), default="violation", show_default=True,
              help="Exit 1 on violations only, or on warnings too.")
@CORRECTIONS_OPTION
def validate(graph: Path | None, store_dir: Path | None, endpoint: str | None, latest: bool, profile: str, fmt: str,
             report: Path | None, fail_on: str, corrections: bool) -> None:
    """Check GRAPH against the SHACL shapes in shapes/.

    Exit 0 when it conforms, 1 when violations were found (or warnings, with --fail-on warning), 2 on error.
    """
    from kg import validate as v
    from kg.graphio import load_graph, write_atomic

    _check_source(graph, store_dir, endpoint, latest)
    try:
        if graph is not None:
            data = _load(graph, corrections=corrections)
            result = v.validate(data, profile=profile, per_policy=True)  # linear in the number of policies
            text = v.render_report(data, result, profile, fmt)  # the companies x requirements matrix first
        else:  # one stored policy graph at a time: flat memory whatever the store's size
            with _open_store(store_dir, endpoint) as store:
                graphs = map(store.graph, _policy_names(store, latest))
                if corrections:
                    from kg.corrections import apply_corrections, store_reviews

                    reviews = store_reviews(store)
                    graphs = (apply_corrections(g, reviews) for g in graphs)
                result, tables, labels = v.validate_each(graphs, profile)
            text = v.render(result, tables, labels, fmt)
        if report:
            write_atomic(report, v.to_turtle(result))
    except KgError as exc:
        fail(exc)
        sys.exit(EXIT_ERROR)
    click.echo(text, nl=False)
    sys.exit(EXIT_VIOLATIONS if v.fails(result, fail_on) else EXIT_OK)


@main.command()
@click.argument("query", required=False)
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@STORE_OPTION
@ENDPOINT_OPTION
@LATEST_OPTION
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (repeatable): a concept by label (category=location, kind=advertiser) or "
                   "prefixed name (dc:EmailAddress), an IRI <...>, a number, a duration P1Y, or text. A label that "
                   "names no concept is an error (exit 2) with the nearest labels.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True)
@click.option("--list", "list_", is_flag=True, help="List the packaged queries with their questions.")
@click.option("--explain", "explain_", is_flag=True,
              help="Print each row with the evidence sentences behind it (source file, offsets, rule).")
@CORRECTIONS_OPTION
def query(query: str | None, graph: Path | None, store_dir: Path | None, endpoint: str | None, latest: bool,
          params: tuple[str, ...], fmt: str, list_: bool, explain_: bool, corrections: bool) -> None:
    """Run a packaged query by NAME (see --list) or a SPARQL file FILE.rq over GRAPH."""
    from kg import query as q

    try:
        if list_:
            for spec in q.list_queries():
                click.echo(f"{spec.name}\n  {spec.title}\n  {spec.question}")
                for p in spec.params:
                    click.echo(f"  --param {p.name}=VALUE   default {p.default}" + (f"; {p.description}" if p.description else ""))
            return
        if not query or sum(x is not None for x in (graph, store_dir, endpoint)) != 1:
            raise click.UsageError("give a query name (or .rq file) and a GRAPH file, --store DIR or --endpoint URL "
                                   "(exactly one), or --list")
        _check_source(graph, store_dir, endpoint, latest)
        bound = {}
        for item in params:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise KgError(item, "a parameter is written NAME=VALUE")
            bound[name.strip()] = value
        spec = q.resolve_query(query)
        if graph is None and not explain_ and not corrections:  # run inside the store (Oxigraph or the server)
            from kg.store import run_query as run_in_store

            with _open_store(store_dir, endpoint) as store:
                graphs = _policy_names(store, True) if latest else None
                output = q.FORMATTERS[fmt](run_in_store(store, spec, bound, graphs=graphs))
        else:
            data = _load(graph, store_dir, endpoint, latest, corrections)
            output = q.explain_text(data, spec, bound) if explain_ else q.FORMATTERS[fmt](q.run_query(data, spec, bound))
    except KgError as exc:
        fail(exc)
        sys.exit(EXIT_ERROR)
    click.echo(output)


@main.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@STORE_OPTION
@ENDPOINT_OPTION
@LATEST_OPTION
@click.option("--format", "fmt", required=True, type=click.Choice(["turtle", "nt", "jsonld", "trig", "graphml"]),
              help="trig: one named graph per policy; graphml: for networkx, Gephi, yEd.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@CORRECTIONS_OPTION
def export(graph: Path | None, store_dir: Path | None, endpoint: str | None, latest: bool, fmt: str,
           output: Path, corrections: bool) -> None:
    """Write GRAPH (or the store's graph) in another format (atomically). From a store, Turtle, N-Triples and
    TriG are written one policy at a time (memory stays flat); TriG holds the store's own named graphs, one per
    policy."""
    from kg.export import export as do_export
    from kg.export import export_store

    _check_source(graph, store_dir, endpoint, latest)
    try:
        if graph is None and not corrections:
            with _open_store(store_dir, endpoint) as store:
                export_store(store, fmt, output, _policy_names(store, latest))
        else:
            do_export(_load(graph, store_dir, endpoint, latest, corrections), fmt, output)
    except KgError as exc:
        fail(exc)
        sys.exit(EXIT_ERROR)
    click.echo(f"wrote {output} ({fmt})", err=True)


@main.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@STORE_OPTION
@ENDPOINT_OPTION
@LATEST_OPTION
@click.option("--top", default=5, show_default=True, help="How many items per headline finding.")
@click.option("--graphml", type=click.Path(dir_okay=False, path_type=Path),
              help="Write companies, recipients and categories (weights, centrality) as GraphML.")
@click.option("--json", "json_", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the JSON summary (edges, shared recipients, similarity, centrality).")
def network(graph: Path | None, store_dir: Path | None, endpoint: str | None, latest: bool, top: int,
            graphml: Path | None,
            json_: Path | None) -> None:
    """Who shares with whom: company-recipient and company-category graphs, shared recipients, similarity."""
    import json

    from kg.graphio import write_atomic
    from kg.network import network as build_network

    _check_source(graph, store_dir, endpoint, latest)
    try:
        if graph is None:  # a store: its policy graphs one at a time, never the whole store in memory
            with _open_store(store_dir, endpoint) as store:
                net = build_network(store.graph(iri) for iri in _policy_names(store, latest))
        else:
            net = build_network(_load(graph))
        if graphml:
            net.to_graphml(graphml)
        if json_:
            write_atomic(json_, json.dumps(net.summary(), ensure_ascii=False, indent=2) + "\n")
    except KgError as exc:
        fail(exc)
        sys.exit(EXIT_ERROR)
    for line in net.headlines(top=top):
        click.echo(f"- {line}")
    for path in (graphml, json_):
        if path:
            click.echo(f"wrote {path}", err=True)


@main.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@STORE_OPTION
@ENDPOINT_OPTION
@LATEST_OPTION
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write (self-contained; replaced atomically).")
@click.option("--validate", "profile", type=click.Choice(["core", "gdpr", "ccpa", "all"]),
              help="Also validate with this profile and add the completeness section.")
def report(graph: Path | None, store_dir: Path | None, endpoint: str | None, latest: bool, output: Path,
           profile: str | None) -> None:
    """Write a self-contained HTML report of GRAPH: practice cards, data x companies matrix, retention chart,
    network picture, completeness (with --validate) and the evidence sentences behind every cell."""
    from kg.graphio import write_atomic
    from kg.report import render_report

    _check_source(graph, store_dir, endpoint, latest)
    try:
        data = _load(graph, store_dir, endpoint, latest)
        validation = None
        if profile:
            from kg import validate as v

            validation = v.validate(data, profile=profile, per_policy=True)
        write_atomic(output, render_report(data, validation, profile=profile or "all"))
    except KgError as exc:
        fail(exc)
        sys.exit(EXIT_ERROR)
    click.echo(f"wrote {output}", err=True)


@main.command()
@click.argument("source_or_iri")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The Oxigraph store folder.")
@ENDPOINT_OPTION
def remove(source_or_iri: str, store_dir: Path | None, endpoint: str | None) -> None:
    """Drop a policy from a store (--store DIR or --endpoint URL), by its source file name (calsoft.txt) or its
    policy IRI; in one update request."""
    if (store_dir is None) == (endpoint is None):
        raise click.UsageError("give --store DIR or --endpoint URL (exactly one)")
    try:
        with _open_store(store_dir, endpoint, write=True) as store:
            removed = store.remove(source_or_iri)
            left = len(store)
            location = store.location
    except KgError as exc:
        fail(exc)
        sys.exit(EXIT_ERROR)
    if not removed:
        option = "--store DIR" if store_dir is not None else "--endpoint URL"
        fail(KgError(source_or_iri, f"no such policy in {location}",
                     hint=f"the stored policies are listed by: privacy-kg query controllers {option}"))
        sys.exit(EXIT_ERROR)
    click.echo(f"removed {source_or_iri} from {location}; {left} policies stored", err=True)


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
def serve(graph: Path | None, store_dir: Path | None, endpoint: str | None, host: str, port: int,
          texts: tuple[Path, ...], sparql_timeout: float, sparql_row_limit: int) -> None:
    """A local web app over GRAPH (or --store DIR, --endpoint URL): companies and their practices with the
    sentences behind them, concepts, the packaged questions as forms, completeness, comparison, review, and a
    read-only SPARQL endpoint at /sparql. Open http://127.0.0.1:8080/ (Ctrl-C stops it).
    """
    import uvicorn

    from kg.web import create_app
    from kg.web.data import Data, Source

    _check_source(graph, store_dir, endpoint)
    try:
        data = Data(Source(graph, store_dir, endpoint), texts=texts)
    except KgError as exc:
        fail(exc)
        sys.exit(EXIT_ERROR)
    app = create_app(data, sparql_limits={"timeout": sparql_timeout, "row_limit": sparql_row_limit})
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {host}: anyone who can reach it can read the graph and record reviews; "
                   "see README 'serve' for a reverse proxy with log-in", err=True)
    click.echo(f"serving {data.source.location} at http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


# -- versions and diff ------------------------------------------------------------------------------------------
EXIT_SAME, EXIT_DIFFERENT = 0, 1
VERSION_FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
                              show_default=True, help="Output format on stdout.")


@main.command()
@click.argument("controller", required=False)
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The Oxigraph store folder.")
@ENDPOINT_OPTION
@VERSION_FORMAT
def versions(controller: str | None, store_dir: Path | None, endpoint: str | None, fmt: str) -> None:
    """List the stored policies of every controller (or of CONTROLLER: its name, part of it, or its IRI) ordered
    by policy date, oldest first: date, source file, statement count, policy IRI.

    A file whose name is stored with another policy date is kept as a new version (build --store); two policies
    of one controller with the same date are both kept and flagged "(same date)".
    """
    from kg.versions import find_controller, list_versions, render_versions

    if (store_dir is None) == (endpoint is None):
        raise click.UsageError("give --store DIR or --endpoint URL (exactly one)")
    try:
        with _open_store(store_dir, endpoint) as store:
            controllers = list_versions(store)
        if controller:
            controllers = [find_controller(controllers, controller)]
    except KgError as exc:
        fail(exc)
        sys.exit(EXIT_ERROR)
    click.echo(render_versions(controllers, fmt), nl=False)


@main.command()
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Compare stored policies: OLD and NEW name them by source file, SOURCE@DATE or policy IRI.")
@ENDPOINT_OPTION
@click.option("--controller", help="With --store and no OLD/NEW: compare the two latest versions of this "
                                   "controller (its name, part of it, or its IRI).")
@VERSION_FORMAT
def diff(old: str | None, new: str | None, store_dir: Path | None, endpoint: str | None, controller: str | None,
         fmt: str) -> None:
    """List the practices added, removed and changed from policy OLD to policy NEW, and the controller facts that
    differ (date, contacts, privacy contact, children's age, Do Not Track).

    OLD and NEW are policy files (built on the fly) or, with --store, stored policies. A practice is a statement's
    kind with its data categories, recipients, purposes (and rights etc.); it "changed" when its polarity,
    retention, conditions or transfer details differ. Evidence wording, offsets and IRIs are ignored.

    Exit code like diff(1): 0 no differences, 1 differences, 2 error.
    """
    from kg.versions import diff_policies, find_controller, find_version, graphs_of_files, list_versions, render_diff

    if store_dir is not None and endpoint is not None:
        raise click.UsageError("give --store DIR or --endpoint URL, not both")

    if controller and (old or new):
        raise click.UsageError("give OLD and NEW, or --controller NAME, not both")
    if controller and store_dir is None and endpoint is None:
        raise click.UsageError("--controller needs --store DIR or --endpoint URL")
    if not controller and not (old and new):
        raise click.UsageError("give two policies OLD NEW (files, or stored ones with --store DIR), "
                               "or --store DIR --controller NAME")
    try:
        if store_dir is None and endpoint is None:
            graphs = graphs_of_files([old, new])
        else:
            with _open_store(store_dir, endpoint) as store:
                controllers = list_versions(store)
                if controller:
                    found = find_controller(controllers, controller)
                    if len(found.versions) < 2:
                        raise KgError(controller, f"{found.name} has {len(found.versions)} stored version(s); "
                                      "a diff needs two", hint="list them with: privacy-kg versions --store DIR")
                    pair = found.versions[-2:]
                else:
                    every = [v for c in controllers for v in c.versions]
                    pair = [find_version(every, old), find_version(every, new)]
                graphs = [store.graph(v.iri) for v in pair]
        result = diff_policies(*graphs)
    except KgError as exc:
        fail(exc)
        sys.exit(EXIT_ERROR)
    click.echo(render_diff(result, fmt), nl=False)
    sys.exit(EXIT_DIFFERENT if result.differs else EXIT_SAME)


if __name__ == "__main__":  # pragma: no cover
    main()

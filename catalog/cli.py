"""The ``catalog`` command: a thin layer over the library. Nothing imports it."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from catalog.errors import CatalogError
from catalog.store import DEFAULT_URL, QueryResult, Store

DB_HELP = f"Database URL (SQLAlchemy). Default: $CATALOG_DB, else {DEFAULT_URL}."
FORMATS = click.Choice(["table", "csv", "json"])


class CatalogGroup(click.Group):
    """A click group that turns a ``CatalogError`` into one ``Error: ...`` line and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CatalogError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


def db_option(function: Any) -> Any:
    return click.option("--db", "db_url", metavar="URL", help=DB_HELP)(function)


def format_option(function: Any) -> Any:
    return click.option(
        "--format", "fmt", type=FORMATS, default="table", show_default=True, help="Output format."
    )(function)


@click.group(cls=CatalogGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hf-catalog")
def main() -> None:
    """A catalog and knowledge graph of the Hugging Face ecosystem.

    Crawl the Hub (or a recorded snapshot of it) into a SQL database, query it, and render the
    ecosystem map. Every command takes --db URL (default: $CATALOG_DB, else data/catalog.db).
    """


# --- db ----------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Create, migrate and inspect the database schema."""


@db.command("upgrade")
@db_option
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(db_url: str | None, revision: str) -> None:
    """Migrate the database to the newest schema (creating it if needed)."""
    with Store.open(db_url, check=False) as store:
        store.upgrade(revision)
        click.echo(f"{store.display_url}: schema at revision {store.revision()}")


@db.command("downgrade")
@db_option
@click.argument("revision")
def db_downgrade(db_url: str | None, revision: str) -> None:
    """Migrate the database down to REVISION ('base' drops every table)."""
    with Store.open(db_url, check=False) as store:
        store.downgrade(revision)
        click.echo(f"{store.display_url}: schema at revision {store.revision() or 'base'}")


@db.command("status")
@db_option
def db_status(db_url: str | None) -> None:
    """Show the schema revision and how many rows each table holds."""
    with Store.open(db_url, create=False) as store:
        click.echo(f"{store.display_url}: schema at revision {store.revision()}")
        rows = [(table, store.count(table)) for table in _TABLES_IN_ORDER]
        rows.append(("edges (view)", store.count("edges")))
        echo_result(QueryResult(["table", "rows"], rows), "table")


_TABLES_IN_ORDER = (
    "models", "model_tags", "model_lineage", "model_datasets", "model_providers", "model_apps",
    "tasks", "libraries", "library_tasks", "apps", "providers", "provider_tasks",
    "datasets", "dataset_tags", "spaces", "space_models", "space_datasets",
    "crawl_runs", "model_history", "rejects",
)  # fmt: skip


# --- sql ---------------------------------------------------------------------------------------


@main.command("sql")
@click.argument("query")
@db_option
@format_option
def sql(query: str, db_url: str | None, fmt: str) -> None:
    """Run a read-only SQL QUERY and print its rows.

    Statements that write are refused and change nothing. Tables and the `edges` view are
    documented in docs/schema.md.

    \b
    Example:
      catalog sql "SELECT rel, COUNT(*) FROM edges GROUP BY rel"
    """
    with Store.open(db_url, create=False) as store:
        echo_result(store.query(query), fmt)


# --- crawl -------------------------------------------------------------------------------------


@main.command("crawl")
@click.option("--endpoint", metavar="URL", help="Hub endpoint. Default: $HF_ENDPOINT, else https://huggingface.co.")
@db_option
@click.option("--full", is_flag=True, help="Re-list everything and mark repos gone from the Hub as deleted.")
@click.option("--token", metavar="TOKEN", help="Hub token (default: $HF_TOKEN or the saved login); never stored.")
@click.option("--record", metavar="DIR", type=click.Path(file_okay=False), help="Also save every raw answer as a snapshot in DIR.")
@click.option("--replay", metavar="DIR", type=click.Path(file_okay=False), help="Crawl a snapshot folder, served on 127.0.0.1.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def crawl_command(endpoint: str | None, db_url: str | None, full: bool, token: str | None, record: str | None,
                  replay: str | None, quiet: bool) -> None:  # fmt: skip
    """Crawl the Hub (or a snapshot with --replay) into the database.

    The first run is full; later runs fetch what changed since (newest first) unless --full. A run
    that stops (Ctrl-C, the Hub down, a kill) resumes from its last committed page next time.

    \b
    Examples:
      catalog crawl --replay data/snapshot            # offline, from the recorded snapshot
      catalog crawl --record data/my-snapshot         # the live Hub, recording what it reads
    """
    from catalog.crawl import crawl, replay_source
    from catalog.errors import ConfigError
    from catalog.hub.client import HubClient, silence_client_warnings
    from catalog.hub.replay import ReplayServer
    from catalog.hub.snapshot import Snapshot

    if replay and endpoint:
        raise ConfigError("give --replay DIR or --endpoint URL, not both")
    # A snapshot or endpoint that is not usable stops the command before it makes a database or draws a bar.
    snapshot = Snapshot.open(replay) if replay else None
    client = None if snapshot is not None else HubClient(endpoint, token=token)
    if quiet:
        silence_client_warnings()
    with Store.open(db_url) as store, _crawl_progress(quiet) as progress:
        if client is not None:
            summary = crawl(store, client, full=full, record=record, progress=progress)
        else:
            assert snapshot is not None
            with ReplayServer(snapshot) as server:
                summary = crawl(store, HubClient(server.url, token=False), full=full, record=record,
                                progress=progress, source=replay_source(snapshot))  # fmt: skip
    if not quiet:
        click.echo(_crawl_report(summary, store.display_url))


def _crawl_progress(quiet: bool) -> Any:
    """A context giving the crawl's progress callback: a tqdm bar on stderr, or None when quiet."""
    from contextlib import contextmanager, nullcontext

    from tqdm.auto import tqdm

    if quiet:
        return nullcontext(None)

    @contextmanager
    def bar() -> Any:
        with tqdm(unit=" records", unit_scale=True, file=sys.stderr, dynamic_ncols=True) as progress_bar:
            listing = [""]

            def update(event: Any) -> None:
                if listing[0] != event.listing:
                    listing[0] = event.listing
                    progress_bar.reset()
                    progress_bar.set_description_str(event.listing, refresh=False)
                progress_bar.set_postfix(pages=event.pages, rejects=event.rejects, refresh=False)
                progress_bar.update(event.records - progress_bar.n)
            yield update

    return bar()


def _crawl_report(summary: Any, db: str) -> str:
    """Format a crawl summary: the run, then rows per listing, then the size of every table."""
    resumed = " (resumed)" if summary.resumed else ""
    lines = [
        f"Crawl run {summary.run_id}{resumed}: {summary.mode} from {summary.endpoint} into {db}",
        f"{sum(summary.records.values()):,} records in {summary.seconds:.1f} s "
        f"({summary.rate:,.0f}/s), {summary.rejects:,} rejected (see the rejects table)",
        "",
    ]
    listed = [(kind, summary.pages.get(kind, 0), summary.records.get(kind, 0), summary.deleted.get(kind, 0))
              for kind in ("models", "datasets", "spaces")]  # fmt: skip
    lines.append(format_table(["listing", "pages", "stored", "marked deleted"], listed))
    lines.append("")
    lines.append(format_table(["table", "rows"], sorted(summary.tables.items())))
    return "\n".join(lines)


# --- serve -------------------------------------------------------------------------------------


@main.command("serve")
@click.argument("snapshot", type=click.Path(file_okay=False))
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0 picks a free one).")  # fmt: skip
@click.option("--page-size", default=1000, show_default=True, help="Most records one listing page holds.")
def serve(snapshot: str, port: int, page_size: int) -> None:
    """Serve a SNAPSHOT folder as the Hub's HTTP API on 127.0.0.1, until Ctrl-C.

    Any Hub client can read it: set HF_ENDPOINT (or HfApi(endpoint=...)) to the URL printed.

    \b
    Example:
      catalog serve data/snapshot --port 8000
      HF_ENDPOINT=http://127.0.0.1:8000 hf models ls --limit 5
    """
    import signal
    import time

    from catalog.hub.replay import ReplayServer  # the client loads only for this command

    # SIGTERM (a service manager, a test) stops the server as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    with ReplayServer(snapshot, port=port, page_size=page_size) as server:
        counts = ", ".join(f"{n:,} {kind}" for kind, n in server.snapshot.manifest["counts"].items())
        click.echo(f"Serving {snapshot} ({counts}) at {server.url}", err=True)
        click.echo(server.url)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("Stopped.", err=True)


# --- map ---------------------------------------------------------------------------------------


@main.command("map")
@db_option
@click.option("--out", "out_dir", default="data/map", show_default=True, metavar="DIR",
              type=click.Path(file_okay=False), help="Folder to write the pages into.")  # fmt: skip
@click.option("--families", default=20, show_default=True, help="Lineage pages for this many largest families.")
@click.option("--max-nodes", default=5000, show_default=True, help="Most nodes on one page; the rest are folded.")
def map_(db_url: str | None, out_dir: str, families: int, max_nodes: int) -> None:
    """Render the ecosystem map: self-contained HTML pages to open in a browser, offline.

    \b
    Example:
      catalog map --out data/map && xdg-open data/map/index.html
    """
    from catalog.render import render_map  # pyvis loads only for this command

    with Store.open(db_url, create=False) as store:
        summary = render_map(store, out_dir, families=families, max_nodes=max_nodes)
    click.echo(f"{len(summary.pages):,} pages ({summary.total_bytes / 1e6:,.1f} MB) in {summary.seconds:.1f} s")
    click.echo(f"Open {summary.index.resolve().as_uri()}")


# --- build -------------------------------------------------------------------------------------


@main.command("build")
@click.option("--snapshot", default="data/snapshot", show_default=True, metavar="DIR",
              type=click.Path(file_okay=False), help="Snapshot folder to replay.")  # fmt: skip
@db_option
@click.option("--out", "out_dir", default="data/map", show_default=True, metavar="DIR",
              type=click.Path(file_okay=False), help="Folder to write the map pages into.")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="No progress bar; print only where the map is.")
def build(snapshot: str, db_url: str | None, out_dir: str, quiet: bool) -> None:
    """Run the whole pipeline offline: replay a snapshot into the database, then draw the map.

    The snapshot is served on 127.0.0.1 and crawled with the real Hub client (as `catalog crawl
    --replay` does); running it again crawls incrementally and redraws the map.

    \b
    Example:
      catalog build                       # data/snapshot -> data/catalog.db -> data/map/
    """
    from catalog.crawl import crawl_snapshot
    from catalog.hub.snapshot import Snapshot
    from catalog.render import render_map

    # A snapshot that is not there stops the command before it makes a database or draws a bar.
    folder = Snapshot.open(snapshot)
    with Store.open(db_url) as store:
        with _crawl_progress(quiet) as progress:
            crawled = crawl_snapshot(store, folder, progress=progress)
        if not quiet:
            click.echo(_crawl_report(crawled, store.display_url))
            click.echo("")
        drawn = render_map(store, out_dir)
        url = store.display_url
    click.echo(f"Map: {len(drawn.pages):,} pages ({drawn.total_bytes / 1e6:,.1f} MB) in {drawn.seconds:.1f} s")
    click.echo(f"Open {drawn.index.resolve().as_uri()}")
    if not quiet:
        db_flag = "" if db_url is None else f" --db {url}"
        click.echo(
            "\nQuery it:\n"
            f'  catalog sql{db_flag} "SELECT rel, COUNT(*) FROM edges GROUP BY rel"\n'
            f"  catalog search{db_flag} --task text-generation --limit 10\n"
            f"  catalog lineage{db_flag} BAAI/bge-m3\n"
            f'  python -c "from catalog import Catalog; print(Catalog.open({url!r}).search(limit=5))"\n'
            "Tables and the edges view: docs/schema.md"
        )


# --- questions ---------------------------------------------------------------------------------


def _echo_frame(frame: Any, fmt: str) -> None:
    # pandas shows a missing value as NaN (or NA); the table, CSV and JSON show it as empty/null.
    rows = [tuple(_plain(v) for v in row) for row in frame.itertuples(index=False, name=None)]
    echo_result(QueryResult([str(c) for c in frame.columns], rows), fmt)


def _plain(value: Any) -> Any:
    """Return ``value`` as a plain Python value: ``None`` when missing, numpy scalars as ints and floats."""
    import pandas as pd

    if isinstance(value, list | dict | str):
        return value
    if value is None or value is pd.NA or value is pd.NaT or value != value:  # NaN is unequal to itself
        return None
    return value.item() if hasattr(value, "item") and not hasattr(value, "tzinfo") else value


@main.command("search")
@db_option
@click.option("--task", metavar="ID", help="Pipeline tag, e.g. text-generation.")
@click.option("--library", metavar="ID", help="Library, e.g. transformers.")
@click.option("--app", metavar="ID", help="Local app that runs the model, e.g. llama.cpp.")
@click.option("--provider", metavar="ID", help="Inference provider that serves it, e.g. together.")
@click.option("--min-params", metavar="N", help="At least N parameters: 7B, 500M or an integer.")
@click.option("--max-params", metavar="N", help="At most N parameters: 13B, 500M or an integer.")
@click.option("--license", metavar="ID", help="License id, e.g. apache-2.0.")
@click.option("--language", metavar="CODE", help="Language code, e.g. en.")
@click.option("--author", metavar="NAME", help="Author (user or organisation).")
@click.option("--text", metavar="TEXT", help="Text the model id contains (any case).")
@click.option("--sort", type=click.Choice(["downloads", "likes", "trending", "created"]), default="downloads",
              show_default=True, help="Order, largest (newest) first.")  # fmt: skip
@click.option("--limit", default=20, show_default=True, help="Models per page.")
@click.option("--offset", default=0, show_default=True, help="Models to skip (page x limit).")
@format_option
def search(db_url: str | None, fmt: str, **facets: Any) -> None:
    """Find models by task, library, app, provider, size, license, language, author or text.

    Facets combine (AND). A task, library, app, provider or author the catalog does not hold is
    an error that names close matches, not an empty list.

    \b
    Example:
      catalog search --task text-generation --library transformers --max-params 8B --limit 10
    """
    from catalog.analytics import Catalog

    with Catalog.open(db_url) as cat:
        _echo_frame(cat.search(**facets), fmt)


@main.command("lineage")
@click.argument("model")
@db_option
@click.option("--direction", type=click.Choice(["down", "up", "both"]), default="down", show_default=True,
              help="down: descendants; up: base models; both.")  # fmt: skip
@click.option("--max-depth", type=int, metavar="N", help="Follow at most N steps.")
@format_option
def lineage(model: str, db_url: str | None, direction: str, max_depth: int | None, fmt: str) -> None:
    """Show the family tree of MODEL: finetunes, adapters, quantizations and merges.

    Depth counts steps from MODEL (negative for its bases). Cycles in the Hub's metadata are
    reported on stderr, never followed.

    \b
    Example:
      catalog lineage meta-llama/Llama-3.1-8B --max-depth 1
    """
    from catalog.analytics import Catalog

    with Catalog.open(db_url) as cat:
        frame = cat.lineage(model, direction, max_depth)  # type: ignore[arg-type]
    frame["bases"] = frame["bases"].map(", ".join)
    _echo_frame(frame.drop(columns="missing"), fmt)
    for cycle in frame.attrs["cycles"]:
        click.echo(f"warning: lineage cycle in the Hub's metadata: {' -> '.join(cycle)}", err=True)


@main.command("stats")
@db_option
@click.option("--families", default=10, show_default=True, help="Also list this many largest model families.")
@format_option
def stats(db_url: str | None, families: int, fmt: str) -> None:
    """Summarise the catalog: counts, the reach of each face, and the largest model families.

    With --format csv or json, only the counts are printed (one table).

    \b
    Example:
      catalog stats --families 5
    """
    from catalog.analytics import Catalog

    with Catalog.open(db_url) as cat:
        frames = [("catalog", cat.stats())]
        for face in ("task", "library", "provider", "app", "params"):
            top = cat.reach(face).head(10).round({"share": 3})  # type: ignore[arg-type]
            frames.append((f"top {face} values by live models", top))
        if families:
            frames.append(("largest model families", cat.family_stats(limit=families)))
    if fmt == "table":
        for i, (title, frame) in enumerate(frames):
            click.echo(("\n" if i else "") + title)
            _echo_frame(frame, fmt)
    else:
        _echo_frame(frames[0][1], fmt)


# --- output ------------------------------------------------------------------------------------


def echo_result(result: QueryResult, fmt: str) -> None:
    """Print rows as an aligned table, CSV or JSON (a list of objects)."""
    if fmt == "json":
        records = [dict(zip(result.columns, row)) for row in result.rows]
        click.echo(json.dumps(records, indent=2, default=str, ensure_ascii=False))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    else:
        click.echo(format_table(result.columns, result.rows))


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Format rows as a plain aligned text table.

    Examples
    --------
    >>> print(format_table(["id", "n"], [("a", 1), ("bcd", 22)]))
    id     n
    ---  --
    a      1
    bcd   22
    """
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row[i], int | float) for row in rows if row[i] is not None) and bool(rows)
               for i in range(len(columns))]  # fmt: skip
    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric)).rstrip()
    out = [line(list(columns)), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)

"""`catalog build`: the whole offline pipeline, snapshot -> store -> exported pages (-> the explorer, served)."""

from __future__ import annotations

import click

from catalog.cli.common import crawl_progress, crawl_report, db_option, folder_option
from catalog.cli.map import min_downloads_option, out_option
from catalog.store import Store


@click.command("build")
@folder_option("--snapshot", default="data/snapshot", show_default=True, help="Snapshot folder to replay.")
@db_option
@out_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar; print only where the map is.")
@min_downloads_option
@click.option("--serve", is_flag=True, help="Then serve the explorer on 127.0.0.1 until Ctrl-C.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port for --serve."
)
def build(
    snapshot: str, db_url: str | None, out_dir: str, quiet: bool, min_downloads: int, serve: bool, port: int
) -> None:
    """Run the whole pipeline offline: replay a snapshot into the database, then export the pages.

    With --serve it then serves the explorer (as `catalog web` does) until Ctrl-C.

    The snapshot is served on 127.0.0.1 and crawled with the real Hub client (as `catalog crawl
    --replay` does); running it again crawls incrementally and redraws the map.

    \b
    Example:
      catalog build                       # data/snapshot -> data/catalog.db -> data/map/
      catalog build --serve               # ... then http://127.0.0.1:8000/
    """
    from catalog.cli.map import export_summary
    from catalog.cli.web import serve_explorer
    from catalog.crawl import crawl_snapshot, tuned_interpreter
    from catalog.hub.snapshot import Snapshot
    from catalog.render import render_map

    # A snapshot that is not there stops the command before it makes a database or draws a bar.
    folder = Snapshot.open(snapshot)
    with Store.open(db_url) as store:
        with crawl_progress(quiet) as progress, tuned_interpreter():
            crawled = crawl_snapshot(store, folder, progress=progress)
        if not quiet:
            click.echo(crawl_report(crawled, store.display_url))
            click.echo("")
        drawn = render_map(store, out_dir, min_downloads=min_downloads)
        url = store.display_url
    click.echo("Map: " + export_summary(drawn))
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
    if serve:
        with Store.open(db_url, create=False) as store:
            serve_explorer(store, "127.0.0.1", port)

"""`catalog map`: render the ecosystem map to files."""

from __future__ import annotations

import click

from catalog.cli.common import db_option
from catalog.store import Store


@click.command("map")
@db_option
@click.option(
    "--out",
    "out_dir",
    default="data/map",
    show_default=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Folder to write the pages into.",
)
@click.option(
    "--families", default=20, show_default=True, help="Lineage pages for this many largest families."
)
@click.option(
    "--max-nodes", default=5000, show_default=True, help="Most nodes on one page; the rest are folded."
)
def map_(db_url: str | None, out_dir: str, families: int, max_nodes: int) -> None:
    """Render the ecosystem map: self-contained HTML pages to open in a browser, offline.

    \b
    Example:
      catalog map --out data/map && xdg-open data/map/index.html
    """
    from catalog.render import render_map  # pyvis loads only for this command

    with Store.open(db_url, create=False) as store:
        summary = render_map(store, out_dir, families=families, max_nodes=max_nodes)
    click.echo(
        f"{len(summary.pages):,} pages ({summary.total_bytes / 1e6:,.1f} MB) in {summary.seconds:.1f} s"
    )
    click.echo(f"Open {summary.index.resolve().as_uri()}")

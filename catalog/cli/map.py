"""`catalog map`: export the explorer's pages to a folder that opens offline from disk."""

from __future__ import annotations

from typing import Any

import click

from catalog.cli.common import db_option, folder_option
from catalog.store import Store


def export_summary(summary: object) -> str:
    """Format what an export wrote: pages, total size, the largest page, where to open it."""
    from catalog.render import MapSummary

    assert isinstance(summary, MapSummary)
    largest = summary.largest
    return (
        f"{len(summary.pages):,} pages ({summary.total_bytes / 1e6:,.1f} MB) in {summary.seconds:.1f} s; "
        f"largest: {largest.path} ({largest.bytes / 1e3:,.0f} kB)\n"
        f"Open {summary.index.resolve().as_uri()}"
    )


def out_option(function: Any) -> Any:
    """The --out option of the commands that export pages: the folder the map is written into."""
    return folder_option(
        "--out", "out_dir", default="data/map", show_default=True, help="Folder to write the map pages into."
    )(function)


def min_downloads_option(function: Any) -> Any:
    """The --min-downloads option of the commands that export pages."""
    return click.option(
        "--min-downloads",
        default=0,
        show_default=True,
        type=click.IntRange(0),
        help="Export the page of every model with at least this many downloads.",
    )(function)


@click.command("map")
@db_option
@out_option
@min_downloads_option
@click.option(
    "--families", default=20, show_default=True, help="Family pages for this many largest families."
)
@click.option(
    "--max-nodes", default=5000, show_default=True, help="Most nodes on one page; the rest are folded."
)
def map_(db_url: str | None, out_dir: str, min_downloads: int, families: int, max_nodes: int) -> None:
    """Export the explorer: the map, faces, largest families and models as HTML files to open offline.

    The pages are those `catalog web` serves, with relative links; vis-network is written once
    into DIR/static/.

    \b
    Example:
      catalog map --out data/map --min-downloads 1000 && xdg-open data/map/index.html
    """
    from catalog.render import render_map

    with Store.open(db_url, create=False) as store:
        summary = render_map(
            store, out_dir, families=families, max_nodes=max_nodes, min_downloads=min_downloads
        )
    click.echo(export_summary(summary))

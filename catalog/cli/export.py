"""`catalog export`: the catalog as Parquet, GraphML, GEXF, triples or Neo4j CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from catalog.cli.common import db_option

if TYPE_CHECKING:
    from catalog.records import Kind


@click.command("export")
@click.option(
    "--format",
    "fmt",
    required=True,
    metavar="FORMAT",
    help="parquet (a folder: a file per table and the edges view, with manifest.json), graphml, "
    "gexf (Gephi), triples (subject<TAB>predicate<TAB>object) or csv (a folder for neo4j-admin import).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="The file (graphml, gexf, triples) or folder (parquet, csv) to write; replaced only when complete.",
)
@db_option
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    help="Keep only nodes of KIND and the edges between them (repeat it): model, task, library, app, "
    "space, provider, dataset.",
)
@click.option("--task", metavar="ID", help="Only models of this pipeline tag, and what they touch.")
@click.option("--library", metavar="ID", help="Only models of this library, and what they touch.")
@click.option("--author", metavar="NAME", help="Only models of this author, and what they touch.")
@click.option("--provider", metavar="ID", help="Only models this provider serves, and what they touch.")
@click.option("--min-downloads", type=int, metavar="N", help="Only models with at least N downloads.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def export(
    fmt: str, out: Path, db_url: str | None, kinds: tuple[str, ...], quiet: bool, **facets: Any
) -> None:
    """Export the catalog to a format other tools open (DuckDB, Spark, pandas, Gephi, Neo4j, KG tools).

    Without filters everything is exported; with them, the models that pass every filter, the
    edges touching them and the nodes so reached, as `Catalog.graph(...)` gives them (parquet:
    the models, the rows keyed by them and those edges; other tables whole).

    \b
    Examples:
      catalog export --format parquet --out export/
      catalog export --format gexf --out providers.gexf --kind model --kind provider --min-downloads 1000
      catalog export --format triples --out triples.txt --task text-generation
    """
    from tqdm.auto import tqdm

    from catalog.export import export_catalog
    from catalog.store import Store

    with Store.open(db_url, create=False) as store:
        bar = tqdm(
            unit=" rows", unit_scale=True, file=sys.stderr, dynamic_ncols=True, disable=quiet, desc=fmt
        )
        with bar:
            summary = export_catalog(
                store,
                fmt,
                out,
                kinds=cast("list[Kind]", list(kinds)) or None,
                progress=bar.update,
                **facets,
            )
    files = f"{len(summary.files)} files" if len(summary.files) > 1 else "1 file"
    click.echo(
        f"Exported {summary.rows:,} rows ({files}, {summary.bytes / 1e6:,.1f} MB) to {summary.path} "
        f"in {summary.seconds:.1f} s"
    )

"""The ``catalog`` command: a thin layer over the library, one module per command. Nothing imports it."""

from __future__ import annotations

from typing import Any

import click

from catalog.cli import build, crawl, db, export, map, questions, serve, sql, web
from catalog.errors import CatalogError


class CatalogGroup(click.Group):
    """A click group that turns a ``CatalogError`` into one ``Error: ...`` line and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CatalogError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=CatalogGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hf-catalog")
def main() -> None:
    """A catalog and knowledge graph of the Hugging Face ecosystem.

    Crawl the Hub (or a recorded snapshot of it) into a SQL database, query it, and render the
    ecosystem map. Every command takes --db URL (default: $CATALOG_DB, else data/catalog.db).
    """


for command in (
    build.build,
    crawl.crawl_command,
    db.db,
    export.export,
    map.map_,
    questions.lineage,
    questions.search,
    questions.stats,
    serve.serve,
    sql.sql,
    web.web,
):
    main.add_command(command)

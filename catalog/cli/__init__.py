"""The ``catalog`` command: a thin layer over the library, one module per command. Nothing imports it."""

from __future__ import annotations

import os
import sqlite3
import sys
from typing import Any, NoReturn

import click
from sqlalchemy.exc import DBAPIError

from catalog.cli import build, crawl, db, export, map, questions, serve, sql, web
from catalog.cli.common import visible
from catalog.errors import CatalogError, one_line


class CatalogGroup(click.Group):
    """A click group that turns a ``CatalogError`` into one ``Error: ...`` line and exit code 1.

    A damaged SQLite file (not a database, truncated, overwritten) is such an error wherever a
    command first reads the bad page; a reader that goes away (``catalog stats | head -1``) ends
    the command quietly with exit code 0, as it would for any Unix filter.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CatalogError as exc:
            _fail(ctx, str(exc))
        except (DBAPIError, sqlite3.DatabaseError) as exc:
            if not _damaged(exc):
                raise
            _fail(ctx, f"cannot read the database: {one_line(exc)} (the file is damaged or not a catalog)")
        except BrokenPipeError:
            _closed_pipe(ctx)


def _fail(ctx: click.Context, message: str) -> NoReturn:
    click.echo(f"Error: {visible(message)}", err=True)
    ctx.exit(1)


#: SQLite's primary result codes for a file it cannot read as a database.
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN}


def _damaged(exc: BaseException) -> bool:
    error = getattr(exc, "orig", None) or exc
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.DatabaseError) and code is not None and code & 0xFF in _DAMAGED


def _closed_pipe(ctx: click.Context) -> NoReturn:
    # What is still buffered for the closed pipe would fail again at exit: send it nowhere.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (click's test runner)
        pass
    ctx.exit(0)


@click.group(cls=CatalogGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hf-catalog")
def main() -> None:
    """A catalog and knowledge graph of the Hugging Face ecosystem.

    Crawl the Hub (or a recorded snapshot of it) into a SQL database, query it, and render the
    ecosystem map. Every command but `serve` takes --db URL (default: $CATALOG_DB, else
    data/catalog.db); `catalog db` takes it before or after its subcommand.
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

"""`catalog sql`: a read-only query, checked, time-limited and streamed."""

from __future__ import annotations

import click

from catalog.cli.common import db_option, echo_rows, format_option
from catalog.store import MAX_ROWS, TIMEOUT, Store

SUPERUSER_WARNING = (
    "warning: connected to PostgreSQL as a superuser; the catalog refuses what reads files, runs "
    "programs or changes settings, but a read-only role is safer (see docs/schema.md, 'A read-only role')"
)


@click.command("sql")
@click.argument("query")
@db_option
@format_option
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Stop the query after this long (reading its rows included).",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=0),
    default=MAX_ROWS,
    show_default=True,
    metavar="N",
    help="Print at most N rows (the output says when there were more).",
)
def sql(query: str, db_url: str | None, fmt: str, timeout: float, max_rows: int) -> None:
    """Run a read-only SQL QUERY and print its rows.

    One SELECT (or WITH ... SELECT, VALUES, TABLE) over the catalog's tables and views, calling
    common functions; anything else (writes, COPY, SET, file access, ...) is refused and changes
    nothing. Tables and the `edges` view are documented in docs/schema.md.

    \b
    Example:
      catalog sql "SELECT rel, COUNT(*) FROM edges GROUP BY rel"
    """
    with Store.open(db_url, create=False) as store:
        if store.is_superuser():
            click.echo(SUPERUSER_WARNING, err=True)
        with store.read_only_query(query, timeout=timeout, max_rows=max_rows) as rows:
            echo_rows(rows.columns, rows, fmt)
            if rows.truncated:
                note = f"(stopped at --max-rows {max_rows:,}: the query has more rows)"
                click.echo(note, err=fmt != "table")

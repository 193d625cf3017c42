"""`catalog sql`: a read-only query."""

from __future__ import annotations

import click

from catalog.cli.common import db_option, echo_result, format_option
from catalog.store import Store


@click.command("sql")
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

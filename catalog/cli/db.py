"""`catalog db`: create, migrate and inspect the schema."""

from __future__ import annotations

from collections.abc import Callable

import click

from catalog.cli.common import db_option, echo_result
from catalog.store import QueryResult, Store


@click.group()
@db_option
def db(db_url: str | None) -> None:
    """Create, migrate and inspect the database schema.

    --db URL goes before or after the subcommand: `catalog db --db URL status` and
    `catalog db status --db URL` are the same.
    """


def _url(db_url: str | None) -> str | None:
    """The subcommand's --db, else the group's (``catalog db --db URL status``)."""
    parent = click.get_current_context().parent
    return db_url or (parent.params.get("db_url") if parent else None)


@db.command("upgrade")
@db_option
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(db_url: str | None, revision: str) -> None:
    """Migrate the database to the newest schema (creating it if needed)."""
    _migrate(db_url, Store.upgrade, revision)


@db.command("downgrade")
@db_option
@click.argument("revision")
def db_downgrade(db_url: str | None, revision: str) -> None:
    """Migrate the database down to REVISION ('base' drops every table)."""
    _migrate(db_url, Store.downgrade, revision)


def _migrate(db_url: str | None, move: Callable[[Store, str], None], revision: str) -> None:
    """Move the schema to ``revision`` by ``move`` (``Store.upgrade`` or ``.downgrade``); say where it is."""
    with Store.open(_url(db_url), check=False) as store:
        move(store, revision)
        click.echo(f"{store.display_url}: schema at revision {store.revision() or 'base'}")


@db.command("status")
@db_option
def db_status(db_url: str | None) -> None:
    """Show the schema revision and how many rows each table holds."""
    with Store.open(_url(db_url), create=False) as store:
        click.echo(f"{store.display_url}: schema at revision {store.revision()}")
        rows = [(table, store.count(table)) for table in _TABLES_IN_ORDER]
        rows.append(("edges (view)", store.count("edges")))
        echo_result(QueryResult(["table", "rows"], rows), "table")


_TABLES_IN_ORDER = (
    "models",
    "model_tags",
    "model_lineage",
    "model_datasets",
    "model_providers",
    "model_apps",
    "tasks",
    "libraries",
    "library_tasks",
    "apps",
    "providers",
    "provider_tasks",
    "datasets",
    "dataset_tags",
    "spaces",
    "space_models",
    "space_datasets",
    "crawl_runs",
    "model_history",
    "rejects",
)

"""The crawler's two write paths (bulk tuples on SQLite, ``store.upsert`` elsewhere) write the same rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from catalog.bulk import make_batch, write_batch
from catalog.normalize import normalize_model
from catalog.schema import Base
from catalog.store import Store
from tests.test_crawl import MODELS

TABLES = ("models", "model_tags", "model_lineage", "model_providers", "model_apps")


def write(store: Store, dialect: str, models: list[dict[str, Any]], seen: datetime) -> None:
    """Write normalised ``models`` as the crawler does, through the path ``dialect`` picks."""
    items = [normalize_model(m) for m in models]
    shared = {"first_seen": seen, "last_seen": seen, "deleted_at": None}
    with store.engine.begin() as conn:
        write_batch(
            conn, make_batch(dialect, "models", [i.row for i in items], shared=shared, keep=("first_seen",))
        )
        for table in TABLES[1:]:
            children = [row for i in items for row in i.children[table]]
            write_batch(conn, make_batch(dialect, table, children, update=False))


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    with store.engine.connect() as conn:
        return {
            t: [
                tuple(r)
                for r in conn.execute(
                    select(Base.metadata.tables[t]).order_by(*Base.metadata.tables[t].primary_key)
                )
            ]
            for t in TABLES
        }


def test_bulk_tuples_and_upsert_write_the_same_rows(tmp_path: Any) -> None:
    first, later = datetime(2024, 8, 1, tzinfo=UTC), datetime(2024, 9, 1, 12, 30, 0, 123456, tzinfo=UTC)
    changed = [m | {"likes": m["likes"] + 100, "downloads": None} for m in MODELS]
    stores = {d: Store.open(f"sqlite:///{tmp_path / d}.db") for d in ("sqlite", "portable")}
    for dialect, store in stores.items():  # "portable": any other name takes store.upsert
        write(store, dialect, MODELS, first)
        write(store, dialect, changed, later)  # updates, keeping first_seen
    bulk, portable = dump(stores["sqlite"]), dump(stores["portable"])
    assert bulk == portable
    assert {(r[0], r[8]) for r in bulk["models"]} == {(m["id"], m["likes"] + 100) for m in MODELS}
    for store in stores.values():
        store.close()

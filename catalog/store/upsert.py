"""Loading: batched ``INSERT ... ON CONFLICT`` upserts on SQLite and PostgreSQL, and child-row deletes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

from catalog.records import chunks
from catalog.schema import Base

__all__ = ["BATCH_SIZE", "delete_children", "upsert"]

#: Rows per INSERT batch: large enough to amortise round trips, small enough for flat memory.
BATCH_SIZE = 5_000


def _table(name: str | Table) -> Table:
    return name if isinstance(name, Table) else Base.metadata.tables[name]


def upsert(
    conn: Connection,
    table: str | Table,
    rows: Iterable[Mapping[str, Any]],
    *,
    keep: Sequence[str] = (),
    update: bool = True,
) -> int:
    """Insert ``rows`` into ``table``, updating rows whose primary key exists; return the row count.

    Works on SQLite and PostgreSQL (``INSERT ... ON CONFLICT``), in batches of :data:`BATCH_SIZE`.
    Columns in ``keep`` keep their stored value on conflict (``first_seen``); with
    ``update=False`` existing rows are left alone. Rows with the same key in one call: the last wins.
    Every row must have the same keys.

    Examples
    --------
    >>> from catalog.store import Store
    >>> store = Store.open("sqlite://")
    >>> with store.engine.begin() as conn:
    ...     upsert(conn, "providers", [{"id": "groq", "label": "Groq", "hub_org": "groq"}])
    ...     upsert(conn, "providers", [{"id": "groq", "label": "Groq Cloud", "hub_org": "groq"}])
    1
    1
    >>> store.query("SELECT id, label FROM providers").rows
    [('groq', 'Groq Cloud')]
    """
    table = _table(table)
    key = [c.name for c in table.primary_key.columns]
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = None
    total = 0
    for batch in _batches(rows, key):
        if statement is None:
            stmt = insert(table)
            columns = [c for c in batch[0] if c not in key and c not in keep]
            if update and columns:
                statement = stmt.on_conflict_do_update(
                    index_elements=key, set_={c: stmt.excluded[c] for c in columns}
                )
            else:
                statement = stmt.on_conflict_do_nothing(index_elements=key)
        conn.execute(statement, batch)
        total += len(batch)
    return total


def _batches(rows: Iterable[Mapping[str, Any]], key: list[str]) -> Iterator[list[Mapping[str, Any]]]:
    # One statement may not touch a row twice on PostgreSQL, so duplicates within a batch collapse.
    batch: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        batch[tuple(row[k] for k in key)] = row
        if len(batch) >= BATCH_SIZE:
            yield list(batch.values())
            batch = {}
    if batch:
        yield list(batch.values())


def delete_children(conn: Connection, table: str | Table, column: str, ids: Sequence[str]) -> None:
    """Delete the rows of ``table`` whose ``column`` is one of ``ids`` (before re-inserting them)."""
    table = _table(table)
    for chunk in chunks(ids, 900):
        conn.execute(table.delete().where(table.c[column].in_(chunk)))

"""The store: a database named by a SQLAlchemy URL, migrated by Alembic, loaded by bulk upserts.

SQLite is the default (WAL, foreign keys on); PostgreSQL works the same way. A store at another
schema revision than the code refuses to open and says to run ``catalog db upgrade``.

One module per reason to change: :mod:`~catalog.store.engine` (URLs, drivers, SQLite's pragmas),
:mod:`~catalog.store.migrations` (Alembic), :mod:`~catalog.store.sandbox` (the guard on SQL from a
user), :mod:`~catalog.store.upsert` (loading) and :mod:`~catalog.store.database` (the
:class:`Store` that ties them together).
"""

from __future__ import annotations

from catalog.store.database import QueryResult, Store
from catalog.store.engine import DEFAULT_URL, create_engine_for, resolve_url
from catalog.store.migrations import head_revision
from catalog.store.sandbox import MAX_ROWS, TIMEOUT, Rows
from catalog.store.upsert import BATCH_SIZE, delete_children, upsert

__all__ = [
    "BATCH_SIZE",
    "DEFAULT_URL",
    "MAX_ROWS",
    "TIMEOUT",
    "QueryResult",
    "Rows",
    "Store",
    "create_engine_for",
    "delete_children",
    "head_revision",
    "resolve_url",
    "upsert",
]

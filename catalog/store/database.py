"""The :class:`Store`: one catalog database, its schema revision, and how to read it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InvalidRequestError

from catalog.errors import ConfigError, ReadOnlyViolation, SchemaOutOfDate, StoreError, one_line
from catalog.store import migrations
from catalog.store.engine import create_engine_for, in_memory, resolve_url, sqlite_file
from catalog.store.sandbox import MAX_ROWS, TIMEOUT, Rows, is_read_only_error, sqlite_write_guard, stream_rows

__all__ = ["QueryResult", "Store"]


@dataclass(frozen=True, slots=True)
class QueryResult:
    """The columns and rows a read-only query returned."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


class Store:
    """A catalog database: its engine, its schema revision, and how to load and read it."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url

    @classmethod
    def open(cls, url: str | None = None, *, check: bool = True, create: bool = True) -> Store:
        """Open the database at ``url``; an empty database is migrated to head.

        A database at another revision raises :class:`SchemaOutOfDate` unless ``check`` is false.
        With ``create=False`` (the reading commands) a SQLite file that does not exist, or a
        database without tables, is an error rather than a new, empty catalog: a mistyped path
        does not quietly answer "no results", and reading never creates tables. Such a store is
        read-only: a SQLite file is opened with ``mode=ro`` (so a read-only mount works and the
        file is never switched to WAL), a PostgreSQL session's transactions are read-only. An
        in-memory SQLite database is always new, so it is always migrated.
        """
        url = resolve_url(url)
        path = sqlite_file(url)
        if not create and path is not None and not path.exists():
            raise StoreError(
                f"no database at {path}: build one with `catalog build` (or `catalog crawl`), "
                "or name an existing one with --db URL"
            )
        store = cls(create_engine_for(url, read_only=not create and not in_memory(url)), url)
        try:
            current = store.revision()
            if current is None and not store._has_tables():
                if not create and not in_memory(url):
                    raise StoreError(
                        f"database {store.display_url} holds no catalog (no tables): build one with "
                        "`catalog build` (or `catalog crawl`), or name another with --db URL"
                    )
                store.upgrade()
            elif check:
                store.check_revision()
        except (DBAPIError, sqlite3.Error) as exc:  # not a database, truncated, unreachable
            store.close()
            raise StoreError(f"cannot open database {store.display_url}: {one_line(exc)}") from exc
        except BaseException:  # an out-of-date schema, a failed migration: the caller gets no store to close
            store.close()
            raise
        return store

    @property
    def display_url(self) -> str:
        """The URL with any password hidden."""
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """The backend's name: ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def close(self) -> None:
        """Close every connection of the engine."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- schema ---------------------------------------------------------------------------

    def revision(self) -> str | None:
        """Return the database's Alembic revision, ``None`` when it has none."""
        return migrations.current_revision(self.engine)

    def _has_tables(self) -> bool:
        return bool(set(inspect(self.engine).get_table_names()) - {"alembic_version"})

    def check_revision(self) -> None:
        """Raise :class:`SchemaOutOfDate` unless the database is at the code's head revision."""
        current, head = self.revision(), migrations.head_revision()
        if current == head:
            return
        url = self.display_url
        if current is not None and current not in migrations.known_revisions():
            # Upgrading cannot help: a newer version of the catalog wrote this database.
            raise SchemaOutOfDate(
                f"database {url} has schema revision {current}, which this version of the catalog "
                f"does not know (it expects {head}): upgrade the catalog, or use another --db"
            )
        if current is None:
            raise SchemaOutOfDate(
                f"database {url} has schema revision none, the code expects {head}: run "
                f"`catalog db upgrade --db URL` on an empty database (this one holds tables the "
                f"catalog did not make)"
            )
        raise SchemaOutOfDate(
            f"database {url} has schema revision {current}, the code expects {head}: "
            f"run `catalog db upgrade --db {url}`"
        )

    def upgrade(self, revision: str = "head") -> None:
        """Migrate the database up to ``revision``."""
        migrations.upgrade(self.engine, revision, self.display_url)

    def downgrade(self, revision: str) -> None:
        """Migrate the database down to ``revision`` (``base`` drops everything)."""
        migrations.downgrade(self.engine, revision, self.display_url)

    # --- reading --------------------------------------------------------------------------

    @contextmanager
    def read_only_query(
        self, sql: str, *, timeout: float = TIMEOUT, max_rows: int = MAX_ROWS
    ) -> Iterator[Rows]:
        """Run SQL from a user, safely: one read-only query over the catalog, streamed, time-limited.

        This is the guard for SQL that anyone may type (``catalog sql``, the explorer's console):
        the statement is parsed by the database's own grammar and refused
        (:class:`ReadOnlyViolation`) unless it only reads the catalog's tables and views and calls
        allowed functions, whatever the role connected (see :mod:`catalog.store.sandbox`). It runs
        in a rolled-back read-only transaction for at most ``timeout`` seconds (reading its rows
        included; past it, a :class:`StoreError` saying so), and at most ``max_rows`` rows are read.

        Examples
        --------
        >>> store = Store.open("sqlite://")
        >>> with store.read_only_query("SELECT id FROM tasks", max_rows=10) as rows:
        ...     rows.columns, list(rows), rows.truncated
        (['id'], [], False)
        >>> with store.read_only_query("VALUES (1), (2), (3)", max_rows=2) as rows:
        ...     list(rows), rows.truncated
        ([(1,), (2,)], True)
        """
        with self.engine.connect() as conn:
            relations = self.relations
            with stream_rows(conn, sql, relations=relations, timeout=timeout, max_rows=max_rows) as rows:
                yield rows

    @cached_property
    def relations(self) -> frozenset[str]:
        """The tables and views of the catalog (in its own schema): what a user's query may read."""
        inspector = inspect(self.engine)
        return frozenset(inspector.get_table_names()) | frozenset(inspector.get_view_names())

    def is_superuser(self) -> bool:
        """Whether the connection's role is a PostgreSQL superuser (who can read files, run programs)."""
        if self.dialect != "postgresql":
            return False
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT current_setting('is_superuser')").scalar() == "on"

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> QueryResult:
        """Run one of the library's own SQL statements, read-only, and return its rows.

        The statement runs in a read-only transaction that is rolled back, so nothing changes
        whatever it says. Without ``params`` it goes to the database as written: ``':x'`` and
        ``'100%'`` are plain text, not placeholders. SQL from a user goes to
        :meth:`read_only_query` instead, which also refuses what reads files or settings.
        """
        if not sql.strip():
            raise ConfigError('no SQL statement given: pass one, e.g. "SELECT COUNT(*) FROM models"')
        with self._read_only() as conn:
            statement, values = _bind(conn, sql, params)
            cursor: Any = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                if self.dialect == "postgresql":
                    # A prepared statement holds one command, so "COMMIT; DELETE ..." cannot
                    # slip out of the read-only transaction.
                    cursor.execute(statement, values, prepare=True)
                else:
                    cursor.execute(statement, values)
                if cursor.description is None:
                    return QueryResult([], [])
                return QueryResult([d[0] for d in cursor.description], [tuple(r) for r in cursor.fetchall()])
            except conn.dialect.loaded_dbapi.Error as exc:
                if conn.info.get("denied") or is_read_only_error(exc):
                    raise ReadOnlyViolation(
                        f"refused: the statement writes, and queries here are read-only "
                        f"({one_line(exc)}); nothing was changed"
                    ) from exc
                raise StoreError(f"query failed: {one_line(exc)}") from exc
            finally:
                cursor.close()

    @contextmanager
    def _read_only(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("PRAGMA query_only = ON")
                dbapi_connection = conn.connection.dbapi_connection
                denied: list[int] = []
                conn.info["denied"] = denied
                dbapi_connection.set_authorizer(partial(sqlite_write_guard, denied))  # type: ignore[union-attr]
                try:
                    yield conn
                finally:
                    dbapi_connection.set_authorizer(None)  # type: ignore[union-attr]
                    conn.rollback()
                    conn.exec_driver_sql("PRAGMA query_only = OFF")
            else:
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                try:
                    yield conn
                finally:
                    conn.rollback()

    def count(self, table: str) -> int:
        """Return the number of rows of a table or view."""
        count: int = self.query(f'SELECT COUNT(*) FROM "{table}"').rows[0][0]
        return count


def _bind(conn: Connection, sql: str, params: Mapping[str, Any] | None) -> tuple[str, Any]:
    """Return the driver's statement and values for ``sql`` with ``:name`` placeholders bound to ``params``."""
    if params is None:
        return sql, None if conn.dialect.name == "postgresql" else ()
    statement = text(sql).compile(dialect=conn.dialect)
    try:
        values = statement.construct_params(dict(params))
    except InvalidRequestError as exc:  # a :name with no value
        raise ConfigError(f"query failed: {one_line(exc).split(' (Background')[0]}") from None
    if statement.positiontup:
        return str(statement), [values[k] for k in statement.positiontup]
    return str(statement), values

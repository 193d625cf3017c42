"""The store: a database named by a SQLAlchemy URL, migrated by Alembic, loaded by bulk upserts.

SQLite is the default (WAL, foreign keys on); PostgreSQL works the same way. A store at another
schema revision than the code refuses to open and says to run ``catalog db upgrade``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InvalidRequestError, OperationalError

from catalog.errors import ConfigError, ReadOnlyViolation, SchemaOutOfDate, StoreError, one_line
from catalog.schema import Base

__all__ = [
    "DEFAULT_URL",
    "QueryResult",
    "Store",
    "create_engine_for",
    "delete_children",
    "resolve_url",
    "upsert",
]

DEFAULT_URL = "sqlite:///data/catalog.db"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
#: Rows per INSERT batch: large enough to amortise round trips, small enough for flat memory.
BATCH_SIZE = 5_000


def resolve_url(url: str | None) -> str:
    """Return the database URL to use: ``url``, else ``$CATALOG_DB``, else the default SQLite file."""
    return url or os.environ.get("CATALOG_DB") or DEFAULT_URL


def create_engine_for(url: str) -> Engine:
    """Create an engine for ``url``; SQLite files get WAL, foreign keys and their folder."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(
            f"not a database URL: {url!r} (expected e.g. sqlite:///data/catalog.db or "
            "postgresql+psycopg://user@host/db)"
        ) from exc
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except Exception as exc:  # a missing driver or a bad option: say which URL
        raise ConfigError(f"cannot use database URL {url!r}: {exc}") from exc


def _sqlite_file(url: str) -> Path | None:
    """Return the file a SQLite URL names, ``None`` for other databases, memory or a bad URL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _in_memory(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 64 MiB of page cache instead of 2 MB, taken only as pages are read: a bulk load updates a dozen
    # indexes in random key order, and at 400,000 models (2.5M rows) the default ran 1.4x slower.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def head_revision() -> str:
    """Return the schema revision the code expects."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


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
        does not quietly answer "no results", and reading never creates tables. An in-memory
        SQLite database is always new, so it is always migrated.
        """
        url = resolve_url(url)
        if not create and (path := _sqlite_file(url)) is not None and not path.exists():
            raise StoreError(
                f"no database at {path}: build one with `catalog build` (or `catalog crawl`), "
                "or name an existing one with --db URL"
            )
        store = cls(create_engine_for(url), url)
        try:
            current = store.revision()
            if current is None and not store._has_tables():
                if not create and not _in_memory(url):
                    raise StoreError(
                        f"database {store.display_url} holds no catalog (no tables): build one with "
                        "`catalog build` (or `catalog crawl`), or name another with --db URL"
                    )
                store.upgrade()
            elif check:
                store.check_revision()
        except OperationalError as exc:
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
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- schema ---------------------------------------------------------------------------

    def revision(self) -> str | None:
        """Return the database's Alembic revision, ``None`` when it has none."""
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def _has_tables(self) -> bool:
        return bool(set(inspect(self.engine).get_table_names()) - {"alembic_version"})

    def check_revision(self) -> None:
        """Raise :class:`SchemaOutOfDate` unless the database is at the code's head revision."""
        current, head = self.revision(), head_revision()
        if current == head:
            return
        url = self.display_url
        if current is not None and current not in _known_revisions():
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
        with self._migrating(), self.engine.begin() as conn:
            command.upgrade(_alembic_config(conn), revision)

    def downgrade(self, revision: str) -> None:
        """Migrate the database down to ``revision`` (``base`` drops everything)."""
        with self._migrating(), self.engine.begin() as conn:
            command.downgrade(_alembic_config(conn), revision)

    @contextmanager
    def _migrating(self) -> Iterator[None]:
        # An unknown revision or a clash with tables made elsewhere: one line, not a traceback.
        try:
            yield
        except (CommandError, DBAPIError) as exc:
            raise StoreError(f"cannot migrate database {self.display_url}: {one_line(exc)}") from exc

    # --- reading --------------------------------------------------------------------------

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> QueryResult:
        """Run one read-only SQL statement and return its rows; a statement that writes is refused.

        The statement runs in a read-only transaction that is rolled back, so nothing changes
        whatever it says. Without ``params`` it goes to the database as written: ``':x'`` and
        ``'100%'`` are plain text, not placeholders.
        """
        if not sql.strip():
            raise ConfigError('no SQL statement given: pass one, e.g. "SELECT COUNT(*) FROM models"')
        with self._read_only() as conn:
            statement, values = _bind(conn, sql, params)
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
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
                if conn.info.get("denied") or _is_read_only_error(exc):
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
                denied = conn.info["denied"] = []
                dbapi_connection.set_authorizer(partial(_sqlite_read_only, denied))  # type: ignore[union-attr]
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
        return self.query(f'SELECT COUNT(*) FROM "{table}"').rows[0][0]


# Pragmas whose argument names what to read (``PRAGMA table_info(models)``); any other pragma
# given a value sets it (``PRAGMA journal_mode = DELETE`` rewrites the file header).
_READING_PRAGMAS = frozenset(
    {
        "foreign_key_check",
        "foreign_key_list",
        "index_info",
        "index_list",
        "index_xinfo",
        "integrity_check",
        "quick_check",
        "table_info",
        "table_list",
        "table_xinfo",
    }
)


def _sqlite_read_only(
    denied: list[int], action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None
) -> int:
    """Deny what ``PRAGMA query_only`` lets through: ATTACH and VACUUM INTO create files, pragmas set values."""
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH) or (
        action == sqlite3.SQLITE_PRAGMA and arg2 is not None and (arg1 or "").lower() not in _READING_PRAGMAS
    ):
        denied.append(action)
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


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
        values = [values[k] for k in statement.positiontup]
    return str(statement), values


def _is_read_only_error(exc: BaseException) -> bool:
    message = str(exc).lower()
    return "readonly" in message or "read-only" in message or getattr(exc, "sqlstate", None) == "25006"


# --- loading -------------------------------------------------------------------------------------


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
    for start in range(0, len(ids), 900):
        chunk = list(ids[start : start + 900])
        conn.execute(table.delete().where(table.c[column].in_(chunk)))

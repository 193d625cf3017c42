"""Write a crawled page's rows fast: multi-row inserts on SQLite, :func:`catalog.store.upsert` elsewhere.

The crawler's hot path. On SQLite, SQLAlchemy's per-row parameter processing costs more than
SQLite's own work, so rows go to the driver as tuples, converted exactly as SQLAlchemy stores them
(datetimes as ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC, JSON as text, ``None`` as NULL), inside the
caller's transaction, many rows to a statement (``INSERT ... VALUES (?, ?), (?, ?), ...``). The
driver gives up the GIL while SQLite runs a statement and must take it back afterwards: with
``executemany`` that is once a row, and while the crawler's normalising thread held the GIL the
writing thread stood still (20x slower in a test); once a statement of hundreds of rows, it runs
alongside. SQLite's own work is also a quarter less than row by row. Other databases take the
portable ``upsert``.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import chain
from operator import itemgetter
from types import TracebackType
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import JSON, Column, Connection, DateTime, Engine, Integer, MetaData, Table, inspect, select

from catalog.records import chunks
from catalog.schema import SEARCH_TRIGGER, Base, drop_search_trigger, restore_search_trigger
from catalog.store import upsert

__all__ = [
    "BackgroundWriter",
    "Batch",
    "analyze",
    "defer_indexes",
    "existing_ids",
    "make_batch",
    "merge_staged",
    "restore_indexes",
    "stage_tables",
    "tune_connection",
    "vacuum",
    "write_batch",
]

Row = Mapping[str, Any]
T = TypeVar("T")
#: Bound parameters per statement (SQLite allows 32,766 since 3.32, 999 before). Each statement costs
#: the writing thread a wait for the GIL, and 999 made ~60 a page, too many to keep up; the driver
#: keeps the last 128 statements prepared (one of odd length per table a page): ~50 MiB at most here.
_PARAMETERS = 4096 if sqlite3.sqlite_version_info >= (3, 32) else 999


class BackgroundWriter(Generic[T]):
    """Hand submitted items to ``write`` in order, in a thread of its own (or inline), several at once if they wait.

    ``write`` gets a list: the next item, with those queued behind it up to ``group`` in all, so
    that a writer that fell behind catches up with one transaction for several pages instead of one
    each. At most ``depth`` items wait; ``submit`` blocks beyond that, so memory stays flat. The
    first write that fails stops the rest, and its exception is raised by the next ``submit`` or on
    leaving the ``with`` block, which waits for the queued items to be written.

    Examples
    --------
    >>> written = []
    >>> with BackgroundWriter(written.append, group=3) as writer:
    ...     for n in range(5):
    ...         writer.submit(n)
    >>> [n for items in written for n in items], all(1 <= len(items) <= 3 for items in written)
    ([0, 1, 2, 3, 4], True)
    """

    def __init__(
        self, write: Callable[[list[T]], None], *, threaded: bool = True, depth: int = 2, group: int = 1
    ) -> None:
        self._write = write
        self._group = max(1, group)
        self._error: BaseException | None = None
        self._queue: queue.Queue[Any] = queue.Queue(depth)
        self._thread = (
            threading.Thread(target=self._run, name="catalog-writer", daemon=True) if threaded else None
        )
        if self._thread is not None:
            self._thread.start()

    def submit(self, item: T) -> None:
        """Queue ``item`` (or write it now when not threaded); raise an earlier write's error."""
        self._raise()
        if self._thread is None:
            self._write([item])
        else:
            self._queue.put(item)

    def __enter__(self) -> BackgroundWriter[T]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._thread is not None:
            self._queue.put(_END)
            self._thread.join()
        if exc_type is None:
            self._raise()

    def _run(self) -> None:
        ended = False
        while not ended and (item := self._queue.get()) is not _END:
            items = [item]
            while len(items) < self._group:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _END:
                    ended = True
                    break
                items.append(item)
            if self._error is None:
                try:
                    self._write(items)
                except BaseException as exc:  # handed to the submitting thread
                    self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error


#: What tells the writing thread that no more items come.
_END = object()


def tune_connection(conn: Connection) -> None:
    """Tune a SQLite connection for a crawl's page writes (the store already gives it 64 MiB of cache)."""
    if conn.dialect.name == "sqlite":
        # Fewer, larger WAL checkpoints: a page of models rewrites the same index pages many times.
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 16384")


def defer_indexes(conn: Connection, tables: Sequence[str]) -> list[str]:
    """Drop the secondary indexes of those ``tables`` that are empty; return their names.

    Loading an empty table and indexing it afterwards costs about a third less than keeping a
    dozen indexes up to date row by row on SQLite, and more on PostgreSQL, whose trigram index of
    model ids (GIN) is slow to keep in step. :func:`restore_indexes` builds them again.
    """
    dropped = []
    for name in tables:
        table = Base.metadata.tables[name]
        if conn.execute(select(table.c[next(iter(table.primary_key.columns)).name]).limit(1)).first() is None:
            for index in sorted(table.indexes, key=lambda i: str(i.name)):
                index.drop(conn, checkfirst=True)
                dropped.append(str(index.name))
            if name == "models" and drop_search_trigger(conn):
                # The trigram index of model ids costs ~200 us a new row kept in step, about
                # half that rebuilt once at the end.
                dropped.append(SEARCH_TRIGGER)
            if name == "models" and _drop_trigram_index(conn):
                dropped.append(_TRIGRAM_INDEX)
    return dropped


def restore_indexes(conn: Connection, names: Sequence[str]) -> None:
    """Create again the indexes named ``names`` (dropped by :func:`defer_indexes`) that are missing.

    A table that is gone (a database broken under a crawl) is passed over: the failed run is still
    recorded, and the rest of its indexes built.
    """
    wanted = set(names)
    if not wanted:
        return
    present = set(inspect(conn).get_table_names())
    if conn.dialect.name == "postgresql":
        # Each index is one sort of its table: in memory rather than in temporary files.
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    if SEARCH_TRIGGER in wanted and "models" in present:
        restore_search_trigger(conn)
    if _TRIGRAM_INDEX in wanted and "models" in present:
        _create_trigram_index(conn)
    for table in Base.metadata.tables.values():
        for index in table.indexes:
            if index.name in wanted and table.name in present:
                index.create(conn, checkfirst=True)


#: PostgreSQL's trigram index of model ids (migration 0008), outside the schema's metadata, and
#: the ids its expression's histogram holds for the planner (migration 0010, after 0009's 1,000).
_TRIGRAM_INDEX, _TRIGRAM_STATISTICS = "models_id_joined_trgm", 10_000


def _drop_trigram_index(conn: Connection) -> bool:
    """Drop the trigram index of model ids (PostgreSQL); return whether there was one."""
    if conn.dialect.name != "postgresql":
        return False
    found = conn.exec_driver_sql(
        "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = %(name)s",
        {"name": _TRIGRAM_INDEX},
    ).first()
    if found is not None:
        conn.exec_driver_sql(f"DROP INDEX {_TRIGRAM_INDEX}")
    return found is not None


def _create_trigram_index(conn: Connection) -> None:
    """Create the trigram index of model ids as migrations 0008 and 0010 do (``pg_trgm``, wherever it lives)."""
    schema = conn.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    ).scalar_one()
    conn.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {_TRIGRAM_INDEX} ON models USING gin "
        f"(translate(lower(id), '-._/', 'zzzz') \"{schema}\".gin_trgm_ops)"
    )
    conn.exec_driver_sql(f"ALTER INDEX {_TRIGRAM_INDEX} ALTER COLUMN 1 SET STATISTICS {_TRIGRAM_STATISTICS}")


def analyze(conn: Connection, tables: Sequence[str]) -> None:
    """Refresh PostgreSQL's planner statistics of ``tables`` after a bulk load (nothing on SQLite).

    Right after a first crawl the tables have no statistics until autovacuum gets to them, and
    the planner guesses: the sub-graph of one task took 207 s on 20,000 made-up models, 2.3 s once
    analysed. Only the named tables: a bare ``ANALYZE`` reads every schema of the database.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE " + ", ".join(f'"{name}"' for name in tables))


def vacuum(engine: Engine, table: str) -> None:
    """``VACUUM`` PostgreSQL's ``table`` after a bulk load (nothing on SQLite).

    Until its heap pages are marked all-visible, an index-only scan checks each row it reads in
    the heap: the search's walk of ``ix_models_live_*_id`` (revision 0010) would fetch every row it
    passes over. Autovacuum gets there in its own time; a full crawl is not left waiting for it
    (1M models just loaded: 6 s, every heap page read). It runs outside a transaction, as
    ``VACUUM`` must. Pages stay unmarked while any transaction older than the load is open on the
    server: autovacuum marks them later.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'VACUUM "{table}"')


def existing_ids(conn: Connection, table: str, ids: Sequence[str]) -> set[str]:
    """Return which of ``ids`` the ``table`` already holds (by its ``id`` column)."""
    found: set[str] = set()
    if conn.dialect.name == "sqlite":
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for chunk in chunks(ids, 900):
            marks = ", ".join("?" * len(chunk))
            found.update(
                r[0] for r in cursor.execute(f'SELECT id FROM "{table}" WHERE id IN ({marks})', chunk)
            )
        cursor.close()
        return found
    column = Base.metadata.tables[table].c.id
    for chunk in chunks(ids, 900):
        found.update(conn.execute(select(column).where(column.in_(chunk))).scalars())
    return found


@dataclass(frozen=True, slots=True)
class Batch:
    """Rows ready for one table: DB-API tuples with their statement on SQLite, else dicts for ``upsert``."""

    table: str
    rows: list[Any]
    keep: tuple[str, ...] = ()
    update: bool = True
    upsert: _Upsert | None = None
    columns: tuple[str, ...] = ()


def make_batch(
    dialect: str,
    table: str,
    rows: Sequence[Row],
    *,
    shared: Row | None = None,
    keep: Sequence[str] = (),
    update: bool = True,
) -> Batch:
    """Prepare ``rows`` for :func:`write_batch` (on SQLite: converted to tuples now, in the caller's thread).

    Every row also gets the columns of ``shared`` (on SQLite converted once, not once a row).
    """
    if dialect != "sqlite" or not rows:
        return Batch(
            table, [{**row, **shared} for row in rows] if shared else list(rows), tuple(keep), update
        )
    columns = tuple(rows[0])
    convert = _row_converter(table, columns)
    if shared:
        common = _row_converter(table, tuple(shared))(shared)
        values = [convert(row) + common for row in rows]
        columns += tuple(shared)
    else:
        values = list(map(convert, rows))
    return Batch(table, values, tuple(keep), update, _statement(table, columns, tuple(keep), update), columns)


def write_batch(conn: Connection, batch: Batch, *, page: int | None = None) -> None:
    """Insert a prepared batch within ``conn``, updating rows whose key exists, as ``upsert`` does.

    With ``page``, the rows go to the batch table's staging table instead (:func:`stage_tables`),
    each marked with that page's number.

    Examples
    --------
    >>> from catalog.store import Store
    >>> store = Store.open("sqlite://")
    >>> with store.engine.begin() as conn:
    ...     write_batch(conn, make_batch("sqlite", "providers", [{"id": "groq", "label": "Groq", "hub_org": "groq"}]))
    ...     write_batch(conn, make_batch("sqlite", "providers", [{"id": "groq", "label": "GroqCloud", "hub_org": "groq"}]))
    >>> store.query("SELECT id, label FROM providers").rows
    [('groq', 'GroqCloud')]
    """
    if not batch.rows:
        return
    if page is not None:
        _write_staged(conn, batch, page)
        return
    statement, rows = batch.upsert, batch.rows
    if statement is None:
        if conn.dialect.name != "postgresql" or not _copied(conn, batch):
            upsert(conn, batch.table, rows, keep=batch.keep, update=batch.update)
        return
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for at in range(0, len(rows), statement.rows):
            chunk = rows[at : at + statement.rows]
            cursor.execute(statement.sql(len(chunk)), list(chain.from_iterable(chunk)))
    finally:
        cursor.close()


def _copied(conn: Connection, batch: Batch) -> bool:
    """``COPY`` a batch of new rows into its PostgreSQL table; False, undone, if a key already exists.

    ``COPY`` is the fastest way into PostgreSQL (about twice ``INSERT ... ON CONFLICT`` in
    ``benchmarks/bench_store.py``), but it cannot update: a first crawl's rows are all new and go
    this way; on a row whose key is there already, the savepoint is rolled back and the caller
    upserts the batch instead (a re-crawl's repo rows, whose conflict comes on the first row).
    """
    from psycopg.errors import UniqueViolation

    savepoint = conn.begin_nested()
    try:
        _copy(conn, batch.table, batch.table, batch.rows)
    except UniqueViolation:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _copy(conn: Connection, table: str, into: str, rows: list[Row], *extra: Any) -> None:
    """``COPY`` dicts of ``table``'s columns into PostgreSQL's table ``into``, each row followed by ``extra``."""
    columns = tuple(rows[0])
    schema: Table = Base.metadata.tables[table]
    get = itemgetter(*columns)
    jsons = [at for at, c in enumerate(columns) if isinstance(schema.c[c].type, JSON)]
    names = ", ".join(f'"{c}"' for c in columns + _STAGED_COLUMNS[: len(extra)])
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f'COPY "{into}" ({names}) FROM STDIN') as copy:
            for row in rows:
                values = list(get(row)) if len(columns) > 1 else [get(row)]
                for at in jsons:  # as text: the server parses it into its jsonb column
                    if values[at] is not None:
                        values[at] = _json_text(values[at])
                copy.write_row((*values, *extra))
    finally:
        cursor.close()


# --- a first crawl's staging tables ----------------------------------------------------------

#: The staging table of a table, and the column a staged row gets besides its table's own.
STAGED, _STAGED_COLUMNS = "staged_{}", ("page",)


def stage_tables(conn: Connection, groups: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Give each group whose parent table is empty a staging table per table; return the tables staged.

    ``groups`` maps a parent table (a listing's repos, keyed by ``id``) to its tables, the parent
    included, each with the column naming the parent. A first crawl into empty tables writes each
    page's rows to the staging tables (no key, no index, no foreign key: rows are appended as they
    come), and :func:`merge_staged` moves them into their tables in key order once the run ends.
    The Hub lists repos in no key order, so written straight into their tables, each page's rows
    land all over the tables' b-trees: at 2M made-up models the per-row cost of SQLite's writes
    grew 2.5x as the tables did, where appending stayed flat.
    """
    staged = []
    for parent, tables in groups.items():
        if conn.execute(select(Base.metadata.tables[parent].c.id).limit(1)).first() is not None:
            continue
        for name in tables:
            table = Base.metadata.tables[name]
            stage = Table(
                STAGED.format(name),
                MetaData(),
                *(Column(c.name, c.type) for c in table.columns),
                Column("page", Integer, nullable=False),
            )
            stage.drop(conn, checkfirst=True)  # an earlier run's, abandoned before it was merged
            stage.create(conn)
            staged.append(name)
    return staged


def merge_staged(conn: Connection, groups: Mapping[str, Mapping[str, str]], staged: Sequence[str]) -> None:
    """Move the rows of the ``staged`` tables (:func:`stage_tables`) into their tables, in key order.

    A repo staged on two pages (the listing moved under the crawl) keeps the last page's rows
    only, in its table and in every staged child's, as a page written straight would have
    replaced them: this is settled when the parent table is merged, so a caller merging a table
    a transaction names the parent first. The staging tables are dropped. A table or staging
    table that is gone (a database broken under a crawl) is passed over, so that the failed run
    is still recorded and the rest merged.
    """
    wanted = set(staged)
    present = set(inspect(conn).get_table_names())
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA threads = 2")  # SQLite's sorter may use a second core
    else:
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")  # each merge sorts its table once
    for parent, tables in groups.items():
        names = [n for n in tables if n in wanted and n in present and STAGED.format(n) in present]
        if not names:
            continue
        if parent in names:
            _keep_last_pages(conn, parent, {n: c for n, c in tables.items() if STAGED.format(n) in present})
        for name in names:
            table = Base.metadata.tables[name]
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            key = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            conn.exec_driver_sql(
                f'INSERT INTO "{name}" ({columns}) SELECT {columns} FROM "{STAGED.format(name)}" ORDER BY {key}'
            )
            conn.exec_driver_sql(f'DROP TABLE "{STAGED.format(name)}"')


def _keep_last_pages(conn: Connection, parent: str, tables: Mapping[str, str]) -> None:
    """Delete the staged rows of repos staged again on a later page (rare: none on a still listing)."""
    repeated = conn.exec_driver_sql(
        f'SELECT id, max(page) FROM "{STAGED.format(parent)}" GROUP BY id HAVING count(*) > 1'
    ).all()
    if not repeated:
        return
    conn.exec_driver_sql('CREATE TABLE "staged_repeats" (id VARCHAR PRIMARY KEY, page INTEGER NOT NULL)')
    conn.execute(
        Table("staged_repeats", MetaData(), Column("id"), Column("page")).insert(),
        [{"id": id, "page": page} for id, page in repeated],
    )
    for name, column in tables.items():
        conn.exec_driver_sql(
            f'DELETE FROM "{STAGED.format(name)}" WHERE page < '
            f'(SELECT r.page FROM staged_repeats r WHERE r.id = "{STAGED.format(name)}"."{column}")'
        )
    conn.exec_driver_sql('DROP TABLE "staged_repeats"')


def _write_staged(conn: Connection, batch: Batch, page: int) -> None:
    """Append a batch's rows to its staging table, each with ``page``."""
    into = STAGED.format(batch.table)
    if batch.upsert is None:
        _copy(conn, batch.table, into, batch.rows, page)
        return
    statement = _staged_statement(into, batch.columns)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for at in range(0, len(batch.rows), statement.rows):
            chunk = batch.rows[at : at + statement.rows]
            cursor.execute(statement.sql(len(chunk)), [v for row in chunk for v in (*row, page)])
    finally:
        cursor.close()


@dataclass(frozen=True, slots=True)
class _Upsert:
    """A SQLite upsert into one table, its ``VALUES`` list left open for as many rows as a statement takes."""

    head: str
    row: str
    tail: str
    rows: int

    def sql(self, rows: int) -> str:
        """Return the statement for ``rows`` rows."""
        return f"{self.head} {', '.join([self.row] * rows)} {self.tail}"


@cache
def _staged_statement(into: str, columns: tuple[str, ...]) -> _Upsert:
    names = ", ".join(f'"{c}"' for c in columns + _STAGED_COLUMNS)
    marks = ", ".join("?" for _ in columns + _STAGED_COLUMNS)
    return _Upsert(
        f'INSERT INTO "{into}" ({names}) VALUES', f"({marks})", "", max(1, _PARAMETERS // (len(columns) + 1))
    )


@cache
def _statement(table: str, columns: tuple[str, ...], keep: tuple[str, ...], update: bool) -> _Upsert:
    schema: Table = Base.metadata.tables[table]
    key = [c.name for c in schema.primary_key.columns]
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    changed = [c for c in columns if c not in key and c not in keep]
    conflict = ", ".join(f'"{c}"' for c in key)
    if update and changed:
        action = "DO UPDATE SET " + ", ".join(f'"{c}" = excluded."{c}"' for c in changed)
    else:
        action = "DO NOTHING"
    return _Upsert(
        f'INSERT INTO "{table}" ({names}) VALUES',
        f"({marks})",
        f"ON CONFLICT ({conflict}) {action}",
        max(1, _PARAMETERS // len(columns)),
    )


@cache
def _row_converter(table: str, columns: tuple[str, ...]) -> Callable[[Row], tuple[Any, ...]]:
    """Return what turns a row of ``table`` into its ``columns``' values as SQLite takes them."""
    schema: Table = Base.metadata.tables[table]
    converters = [_converter(schema.c[c].type) for c in columns]
    get = itemgetter(*columns)
    if all(c is None for c in converters):
        if len(columns) == 1:
            return lambda row: (get(row),)
        return get
    pairs = tuple((at, fn) for at, fn in enumerate(converters) if fn is not None)

    def convert(row: Row) -> tuple[Any, ...]:
        values = list(get(row))
        for at, fn in pairs:
            if values[at] is not None:
                values[at] = fn(values[at])
        return tuple(values)

    return convert


def _converter(type_: Any) -> Callable[[Any], Any] | None:
    impl = type_.dialect_impl(_SQLITE) if hasattr(type_, "dialect_impl") else type_
    if isinstance(impl, DateTime):
        return _sqlite_datetime
    if isinstance(impl, JSON):
        return _json_text
    return None


def _sqlite_datetime(value: datetime) -> str:
    # SQLAlchemy's SQLite DATETIME format, without the offset: the crawler's datetimes are in UTC.
    # orjson writes '"2024-03-02T23:29:04.120000+00:00"' (no fraction when it is zero) in half the
    # time of value.isoformat(" ", "microseconds"), which took 1 us.
    text = orjson.dumps(value).decode()
    return f"{text[1:11]} {text[12:20]}.{text[21:27] if text[20] == '.' else '000000'}"


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _sqlite_dialect() -> Any:
    from sqlalchemy.dialects import sqlite

    return sqlite.dialect()


_SQLITE = _sqlite_dialect()

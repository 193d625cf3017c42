"""Parquet: one file per table and one for the ``edges`` view, typed, written a row group at a time."""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Connection, Select

from catalog.errors import StoreError
from catalog.export.graph import Progress
from catalog.queries import export as export_queries
from catalog.queries.export import (
    GraphSelection,
    arrow_batches,
    column_type,
    read_batches,
    table_statement,
    tables,
)

__all__ = ["ARROW_TYPES", "write_parquet"]

#: The Arrow type of each portable column type: JSON as its text, timestamps in UTC.
ARROW_TYPES: dict[str, pa.DataType] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "json": pa.string(),
    "string": pa.string(),
}
_EDGE_COLUMNS = ("src_kind", "src_id", "rel", "dst_kind", "dst_id", "status")
#: Files written at once from Arrow batches (the machine this was measured on had 2 cores).
THREADS = min(2, os.cpu_count() or 1)


def write_parquet(
    conn: Connection,
    folder: Path,
    selection: GraphSelection,
    progress: Progress | None = None,
) -> dict[str, dict[str, Any]]:
    """Write every table, and the edges of ``selection``, as Parquet files in ``folder``.

    A filtered ``selection`` (held, see :meth:`~catalog.queries.export.GraphSelection.held`)
    narrows ``models`` and the tables keyed by model.
    Return, per file, its rows, its columns' types and what it holds.
    """
    files: dict[str, dict[str, Any]] = {}
    jobs: list[tuple[Path, dict[str, str], list[Select[Any]]]] = []
    for table in tables():
        types = {c.name: column_type(c) for c in table.columns}
        jobs.append((folder / f"{table.name}.parquet", types, [table_statement(table, selection)]))
        holds = f"the {table.name} table: {(table.comment or _doc(table.name)).strip()}"
        files[f"{table.name}.parquet"] = {"holds": holds, "rows": None, "columns": types}
    types = dict.fromkeys(_EDGE_COLUMNS, "string")
    jobs.append((folder / "edges.parquet", types, list(selection.edge_statements())))
    files["edges.parquet"] = {
        "holds": "the edges view: one row per relation of the graph exported (docs/schema.md)",
        "rows": None,
        "columns": types,
    }
    # A filtered statement reads this connection's temporary tables, which no other one sees.
    written = _write_arrow_files(conn, jobs, progress) if selection.where is None else {}
    for path, types, statements in jobs:
        rows = written.get(path)
        if rows is None:  # no Arrow reader, or a value of another type than its column's first:
            rows = _write(conn, path, types, statements, progress)  # a row at a time, naming it
        files[path.name]["rows"] = rows
    return files


def _doc(table: str) -> str:
    from catalog.schema import Base

    for mapper in Base.registry.mappers:
        if getattr(mapper.local_table, "name", None) == table:
            return (mapper.class_.__doc__ or "").strip()
    return ""


def _write_arrow_files(
    conn: Connection,
    jobs: Sequence[tuple[Path, dict[str, str], list[Select[Any]]]],
    progress: Progress | None,
) -> dict[Path, int]:
    """Write each job's file from Arrow batches read in C, :data:`THREADS` files at a time; return the rows of each written.

    The driver reads and Parquet encodes without Python's lock, so two files are written on two
    cores at once. A file with no reader, or whose values change type (:class:`_TypeChanged`), is
    left out of the answer, to be written again a row at a time.
    """
    lock = threading.Lock()

    def counted(rows: int) -> None:
        if progress is not None:
            with lock:
                progress(rows)

    written: dict[Path, int] = {}
    with ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="parquet") as pool:
        futures = {}
        for path, types, statements in jobs:
            wire = [_wire(kind, conn.dialect.name) for kind in types.values()]
            readers = [arrow_batches(conn, statement, [str(t) for t in wire]) for statement in statements]
            found = [reader for reader in readers if reader is not None]
            if len(found) == len(readers):
                futures[path] = pool.submit(_write_arrow, path, types, wire, found, counted)
        for path, future in futures.items():
            with suppress(OSError, _TypeChanged):
                written[path] = future.result()
    return written


def _write(
    conn: Connection,
    path: Path,
    types: dict[str, str],
    statements: Sequence[Select[Any]],
    progress: Progress | None,
) -> int:
    schema = pa.schema([pa.field(name, ARROW_TYPES[kind]) for name, kind in types.items()])
    wire = pa.struct([pa.field(name, _wire(kind, conn.dialect.name)) for name, kind in types.items()])
    rows = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer, _behind(writer.write_batch) as write:
        for statement in statements:
            for batch in read_batches(conn, statement):
                write(_record_batch(path.stem, schema, wire, types, batch))
                rows += len(batch)
                if progress is not None:
                    progress(len(batch))
    return rows


class _TypeChanged(Exception):
    """A table's values did not all come in the types the columns were read as."""


def _write_arrow(
    path: Path,
    types: dict[str, str],
    wire: list[pa.DataType],
    readers: Sequence[Iterable[pa.RecordBatch]],
    progress: Progress,
) -> int:
    """Write the batches of ``readers`` (:func:`arrow_batches`) to ``path``; return the rows written."""
    schema = pa.schema([pa.field(name, ARROW_TYPES[kind]) for name, kind in types.items()])
    rows = 0
    batches = (batch for reader in readers for batch in reader)
    with pq.ParquetWriter(path, schema, compression="zstd") as writer, _behind(writer.write_batch) as write:
        for batch in _rebatched(batches, export_queries.ROWS_PER_BATCH):
            if batch.schema.types != wire:  # the driver met a value of another type than the column's
                raise _TypeChanged(path.stem)
            columns = [_finish(column, kind) for column, kind in zip(batch.columns, types.values())]
            write(pa.RecordBatch.from_arrays(columns, schema=schema))
            rows += batch.num_rows
            progress(batch.num_rows)
    return rows


def _rebatched(batches: Iterable[pa.RecordBatch], size: int) -> Iterator[pa.RecordBatch]:
    """Yield the rows of ``batches`` again in batches of ``size`` (the last one shorter): a row group each."""
    held: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        held.append(batch)
        count += batch.num_rows
        while count >= size:
            rows = pa.Table.from_batches(held)
            yield rows.slice(0, size).combine_chunks().to_batches()[0]
            held, count = rows.slice(size).to_batches(), count - size
    if count:
        yield pa.Table.from_batches(held).combine_chunks().to_batches()[0]


@contextmanager
def _behind(write: Callable[[pa.RecordBatch], None]) -> Iterator[Callable[[pa.RecordBatch], None]]:
    """Yield a function handing batches to ``write`` in a thread of its own, at most one waiting.

    Parquet encodes and compresses without Python's lock, so a batch is written while the next
    is read and converted (which need it). An error in ``write`` is raised at the next hand-over,
    or on the way out.
    """
    waiting: queue.Queue[pa.RecordBatch | None] = queue.Queue(maxsize=1)
    failed: list[BaseException] = []

    def drain() -> None:
        while (batch := waiting.get()) is not None:
            if not failed:
                try:
                    write(batch)
                except BaseException as exc:  # handed to the reading thread
                    failed.append(exc)

    def hand(batch: pa.RecordBatch) -> None:
        if failed:
            raise failed[0]
        waiting.put(batch)

    thread = threading.Thread(target=drain, name="parquet-writer", daemon=True)
    thread.start()
    try:
        yield hand
    finally:
        waiting.put(None)
        thread.join()
    if failed:
        raise failed[0]


def _wire(kind: str, dialect: str) -> pa.DataType:
    """The Arrow type of a column's values as the driver hands them over."""
    if dialect == "sqlite" and kind == "timestamp":
        return pa.string()  # UTC wall times as text
    if dialect == "sqlite" and kind == "bool":
        return pa.int64()  # 0 and 1
    return ARROW_TYPES[kind]


def _record_batch(
    table: str, schema: pa.Schema, wire: pa.StructType, types: dict[str, str], rows: list[Any]
) -> pa.RecordBatch:
    try:
        # The rows as one struct array, converted in C: ten times faster than a list per column.
        columns = pa.array(rows, type=wire).flatten()
        return pa.RecordBatch.from_arrays(
            [_finish(c, kind) for c, kind in zip(columns, types.values())], schema=schema
        )
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return _by_column(table, schema, types, rows)  # slower, and names the column that fails


def _finish(column: pa.Array, kind: str) -> pa.Array:
    if column.type == ARROW_TYPES[kind]:
        return column
    if kind == "bool":
        return column.cast(pa.bool_())
    # SQLite's "YYYY-MM-DD HH:MM:SS.ffffff" in UTC, which Arrow parses in C; another spelling
    # (an offset, a "T") goes through Python's parser, which takes them all.
    try:
        return column.cast(pa.timestamp("us")).cast(ARROW_TYPES[kind])
    except pa.ArrowInvalid:
        return pa.array(list(_datetimes(column.to_pylist())), type=ARROW_TYPES[kind])


def _by_column(table: str, schema: pa.Schema, types: dict[str, str], rows: list[Any]) -> pa.RecordBatch:
    arrays = []
    for (name, kind), values in zip(types.items(), zip(*rows)):
        try:
            arrays.append(_array(values, kind))
        except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
            raise StoreError(f"cannot export {table}.{name} as {kind}: {exc}") from exc
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _array(values: Sequence[Any], kind: str) -> pa.Array:
    if kind == "bool" and any(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pa.array(values, type=pa.int64()).cast(pa.bool_())
    if kind == "timestamp" and any(isinstance(v, str) for v in values):
        return _finish(pa.array(values, type=pa.string()), kind)
    return pa.array(values, type=ARROW_TYPES[kind])


def _datetimes(values: Iterable[Any]) -> Iterable[datetime | None]:
    for value in values:
        if value is None or isinstance(value, datetime):
            yield value
        else:
            parsed = datetime.fromisoformat(value)
            yield parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed

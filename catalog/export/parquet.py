"""Parquet: one file per table and one for the ``edges`` view, typed, written a row group at a time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Connection, Select

from catalog.errors import StoreError
from catalog.export.graph import Progress
from catalog.queries.export import GraphSelection, column_type, read_batches, table_statement, tables

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


def write_parquet(
    conn: Connection,
    folder: Path,
    selection: GraphSelection,
    where: list[Any] | None,
    progress: Progress | None = None,
) -> dict[str, dict[str, Any]]:
    """Write every table, and the edges of ``selection``, as Parquet files in ``folder``.

    ``where`` (model conditions, or ``None``) narrows ``models`` and the tables keyed by model.
    Return, per file, its rows, its columns' types and what it holds.
    """
    files: dict[str, dict[str, Any]] = {}
    for table in tables():
        types = {c.name: column_type(c) for c in table.columns}
        rows = _write(
            conn, folder / f"{table.name}.parquet", types, [table_statement(table, where)], progress
        )
        holds = f"the {table.name} table: {(table.comment or _doc(table.name)).strip()}"
        files[f"{table.name}.parquet"] = {"holds": holds, "rows": rows, "columns": types}
    types = dict.fromkeys(_EDGE_COLUMNS, "string")
    rows = _write(conn, folder / "edges.parquet", types, list(selection.edge_statements()), progress)
    files["edges.parquet"] = {
        "holds": "the edges view: one row per relation of the graph exported (docs/schema.md)",
        "rows": rows,
        "columns": types,
    }
    return files


def _doc(table: str) -> str:
    from catalog.schema import Base

    for mapper in Base.registry.mappers:
        if getattr(mapper.local_table, "name", None) == table:
            return (mapper.class_.__doc__ or "").strip()
    return ""


def _write(
    conn: Connection,
    path: Path,
    types: dict[str, str],
    statements: Sequence[Select[Any]],
    progress: Progress | None,
) -> int:
    schema = pa.schema([pa.field(name, ARROW_TYPES[kind]) for name, kind in types.items()])
    rows = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for statement in statements:
            for batch in read_batches(conn, statement):
                writer.write_batch(_record_batch(path.stem, schema, types, batch))
                rows += len(batch)
                if progress is not None:
                    progress(len(batch))
    return rows


def _record_batch(table: str, schema: pa.Schema, types: dict[str, str], rows: list[Any]) -> pa.RecordBatch:
    arrays = []
    for (name, kind), values in zip(types.items(), zip(*rows)):
        try:
            arrays.append(_array(values, kind))
        except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
            raise StoreError(f"cannot export {table}.{name} as {kind}: {exc}") from exc
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _array(values: Sequence[Any], kind: str) -> pa.Array:
    if kind != "timestamp":
        return pa.array(values, type=ARROW_TYPES[kind])
    if not any(isinstance(v, str) for v in values):  # PostgreSQL: aware datetimes
        return pa.array(values, type=ARROW_TYPES[kind])
    # SQLite holds UTC wall times as text, "YYYY-MM-DD HH:MM:SS.ffffff": Arrow parses those in C.
    try:
        naive = pa.array(values, type=pa.string()).cast(pa.timestamp("us"))
    except pa.ArrowInvalid:  # another spelling (an offset, a "T"): Python's parser takes them all
        return pa.array(list(_datetimes(values)), type=ARROW_TYPES[kind])
    return naive.cast(ARROW_TYPES[kind])


def _datetimes(values: Iterable[Any]) -> Iterable[datetime | None]:
    for value in values:
        if value is None or isinstance(value, datetime):
            yield value
        else:
            parsed = datetime.fromisoformat(value)
            yield parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed

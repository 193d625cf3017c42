"""Write the rows of MADE-UP Hub records through the store's write path and through the bare driver.

The records come from :mod:`hubgen` (Hub-shaped, ~1.2 KB a model, made up; cached on disk), are
normalised by :mod:`catalog.normalize` page by page (1,000 records, as the crawler gets them; the
normaliser's time is reported on its own) and every page is written twice, into two databases with
the same migrated schema:

* ``store``: the crawler's write path, :func:`catalog.bulk.make_batch` + :func:`catalog.bulk.write_batch`
  in one transaction a page, as a first crawl writes: into staging tables, merged in key order
  at the end (:func:`catalog.bulk.merge_staged`), then the deferred indexes built;
* ``floor``: the bare driver with the same rows already converted (not timed): on SQLite
  ``sqlite3`` ``executemany`` of plain ``INSERT`` (same deferred indexes), on PostgreSQL ``COPY``
  (psycopg's ``cursor.copy``, JSON pre-serialised; the same deferred indexes).

The two loads alternate page by page, the first of the pair swapping each time, so that a machine
shared with other work slows both alike: read the ratio, not the rates. Usage::

    .venv/bin/python benchmarks/bench_store.py --models 200000 [--db postgresql://...]

History. Until 2026-12-01 this benchmark loaded its own simpler rows (about 5 tags a model, no raw
JSON): at 1,000,000 models, SQLite bare 28,376 rows/s vs store 27,937 (0.98x); PostgreSQL bare
``executemany`` 30,411 vs store 25,124 (0.83x). Those rows were far lighter than the Hub's, and the
PostgreSQL floor was ``executemany``, not ``COPY``: the figures are not comparable with these.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

import hubgen
import orjson
from sqlalchemy import text

from catalog.bulk import defer_indexes, make_batch, merge_staged, restore_indexes, stage_tables, write_batch
from catalog.crawl.run import STAGED_TABLES
from catalog.hub.snapshot import REPO_KINDS, Snapshot
from catalog.normalize import normalize_dataset, normalize_model, normalize_space
from catalog.schema import Base
from catalog.store import Store, create_engine_for

__all__ = ["LOADED", "db_bytes", "load_race", "scratch_schema", "table_rows"]

PAGE = 1000
_NORMALIZE = {"models": normalize_model, "datasets": normalize_dataset, "spaces": normalize_space}
#: Child tables of each kind, in the order a crawl writes them.
_CHILDREN = {
    "models": ("model_tags", "model_lineage", "model_datasets", "model_providers", "model_apps"),
    "datasets": ("dataset_tags",),
    "spaces": ("space_models", "space_datasets"),
}
LOADED = (*REPO_KINDS, *(t for tables in _CHILDREN.values() for t in tables), "model_history")
_SEEN = datetime(2026, 12, 1, tzinfo=UTC)
Rows = dict[str, list[dict[str, Any]]]


def table_rows(snapshot: Snapshot) -> Iterator[tuple[Rows, float, int]]:
    """Yield each page's rows per table, the seconds spent normalising it, and its record count."""
    shared = {"first_seen": _SEEN, "last_seen": _SEEN, "deleted_at": None}
    for kind in REPO_KINDS:
        normalize = _NORMALIZE[kind]
        lines = snapshot.iter_lines(kind)
        while True:
            page = [orjson.loads(line) for _, line in zip(range(PAGE), lines)]
            if not page:
                break
            started = time.process_time()
            items = sorted((normalize(raw) for raw in page), key=lambda item: item.id)
            rows: Rows = {kind: [item.row | shared for item in items]}
            for table in _CHILDREN[kind]:
                rows[table] = [row for item in items for row in item.children[table]]
            if kind == "models":
                rows["model_history"] = [(item.history or {}) | {"run_id": 1} for item in items]
            yield rows, time.process_time() - started, len(page)


class _StorePath:
    """The crawler's writes: ``make_batch`` + ``write_batch``, one transaction a page."""

    name = "store"

    def __init__(self, url: str) -> None:
        self.store = Store.open(url)
        self.dialect = self.store.dialect
        with self.store.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO crawl_runs (id, started_at, status) VALUES (1, '2026-12-01', 'x')"
            )
            self.deferred = defer_indexes(conn, LOADED)
            self.staged = stage_tables(conn, STAGED_TABLES)
        self.pages = 0

    def load(self, rows: Rows) -> None:
        self.pages += 1
        with self.store.engine.begin() as conn:
            for table, table_rows in rows.items():
                # As a crawl does: a repo's row is upserted (keeping first_seen), its children inserted.
                upsert = table in REPO_KINDS
                keep = ("first_seen",) if upsert else ()
                batch = make_batch(self.dialect, table, table_rows, keep=keep, update=upsert)
                write_batch(conn, batch, page=self.pages if table in self.staged else None)

    def finish(self) -> None:
        with self.store.engine.begin() as conn:
            merge_staged(conn, STAGED_TABLES, self.staged)
            restore_indexes(conn, self.deferred)
        self.store.close()


class _BareSqlite:
    """``sqlite3`` ``executemany`` of plain ``INSERT`` over the rows converted beforehand."""

    name = "floor"

    def __init__(self, path: Path) -> None:
        url = f"sqlite:///{path}"
        with Store.open(url) as store, store.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO crawl_runs (id, started_at, status) VALUES (1, '2026-12-01', 'x')"
            )
            self.deferred = defer_indexes(conn, LOADED)
        self.url = url
        self.conn = sqlite3.connect(path)
        for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"):
            self.conn.execute(f"PRAGMA {pragma}")

    def prepare(self, rows: Rows) -> list[tuple[str, list[Any]]]:
        prepared = []
        for table, table_rows in rows.items():
            if table_rows:
                batch = make_batch("sqlite", table, table_rows, update=False)
                columns = ", ".join(f'"{c}"' for c in table_rows[0])
                marks = ", ".join("?" * len(table_rows[0]))
                prepared.append((f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', batch.rows))
        return prepared

    def load(self, prepared: list[tuple[str, list[Any]]]) -> None:
        for sql, values in prepared:
            self.conn.executemany(sql, values)
        self.conn.commit()

    def finish(self) -> None:
        self.conn.close()
        with Store.open(self.url) as store, store.engine.begin() as conn:
            restore_indexes(conn, self.deferred)


class _BareCopy:
    """psycopg ``COPY ... FROM STDIN`` over the rows converted beforehand (JSON as text)."""

    name = "floor"

    def __init__(self, url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        with Store.open(url) as store, store.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO crawl_runs (id, started_at, status) VALUES (1, '2026-12-01', 'x')"
            )
            # As the store path does: the rows go into unindexed tables, indexed once at the end.
            self.deferred = defer_indexes(conn, LOADED)
        self.url = url
        parsed = make_url(url)
        dsn = parsed.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
        options = parsed.query.get("options")
        self.conn = psycopg.connect(dsn, options=options if isinstance(options, str) else None)
        self.json = {
            t.name: {c.name for c in t.columns if "JSON" in str(c.type)} for t in Base.metadata.sorted_tables
        }

    def prepare(self, rows: Rows) -> list[tuple[str, list[tuple[Any, ...]]]]:
        prepared = []
        for table, table_rows in rows.items():
            if table_rows:
                columns = list(table_rows[0])
                get = itemgetter(*columns)
                json_at = [i for i, c in enumerate(columns) if c in self.json[table]]
                values = []
                for row in table_rows:
                    value = list(get(row)) if len(columns) > 1 else [get(row)]
                    for i in json_at:
                        if value[i] is not None:
                            value[i] = orjson.dumps(value[i]).decode()
                    values.append(tuple(value))
                names = ", ".join(f'"{c}"' for c in columns)
                prepared.append((f'COPY "{table}" ({names}) FROM STDIN', values))
        return prepared

    def load(self, prepared: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
        with self.conn.cursor() as cursor:
            for sql, values in prepared:
                with cursor.copy(sql) as copy:
                    for value in values:
                        copy.write_row(value)
        self.conn.commit()

    def finish(self) -> None:
        self.conn.close()
        with Store.open(self.url) as store, store.engine.begin() as conn:
            restore_indexes(conn, self.deferred)


def load_race(snapshot: Snapshot, store_url: str, floor_url: str) -> dict[str, Any]:
    """Write every page of ``snapshot`` through the store path and through the bare floor; return figures."""
    store = _StorePath(store_url)
    floor: _BareSqlite | _BareCopy
    if store.dialect == "sqlite":
        floor = _BareSqlite(Path(floor_url.removeprefix("sqlite:///")))
    else:
        floor = _BareCopy(floor_url)
    wall = {"store": 0.0, "floor": 0.0}
    cpu = {"store": 0.0, "floor": 0.0}
    normalise = 0.0
    records = rows_written = pages = 0
    for rows, seconds, count in table_rows(snapshot):
        normalise += seconds
        records += count
        rows_written += sum(map(len, rows.values()))
        prepared = floor.prepare(rows)
        order: list[Any] = [(store, rows), (floor, prepared)]
        for loader, payload in order if pages % 2 == 0 else order[::-1]:
            start, start_cpu = time.perf_counter(), time.process_time()
            loader.load(payload)
            wall[loader.name] += time.perf_counter() - start
            cpu[loader.name] += time.process_time() - start_cpu
        pages += 1
    for loader in (store, floor):
        start, start_cpu = time.perf_counter(), time.process_time()
        loader.finish()  # the deferred indexes
        wall[loader.name] += time.perf_counter() - start
        cpu[loader.name] += time.process_time() - start_cpu
    return {
        "records": records,
        "rows": rows_written,
        "pages": pages,
        "normalise_cpu_s": normalise,
        "normalise_us_a_record": normalise / max(records, 1) * 1e6,
        "store_s": wall["store"],
        "floor_s": wall["floor"],
        "store_cpu_s": cpu["store"],
        "floor_cpu_s": cpu["floor"],
        "vs_floor": wall["floor"] / wall["store"] if wall["store"] else None,
        "store_bytes": db_bytes(store_url),
        "floor_bytes": db_bytes(floor_url),
    }


def db_bytes(url: str) -> int:
    """Return the bytes a database takes on disk: the SQLite file and its WAL, or a PostgreSQL schema."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        return sum(
            Path(path + suffix).stat().st_size for suffix in ("", "-wal") if Path(path + suffix).exists()
        )
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.exec_driver_sql(
                    "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')"
                ).scalar()
                or 0
            )
    finally:
        engine.dispose()


def scratch_schema(url: str) -> tuple[str, Any]:
    """Create a scratch schema on the PostgreSQL ``url``; return a URL into it and a function dropping it."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine_for(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        admin.dispose()

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--models", type=int, default=200_000, help="made-up models (and their datasets, Spaces)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench-hub")
    parser.add_argument(
        "--db", metavar="URL", help="also compare on this PostgreSQL database (scratch schemas)"
    )
    args = parser.parse_args()
    snapshot, _ = hubgen.cached_snapshot(
        args.work / f"snapshot-{args.models}-{args.seed}", args.models, seed=args.seed
    )
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        results: dict[str, Any] = {
            "sqlite": load_race(snapshot, f"sqlite:///{tmp}/store.db", f"sqlite:///{tmp}/floor.db")
        }
    if args.db:
        (store_url, drop_store), (floor_url, drop_floor) = scratch_schema(args.db), scratch_schema(args.db)
        try:
            results["postgresql"] = load_race(snapshot, store_url, floor_url)
        finally:
            drop_store()
            drop_floor()
    results["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()

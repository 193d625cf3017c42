"""Copy a crawled SQLite catalog into a PostgreSQL schema with COPY, for benchmarks only.

Crawling 1,000,000 made-up models into PostgreSQL takes long; the rows of a SQLite catalog that
``bench_graph.py`` already crawled are the same rows. The schema is migrated to head by
``Store.open`` first (so every index of every revision exists), each table is then filled by
``COPY ... FROM STDIN`` in the metadata's order with the foreign-key triggers off for the session
(``session_replication_role = replica``: the rows come from a catalog that held them).
``ANALYZE`` then gives the planner its statistics, and ``VACUUM models`` marks the heap
all-visible for the search's index-only walks, as a full crawl does. Values travel as SQLite holds
them (timestamps as UTC text, JSON as text, booleans as 0/1), which PostgreSQL's input functions
read as they are.

Run::

    .venv/bin/python benchmarks/pg_copy.py graph-1000000-0.db postgresql://postgres@127.0.0.1:5432/test \\
        --schema bench_1m
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from typing import Any

__all__ = ["copy_catalog"]

BATCH = 20_000


def copy_catalog(sqlite_path: str, url: str, schema: str) -> list[dict[str, Any]]:
    """Create ``schema`` on ``url``, migrate it, fill it with every table of ``sqlite_path``; return the rows."""
    import psycopg

    from catalog.schema import Base
    from catalog.store import Store
    from catalog.store.engine import create_engine_for

    admin = create_engine_for(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    admin.dispose()
    separator = "&" if "?" in url else "?"
    schema_url = f"{url}{separator}options=-csearch_path%3D{schema}"
    Store.open(schema_url).close()
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    rows = []
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=False) as pg:
        pg.execute(f'SET search_path TO "{schema}"')
        pg.execute("SET session_replication_role = replica")
        pg.execute("SET TIME ZONE 'UTC'")
        for table in Base.metadata.sorted_tables:
            started = time.perf_counter()
            columns = [c.name for c in table.columns]
            quoted = ", ".join(f'"{c}"' for c in columns)
            cursor = source.execute(f'SELECT {quoted} FROM "{table.name}"')
            count = 0
            with pg.cursor().copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                while batch := cursor.fetchmany(BATCH):
                    for row in batch:
                        copy.write_row(row)
                    count += len(batch)
            pg.commit()
            rows.append({"table": table.name, "rows": count, "wall_s": time.perf_counter() - started})
        pg.execute("SET session_replication_role = DEFAULT")
        pg.commit()
        pg.autocommit = True
        started = time.perf_counter()
        pg.execute("ANALYZE")
        rows.append({"table": "(ANALYZE)", "wall_s": time.perf_counter() - started})
        started = time.perf_counter()
        pg.execute("VACUUM models")  # as a full crawl ends (catalog.bulk.vacuum)
        rows.append({"table": "(VACUUM models)", "wall_s": time.perf_counter() - started})
    source.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("sqlite_path")
    parser.add_argument("url", help="PostgreSQL URL")
    parser.add_argument("--schema", required=True, help="the schema to create (it must not exist)")
    args = parser.parse_args()
    for row in copy_catalog(args.sqlite_path, args.url, args.schema):
        print(row, flush=True)


if __name__ == "__main__":
    main()

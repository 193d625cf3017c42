"""Load made-up model rows through the store's ``upsert`` and through bare ``sqlite3``; compare rates.

Every row here is MADE UP (ids ``madeup-org#####/model-#######``, a ``made-up`` tag on every model):
they have the shape of Hub models, not their content. The rows are generated deterministically from
``--seed`` in chunks of 50,000 models with their tags (about 5 a model), as a crawler's page would
come, and every chunk is loaded twice, into two SQLite files:

* ``bare``: ``sqlite3`` ``executemany`` of ``INSERT ... ON CONFLICT DO UPDATE`` (the statement the
  store issues) over tuples made from the same dicts by the leanest Python at hand (``itemgetter``,
  datetimes and dicts turned into the text SQLAlchemy stores; this beats named parameters with
  ``sqlite3`` adapters by about a fifth);
* ``store``: :func:`catalog.store.upsert` on a SQLAlchemy connection.

Each chunk commits (models, then their tags). Both files are created by the store's Alembic
migration, so schema and indexes are the same, and both connections use the store's pragmas. The two
loads alternate chunk by chunk, the first of the pair swapping each time, so that a machine shared
with other work slows both alike: the ratio holds even when the absolute rates wander. At the end
the two files are checked to hold the same rows. Each load is timed by the wall clock and by the
process's CPU time (SQLite works inside the process, so CPU time is what other work on the machine
disturbs least). Peak memory is the process's max RSS: it holds one chunk at a time, so it should
not grow with the row count.

Run (about eight minutes for the full million on a quiet 2-core machine)::

    .venv/bin/python benchmarks/bench_store.py --models 1000000

Add ``--db postgresql://postgres@127.0.0.1:5432/test`` to compare on PostgreSQL as well: the store's
``upsert`` next to bare ``psycopg`` ``executemany``, each in a scratch schema dropped afterwards.

Measured 2026-11-29, 1,000,000 models / 6,349,835 rows, on a 2-core machine busy with other work
(load 4-8, hence wall clock about twice CPU time)::

    SQLite 3.40.1      bare 28,376 rows/s   store 27,937 rows/s   0.98 by the clock, 0.93 by CPU
    PostgreSQL 15.20   bare 30,411 rows/s   store 25,124 rows/s   0.83 by the clock, 0.88 by CPU
    peak RSS 384 MB after the first chunk, 406 MB at the end (both loaders in one process)
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import text

from catalog.store import Store, create_engine_for, upsert

TASKS = [
    "text-generation",
    "text-classification",
    "token-classification",
    "fill-mask",
    "translation",
    "summarization",
    "question-answering",
    "feature-extraction",
    "sentence-similarity",
    "text-to-image",
    "image-classification",
    "object-detection",
    "image-segmentation",
    "automatic-speech-recognition",
    "text-to-speech",
    "audio-classification",
    "reinforcement-learning",
    "image-text-to-text",
    "zero-shot-classification",
    "text-ranking",
]
LIBRARIES = [
    "transformers",
    "sentence-transformers",
    "diffusers",
    "peft",
    "gguf",
    "timm",
    "mlx",
    "onnx",
    "keras",
    "adapter-transformers",
    "stable-baselines3",
    "ml-agents",
    "speechbrain",
    "espnet",
    "open_clip",
    "setfit",
    "flair",
    "spacy",
    "fastai",
    "pytorch",
]
LICENSES = ["apache-2.0", "mit", "cc-by-4.0", "openrail", "llama3", "gemma", "other", "bsd-3-clause"]
LANGUAGES = ["en", "fr", "de", "zh", "es", "ja", "ru", "ar", "multilingual", "ko"]
MODEL_TYPES = ["llama", "bert", "gpt2", "t5", "mistral", "qwen2", "vit", "whisper", "clip", "roberta"]
EPOCH = datetime(2021, 1, 1, tzinfo=UTC)
SEEN = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
#: Models per committed chunk, as one crawled page would be (tags follow their models).
CHUNK = 50_000
KEYS = {"models": ["id"], "model_tags": ["model_id", "tag"]}
DATETIMES = {"created_at", "last_modified", "first_seen", "last_seen"}
JSONS = {"parameters"}

Rows = list[dict[str, Any]]


def made_up_models(count: int, seed: int) -> Iterator[tuple[Rows, Rows]]:
    """Yield ``(models, tags)`` chunks of made-up rows, the same for the same ``count`` and ``seed``."""
    rng = random.Random(seed)
    models: Rows = []
    tags: Rows = []
    for i in range(count):
        author = f"madeup-org{rng.randrange(50_000):05d}"
        model_id = f"{author}/model-{i:07d}"
        created = EPOCH + timedelta(seconds=rng.randrange(180_000_000))
        task = rng.choice(TASKS) if rng.random() < 0.8 else None
        library = rng.choice(LIBRARIES) if rng.random() < 0.85 else None
        license = rng.choice(LICENSES) if rng.random() < 0.7 else None
        params = int(10 ** rng.uniform(6, 11)) if rng.random() < 0.6 else None
        downloads = int(10 ** rng.uniform(0, 7)) if rng.random() < 0.9 else 0
        models.append(
            {
                "id": model_id,
                "author": author,
                "pipeline_tag": task,
                "library_name": library,
                "created_at": created,
                "last_modified": created + timedelta(seconds=rng.randrange(10_000_000)),
                "downloads": downloads,
                "downloads_all_time": downloads * rng.randrange(1, 20),
                "likes": int(10 ** rng.uniform(0, 4)) - 1,
                "trending_score": round(rng.random() * 10, 3),
                "private": False,
                "gated": rng.choice(["false", "false", "false", "auto", "manual"]),
                "disabled": False,
                "sha": f"{rng.getrandbits(160):040x}",
                "license": license,
                "num_parameters": params,
                "parameters": {"BF16": params} if params else None,
                "parameters_source": "safetensors" if params else None,
                "config_model_type": rng.choice(MODEL_TYPES),
                "first_seen": SEEN,
                "last_seen": SEEN,
            }
        )
        model_tags = {"made-up", rng.choice(LANGUAGES), "region:us"}
        if license:
            model_tags.add(f"license:{license}")
        if library:
            model_tags.add(library)
        if task:
            model_tags.add(task)
        tags.extend({"model_id": model_id, "tag": tag} for tag in sorted(model_tags))
        if len(models) == CHUNK:
            yield models, tags
            models, tags = [], []
    if models:
        yield models, tags


# --- loaders ------------------------------------------------------------------------------------


class Loader(Protocol):
    name: str

    def load(self, models: Rows, tags: Rows) -> None: ...

    def close(self) -> None: ...


def upsert_sql(table: str, columns: list[str], mark: str) -> str:
    """Return the ``INSERT ... ON CONFLICT DO UPDATE`` a bare loader runs (``mark`` formats a name)."""
    key = KEYS[table]
    rest = [c for c in columns if c not in key]
    action = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in rest) if rest else "DO NOTHING"
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(mark.format(c) for c in columns)}) "
        f"ON CONFLICT ({', '.join(key)}) {action}"
    )


def sqlite_values(columns: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """Return a function making a row's tuple, with the text SQLAlchemy stores for datetimes and JSON."""
    get = itemgetter(*columns)
    datetimes = [i for i, c in enumerate(columns) if c in DATETIMES]
    jsons = [i for i, c in enumerate(columns) if c in JSONS]
    if not datetimes and not jsons:
        return get  # type: ignore[return-value]

    def values(row: dict[str, Any]) -> tuple[Any, ...]:
        out = list(get(row))
        for i in datetimes:
            if out[i] is not None:  # SQLAlchemy's SQLite DATETIME text drops the (UTC) offset
                out[i] = out[i].replace(tzinfo=None).isoformat(" ", "microseconds")
        for i in jsons:
            if out[i] is not None:
                out[i] = json.dumps(out[i])
        return tuple(out)

    return values


class BareSqlite:
    """``sqlite3`` ``executemany`` with the store's pragmas, no SQLAlchemy."""

    name = "sqlite3 executemany"

    def __init__(self, path: Path, pragmas: list[str]) -> None:
        self.conn = sqlite3.connect(path)
        for pragma in pragmas:
            self.conn.execute(pragma)
        self.statements: dict[str, tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]]] = {}

    def load(self, models: Rows, tags: Rows) -> None:
        for table, rows in (("models", models), ("model_tags", tags)):
            if table not in self.statements:
                columns = list(rows[0])
                self.statements[table] = (upsert_sql(table, columns, "?"), sqlite_values(columns))
            sql, values = self.statements[table]
            self.conn.executemany(sql, map(values, rows))
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()


class StoreLoader:
    """:func:`catalog.store.upsert`, one transaction per chunk."""

    def __init__(self, url: str, name: str) -> None:
        self.store = Store.open(url)
        self.name = name

    def load(self, models: Rows, tags: Rows) -> None:
        with self.store.engine.begin() as conn:
            upsert(conn, "models", models)
            upsert(conn, "model_tags", tags)

    def close(self) -> None:
        self.store.close()


class BarePostgres:
    """``psycopg`` ``executemany`` (pipelined by psycopg 3), no SQLAlchemy."""

    name = "psycopg executemany"

    def __init__(self, url: str) -> None:
        import psycopg
        from psycopg.types.json import JsonbDumper
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        dsn = parsed.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
        self.conn = psycopg.connect(dsn, options=parsed.query.get("options"))
        self.conn.adapters.register_dumper(dict, JsonbDumper)
        self.statements: dict[str, str] = {}

    def load(self, models: Rows, tags: Rows) -> None:
        with self.conn.cursor() as cursor:
            for table, rows in (("models", models), ("model_tags", tags)):
                if table not in self.statements:
                    self.statements[table] = upsert_sql(table, list(rows[0]), "%({})s")
                cursor.executemany(self.statements[table], rows)
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()


# --- measuring ----------------------------------------------------------------------------------


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def race(loaders: list[Loader], count: int, seed: int) -> dict[str, Any]:
    """Feed every chunk to each loader in turn, swapping who goes first; return times and rows."""
    wall = {loader.name: 0.0 for loader in loaders}
    cpu = {loader.name: 0.0 for loader in loaders}
    rows = 0
    generate = rss_first = 0.0
    chunks = made_up_models(count, seed)
    for i in range(len(range(0, count, CHUNK))):
        start = time.perf_counter()
        models, tags = next(chunks)
        generate += time.perf_counter() - start
        for loader in loaders if i % 2 == 0 else loaders[::-1]:
            start, start_cpu = time.perf_counter(), time.process_time()
            loader.load(models, tags)
            wall[loader.name] += time.perf_counter() - start
            cpu[loader.name] += time.process_time() - start_cpu
        rows += len(models) + len(tags)
        del models, tags  # one chunk alive at a time, not two
        if i == 0:
            rss_first = max_rss_mb()
    for loader in loaders:
        loader.close()
    return {
        "rows": rows,
        "wall": wall,
        "cpu": cpu,
        "generate": generate,
        "rss_first": rss_first,
        "rss": max_rss_mb(),
    }


def report(result: dict[str, Any], bare: str, store: str) -> None:
    rows, wall, cpu = result["rows"], result["wall"], result["cpu"]
    for name in wall:
        print(
            f"  {name:<28} {wall[name]:>7.1f} s {rows / wall[name]:>9,.0f} rows/s   "
            f"CPU {cpu[name]:>7.1f} s {rows / cpu[name]:>9,.0f} rows/s"
        )
    print(
        f"  store / bare rate: {wall[bare] / wall[store]:.2f} by the clock, {cpu[bare] / cpu[store]:.2f} "
        f"by CPU time (target >= 0.50)"
    )
    print(
        f"  generating the rows: {result['generate']:.1f} s (counted in neither); peak RSS "
        f"{result['rss_first']:.0f} MB after the first chunk, {result['rss']:.0f} MB at the end"
    )


def store_pragmas(url: str) -> list[str]:
    """Return the pragmas a store connection runs with, read back from a live connection."""
    with Store.open(url) as store, store.engine.connect() as conn:
        names = ("journal_mode", "foreign_keys", "synchronous", "cache_size")
        return [f"PRAGMA {n}={conn.exec_driver_sql(f'PRAGMA {n}').scalar()}" for n in names]


def check_same_content(bare: Path, store: Path) -> None:
    """Fail unless both SQLite files hold the same rows (counts, sums, samples, the tags)."""
    checks = [
        "SELECT COUNT(*), SUM(downloads), SUM(num_parameters), COUNT(DISTINCT author) FROM models",
        "SELECT * FROM models ORDER BY id LIMIT 3",
        "SELECT * FROM models ORDER BY id DESC LIMIT 3",
        "SELECT tag, COUNT(*) FROM model_tags GROUP BY tag ORDER BY tag",
    ]
    for sql in checks:
        a = sqlite3.connect(bare).execute(sql).fetchall()
        b = sqlite3.connect(store).execute(sql).fetchall()
        if a != b:
            raise SystemExit(f"the two files differ on {sql!r}:\n  bare  {a[:3]}\n  store {b[:3]}")


def bench_sqlite(count: int, seed: int, keep: bool) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench_store_"))
    bare_file, store_file = workdir / "bare.db", workdir / "store.db"
    store_url = f"sqlite:///{store_file}"
    pragmas = store_pragmas(f"sqlite:///{bare_file}")  # also migrates the bare file
    print(f"SQLite {sqlite3.sqlite_version}, {'; '.join(pragmas)}")
    loaders: list[Loader] = [BareSqlite(bare_file, pragmas), StoreLoader(store_url, "store upsert")]
    result = race(loaders, count, seed)
    print(f"{result['rows']:,} rows: {count:,} MADE-UP models (seed {seed}) and their tags")
    report(result, BareSqlite.name, "store upsert")
    check_same_content(bare_file, store_file)
    print(f"  both files hold the same rows; {store_file.stat().st_size / 2**20:,.0f} MB each on disk")
    if keep:
        print(f"  files kept in {workdir}")
    else:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


def bench_postgresql(url: str, count: int, seed: int) -> None:
    admin = create_engine_for(url)
    schemas = [f"bench_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    separator = "&" if "?" in url else "?"
    scoped = [f"{url}{separator}options=-csearch_path%3D{schema}" for schema in schemas]
    try:
        for schema, schema_url in zip(schemas, scoped):
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            Store.open(schema_url).close()
        loaders: list[Loader] = [BarePostgres(scoped[0]), StoreLoader(scoped[1], "store upsert (PostgreSQL)")]
        with admin.connect() as conn:
            version = conn.exec_driver_sql("SHOW server_version").scalar()
        print(f"PostgreSQL {version}")
        result = race(loaders, count, seed)
        print(f"{result['rows']:,} rows: {count:,} MADE-UP models (seed {seed}) and their tags")
        report(result, BarePostgres.name, "store upsert (PostgreSQL)")
    finally:
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--models", type=int, default=1_000_000, help="made-up models to load")
    parser.add_argument("--seed", type=int, default=2, help="seed of the made-up rows")
    parser.add_argument(
        "--db", metavar="URL", help="also compare on this PostgreSQL database (scratch schemas)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the SQLite files")
    args = parser.parse_args()
    bench_sqlite(args.models, args.seed, args.keep)
    if args.db:
        bench_postgresql(args.db, args.models, args.seed)


if __name__ == "__main__":
    main()

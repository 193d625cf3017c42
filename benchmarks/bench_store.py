"""Load made-up model rows through the store's ``upsert`` and through bare ``sqlite3``; compare rates.

Every row here is MADE UP (ids ``madeup-org#####/model-#######``, a ``made-up`` tag on every model):
they have the shape of Hub models, not their content. The rows are generated deterministically from
``--seed``, streamed (never all held in memory), and fed identically to each loader:

* ``generate``: the generator alone, so its cost can be told apart from the loaders';
* ``bare``: ``sqlite3`` ``executemany`` of ``INSERT ... ON CONFLICT DO UPDATE`` (the same statement
  the store issues) with named parameters over the same dicts, ``sqlite3`` adapters turning datetimes
  and dicts into the same text SQLAlchemy stores;
* ``store``: :func:`catalog.store.upsert` on a SQLAlchemy connection.

Both SQLite files are created by the store's Alembic migration, so schema and indexes are the same,
and both connections use the store's pragmas (WAL, foreign keys on, ``synchronous=NORMAL``). Each
phase runs in a child process of its own so that its peak memory (max RSS) is its own. The models of
a chunk go in, then their tags, and the chunk commits, as a crawler's page would. At the end the two
files are checked to hold the same rows.

Run (about ten minutes for the full million on a 2-core machine)::

    .venv/bin/python benchmarks/bench_store.py --models 1000000

Add ``--db postgresql://postgres@127.0.0.1:5432/test`` for PostgreSQL figures too (store ``upsert``
next to bare ``psycopg`` ``executemany``, in a schema of their own that is dropped afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

TASKS = [
    "text-generation", "text-classification", "token-classification", "fill-mask", "translation",
    "summarization", "question-answering", "feature-extraction", "sentence-similarity",
    "text-to-image", "image-classification", "object-detection", "image-segmentation",
    "automatic-speech-recognition", "text-to-speech", "audio-classification",
    "reinforcement-learning", "image-text-to-text", "zero-shot-classification", "text-ranking",
]  # fmt: skip
LIBRARIES = [
    "transformers", "sentence-transformers", "diffusers", "peft", "gguf", "timm", "mlx", "onnx",
    "keras", "adapter-transformers", "stable-baselines3", "ml-agents", "speechbrain", "espnet",
    "open_clip", "setfit", "flair", "spacy", "fastai", "pytorch",
]  # fmt: skip
LICENSES = ["apache-2.0", "mit", "cc-by-4.0", "openrail", "llama3", "gemma", "other", "bsd-3-clause"]
LANGUAGES = ["en", "fr", "de", "zh", "es", "ja", "ru", "ar", "multilingual", "ko"]
MODEL_TYPES = ["llama", "bert", "gpt2", "t5", "mistral", "qwen2", "vit", "whisper", "clip", "roberta"]
EPOCH = datetime(2021, 1, 1, tzinfo=timezone.utc)
SEEN = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
#: Models per committed chunk, as one crawled page would be (tags follow their models).
CHUNK = 50_000


def made_up_models(count: int, seed: int) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Yield ``(models, tags)`` chunks of made-up rows, the same for the same ``count`` and ``seed``."""
    rng = random.Random(seed)
    models: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
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


# --- phases (each runs in a child process) ------------------------------------------------------


def phase_generate(count: int, seed: int) -> dict[str, Any]:
    """Consume the generator alone."""
    rows = 0
    for models, tags in made_up_models(count, seed):
        rows += len(models) + len(tags)
    return {"rows": rows}


def _sqlite_datetime(value: datetime) -> str:
    # The text SQLAlchemy's SQLite DateTime stores (it drops the offset), so both files match.
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def phase_bare(count: int, seed: int, path: str) -> dict[str, Any]:
    """Load with ``sqlite3`` ``executemany``: the same statement the store issues, no SQLAlchemy."""
    sqlite3.register_adapter(datetime, _sqlite_datetime)
    sqlite3.register_adapter(dict, json.dumps)
    conn = sqlite3.connect(path)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    statements: dict[str, str] = {}
    rows = 0
    for models, tags in made_up_models(count, seed):
        for table, batch, key in (("models", models, ["id"]), ("model_tags", tags, ["model_id", "tag"])):
            if table not in statements:
                statements[table] = _bare_upsert_sql(table, list(batch[0]), key, "qmark_named")
            conn.executemany(statements[table], batch)
            rows += len(batch)
        conn.commit()
    conn.close()
    return {"rows": rows}


def _bare_upsert_sql(table: str, columns: list[str], key: list[str], style: str) -> str:
    mark = (lambda c: f":{c}") if style == "qmark_named" else (lambda c: f"%({c})s")
    rest = [c for c in columns if c not in key]
    action = (
        "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in rest) if rest else "DO NOTHING"
    )
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(mark(c) for c in columns)}) "
        f"ON CONFLICT ({', '.join(key)}) {action}"
    )


def phase_store(count: int, seed: int, url: str) -> dict[str, Any]:
    """Load through :func:`catalog.store.upsert`."""
    from catalog.store import Store, upsert

    rows = 0
    with Store.open(url) as store:
        for models, tags in made_up_models(count, seed):
            with store.engine.begin() as conn:
                rows += upsert(conn, "models", models)
                rows += upsert(conn, "model_tags", tags)
    return {"rows": rows}


def phase_bare_postgresql(count: int, seed: int, url: str) -> dict[str, Any]:
    """Load with bare ``psycopg`` ``executemany`` into the schema the store migrated."""
    import psycopg
    from psycopg.types.json import JsonbDumper
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    options = parsed.query.get("options")
    dsn = parsed.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    rows = 0
    with psycopg.connect(dsn, options=options) as conn:
        conn.adapters.register_dumper(dict, JsonbDumper)
        statements: dict[str, str] = {}
        for models, tags in made_up_models(count, seed):
            with conn.cursor() as cursor:
                for table, batch, key in (("models", models, ["id"]), ("model_tags", tags, ["model_id", "tag"])):
                    if table not in statements:
                        statements[table] = _bare_upsert_sql(table, list(batch[0]), key, "pyformat")
                    cursor.executemany(statements[table], batch)
                    rows += len(batch)
            conn.commit()
    return {"rows": rows}


def run_phase(name: str, count: int, seed: int, target: str) -> dict[str, Any]:
    """Run one phase here and return its rows, seconds and peak memory."""
    start = time.perf_counter()
    if name == "generate":
        result = phase_generate(count, seed)
    elif name == "bare":
        result = phase_bare(count, seed, target)
    elif name == "bare-postgresql":
        result = phase_bare_postgresql(count, seed, target)
    else:
        result = phase_store(count, seed, target)
    result["seconds"] = time.perf_counter() - start
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def spawn(name: str, count: int, seed: int, target: str = "") -> dict[str, Any]:
    """Run a phase in a child process and return what it measured."""
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--models", str(count), "--seed", str(seed),
         "--target", target],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- orchestration ------------------------------------------------------------------------------


def migrate(url: str) -> None:
    """Create the store's schema (Alembic, head) at ``url``."""
    from catalog.store import Store

    with Store.open(url):
        pass


def check_same_content(bare: Path, store: Path) -> None:
    """Fail unless both SQLite files hold the same rows (counts, sums, a sample, the tags)."""
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


def report(label: str, result: dict[str, Any], generate_seconds: float) -> str:
    rate = result["rows"] / result["seconds"]
    net = result["rows"] / max(result["seconds"] - generate_seconds, 1e-9)
    return (
        f"{label:<24} {result['rows']:>10,} rows {result['seconds']:>8.1f} s {rate:>10,.0f} rows/s "
        f"{net:>10,.0f} rows/s net  peak RSS {result['max_rss_mb']:>6.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1_000_000, help="made-up models to load")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--db", help="also measure on this PostgreSQL URL (a scratch schema is used)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite files")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--target", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.models, args.seed, args.target)))
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    workdir = Path(tempfile.mkdtemp(prefix="bench_store_"))
    bare_file, store_file = workdir / "bare.db", workdir / "store.db"
    for path in (bare_file, store_file):
        migrate(f"sqlite:///{path}")

    print(f"{args.models:,} MADE-UP models (seed {args.seed}) with their tags, SQLite {sqlite3.sqlite_version}")
    generated = spawn("generate", args.models, args.seed)
    print(report("generator alone", generated, 0.0))
    bare = spawn("bare", args.models, args.seed, str(bare_file))
    print(report("sqlite3 executemany", bare, generated["seconds"]))
    stored = spawn("store", args.models, args.seed, f"sqlite:///{store_file}")
    print(report("store upsert (SQLite)", stored, generated["seconds"]))
    check_same_content(bare_file, store_file)
    ratio = (stored["rows"] / stored["seconds"]) / (bare["rows"] / bare["seconds"])
    net_ratio = (bare["seconds"] - generated["seconds"]) / (stored["seconds"] - generated["seconds"])
    print(f"store / bare: {ratio:.2f} (net of the generator: {net_ratio:.2f}); target >= 0.50; "
          f"files hold the same rows; {store_file.stat().st_size / 2**20:,.0f} MB on disk")  # fmt: skip
    if args.keep:
        print(f"files kept in {workdir}")
    else:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()

    if args.db:
        measure_postgresql(args.db, args.models, args.seed, generated["seconds"])


def measure_postgresql(url: str, count: int, seed: int, generate_seconds: float) -> None:
    """Load into two scratch schemas of the PostgreSQL database at ``url``: store, then bare."""
    from sqlalchemy import text

    from catalog.store import create_engine_for

    admin = create_engine_for(url)
    results = {}
    for phase in ("store", "bare-postgresql"):
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        separator = "&" if "?" in url else "?"
        scoped = f"{url}{separator}options=-csearch_path%3D{schema}"
        try:
            migrate(scoped)
            results[phase] = spawn(phase, count, seed, scoped)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
    print(report("psycopg executemany", results["bare-postgresql"], generate_seconds))
    print(report("store upsert (PostgreSQL)", results["store"], generate_seconds))
    store, bare = results["store"], results["bare-postgresql"]
    print(f"store / bare on PostgreSQL: {bare['seconds'] / store['seconds']:.2f}")


if __name__ == "__main__":
    main()

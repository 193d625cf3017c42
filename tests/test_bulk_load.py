"""The crawler's write path (catalog.bulk) at Hub scale: PostgreSQL COPY with its upsert fallback; link tables."""

from __future__ import annotations

from datetime import UTC, datetime

from catalog.bulk import make_batch, write_batch
from catalog.store import Store

SEEN = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def _models(downloads: int, seen: datetime) -> list[dict[str, object]]:
    return [
        {
            "id": f"org/m{i}",
            "author": "org",
            "downloads": downloads + i,
            "parameters": {"BF16": 7 * 10**9 + i},
            "card_data": None,
            "raw": {"id": f"org/m{i}", "tags": ["a\tb", "c\\d", "é\n"], "x": None},
            "first_seen": seen,
            "last_seen": seen,
        }
        for i in range(3)
    ]


def _utc(value: object) -> datetime:
    # Raw SQL gives SQLite's text (UTC, no offset) or PostgreSQL's aware datetime.
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(parsed, datetime)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _write(store: Store, table: str, rows: list[dict[str, object]], **options: object) -> None:
    with store.engine.begin() as conn:
        write_batch(conn, make_batch(store.dialect, table, rows, **options))  # type: ignore[arg-type]


def test_new_rows_then_the_same_keys_again_store_as_an_upsert_would(store: Store) -> None:
    _write(store, "models", _models(10, SEEN), keep=("first_seen",))
    _write(store, "model_tags", [{"model_id": "org/m0", "tag": t} for t in ("x", "y")], update=False)
    # The same keys: COPY meets an existing key, its savepoint is undone, the batch is upserted.
    _write(store, "models", _models(20, LATER), keep=("first_seen",))
    _write(store, "model_tags", [{"model_id": "org/m0", "tag": t} for t in ("y", "z")], update=False)
    rows = store.query(
        "SELECT id, downloads, first_seen, last_seen, parameters, raw FROM models ORDER BY id"
    ).rows
    assert [(r[0], r[1]) for r in rows] == [("org/m0", 20), ("org/m1", 21), ("org/m2", 22)]
    assert (_utc(rows[0][2]), _utc(rows[0][3])) == (SEEN, LATER)  # first_seen kept, last_seen moved
    parameters, raw = rows[0][4], rows[0][5]
    if isinstance(raw, str):  # SQLite's JSON column comes back as text through a raw query
        import orjson

        parameters, raw = orjson.loads(parameters), orjson.loads(raw)
    assert parameters == {"BF16": 7 * 10**9} and raw == {
        "id": "org/m0",
        "tags": ["a\tb", "c\\d", "é\n"],
        "x": None,
    }
    tags = store.query("SELECT tag FROM model_tags ORDER BY tag").rows
    assert tags == [("x",), ("y",), ("z",)]
    assert store.query("SELECT COUNT(*) FROM models WHERE card_data IS NULL").rows == [(3,)]


def test_json_keys_stay_queryable(store: Store) -> None:
    _write(store, "models", _models(10, SEEN), keep=("first_seen",))
    sql = (
        "SELECT raw ->> 'id' FROM models ORDER BY id"
        if store.dialect == "postgresql"
        else "SELECT json_extract(raw, '$.id') FROM models ORDER BY id"
    )
    assert store.query(sql).rows == [("org/m0",), ("org/m1",), ("org/m2",)]


LINK_TABLES = ("model_tags", "model_lineage", "model_apps", "dataset_tags", "space_models", "model_history")


def _without_rowid(store: Store) -> set[str]:
    sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%WITHOUT ROWID'"
    return {name for (name,) in store.query(sql).rows}


def test_sqlite_link_tables_keep_each_row_once_and_migrate_both_ways(tmp_path: object) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/c.db")
    assert set(LINK_TABLES) <= _without_rowid(store)
    assert "models" not in _without_rowid(store)  # its rowid is what the text index points at
    _write(store, "models", _models(10, SEEN), keep=("first_seen",))
    _write(store, "model_tags", [{"model_id": "org/m0", "tag": "x"}], update=False)
    store.downgrade("0005")
    assert not set(LINK_TABLES) & _without_rowid(store)
    edges = store.query("SELECT COUNT(*) FROM edges").rows  # the view survives the rebuild
    store.upgrade()
    assert set(LINK_TABLES) <= _without_rowid(store)
    assert store.query("SELECT model_id, tag FROM model_tags").rows == [("org/m0", "x")]
    assert store.query("SELECT COUNT(*) FROM edges").rows == edges
    indexes = {name for (name,) in store.query("SELECT name FROM sqlite_master WHERE type = 'index'").rows}
    assert {"ix_model_tags_tag", "ix_model_lineage_base_model_id"} <= indexes
    store.close()


def test_a_first_crawl_leaves_the_planner_statistics_of_what_it_loaded(
    store: Store, tmp_path: object
) -> None:
    from catalog.crawl import crawl_snapshot
    from catalog.hub import write_snapshot

    models = [
        {"id": f"org/m{i}", "tags": ["en", f"base_model:org/m{i - 1}"] if i else ["en"]} for i in range(5)
    ]
    snapshot = write_snapshot(f"{tmp_path}/snap", models=models)
    crawl_snapshot(store, snapshot)
    if store.dialect != "postgresql":
        return  # SQLite plans without statistics well enough; nothing is analysed there
    analysed = store.query(
        "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
        "AND last_analyze IS NOT NULL ORDER BY relname"
    ).rows
    assert {"models", "model_tags", "model_lineage", "datasets", "spaces"} <= {name for (name,) in analysed}

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, select, text
from sqlalchemy.pool import Pool

from catalog.errors import ConfigError, ReadOnlyViolation, SchemaOutOfDate, StoreError
from catalog.queries.read import read
from catalog.schema import Base, Model, include_name, include_object_on
from catalog.store import Store, head_revision, upsert

T0 = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_open_migrates_an_empty_database_to_head(store: Store) -> None:
    assert store.revision() == head_revision()
    assert store.count("models") == 0
    assert store.count("edges") == 0


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(
                conn,
                opts={"include_name": include_name, "include_object": include_object_on(conn.dialect.name)},
            ),
            Base.metadata,
        )
    assert diff == []


def test_upgrade_downgrade_upgrade(store: Store) -> None:
    store.downgrade("base")
    assert store.revision() is None
    with pytest.raises(StoreError):
        store.count("models")
    store.upgrade()
    assert store.revision() == head_revision()
    assert store.count("edges") == 0


def test_an_old_schema_is_refused_with_the_fix(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.downgrade("base")
        with store.engine.begin() as conn:  # a database some other tool made, no revision
            conn.exec_driver_sql("CREATE TABLE models (id TEXT PRIMARY KEY)")
    with pytest.raises(SchemaOutOfDate, match=r"revision none, the code expects .*: run `catalog db upgrade"):
        Store.open(db_url)


def test_a_bad_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a database URL"):
        Store.open("nonsense")


MODELS = [
    {"id": "org/a", "author": "org", "downloads": 10, "first_seen": T0},
    {"id": "org/b", "author": "org", "downloads": 20, "first_seen": T0},
]


def test_upsert_is_idempotent_and_keeps_first_seen(store: Store) -> None:
    with store.engine.begin() as conn:
        assert upsert(conn, "models", MODELS) == 2
        assert upsert(conn, "models", MODELS) == 2
    later = datetime(2025, 1, 1, tzinfo=UTC)
    with store.engine.begin() as conn:
        upsert(
            conn,
            "models",
            [{"id": "org/a", "author": "org", "downloads": 11, "first_seen": later}],
            keep=["first_seen"],
        )
    with store.engine.connect() as conn:
        rows = conn.execute(select(Model.id, Model.downloads, Model.first_seen).order_by(Model.id)).all()
    assert [(r[0], r[1]) for r in rows] == [("org/a", 11), ("org/b", 20)]
    assert {_utc(r[2]) for r in rows} == {T0}


def test_upsert_collapses_duplicate_keys_last_wins(store: Store) -> None:
    with store.engine.begin() as conn:
        upsert(conn, "model_tags", [])
        upsert(conn, "models", MODELS)
        upsert(conn, "model_tags", [{"model_id": "org/a", "tag": "en"}] * 3, update=False)
    assert store.query("SELECT model_id, tag FROM model_tags").rows == [("org/a", "en")]


def _utc(value: object) -> datetime:
    # SQLite hands back naive datetimes; PostgreSQL aware ones.
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


EDGE_FIXTURE = {
    "models": [
        {
            "id": "base/llm",
            "pipeline_tag": "text-generation",
            "library_name": "transformers",
            "deleted_at": None,
        },
        {"id": "you/llm-ft", "pipeline_tag": "text-generation", "library_name": "peft", "deleted_at": None},
        {"id": "you/llm-gguf", "pipeline_tag": None, "library_name": "gguf", "deleted_at": None},
        {"id": "gone/model", "pipeline_tag": "fill-mask", "library_name": "transformers", "deleted_at": T0},
    ],
    "model_lineage": [
        {"model_id": "you/llm-ft", "base_model_id": "base/llm", "relation": "adapter"},
        {"model_id": "you/llm-gguf", "base_model_id": "you/llm-ft", "relation": "quantized"},
        {"model_id": "gone/model", "base_model_id": "base/llm", "relation": "finetune"},
    ],
    "model_datasets": [{"model_id": "you/llm-ft", "dataset_id": "org/chat"}],
    "providers": [{"id": "groq", "label": "Groq", "hub_org": "groq"}],
    "model_providers": [
        {
            "model_id": "base/llm",
            "provider_id": "groq",
            "provider_model_id": "llm",
            "status": "live",
            "task": "conversational",
        },
    ],
    "model_apps": [{"model_id": "you/llm-gguf", "app_id": "llama.cpp"}],
    "spaces": [{"id": "org/demo", "deleted_at": None}, {"id": "gone/space", "deleted_at": T0}],
    "space_models": [
        {"space_id": "org/demo", "model_id": "base/llm"},
        {"space_id": "gone/space", "model_id": "base/llm"},
    ],
    "space_datasets": [
        {"space_id": "org/demo", "dataset_id": "org/chat"},
        {"space_id": "gone/space", "dataset_id": "org/chat"},
    ],
    "provider_tasks": [{"provider_id": "groq", "task_id": "conversational"}],
    "libraries": [{"id": "peft", "label": "PEFT"}],
    "library_tasks": [{"library_id": "peft", "task_id": "text-generation"}],
}


def test_edges_view_has_one_row_per_relation(store: Store) -> None:
    with store.engine.begin() as conn:
        for table, rows in EDGE_FIXTURE.items():
            upsert(conn, table, rows)
    rows = store.query("SELECT src_kind, src_id, rel, dst_kind, dst_id FROM edges").rows
    assert sorted(rows) == [
        ("library", "peft", "supports_task", "task", "text-generation"),
        ("model", "base/llm", "has_task", "task", "text-generation"),
        ("model", "base/llm", "served_by", "provider", "groq"),
        ("model", "base/llm", "uses_library", "library", "transformers"),
        ("model", "you/llm-ft", "adapter_of", "model", "base/llm"),
        ("model", "you/llm-ft", "has_task", "task", "text-generation"),
        ("model", "you/llm-ft", "trained_on", "dataset", "org/chat"),
        ("model", "you/llm-ft", "uses_library", "library", "peft"),
        ("model", "you/llm-gguf", "quantized_from", "model", "you/llm-ft"),
        ("model", "you/llm-gguf", "runs_in", "app", "llama.cpp"),
        ("model", "you/llm-gguf", "uses_library", "library", "gguf"),
        ("provider", "groq", "supports_task", "task", "conversational"),
        ("space", "org/demo", "uses_dataset", "dataset", "org/chat"),
        ("space", "org/demo", "uses_model", "model", "base/llm"),
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM models",
        "UPDATE models SET downloads = 0",
        "DROP TABLE models",
        "INSERT INTO providers (id) VALUES ('evil')",
        "COMMIT; DELETE FROM models",
    ],
)
def test_query_is_read_only(store: Store, statement: str) -> None:
    with store.engine.begin() as conn:
        upsert(conn, "models", MODELS)
    with pytest.raises(StoreError):
        store.query(statement)
    assert store.query("SELECT id FROM models ORDER BY id").rows == [("org/a",), ("org/b",)]
    assert store.count("providers") == 0


def test_a_write_is_refused_as_read_only(store: Store) -> None:
    with pytest.raises(ReadOnlyViolation, match="nothing was changed"):
        store.query("DELETE FROM models")


@pytest.mark.parametrize("statement", ["", "  \n"])
def test_an_empty_query_is_a_config_error(store: Store, statement: str) -> None:
    with pytest.raises(ConfigError, match='^no SQL statement given: pass one, e.g. "SELECT COUNT'):
        store.query(statement)


def test_query_binds_parameters(store: Store) -> None:
    with store.engine.begin() as conn:
        upsert(conn, "models", MODELS)
    result = store.query("SELECT id FROM models WHERE downloads > :n AND id LIKE 'org/%'", {"n": 15})
    assert (result.columns, result.rows) == (["id"], [("org/b",)])


def test_query_without_params_sends_the_text_as_written(store: Store) -> None:
    # text() would read ':x' as a placeholder (a traceback), and '%' needs doubling for psycopg.
    result = store.query("SELECT '100%' AS p, ':x' AS c, 'a ?' AS q, '%(n)s' AS f")
    assert (result.columns, result.rows) == (["p", "c", "q", "f"], [("100%", ":x", "a ?", "%(n)s")])


def test_query_with_a_missing_param_is_one_clear_error(store: Store) -> None:
    with pytest.raises(ConfigError, match="^query failed: A value is required for bind parameter 'n'$"):
        store.query("SELECT id FROM models WHERE downloads > :n", {"m": 1})


def test_none_in_a_json_column_is_sql_null(store: Store) -> None:
    with store.engine.begin() as conn:
        upsert(conn, "models", [{"id": "org/a", "parameters": None, "card_data": {"license": "mit"}}])
    sql = "SELECT parameters IS NULL, card_data IS NULL FROM models"
    assert [tuple(bool(v) for v in row) for row in store.query(sql).rows] == [(True, False)]


def test_a_revision_from_newer_code_is_refused_without_the_upgrade_hint(db_url: str) -> None:
    with Store.open(db_url) as store, store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff'")
    with pytest.raises(
        SchemaOutOfDate, match="revision ffff, which this version of the catalog does not know"
    ):
        Store.open(db_url)
    with (
        Store.open(db_url, check=False) as store,
        pytest.raises(
            StoreError, match=r"^cannot migrate database .*: Can't locate revision identified by 'ffff'$"
        ),
    ):
        store.upgrade()


def test_sqlite_connections_run_wal_with_foreign_keys_and_a_big_cache(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'c.db'}") as store, store.engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "synchronous", "cache_size")
        }
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 1, "cache_size": -65536}


@pytest.mark.postgresql
def test_postgresql_sessions_plan_streamed_reads_for_all_their_rows_and_readers_only_read(
    db_url: str,
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL settings")
    # read() streams through a server-side cursor; planned for its first tenth of rows, a search
    # for rare text walked the downloads index (450 ms at 1M models) instead of sorting its matches.
    settings = text(
        "SELECT current_setting('cursor_tuple_fraction'), current_setting('transaction_read_only')"
    )
    with Store.open(db_url) as store, Store.open(db_url, create=False) as reader:
        got = [next(read(s, settings, lambda *row: row)) for s in (store, reader)]
    assert got == [("1", "off"), ("1", "on")]


def test_a_refused_database_leaves_no_connection_open(db_url: str) -> None:
    with Store.open(db_url) as store, store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff'")
    opened: list[object] = []
    closed: list[object] = []

    def on_connect(dbapi_connection: object, record: object) -> None:
        opened.append(dbapi_connection)

    def on_close(dbapi_connection: object, record: object) -> None:
        closed.append(dbapi_connection)

    event.listen(Pool, "connect", on_connect)
    event.listen(Pool, "close", on_close)
    try:
        with pytest.raises(SchemaOutOfDate):
            Store.open(db_url)
    finally:
        event.remove(Pool, "connect", on_connect)
        event.remove(Pool, "close", on_close)
    assert len(opened) == 1 and closed == opened


def test_sqlite_statements_that_write_files_or_settings_are_refused(tmp_path: Path) -> None:
    # PRAGMA query_only stops writes to tables, but not these.
    with Store.open(f"sqlite:///{tmp_path / 'c.db'}") as store:
        for statement in (
            f"ATTACH DATABASE '{tmp_path / 'a.db'}' AS a",
            f"VACUUM INTO '{tmp_path / 'v.db'}'",
            "PRAGMA journal_mode = DELETE",
            "PRAGMA user_version = 7",
        ):
            with pytest.raises(ReadOnlyViolation, match="nothing was changed"):
                store.query(statement)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["c.db", "c.db-shm", "c.db-wal"]
        assert store.query("PRAGMA journal_mode").rows == [("wal",)]
        assert store.query("PRAGMA user_version").rows == [(0,)]
        assert [row[1] for row in store.query("PRAGMA table_info(providers)").rows] == [
            "id",
            "label",
            "hub_org",
        ]
        assert store.query("SELECT name FROM pragma_table_info('providers') WHERE pk = 1").rows == [("id",)]

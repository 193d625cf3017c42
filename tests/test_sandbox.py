"""The guard on SQL from a user (``Store.read_only_query``): every payload an attacker tried, on both backends.

On PostgreSQL the test user is a superuser, so each refusal here is the guard's, not the role's.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from catalog.errors import ConfigError, ReadOnlyViolation, StoreError
from catalog.store import Store, upsert
from catalog.store.sandbox import stream_rows

MODELS = [
    {"id": "org/a", "author": "org", "downloads": 10},
    {"id": "org/b", "author": "org", "downloads": 20},
]
#: A query whose rows never end: only a streamed, capped read returns from it.
ENDLESS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r"


@pytest.fixture
def loaded(store: Store) -> Store:
    with store.engine.begin() as conn:
        upsert(conn, "models", MODELS)
    return store


def _rows(store: Store, sql: str, **limits: float) -> tuple[list[str], list[tuple[object, ...]], bool]:
    with store.read_only_query(sql, **limits) as rows:  # type: ignore[arg-type]
        return rows.columns, list(rows), rows.truncated


def _unchanged(store: Store) -> None:
    assert store.query("SELECT id, downloads FROM models ORDER BY id").rows == [("org/a", 10), ("org/b", 20)]
    assert store.count("providers") == 0


@pytest.fixture
def marker() -> Iterator[Path]:
    """A file path the database server could write to if a payload ran (it runs on this machine)."""
    path = Path("/tmp") / f"catalog-pwned-{uuid.uuid4().hex}"
    yield path
    assert not path.exists(), f"a payload wrote {path}"


def test_a_read_streams_its_rows_with_their_columns(loaded: Store) -> None:
    assert _rows(loaded, "SELECT id, downloads FROM models ORDER BY id") == (
        ["id", "downloads"],
        [("org/a", 10), ("org/b", 20)],
        False,
    )
    # Views, CTEs, subqueries, common functions and the JSON operators are all reading.
    assert _rows(
        loaded,
        "WITH m AS (SELECT * FROM models) SELECT lower(upper(id)) AS id, COUNT(*) AS n, "
        "COALESCE(MAX(downloads), 0) AS d FROM m WHERE id IN (SELECT id FROM models) GROUP BY id "
        "ORDER BY id LIMIT 1",
    ) == (["id", "n", "d"], [("org/a", 1, 10)], False)
    assert _rows(loaded, "SELECT COUNT(*) FROM edges")[1] == [(0,)]


def test_an_endless_result_is_cut_at_max_rows_and_says_so(loaded: Store) -> None:
    columns, rows, truncated = _rows(loaded, ENDLESS, max_rows=5)
    assert (columns, rows, truncated) == (["n"], [(1,), (2,), (3,), (4,), (5,)], True)
    assert _rows(loaded, "SELECT id FROM models", max_rows=2)[2] is False  # exactly the cap: nothing cut
    assert _rows(loaded, "SELECT id FROM models", max_rows=0)[1:] == ([], True)


@pytest.mark.parametrize(
    "sql",
    [
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) FROM r",
        "SELECT COUNT(*) FROM models a, models b, models c, models d, models e, models f, models g, "
        "models h, models i, models j, models k, models l, models m, models n, models o, models p, "
        "models q, models r, models s, models t, models u, models v, models w, models x, models y",
    ],
    ids=["endless-recursive-cte", "cross-join"],
)
def test_a_query_past_its_time_limit_is_stopped(loaded: Store, sql: str) -> None:
    with pytest.raises(
        StoreError, match=r"^query stopped: it ran past its time limit of 0.3 s \(see --timeout\)$"
    ):
        _rows(loaded, sql, timeout=0.3)
    assert _rows(loaded, "SELECT COUNT(*) FROM models") == (
        ["count" if loaded.dialect == "postgresql" else "COUNT(*)"],
        [(2,)],
        False,
    )


@pytest.mark.postgresql
def test_pg_sleep_is_cut_by_statement_timeout(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    with (
        Store.open(db_url) as store,
        pytest.raises(StoreError, match="^query stopped: it ran past its time") as cut,
    ):
        _rows(store, "SELECT pg_sleep(100)", timeout=0.3)
    # The server cancelled it (statement_timeout), not a check after 100 s of sleep.
    assert getattr(cut.value.__cause__, "sqlstate", None) == "57014"


@pytest.mark.postgresql
def test_a_users_query_keeps_postgresqls_plan_for_a_cursors_first_rows(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    # The store's own reads are planned for all their rows (cursor_tuple_fraction 1.0); a user's
    # query is read a page at a time, often its first only, as PostgreSQL plans a cursor by default.
    with Store.open(db_url) as store, store.engine.connect() as conn:
        with stream_rows(conn, "SELECT 1 AS one", relations=store.relations, timeout=5, max_rows=10) as rows:
            during = conn.exec_driver_sql("SELECT current_setting('cursor_tuple_fraction')").scalar()
            assert list(rows) == [(1,)]
        after = conn.exec_driver_sql("SELECT current_setting('cursor_tuple_fraction')").scalar()
    assert (during, after) == ("0.1", "1")  # for its transaction only


@pytest.mark.parametrize(("timeout", "max_rows"), [(0, 10), (-1, 10), (1, -1)])
def test_limits_must_make_sense(loaded: Store, timeout: float, max_rows: int) -> None:
    with pytest.raises(ConfigError, match="^a query needs a timeout above 0 s and max rows of 0 or more"):
        _rows(loaded, "SELECT 1", timeout=timeout, max_rows=max_rows)


#: Statements that write, on both backends; each is refused and changes nothing.
WRITES = [
    "DELETE FROM models",
    "UPDATE models SET downloads = 0",
    "INSERT INTO providers (id, label) VALUES ('evil', 'Evil')",
    "DROP TABLE providers",
    "CREATE TABLE evil (x INTEGER)",
    "COMMIT; DELETE FROM models",
    "SELECT 1; DELETE FROM models",
    "WITH d AS (DELETE FROM models RETURNING id) SELECT id FROM d",
]


@pytest.mark.parametrize("sql", WRITES)
def test_a_write_is_refused_and_changes_nothing(loaded: Store, sql: str) -> None:
    with pytest.raises(StoreError, match="^refused: |^query failed: ") as refused:
        _rows(loaded, sql)
    _unchanged(loaded)
    if loaded.dialect == "postgresql":
        # The parser refuses it before it runs, not the read-only transaction once it does.
        assert str(refused.value) in (
            "refused: the statement writes, and queries here are read-only; nothing was changed",
            "refused: 2 statements given, one query runs at a time; nothing was changed",
        )


#: What an attacker tried on PostgreSQL as a superuser (issue 9, item 7), and its relatives.
POSTGRES_PAYLOADS = [
    "COPY (SELECT 1) TO PROGRAM 'id > {marker}'",
    "COPY models TO '{marker}'",
    "COPY (SELECT id FROM models) TO STDOUT",
    "COPY providers FROM '/etc/hostname'",
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT pg_catalog.pg_read_file('/etc/passwd')",
    "SELECT pg_read_binary_file('/etc/passwd')",
    "SELECT pg_ls_dir('.')",
    "SELECT pg_stat_file('/etc/passwd')",
    "SELECT lo_import('/etc/passwd')",
    "SELECT lo_export(lo_import('/etc/passwd'), '{marker}')",
    "SELECT lo_from_bytea(0, 'x')",
    "SELECT * FROM pg_create_physical_replication_slot('catalog_evil_slot')",
    "SELECT pg_create_logical_replication_slot('catalog_evil_slot', 'pgoutput')",
    "SELECT pg_terminate_backend(pg_backend_pid())",
    "SELECT pg_cancel_backend(pg_backend_pid())",
    "SET statement_timeout = 0",
    "SET ROLE postgres",
    "RESET ALL",
    "SELECT set_config('statement_timeout', '0', false)",
    "SELECT current_setting('data_directory')",
    "SELECT dblink_exec('dbname=test', 'DELETE FROM models')",
    "CREATE EXTENSION dblink",
    "SELECT * FROM pg_authid",
    "SELECT passwd FROM pg_catalog.pg_shadow",
    "SELECT * FROM pg_hba_file_rules",
    "SELECT query_to_xml('COPY (SELECT 1) TO PROGRAM ''id > {marker}''', true, true, '')",
    "DO $$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''id > {marker}'''; END $$",
    "EXPLAIN ANALYZE DELETE FROM models",
    "PREPARE p AS DELETE FROM models",
    "SELECT * INTO evil FROM models",
    "SELECT * FROM models FOR UPDATE",
    "NOTIFY evil",
    "LISTEN evil",
    "VACUUM models",
    "CHECKPOINT",
    "LOCK TABLE models",
    "SELECT * FROM information_schema.tables",
    "SELECT public.lower(id) FROM models",
    "SELECT * FROM other_schema.models",
]


@pytest.mark.postgresql
@pytest.mark.parametrize("payload", POSTGRES_PAYLOADS)
def test_postgresql_refuses_files_programs_replication_signals_and_settings_even_to_a_superuser(
    db_url: str, payload: str, marker: Path
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    with Store.open(db_url) as store:
        assert store.is_superuser()  # the guard, not the role, refuses
        with store.engine.begin() as conn:
            upsert(conn, "models", MODELS)
        with pytest.raises(ReadOnlyViolation, match="^refused: .*; nothing was changed$"):
            _rows(store, payload.format(marker=marker))
        _unchanged(store)
        with store.engine.connect() as conn:
            slots = conn.execute(text("SELECT slot_name FROM pg_replication_slots")).scalars().all()
            objects = conn.execute(text("SELECT COUNT(*) FROM pg_largeobject_metadata")).scalar()
        assert ("catalog_evil_slot" not in slots, objects) == (True, 0)


@pytest.mark.postgresql
def test_a_refusal_names_what_was_refused(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    with Store.open(db_url) as store:
        for sql, reason in [
            (
                "SELECT pg_read_file('/etc/passwd')",
                "the function pg_read_file is not one a query here may call",
            ),
            (
                "COPY (SELECT 1) TO STDOUT",
                "COPY is not a query (only SELECT, VALUES, TABLE and WITH ... SELECT run here)",
            ),
            (
                "SET statement_timeout = 0",
                "SET is not a query (only SELECT, VALUES, TABLE and WITH ... SELECT run here)",
            ),
            ("SELECT * FROM pg_authid", "pg_authid is not one of the catalog's tables or views"),
            ("SELECT 1; SELECT 2", "2 statements given, one query runs at a time"),
            ("DELETE FROM models", "the statement writes, and queries here are read-only"),
        ]:
            with pytest.raises(ReadOnlyViolation) as refused:
                _rows(store, sql)
            assert str(refused.value) == f"refused: {reason}; nothing was changed"
        with pytest.raises(StoreError, match="^query failed: syntax error: syntax error at or near"):
            _rows(store, "SELEC 1")


#: What an attacker could try on SQLite: files, extensions, settings and the file's header.
SQLITE_PAYLOADS = [
    "ATTACH DATABASE '{marker}' AS evil",
    "VACUUM INTO '{marker}'",
    "VACUUM",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA user_version = 7",
    "PRAGMA writable_schema = ON",
    "PRAGMA wal_checkpoint(TRUNCATE)",
    "PRAGMA wal_checkpoint",
    "PRAGMA optimize",
    "PRAGMA incremental_vacuum",
    "PRAGMA query_only = OFF",
    "SELECT load_extension('/tmp/evil')",
    "SELECT fts3_tokenizer('simple')",
    "SELECT zeroblob(1000000000)",
    "SELECT randomblob(1000000000)",
    "ANALYZE",
    "REINDEX",
    "BEGIN IMMEDIATE",
    "SAVEPOINT s",
    "SELECT * FROM sqlite_temp_master",
]


@pytest.mark.parametrize("payload", SQLITE_PAYLOADS)
def test_sqlite_refuses_files_extensions_and_settings(tmp_path: Path, payload: str, marker: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with Store.open(url) as store:
        with store.engine.begin() as conn:
            upsert(conn, "models", MODELS)
        with pytest.raises(ReadOnlyViolation, match="^refused: .*; nothing was changed$"):
            _rows(store, payload.format(marker=marker))
        _unchanged(store)
        assert _rows(store, "PRAGMA journal_mode")[1] == [("wal",)]
        assert _rows(store, "PRAGMA user_version")[1] == [(0,)]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["c.db", "c.db-shm", "c.db-wal"]


def test_sqlite_reading_pragmas_and_table_functions_are_allowed(loaded: Store) -> None:
    if loaded.dialect != "sqlite":
        pytest.skip("SQLite only")
    assert [r[1] for r in _rows(loaded, "PRAGMA table_info(providers)")[1]] == ["id", "label", "hub_org"]
    assert _rows(loaded, "SELECT name FROM pragma_table_info('providers') WHERE pk = 1")[1] == [("id",)]
    assert _rows(loaded, "SELECT value FROM json_each('[1, 2]')")[1] == [(1,), (2,)]
    assert _rows(loaded, "SELECT '{\"a\": 3}' ->> 'a'")[1] == [(3,)]
    assert ("models",) in _rows(loaded, "SELECT name FROM sqlite_master WHERE type = 'table'")[1]


DOCS = Path(__file__).resolve().parent.parent / "docs" / "schema.md"


def read_only_role_recipe() -> list[str]:
    """The statements of docs/schema.md's 'A read-only role' (its one ```pgsql block)."""
    (block,) = re.findall(r"^```pgsql\n(.*?)^```", DOCS.read_text(encoding="utf-8"), flags=re.S | re.M)
    return [statement.strip() for statement in block.split(";") if statement.strip()]


@pytest.mark.postgresql
def test_the_documented_read_only_role_reads_the_catalog_and_nothing_else(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    role = f"catalog_reader_{uuid.uuid4().hex[:8]}"
    schema = db_url.rsplit("search_path%3D", 1)[1]
    admin = create_engine(
        os.environ["CATALOG_TEST_POSTGRES_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    )
    with Store.open(db_url) as store, store.engine.begin() as conn:
        upsert(conn, "models", MODELS)
    recipe = [
        s.replace("catalog_reader", role)
        .replace("DATABASE catalog ", f"DATABASE {admin.url.database} ")
        .replace("SCHEMA public ", f"SCHEMA {schema} ")
        for s in read_only_role_recipe()
    ]
    assert len(recipe) == 7 and recipe[0].startswith(f"CREATE ROLE {role} LOGIN")
    with admin.begin() as conn:
        for statement in recipe:
            conn.execute(text(statement))
    reader_url = db_url.replace("postgresql://postgres@", f"postgresql://{role}:change-me@", 1)
    try:
        with Store.open(reader_url, create=False) as reader:
            assert reader.is_superuser() is False
            assert _rows(reader, "SELECT id FROM models ORDER BY id")[1] == [("org/a",), ("org/b",)]
            assert _rows(reader, "SELECT COUNT(*) FROM edges")[1] == [(0,)]  # the views too
            with reader.engine.connect() as conn:
                # Past the guard, straight to the driver: the role itself refuses.
                for statement in (
                    "DELETE FROM models",
                    "CREATE TABLE evil (x int)",
                    "SELECT pg_read_file('/etc/passwd')",
                    "COPY (SELECT 1) TO PROGRAM 'true'",
                    "SELECT * FROM pg_create_physical_replication_slot('catalog_evil_slot')",
                ):
                    with pytest.raises(
                        Exception, match="permission denied|read-only transaction|must be superuser"
                    ):
                        conn.exec_driver_sql(statement)
                    conn.rollback()
                assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "30s"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()

"""The store's commands: ``catalog db upgrade|status`` and ``catalog sql``, through click and for real."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from catalog.cli import main
from catalog.cli.sql import SUPERUSER_WARNING
from catalog.store import Store, create_engine_for, head_revision, upsert

#: A tiny made-up catalog: three models (one without downloads or license) and one provider.
TINY = {
    "models": [
        {"id": "org/a", "author": "org", "downloads": 10, "license": "mit"},
        {"id": "org/b", "author": "org", "downloads": 2000, "license": None},
        {"id": "zed/c", "author": "zed", "downloads": None, "license": "apache-2.0"},
    ],
    "providers": [{"id": "groq", "label": "Groq", "hub_org": "groq"}],
}
QUERY = "SELECT id, downloads, license FROM models ORDER BY id"


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def _err(result: Result) -> str:
    """stderr without the warning given to a PostgreSQL superuser (the test user is one)."""
    return result.stderr.replace(SUPERUSER_WARNING + "\n", "", 1)


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@pytest.fixture
def tiny(db_url: str) -> str:
    """The URL of a migrated database holding :data:`TINY`."""
    with Store.open(db_url) as store, store.engine.begin() as conn:
        for table, rows in TINY.items():
            upsert(conn, table, rows)
    return db_url


def test_db_upgrade_creates_the_schema(db_url: str) -> None:
    result = _run("db", "upgrade", "--db", db_url)
    assert (result.exit_code, result.output) == (
        0,
        f"{_shown(db_url)}: schema at revision {head_revision()}\n",
    )
    again = _run("db", "upgrade", "--db", db_url)  # nothing left to do, same answer
    assert (again.exit_code, again.output) == (0, result.output)


def test_db_upgrade_and_downgrade_move_to_the_revision_asked(db_url: str) -> None:
    steps = [("downgrade", "0001"), ("upgrade", "--revision", "0003"), ("downgrade", "base")]
    outputs = [_run("db", *step, "--db", db_url).output for step in steps]
    assert outputs == [f"{_shown(db_url)}: schema at revision {r}\n" for r in ("0001", "0003", "base")]


def test_db_status_counts_every_table(tiny: str) -> None:
    result = _run("db", "status", "--db", tiny)
    assert result.exit_code == 0, result.output
    assert (
        result.output
        == f"""{_shown(tiny)}: schema at revision {head_revision()}
table              rows
---------------  ------
models                3
model_tags            0
model_lineage         0
model_datasets        0
model_providers       0
model_apps            0
tasks                 0
libraries             0
library_tasks         0
apps                  0
providers             1
provider_tasks        0
datasets              0
dataset_tags          0
spaces                0
space_models          0
space_datasets        0
crawl_runs            0
model_history         0
rejects               0
edges (view)          0
"""
    )


def test_sql_prints_an_aligned_table(tiny: str) -> None:
    result = _run("sql", QUERY, "--db", tiny)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "id       downloads  license\n"
        "-----  -----------  ----------\n"
        "org/a           10  mit\n"
        "org/b         2000\n"
        "zed/c               apache-2.0\n"
    )


def test_sql_prints_csv(tiny: str) -> None:
    result = _run("sql", QUERY, "--db", tiny, "--format", "csv")
    assert (result.exit_code, result.stdout) == (
        0,
        "id,downloads,license\norg/a,10,mit\norg/b,2000,\nzed/c,,apache-2.0\n",
    )


def test_sql_prints_json(tiny: str) -> None:
    result = _run("sql", QUERY, "--db", tiny, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"id": "org/a", "downloads": 10, "license": "mit"},
        {"id": "org/b", "downloads": 2000, "license": None},
        {"id": "zed/c", "downloads": None, "license": "apache-2.0"},
    ]
    assert result.stdout.startswith('[\n  {\n    "id": "org/a",\n')


def test_sql_takes_the_database_from_catalog_db(tiny: str) -> None:
    result = _run("sql", "SELECT COUNT(*) AS n FROM models", "--format", "csv", env={"CATALOG_DB": tiny})
    assert (result.exit_code, result.stdout) == (0, "n\n3\n")


def test_sql_defaults_to_data_catalog_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CATALOG_DB", raising=False)
    assert _run("db", "upgrade").exit_code == 0
    result = _run("sql", "SELECT COUNT(*) AS n FROM models", "--format", "csv")
    assert (result.exit_code, result.stdout) == (0, "n\n0\n")
    assert (tmp_path / "data" / "catalog.db").is_file()


@pytest.mark.parametrize(
    "command", [("sql", "SELECT 1"), ("db", "status"), ("search",), ("stats",), ("map",)]
)
def test_reading_a_missing_sqlite_file_says_how_to_build_one(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    missing = tmp_path / "typo.db"
    result = _run(*command, "--db", f"sqlite:///{missing}")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: no database at {missing}: build one with `catalog build` (or `catalog crawl`), "
        "or name an existing one with --db URL\n"
    )
    assert not missing.exists()


@pytest.mark.parametrize(
    "command", [("sql", "SELECT 1"), ("db", "status"), ("search",), ("stats",), ("map",)]
)
def test_reading_an_empty_database_creates_no_tables(db_url: str, command: tuple[str, ...]) -> None:
    # An empty PostgreSQL database, or a catalog downgraded to base: reading must not migrate it.
    with Store.open(db_url) as store:
        store.downgrade("base")
    result = _run(*command, "--db", db_url)
    assert (result.exit_code, result.stderr) == (
        1,
        (
            f"Error: database {_shown(db_url)} holds no catalog (no tables): build one with `catalog build` "
            "(or `catalog crawl`), or name another with --db URL\n"
        ),
    )
    with Store(create_engine_for(db_url), db_url) as store:
        assert (store.revision(), inspect(store.engine).get_table_names()) in (
            (None, []),
            (None, ["alembic_version"]),
        )
    assert _run("db", "upgrade", "--db", db_url).exit_code == 0
    assert (
        _run("sql", "SELECT COUNT(*) AS n FROM models", "--db", db_url, "--format", "csv").stdout == "n\n0\n"
    )


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM models",
        "UPDATE models SET downloads = 0",
        "DROP TABLE providers",
        "COMMIT; DELETE FROM models",
    ],
)
def test_a_writing_statement_is_refused_and_changes_nothing(tiny: str, statement: str) -> None:
    result = _run("sql", statement, "--db", tiny)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert _err(result).startswith("Error: ") and _err(result).count("\n") == 1
    after = _run(
        "sql",
        "SELECT (SELECT COUNT(*) FROM models) AS models, "
        "(SELECT SUM(downloads) FROM models) AS downloads, "
        "(SELECT COUNT(*) FROM providers) AS providers",
        "--db",
        tiny,
        "--format",
        "csv",
    )
    assert after.stdout == "models,downloads,providers\n3,2010,1\n"


def test_a_write_says_it_was_refused(tiny: str) -> None:
    result = _run("sql", "DELETE FROM models", "--db", tiny)
    assert _err(result).startswith("Error: refused: the statement writes, and queries here are read-only")
    assert _err(result).endswith("; nothing was changed\n")


def test_a_database_the_catalog_did_not_make_gives_the_upgrade_hint(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.downgrade("base")
        with store.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE models (id TEXT PRIMARY KEY)")
    result = _run("sql", "SELECT 1", "--db", db_url)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: database {_shown(db_url)} has schema revision none, the code expects {head_revision()}: "
        "run `catalog db upgrade --db URL` on an empty database (this one holds tables the catalog did not make)\n"
    )


def test_a_database_from_newer_code_is_refused_in_one_line(db_url: str) -> None:
    with Store.open(db_url) as store, store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff'")
    shown = _shown(db_url)
    status = _run("db", "status", "--db", db_url)
    assert (status.exit_code, status.stderr) == (
        1,
        (
            f"Error: database {shown} has schema revision ffff, which this version of the catalog does not "
            f"know (it expects {head_revision()}): upgrade the catalog, or use another --db\n"
        ),
    )
    upgrade = _run("db", "upgrade", "--db", db_url)
    assert (upgrade.exit_code, upgrade.stderr) == (
        1,
        f"Error: cannot migrate database {shown}: Can't locate revision identified by 'ffff'\n",
    )


def test_a_bad_db_url_is_one_clear_line() -> None:
    result = _run("sql", "SELECT 1", "--db", "nonsense")
    assert (result.exit_code, result.stderr) == (
        1,
        (
            "Error: not a database URL: 'nonsense' (expected e.g. sqlite:///data/catalog.db or "
            "postgresql+psycopg://user@host/db)\n"
        ),
    )


@pytest.mark.postgresql
def test_an_unreachable_database_is_one_clear_line() -> None:
    # Port 1 refuses at once: no server, no wait.
    result = _run("db", "status", "--db", "postgresql://nobody:secret@127.0.0.1:1/none")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot open database postgresql://nobody:***@127.0.0.1:1/none: ")
    assert result.stderr.count("\n") == 1 and "secret" not in result.stderr


@pytest.mark.postgresql
def test_a_missing_postgresql_database_is_the_drivers_one_line() -> None:
    missing = make_url(os.environ["CATALOG_TEST_POSTGRES_URL"]).set(database="no_such_catalog_db")
    result = _run("db", "status", "--db", missing.render_as_string(hide_password=False))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: cannot open database {_shown(str(missing))}: connection failed: "
    )
    assert result.stderr.endswith('database "no_such_catalog_db" does not exist\n')
    assert "psycopg" not in result.stderr and result.stderr.count("\n") == 1


# --- the installed console script, in a real process ------------------------------------------------


def _catalog_script() -> str:
    script = shutil.which("catalog", path=str(Path(sys.executable).parent))
    assert script, "the `catalog` console script is not installed next to this Python"
    return script


def test_the_installed_command_runs_for_real(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'real.db'}"
    script = _catalog_script()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script, *args, "--db", url], capture_output=True, text=True, cwd=tmp_path, timeout=120
        )

    upgraded = run("db", "upgrade")
    assert (upgraded.returncode, upgraded.stdout) == (0, f"{url}: schema at revision {head_revision()}\n")
    with Store.open(url) as store, store.engine.begin() as conn:
        upsert(conn, "models", TINY["models"])
    listed = run("sql", QUERY, "--format", "csv")
    assert (listed.returncode, listed.stdout, listed.stderr) == (
        0,
        "id,downloads,license\norg/a,10,mit\norg/b,2000,\nzed/c,,apache-2.0\n",
        "",
    )
    refused = run("sql", "DELETE FROM models")
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr.startswith("Error: refused: ") and refused.stderr.count("\n") == 1
    assert run("sql", "SELECT COUNT(*) AS n FROM models", "--format", "csv").stdout == "n\n3\n"


# --- output: control characters, limits, strict JSON ------------------------------------------------

#: An id that would set the terminal's title and clear its screen if printed raw (issue 9, item 8).
HOSTILE_ID = "evil/\x1b]0;pwned\x07\x1b[2J\x9b31m\u202egpj.exe"
SHOWN_ID = "evil/\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202egpj.exe"


def test_control_characters_are_made_visible_in_every_table(tiny: str) -> None:
    with Store.open(tiny) as store, store.engine.begin() as conn:
        upsert(conn, "models", [{"id": HOSTILE_ID, "author": "evil\x1b[2J", "downloads": 99999}])
    for command in (
        ("sql", "SELECT id, author FROM models WHERE downloads = 99999"),
        ("search", "--limit", "1"),
    ):
        result = _run(*command, "--db", tiny)
        assert result.exit_code == 0, result.output
        assert SHOWN_ID in result.stdout and "evil\\x1b[2J" in result.stdout
        assert not any(c in result.stdout for c in "\x1b\x07\x9b\u202e")
    # JSON escapes them itself, and keeps the value exact.
    result = _run("sql", "SELECT id FROM models WHERE downloads = 99999", "--db", tiny, "--format", "json")
    assert "\x1b" not in result.stdout and json.loads(result.stdout) == [{"id": HOSTILE_ID}]


ENDLESS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r"


def test_sql_prints_at_most_max_rows_and_says_so(tiny: str) -> None:
    table = _run("sql", ENDLESS, "--db", tiny, "--max-rows", "3")
    assert (table.exit_code, table.stdout) == (
        0,
        "  n\n---\n  1\n  2\n  3\n(stopped at --max-rows 3: the query has more rows)\n",
    )
    csv = _run("sql", ENDLESS, "--db", tiny, "--max-rows", "2", "--format", "csv")
    assert (csv.exit_code, csv.stdout) == (0, "n\n1\n2\n")
    assert _err(csv) == "(stopped at --max-rows 2: the query has more rows)\n"
    whole = _run("sql", QUERY, "--db", tiny, "--max-rows", "3", "--format", "csv")
    assert (whole.exit_code, _err(whole)) == (0, "")  # exactly the cap: nothing was cut, nothing said


def test_sql_stops_a_query_past_its_timeout_in_one_line(tiny: str) -> None:
    endless_count = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) FROM r"
    result = _run("sql", endless_count, "--db", tiny, "--timeout", "0.5")
    assert (result.exit_code, result.stdout, _err(result)) == (
        1,
        "",
        "Error: query stopped: it ran past its time limit of 0.5 s (see --timeout)\n",
    )


def test_sql_json_is_strict_and_streams(tiny: str) -> None:
    sql = (
        "SELECT 'NaN'::float8 AS nan, 'Infinity'::float8 AS inf, '-Infinity'::float8 AS ninf"
        if tiny.startswith("postgresql")
        else "SELECT 9e999 AS nan, 9e999 AS inf, -9e999 AS ninf"  # SQLite has no NaN value: 0.0/0 is NULL
    )
    result = _run("sql", sql, "--db", tiny, "--format", "json")
    assert result.exit_code == 0, result.output

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    assert json.loads(result.stdout, parse_constant=refuse) == [{"nan": None, "inf": None, "ninf": None}]
    streamed = _run("sql", ENDLESS, "--db", tiny, "--format", "json", "--max-rows", "2")
    assert json.loads(streamed.stdout) == [{"n": 1}, {"n": 2}]
    assert _run("sql", "SELECT id FROM models WHERE 0 = 1", "--db", tiny, "--format", "json").stdout == "[]\n"


@pytest.mark.parametrize("statement", ["COPY (SELECT 1) TO STDOUT", "COPY models TO STDOUT"])
def test_copy_to_stdout_is_one_error_line(tiny: str, statement: str) -> None:
    result = _run("sql", statement, "--db", tiny)
    assert (result.exit_code, result.stdout) == (1, "")
    err = _err(result)
    assert err.startswith("Error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_postgresql_superuser_gets_a_warning(tiny: str) -> None:
    result = _run("sql", "SELECT 1 AS one", "--db", tiny, "--format", "csv")
    assert result.exit_code == 0 and result.stdout == "one\n1\n"
    expected = SUPERUSER_WARNING + "\n" if tiny.startswith("postgresql") else ""
    assert result.stderr == expected
    assert "docs/schema.md" in SUPERUSER_WARNING


# --- where --db goes, and what URLs it takes -----------------------------------------------------------


def test_db_takes_db_before_or_after_its_subcommand(tiny: str) -> None:
    before = _run("db", "--db", tiny, "status")
    after = _run("db", "status", "--db", tiny)
    assert (before.exit_code, before.stdout) == (0, after.stdout)
    assert before.stdout.startswith(f"{_shown(tiny)}: schema at revision {head_revision()}\n")


@pytest.mark.postgresql
def test_a_postgres_url_is_taken_as_postgresql(tiny: str) -> None:
    if not tiny.startswith("postgresql://"):
        pytest.skip("PostgreSQL only")
    result = _run(
        "sql",
        "SELECT COUNT(*) AS n FROM models",
        "--db",
        "postgres://" + tiny.removeprefix("postgresql://"),
        "--format",
        "csv",
    )
    assert (result.exit_code, result.stdout) == (0, "n\n3\n")


def test_a_db_whose_folder_cannot_exist_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    url = f"sqlite:///{tmp_path / 'file' / 'sub' / 'c.db'}"
    result = _run("db", "upgrade", "--db", url)
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: cannot make the folder of database {tmp_path / 'file' / 'sub' / 'c.db'}: Not a directory\n",
    )


# --- damaged files: every command, one line -----------------------------------------------------------

READING_COMMANDS = [
    ("sql", "SELECT COUNT(*), SUM(downloads), MAX(id) FROM models"),
    ("db", "status"),
    ("db", "upgrade"),
    ("search",),
    ("stats",),
    ("lineage", "org/m0001"),
]


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three bad files: random bytes, a catalog cut in half, a catalog with pages overwritten."""
    tmp_path = tmp_path_factory.mktemp("damaged")
    good = tmp_path / "good.db"
    with Store.open(f"sqlite:///{good}") as store, store.engine.begin() as conn:
        upsert(
            conn, "models", [{"id": f"org/m{i:04d}", "author": "org", "downloads": i} for i in range(3000)]
        )
    data = good.read_bytes()
    page = 4096
    files = {"garbage": bytes(range(256)) * 20, "truncated": data[: len(data) // 2]}
    corrupt = bytearray(data)
    for offset in range(len(data) // (2 * page) * page, len(data), page):
        corrupt[offset : offset + page] = b"\xff" * page
    files["overwritten"] = bytes(corrupt)
    paths = {}
    for name, content in files.items():
        paths[name] = tmp_path / f"{name}.db"
        paths[name].write_bytes(content)
    return paths


@pytest.mark.parametrize("command", READING_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_damaged_database_file_is_one_error_line_for_every_command(
    damaged: dict[str, Path], command: tuple[str, ...]
) -> None:
    for name, path in damaged.items():
        result = _run(*command, "--db", f"sqlite:///{path}")
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exception)
        # Random bytes and a cut file fail at once; overwritten pages fail where a command reads them.
        if name != "overwritten" or result.exit_code:
            assert result.exit_code == 1, (name, result.output)
            assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, (
                name,
                result.stderr,
            )
    assert _run(*READING_COMMANDS[0], "--db", f"sqlite:///{damaged['overwritten']}").stderr == (
        "Error: query failed: database disk image is malformed\n"
    )
    assert _run("stats", "--db", f"sqlite:///{damaged['overwritten']}").stderr == (
        "Error: cannot read the database: database disk image is malformed (the file is damaged or not a catalog)\n"
    )


# --- a closed pipe, a read-only mount: in a real process ---------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("stats",),
        ("search",),
        ("sql", ENDLESS, "--max-rows", "100000"),
        ("db", "status"),
        ("lineage", "org/a"),
    ],
    ids=lambda c: c[0] + (" " + c[1] if c[0] == "db" else ""),
)
def test_a_closed_pipe_ends_every_command_quietly(tiny: str, command: tuple[str, ...]) -> None:
    # The reader is gone before the command writes a byte, as after `catalog stats | head -0`.
    process = subprocess.Popen(
        [_catalog_script(), *command, "--db", tiny], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert (process.returncode, err.decode().replace(SUPERUSER_WARNING + "\n", "")) == (0, "")


def _sqlite_state(path: Path) -> tuple[bytes, int, list[str]]:
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in path.parent.iterdir())


def test_reading_commands_leave_a_sqlite_file_as_it_was(tmp_path: Path) -> None:
    # A catalog in rollback-journal mode (as copied, or made by another tool): reading must not
    # switch it to WAL (a header write), nor leave -wal/-shm files beside it.
    path = tmp_path / "c.db"
    with Store.open(f"sqlite:///{path}") as store, store.engine.begin() as conn:
        upsert(conn, "models", TINY["models"])
    with Store.open(f"sqlite:///{path}") as store, store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode = DELETE")
    before = _sqlite_state(path)
    assert before[2] == ["c.db"]
    for command in (("sql", "SELECT COUNT(*) FROM models"), ("db", "status"), ("search",), ("stats",)):
        result = _run(*command, "--db", f"sqlite:///{path}")
        assert result.exit_code == 0, result.output
        assert _sqlite_state(path) == before, command


def test_a_catalog_on_a_read_only_mount_can_be_read(tmp_path: Path) -> None:
    """A real read-only bind mount (in a private mount namespace): root cannot write it either."""
    if (
        shutil.which("unshare") is None
        or subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False).returncode
    ):
        pytest.skip("needs unshare -m (a private mount namespace)")
    source, mount = tmp_path / "src", tmp_path / "ro"
    source.mkdir()
    mount.mkdir()
    url = f"sqlite:///{mount / 'c.db'}"
    with Store.open(f"sqlite:///{source / 'c.db'}") as store, store.engine.begin() as conn:
        upsert(conn, "models", TINY["models"])  # a WAL catalog, closed cleanly: no -wal, no -shm
    before = _sqlite_state(source / "c.db")
    script = (
        f"mount --bind {source} {mount} && mount -o remount,bind,ro {mount} && "
        f"! touch {mount}/probe 2>/dev/null && "
        f"{_catalog_script()} sql 'SELECT id FROM models ORDER BY id' --format csv --db {url} && "
        f"{_catalog_script()} db status --db {url} >/dev/null && "
        f"{_catalog_script()} stats --db {url} >/dev/null"
    )
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=120
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "id\norg/a\norg/b\nzed/c\n", "")
    assert _sqlite_state(source / "c.db") == before


def test_a_lineage_cycle_warning_shows_control_characters_escaped(tiny: str) -> None:
    with Store.open(tiny) as store, store.engine.begin() as conn:
        upsert(conn, "models", [{"id": HOSTILE_ID, "author": "evil"}, {"id": "evil/b", "author": "evil"}])
        upsert(
            conn,
            "model_lineage",
            [
                {"model_id": HOSTILE_ID, "base_model_id": "evil/b", "relation": "finetune", "source": "tag"},
                {"model_id": "evil/b", "base_model_id": HOSTILE_ID, "relation": "finetune", "source": "tag"},
            ],
        )
    result = _run("lineage", "evil/b", "--db", tiny)
    assert result.exit_code == 0, result.output
    assert "warning: lineage cycle" in result.stderr and SHOWN_ID in result.stderr
    assert not any(c in result.output for c in "\x1b\x07\x9b\u202e")


def test_csv_to_a_terminal_shows_control_characters_escaped_and_to_a_pipe_keeps_them(tiny: str) -> None:
    import pty

    with Store.open(tiny) as store, store.engine.begin() as conn:
        upsert(conn, "models", [{"id": HOSTILE_ID, "author": "evil", "downloads": 99999}])
    command = [_catalog_script(), "sql", "SELECT id FROM models WHERE downloads = 99999", "--format", "csv"]
    piped = subprocess.run([*command, "--db", tiny], capture_output=True, timeout=120)
    assert piped.stdout.decode() == f"id\n{HOSTILE_ID}\n"  # data for a program: exact
    leader, follower = pty.openpty()
    with subprocess.Popen([*command, "--db", tiny], stdout=follower, stderr=subprocess.DEVNULL) as process:
        os.close(follower)
        shown = b""
        while chunk := _read_pty(leader):
            shown += chunk
        process.wait(timeout=120)
    os.close(leader)
    assert shown.decode().replace("\r\n", "\n") == f"id\n{SHOWN_ID}\n"


def _read_pty(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the command closed the terminal: all is read
        return b""

"""The read-only query guard: SQL from a user runs only if it reads the catalog, and never for long.

A statement is checked by the database's own grammar before it runs: on PostgreSQL by ``pglast``
(PostgreSQL's parser), on SQLite by its authorizer, called for every table, column, function and
pragma the statement touches. Both check against allow-lists: one ``SELECT`` (or ``VALUES``,
``TABLE``, ``WITH``) over the catalog's tables and views, calling only the functions listed here,
whatever the role connected. ``COPY``, ``SET``, file and program access, large objects,
replication, backend signalling, ``dblink``, ``ATTACH``, ``VACUUM INTO`` and setting pragmas are
refused before anything runs. The statement then runs in a read-only transaction that is rolled
back, under a time limit (``statement_timeout`` on PostgreSQL, a progress handler on SQLite), and
its rows are streamed with a cap on how many are read.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import Connection

from catalog.errors import ConfigError, ReadOnlyViolation, StoreError, one_line

__all__ = [
    "MAX_ROWS",
    "TIMEOUT",
    "Rows",
    "check_postgresql",
    "is_read_only_error",
    "sqlite_authorizer",
    "sqlite_write_guard",
    "stream_rows",
]

#: Seconds a query may run (reading its rows included) unless told otherwise.
TIMEOUT = 30.0
#: Rows a query returns at most unless told otherwise.
MAX_ROWS = 10_000
#: Rows fetched per round trip.
FETCH = 500

#: Functions a query may call on either backend (PostgreSQL's ``pg_catalog.`` prefix allowed):
#: aggregates, window functions, string, number, date and JSON functions. Anything else (pg_read_file,
#: lo_import, pg_terminate_backend, set_config, dblink, load_extension, fts3_tokenizer, ...) is refused.
FUNCTIONS = frozenset(
    """
    count sum avg min max total group_concat string_agg array_agg json_agg jsonb_agg json_object_agg
    jsonb_object_agg json_group_array json_group_object bool_and bool_or every bit_and bit_or
    stddev stddev_pop stddev_samp variance var_pop var_samp corr covar_pop covar_samp
    percentile_cont percentile_disc mode median
    row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
    coalesce ifnull iif nullif greatest least typeof pg_typeof
    lower upper initcap length char_length character_length octet_length bit_length instr strpos
    position substr substring left right ltrim rtrim trim btrim lpad rpad replace translate reverse
    split_part concat concat_ws format printf quote quote_ident quote_literal unicode char chr ascii
    hex unhex md5 starts_with like glob regexp_replace regexp_match regexp_matches regexp_like
    regexp_split_to_array regexp_split_to_table regexp_count regexp_substr string_to_array
    array_to_string array_length array_position array_positions array_remove array_append
    array_cat cardinality unnest generate_series generate_subscripts
    abs round ceil ceiling floor trunc sign sqrt cbrt power pow exp ln log log10 log2 mod pi div
    random width_bucket to_char to_number to_date to_timestamp
    date time datetime julianday unixepoch strftime timediff now date_trunc date_part extract age
    make_date make_timestamp make_interval justify_days justify_hours timezone
    current_date current_time current_timestamp localtime localtimestamp
    json jsonb json_extract jsonb_extract json_each json_tree json_array json_object json_array_length
    json_type json_valid json_quote json_patch json_insert json_set json_replace json_remove
    -> ->> json_extract_path json_extract_path_text jsonb_extract_path jsonb_extract_path_text
    json_array_elements json_array_elements_text jsonb_array_elements jsonb_array_elements_text
    json_each_text jsonb_each jsonb_each_text json_object_keys jsonb_object_keys json_typeof
    jsonb_typeof jsonb_array_length jsonb_build_object json_build_object json_build_array
    jsonb_build_array to_json to_jsonb row_to_json array_to_json jsonb_path_query jsonb_path_exists
    jsonb_path_query_array jsonb_path_query_first jsonb_strip_nulls jsonb_pretty jsonb_set
    likely unlikely likelihood match bm25 highlight snippet similarity word_similarity
    strict_word_similarity
    pg_sleep
    """.split()  # noqa: SIM905 (words read better as words than as 200 quoted strings)
)
# Pragmas whose argument names what to read (``PRAGMA table_info(models)``); any other pragma
# given a value sets it (``PRAGMA journal_mode = DELETE`` rewrites the file header).
READING_PRAGMAS = frozenset(
    {
        "foreign_key_check",
        "foreign_key_list",
        "index_info",
        "index_list",
        "index_xinfo",
        "integrity_check",
        "quick_check",
        "table_info",
        "table_list",
        "table_xinfo",
    }
)
#: Pragmas a query may read when given no value (given one, they would set it).
_VALUE_PRAGMAS = frozenset(
    """
    application_id collation_list compile_options data_version database_list encoding foreign_keys
    freelist_count
    function_list journal_mode module_list page_count page_size pragma_list schema_version
    user_version
    """.split()  # noqa: SIM905 (words read better as words than as 200 quoted strings)
)
#: SQLite's own tables and table-valued functions a query may read.
_SQLITE_TABLES = frozenset(
    {"sqlite_master", "sqlite_schema", "json_each", "json_tree"} | {f"pragma_{p}" for p in READING_PRAGMAS}
)


class Rows:
    """The rows of a read-only query, streamed: iterate once; at most ``max_rows`` are read.

    ``columns`` holds the column names. After iterating, ``truncated`` says whether the query had
    more rows than ``max_rows`` (those were not read), and ``count`` how many were yielded.
    """

    def __init__(
        self, columns: list[str], fetch: Callable[[int], list[tuple[Any, ...]]], max_rows: int
    ) -> None:
        self.columns = columns
        self.max_rows = max_rows
        self.truncated = False
        self.count = 0
        self._fetch = fetch

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while self.count < self.max_rows:
            batch = self._fetch(min(FETCH, self.max_rows - self.count))
            if not batch:
                return
            for row in batch:
                self.count += 1
                yield tuple(row)
        # One row more says whether the cap cut anything.
        self.truncated = bool(self._fetch(1))


def check_postgresql(sql: str, relations: Collection[str], schema: str | None) -> None:
    """Raise :class:`ReadOnlyViolation` unless ``sql`` is one read-only query over ``relations``.

    ``schema`` is the catalog's own schema: a relation may be named with it, or unqualified.

    Examples
    --------
    >>> check_postgresql("SELECT lower(id) FROM models", {"models"}, "public")
    >>> check_postgresql("SELECT pg_read_file('/etc/passwd')", {"models"}, "public")
    Traceback (most recent call last):
    ...
    catalog.errors.ReadOnlyViolation: refused: the function pg_read_file is not one a query here may call; nothing was changed
    >>> check_postgresql("COPY models TO STDOUT", {"models"}, "public")
    Traceback (most recent call last):
    ...
    catalog.errors.ReadOnlyViolation: refused: COPY is not a query (only SELECT, VALUES, TABLE and WITH ... SELECT run here); nothing was changed
    """
    from pglast import ast, parse_sql
    from pglast.parser import ParseError

    try:
        statements = parse_sql(sql)
    except ParseError as exc:
        raise StoreError(f"query failed: syntax error: {exc}") from exc
    if len(statements) != 1:
        _refuse(f"{len(statements)} statements given, one query runs at a time")
    statement = statements[0].stmt
    if not isinstance(statement, ast.SelectStmt):
        name = type(statement).__name__.removesuffix("Stmt")
        if name.startswith(_WRITES):
            _refuse("the statement writes, and queries here are read-only")
        verb = {"Copy": "COPY", "VariableSet": "SET", "Explain": "EXPLAIN"}.get(name, name.upper())
        _refuse(f"{verb} is not a query (only SELECT, VALUES, TABLE and WITH ... SELECT run here)")
    ctes = {node.ctename for node in _nodes(statement) if isinstance(node, ast.CommonTableExpr)}
    for node in _nodes(statement):
        if isinstance(node, ast.InsertStmt | ast.UpdateStmt | ast.DeleteStmt | ast.MergeStmt):
            _refuse("the statement writes, and queries here are read-only")
        if isinstance(node, ast.SelectStmt) and (node.intoClause or node.lockingClause):
            _refuse("SELECT INTO and FOR UPDATE/SHARE write, and queries here are read-only")
        if isinstance(node, ast.FuncCall):
            names = [part.sval for part in node.funcname or ()]
            if (len(names) == 2 and names[0] != "pg_catalog") or names[-1] not in FUNCTIONS:
                _refuse(f"the function {'.'.join(names)} is not one a query here may call")
        if isinstance(node, ast.RangeVar):
            qualified = node.catalogname is not None or node.schemaname not in (None, schema)
            known = node.relname in relations or (node.schemaname is None and node.relname in ctes)
            if qualified or not known:
                shown = ".".join(n for n in (node.catalogname, node.schemaname, node.relname) if n)
                _refuse(f"{shown} is not one of the catalog's tables or views")


#: Statements (by pglast's node name) that change the database rather than ask it something.
_WRITES = ("Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "Truncate", "Grant", "Rename")


def _nodes(root: Any) -> Iterator[Any]:
    """Yield every node of a pglast tree, depth first (bounded by the parser's own depth limit)."""
    from pglast import ast

    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple | list):
            stack.extend(node)
        elif isinstance(node, ast.Node):
            yield node
            stack.extend(getattr(node, slot) for slot in getattr(type(node), "__slots__", ()))


def _refuse(reason: str) -> None:
    raise ReadOnlyViolation(f"refused: {reason}; nothing was changed")


def sqlite_authorizer(relations: Collection[str], denied: list[str]) -> Callable[..., int]:
    """An authorizer that lets a statement read ``relations`` with allowed functions, and nothing else."""

    def authorize(action: int, arg1: str | None, arg2: str | None, db: str | None, _inner: str | None) -> int:
        if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_RECURSIVE):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ and (
            db is None or arg1 in relations or arg1 in _SQLITE_TABLES  # db None: a CTE or subquery
        ):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in FUNCTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and (
            (arg1 or "").lower() in READING_PRAGMAS
            or ((arg1 or "").lower() in _VALUE_PRAGMAS and arg2 is None)
        ):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master" and db == "main":
            # SQLite itself, making a table-valued function's table; query_only stops any real write.
            return sqlite3.SQLITE_OK
        denied.append(_what(action, arg1, arg2))
        return sqlite3.SQLITE_DENY

    return authorize


def sqlite_write_guard(
    denied: list[int], action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None
) -> int:
    """Deny what ``PRAGMA query_only`` lets through: ATTACH and VACUUM INTO create files, pragmas set values."""
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH) or (
        action == sqlite3.SQLITE_PRAGMA and arg2 is not None and (arg1 or "").lower() not in READING_PRAGMAS
    ):
        denied.append(action)
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _what(action: int, arg1: str | None, arg2: str | None) -> str:
    if action == sqlite3.SQLITE_FUNCTION:
        return f"the function {arg2} is not one a query here may call"
    if action == sqlite3.SQLITE_READ:
        return f"{arg1} is not one of the catalog's tables or views"
    if action == sqlite3.SQLITE_PRAGMA:
        return f"PRAGMA {arg1}{'' if arg2 is None else ' = ' + arg2} is not a pragma a query here may read"
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return "ATTACH and DETACH open other files, and queries here read the catalog only"
    return "the statement writes, and queries here are read-only"


@contextmanager
def stream_rows(
    conn: Connection, sql: str, *, relations: Collection[str], timeout: float, max_rows: int
) -> Iterator[Rows]:
    """Run the user's ``sql`` on ``conn`` under the guard; yield its :class:`Rows`, then roll back."""
    if not sql.strip():
        raise ConfigError('no SQL statement given: pass one, e.g. "SELECT COUNT(*) FROM models"')
    if not timeout > 0 or max_rows < 0:
        raise ConfigError(
            f"a query needs a timeout above 0 s and max rows of 0 or more, not {timeout}, {max_rows}"
        )
    deadline = time.monotonic() + timeout
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    denied: list[str] = []
    if conn.dialect.name == "postgresql":
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
        check_postgresql(sql, relations, schema)
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(timeout * 1000))}")
        # The store plans its own reads for all their rows (``store.engine``); a user's query is
        # read a page at a time, often its first only: PostgreSQL's default, for a cursor's first tenth.
        conn.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 0.1")
        cursor: Any = dbapi.cursor(name="catalog_read_only_query")  # server-side: rows stream
    else:
        conn.exec_driver_sql("PRAGMA query_only = ON")
        dbapi.set_authorizer(sqlite_authorizer(relations, denied))
        # Called every 1,000 virtual-machine steps: a query past its deadline is interrupted.
        dbapi.set_progress_handler(lambda: int(time.monotonic() > deadline), 1_000)
        cursor = dbapi.cursor()
    errors = conn.dialect.loaded_dbapi.Error

    def translate(exc: BaseException) -> StoreError:
        if denied or is_read_only_error(exc):
            reason = denied[0] if denied else "the statement writes, and queries here are read-only"
            return ReadOnlyViolation(f"refused: {reason} ({one_line(exc)}); nothing was changed")
        if time.monotonic() >= deadline or getattr(exc, "sqlstate", None) == "57014":
            return StoreError(f"query stopped: it ran past its time limit of {timeout:g} s (see --timeout)")
        return StoreError(f"query failed: {one_line(exc)}")

    def fetch(size: int) -> list[tuple[Any, ...]]:
        if time.monotonic() > deadline:
            raise StoreError(f"query stopped: it ran past its time limit of {timeout:g} s (see --timeout)")
        try:
            return list(cursor.fetchmany(size))
        except errors as exc:
            raise translate(exc) from exc

    try:
        try:
            cursor.execute(sql)
            columns = [d[0] for d in cursor.description or ()]
            if (
                not columns and conn.dialect.name == "postgresql"
            ):  # DECLARE runs nothing until the first FETCH
                fetch(0)
                columns = [d[0] for d in cursor.description or ()]
        except errors as exc:
            raise translate(exc) from exc
        yield Rows(columns, fetch if columns else lambda size: [], max_rows)
    finally:
        with suppress(errors):  # a transaction already failed: the rollback below ends it
            cursor.close()
        if conn.dialect.name == "sqlite":
            dbapi.set_authorizer(None)
            dbapi.set_progress_handler(None, 0)
            conn.rollback()
            conn.exec_driver_sql("PRAGMA query_only = OFF")
        else:
            conn.rollback()


def is_read_only_error(exc: BaseException) -> bool:
    message = str(exc).lower()
    return "readonly" in message or "read-only" in message or getattr(exc, "sqlstate", None) == "25006"

"""The engine for a database URL: which driver, SQLite's pragmas, and SQLite opened read-only.

Reading commands open a SQLite file with ``mode=ro``: nothing they run can write it, they never
switch it to WAL, and a catalog on a read-only mount can still be read.
"""

from __future__ import annotations

import os
import sqlite3
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from catalog.errors import ConfigError

__all__ = ["DEFAULT_URL", "create_engine_for", "in_memory", "resolve_url", "sqlite_file"]

DEFAULT_URL = "sqlite:///data/catalog.db"


def resolve_url(url: str | None) -> str:
    """Return the database URL to use: ``url``, else ``$CATALOG_DB``, else the default SQLite file."""
    return url or os.environ.get("CATALOG_DB") or DEFAULT_URL


def parse_url(url: str) -> URL:
    """Parse ``url``; ``postgres://`` (Heroku's and libpq's spelling) is taken as PostgreSQL with psycopg.

    Examples
    --------
    >>> parse_url("postgres://me@db/catalog").drivername
    'postgresql+psycopg'
    >>> parse_url("sqlite:///data/catalog.db").database
    'data/catalog.db'
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(
            f"not a database URL: {url!r} (expected e.g. sqlite:///data/catalog.db or "
            "postgresql+psycopg://user@host/db)"
        ) from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername.startswith("postgres+"):
        parsed = parsed.set(drivername="postgresql+" + parsed.drivername.partition("+")[2])
    return parsed


def create_engine_for(url: str, *, read_only: bool = False) -> Engine:
    """Create an engine for ``url``; SQLite files get WAL, foreign keys and their folder.

    With ``read_only`` a SQLite file is opened with ``mode=ro`` (and its journal mode left as it
    is), and every PostgreSQL transaction is read-only.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        if read_only and path is not None:
            engine = create_engine(parsed, creator=lambda: _connect_read_only(path))
            event.listen(engine, "connect", _sqlite_reading_pragmas)
            return engine
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"cannot make the folder of database {path}: {exc.strerror or exc}"
                ) from exc
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        engine = create_engine(parsed, pool_pre_ping=True)
    except Exception as exc:  # a missing driver or a bad option: say which URL
        raise ConfigError(f"cannot use database URL {url!r}: {exc}") from exc
    event.listen(engine, "connect", partial(_postgresql_session, read_only=read_only))
    return engine


def sqlite_file(url: str) -> Path | None:
    """Return the file a SQLite URL names, ``None`` for other databases, memory or a bad URL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def in_memory(url: str) -> bool:
    """Whether ``url`` names an in-memory SQLite database (always new, so always migrated)."""
    parsed = parse_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def _connect_read_only(path: Path) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
    try:
        # A WAL file needs its -shm beside it; on a read-only mount none can be made, and the
        # file cannot change while the mount is read-only, so it is read as immutable.
        connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.OperationalError:
        connection.close()
        if os.access(path.parent, os.W_OK):
            raise
        connection = sqlite3.connect(f"{uri}&immutable=1", uri=True, check_same_thread=False)
    return connection


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
    _sqlite_reading_pragmas(dbapi_connection, _record)


def _sqlite_reading_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 64 MiB of page cache instead of 2 MB, taken only as pages are read: a bulk load updates a dozen
    # indexes in random key order, and at 400,000 models (2.5M rows) the default ran 1.4x slower.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _postgresql_session(dbapi_connection: Any, _record: Any, *, read_only: bool) -> None:
    with dbapi_connection.cursor() as cursor:
        # Every read streams through a server-side cursor (``catalog.queries.read``), which
        # PostgreSQL plans for its first tenth of rows (cursor_tuple_fraction 0.1): a page of 50
        # searched by rare text then walked the downloads index for 5 (at 1M models, 150-450 ms)
        # instead of sorting its 1,000 matches (15 ms). Every cursor here is read to its end.
        cursor.execute("SET cursor_tuple_fraction = 1.0")
        if read_only:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    dbapi_connection.commit()

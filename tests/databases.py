"""Where the tests' databases come from: a SQLite file, or a fresh PostgreSQL schema dropped afterwards.

Import as ``from tests.databases import BACKENDS, database_url``. ``conftest.py`` builds the
``db_url`` fixture (one database a test) on it; a module that loads one catalog for all its tests
uses it with a module-scoped fixture.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

POSTGRES_URL = os.environ.get("CATALOG_TEST_POSTGRES_URL")
#: The ``params`` of a fixture that runs on each backend; PostgreSQL's is skipped without a server.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@contextmanager
def database_url(backend: str, directory: Path) -> Iterator[str]:
    """The URL of an empty database: ``catalog.db`` in ``directory``, or a PostgreSQL schema of its own."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'catalog.db'}"
        return
    assert POSTGRES_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

"""Shared fixtures: a real, migrated database on SQLite and, when configured, on PostgreSQL.

Set ``CATALOG_TEST_POSTGRES_URL`` (``make test`` does) to run every ``store`` test on PostgreSQL
too; each test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.store import Store
from tests.databases import BACKENDS, POSTGRES_URL, database_url


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="set CATALOG_TEST_POSTGRES_URL to run the PostgreSQL tests")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs against the PostgreSQL test server")


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated store on each backend."""
    with Store.open(db_url) as store:
        yield store

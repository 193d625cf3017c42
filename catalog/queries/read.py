"""The one way statements are read: :func:`read` streams rows into a row type (:func:`rows`, as they
come); :func:`scalar` one value."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from sqlalchemy import Executable, Row

from catalog.errors import ConfigError
from catalog.records import MAX_COUNT
from catalog.store import Store

__all__ = ["ROWS_PER_FETCH", "check_limit", "read", "rows", "scalar"]

T = TypeVar("T")

#: Rows the driver hands over at a time: a million-row read holds one batch, not the result.
ROWS_PER_FETCH = 20_000


def read(store: Store, statement: Executable, row: Callable[..., T]) -> Iterator[T]:
    """Run ``statement`` on ``store`` and yield each result row as ``row(*columns)``.

    Rows are streamed, :data:`ROWS_PER_FETCH` at a time; the connection closes when the last is
    read (or the iterator is closed).

    Examples
    --------
    >>> from sqlalchemy import select
    >>> from catalog.graph.demo import demo_store
    >>> from catalog.schema import App
    >>> list(read(demo_store(), select(App.id, App.label).order_by(App.id).limit(2), lambda *r: r))
    [('llama.cpp', 'llama.cpp'), ('ollama', 'Ollama')]
    """
    for values in rows(store, statement):
        yield row(*values)


def rows(store: Store, statement: Executable) -> Iterator[Row[Any]]:
    """Run ``statement`` on ``store`` and yield its rows as they come (tuples that also name their columns).

    For reads of millions of rows, where building a row type for each would cost more than the read;
    streamed like :func:`read`.

    Examples
    --------
    >>> from sqlalchemy import select
    >>> from catalog.graph.demo import demo_store
    >>> from catalog.schema import App
    >>> [tuple(r) for r in rows(demo_store(), select(App.id, App.label).order_by(App.id).limit(2))]
    [('llama.cpp', 'llama.cpp'), ('ollama', 'Ollama')]
    """
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=ROWS_PER_FETCH).execute(statement)
        yield from result


def scalar(store: Store, statement: Executable) -> Any:
    """Return the first column of the first row of ``statement`` (``None`` without rows).

    Examples
    --------
    >>> from sqlalchemy import func, select
    >>> from catalog.graph.demo import demo_store
    >>> from catalog.schema import App
    >>> scalar(demo_store(), select(func.count()).select_from(App))
    3
    """
    with store.engine.connect() as conn:
        return conn.execute(statement).scalar()


def check_limit(limit: int | None, offset: int = 0) -> None:
    """Raise :class:`ConfigError` unless ``limit`` (``None``: no limit) and ``offset`` fit a query.

    A negative limit would otherwise mean "all but the last rows" in a Python slice and "no limit"
    to SQLite but an error to PostgreSQL; one past a 64-bit integer, an ``OverflowError`` on
    SQLite and "bigint out of range" on PostgreSQL.

    Examples
    --------
    >>> check_limit(-1)
    Traceback (most recent call last):
    ...
    catalog.errors.ConfigError: limit must be 0 or more, got -1
    >>> check_limit(99999999999999999999)
    Traceback (most recent call last):
    ...
    catalog.errors.ConfigError: limit and offset must add up to at most 9223372036854775807, got 99999999999999999999
    """
    for name, value in (("limit", limit), ("offset", offset)):
        if value is not None and value < 0:
            raise ConfigError(f"{name} must be 0 or more, got {value}")
    if (limit or 0) + offset > MAX_COUNT:
        raise ConfigError(f"limit and offset must add up to at most {MAX_COUNT}, got {(limit or 0) + offset}")

"""Reading rows for the graph layer, and checking that an id exists (with close matches when not)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from sqlalchemy import bindparam, text

from catalog.errors import ConfigError, NotFound
from catalog.graph.params import PARAM_BUCKETS
from catalog.store import Store

__all__ = ["FaceKind", "check_limit", "chunks", "fetch", "require", "suggest"]

FaceKind = Literal[
    "model",
    "task",
    "library",
    "app",
    "provider",
    "author",
    "params",
    "dataset",
    "space",
    "license",
    "language",
]

#: Ids per ``IN (...)`` list: far below SQLite's 32766 variables and PostgreSQL's 65535.
CHUNK = 5_000
#: Candidates that close matches are chosen from: bounded so that a miss stays cheap at 1M models.
MAX_CANDIDATES = 5_000

# Where each kind of id lives: its own table, and the (indexed) column of the rows that use it.
_SOURCES: dict[str, tuple[str, str, str]] = {
    "task": ("tasks", "models", "pipeline_tag"),
    "library": ("libraries", "models", "library_name"),
    "app": ("apps", "model_apps", "app_id"),
    "provider": ("providers", "model_providers", "provider_id"),
    "dataset": ("datasets", "model_datasets", "dataset_id"),
    "space": ("spaces", "space_models", "space_id"),
}


def fetch(store: Store, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Run a read-only ``sql`` with ``params`` (lists become ``IN`` lists) and return its rows.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> fetch(demo_store(), "SELECT id FROM apps WHERE id IN :ids ORDER BY id", {"ids": ["vllm", "ollama"]})
    [('ollama',), ('vllm',)]
    """
    params = dict(params or {})
    statement = text(sql)
    lists = [k for k, v in params.items() if isinstance(v, list | tuple | set | frozenset)]
    if lists:
        statement = statement.bindparams(*[bindparam(k, expanding=True) for k in lists])
        params.update({k: list(params[k]) for k in lists})
    with store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(statement, params)]


def check_limit(limit: int | None) -> None:
    """Raise :class:`ConfigError` unless ``limit`` is ``None`` (no limit) or 0 or more.

    A negative limit would otherwise mean "all but the last rows" in a Python slice, and "no
    limit" to SQLite but an error to PostgreSQL.

    Examples
    --------
    >>> check_limit(-1)
    Traceback (most recent call last):
    ...
    catalog.errors.ConfigError: limit must be 0 or more, got -1
    """
    if limit is not None and limit < 0:
        raise ConfigError(f"limit must be 0 or more, got {limit}")


def chunks(items: Sequence[str]) -> Iterator[list[str]]:
    """Yield ``items`` in lists short enough for one ``IN (...)``."""
    for start in range(0, len(items), CHUNK):
        yield list(items[start : start + CHUNK])


def _exists(store: Store, kind: FaceKind, id: str) -> bool:
    if kind == "params":
        return id in {b[0] for b in PARAM_BUCKETS}
    if kind == "model":
        sql = "SELECT 1 FROM models WHERE id = :id AND deleted_at IS NULL LIMIT 1"
    elif kind == "author":
        sql = "SELECT 1 FROM models WHERE author = :id AND deleted_at IS NULL LIMIT 1"
    elif kind == "license":
        sql = "SELECT 1 FROM models WHERE license = :id LIMIT 1"
    elif kind == "language":  # the Hub tags a language as a bare code, cards as language:<code>
        sql = "SELECT 1 FROM model_tags WHERE tag = :id OR tag = :prefixed LIMIT 1"
    else:
        table, users, column = _SOURCES[kind]
        sql = (
            f"SELECT 1 FROM {table} WHERE id = :id UNION ALL "
            f"SELECT 1 FROM (SELECT 1 AS one FROM {users} WHERE {column} = :id LIMIT 1) u"
        )
    return bool(
        fetch(store, sql, {"id": id, "prefixed": f"language:{id}"} if kind == "language" else {"id": id})
    )


def suggest(store: Store, kind: FaceKind, id: str, n: int = 3) -> list[str]:
    """Return up to ``n`` ids of ``kind`` close to ``id``, from a bounded list of candidates.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> suggest(demo_store(), "task", "text-generaton")
    ['text-generation']
    """
    if kind == "params":
        candidates = [b[0] for b in PARAM_BUCKETS]
    elif kind in ("model", "author"):
        author, _, name = id.partition("/")
        column = "id" if kind == "model" else "author"
        # Same author, or a name that contains the asked-for name: an index range plus one scan.
        rows = fetch(
            store,
            f"SELECT DISTINCT {column} FROM models WHERE deleted_at IS NULL AND "
            f"(author = :author OR LOWER({column}) LIKE :pattern) LIMIT {MAX_CANDIDATES}",
            {"author": author, "pattern": f"%{(name or author)[:12].lower()}%"},
        )
        candidates = [r[0] for r in rows]
    elif kind == "license":
        rows = fetch(
            store, f"SELECT DISTINCT license FROM models WHERE license IS NOT NULL LIMIT {MAX_CANDIDATES}"
        )
        candidates = [r[0] for r in rows]
    elif kind == "language":  # codes are two or three letters, or prefixed
        rows = fetch(
            store,
            "SELECT DISTINCT tag FROM model_tags WHERE LENGTH(tag) <= 3 OR tag LIKE 'language:%' "
            f"LIMIT {MAX_CANDIDATES}",
        )
        candidates = sorted({r[0].removeprefix("language:") for r in rows})
    else:
        table, users, column = _SOURCES[kind]
        rows = fetch(
            store,
            f"SELECT id FROM {table} UNION SELECT DISTINCT {column} FROM {users} "
            f"WHERE {column} IS NOT NULL LIMIT {MAX_CANDIDATES}",
        )
        candidates = [r[0] for r in rows]
    by_lower = {c.lower(): c for c in candidates if c}
    return [by_lower[c] for c in difflib.get_close_matches(id.lower(), list(by_lower), n=n, cutoff=0.6)]


def require(store: Store, kind: FaceKind, id: str) -> None:
    """Raise :class:`NotFound` (with close matches) unless the catalog holds ``id`` of ``kind``.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> require(demo_store(), "library", "transfomers")
    Traceback (most recent call last):
    ...
    catalog.errors.NotFound: no library 'transfomers' in the catalog; did you mean 'transformers'?
    """
    if not _exists(store, kind, id):
        raise NotFound(kind, id, suggest(store, kind, id))

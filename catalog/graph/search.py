"""Faceted model search: the Hub's model filters over the store, sorted and paged in SQL.

Facets combine with AND. Every named facet (task, library, app, provider, author, license,
language) must exist in the catalog, so a typo raises :class:`NotFound` with close matches instead of returning an
empty page that reads as "no such models". Sorting by downloads on a task walks the
``(pipeline_tag, downloads)`` index and stops at the page's end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, exists, func, or_, select, union_all

from catalog.errors import ConfigError
from catalog.graph.lookup import require
from catalog.graph.params import parse_count
from catalog.schema import Model, ModelApp, ModelProvider, ModelTag
from catalog.store import Store

__all__ = ["SEARCH_COLUMNS", "SORTS", "Sort", "search_models"]

Sort = Literal["downloads", "likes", "trending", "created"]
SORTS: dict[str, Any] = {
    "downloads": Model.downloads,
    "likes": Model.likes,
    "trending": Model.trending_score,
    "created": Model.created_at,
}
#: The columns of a search result, in order.
SEARCH_COLUMNS = (
    "id",
    "author",
    "pipeline_tag",
    "library_name",
    "num_parameters",
    "downloads",
    "likes",
    "trending_score",
    "license",
    "created_at",
)


def search_models(
    store: Store,
    *,
    task: str | None = None,
    library: str | None = None,
    app: str | None = None,
    provider: str | None = None,
    min_params: int | str | None = None,
    max_params: int | str | None = None,
    license: str | None = None,
    language: str | None = None,
    author: str | None = None,
    text: str | None = None,
    sort: Sort = "downloads",
    limit: int = 20,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Return one page of live models matching every facet given, as dicts of :data:`SEARCH_COLUMNS`.

    ``min_params`` / ``max_params`` bound ``num_parameters`` (inclusive; ``"7B"`` or an int);
    ``language`` matches a model tag ``xx`` or ``language:xx``; ``text`` is a case-insensitive
    substring of the id. Rows come by ``sort`` descending (unknown values last), then by id;
    ``created_at`` is an aware datetime in UTC on every backend.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> store = demo_store()
    >>> [r["id"] for r in search_models(store, task="text-generation", library="transformers", max_params="10B")]
    ['meta/llama-7b', 'mistralai/mistral-7b', 'alice/llama-7b-chat', 'dave/llama-mistral-merge']
    >>> [r["id"] for r in search_models(store, provider="together", sort="trending", limit=2)]
    ['mistralai/mistral-7b', 'big/llama-70b']
    """
    if sort not in SORTS:
        raise ConfigError(f"cannot sort by {sort!r} (choose from {', '.join(SORTS)})")
    if limit < 0 or offset < 0:
        raise ConfigError(f"limit and offset must be 0 or more, got limit={limit}, offset={offset}")
    for kind, value in (
        ("task", task),
        ("library", library),
        ("app", app),
        ("provider", provider),
        ("author", author),
        ("license", license),
        ("language", language),
    ):
        if value is not None:
            require(store, kind, value)  # type: ignore[arg-type]
    where: list[ColumnElement[bool]] = [Model.deleted_at.is_(None)]
    for column, value in (
        (Model.pipeline_tag, task),
        (Model.library_name, library),
        (Model.author, author),
        (Model.license, license),
    ):
        if value is not None:
            where.append(column == value)
    if app is not None:
        where.append(exists().where(ModelApp.model_id == Model.id, ModelApp.app_id == app))
    if provider is not None:
        where.append(
            exists().where(ModelProvider.model_id == Model.id, ModelProvider.provider_id == provider)
        )
    if language is not None:
        where.append(
            exists().where(
                ModelTag.model_id == Model.id,
                or_(ModelTag.tag == language, ModelTag.tag == f"language:{language}"),
            )
        )
    low = parse_count(min_params) if min_params is not None else None
    high = parse_count(max_params) if max_params is not None else None
    if low is not None and high is not None and low > high:
        raise ConfigError(
            f"min_params {min_params} is more than max_params {max_params}: no model can match both"
        )
    if low is not None:
        where.append(Model.num_parameters >= low)
    if high is not None:
        where.append(Model.num_parameters <= high)
    if text:
        where.append(func.lower(Model.id).contains(text.lower(), autoescape=True))
    statement = _page(where, SORTS[sort], limit, offset)
    with store.engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(statement)]
    for row in rows:
        row["created_at"] = _utc(row["created_at"])
    return rows


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back the stored UTC wall time without its zone; PostgreSQL, the session's zone.
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _page(where: list[ColumnElement[bool]], key: Any, limit: int, offset: int) -> Any:
    """Return the page query: known values of ``key`` descending, then unknown ones, then by id.

    Written as two halves because ``ORDER BY key DESC NULLS LAST`` cannot walk an ascending index
    on PostgreSQL (which puts NULLs first when descending): each half can, and stops at the page.
    """
    columns = [getattr(Model, c) for c in SEARCH_COLUMNS]
    enough = limit + offset
    known = select(*columns).where(*where, key.is_not(None)).order_by(key.desc(), Model.id).limit(enough)
    unknown = select(*columns).where(*where, key.is_(None)).order_by(Model.id).limit(enough)
    both = union_all(known.subquery().select(), unknown.subquery().select()).subquery()
    value = both.c[key.key]
    return select(both).order_by(value.is_(None), value.desc(), both.c.id).limit(limit).offset(offset)

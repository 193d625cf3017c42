"""Models: the one model filter (facets over live models), and faceted search, sorted and paged in SQL.

Facets combine with AND. Every named facet (task, library, app, provider, author, license,
language) must exist in the catalog, so a typo raises :class:`~catalog.errors.NotFound` with close
matches instead of an empty page that reads as "no such models". Sorting by downloads on a task
walks the ``(pipeline_tag, downloads)`` index and stops at the page's end.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any, TypedDict, Unpack

from sqlalchemy import ColumnElement, Select, exists, or_, select, union_all

from catalog.errors import ConfigError
from catalog.queries.fulltext import id_contains
from catalog.queries.lookup import require
from catalog.queries.read import check_limit, read
from catalog.records import MAX_COUNT, SORTS, Identified, Sort, parse_count
from catalog.schema import Model, ModelApp, ModelProvider, ModelTag
from catalog.store import Store

__all__ = [
    "SEARCH_COLUMNS",
    "SORT_COLUMNS",
    "ModelFacets",
    "SearchFacets",
    "SearchRow",
    "model_conditions",
    "search_models",
]

#: The column each sort orders by.
SORT_COLUMNS: dict[Sort, Any] = {
    "downloads": Model.downloads,
    "likes": Model.likes,
    "trending": Model.trending_score,
    "created": Model.created_at,
    "parameters": Model.num_parameters,
}


class ModelFacets(TypedDict, total=False):
    """The facets that select live models; each one given narrows the selection (AND).

    ``min_params`` / ``max_params`` bound ``num_parameters`` (inclusive; ``"7B"`` or an int);
    ``language`` matches a model tag ``xx`` or ``language:xx``; ``text`` is a case-insensitive
    substring of the id; ``min_downloads`` a floor on downloads.
    """

    task: str | None
    library: str | None
    app: str | None
    provider: str | None
    author: str | None
    license: str | None
    language: str | None
    min_params: int | str | None
    max_params: int | str | None
    min_downloads: int | None
    text: str | None


class SearchFacets(ModelFacets, total=False):
    """:class:`ModelFacets`, and the page: ``sort`` (descending, unknown values last), ``limit``, ``offset``."""

    sort: Sort
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class SearchRow:
    """One model of a search page; ``created_at`` is an aware datetime in UTC on every backend."""

    id: str
    author: str | None
    pipeline_tag: str | None
    library_name: str | None
    num_parameters: int | None
    downloads: int | None
    likes: int | None
    trending_score: float | None
    license: str | None
    created_at: datetime | None


#: The columns of a search result, in order.
SEARCH_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(SearchRow))


def model_conditions(store: Store, facets: ModelFacets) -> list[ColumnElement[bool]]:
    """Return the conditions on ``Model`` that select the live models passing every facet.

    Raises :class:`~catalog.errors.NotFound` (with close matches) for a named facet the catalog
    does not hold, and :class:`~catalog.errors.ConfigError` for bounds no model can meet.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> len(model_conditions(demo_store(), {"task": "text-generation", "min_params": "7B"}))
    3
    """
    named: dict[Identified, str | None] = {
        "task": facets.get("task"),
        "library": facets.get("library"),
        "app": facets.get("app"),
        "provider": facets.get("provider"),
        "author": facets.get("author"),
        "license": facets.get("license"),
        "language": facets.get("language"),
    }
    for kind, value in named.items():
        if value is not None:
            require(store, kind, value)
    where: list[ColumnElement[bool]] = [Model.deleted_at.is_(None)]
    for column, value in (
        (Model.pipeline_tag, named["task"]),
        (Model.library_name, named["library"]),
        (Model.author, named["author"]),
        (Model.license, named["license"]),
    ):
        if value is not None:
            where.append(column == value)
    if (app := facets.get("app")) is not None:
        where.append(exists().where(ModelApp.model_id == Model.id, ModelApp.app_id == app))
    if (provider := facets.get("provider")) is not None:
        where.append(
            exists().where(ModelProvider.model_id == Model.id, ModelProvider.provider_id == provider)
        )
    if (language := facets.get("language")) is not None:
        where.append(
            exists().where(
                ModelTag.model_id == Model.id,
                or_(ModelTag.tag == language, ModelTag.tag == f"language:{language}"),
            )
        )
    min_params, max_params = facets.get("min_params"), facets.get("max_params")
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
    if (min_downloads := facets.get("min_downloads")) is not None:
        if not 0 <= min_downloads <= MAX_COUNT:
            raise ConfigError(f"min_downloads must be between 0 and {MAX_COUNT}, got {min_downloads}")
        where.append(Model.downloads >= min_downloads)
    if text := facets.get("text"):
        where.append(id_contains(text, store))  # the trigram index of revision 0005
    return where


def search_models(store: Store, **facets: Unpack[SearchFacets]) -> list[SearchRow]:
    """Return one page of live models matching every facet given (see :class:`SearchFacets`).

    Rows come by ``sort`` (default downloads) descending, unknown values last, then by id;
    ``limit`` defaults to 20.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> store = demo_store()
    >>> [r.id for r in search_models(store, task="text-generation", library="transformers", max_params="10B")]
    ['meta/llama-7b', 'mistralai/mistral-7b', 'alice/llama-7b-chat', 'dave/llama-mistral-merge']
    >>> [r.id for r in search_models(store, provider="together", sort="trending", limit=2)]
    ['mistralai/mistral-7b', 'big/llama-70b']
    """
    sort, limit, offset = facets.get("sort", "downloads"), facets.get("limit", 20), facets.get("offset", 0)
    if sort not in SORT_COLUMNS:
        raise ConfigError(f"cannot sort by {sort!r} (choose from {', '.join(SORTS)})")
    check_limit(limit, offset)
    statement = _page(model_conditions(store, facets), SORT_COLUMNS[sort], limit, offset)
    return [_utc(row) for row in read(store, statement, SearchRow)]


def _utc(row: SearchRow) -> SearchRow:
    # SQLite hands back the stored UTC wall time without its zone; PostgreSQL, the session's zone.
    value = row.created_at
    if value is None:
        return row
    return replace(
        row, created_at=value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    )


def _page(where: list[ColumnElement[bool]], key: Any, limit: int, offset: int) -> Select[Any]:
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

"""Models: the one model filter (facets over live models), and faceted search, sorted and paged in SQL.

Facets combine with AND. Every named facet (task, library, app, provider, author, license,
language) must exist in the catalog, so a typo raises :class:`~catalog.errors.NotFound` with close
matches instead of an empty page that reads as "no such models". Sorting by downloads on a task
walks the ``(pipeline_tag, downloads)`` index and stops at the page's end.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any, TypedDict, Unpack

import orjson
from sqlalchemy import ColumnElement, exists, func, literal, literal_column, or_, select

from catalog.errors import ConfigError
from catalog.queries.fulltext import DRIVE, FEW, MANY_PER, id_contains, rowids_containing
from catalog.queries.lookup import require
from catalog.queries.read import check_limit, read, scalar
from catalog.records import MAX_COUNT, SORTS, Identified, Sort, parse_count
from catalog.schema import Model, ModelApp, ModelProvider, ModelTag
from catalog.store import Store

__all__ = [
    "SEARCH_COLUMNS",
    "SORT_COLUMNS",
    "ModelFacets",
    "Plan",
    "SearchFacets",
    "SearchRow",
    "model_conditions",
    "plan_search",
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


def model_conditions(
    store: Store, facets: ModelFacets, plan: Plan | None = None
) -> list[ColumnElement[bool]]:
    """Return the conditions on ``Model`` that select the live models passing every facet.

    ``plan`` (:func:`plan_search`) names the columns whose indexes SQLite may use for them; the
    others are written ``+column``, which no index answers. By default SQLite chooses (and the
    text drives when few ids hold it).

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
    where: list[ColumnElement[bool]] = []

    usable = None if plan is None else plan.usable

    def column_of(column: Any) -> Any:
        return column if usable is None else _unindexed(store, column, usable)

    for column, value in (
        (Model.pipeline_tag, named["task"]),
        (Model.library_name, named["library"]),
        (Model.author, named["author"]),
        (Model.license, named["license"]),
    ):
        if value is not None:
            where.append(column_of(column) == value)
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
        where.append(column_of(Model.num_parameters) >= low)
    if high is not None:
        where.append(column_of(Model.num_parameters) <= high)
    if (min_downloads := facets.get("min_downloads")) is not None:
        if not 0 <= min_downloads <= MAX_COUNT:
            raise ConfigError(f"min_downloads must be between 0 and {MAX_COUNT}, got {min_downloads}")
        where.append(column_of(Model.downloads) >= min_downloads)
    if (text := facets.get("text")) and plan is not None and plan.rowids is not None:
        # Read by the plan: the rows to fetch, or (``+rowid``) those to keep of a walk's index entries.
        if usable is None or "rowid" in usable:
            where.append(literal_column(f"{Model.__tablename__}.rowid").in_(plan.rowids))
        else:  # thousands of them: one JSON array, not a parameter each
            kept = func.json_each(orjson.dumps(plan.rowids).decode()).table_valued("value")
            where.append(literal_column(f"+{Model.__tablename__}.rowid").in_(select(kept.c.value)))
        if text.isascii():  # the rowids of the text's cover: LIKE keeps the ids holding the text
            where.append(Model.id.contains(text, autoescape=True))
    elif text:
        where.append(id_contains(text, store, None if usable is None else "rowid" in usable))
    # Last: SQLite tests the conditions in order, and deleted_at, the last column of a wide row,
    # is read through its overflow pages, which the facets and the text spare most rows.
    where.append(Model.deleted_at.is_(None))
    return where


def search_models(store: Store, plan: Plan | None = None, **facets: Unpack[SearchFacets]) -> list[SearchRow]:
    """Return one page of live models matching every facet given (see :class:`SearchFacets`).

    Rows come by ``sort`` (default downloads) descending, unknown values last, then by id;
    ``limit`` defaults to 20. How the rows are found is :func:`plan_search`'s choice, or ``plan``'s:
    every plan finds the same rows, some faster.

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
    plan = plan or plan_search(store, facets, sort)
    where = model_conditions(store, facets, plan)
    return [_utc(row) for row in _page(store, where, sort, limit, offset, plan)]


@dataclass(frozen=True, slots=True)
class Plan:
    """How a search finds its rows on SQLite: the columns whose indexes it may use, and why.

    ``usable`` holds one selector's column (``rowid`` for the text's FTS5 matches), whose rows are
    fetched and sorted, or the sort's column (with a facet's, when one index holds both), walked
    from the top; ``None`` (PostgreSQL) leaves every index to the database's own planner.
    ``rowids`` are the text's matches (read once, to count them) when there are few: the rows to
    fetch, or the index entries a walk keeps.
    """

    usable: frozenset[str] | None
    why: str
    rowids: tuple[int, ...] | None = field(default=None, repr=False)


#: The facets held in an indexed column of ``models``.
_FACET_COLUMNS: dict[str, Any] = {
    "task": Model.pipeline_tag,
    "library": Model.library_name,
    "author": Model.author,
    "license": Model.license,
}
#: The facets that an index holds with the downloads, in their order (``ix_models_*_downloads``).
_PAIRED = ("task", "library")


def plan_search(
    store: Store,
    facets: SearchFacets,
    sort: Sort,
    few: int = FEW,
    drive: int = DRIVE,
    many: int | None = None,
) -> Plan:
    """Return how a search for ``facets`` in ``sort`` order reads ``models`` on SQLite.

    Each selector (the text, and each facet held in an indexed column) counts its rows, up to
    ``few`` (:data:`~catalog.queries.fulltext.FEW`): the smallest under it is fetched whole and
    sorted (a few thousand rows at most; for the text, under ``drive``); when none is, the search
    walks the index of the sort's column (with the facet's, when one index holds both) and stops
    at the page's end, keeping the entries among the text's rowids when it has fewer than
    ``many`` (by default one in :data:`~catalog.queries.fulltext.MANY_PER` models). SQLite has
    no statistics: left to itself it takes an equality for a handful of rows, and sorted the
    60,000 models of a task for one page by likes (p95 460 ms at 200,000 models). PostgreSQL
    plans from its own statistics (``ANALYZE``).

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> store = demo_store()
    >>> plan_search(store, {"text": "llama", "author": "bob"}, "likes")
    Plan(usable=frozenset({'author'}), why='author: 1 rows')
    >>> plan_search(store, {"text": "llama"}, "likes")
    Plan(usable=frozenset({'rowid'}), why='text: 6 rows')
    >>> plan_search(store, {"text": "llama"}, "likes", few=2)
    Plan(usable=frozenset({'likes'}), why='walk of likes')
    >>> plan_search(store, {"text": "llama"}, "likes", drive=2)
    Plan(usable=frozenset({'likes'}), why='walk of likes, among 6 rows')
    >>> plan_search(store, {"text": "llama"}, "likes", few=2, many=100)
    Plan(usable=frozenset({'likes'}), why='walk of likes, among 6 rows')
    >>> sorted(plan_search(store, {"task": "text-generation"}, "downloads", few=2).usable or ())
    ['downloads', 'pipeline_tag']
    """
    key = SORT_COLUMNS[sort].key
    if store.dialect != "sqlite":
        return Plan(None, "PostgreSQL's own")
    sizes: dict[str, int] = {}
    text = facets.get("text")
    matches = rowids_containing(store, text, few) if text else None
    if matches is not None:
        sizes["text"] = len(matches)
    for facet, column in _FACET_COLUMNS.items():
        if (value := facets.get(facet)) is not None:
            rows = select(literal(1)).where(column == value).limit(few).subquery()
            sizes[facet] = int(scalar(store, select(func.count()).select_from(rows)))
    walk = next(
        (
            Plan(frozenset({_FACET_COLUMNS[facet].key, key}), f"{facet}, in {sort} order")
            for facet in _PAIRED
            if sort == "downloads" and facet in sizes
        ),
        Plan(frozenset({key}), f"walk of {sort}"),
    )
    if sizes and (smallest := min(sizes, key=sizes.__getitem__)) and sizes[smallest] < few:
        if smallest != "text":
            return Plan(frozenset({_FACET_COLUMNS[smallest].key}), f"{smallest}: {sizes[smallest]} rows")
        rowids = tuple(matches or ())
        if len(rowids) < drive:
            return Plan(frozenset({"rowid"}), f"text: {len(rowids)} rows", rowids)
        return replace(walk, why=f"{walk.why}, among {len(rowids)} rows", rowids=rowids)
    if text and matches and len(matches) >= few:
        # The first matches come in rowid order: as far as they reach into the rowids, so many
        # more there are (about), to be read only when they are under ``many``.
        largest = int(scalar(store, select(func.max(literal_column("rowid"))).select_from(Model)) or 0)
        many = largest // MANY_PER if many is None else many
        last = max(matches)
        if len(matches) * largest / last < many:
            matches += rowids_containing(store, text, many - len(matches), after=last) or []
            if len(matches) < many:
                return replace(walk, why=f"{walk.why}, among {len(matches)} rows", rowids=tuple(matches))
    return walk


def _unindexed(store: Store, column: Any, usable: frozenset[str]) -> Any:
    """Return ``column``, or ``+column`` when SQLite must not answer it from its index."""
    if store.dialect != "sqlite" or column.key in usable:
        return column
    return literal_column(f"+{Model.__tablename__}.{column.key}", type_=column.type)


def _utc(row: SearchRow) -> SearchRow:
    # SQLite hands back the stored UTC wall time without its zone; PostgreSQL, the session's zone.
    value = row.created_at
    if value is None:
        return row
    return replace(
        row, created_at=value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    )


def _page(
    store: Store, where: list[ColumnElement[bool]], sort: Sort, limit: int, offset: int, plan: Plan
) -> list[SearchRow]:
    """Return the page: known values of the ``sort`` column descending, then unknown ones, then by id.

    SQLite sorts NULL below every value, so ``ORDER BY key DESC, id`` is that order, and one query
    walks it. PostgreSQL puts NULLs first when descending, and ``DESC NULLS LAST`` cannot walk its
    ascending index: it is asked the known values, then (only when they leave the page short,
    as that can cost a walk of every row whose value is unknown) the unknown ones by id. The known
    values are read as the page's ids, then its rows: the ids alone are what an index holds.
    """
    columns = [getattr(Model, c) for c in SEARCH_COLUMNS]
    key = SORT_COLUMNS[sort] if plan.usable is None else _unindexed(store, SORT_COLUMNS[sort], plan.usable)
    enough = limit + offset
    if store.dialect == "sqlite":
        page = select(*columns).where(*where).order_by(key.desc(), Model.id).limit(limit).offset(offset)
        return list(read(store, page, SearchRow))
    # The page's ids first, alone: a walk of the sort finds them in its ``ix_models_live_*_id``
    # index without fetching the rows it passes over (revision 0010); then those rows only.
    found = (
        select(Model.id, key.label("key"))
        .where(*where, key.is_not(None))
        .order_by(key.desc(), Model.id)
        .limit(enough)
        .subquery()
    )
    known = select(*columns).join(found, Model.id == found.c.id).order_by(found.c.key.desc(), found.c.id)
    rows = list(read(store, known, SearchRow))
    if len(rows) < enough:
        unknown = select(*columns).where(*where, key.is_(None)).order_by(Model.id).limit(enough - len(rows))
        rows += read(store, unknown, SearchRow)
    return rows[offset:]

"""One entity at a time: a model with everything around it, a dataset, a Space, an author.

What the explorer's pages and ``/api/...`` answers show. Each reader takes an id the catalog must
hold (else :class:`~catalog.errors.NotFound` with close matches) and returns one frozen row,
every list in it bounded: a base with 30,000 fine-tunes gives counts per relation, and its top
children by downloads (:func:`top_children`), never all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Executable, and_, desc, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute

from catalog.facts import load_facts
from catalog.queries.lookup import require
from catalog.queries.nodes import SpaceNode
from catalog.queries.read import read
from catalog.schema import (
    App,
    CrawlRun,
    Dataset,
    Library,
    Model,
    ModelApp,
    ModelDataset,
    ModelHistory,
    ModelLineage,
    ModelProvider,
    Provider,
    Space,
    SpaceDataset,
    SpaceModel,
    Task,
)
from catalog.store import Store

__all__ = [
    "AuthorDetail",
    "BaseRow",
    "ChildRow",
    "DatasetDetail",
    "HistoryRow",
    "LineageRow",
    "ModelDetail",
    "ModelRow",
    "Named",
    "ProviderRow",
    "SpaceDetail",
    "author_detail",
    "bases_of",
    "child_counts",
    "dataset_detail",
    "face_urls",
    "live_model_ids",
    "model_detail",
    "sku_memories",
    "space_detail",
    "top_children",
]

#: Rows of one list on a page (a dataset's models, a Space's models...): the rest are counted.
LISTED = 50


@dataclass(frozen=True, slots=True)
class Named:
    """An entity's id and its display label (the id itself when the catalog names it no other way)."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class ProviderRow:
    """An inference provider serving a model: the mapping's status, the provider's own id, its task."""

    id: str
    label: str
    status: str | None
    provider_model_id: str | None
    task: str | None


@dataclass(frozen=True, slots=True)
class BaseRow:
    """A base model of a model; ``in_catalog`` is false for a base named by a card only."""

    id: str
    relation: str
    in_catalog: bool
    license: str | None


@dataclass(frozen=True, slots=True)
class LineageRow:
    """A model and one of its bases; ``in_catalog`` is false for a base the catalog does not hold."""

    model_id: str
    base_id: str
    relation: str
    in_catalog: bool


@dataclass(frozen=True, slots=True)
class ChildRow:
    """A live model derived from ``base_id``."""

    id: str
    base_id: str
    relation: str
    downloads: int | None
    likes: int | None


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """A model's figures as one crawl run saw them."""

    run_id: int
    at: datetime | None
    downloads: int | None
    likes: int | None


@dataclass(frozen=True, slots=True)
class ModelRow:
    """One model, in the columns a page shows (``created_at`` and ``last_modified`` in UTC)."""

    id: str
    author: str | None
    pipeline_tag: str | None
    library_name: str | None
    num_parameters: int | None
    parameters: dict[str, int] | None
    parameters_source: str | None
    gguf_architecture: str | None
    gguf_context_length: int | None
    license: str | None
    downloads: int | None
    likes: int | None
    trending_score: float | None
    gated: str | None
    created_at: datetime | None
    last_modified: datetime | None
    card_data: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class ModelDetail:
    """A model and what is around it: its faces, lineage, datasets, Spaces and history."""

    model: ModelRow
    task: Named | None
    library: Named | None
    apps: tuple[Named, ...]
    providers: tuple[ProviderRow, ...]
    bases: tuple[BaseRow, ...]
    children: dict[str, int]
    datasets: tuple[tuple[str, bool], ...]
    spaces: tuple[str, ...]
    history: tuple[HistoryRow, ...]


@dataclass(frozen=True, slots=True)
class DatasetDetail:
    """A dataset: its row's figures, the most downloaded models trained on it, the Spaces using it."""

    id: str
    in_catalog: bool
    author: str | None
    downloads: int | None
    likes: int | None
    task_categories: tuple[str, ...]
    models: tuple[ChildRow, ...]
    model_count: int
    spaces: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SpaceDetail:
    """A Space: its row, the models and datasets it uses (each flagged when not in the catalog)."""

    space: SpaceNode
    models: tuple[tuple[str, bool], ...]
    datasets: tuple[tuple[str, bool], ...]


@dataclass(frozen=True, slots=True)
class AuthorDetail:
    """An author: how many live models, and their datasets and Spaces."""

    id: str
    model_count: int
    datasets: tuple[str, ...]
    spaces: tuple[str, ...]


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back the stored UTC wall time without its zone; PostgreSQL, the session's zone.
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: Where a page's lists are read: the store, or one connection for every list of the page.
Source = Store | Connection


def _all(source: Source, statement: Executable) -> list[tuple[Any, ...]]:
    """Read the few rows of one list of a page (each bounded) in one round trip.

    Not :func:`~catalog.queries.read.read`'s stream: on PostgreSQL a server-side cursor costs
    round trips of its own (declare, fetch, close), as does each connection taken from the pool
    (its ping, its transaction): they made most of a model page's time there.
    """
    if isinstance(source, Connection):
        return [tuple(row) for row in source.execute(statement)]
    with source.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(statement)]


def _first_column(store: Source, statement: Executable) -> tuple[str, ...]:
    return tuple(row[0] for row in _all(store, statement))


def _held(store: Source, statement: Executable) -> tuple[tuple[str, bool], ...]:
    """Read ``(id, the joined row's id)`` rows as ``(id, whether the catalog holds it)``."""
    return tuple((id, known is not None) for id, known in _all(store, statement))


def _datasets_held(
    store: Source, dataset_id: InstrumentedAttribute[str], owner: InstrumentedAttribute[str], owner_id: str
) -> tuple[tuple[str, bool], ...]:
    """The first datasets a link table names for one model or Space, each with whether the catalog holds it."""
    return _held(
        store,
        select(dataset_id, Dataset.id)
        .outerjoin(Dataset, Dataset.id == dataset_id)
        .where(owner == owner_id)
        .order_by(dataset_id)
        .limit(LISTED),
    )


_MODEL_COLUMNS = [getattr(Model, name) for name in ModelRow.__dataclass_fields__]
_LIVE = Model.deleted_at.is_(None)


def model_detail(store: Store, model_id: str) -> ModelDetail:
    """Return a live model with its faces, bases, children per relation, datasets, Spaces, history.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> detail = model_detail(demo_store(), "alice/llama-7b-chat")
    >>> detail.task, [b.id for b in detail.bases], detail.children
    (Named(id='text-generation', label='Text Generation'), ['meta/llama-7b'], {'adapter': 1, 'quantized': 1})
    """
    require(store, "model", model_id)
    with store.engine.connect() as conn:  # one connection for every list of the page
        values = _all(conn, select(*_MODEL_COLUMNS).where(Model.id == model_id))[0]
        row = ModelRow(*values)
        row = ModelRow(
            **{
                **{name: getattr(row, name) for name in ModelRow.__dataclass_fields__},
                "created_at": _utc(row.created_at),
                "last_modified": _utc(row.last_modified),
            }
        )
        task = _named(conn, Task.id, Task.name, row.pipeline_tag)
        library = _named(conn, Library.id, Library.label, row.library_name)
        apps = tuple(
            Named(id, label or id)
            for id, label in _all(
                conn,
                select(ModelApp.app_id, App.label)
                .outerjoin(App, App.id == ModelApp.app_id)
                .where(ModelApp.model_id == model_id)
                .order_by(ModelApp.app_id),
            )
        )
        providers = tuple(
            ProviderRow(id, label or id, status, provider_model_id, provider_task)
            for id, label, status, provider_model_id, provider_task in _all(
                conn,
                select(
                    ModelProvider.provider_id,
                    Provider.label,
                    ModelProvider.status,
                    ModelProvider.provider_model_id,
                    ModelProvider.task,
                )
                .outerjoin(Provider, Provider.id == ModelProvider.provider_id)
                .where(ModelProvider.model_id == model_id)
                .order_by(ModelProvider.provider_id),
            )
        )
        base = Model.__table__.alias("base")
        bases = tuple(
            BaseRow(id, relation, known is not None, license)
            for id, relation, known, license in _all(
                conn,
                select(ModelLineage.base_model_id, ModelLineage.relation, base.c.id, base.c.license)
                .outerjoin(base, and_(base.c.id == ModelLineage.base_model_id, base.c.deleted_at.is_(None)))
                .where(ModelLineage.model_id == model_id)
                .order_by(ModelLineage.base_model_id),
            )
        )
        children: dict[str, int] = dict(
            _all(
                conn,
                select(ModelLineage.relation, func.count())
                .join(Model, Model.id == ModelLineage.model_id)
                .where(ModelLineage.base_model_id == model_id, _LIVE)
                .group_by(ModelLineage.relation)
                .order_by(ModelLineage.relation),
            )
        )
        datasets = _datasets_held(conn, ModelDataset.dataset_id, ModelDataset.model_id, model_id)
        spaces = _first_column(
            conn,
            select(SpaceModel.space_id)
            .join(Space, Space.id == SpaceModel.space_id)
            .where(SpaceModel.model_id == model_id, Space.deleted_at.is_(None))
            .order_by(desc(Space.likes), SpaceModel.space_id)
            .limit(LISTED),
        )
        history = tuple(
            HistoryRow(run, _utc(at), downloads, likes)
            for run, at, downloads, likes in _all(
                conn,
                select(ModelHistory.run_id, CrawlRun.started_at, ModelHistory.downloads, ModelHistory.likes)
                .join(CrawlRun, CrawlRun.id == ModelHistory.run_id)
                .where(ModelHistory.model_id == model_id)
                .order_by(ModelHistory.run_id),
            )
        )
    return ModelDetail(row, task, library, apps, providers, bases, children, datasets, spaces, history)


def _named(store: Source, id_column: Any, label_column: Any, id: str | None) -> Named | None:
    if id is None:
        return None
    found = _all(store, select(label_column).where(id_column == id))
    return Named(id, (found[0][0] if found else None) or id)


def top_children(store: Store, base_ids: list[str], per_base: int) -> list[ChildRow]:
    """Return the ``per_base`` most downloaded live children of each of ``base_ids``.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [c.id for c in top_children(demo_store(), ["meta/llama-7b", "alice/llama-7b-chat"], 1)]
    ['bob/llama-7b-chat-gguf', 'alice/llama-7b-chat']
    """
    if not base_ids:
        return []
    rank = (
        func.row_number()
        .over(
            partition_by=ModelLineage.base_model_id,
            order_by=[Model.downloads.is_(None), Model.downloads.desc(), Model.id],
        )
        .label("rank")
    )
    ranked = (
        select(
            Model.id, ModelLineage.base_model_id, ModelLineage.relation, Model.downloads, Model.likes, rank
        )
        .join(Model, Model.id == ModelLineage.model_id)
        .where(ModelLineage.base_model_id.in_(sorted(set(base_ids))), _LIVE)
        .subquery()
    )
    statement = (
        select(ranked.c.id, ranked.c.base_model_id, ranked.c.relation, ranked.c.downloads, ranked.c.likes)
        .where(ranked.c.rank <= per_base)
        .order_by(ranked.c.base_model_id, ranked.c.rank)
    )
    return [ChildRow(*row) for row in _all(store, statement)]


def live_model_ids(store: Store, min_downloads: int = 0) -> Iterator[str]:
    """Yield the ids of live models with at least ``min_downloads`` downloads, most downloaded first.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> list(live_model_ids(demo_store(), 1000))
    ['acme/bert-sentiment', 'timm/resnet50', 'meta/llama-7b']
    """
    statement = select(Model.id).where(_LIVE)
    if min_downloads > 0:
        statement = statement.where(Model.downloads >= min_downloads)
    statement = statement.order_by(Model.downloads.is_(None), desc(Model.downloads), Model.id)
    return read(store, statement, str)


@cache
def sku_memories() -> tuple[tuple[str, float], ...]:
    """Return each hardware SKU of the facts (``catalog/facts/skus.json``) with its largest memory in GB.

    Smallest first, for "its weights fit these GPUs" on a model's page.

    Examples
    --------
    >>> ("RTX 4090", 24.0) in sku_memories()
    True
    """
    skus = load_facts("skus")["skus"]
    return tuple(
        sorted(((str(s["name"]), float(max(s["memory_gb"]))) for s in skus), key=lambda s: (s[1], s[0]))
    )


def face_urls(store: Store, kind: str, id: str) -> list[tuple[str, str]]:
    """Return the addresses the catalog holds for a library or app, as ``(what, url)``, as stored.

    They come from strangers: a page shows one as a link only if it is an http(s) address.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> face_urls(demo_store(), "library", "transformers"), face_urls(demo_store(), "task", "x")
    ([], [])
    """
    if kind == "library":
        statement: Any = select(Library.repo_url, Library.docs_url).where(Library.id == id)
        names: tuple[str, ...] = ("Repository", "Documentation")
    elif kind == "app":
        statement, names = select(App.docs_url).where(App.id == id), ("Documentation",)
    else:
        return []
    found = _all(store, statement)
    return [(name, url) for name, url in zip(names, found[0] if found else ()) if url]


def child_counts(store: Store, base_ids: list[str]) -> dict[str, int]:
    """Return how many live children each of ``base_ids`` has (bases without children left out).

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> child_counts(demo_store(), ["meta/llama-7b", "alice/llama-7b-chat", "timm/resnet50"])
    {'alice/llama-7b-chat': 2, 'meta/llama-7b': 2}
    """
    if not base_ids:
        return {}
    statement = (
        select(ModelLineage.base_model_id, func.count())
        .join(Model, Model.id == ModelLineage.model_id)
        .where(ModelLineage.base_model_id.in_(sorted(set(base_ids))), _LIVE)
        .group_by(ModelLineage.base_model_id)
        .order_by(ModelLineage.base_model_id)
    )
    return {base: n for base, n in _all(store, statement)}


def bases_of(store: Store, model_ids: list[str]) -> list[LineageRow]:
    """Return the lineage rows from each of ``model_ids`` to its bases.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> bases_of(demo_store(), ["bob/llama-7b-chat-gguf"])
    [LineageRow(model_id='bob/llama-7b-chat-gguf', base_id='alice/llama-7b-chat', relation='quantized', in_catalog=True)]
    """
    if not model_ids:
        return []
    base = Model.__table__.alias("base")
    statement = (
        select(
            ModelLineage.model_id, ModelLineage.base_model_id, ModelLineage.relation, base.c.id.is_not(None)
        )
        .outerjoin(base, and_(base.c.id == ModelLineage.base_model_id, base.c.deleted_at.is_(None)))
        .where(ModelLineage.model_id.in_(sorted(set(model_ids))))
        .order_by(ModelLineage.model_id, ModelLineage.base_model_id)
    )
    return [LineageRow(child, id, rel, bool(known)) for child, id, rel, known in _all(store, statement)]


def dataset_detail(store: Store, dataset_id: str) -> DatasetDetail:
    """Return a dataset (held, or named by models' tags only) with its top models and its Spaces.

    A dataset that models name in their tags but the catalog does not hold has ``in_catalog``
    false and no figures of its own.
    """
    require(store, "dataset", dataset_id)
    found = _all(
        store,
        select(Dataset.author, Dataset.downloads, Dataset.likes, Dataset.task_categories).where(
            Dataset.id == dataset_id
        ),
    )
    author, downloads, likes, categories = found[0] if found else (None, None, None, None)
    trained = (
        select(Model.id, literal(dataset_id), literal("trained_on"), Model.downloads, Model.likes)
        .join(ModelDataset, ModelDataset.model_id == Model.id)
        .where(ModelDataset.dataset_id == dataset_id, _LIVE)
    )
    models = tuple(
        ChildRow(*row)
        for row in _all(
            store, trained.order_by(Model.downloads.is_(None), desc(Model.downloads), Model.id).limit(LISTED)
        )
    )
    count = _all(store, select(func.count()).select_from(trained.subquery()))[0][0]
    spaces = _first_column(
        store,
        select(SpaceDataset.space_id)
        .join(Space, Space.id == SpaceDataset.space_id)
        .where(SpaceDataset.dataset_id == dataset_id, Space.deleted_at.is_(None))
        .order_by(SpaceDataset.space_id)
        .limit(LISTED),
    )
    return DatasetDetail(
        dataset_id, bool(found), author, downloads, likes, tuple(categories or ()), models, count, spaces
    )


def space_detail(store: Store, space_id: str) -> SpaceDetail:
    """Return a Space with the models and datasets it uses.

    Each model and dataset comes with whether the catalog holds it (a live model, for models).
    """
    require(store, "space", space_id)
    columns = select(Space.id, Space.author, Space.sdk, Space.likes, Space.runtime_stage, Space.hardware)
    found = _all(store, columns.where(Space.id == space_id))
    space = SpaceNode(*found[0]) if found else SpaceNode(space_id, None, None, None, None, None)
    models = _held(
        store,
        select(SpaceModel.model_id, Model.id)
        .outerjoin(Model, and_(Model.id == SpaceModel.model_id, _LIVE))
        .where(SpaceModel.space_id == space_id)
        .order_by(SpaceModel.model_id)
        .limit(LISTED),
    )
    datasets = _datasets_held(store, SpaceDataset.dataset_id, SpaceDataset.space_id, space_id)
    return SpaceDetail(space, models, datasets)


def author_detail(store: Store, author: str) -> AuthorDetail:
    """Return an author's count of live models and their datasets and Spaces.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> author_detail(demo_store(), "alice")
    AuthorDetail(id='alice', model_count=1, datasets=(), spaces=())
    """
    require(store, "author", author)
    count = _all(store, select(func.count()).where(Model.author == author, _LIVE))[0][0]
    return AuthorDetail(author, count, _authored(store, Dataset, author), _authored(store, Space, author))


def _authored(store: Store, repo: type[Dataset] | type[Space], author: str) -> tuple[str, ...]:
    """The first ids of an author's live datasets or Spaces, in order."""
    return _first_column(
        store,
        select(repo.id)
        .where(repo.author == author, repo.deleted_at.is_(None))
        .order_by(repo.id)
        .limit(LISTED),
    )

"""Model lineage: the links of models to their bases, read a generation at a time or all at once.

A link goes from a child model to a base, with the Hub's ``relation``. Only links whose child is
live (not deleted from the Hub) count, as in the ``edges`` view; a base need not be a model the
catalog holds.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal, select, text, union_all

from catalog.queries.faces import summary_current
from catalog.queries.read import read, rows
from catalog.records import LineageRelation, chunks
from catalog.schema import LineageFamily, LineageInfluence, Model, ModelLineage
from catalog.store import Store
from catalog.store.summary import WEIGHTED_LINKS

__all__ = [
    "LineageLink",
    "LineageNode",
    "counted_families",
    "is_known_model",
    "kept_influence",
    "lineage_links",
    "lineage_nodes",
    "live_links",
    "weighted_links",
]


@dataclass(frozen=True, slots=True)
class LineageLink:
    """A child model, one of its bases, and the relation the Hub names (``finetune``, ...)."""

    model_id: str
    base_model_id: str
    relation: LineageRelation


@dataclass(frozen=True, slots=True)
class LineageNode:
    """What a family tree shows of a model; ``deleted`` when it is gone from the Hub."""

    id: str
    downloads: int | None
    likes: int | None
    pipeline_tag: str | None
    library_name: str | None
    deleted: bool


def is_known_model(store: Store, model_id: str) -> bool:
    """Return whether ``model_id`` is a live model, or a base some model names.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> is_known_model(demo_store(), "meta/llama-7b"), is_known_model(demo_store(), "meta/llama-8b")
    (True, False)
    """
    statement = union_all(
        select(literal(1)).where(Model.id == model_id, Model.deleted_at.is_(None)),
        select(literal(1)).where(ModelLineage.base_model_id == model_id),
    ).limit(1)
    return any(True for _ in read(store, statement, lambda *row: row))


def lineage_links(store: Store, ids: Collection[str], *, up: bool) -> Iterator[LineageLink]:
    """Yield the links to the bases of ``ids`` (``up``) or from their children (not ``up``).

    Links of a deleted child come too: the caller tells them by :func:`lineage_nodes`.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [link.model_id for link in lineage_links(demo_store(), ["alice/llama-7b-chat"], up=False)]
    ['bob/llama-7b-chat-gguf', 'carol/llama-7b-chat-lora']
    """
    near = ModelLineage.model_id if up else ModelLineage.base_model_id
    columns = (ModelLineage.model_id, ModelLineage.base_model_id, ModelLineage.relation)
    for chunk in chunks(sorted(ids)):
        yield from read(store, select(*columns).where(near.in_(chunk)).order_by(*columns), LineageLink)


def lineage_nodes(store: Store, ids: Collection[str]) -> Iterator[LineageNode]:
    """Yield what the catalog holds of each model of ``ids`` (ids it does not hold yield nothing)."""
    columns = (Model.id, Model.downloads, Model.likes, Model.pipeline_tag, Model.library_name)
    for chunk in chunks(sorted(ids)):
        statement = select(*columns, Model.deleted_at.is_not(None)).where(Model.id.in_(chunk))
        yield from read(store, statement, LineageNode)


def _live_child() -> Any:
    return select(ModelLineage.model_id, ModelLineage.base_model_id).join(
        Model, (Model.id == ModelLineage.model_id) & Model.deleted_at.is_(None)
    )


def counted_families(store: Store, limit: int) -> list[tuple[str, int]] | None:
    """Return the ``limit`` largest ``(root, descendants)`` the faces summary counted, or ``None`` if it is not current.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> from catalog.store.summary import refresh_faces
    >>> store = demo_store()
    >>> counted_families(store, 5) is None  # loaded without a crawl: never counted
    True
    >>> with store.engine.begin() as conn:
    ...     _ = refresh_faces(conn)
    >>> counted_families(store, 1)
    [('meta/llama-7b', 4)]
    """
    if not summary_current(store):
        return None
    statement = (
        select(LineageFamily.root_id, LineageFamily.descendants)
        .order_by(LineageFamily.descendants.desc(), LineageFamily.root_id)
        .limit(limit)
    )
    return list(read(store, statement, lambda root, n: (root, n)))


def live_links(store: Store) -> Iterator[tuple[str, str]]:
    """Yield ``(child, base)`` for every link whose child is live."""
    return read(store, _live_child(), lambda child, base: (child, base))


def weighted_links(store: Store) -> Iterator[tuple[str, str, int, int]]:
    """Yield ``(child, base, child's downloads, base's downloads)`` for every live link, as plain tuples.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> tuple(min(weighted_links(demo_store())))
    ('alice/llama-7b-chat', 'meta/llama-7b', 400, 1000)
    """
    return rows(store, text(WEIGHTED_LINKS))  # type: ignore[return-value]


def kept_influence(store: Store, limit: int | None) -> list[tuple[str, float, int, int]] | None:
    """Return the ``limit`` first ``(base, pagerank, downloads, derivatives)`` the last crawl ranked, or ``None`` if not current.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> from catalog.graph.influence import keep_influence
    >>> from catalog.store.summary import refresh_faces
    >>> store = demo_store()
    >>> kept_influence(store, 1) is None  # loaded without a crawl: never ranked
    True
    >>> with store.engine.begin() as conn:
    ...     _ = refresh_faces(conn)
    ...     _ = keep_influence(conn)
    >>> [(base, derivatives) for base, _, _, derivatives in kept_influence(store, 2)]
    [('meta/llama-7b', 2), ('mistralai/mistral-7b', 1)]
    """
    if not summary_current(store):
        return None
    kept = LineageInfluence
    columns = (kept.model_id, kept.pagerank, kept.downloads, kept.derivatives)
    statement = select(*columns).order_by(kept.rank).limit(limit)
    ranked = list(read(store, statement, lambda *row: row))
    # Empty: counted by other means than a crawl, which ranks nothing (or no lineage, quick to rank).
    return ranked or None

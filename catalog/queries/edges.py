"""The ``edges`` view (the whole graph in SQL, see docs/schema.md): its rows, whole or around nodes."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, and_, column, or_, select, table

from catalog.queries.read import read
from catalog.records import Kind, Rel, chunks
from catalog.store import Store

__all__ = ["EDGES", "EDGE_COLUMNS", "EdgeRow", "edges", "edges_of", "edges_touching"]

#: The ``edges`` view, for SQLAlchemy Core (a view is no table of :mod:`catalog.schema`).
EDGES = table(
    "edges",
    column("src_kind", String),
    column("src_id", String),
    column("rel", String),
    column("dst_kind", String),
    column("dst_id", String),
    column("status", String),
)


@dataclass(frozen=True, slots=True)
class EdgeRow:
    """One row of the ``edges`` view; ``status`` is a provider mapping's (``served_by``), else ``None``."""

    src_kind: Kind
    src_id: str
    rel: Rel
    dst_kind: Kind
    dst_id: str
    status: str | None


#: The columns of :class:`EdgeRow`, in its order.
EDGE_COLUMNS = (
    EDGES.c.src_kind,
    EDGES.c.src_id,
    EDGES.c.rel,
    EDGES.c.dst_kind,
    EDGES.c.dst_id,
    EDGES.c.status,
)


def edges(store: Store, *where: ColumnElement[bool]) -> Iterator[EdgeRow]:
    """Yield the rows of the view that meet every condition of ``where`` (on :data:`EDGES` columns).

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(e.src_id, e.dst_id, e.status) for e in edges(demo_store(), EDGES.c.dst_id == "groq")]
    [('mistralai/mistral-7b', 'groq', 'live')]
    """
    return read(store, select(*EDGE_COLUMNS).where(*where), EdgeRow)


def edges_of(store: Store, kinds: Collection[str]) -> Iterator[EdgeRow]:
    """Yield the edges whose two ends are both of ``kinds``."""
    return edges(store, EDGES.c.src_kind.in_(sorted(kinds)), EDGES.c.dst_kind.in_(sorted(kinds)))


def edges_touching(
    store: Store, nodes: Iterable[tuple[str, str]], *, rels: Collection[str] | None = None
) -> Iterator[EdgeRow]:
    """Yield the edges from or to any of ``nodes`` (``(kind, id)`` pairs), of ``rels`` if given.

    An edge between two of the nodes comes once per side it is asked from.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(e.rel, e.dst_id) for e in edges_touching(demo_store(), [("model", "timm/resnet50")])]
    [('has_task', 'image-classification'), ('uses_library', 'timm')]
    """
    by_kind: dict[str, list[str]] = {}
    for kind, id in nodes:
        by_kind.setdefault(kind, []).append(id)
    only = [EDGES.c.rel.in_(sorted(rels))] if rels is not None else []
    for kind, ids in sorted(by_kind.items()):
        for chunk in chunks(sorted(set(ids))):
            near = or_(
                and_(EDGES.c.src_kind == kind, EDGES.c.src_id.in_(chunk)),
                and_(EDGES.c.dst_kind == kind, EDGES.c.dst_id.in_(chunk)),
            )
            yield from edges(store, near, *only)

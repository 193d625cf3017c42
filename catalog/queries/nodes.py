"""The attributes of graph nodes: live models (the columns a user filters on) and the other entities."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select

from catalog.queries.read import read
from catalog.records import Kind, chunks
from catalog.schema import App, Dataset, Library, Model, Provider, Space, Task
from catalog.store import Store

__all__ = [
    "ENTITY_ROWS",
    "AppNode",
    "DatasetNode",
    "LibraryNode",
    "ModelNode",
    "ProviderNode",
    "SpaceNode",
    "TaskNode",
    "entity_nodes",
    "model_columns",
]


@dataclass(frozen=True, slots=True)
class ModelNode:
    """A live model, with the attributes a user filters on."""

    id: str
    author: str | None
    pipeline_tag: str | None
    library_name: str | None
    downloads: int | None
    likes: int | None
    trending_score: float | None
    num_parameters: int | None
    license: str | None


@dataclass(frozen=True, slots=True)
class TaskNode:
    """A task; ``label`` is its display name."""

    id: str
    label: str | None
    modality: str | None
    parent_id: str | None


@dataclass(frozen=True, slots=True)
class LibraryNode:
    """A library."""

    id: str
    label: str | None


@dataclass(frozen=True, slots=True)
class AppNode:
    """A local app."""

    id: str
    label: str | None
    main_task: str | None


@dataclass(frozen=True, slots=True)
class ProviderNode:
    """An inference provider."""

    id: str
    label: str | None
    hub_org: str | None


@dataclass(frozen=True, slots=True)
class DatasetNode:
    """A live dataset."""

    id: str
    author: str | None
    downloads: int | None
    likes: int | None


@dataclass(frozen=True, slots=True)
class SpaceNode:
    """A live Space."""

    id: str
    author: str | None
    sdk: str | None
    likes: int | None
    runtime_stage: str | None
    hardware: str | None


#: The row type of each kind but models, and the statement selecting its columns (live ones only).
ENTITY_ROWS: dict[Kind, tuple[type[Any], Any]] = {
    "task": (TaskNode, select(Task.id, Task.name, Task.modality, Task.parent_id)),
    "library": (LibraryNode, select(Library.id, Library.label)),
    "app": (AppNode, select(App.id, App.label, App.main_task)),
    "provider": (ProviderNode, select(Provider.id, Provider.label, Provider.hub_org)),
    "dataset": (
        DatasetNode,
        select(Dataset.id, Dataset.author, Dataset.downloads, Dataset.likes).where(
            Dataset.deleted_at.is_(None)
        ),
    ),
    "space": (
        SpaceNode,
        select(Space.id, Space.author, Space.sdk, Space.likes, Space.runtime_stage, Space.hardware).where(
            Space.deleted_at.is_(None)
        ),
    ),
}


def model_columns() -> list[Any]:
    """Return the columns of :class:`ModelNode`, in its order."""
    return [getattr(Model, f.name) for f in fields(ModelNode)]


def entity_nodes(store: Store, kind: Kind, ids: Collection[str] | None = None) -> Iterator[Any]:
    """Yield the rows of ``kind`` (an entity but ``model``), all of them or those of ``ids``.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> list(entity_nodes(demo_store(), "provider", ["groq"]))
    [ProviderNode(id='groq', label='Groq', hub_org='groq')]
    """
    row, statement = ENTITY_ROWS[kind]
    if ids is None:
        yield from read(store, statement, row)
        return
    id_column = statement.selected_columns[0]
    for chunk in chunks(sorted(ids)):
        yield from read(store, statement.where(id_column.in_(chunk)), row)

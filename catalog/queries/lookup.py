"""Whether the catalog holds an id of a kind, and the ids close to one it does not hold."""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import Select, func, literal, or_, select, union, union_all

from catalog.errors import NotFound
from catalog.queries.read import read
from catalog.records import PARAM_BUCKETS, Identified
from catalog.schema import (
    App,
    Dataset,
    Library,
    Model,
    ModelApp,
    ModelDataset,
    ModelProvider,
    ModelTag,
    Provider,
    Space,
    SpaceModel,
    Task,
)
from catalog.store import Store

__all__ = ["MAX_CANDIDATES", "exists", "require", "suggest"]

#: Candidates that close matches are chosen from: bounded so that a miss stays cheap at 1M models.
MAX_CANDIDATES = 5_000

# Where each kind of id lives: its own table's id, and the (indexed) column of the rows that use it.
_SOURCES: dict[str, tuple[Any, Any]] = {
    "task": (Task.id, Model.pipeline_tag),
    "library": (Library.id, Model.library_name),
    "app": (App.id, ModelApp.app_id),
    "provider": (Provider.id, ModelProvider.provider_id),
    "dataset": (Dataset.id, ModelDataset.dataset_id),
    "space": (Space.id, SpaceModel.space_id),
}
_BUCKETS = [b[0] for b in PARAM_BUCKETS]


def _first(statement: Select[Any]) -> Select[Any]:
    return statement.limit(1)


def exists(store: Store, kind: Identified, id: str) -> bool:
    """Return whether the catalog holds ``id`` of ``kind`` (a live model, for models and authors).

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> exists(demo_store(), "language", "en"), exists(demo_store(), "app", "vlm")
    (True, False)
    """
    if kind == "params":
        return id in _BUCKETS
    one = literal(1)
    if kind == "model":
        statement = select(one).where(Model.id == id, Model.deleted_at.is_(None))
    elif kind == "author":
        statement = select(one).where(Model.author == id, Model.deleted_at.is_(None))
    elif kind == "license":
        statement = select(one).where(Model.license == id)
    elif kind == "language":  # the Hub tags a language as a bare code, cards as language:<code>
        statement = select(one).where(or_(ModelTag.tag == id, ModelTag.tag == f"language:{id}"))
    else:
        own, used = _SOURCES[kind]
        statement = (
            union_all(select(one).where(own == id), _first(select(one).where(used == id)).subquery().select())
            .subquery()
            .select()
        )
    return any(True for _ in read(store, _first(statement), lambda *r: r))


def suggest(store: Store, kind: Identified, id: str, n: int = 3) -> list[str]:
    """Return up to ``n`` ids of ``kind`` close to ``id``, from a bounded list of candidates.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> suggest(demo_store(), "task", "text-generaton")
    ['text-generation']
    """
    if kind == "params":
        candidates = _BUCKETS
    else:
        candidates = list(read(store, _candidates(kind, id).limit(MAX_CANDIDATES), str))
        if kind == "language":
            candidates = sorted({c.removeprefix("language:") for c in candidates})
    by_lower = {c.lower(): c for c in candidates if c}
    return [by_lower[c] for c in difflib.get_close_matches(id.lower(), list(by_lower), n=n, cutoff=0.6)]


def _candidates(kind: Identified, id: str) -> Select[Any]:
    if kind in ("model", "author"):
        author, _, name = id.partition("/")
        column = Model.id if kind == "model" else Model.author
        # Same author, or a name that contains the asked-for name: an index range plus one scan.
        pattern = f"%{(name or author)[:12].lower()}%"
        return (
            select(column)
            .distinct()
            .where(Model.deleted_at.is_(None), or_(Model.author == author, func.lower(column).like(pattern)))
        )
    if kind == "license":
        return select(Model.license).distinct().where(Model.license.is_not(None))
    if kind == "language":  # codes are two or three letters, or prefixed
        return (
            select(ModelTag.tag)
            .distinct()
            .where(or_(func.length(ModelTag.tag) <= 3, ModelTag.tag.like("language:%")))
        )
    own, used = _SOURCES[kind]
    return union(select(own), select(used).where(used.is_not(None)).distinct()).subquery().select()


def require(store: Store, kind: Identified, id: str) -> None:
    """Raise :class:`NotFound` (with close matches) unless the catalog holds ``id`` of ``kind``.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> require(demo_store(), "library", "transfomers")
    Traceback (most recent call last):
    ...
    catalog.errors.NotFound: no library 'transfomers' in the catalog; did you mean 'transformers'?
    """
    if not exists(store, kind, id):
        raise NotFound(kind, id, suggest(store, kind, id))

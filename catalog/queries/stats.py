"""The main counts of the catalog: entities, live and deleted models, edges, downloads, crawl runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from catalog.queries.edges import EDGES
from catalog.queries.faces import total
from catalog.queries.read import scalar
from catalog.schema import App, CrawlRun, Dataset, Library, Model, Provider, Space, Task
from catalog.store import Store

__all__ = ["catalog_stats"]

_COUNT = select(func.count())
# What each count says, and the statement counting it.
_STATS: tuple[tuple[str, Any], ...] = (
    ("models", _COUNT.select_from(Model).where(Model.deleted_at.is_(None))),
    ("models deleted from the Hub", _COUNT.select_from(Model).where(Model.deleted_at.is_not(None))),
    ("tasks", _COUNT.select_from(Task)),
    ("libraries", _COUNT.select_from(Library)),
    ("apps", _COUNT.select_from(App)),
    ("providers", _COUNT.select_from(Provider)),
    ("datasets", _COUNT.select_from(Dataset).where(Dataset.deleted_at.is_(None))),
    ("spaces", _COUNT.select_from(Space).where(Space.deleted_at.is_(None))),
    (
        "lineage links",
        _COUNT.select_from(EDGES).where(EDGES.c.src_kind == "model", EDGES.c.dst_kind == "model"),
    ),
    ("graph edges", _COUNT.select_from(EDGES)),
    ("downloads (live models)", select(total(Model.downloads)).where(Model.deleted_at.is_(None))),
    ("crawl runs", _COUNT.select_from(CrawlRun)),
)


def catalog_stats(store: Store) -> list[tuple[str, int]]:
    """Return ``(what, how many)`` for the main contents of the catalog.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> dict(catalog_stats(demo_store()))["lineage links"]
    5
    """
    return [(what, int(scalar(store, statement))) for what, statement in _STATS]

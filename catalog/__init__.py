"""A catalog and knowledge graph of the Hugging Face ecosystem."""

from __future__ import annotations

from catalog.analytics import Catalog

# Not `crawl` itself: the name would hide the module catalog.crawl (`import catalog.crawl as m`).
from catalog.crawl import CrawlSummary, crawl_snapshot
from catalog.errors import (
    CatalogError,
    ConfigError,
    HubError,
    NodeIdError,
    NotFound,
    ReadOnlyViolation,
    RecordError,
    SchemaOutOfDate,
    SnapshotError,
    StoreError,
)
from catalog.store import Store

__all__ = [
    "Catalog",
    "CatalogError",
    "ConfigError",
    "CrawlSummary",
    "HubError",
    "NodeIdError",
    "NotFound",
    "ReadOnlyViolation",
    "RecordError",
    "SchemaOutOfDate",
    "SnapshotError",
    "Store",
    "StoreError",
    "crawl_snapshot",
]

"""A catalog and knowledge graph of the Hugging Face ecosystem."""

from __future__ import annotations

from catalog.analytics import Catalog
from catalog.crawl import CrawlSummary, crawl, crawl_snapshot
from catalog.errors import (
    CatalogError,
    ConfigError,
    HubError,
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
    "NotFound",
    "ReadOnlyViolation",
    "RecordError",
    "SchemaOutOfDate",
    "SnapshotError",
    "Store",
    "StoreError",
    "crawl",
    "crawl_snapshot",
]

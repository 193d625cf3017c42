"""A catalog and knowledge graph of the Hugging Face ecosystem."""

from __future__ import annotations

from catalog.errors import (
    CatalogError,
    ConfigError,
    HubError,
    NotFound,
    ReadOnlyViolation,
    SchemaOutOfDate,
    SnapshotError,
    StoreError,
)
from catalog.store import Store

__all__ = [
    "CatalogError",
    "ConfigError",
    "HubError",
    "NotFound",
    "ReadOnlyViolation",
    "SchemaOutOfDate",
    "SnapshotError",
    "Store",
    "StoreError",
]

"""The explorer served live: every model, dataset, Space, author and face has a page, read from the store."""

from __future__ import annotations

from catalog.web.app import create_app

__all__ = ["create_app"]

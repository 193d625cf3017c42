"""A catalog and knowledge graph of the Hugging Face ecosystem."""

from __future__ import annotations

from catalog import errors
from catalog.analytics import Catalog

# Not `crawl` itself: the name would hide the module catalog.crawl (`import catalog.crawl as m`).
from catalog.crawl import CrawlSummary, crawl_snapshot
from catalog.errors import *  # noqa: F403 (the names are errors.__all__, re-exported below)
from catalog.store import Store

# The error tree is the package's: catalog.errors lists it once (``one_line`` is a helper, not in it).
__all__ = ["Catalog", "CrawlSummary", "Store", "crawl_snapshot"]
__all__ += errors.__all__

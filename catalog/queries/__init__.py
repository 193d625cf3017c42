"""The query layer: every SQL statement the library reads the catalog with, and the rows it returns.

Conventions (a new module follows them):

- One module per subject (``models``, ``edges``, ``lookup``, ...), each statement built with
  SQLAlchemy Core from the tables of :mod:`catalog.schema` (and :data:`~catalog.queries.edges.EDGES`,
  the view), never as SQL text: the same statement runs on SQLite and PostgreSQL.
- Every statement runs through :func:`~catalog.queries.read.read`, which streams its rows from a
  :class:`~catalog.store.Store` into a row type: a frozen, slotted dataclass whose fields are the
  statement's columns, in order, declared beside the query that returns it.
- A query checks its input (limits, ids the catalog must hold) and raises from the
  :class:`~catalog.errors.CatalogError` tree; it returns rows and builds no graph. ``graph/`` builds
  networkx graphs from these rows, and ``analytics``, ``render``, ``web``, ``export`` and the CLI
  ask this layer for everything else.
- It imports only ``store``, ``schema``, ``records`` and ``errors``.
"""

from __future__ import annotations

from catalog.queries.edges import EDGES, EdgeRow
from catalog.queries.models import SEARCH_COLUMNS, ModelFacets, SearchFacets, SearchRow
from catalog.queries.read import check_limit, read, scalar

__all__ = [
    "EDGES",
    "SEARCH_COLUMNS",
    "EdgeRow",
    "ModelFacets",
    "SearchFacets",
    "SearchRow",
    "check_limit",
    "read",
    "scalar",
]

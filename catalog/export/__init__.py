"""Export the catalog to the tools its users already use: Parquet, GraphML, GEXF, triples, Neo4j CSV.

:func:`export_catalog` writes any format; :func:`export_parquet` and its siblings are the same
call for one format (:data:`EXPORTERS`, which the scale benchmark times). Each returns an
:class:`ExportSummary`: the files and their rows, bytes on disk and seconds taken.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from catalog.export.exporter import FORMATS, ExportSummary, Format, export_catalog
from catalog.store import Store

__all__ = [
    "EXPORTERS",
    "FORMATS",
    "ExportSummary",
    "Format",
    "export_catalog",
    "export_csv",
    "export_gexf",
    "export_graphml",
    "export_parquet",
    "export_triples",
]


def export_parquet(store: Store, out: Path | str, **filters: Any) -> ExportSummary:
    """Export every table and the ``edges`` view as Parquet files in the folder ``out``."""
    return export_catalog(store, "parquet", out, **filters)


def export_graphml(store: Store, out: Path | str, **filters: Any) -> ExportSummary:
    """Export the typed graph as one GraphML file."""
    return export_catalog(store, "graphml", out, **filters)


def export_gexf(store: Store, out: Path | str, **filters: Any) -> ExportSummary:
    """Export the typed graph as one GEXF 1.2 file (Gephi)."""
    return export_catalog(store, "gexf", out, **filters)


def export_triples(store: Store, out: Path | str, **filters: Any) -> ExportSummary:
    """Export the graph's edges as ``subject<TAB>predicate<TAB>object`` lines."""
    return export_catalog(store, "triples", out, **filters)


def export_csv(store: Store, out: Path | str, **filters: Any) -> ExportSummary:
    """Export the graph as Neo4j bulk-import CSV files in the folder ``out``."""
    return export_catalog(store, "csv", out, **filters)


#: The function of each format, for the scale benchmark: ``EXPORTERS["parquet"](store, out)``.
EXPORTERS: dict[Format, Callable[..., ExportSummary]] = {
    "parquet": export_parquet,
    "graphml": export_graphml,
    "gexf": export_gexf,
    "triples": export_triples,
    "csv": export_csv,
}

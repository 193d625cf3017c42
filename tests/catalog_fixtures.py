"""Tiny literal catalogs for the tests: the demo catalog, and bad lineage with cycles in it.

Import as ``from tests.catalog_fixtures import load_tiny_catalog`` (tests run from the repository
root). Every count is made up; ``catalog.graph.demo`` documents the demo catalog.
"""

from __future__ import annotations

from typing import Any

from catalog.graph.demo import DEMO_ROWS, load_demo
from catalog.store import Store

__all__ = ["BAD_LINEAGE", "DEMO_ROWS", "load_bad_lineage", "load_tiny_catalog"]


def _model(id: str, downloads: int) -> dict[str, Any]:
    return {
        "id": id,
        "author": id.split("/")[0],
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "downloads": downloads,
    }


#: Lineage that contradicts itself: a three-model cycle with a quantized leaf hanging off it,
#: and a model that names itself as its base.
BAD_LINEAGE: dict[str, list[dict[str, Any]]] = {
    "models": [
        _model("cyc/a", 10),
        _model("cyc/b", 20),
        _model("cyc/c", 30),
        _model("cyc/d", 40),
        _model("cyc/self", 50),
    ],
    "model_lineage": [
        {"model_id": "cyc/a", "base_model_id": "cyc/c", "relation": "finetune"},
        {"model_id": "cyc/b", "base_model_id": "cyc/a", "relation": "finetune"},
        {"model_id": "cyc/c", "base_model_id": "cyc/b", "relation": "finetune"},
        {"model_id": "cyc/d", "base_model_id": "cyc/b", "relation": "quantized"},
        {"model_id": "cyc/self", "base_model_id": "cyc/self", "relation": "merge"},
    ],
}


def load_tiny_catalog(store: Store) -> Store:
    """Load the demo catalog into ``store`` and return it."""
    return load_demo(store)


def load_bad_lineage(store: Store) -> Store:
    """Load the demo catalog plus :data:`BAD_LINEAGE` into ``store`` and return it."""
    return load_demo(store, BAD_LINEAGE)

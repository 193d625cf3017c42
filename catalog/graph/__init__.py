"""Store -> networkx: the faces graph, lineage, neighbourhoods, influence, co-occurrence, fit, trends.

Pure functions of a :class:`~catalog.store.Store`, one family per module; aggregates run as SQL in
the database, so they hold at a million models.
"""

from __future__ import annotations

from catalog.graph.build import build_graph
from catalog.graph.cooccurrence import cooccurrence_counts, face_counts, provider_coverage
from catalog.graph.faces import build_faces_graph
from catalog.graph.fit import hardware_fit, hardware_fit_by_task, runs_where
from catalog.graph.influence import lineage_pagerank, reach
from catalog.graph.lineage import family_stats, family_tree, largest_families
from catalog.graph.neighbourhood import face_neighbourhood, neighbourhood
from catalog.graph.params import PARAM_BUCKETS, bucket_of
from catalog.graph.search import search_models
from catalog.graph.trends import trends

__all__ = [
    "PARAM_BUCKETS",
    "bucket_of",
    "build_faces_graph",
    "build_graph",
    "cooccurrence_counts",
    "face_counts",
    "face_neighbourhood",
    "family_stats",
    "family_tree",
    "hardware_fit",
    "hardware_fit_by_task",
    "largest_families",
    "lineage_pagerank",
    "neighbourhood",
    "provider_coverage",
    "reach",
    "runs_where",
    "search_models",
    "trends",
]

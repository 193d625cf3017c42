"""Rows of the query layer -> networkx graphs: the faces graph, the knowledge graph, lineage, neighbourhoods.

Functions of a :class:`~catalog.store.Store` that ask :mod:`catalog.queries` for rows and build or
analyse a graph from them, one family per module; aggregates that need no graph (counts, search,
trends, hardware fit) are answered by :mod:`catalog.queries` itself.
"""

from __future__ import annotations

from catalog.graph.build import build_graph
from catalog.graph.faces import build_faces_graph
from catalog.graph.influence import lineage_pagerank
from catalog.graph.lineage import family_stats, family_tree, largest_families
from catalog.graph.neighbourhood import face_neighbourhood, neighbourhood

__all__ = [
    "build_faces_graph",
    "build_graph",
    "face_neighbourhood",
    "family_stats",
    "family_tree",
    "largest_families",
    "lineage_pagerank",
    "neighbourhood",
]

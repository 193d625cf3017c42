"""Store -> networkx: the faces graph, lineage, neighbourhoods, influence, co-occurrence, fit, trends.

Pure functions of a :class:`~catalog.store.Store`; every aggregate runs as SQL in the database.
"""

from __future__ import annotations

from catalog.graph.faces import build_faces_graph

__all__ = ["build_faces_graph"]

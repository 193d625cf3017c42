"""The five faces of the ecosystem as one graph: tasks, libraries, parameter buckets, providers, apps.

Each face value is a node that counts the live models touching it; two values are joined by a
``co_occurs`` edge weighted by the live models touching both. The graph has a few hundred nodes
whatever the number of models: every number comes from four ``GROUP BY`` queries in the database.
"""

from __future__ import annotations

import networkx as nx

from catalog.graph.cooccurrence import FACES, Face, cooccurrence_all
from catalog.graph.lookup import fetch
from catalog.graph.params import PARAM_BUCKETS
from catalog.store import Store

__all__ = ["build_faces_graph", "face_labels"]

# The entity table behind each face, and the column holding its display label.
_ENTITY: dict[Face, tuple[str, str]] = {
    "task": ("tasks", "name"),
    "library": ("libraries", "label"),
    "provider": ("providers", "label"),
    "app": ("apps", "label"),
}


def face_labels(store: Store, face: Face) -> dict[str, str]:
    """Return the display label of each value of ``face`` that its entity table names.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> face_labels(demo_store(), "app")
    {'llama.cpp': 'llama.cpp', 'ollama': 'Ollama', 'vllm': 'vLLM'}
    """
    if face == "params":
        return {id: id for id, _, _ in PARAM_BUCKETS}
    table, column = _ENTITY[face]
    return {id: label or id for id, label in fetch(store, f"SELECT id, {column} FROM {table} ORDER BY id")}


def build_faces_graph(store: Store) -> nx.Graph:
    """Return the graph of the five faces and how often they co-occur on live models.

    Nodes are ``task:<id>``, ``library:<id>``, ``params:<bucket>``, ``provider:<id>`` and
    ``app:<id>``, each with ``kind``, ``label`` and ``count`` (live models touching it), plus
    ``downloads`` (theirs, summed); tasks also carry ``modality``. Every value in an entity table
    is a node, with count 0 when no live model touches it, and so is every parameter bucket. Edges
    join values of two different faces: ``rel="co_occurs"``, ``weight`` = live models touching
    both, ``downloads`` = their downloads.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> graph = build_faces_graph(demo_store())
    >>> graph.nodes["task:text-generation"]
    {'kind': 'task', 'label': 'Text Generation', 'count': 7, 'downloads': 3430, 'modality': 'nlp'}
    >>> graph.edges["task:text-generation", "library:transformers"]
    {'rel': 'co_occurs', 'weight': 5, 'downloads': 3080}
    >>> graph.nodes["params:>200B"]["count"]
    0
    """
    graph = nx.Graph()
    counts, pairs = cooccurrence_all(store)
    for face in FACES:
        labels = face_labels(store, face)
        values = labels.keys() | {value for f, value in counts if f == face}
        for value in sorted(values):
            n, d = counts.get((face, value), (0, 0))
            extra = {"modality": None} if face == "task" else {}
            graph.add_node(
                f"{face}:{value}", kind=face, label=labels.get(value, value), count=n, downloads=d, **extra
            )
    for task, modality in fetch(store, "SELECT id, modality FROM tasks"):
        if f"task:{task}" in graph:
            graph.nodes[f"task:{task}"]["modality"] = modality
    for ((face_a, value_a), (face_b, value_b)), (n, d) in sorted(pairs.items()):
        graph.add_edge(f"{face_a}:{value_a}", f"{face_b}:{value_b}", rel="co_occurs", weight=n, downloads=d)
    return graph

"""The five faces of the ecosystem as one graph: tasks, libraries, parameter buckets, providers, apps.

Each face value is a node that counts the live models touching it; two values are joined by a
``co_occurs`` edge weighted by the live models touching both. The graph has a few hundred nodes
whatever the number of models: every number comes from :func:`catalog.queries.faces.cooccurrence_all`,
which reads the faces summary the crawl keeps (``recount=True`` counts over the models instead).
"""

from __future__ import annotations

import networkx as nx

from catalog.queries.faces import cooccurrence_all, face_labels, task_modalities
from catalog.records import FACES, node_id
from catalog.store import Store

__all__ = ["build_faces_graph"]


def build_faces_graph(store: Store, *, recount: bool = False) -> nx.Graph:
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
    counts, pairs = cooccurrence_all(store, recount=recount)
    modalities = task_modalities(store)
    for face in FACES:
        labels = face_labels(store, face)
        for value in sorted(labels.keys() | {value for f, value in counts if f == face}):
            n, d = counts.get((face, value), (0, 0))
            extra = {"modality": modalities.get(value)} if face == "task" else {}
            graph.add_node(
                node_id(face, value), kind=face, label=labels.get(value, value), count=n, downloads=d, **extra
            )
    for ((face_a, value_a), (face_b, value_b)), (n, d) in sorted(pairs.items()):
        graph.add_edge(
            node_id(face_a, value_a), node_id(face_b, value_b), rel="co_occurs", weight=n, downloads=d
        )
    return graph

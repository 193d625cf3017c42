"""Neighbourhoods: the most downloaded models around one face value, and the graph around any node."""

from __future__ import annotations

from typing import Literal

import networkx as nx

from catalog.errors import ConfigError
from catalog.queries.edges import EdgeRow, edges_touching
from catalog.queries.faces import check_face, face_labels, face_total
from catalog.queries.lookup import require
from catalog.queries.models import SearchFacets, search_models
from catalog.records import Face, Rel, node_id, split_node_id
from catalog.store import Store

__all__ = ["CENTRES", "Centre", "face_neighbourhood", "neighbourhood"]

#: The faces a neighbourhood of models centres on (a parameter bucket has no edges in the view).
Centre = Literal["task", "library", "app", "provider"]
CENTRES: tuple[Centre, ...] = ("task", "library", "app", "provider")
# The edges from a model to the faces around it, as the ``edges`` view names them.
_FACE_RELS: tuple[Rel, ...] = ("has_task", "uses_library", "runs_in", "served_by")
# What a model node of a neighbourhood carries, from its search row.
_MODEL_ATTRS = ("downloads", "likes", "pipeline_tag", "library_name", "num_parameters")


def face_neighbourhood(store: Store, kind: Centre, id: str, *, limit: int = 50) -> nx.Graph:
    """Return the ``limit`` most downloaded live models touching a task, library, app or provider.

    The graph holds those models (``model:<id>``, with downloads, likes, pipeline_tag,
    library_name, num_parameters) and every task, library, app and provider they touch, joined by
    the rows of the ``edges`` view (``has_task``, ``uses_library``, ``runs_in``, ``served_by``;
    providers' edges also carry the mapping's ``status``). ``graph.graph["center"]`` is the node
    asked for, ``graph.graph["models"]`` the live models touching it and ``graph.graph["more"]``
    those left out (counted from the faces summary when it is current: no model beyond the top ones
    is read). An id the catalog does not hold raises :class:`NotFound`.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> graph = face_neighbourhood(demo_store(), "provider", "groq")
    >>> sorted(graph.nodes)
    ['app:vllm', 'library:transformers', 'model:mistralai/mistral-7b', 'provider:groq',
     'provider:together', 'task:text-generation']
    >>> graph.edges["model:mistralai/mistral-7b", "provider:together"]
    {'rel': 'served_by', 'status': 'staging'}
    >>> graph = face_neighbourhood(demo_store(), "task", "text-generation", limit=5)
    >>> graph.graph["models"], graph.graph["more"]
    (7, 2)
    """
    if kind not in CENTRES:
        raise ConfigError(f"not a face to centre on: {kind!r} (choose from {', '.join(CENTRES)})")
    facets: SearchFacets = {"limit": limit}
    facets[kind] = id
    top = search_models(store, **facets)  # checks the id, walks the indexes
    graph = nx.Graph()
    for row in top:
        attrs = {a: getattr(row, a) for a in _MODEL_ATTRS}
        graph.add_node(node_id("model", row.id), kind="model", label=row.id, **attrs)
    labels: dict[Face, dict[str, str]] = {}
    for edge in edges_touching(store, [("model", row.id) for row in top], rels=_FACE_RELS):
        _add_face_edge(store, graph, edge, labels)
    center = node_id(kind, id)
    if center not in graph:  # a value no live model touches still shows itself
        graph.add_node(center, kind=kind, label=face_labels(store, kind).get(id, id))
    graph.graph["center"] = center
    graph.graph["models"] = max(face_total(store, kind, id).models, len(top))
    graph.graph["more"] = graph.graph["models"] - len(top)
    return graph


def _add_face_edge(store: Store, graph: nx.Graph, edge: EdgeRow, labels: dict[Face, dict[str, str]]) -> None:
    face = check_face(edge.dst_kind)  # the rels of _FACE_RELS end at a face
    face_node = node_id(face, edge.dst_id)
    if face_node not in graph:
        if face not in labels:
            labels[face] = face_labels(store, face)
        graph.add_node(face_node, kind=face, label=labels[face].get(edge.dst_id, edge.dst_id))
    extra = {"status": edge.status} if edge.rel == "served_by" else {}
    graph.add_edge(node_id("model", edge.src_id), face_node, rel=edge.rel, **extra)


def neighbourhood(store: Store, node: str, radius: int = 1, *, max_nodes: int = 10_000) -> nx.MultiDiGraph:
    """Return every node within ``radius`` steps of ``node`` in the ``edges`` view, either way.

    Nodes carry ``kind``; edges carry ``rel``. A step from a hub (a task touched by half the Hub)
    can be very wide: nodes stop being added past ``max_nodes`` and ``graph.graph["truncated"]``
    says so. A ``node`` that is not ``kind:id`` raises :class:`~catalog.errors.NodeIdError`.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> graph = neighbourhood(demo_store(), "model:carol/llama-7b-chat-lora", radius=1)
    >>> sorted(graph.edges(data="rel"))
    [('model:carol/llama-7b-chat-lora', 'library:peft', 'uses_library'),
     ('model:carol/llama-7b-chat-lora', 'model:alice/llama-7b-chat', 'adapter_of'),
     ('model:carol/llama-7b-chat-lora', 'task:text-generation', 'has_task')]
    """
    if radius < 0:
        raise ConfigError(f"radius must be 0 or more, got {radius}")
    kind, id = split_node_id(node)
    require(store, kind, id)
    graph = nx.MultiDiGraph(center=node, radius=radius, truncated=False)
    graph.add_node(node, kind=kind)
    frontier: set[tuple[str, str]] = {(kind, id)}
    for _ in range(radius):
        found: set[tuple[str, str]] = set()
        for edge in edges_touching(store, frontier):
            src, dst = node_id(edge.src_kind, edge.src_id), node_id(edge.dst_kind, edge.dst_id)
            for k, i, n in ((edge.src_kind, edge.src_id, src), (edge.dst_kind, edge.dst_id, dst)):
                if n not in graph:
                    if graph.number_of_nodes() >= max_nodes:
                        graph.graph["truncated"] = True
                        break
                    graph.add_node(n, kind=k)
                    found.add((k, i))
            else:
                if not graph.has_edge(src, dst, key=edge.rel):
                    graph.add_edge(src, dst, key=edge.rel, rel=edge.rel)
        frontier = found
        if not frontier or graph.graph["truncated"]:
            break
    return graph

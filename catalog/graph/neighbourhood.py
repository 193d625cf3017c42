"""Neighbourhoods: the most downloaded models around one face value, and the graph around any node."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import networkx as nx

from catalog.errors import ConfigError
from catalog.graph.faces import face_labels
from catalog.graph.lookup import chunks, fetch, require
from catalog.graph.search import search_models
from catalog.records import split_node_id
from catalog.store import Store

__all__ = ["face_neighbourhood", "neighbourhood"]

NeighbourKind = Literal["task", "library", "app", "provider"]

_CENTRES = ("task", "library", "app", "provider")
_MODEL_ATTRS = ("downloads", "likes", "pipeline_tag", "library_name", "num_parameters")


def face_neighbourhood(store: Store, kind: NeighbourKind, id: str, *, limit: int = 50) -> nx.Graph:
    """Return the ``limit`` most downloaded live models touching a task, library, app or provider.

    The graph holds those models (``model:<id>``, with downloads, likes, pipeline_tag,
    library_name, num_parameters) and every task, library, app and provider they touch, joined by
    edges whose ``rel`` is that of the ``edges`` view (``has_task``, ``uses_library``,
    ``runs_in``, ``served_by``; providers' edges also carry ``status``). ``graph.graph["center"]``
    is the node asked for. An id the catalog does not hold raises :class:`NotFound`.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> graph = face_neighbourhood(demo_store(), "provider", "groq")
    >>> sorted(graph.nodes)
    ['app:vllm', 'library:transformers', 'model:mistralai/mistral-7b', 'provider:groq',
     'provider:together', 'task:text-generation']
    >>> graph.edges["model:mistralai/mistral-7b", "provider:together"]
    {'rel': 'served_by', 'status': 'staging'}
    """
    if kind not in _CENTRES:
        raise ConfigError(f"not a face to centre on: {kind!r} (choose from {', '.join(_CENTRES)})")
    top = search_models(store, **{kind: id}, limit=limit)  # checks the id, walks the indexes
    graph = _models_with_faces(store, [row["id"] for row in top])
    center = f"{kind}:{id}"
    if center not in graph:  # a value no live model touches still shows itself
        graph.add_node(center, kind=kind, label=face_labels(store, kind).get(id, id))
    graph.graph["center"] = center
    return graph


def _models_with_faces(store: Store, model_ids: list[str]) -> nx.Graph:
    graph = nx.Graph()
    labels = {kind: face_labels(store, kind) for kind in ("task", "library", "app", "provider")}

    def face(kind: str, value: str) -> str:
        node = f"{kind}:{value}"
        if node not in graph:
            graph.add_node(node, kind=kind, label=labels[kind].get(value, value))
        return node

    for chunk in chunks(model_ids):
        sql = f"SELECT id, {', '.join(_MODEL_ATTRS)} FROM models WHERE id IN :ids"
        for id, *values in fetch(store, sql, {"ids": chunk}):
            attrs = dict(zip(_MODEL_ATTRS, values))
            graph.add_node(f"model:{id}", kind="model", label=id, **attrs)
            if attrs["pipeline_tag"]:
                graph.add_edge(f"model:{id}", face("task", attrs["pipeline_tag"]), rel="has_task")
            if attrs["library_name"]:
                graph.add_edge(f"model:{id}", face("library", attrs["library_name"]), rel="uses_library")
        for model, app in fetch(
            store, "SELECT model_id, app_id FROM model_apps WHERE model_id IN :ids", {"ids": chunk}
        ):
            graph.add_edge(f"model:{model}", face("app", app), rel="runs_in")
        for model, provider, status in fetch(
            store,
            "SELECT model_id, provider_id, status FROM model_providers WHERE model_id IN :ids",
            {"ids": chunk},
        ):
            graph.add_edge(f"model:{model}", face("provider", provider), rel="served_by", status=status)
    return graph


def neighbourhood(store: Store, node: str, radius: int = 1, *, max_nodes: int = 10_000) -> nx.MultiDiGraph:
    """Return every node within ``radius`` steps of ``node`` in the ``edges`` view, either way.

    Nodes carry ``kind``; edges carry ``rel``. A step from a hub (a task touched by half the Hub)
    can be very wide: nodes stop being added past ``max_nodes`` and ``graph.graph["truncated"]``
    says so.

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
    try:
        kind, id = split_node_id(node)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    require(store, kind, id)
    graph = nx.MultiDiGraph(center=node, radius=radius, truncated=False)
    graph.add_node(node, kind=kind)
    frontier = {(kind, id)}
    for _ in range(radius):
        found = set()
        for row in _edges_touching(store, frontier):
            src, dst = f"{row[0]}:{row[1]}", f"{row[3]}:{row[4]}"
            for k, i, n in ((row[0], row[1], src), (row[3], row[4], dst)):
                if n not in graph:
                    if graph.number_of_nodes() >= max_nodes:
                        graph.graph["truncated"] = True
                        break
                    graph.add_node(n, kind=k)
                    found.add((k, i))
            else:
                if not graph.has_edge(src, dst, key=row[2]):
                    graph.add_edge(src, dst, key=row[2], rel=row[2])
        frontier = found
        if not frontier or graph.graph["truncated"]:
            break
    return graph


def _edges_touching(store: Store, nodes: Iterable[tuple[str, str]]) -> list[tuple[Any, ...]]:
    by_kind: dict[str, list[str]] = {}
    for kind, id in nodes:
        by_kind.setdefault(kind, []).append(id)
    rows: list[tuple[Any, ...]] = []
    for kind, ids in sorted(by_kind.items()):
        for chunk in chunks(sorted(ids)):
            rows += fetch(
                store,
                "SELECT src_kind, src_id, rel, dst_kind, dst_id FROM edges "
                "WHERE (src_kind = :kind AND src_id IN :ids) OR (dst_kind = :kind AND dst_id IN :ids)",
                {"kind": kind, "ids": chunk},
            )
    return rows

"""Model lineage: family trees up (bases) and down (descendants), family statistics, largest families.

A lineage edge goes from a child model to its base, with ``rel`` one of ``finetune_of``,
``adapter_of``, ``quantized_from``, ``merge_of`` (a merge has several bases). Families are read
one generation at a time, one indexed ``IN (...)`` query per generation, remembering the models
seen: a cycle in bad metadata is met, reported in the graph's ``cycles``, and never followed
twice. (A recursive CTE was measured too: 0.3 s for a 5,700-model family on SQLite, but 3 s on
PostgreSQL, whose planner hash-joins the whole lineage table at every step; generations take
0.1 s on both.) Only live models (not deleted from the Hub) take part, as in the ``edges`` view.
"""

from __future__ import annotations

from typing import Any, Literal

import networkx as nx

from catalog.errors import ConfigError, NotFound
from catalog.graph.lookup import check_limit, chunks, fetch, suggest
from catalog.records import LINEAGE_RELATIONS, LINEAGE_RELS
from catalog.store import Store

__all__ = ["Direction", "family_stats", "family_tree", "largest_families"]

Direction = Literal["down", "up", "both"]

_LIVE_CHILD = "JOIN models m ON m.id = l.model_id WHERE m.deleted_at IS NULL"
_ATTRS = ("downloads", "likes", "pipeline_tag", "library_name")
_MISSING: dict[str, Any] = {**dict.fromkeys(_ATTRS), "missing": True, "gone": False}


def _require_model(store: Store, model_id: str) -> None:
    known = fetch(
        store,
        "SELECT 1 FROM models WHERE id = :id AND deleted_at IS NULL "
        "UNION ALL SELECT 1 FROM model_lineage WHERE base_model_id = :id",
        {"id": model_id},
    )
    if not known:
        raise NotFound("model", model_id, suggest(store, "model", model_id))


def _walk(
    store: Store, root: str, up: bool, max_depth: int | None, attrs: dict[str, dict[str, Any]]
) -> tuple[dict[str, int], list[tuple[str, str, str]]]:
    """Follow the lineage from ``root`` one generation at a time; fill ``attrs`` for models met."""
    near, _far = ("model_id", "base_model_id") if up else ("base_model_id", "model_id")
    depth, edges, frontier = {root: 0}, [], [root]
    attrs.update(_node_attrs(store, [root]))
    while frontier and (max_depth is None or depth[frontier[0]] < max_depth):
        found = [
            row
            for chunk in chunks(frontier)
            for row in fetch(
                store,
                f"SELECT model_id, base_model_id, relation FROM model_lineage WHERE {near} IN :ids",
                {"ids": chunk},
            )
        ]
        attrs.update(_node_attrs(store, sorted({row[1] if up else row[0] for row in found} - attrs.keys())))
        following = []
        for child, base, relation in found:
            if attrs.get(child, _MISSING)["gone"]:  # a deleted model has no edges, as in the view
                continue
            edges.append((child, base, relation))
            reached = base if up else child
            if reached not in depth:
                depth[reached] = depth[frontier[0]] + 1
                following.append(reached)
        frontier = following
    return ({n: -d for n, d in depth.items()} if up else depth), edges


def family_tree(
    store: Store, model_id: str, *, direction: Direction = "down", max_depth: int | None = None
) -> nx.DiGraph:
    """Return the family of ``model_id``: its descendants (``down``), its bases (``up``), or both.

    Nodes are ``model:<id>`` with ``kind``, ``downloads``, ``likes``, ``pipeline_tag``,
    ``library_name``, ``depth`` (steps from the model; negative for bases) and ``missing`` (a base
    the catalog does not hold). Edges go child -> base with ``rel`` and the Hub's ``relation``.
    ``graph.graph["cycles"]`` lists each cycle found in the lineage, as a list of model ids.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> tree = family_tree(demo_store(), "alice/llama-7b-chat", direction="both")
    >>> sorted(tree.nodes(data="depth"))
    [('model:alice/llama-7b-chat', 0), ('model:bob/llama-7b-chat-gguf', 1),
     ('model:carol/llama-7b-chat-lora', 1), ('model:meta/llama-7b', -1)]
    >>> tree.edges["model:bob/llama-7b-chat-gguf", "model:alice/llama-7b-chat"]["rel"]
    'quantized_from'
    """
    if direction not in ("down", "up", "both"):
        raise ConfigError(f"not a direction: {direction!r} (choose down, up or both)")
    if max_depth is not None and max_depth < 0:
        raise ConfigError(f"max_depth must be 0 or more, got {max_depth}")
    _require_model(store, model_id)
    depth: dict[str, int] = {}
    edges: dict[tuple[str, str, str], None] = {}
    attrs: dict[str, dict[str, Any]] = {}
    for up in [False, True] if direction == "both" else [direction == "up"]:
        side, found = _walk(store, model_id, up, max_depth, attrs)
        for node, d in side.items():
            depth.setdefault(node, d)
        edges.update(dict.fromkeys(found))
    graph = nx.DiGraph(root=f"model:{model_id}", direction=direction)
    for node, d in depth.items():
        node_attrs = {k: v for k, v in attrs.get(node, _MISSING).items() if k != "gone"}
        graph.add_node(f"model:{node}", kind="model", **node_attrs, depth=d)
    for child, base, relation in edges:
        rel = LINEAGE_RELS.get(relation, relation)  # type: ignore[call-overload]
        graph.add_edge(f"model:{child}", f"model:{base}", rel=rel, relation=relation)
    graph.graph["cycles"] = _cycles(graph)
    return graph


def _node_attrs(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    attrs: dict[str, dict[str, Any]] = {}
    sql = f"SELECT id, {', '.join(_ATTRS)}, deleted_at FROM models WHERE id IN :ids"
    for chunk in chunks(ids):
        for id, *values, deleted_at in fetch(store, sql, {"ids": chunk}):
            attrs[id] = {**dict(zip(_ATTRS, values)), "missing": False, "gone": deleted_at is not None}
    return attrs


def _cycles(graph: nx.DiGraph) -> list[list[str]]:
    cycles = [[n.removeprefix("model:")] for n in nx.nodes_with_selfloops(graph)]
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            cycle = nx.find_cycle(graph.subgraph(component))
            cycles.append([edge[0].removeprefix("model:") for edge in cycle])
    return sorted(cycles)


def family_stats(store: Store, root_id: str) -> dict[str, Any]:
    """Return the statistics of the family below ``root_id``.

    ``descendants`` counts every model below it, ``by_relation`` the descendants by the relation
    that links them to the family, ``depth`` the longest shortest path down, ``downloads`` the
    downloads of the whole family (the root included) and ``cycles`` the cycles met.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> family_stats(demo_store(), "meta/llama-7b")
    {'root': 'meta/llama-7b', 'descendants': 4,
     'by_relation': {'finetune': 1, 'adapter': 1, 'quantized': 1, 'merge': 1},
     'depth': 2, 'downloads': 1830, 'cycles': 0}
    """
    tree = family_tree(store, root_id, direction="down")
    by_relation = dict.fromkeys(LINEAGE_RELATIONS, 0)
    for relation, children in _children_by_relation(tree).items():
        # In a cycle the root is its own descendant's child: it is still not a descendant.
        by_relation[relation] = by_relation.get(relation, 0) + len(children - {tree.graph["root"]})
    return {
        "root": root_id,
        "descendants": tree.number_of_nodes() - 1,
        "by_relation": by_relation,
        "depth": max(d for _, d in tree.nodes(data="depth")),
        "downloads": sum(d or 0 for _, d in tree.nodes(data="downloads")),
        "cycles": len(tree.graph["cycles"]),
    }


def _children_by_relation(tree: nx.DiGraph) -> dict[str, set[str]]:
    children: dict[str, set[str]] = {}
    for child, _, relation in tree.edges(data="relation"):
        children.setdefault(relation, set()).add(child)
    return children


def largest_families(store: Store, limit: int = 20) -> list[tuple[str, int]]:
    """Return ``(root model id, descendants)`` of the ``limit`` largest families, largest first.

    A root is a base model that has no base itself. The live lineage is read once into memory
    (two strings per edge) and every family counted there.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> largest_families(demo_store())
    [('meta/llama-7b', 4), ('mistralai/mistral-7b', 1)]
    """
    check_limit(limit)
    children: dict[str, list[str]] = {}
    has_base: set[str] = set()
    for child, base in fetch(store, f"SELECT l.model_id, l.base_model_id FROM model_lineage l {_LIVE_CHILD}"):
        children.setdefault(base, []).append(child)
        has_base.add(child)
    sizes = []
    for root in children.keys() - has_base:
        seen = {root}
        stack = [root]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        sizes.append((root, len(seen) - 1))
    sizes.sort(key=lambda item: (-item[1], item[0]))
    return sizes[:limit]

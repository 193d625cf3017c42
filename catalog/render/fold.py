"""Aggregation: fold the nodes a page cannot hold into one "+N more" node per group.

A page draws at most a few thousand nodes (vis-network with physics off: 5,000 in 0.6 s, 20,000
in 1.6 s, and a cloud of specks long before that), so the top nodes of each group are kept and
the rest of the group becomes one node that carries their number and their summed figures.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping

import networkx as nx

__all__ = ["fold", "top_per_group"]

#: Figures that add up when nodes fold together.
SUMMED = ("count", "downloads", "likes")


def top_per_group(
    nodes: Iterable[Hashable],
    group: Callable[[Hashable], Hashable | None],
    score: Callable[[Hashable], float],
    cap: int,
) -> dict[Hashable, Hashable]:
    """Return the nodes to fold, each with its group: all but the ``cap`` best-scored of each group.

    Nodes whose group is ``None`` are always kept. Ties keep the smaller node id, so the
    result is the same on every run.

    Examples
    --------
    >>> score = {"a": 3, "b": 2, "c": 1, "x": 0}.get
    >>> top_per_group(["a", "b", "c", "x"], lambda n: None if n == "x" else "letters", score, 2)
    {'c': 'letters'}
    """
    members: dict[Hashable, list[Hashable]] = {}
    for node in nodes:
        key = group(node)
        if key is not None:
            members.setdefault(key, []).append(node)
    folded: dict[Hashable, Hashable] = {}
    for key, group_nodes in members.items():
        group_nodes.sort(key=lambda n: (-score(n), str(n)))
        for node in group_nodes[cap:]:
            folded[node] = key
    return folded


def fold(
    graph: nx.Graph,
    folded: Mapping[Hashable, Hashable],
    label: Callable[[Hashable, int], str],
) -> nx.Graph:
    """Return a copy of ``graph`` with the nodes in ``folded`` merged into one node per group.

    The node of group ``g`` is ``"more:<g>"`` with ``kind="more"``, ``group=g``, ``folded``
    (how many nodes it stands for), ``label`` from ``label(g, folded)`` and the sums of its
    members' ``count``, ``downloads`` and ``likes``. Edges to folded nodes become one edge per
    pair of endpoints, with ``weight`` the sum of their weights (1 each when unweighted) and
    ``rel`` kept when all agree. Edges inside one group disappear.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from([("hub", {"count": 9}), ("a", {"count": 2}), ("b", {"count": 3})])
    >>> g.add_edges_from([("hub", "a", {"weight": 2}), ("hub", "b", {"weight": 3}), ("a", "b")])
    >>> small = fold(g, {"a": "x", "b": "x"}, lambda group, n: f"+{n} more")
    >>> sorted(small.nodes(data=True))
    [('hub', {'count': 9}), ('more:x', {'kind': 'more', 'group': 'x', 'folded': 2, 'label': '+2 more', 'count': 5})]
    >>> list(small.edges(data=True))
    [('hub', 'more:x', {'weight': 5, 'edges': 2})]
    """
    result = graph.__class__()
    result.add_nodes_from((n, d) for n, d in graph.nodes(data=True) if n not in folded)
    sizes: dict[Hashable, int] = {}
    sums: dict[Hashable, dict[str, float]] = {}
    for node, group in folded.items():
        sizes[group] = sizes.get(group, 0) + 1
        data = graph.nodes[node]
        totals = sums.setdefault(group, {})
        for name in SUMMED:
            if data.get(name) is not None:
                totals[name] = totals.get(name, 0) + data[name]
    for group, size in sizes.items():
        result.add_node(
            f"more:{group}", kind="more", group=group, folded=size, label=label(group, size), **sums[group]
        )

    def target(node: Hashable) -> Hashable:
        return f"more:{folded[node]}" if node in folded else node

    for u, v, data in graph.edges(data=True):
        if u not in folded and v not in folded:
            result.add_edge(u, v, **data)
            continue
        a, b = target(u), target(v)
        if a == b:
            continue
        weight = data.get("weight", 1)
        if result.has_edge(a, b):
            edge = result.edges[a, b]
            edge["weight"] += weight
            edge["edges"] += 1
            if edge.get("rel") != data.get("rel"):
                edge.pop("rel", None)
        else:
            extra = {"rel": data["rel"]} if "rel" in data else {}
            result.add_edge(a, b, weight=weight, edges=1, **extra)
    return result

"""The page of one model family: the family tree of a base model, coloured by relation, sized by downloads.

A family can hold tens of thousands of models (fine-tunes of fine-tunes, quantizations of each).
Past ``max_nodes`` the page keeps the most downloaded models with the path from each up to the
root, and folds the rest under their nearest kept ancestor into one "+N more" node per ancestor.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from typing import Any

import networkx as nx

from catalog.records import split_node_id
from catalog.render.fold import fold
from catalog.render.layout import radial_tree_layout
from catalog.render.links import Links
from catalog.render.page import Graph, Page, vis_node
from catalog.render.style import KIND_STYLES, RELATION_COLOURS, edge_width, format_count, node_size

__all__ = ["RELATION_NAMES", "lineage_page", "prune_family"]

RELATION_NAMES = {
    "finetune_of": "fine-tune",
    "adapter_of": "adapter",
    "quantized_from": "quantization",
    "merge_of": "merge",
}


def prune_family(tree: nx.DiGraph, root: Hashable, max_nodes: int, *, fanout: int = 40) -> nx.DiGraph:
    """Return ``tree`` (edges child -> base) cut down to a readable, bounded family tree.

    Every model keeps its ``fanout`` most downloaded children; the others, with everything below
    them, fold into one ``"more:<model>"`` node under it (a base with 30,000 fine-tunes shows its
    top 40 and "+29,960 more"). If that still exceeds ``max_nodes``, the most downloaded models
    are kept with their path up to ``root`` until half the budget is used, and the rest fold
    under their nearest kept ancestor: at most one fold node per kept node, so the result never
    exceeds ``max_nodes``. A merge hangs under the first of its bases met from the root.

    Examples
    --------
    >>> tree = nx.DiGraph([("a", "r"), ("b", "r"), ("c", "a"), ("d", "a")])
    >>> nx.set_node_attributes(tree, {"r": 9, "a": 1, "b": 5, "c": 3, "d": 0}, "downloads")
    >>> small = prune_family(tree, "r", 4)
    >>> sorted(small.nodes(data="folded"))
    [('b', None), ('more:r', 3), ('r', None)]
    >>> sorted(small.edges(data="edges"))
    [('b', 'r', None), ('more:r', 'r', 1)]
    >>> sorted(prune_family(tree, "r", 100, fanout=1).nodes(data="folded"))
    [('b', None), ('more:r', 3), ('r', None)]
    """
    parent = _bfs_parents(tree, root)
    children: dict[Hashable, list[Hashable]] = {}
    for node, base in parent.items():
        if base is not None:
            children.setdefault(base, []).append(node)

    def downloads(node: Hashable) -> int:
        return tree.nodes[node].get("downloads") or 0

    shown = {root}
    stack = [root]
    while stack:
        kids = sorted(children.get(stack.pop(), ()), key=lambda n: (-downloads(n), str(n)))[:fanout]
        shown.update(kids)
        stack.extend(kids)
    kept = shown
    if len(shown) * 2 > max_nodes:
        budget = max(1, max_nodes // 2)
        kept = {root}
        for node in sorted(shown, key=lambda n: (-downloads(n), str(n))):
            path = []
            while node is not None and node not in kept:
                path.append(node)
                node = parent[node]
            if len(kept) + len(path) <= budget:
                kept.update(path)
    if len(kept) == tree.number_of_nodes():
        return tree
    folded = {}
    for node in parent:
        if node not in kept:
            ancestor = parent[node]
            while ancestor not in kept:
                ancestor = parent[ancestor]
            folded[node] = ancestor
    return fold(tree, folded, lambda ancestor, n: f"+{n:,} more")


def _bfs_parents(tree: nx.DiGraph, root: Hashable) -> dict[Hashable, Hashable | None]:
    # Models reached from the root through their bases' children; a merge keeps the first base met.
    parent: dict[Hashable, Hashable | None] = {root: None}
    queue = deque([root])
    while queue:
        node = queue.popleft()
        for child in sorted(tree.pred[node], key=str):
            if child not in parent:
                parent[child] = node
                queue.append(child)
    return parent


def lineage_page(
    tree: nx.DiGraph, root: str, links: Links, *, max_nodes: int = 5000, fanout: int = 40, labels: int = 40
) -> Page:
    """Build the page of the family of ``root`` (a ``model:<id>`` node of ``family_tree(direction="down")``).

    Nodes are coloured by the relation that links them to their base (the root red, folded
    nodes grey) and sized by downloads; edges point from a model to its base. The root, the
    fold nodes and the ``labels`` most downloaded models carry their names; every other model
    shows its name in its tooltip, so that names do not pile up into a grey smudge. See
    :func:`prune_family` for ``max_nodes`` and ``fanout``.
    """
    size = tree.number_of_nodes()
    graph = prune_family(tree, root, max_nodes, fanout=fanout)
    parent = _bfs_parents(graph, root)
    layout_tree = nx.DiGraph()
    layout_tree.add_node(root)
    layout_tree.add_edges_from((p, c) for c, p in parent.items() if p is not None)
    models = [n for n, d in graph.nodes(data=True) if d.get("kind") != "more"]
    top = max((graph.nodes[n].get("downloads") or 0 for n in models), default=0)
    named = set(sorted(models, key=lambda n: (-(graph.nodes[n].get("downloads") or 0), str(n)))[:labels])
    biggest = 44.0 if len(graph) <= 200 else 28.0
    sizes = {
        n: 16.0
        if graph.nodes[n].get("kind") == "more"
        else node_size(graph.nodes[n].get("downloads") or 0, top, smallest=5, biggest=biggest)
        for n in graph
    }
    sizes[root] = 50.0
    positions = radial_tree_layout(layout_tree, root, sizes=sizes)

    nodes = []
    for node in parent:
        data = graph.nodes[node]
        relation = "root" if node == root else _relation(graph, node, parent[node])
        folded = data.get("kind") == "more"
        style = KIND_STYLES["more"] if folded else (RELATION_COLOURS.get(relation, "#8c959f"), "dot")
        nodes.append(
            vis_node(
                node,
                positions[node],
                sizes[node],
                style,
                _title(node, data, relation, parent[node], graph),
                label=_name(node, data) if node == root or node in named or folded else None,
                href=None if folded else links.to("model", _name(node, data)),
            )
        )
    heaviest = max((e.get("weight", 1) for _, _, e in graph.edges(data=True)), default=1)
    edges = []
    for child, base, data in graph.edges(data=True):
        rel = data.get("rel")
        edges.append(
            {
                "from": child,
                "to": base,
                "color": {"color": RELATION_COLOURS.get(rel or "", "#8c959f")},
                "width": edge_width(data.get("weight", 1), heaviest, thinnest=1, thickest=6),
                "title": f"{_name(child, graph.nodes[child])} \u2192 {_name(base, graph.nodes[base])}\n"
                + (
                    RELATION_NAMES.get(rel, rel)
                    if rel
                    else f"{data.get('edges', 1):,} links, mixed relations"
                ),
            }
        )
    name = _name(root, tree.nodes[root])
    context = _sidebar(tree, graph, root, size)
    return Page("family", f"Family of {name}", links, context, Graph(nodes, edges, directed=True))


def _name(node: Hashable, data: dict[str, Any]) -> str:
    if data.get("kind") == "more":
        return str(data.get("label"))
    return split_node_id(str(node))[1]


def _relation(graph: nx.DiGraph, node: Hashable, base: Hashable | None) -> str:
    if base is None or not graph.has_edge(node, base):
        return "mixed"
    return graph.edges[node, base].get("rel") or "mixed"


def _title(
    node: Hashable, data: dict[str, Any], relation: str, base: Hashable | None, graph: nx.DiGraph
) -> str:
    if data.get("kind") == "more":
        return (
            f"{data.get('folded', 0):,} more models under {_name(base, graph.nodes[base]) if base else ''}\n"
            f"Their downloads: {format_count(data.get('downloads'))}"
        )
    lines = [f"Model: {_name(node, data)}"]
    if relation == "root":
        lines.append("Base of the family")
    elif base is not None:
        lines.append(
            f"{RELATION_NAMES.get(relation, relation).capitalize()} of {_name(base, graph.nodes[base])}"
        )
    lines.append(f"Downloads: {format_count(data.get('downloads'))}")
    lines.append(f"Likes: {format_count(data.get('likes'))}")
    if data.get("missing"):
        lines.append("Not in the catalog (named as a base only)")
    return "\n".join(lines)


def _sidebar(tree: nx.DiGraph, drawn: nx.DiGraph, root: str, size: int) -> dict[str, Any]:
    """Return the legend, the family's figures and its most downloaded models."""
    legend = [
        (colour, "50%", "base model" if rel == "root" else RELATION_NAMES[rel])
        for rel, colour in RELATION_COLOURS.items()
    ]
    legend.append((KIND_STYLES["more"][0], "2px", "folded models"))
    by_relation: dict[str, int] = {}
    for _, _, rel in tree.edges(data="rel"):
        by_relation[rel] = by_relation.get(rel, 0) + 1
    downloads = sum(d or 0 for _, d in tree.nodes(data="downloads"))
    rows = [
        ("Models in the family", f"{size:,}"),
        ("Drawn", f"{drawn.number_of_nodes():,}"),
        ("Downloads, all models", format_count(downloads)),
    ]
    rows += [
        (f"{RELATION_NAMES.get(r, r).capitalize()} links", f"{n:,}") for r, n in sorted(by_relation.items())
    ]
    ranked = sorted(
        (n for n in tree if n != root), key=lambda n: (-(tree.nodes[n].get("downloads") or 0), str(n))
    )
    top = [(_name(n, tree.nodes[n]), tree.nodes[n].get("downloads")) for n in ranked[:25]]
    return {"legend": legend, "figures": rows, "top": top}

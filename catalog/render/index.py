"""The ecosystem map (``index.html``): tasks by modality, libraries, apps, providers, parameter buckets.

Every face is a node sized by how many models it touches; an edge joins two faces that models
share, weighted by how many. Each kind has its wedge of the disc (tasks one wedge per modality),
so the picture reads the same way on every catalog.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import networkx as nx

from catalog.records import FACES, split_node_id
from catalog.render.face import node_href
from catalog.render.fold import fold, top_per_group
from catalog.render.layout import wedge_layout
from catalog.render.links import Links
from catalog.render.page import Graph, Page, vis_node
from catalog.render.style import (
    KIND_LABELS,
    KIND_STYLES,
    MODALITY_COLOURS,
    MODALITY_LABELS,
    edge_width,
    format_count,
    node_size,
    node_style,
)

__all__ = ["FACE_KINDS", "index_page", "legible_labels"]

#: Width of a character of a label, as a share of its font size (system-ui is narrower on average).
CHAR_WIDTH = 0.62
#: Labels on the map at most: past a few dozen names, small ones read as noise; hover shows them all.
LABELLED = 60

#: The five faces of the ecosystem, in the order their wedges go around the map.
FACE_KINDS = FACES
_PLURALS = {
    "task": "tasks",
    "library": "libraries",
    "app": "apps",
    "provider": "providers",
    "params": "parameter buckets",
}


def index_page(
    faces: nx.Graph,
    links: Links,
    *,
    families: Sequence[tuple[str, int]] = (),
    max_nodes: int = 5000,
    max_edges: int = 2000,
) -> Page:
    """Build the ecosystem map from the faces graph.

    Faces that no model touches are listed beside the map, not drawn. Only the largest nodes
    whose labels do not overlap carry a label (:func:`legible_labels`); every node shows its
    name and figures on hover.

    Parameters
    ----------
    faces : nx.Graph
        ``build_faces_graph``'s graph: nodes with ``kind``, ``label``, ``count`` (tasks also
        ``modality``), edges with ``weight``.
    links : Links
        Where the nodes' pages are.
    families : sequence of (root model id, size)
        The largest lineage families, listed beside the map.
    max_nodes : int
        At most this many nodes: beyond it each kind keeps its top nodes by ``count`` and folds
        the rest into one "+N more" node.
    max_edges : int
        At most this many edges, the heaviest; each node also keeps its heaviest edge.
    """
    untouched = [
        (str(d.get("kind")), split_node_id(str(n))[1], str(d.get("label") or n))
        for n, d in sorted(faces.nodes(data=True), key=lambda nd: (str(nd[1].get("kind")), str(nd[0])))
        if not d.get("count")
    ]
    touched = faces.subgraph([n for n, d in faces.nodes(data=True) if d.get("count")])
    graph = _aggregate(nx.Graph(touched), max_nodes)
    largest = max((d.get("count") or 0 for _, d in graph.nodes(data=True)), default=0)
    sizes = {
        n: node_size(d.get("count") or 0, largest, smallest=7, biggest=60) for n, d in graph.nodes(data=True)
    }
    groups, names = _groups(graph)
    positions, wedges = wedge_layout(groups, sizes)
    # Group names go on one circle around the whole map, each at the middle of its wedge;
    # narrow wedges get smaller names, so that neighbours' names overlap less.
    rim = max((radius for _, radius, _ in wedges), default=0.0) + 60
    labels: list[dict[str, Any]] = []
    rim_boxes = []
    for name, (angle, _, span) in zip(names, wedges):
        size = round(min(30.0, max(14.0, 1.8 * rim * span / max(len(name), 1))))
        x, y = round(rim * math.cos(angle), 1), round(rim * math.sin(angle), 1)
        labels.append({"text": name, "size": size, "x": x, "y": y})
        rim_boxes.append(_box(x, y - size * 0.65, name, size, bold=True))  # their room, taken first

    nodes = []
    for node, data in graph.nodes(data=True):
        kind = data.get("kind", "more")
        href = node_href(node, links) if kind != "more" else links.to("more", str(data.get("group")))
        style = node_style(kind, data.get("modality"))
        item = vis_node(node, positions[node], sizes[node], style, _node_title(node, data), href=href)
        item["font"] = {"size": _font(sizes[node])}
        nodes.append(item)
    titles = {n: str(d.get("label") or n) for n, d in graph.nodes(data=True)}
    for item in legible_labels(nodes, titles, taken=rim_boxes):
        item["label"] = item.pop("_label")

    kept = _strongest_edges(graph, max_edges)
    heaviest = max((graph.edges[e].get("weight", 1) for e in kept), default=1)
    edges = []
    for u, v in kept:
        weight = graph.edges[u, v].get("weight", 1)
        edges.append(
            {
                "from": u,
                "to": v,
                "width": edge_width(weight, heaviest),
                "title": f"{_name(graph, u)} \u2014 {_name(graph, v)}\n{format_count(weight)} models",
            }
        )

    context = _sidebar(faces, graph, len(kept), families)
    context["untouched"] = untouched
    return Page("map", "The Hugging Face ecosystem", links, context, Graph(nodes, edges, labels=labels))


def _font(size: float) -> int:
    return round(12 + size / 4)


def _box(
    x: float, top: float, text: str, font: float, *, bold: bool = False
) -> tuple[float, float, float, float]:
    """Return the box ``(left, top, right, bottom)`` a label centred on ``x`` takes, in canvas units."""
    width = (CHAR_WIDTH + (0.06 if bold else 0.0)) * font * len(text) + 4
    return (x - width / 2, top, x + width / 2, top + 1.3 * font)


def legible_labels(
    nodes: list[dict[str, Any]],
    names: Mapping[Any, str],
    *,
    limit: int = LABELLED,
    taken: Sequence[tuple[float, float, float, float]] = (),
) -> list[dict[str, Any]]:
    """Return the nodes to label: the ``limit`` largest whose label overlaps no label kept before it.

    vis-network draws a node's label centred below it, at the font size given, in canvas units:
    two labels that do not overlap in canvas units overlap at no zoom. Each returned node gets its
    label under ``"_label"``. ``taken`` are boxes already used (the group names on the rim).

    Examples
    --------
    >>> nodes = [{"id": i, "x": x, "y": 0, "size": 10, "font": {"size": 14}} for i, x in [(1, 0), (2, 20), (3, 300)]]
    >>> [n["id"] for n in legible_labels(nodes, {1: "first", 2: "second", 3: "third"})]
    [1, 3]
    >>> [n["id"] for n in legible_labels(nodes, {}, limit=1)]
    [1]
    """
    boxes = list(taken)
    chosen: list[dict[str, Any]] = []
    for item in sorted(nodes, key=lambda n: (-n["size"], str(n["id"]))):
        if len(chosen) >= limit:
            break
        text = names.get(item["id"], str(item["id"]))
        box = _box(item["x"], item["y"] + item["size"] + 2, text, item["font"]["size"])
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
            continue
        boxes.append(box)
        item["_label"] = text
        chosen.append(item)
    return chosen


def _aggregate(faces: nx.Graph, max_nodes: int) -> nx.Graph:
    if faces.number_of_nodes() <= max_nodes:
        return faces
    per_kind: dict[str, int] = {}
    for _, data in faces.nodes(data=True):
        per_kind[data.get("kind", "")] = per_kind.get(data.get("kind", ""), 0) + 1
    # The largest cap per kind such that kept nodes plus one "+N more" node per kind still fit.
    cap = max_nodes
    while cap > 1 and sum(min(n, cap) + (n > cap) for n in per_kind.values()) > max_nodes:
        cap = int(cap * 0.9)
    folded = top_per_group(
        faces.nodes,
        lambda n: faces.nodes[n].get("kind", ""),
        lambda n: faces.nodes[n].get("count") or 0,
        cap,
    )
    return fold(faces, folded, lambda kind, n: f"+{n:,} more {_PLURALS.get(str(kind), str(kind))}")


def _groups(graph: nx.Graph) -> tuple[list[list[Hashable]], list[str]]:
    by_kind: dict[str, list[Hashable]] = {}
    for node, data in graph.nodes(data=True):
        kind = data["group"] if data.get("kind") == "more" else data.get("kind", "")
        if kind == "task":
            kind = f"task/{data.get('modality') or 'other'}"
        by_kind.setdefault(kind, []).append(node)
    order = [f"task/{m}" for m in MODALITY_COLOURS] + list(FACE_KINDS[1:])
    order += sorted(k for k in by_kind if k not in order and not k.startswith("task"))
    order += sorted(k for k in by_kind if k not in order)
    groups, names = [], []
    for key in order:
        if key not in by_kind:
            continue
        # Biggest first, nearest the centre; the "+N more" node last, on the rim.
        members = sorted(
            by_kind[key],
            key=lambda n: (graph.nodes[n].get("kind") == "more", -(graph.nodes[n].get("count") or 0), str(n)),
        )
        groups.append(members)
        if key.startswith("task/"):
            modality = key.split("/", 1)[1]
            names.append(MODALITY_LABELS.get(modality, modality) + " tasks")
        else:
            names.append(_PLURALS.get(key, key).capitalize())
    return groups, names


def _strongest_edges(graph: nx.Graph, max_edges: int) -> list[tuple[Hashable, Hashable]]:
    def weight(edge: tuple[Hashable, Hashable]) -> float:
        return float(graph.edges[edge].get("weight", 1))

    ranked = sorted(graph.edges(), key=lambda e: (-weight(e), str(e[0]), str(e[1])))
    kept = ranked[:max_edges]
    chosen = {frozenset(e) for e in kept}
    # A node whose edges all fell below the cut keeps its heaviest one, so nothing floats alone.
    for node in graph.nodes:
        if graph.degree(node) and not any(frozenset((node, m)) in chosen for m in graph.adj[node]):
            best = max(graph.adj[node], key=lambda m: (graph.edges[node, m].get("weight", 1), str(m)))
            kept.append((node, best))
            chosen.add(frozenset((node, best)))
    return kept


def _name(graph: nx.Graph, node: Hashable) -> str:
    return str(graph.nodes[node].get("label") or node)


def _node_title(node: Hashable, data: dict[str, Any]) -> str:
    kind = data.get("kind", "more")
    lines = [f"{KIND_LABELS.get(kind, kind)}: {data.get('label') or node}"]
    if kind == "task" and data.get("modality"):
        lines.append(f"Modality: {MODALITY_LABELS.get(data['modality'], data['modality'])}")
    if kind == "more":
        lines.append(
            f"Folded here: {format_count(data.get('folded'))} {_PLURALS.get(data.get('group', ''), 'nodes')}"
        )
    lines.append(f"Models: {format_count(data.get('count'))}")
    lines.append("Click to open its page")
    return "\n".join(lines)


def _sidebar(
    faces: nx.Graph, drawn: nx.Graph, edges_drawn: int, families: Sequence[tuple[str, int]]
) -> dict[str, Any]:
    """Return the legend, the figures per kind, and the largest families shown beside the map."""
    legend = [
        (colour, "50%", f"{MODALITY_LABELS[modality]} task") for modality, colour in MODALITY_COLOURS.items()
    ]
    for kind in ("library", "app", "provider", "params"):
        colour, shape = KIND_STYLES[kind]
        legend.append((colour, "50%" if shape == "dot" else "2px", f"{KIND_LABELS[kind]} ({shape})"))
    per_kind = []
    for kind in FACE_KINDS:
        members = [
            (d.get("count") or 0, str(d.get("label") or n))
            for n, d in faces.nodes(data=True)
            if d.get("kind") == kind
        ]
        if members:
            top = max(members, key=lambda m: (m[0], m[1]))
            per_kind.append((_PLURALS[kind].capitalize(), len(members), f"{top[1]} ({format_count(top[0])})"))
    note = f"{drawn.number_of_nodes():,} nodes and {edges_drawn:,} of {faces.number_of_edges():,} edges drawn"
    if drawn.number_of_nodes() < sum(1 for _, d in faces.nodes(data=True) if d.get("count")):
        note += '; the smallest of each kind are folded into a "+N more" node'
    return {"legend": legend, "per_kind": per_kind, "note": note, "families": list(families)}

"""The ecosystem map (``index.html``): tasks by modality, libraries, apps, providers, parameter buckets.

Every face is a node sized by how many models it touches; an edge joins two faces that models
share, weighted by how many. Each kind has its wedge of the disc (tasks one wedge per modality),
so the picture reads the same way on every catalog.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import networkx as nx

from catalog.render.fold import fold, top_per_group
from catalog.render.layout import wedge_layout
from catalog.render.page import Page, escape
from catalog.render.style import (
    KIND_LABELS,
    KIND_STYLES,
    MODALITY_COLOURS,
    MODALITY_LABELS,
    edge_width,
    format_count,
    node_size,
)

__all__ = ["FACE_KINDS", "index_page"]

#: The five faces of the ecosystem, in the order their wedges go around the map.
FACE_KINDS: tuple[str, ...] = ("task", "library", "app", "provider", "params")
_PLURALS = {
    "task": "tasks",
    "library": "libraries",
    "app": "apps",
    "provider": "providers",
    "params": "parameter buckets",
}


def index_page(
    faces: nx.Graph,
    page_of: Callable[[Hashable], str | None],
    *,
    search: list[dict[str, str]],
    families: Sequence[tuple[str, int, str]] = (),
    max_nodes: int = 5000,
    max_edges: int = 2000,
) -> Page:
    """Build the ecosystem map from the faces graph.

    Parameters
    ----------
    faces : nx.Graph
        ``build_faces_graph``'s graph: nodes with ``kind``, ``label``, ``count`` (tasks also
        ``modality``), edges with ``weight``.
    page_of : callable
        The page path of a node (``"task/fill-mask.html"``), ``None`` when it has none.
    search : list of dict
        Every page of the map as ``{"name", "kind", "href"}``, for the search box.
    families : sequence of (root model id, size, page path)
        The lineage pages, listed beside the map.
    max_nodes : int
        At most this many nodes: beyond it each kind keeps its top nodes by ``count`` and folds
        the rest into one "+N more" node.
    max_edges : int
        At most this many edges, the heaviest; each node also keeps its heaviest edge.
    """
    graph = _aggregate(faces, max_nodes)
    largest = max((d.get("count") or 0 for _, d in graph.nodes(data=True)), default=0)
    sizes = {
        n: node_size(d.get("count") or 0, largest, smallest=7, biggest=60) for n, d in graph.nodes(data=True)
    }
    groups, names = _groups(graph)
    positions, wedges = wedge_layout(groups, sizes)
    # Group names go on one circle around the whole map, each at the middle of its wedge;
    # narrow wedges get smaller names, so that neighbours' names overlap less.
    rim = max((radius for _, radius, _ in wedges), default=0.0) + 60
    labels = []
    for name, (angle, _, span) in zip(names, wedges):
        size = round(min(30.0, max(14.0, 1.8 * rim * span / max(len(name), 1))))
        labels.append(
            {
                "text": name,
                "size": size,
                "x": round(rim * math.cos(angle), 1),
                "y": round(rim * math.sin(angle), 1),
            }
        )

    nodes = []
    for node, data in graph.nodes(data=True):
        kind = data.get("kind", "more")
        colour, shape = KIND_STYLES.get(kind, KIND_STYLES["more"])
        if kind == "task":
            colour = MODALITY_COLOURS.get(data.get("modality") or "other", MODALITY_COLOURS["other"])
        x, y = positions[node]
        item: dict[str, Any] = {
            "id": node,
            "label": str(data.get("label") or node),
            "x": round(x, 1),
            "y": round(y, 1),
            "size": sizes[node],
            "shape": shape,
            "color": colour,
            "font": {"size": round(12 + sizes[node] / 4)},
            "title": _node_title(node, data),
        }
        href = page_of(node)
        if href:
            item["href"] = href
        nodes.append(item)

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

    sidebar = _sidebar(faces, graph, len(kept), families)
    return Page(
        "index.html",
        "The Hugging Face ecosystem",
        nodes,
        edges,
        sidebar=sidebar,
        search=search,
        extra={"labels": labels},
    )


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
    return fold(faces, folded, lambda kind, n: f"+{n:,} more {_PLURALS.get(kind, kind)}")


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
        return graph.edges[edge].get("weight", 1)

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
    faces: nx.Graph, drawn: nx.Graph, edges_drawn: int, families: Sequence[tuple[str, int, str]]
) -> str:
    parts = ['<h2>Legend</h2><ul class="legend">']
    for modality, colour in MODALITY_COLOURS.items():
        parts.append(
            f'<li><span class="swatch" style="background:{colour}"></span>'
            f"{escape(MODALITY_LABELS[modality])} task</li>"
        )
    for kind in ("library", "app", "provider", "params"):
        colour, shape = KIND_STYLES[kind]
        radius = "50%" if shape == "dot" else "2px"
        parts.append(
            f'<li><span class="swatch" style="background:{colour};border-radius:{radius}"></span>'
            f"{escape(KIND_LABELS[kind])} ({escape(shape)})</li>"
        )
    parts.append(
        '</ul><p class="note">Node size: models touching it. Edge width: models '
        "sharing both ends. Hover for figures, click to open a page.</p>"
    )

    parts.append('<h2>On the map</h2><table><tr><th>Kind</th><th class="n">Nodes</th><th>Largest</th></tr>')
    for kind in FACE_KINDS:
        members = [
            (d.get("count") or 0, d.get("label") or n)
            for n, d in faces.nodes(data=True)
            if d.get("kind") == kind
        ]
        if not members:
            continue
        top = max(members, key=lambda m: (m[0], str(m[1])))
        parts.append(
            f'<tr><td>{escape(_PLURALS[kind].capitalize())}</td><td class="n">{len(members):,}</td>'
            f"<td>{escape(top[1])} ({format_count(top[0])})</td></tr>"
        )
    parts.append("</table>")
    note = f"{drawn.number_of_nodes():,} nodes and {edges_drawn:,} of {faces.number_of_edges():,} edges drawn"
    if drawn.number_of_nodes() < faces.number_of_nodes():
        note += '; the smallest of each kind are folded into a "+N more" node'
    parts.append(f'<p class="note">{escape(note)}.</p>')

    if families:
        parts.append('<h2>Largest families</h2><table><tr><th>Base model</th><th class="n">Models</th></tr>')
        for root, size, path in families:
            parts.append(
                f'<tr><td><a href="{escape(path)}">{escape(root)}</a></td><td class="n">{size:,}</td></tr>'
            )
        parts.append("</table>")
    return "".join(parts)

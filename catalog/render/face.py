"""The page of one face value (a task, library, app, provider or parameter bucket).

Its neighbourhood is drawn around it: the top models by downloads on a ring, and beyond them the
tasks, libraries, apps and providers those models have, each near its models. The models the
page cannot show are one "+N more models" node. Beside the graph: its figures, its top models
and the faces it most often goes with.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import networkx as nx

from catalog.records import split_node_id
from catalog.render.layout import hub_layout
from catalog.render.links import Links
from catalog.render.page import Graph, Page, vis_node
from catalog.render.style import (
    KIND_LABELS,
    MODALITY_LABELS,
    edge_width,
    format_count,
    node_size,
    node_style,
)

__all__ = ["ego_page", "face_page", "node_href"]

#: How many co-occurring faces the table beside the graph lists.
TOGETHER = 15
#: How many of the top models are named on the graph (all are in the table).
LABELLED = 12


def node_href(node: Hashable, links: Links) -> str | None:
    """Return the link to the page of a graph node (``"library:peft"``), ``None`` for "+N more" nodes.

    Examples
    --------
    >>> from catalog.render.links import ServerLinks
    >>> node_href("model:org/a model", ServerLinks()), node_href("more:models", ServerLinks())
    ('/models/org/a%20model', None)
    """
    kind, _, id = str(node).partition(":")
    return links.to(kind, id) if kind != "more" else None


def face_page(
    neighbourhood: nx.Graph,
    centre: str,
    links: Links,
    *,
    faces: nx.Graph | None = None,
) -> Page:
    """Build the page of the face node ``centre`` (``"library:transformers"``).

    Parameters
    ----------
    neighbourhood : nx.Graph
        ``face_neighbourhood``'s graph: ``centre``, model nodes (``kind="model"``, ``downloads``,
        ``likes``) and the faces those models touch, each node with ``kind``.
    centre : str
        The node of the face the page is about.
    links : Links
        Where the nodes' pages are.
    faces : nx.Graph, optional
        The faces graph, for the figures: how many models touch ``centre`` (beyond the ones
        drawn) and what it co-occurs with.
    """
    info = dict(faces.nodes[centre]) if faces is not None and centre in faces else {}
    info.update({k: v for k, v in neighbourhood.nodes[centre].items() if v is not None})
    models = sorted(
        (n for n, d in neighbourhood.nodes(data=True) if d.get("kind") == "model" and n != centre),
        key=lambda n: (-(neighbourhood.nodes[n].get("downloads") or 0), str(n)),
    )
    others = sorted(
        (n for n, d in neighbourhood.nodes(data=True) if d.get("kind") != "model" and n != centre),
        key=lambda n: (str(neighbourhood.nodes[n].get("kind")), str(n)),
    )
    graph = nx.Graph(neighbourhood)
    if faces is not None:
        # The faces graph knows what the neighbourhood does not: a task's modality, counts.
        for node, data in graph.nodes(data=True):
            if node in faces:
                for key, value in faces.nodes[node].items():
                    if data.get(key) is None:
                        data[key] = value
    hidden = (info.get("count") or 0) - len(models)
    ring = list(models)
    if hidden > 0:
        more = "more:models"
        graph.add_node(more, kind="more", label=f"+{hidden:,} more models", folded=hidden)
        graph.add_edge(centre, more, rel="has_model")
        ring.append(more)
    near = {
        n: [m for m in graph.adj[n] if m in graph.nodes and graph.nodes[m].get("kind") in ("model", "more")]
        for n in others
    }
    # Room on the ring for the largest model node, so that neighbours never overlap.
    positions = hub_layout(centre, ring, others, near, spacing=2 * 22 + 12)

    top = max((graph.nodes[m].get("downloads") or 0 for m in models), default=0)
    nodes = []
    for node in [centre, *ring, *others]:
        data = graph.nodes[node]
        kind = data.get("kind", "more")
        if node == centre:
            size = 40.0
        elif kind == "model":
            size = node_size(data.get("downloads") or 0, top, smallest=6, biggest=22)
        else:
            size = 14.0
        # Long model ids pile up on the ring: only the top ones are named, the rest in tooltips.
        named = kind != "model" or node in models[:LABELLED]
        nodes.append(
            vis_node(
                node,
                positions[node],
                size,
                node_style(kind, data.get("modality")),
                _title(node, data, graph),
                label=_label(node, data) if named else None,
                href=node_href(node, links),
            )
        )
    heaviest = max((graph.nodes[m].get("downloads") or 0 for m in models), default=1) or 1
    edges = []
    for u, v, data in graph.edges(data=True):
        model = (
            u
            if graph.nodes[u].get("kind") == "model"
            else v
            if graph.nodes[v].get("kind") == "model"
            else None
        )
        downloads = graph.nodes[model].get("downloads") or 0 if model else 0
        edges.append(
            {
                "from": u,
                "to": v,
                "width": edge_width(downloads, heaviest, thickest=4),
                "title": f"{_label(u, graph.nodes[u])} \u2014 {_label(v, graph.nodes[v])}\n"
                f"{data.get('rel', 'related')}",
            }
        )
    title = f"{KIND_LABELS.get(info.get('kind', ''), 'Face')}: {_label(centre, info)}"
    context = _sidebar(centre, info, graph, models, faces)
    return Page("face", title, links, context, Graph(nodes, edges))


def _label(node: Hashable, data: dict[str, Any]) -> str:
    if data.get("label"):
        return str(data["label"])
    return str(node).partition(":")[2] or str(node)


def _title(node: Hashable, data: dict[str, Any], graph: nx.Graph) -> str:
    kind = data.get("kind", "more")
    lines = [f"{KIND_LABELS.get(kind, kind)}: {_label(node, data)}"]
    if kind == "model":
        lines.append(f"Downloads: {format_count(data.get('downloads'))}")
        lines.append(f"Likes: {format_count(data.get('likes'))}")
    elif kind == "more":
        lines.append("Models touching it beyond the top ones drawn")
    else:
        if kind == "task" and data.get("modality"):
            lines.append(f"Modality: {MODALITY_LABELS.get(data['modality'], data['modality'])}")
        shown = sum(1 for m in graph.adj[node] if graph.nodes[m].get("kind") == "model")
        lines.append(f"Models drawn here: {shown:,}")
    return "\n".join(lines)


def _sidebar(
    centre: str,
    info: dict[str, Any],
    graph: nx.Graph,
    models: list[Hashable],
    faces: nx.Graph | None,
) -> dict[str, Any]:
    """Return the figures, top models and co-occurring faces shown beside the graph."""
    kind, id = split_node_id(centre)
    rows = [("Models", format_count(info.get("count") if info.get("count") is not None else len(models)))]
    if info.get("downloads") is not None:
        rows.append(("Their downloads", format_count(info["downloads"])))
    if info.get("kind") == "task" and info.get("modality"):
        rows.append(("Modality", MODALITY_LABELS.get(info["modality"], info["modality"])))
    if models:
        rows.append(("Top models drawn", f"{len(models):,}"))
    top = [
        {
            "id": str(node).partition(":")[2],
            "downloads": graph.nodes[node].get("downloads"),
            "likes": graph.nodes[node].get("likes"),
        }
        for node in models
    ]
    together = []
    if faces is not None and centre in faces and faces.degree(centre):
        ranked = sorted(faces.adj[centre].items(), key=lambda kv: (-(kv[1].get("weight") or 0), str(kv[0])))
        for other, edge in ranked[:TOGETHER]:
            other_kind, other_id = split_node_id(str(other))
            label = _label(other, faces.nodes[other])
            together.append(
                {"kind": other_kind, "id": other_id, "label": label, "weight": edge.get("weight")}
            )
    return {"kind": kind, "id": id, "figures": rows, "top": top, "together": together}


def ego_page(
    faces: nx.Graph,
    centre: str,
    links: Links,
    *,
    limit: int = 80,
) -> Page:
    """Build the page of a face from the faces graph alone: the faces it goes with, by models shared.

    Used for parameter buckets, whose models are too many and too alike to list: the page shows
    which tasks, libraries, apps and providers the bucket's models touch, the ``limit`` strongest,
    the rest folded into one "+N more" node.
    """
    info = faces.nodes[centre]
    ranked = sorted(faces.adj[centre].items(), key=lambda kv: (-(kv[1].get("weight") or 0), str(kv[0])))
    shown = [n for n, _ in ranked[:limit]]
    graph = nx.Graph()
    graph.add_node(centre, **info)
    for node in shown:
        graph.add_node(node, **faces.nodes[node])
        graph.add_edge(centre, node, **faces.edges[centre, node])
    ring = sorted(
        shown,
        key=lambda n: (str(faces.nodes[n].get("kind")), -(faces.edges[centre, n].get("weight") or 0), str(n)),
    )
    if len(ranked) > limit:
        rest = ranked[limit:]
        graph.add_node("more:faces", kind="more", label=f"+{len(rest):,} more", folded=len(rest))
        graph.add_edge(centre, "more:faces", weight=sum(e.get("weight") or 0 for _, e in rest))
        ring.append("more:faces")
    positions = hub_layout(centre, ring, [], {})
    heaviest = max((graph.edges[centre, n].get("weight") or 0 for n in ring), default=0)
    nodes = []
    for node in [centre, *ring]:
        data = graph.nodes[node]
        kind = data.get("kind", "more")
        weight = graph.edges[centre, node].get("weight") or 0 if node != centre else heaviest
        title = _title(node, data, graph).rsplit("\n", 1)[0] + f"\nModels: {format_count(data.get('count'))}"
        size = 40.0 if node == centre else node_size(weight, heaviest, smallest=6, biggest=30)
        style = node_style(kind, data.get("modality"))
        nodes.append(
            vis_node(
                node,
                positions[node],
                size,
                style,
                title,
                label=_label(node, data),
                href=node_href(node, links),
            )
        )
    edges = [
        {
            "from": centre,
            "to": node,
            "width": edge_width(graph.edges[centre, node].get("weight") or 0, heaviest),
            "title": f"{_label(centre, info)} \u2014 {_label(node, graph.nodes[node])}\n"
            f"{format_count(graph.edges[centre, node].get('weight'))} models",
        }
        for node in ring
    ]
    title = f"{KIND_LABELS.get(info.get('kind', ''), 'Face')}: {_label(centre, info)}"
    context = _sidebar(centre, dict(info), graph, [], faces)
    return Page("face", title, links, context, Graph(nodes, edges))

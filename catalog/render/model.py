"""The page of one model: its five faces, its lineage drawn up to the roots and down, and what is around it.

The lineage is drawn in columns, bases on the left (roots furthest), the model in the middle and
its children to the right: its ``per_model`` most downloaded children, and theirs, each group of
the rest folded into one "+N more" node that links on (to the family page under the model, or to
the child's own page). Hardware fit, the license check against the bases and the history chart are
computed here from the rows the query layer gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from catalog.queries.entity import ChildRow, LineageRow, ModelDetail
from catalog.records import PARAM_BUCKETS, bucket_of
from catalog.render.lineage import RELATION_NAMES
from catalog.render.links import Links, hub_url
from catalog.render.page import Graph, Page
from catalog.render.style import KIND_STYLES, RELATION_COLOURS, format_count, node_size

__all__ = ["BYTES_PER_DTYPE", "fits", "history_chart", "model_page", "weight_bytes"]

#: Bytes per parameter of each safetensors dtype; unknown dtypes count 2 (16-bit weights).
BYTES_PER_DTYPE: dict[str, float] = {
    **dict.fromkeys(("F64", "I64", "U64", "C64"), 8),
    **dict.fromkeys(("F32", "I32", "U32"), 4),
    **dict.fromkeys(("F16", "BF16", "I16", "U16"), 2),
    **dict.fromkeys(("F8_E4M3", "F8_E5M2", "F8_E8M0", "I8", "U8", "BOOL"), 1),
    "F4": 0.5,
}
GIB = 2**30
_REL = {
    "finetune": "finetune_of",
    "adapter": "adapter_of",
    "quantized": "quantized_from",
    "merge": "merge_of",
}
COLUMN = 300.0
ROW = 50.0


def weight_bytes(parameters: dict[str, int] | None, num_parameters: int | None) -> float | None:
    """Return the bytes a model's weights take at their dtypes (2 bytes a parameter when unknown).

    Examples
    --------
    >>> weight_bytes({"BF16": 10, "F32": 1}, 11), weight_bytes(None, 7), weight_bytes(None, None)
    (24.0, 14.0, None)
    """
    if parameters:
        return float(sum(n * BYTES_PER_DTYPE.get(dtype, 2) for dtype, n in parameters.items()))
    return float(num_parameters * 2) if num_parameters is not None else None


def fits(size: float | None, skus: Sequence[tuple[str, float]]) -> list[str]:
    """Return the SKUs (``(name, memory GB)``) whose memory, read as GiB, holds ``size`` bytes.

    Examples
    --------
    >>> fits(20 * 2**30, [("RTX 4090", 24), ("T4", 16)]), fits(None, [("T4", 16)])
    (['RTX 4090'], [])
    """
    if size is None:
        return []
    return [name for name, memory in skus if memory * GIB >= size]


def history_chart(points: Sequence[tuple[int | None, int | None]], width: int = 320, height: int = 90) -> Any:
    """Return the polylines of downloads and likes across crawl runs, or ``None`` with fewer than two runs.

    Examples
    --------
    >>> history_chart([(10, 1), (20, 3)])
    {'downloads': '4.0,86.0 316.0,4.0', 'likes': '4.0,86.0 316.0,4.0', 'runs': 2}
    >>> history_chart([(10, 1)]) is None
    True
    """
    if len(points) < 2:
        return None
    lines = {}
    for index, name in enumerate(("downloads", "likes")):
        values = [p[index] or 0 for p in points]
        low, high = min(values), max(values)
        span = (high - low) or 1
        step = (width - 8) / (len(values) - 1)
        lines[name] = " ".join(
            f"{4 + i * step:.1f},{height - 4 - (v - low) / span * (height - 8):.1f}"
            for i, v in enumerate(values)
        )
    return {**lines, "runs": len(points)}


def model_page(
    detail: ModelDetail,
    up: Sequence[LineageRow],
    down: Sequence[ChildRow],
    child_counts: dict[str, int],
    links: Links,
    *,
    skus: Sequence[tuple[str, float]] = (),
) -> Page:
    """Build the page of a model from its detail, its bases' chain ``up``, its children ``down``.

    ``child_counts`` gives the live children of each model drawn (the model and its children),
    so that those not drawn fold into "+N more" nodes.
    """
    model = detail.model
    graph = _lineage_graph(detail, up, down, child_counts, links)
    base_licenses = {b.license for b in detail.bases if b.in_catalog and b.license}
    size = weight_bytes(model.parameters, model.num_parameters)
    context = {
        "m": detail,
        "bucket": bucket_of(model.num_parameters),
        "buckets": [b[0] for b in PARAM_BUCKETS],
        "size_gb": size / GIB if size is not None else None,
        "fits": fits(size, skus),
        "license_differs": bool(model.license and base_licenses and model.license not in base_licenses),
        "base_licenses": sorted(base_licenses),
        "chart": history_chart([(h.downloads, h.likes) for h in detail.history]),
        "hub": hub_url("model", model.id),
        "relation_names": RELATION_NAMES,
        "card": _card(model.card_data),
    }
    return Page("model", model.id, links, context, graph)


def _card(card: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Return a card's short fields as text pairs; nested values and long texts are left out."""
    rows = []
    for key, value in sorted((card or {}).items()):
        if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
            value = ", ".join(str(v) for v in value)
        if isinstance(value, str | int | float | bool) and len(str(value)) <= 300:
            rows.append((str(key)[:80], str(value)))
    return rows[:30]


def _lineage_graph(
    detail: ModelDetail,
    up: Sequence[LineageRow],
    down: Sequence[ChildRow],
    child_counts: dict[str, int],
    links: Links,
) -> Graph:
    centre = detail.model.id
    depth = {centre: 0}
    order: dict[int, list[str]] = {0: [centre]}
    edges = []
    missing = set()
    for row in up:  # bases, generation by generation (the query gives them in that order)
        if row.model_id in depth and row.base_id not in depth:
            depth[row.base_id] = depth[row.model_id] - 1
            order.setdefault(depth[row.base_id], []).append(row.base_id)
        if not row.in_catalog:
            missing.add(row.base_id)
        edges.append((row.model_id, row.base_id, _REL.get(row.relation, row.relation)))
    downloads = {centre: detail.model.downloads}
    for child in down:
        if child.base_id in depth and child.id not in depth:
            depth[child.id] = depth[child.base_id] + 1
            order.setdefault(depth[child.id], []).append(child.id)
        downloads[child.id] = child.downloads
        edges.append((child.id, child.base_id, _REL.get(child.relation, child.relation)))
    shown: dict[str, int] = {}
    for child in down:
        shown[child.base_id] = shown.get(child.base_id, 0) + 1
    folds = []
    for parent, total in child_counts.items():
        hidden = total - shown.get(parent, 0)
        if hidden > 0 and parent in depth:
            node = f"more:{parent}"
            depth[node] = depth[parent] + 1
            order.setdefault(depth[node], []).append(node)
            folds.append((node, parent, hidden))

    top = max((d or 0 for d in downloads.values()), default=0)
    nodes = []
    for column, members in sorted(order.items()):
        for place, node in enumerate(members):
            y = (place - (len(members) - 1) / 2) * ROW
            if node.startswith("more:"):
                parent, hidden = next((p, h) for n, p, h in folds if n == node)
                href = links.to("family", centre) if parent == centre else links.to("model", parent)
                item: dict[str, Any] = {
                    "id": node,
                    "label": f"+{hidden:,} more",
                    "shape": "box",
                    "color": KIND_STYLES["more"][0],
                    "title": f"{hidden:,} more models derived from {parent}",
                }
            else:
                relation = "root" if node == centre else _relation_of(node, edges)
                title = [f"Model: {node}"]
                if node in missing:
                    title.append("Not in the catalog (named as a base only)")
                else:
                    title.append(f"Downloads: {format_count(downloads.get(node))}")
                href = None if node in missing else links.to("model", node)
                item = {
                    "id": node,
                    "shape": "dot",
                    "size": 30.0
                    if node == centre
                    else node_size(downloads.get(node) or 0, top, smallest=6, biggest=14),
                    "color": "#d0d7de" if node in missing else RELATION_COLOURS.get(relation, "#8c959f"),
                    "title": "\n".join(title),
                }
                # Names stay legible: the model, its bases and its first children carry theirs.
                if column <= 0 or (column == 1 and place < 12):
                    item["label"] = node
            item["x"], item["y"] = column * COLUMN, round(y, 1)
            if href:
                item["href"] = href
            nodes.append(item)
    drawn = {n["id"] for n in nodes}
    vis_edges = [
        {
            "from": child,
            "to": base,
            "color": {"color": RELATION_COLOURS.get(rel, "#8c959f")},
            "title": f"{child} \u2192 {base}\n{RELATION_NAMES.get(rel, rel)}",
        }
        for child, base, rel in dict.fromkeys(edges)
        if child in drawn and base in drawn
    ]
    vis_edges += [{"from": node, "to": parent, "title": f"{hidden:,} more"} for node, parent, hidden in folds]
    return Graph(nodes, vis_edges, directed=True)


def _relation_of(node: str, edges: list[tuple[str, str, str]]) -> str:
    return next((rel for child, _, rel in edges if child == node), "mixed")

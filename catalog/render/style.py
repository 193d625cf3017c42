"""Colours, shapes and sizes: how a node's kind, modality or relation and its figures look on a page."""

from __future__ import annotations

import math

__all__ = [
    "KIND_LABELS",
    "KIND_STYLES",
    "MODALITY_COLOURS",
    "MODALITY_LABELS",
    "RELATION_COLOURS",
    "edge_width",
    "format_count",
    "node_size",
    "node_style",
]

#: Colour (Tableau 10) and vis-network shape of each kind of node. Tasks take their colour from
#: their modality instead; the shape keeps kinds apart where colours are close.
KIND_STYLES: dict[str, tuple[str, str]] = {
    "task": ("#4e79a7", "dot"),
    "library": ("#e15759", "square"),
    "app": ("#76b7b2", "diamond"),
    "provider": ("#ff9da7", "triangle"),
    "params": ("#7b6fb0", "hexagon"),
    "model": ("#8cb5d9", "dot"),
    "more": ("#d0d7de", "box"),
}

KIND_LABELS: dict[str, str] = {
    "task": "Task",
    "library": "Library",
    "app": "Local app",
    "provider": "Inference provider",
    "params": "Parameter bucket",
    "model": "Model",
    "more": "Folded nodes",
}

MODALITY_COLOURS: dict[str, str] = {
    "nlp": "#4e79a7",
    "cv": "#59a14f",
    "audio": "#f28e2b",
    "multimodal": "#b07aa1",
    "tabular": "#9c755f",
    "rl": "#edc948",
    "other": "#bab0ac",
}

MODALITY_LABELS: dict[str, str] = {
    "nlp": "Natural Language Processing",
    "cv": "Computer Vision",
    "audio": "Audio",
    "multimodal": "Multimodal",
    "tabular": "Tabular",
    "rl": "Reinforcement Learning",
    "other": "Other",
}

#: Colour of each lineage relation; the root of a family has its own.
RELATION_COLOURS: dict[str, str] = {
    "root": "#e15759",
    "finetune_of": "#4e79a7",
    "adapter_of": "#59a14f",
    "quantized_from": "#f28e2b",
    "merge_of": "#b07aa1",
}


def node_style(kind: str, modality: str | None = None) -> tuple[str, str]:
    """Return the colour and vis-network shape of a node of ``kind``: a task takes its modality's colour.

    An unknown kind is drawn as a folded node.

    Examples
    --------
    >>> node_style("library"), node_style("task", "cv"), node_style("task"), node_style("?")
    (('#e15759', 'square'), ('#59a14f', 'dot'), ('#bab0ac', 'dot'), ('#d0d7de', 'box'))
    """
    colour, shape = KIND_STYLES.get(kind, KIND_STYLES["more"])
    if kind == "task":
        colour = MODALITY_COLOURS.get(modality or "other", MODALITY_COLOURS["other"])
    return colour, shape


def node_size(value: float, largest: float, *, smallest: float = 6.0, biggest: float = 46.0) -> float:
    """Return a node radius for ``value``: its area grows with the value, up to ``biggest`` for ``largest``.

    Examples
    --------
    >>> node_size(100, 100), node_size(25, 100), node_size(0, 100)
    (46.0, 26.0, 6.0)
    """
    if largest <= 0 or value <= 0:
        return smallest
    return round(smallest + (biggest - smallest) * math.sqrt(min(value, largest) / largest), 1)


def edge_width(weight: float, heaviest: float, *, thinnest: float = 0.5, thickest: float = 10.0) -> float:
    """Return an edge width for ``weight``, growing with its square root.

    Examples
    --------
    >>> edge_width(4, 4), edge_width(1, 4)
    (10.0, 5.2)
    """
    if heaviest <= 0 or weight <= 0:
        return thinnest
    return round(thinnest + (thickest - thinnest) * math.sqrt(min(weight, heaviest) / heaviest), 1)


def format_count(value: float | None) -> str:
    """Format a count for people: thousands separated, ``-`` for unknown.

    Examples
    --------
    >>> format_count(1234567), format_count(None)
    ('1,234,567', '-')
    """
    if value is None:
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"

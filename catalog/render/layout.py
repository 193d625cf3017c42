"""Deterministic layouts computed in Python, so that pages draw with physics off.

vis-network's physics stalls long before a few thousand nodes, and force-directed layouts in
Python cost seconds to minutes at that size (``nx.spring_layout``: 59 s for 5,000 nodes here).
These layouts are linear or ``n log n`` and give the same picture on every run:

- :func:`wedge_layout`: groups of nodes in wedges of a disc, filled ring by ring (the ecosystem map).
- :func:`radial_tree_layout`: a tree from its root outwards, each subtree in a wedge sized by its
  leaves (lineage families).
- :func:`hub_layout`: one node in the centre, a ring around it, and a second ring of the nodes
  that ring links to, each near its neighbours (a face's neighbourhood).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Mapping, Sequence

import networkx as nx

__all__ = ["Position", "hub_layout", "radial_tree_layout", "wedge_layout"]

Position = tuple[float, float]
TAU = 2 * math.pi


def wedge_layout(
    groups: Sequence[Sequence[Hashable]],
    sizes: Mapping[Hashable, float],
    *,
    inner: float = 120.0,
    gap: float = 0.035,
    padding: float = 14.0,
) -> tuple[dict[Hashable, Position], list[tuple[float, float, float]]]:
    """Place each group of nodes in its own wedge of a disc, filling arcs from the centre outwards.

    A group's wedge is as wide as its share of the nodes' total area (a node takes the square of
    its diameter), so the groups end at about the same radius. Within a wedge, nodes go in the
    order given, along arcs of growing radius.

    Parameters
    ----------
    groups : sequence of sequences of nodes
        The groups, in the order their wedges go around the disc (clockwise from 12 o'clock).
    sizes : mapping
        Each node's radius in pixels.
    inner : float
        The radius of the first arc.
    gap : float
        The empty angle between two wedges, in radians.
    padding : float
        Room between neighbouring nodes, in pixels.

    Returns
    -------
    positions : dict
        ``node -> (x, y)``, y pointing down as on a screen.
    wedges : list of (float, float, float)
        The middle angle, the outer radius and the angular width of each group's wedge, to place
        its label.

    Examples
    --------
    >>> positions, wedges = wedge_layout([["a"], ["b"]], {"a": 10, "b": 10})
    >>> {n: (round(x), round(y)) for n, (x, y) in positions.items()}
    {'a': (137, 0), 'b': (-137, 0)}
    """
    areas = [sum((2 * sizes[n] + padding) ** 2 for n in group) for group in groups]
    total = sum(areas) or 1.0
    free = TAU - gap * len(groups)
    # A wedge never gets narrower than a sliver, so a group of one small node stays visible.
    spans = [max(free * a / total, 0.12) for a in areas]
    scale = free / sum(spans) if spans else 1.0
    spans = [s * scale for s in spans]
    # Every wedge starts at the radius where the widest first node of any group fits its arc.
    for group, span in zip(groups, spans):
        if group:
            inner = max(inner, (2 * sizes[group[0]] + padding) / span)
    positions: dict[Hashable, Position] = {}
    wedges: list[tuple[float, float, float]] = []
    start = -math.pi / 2
    for group, span in zip(groups, spans):
        outer = _fill_wedge(group, sizes, start + gap / 2, span, inner, padding, positions)
        wedges.append((start + gap / 2 + span / 2, outer, span))
        start += span + gap
    return positions, wedges


def _fill_wedge(
    group: Sequence[Hashable],
    sizes: Mapping[Hashable, float],
    start: float,
    span: float,
    radius: float,
    padding: float,
    positions: dict[Hashable, Position],
) -> float:
    index = 0
    while index < len(group):
        # Take as many nodes as fit along this arc, then centre them on it.
        row: list[Hashable] = []
        width = 0.0
        while index < len(group):
            need = 2 * sizes[group[index]] + padding
            if row and width + need > radius * span:
                break
            # A node wider than the arc would spill into the next wedge: go out until it fits.
            radius = max(radius, need / span)
            row.append(group[index])
            width += need
            index += 1
        thickness = max(2 * sizes[n] for n in row) + padding
        radius += thickness / 2
        angle = start + (span - width / radius) / 2
        for node in row:
            step = (2 * sizes[node] + padding) / radius
            angle += step / 2
            positions[node] = (radius * math.cos(angle), radius * math.sin(angle))
            angle += step / 2
        radius += thickness / 2 + padding
    return radius


def radial_tree_layout(
    tree: nx.DiGraph,
    root: Hashable,
    *,
    sizes: Mapping[Hashable, float] | None = None,
    ring: float = 220.0,
    padding: float = 8.0,
) -> dict[Hashable, Position]:
    """Place a tree (edges parent -> child) around its root, each subtree in a wedge.

    A subtree's wedge is proportional to its number of leaves. Depth ``d`` sits on a ring at
    least ``ring`` beyond depth ``d - 1``, and far enough out that every node there fits its
    wedge (a node takes its diameter from ``sizes``, radius 10 by default, plus ``padding``):
    nodes never overlap, and a base model with thousands of direct fine-tunes gets a wide ring.

    Nodes unreachable from ``root`` get no position.

    Examples
    --------
    >>> tree = nx.DiGraph([("r", "a"), ("r", "b")])
    >>> {n: (round(x), round(y)) for n, (x, y) in radial_tree_layout(tree, "r").items()}
    {'r': (0, 0), 'a': (220, 0), 'b': (-220, 0)}
    """
    order = list(nx.dfs_preorder_nodes(tree, root))
    leaves: dict[Hashable, int] = {}
    for node in reversed(order):
        leaves[node] = sum(leaves[c] for c in tree.succ[node]) or 1
    # First the wedges, top down; then each depth's radius from the tightest wedge at it.
    wedge: dict[Hashable, tuple[float, float]] = {root: (-math.pi / 2, TAU)}
    depth = {root: 0}
    for node in order:
        start, span = wedge[node]
        for child in tree.succ[node]:
            share = span * leaves[child] / leaves[node]
            wedge[child] = (start, share)
            depth[child] = depth[node] + 1
            start += share
    need: dict[int, float] = {}
    for node in order[1:]:
        diameter = 2 * (sizes.get(node, 10.0) if sizes else 10.0) + padding
        need[depth[node]] = max(need.get(depth[node], 0.0), diameter / wedge[node][1])
    radius = {0: 0.0}
    for d in range(1, max(depth.values()) + 1):
        radius[d] = max(radius[d - 1] + ring, need.get(d, 0.0))
    positions: dict[Hashable, Position] = {}
    for node in order:
        start, span = wedge[node]
        angle, r = start + span / 2, radius[depth[node]]
        positions[node] = (0.0, 0.0) if node == root else (r * math.cos(angle), r * math.sin(angle))
    return positions


def hub_layout(
    centre: Hashable,
    ring: Sequence[Hashable],
    outer: Sequence[Hashable],
    links: Mapping[Hashable, Sequence[Hashable]],
    *,
    radius: float = 320.0,
    spacing: float = 40.0,
) -> dict[Hashable, Position]:
    """Place ``centre`` in the middle, ``ring`` around it in order, and ``outer`` beyond, near their links.

    Each outer node goes at the circular mean angle of the ring nodes it links to; outer nodes
    are then spread to even gaps in that angular order, so that none overlap.

    Examples
    --------
    >>> pos = hub_layout("c", ["m1", "m2"], ["lib"], {"lib": ["m1"]})
    >>> {n: (round(x), round(y)) for n, (x, y) in pos.items()}
    {'c': (0, 0), 'm1': (0, -320), 'm2': (0, 320), 'lib': (0, -640)}
    """
    positions: dict[Hashable, Position] = {centre: (0.0, 0.0)}
    inner_radius = max(radius, len(ring) * spacing / TAU)
    angles: dict[Hashable, float] = {}
    for i, node in enumerate(ring):
        angle = -math.pi / 2 + TAU * i / max(len(ring), 1)
        angles[node] = angle
        positions[node] = (inner_radius * math.cos(angle), inner_radius * math.sin(angle))
    outer_radius = max(inner_radius * 2, len(outer) * spacing / TAU)
    wanted = []
    for index, node in enumerate(outer):
        linked = [angles[n] for n in links.get(node, ()) if n in angles]
        if linked:
            x = sum(math.cos(a) for a in linked)
            y = sum(math.sin(a) for a in linked)
            angle = math.atan2(y, x) if abs(x) + abs(y) > 1e-9 else linked[0]
        else:
            angle = -math.pi / 2 + TAU * index / max(len(outer), 1)
        wanted.append(((angle + math.pi / 2) % TAU, index, node))
    wanted.sort()
    if len(wanted) <= 1 or _spread_ok(wanted, spacing / outer_radius):
        placed = [(a - math.pi / 2, node) for a, _, node in wanted]
    else:
        # Crowded: keep the angular order, give up the exact angles.
        placed = [(-math.pi / 2 + TAU * i / len(wanted), node) for i, (_, _, node) in enumerate(wanted)]
    for angle, node in placed:
        positions[node] = (outer_radius * math.cos(angle), outer_radius * math.sin(angle))
    return positions


def _spread_ok(wanted: Sequence[tuple[float, int, Hashable]], min_gap: float) -> bool:
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(wanted)]
    gaps.append(TAU - wanted[-1][0] + wanted[0][0])
    return min(gaps) >= min_gap

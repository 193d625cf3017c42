"""The typed graph as streams of nodes and edges, read in batches on one connection."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import Connection

from catalog.queries.export import NODE_TYPES as _TYPES
from catalog.queries.export import GraphSelection, read_batches

__all__ = [
    "EDGE_ATTRS",
    "NODE_TYPES",
    "TYPE_NAMES",
    "Edge",
    "Node",
    "Progress",
    "counted",
    "graph_edges",
    "graph_nodes",
]

T = TypeVar("T")
#: A node: its id (``kind:id``), its kind, and its attributes that have a value.
Node = tuple[str, str, dict[str, Any]]
#: An edge: source node id, ``rel``, target node id, and a provider mapping's status (else ``None``).
Edge = tuple[str, str, str, str | None]
#: Called with the number of rows written since the last call.
Progress = Callable[[int], None]
#: Every node attribute any kind has, and its portable type (``int``, ``float``, ``string``).
NODE_TYPES: dict[str, str] = {"kind": "string"} | _TYPES
#: The name GraphML, GEXF and Neo4j's import all give each portable type.
TYPE_NAMES = {"int": "long", "float": "double", "bool": "boolean", "string": "string"}
#: The attributes of an edge: its relation, and a provider mapping's status (``served_by`` only).
EDGE_ATTRS = ("rel", "status")
_EVERY = 10_000


def graph_nodes(conn: Connection, selection: GraphSelection) -> Iterator[Node]:
    """Yield ``(node id, kind, attributes)`` for each node; attributes without a value are left out."""
    for kind, names, statement in selection.node_statements():
        for batch in read_batches(conn, statement):
            for id, *values in batch:
                yield f"{kind}:{id}", kind, {n: v for n, v in zip(names, values) if v is not None}


def graph_edges(conn: Connection, selection: GraphSelection) -> Iterator[Edge]:
    """Yield ``(source node id, rel, target node id, status)`` for each edge."""
    for statement in selection.edge_statements():
        for batch in read_batches(conn, statement):
            for src_kind, src_id, rel, dst_kind, dst_id, status in batch:
                yield f"{src_kind}:{src_id}", rel, f"{dst_kind}:{dst_id}", status


def counted(items: Iterable[T], progress: Progress | None, counts: list[int]) -> Iterator[T]:
    """Yield ``items``, adding each to ``counts[0]`` and reporting to ``progress`` every 10,000."""
    pending = 0
    for item in items:
        yield item
        pending += 1
        if pending == _EVERY:
            counts[0] += pending
            if progress is not None:
                progress(pending)
            pending = 0
    counts[0] += pending
    if progress is not None and pending:
        progress(pending)

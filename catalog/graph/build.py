"""The whole typed graph, or a filtered sub-graph, from the rows of the ``edges`` view and the entities."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any, Unpack

import networkx as nx
from sqlalchemy import and_, select

from catalog.errors import ConfigError
from catalog.queries.edges import EDGES, EdgeRow, edges
from catalog.queries.models import ModelFacets, model_conditions
from catalog.queries.nodes import ENTITY_ROWS, ModelNode, entity_nodes, model_nodes
from catalog.records import KINDS, RELS, Kind, node_id, split_node_id
from catalog.schema import Model
from catalog.store import Store

__all__ = ["MODEL_ATTRS", "build_graph"]

#: Model attributes a user filters on, copied onto every ``model:`` node.
MODEL_ATTRS: tuple[str, ...] = tuple(f.name for f in fields(ModelNode))[1:]
# One shared string per rel and kind, so that millions of edges do not each hold a copy.
_INTERNED: dict[str, str] = {s: s for s in (*RELS, *KINDS)}


def build_graph(
    store: Store, *, kinds: Iterable[Kind] | None = None, **facets: Unpack[ModelFacets]
) -> nx.MultiDiGraph:
    """Return the knowledge graph, or the part of it around the live models that pass the facets.

    Nodes are ``kind:id`` with ``kind`` (and, for models, :data:`MODEL_ATTRS`; for other
    entities, the columns of :mod:`catalog.queries.nodes`); edges are the rows of the ``edges``
    view, keyed and labelled by ``rel`` (``served_by`` edges also carry the mapping's ``status``).
    ``kinds`` keeps only nodes of those kinds (and edges between them). With a model facet (any of
    :class:`~catalog.queries.models.ModelFacets`), the graph holds the selected models, every edge
    touching one of them, and the edges among the nodes so reached; without, every entity.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> graph = build_graph(demo_store(), provider="groq", kinds=["model", "task", "provider"])
    >>> sorted(graph.edges(keys=True))
    [('model:dave/llama-mistral-merge', 'model:mistralai/mistral-7b', 'merge_of'),
     ('model:mistralai/mistral-7b', 'provider:groq', 'served_by'),
     ('model:mistralai/mistral-7b', 'provider:together', 'served_by'),
     ('model:mistralai/mistral-7b', 'task:text-generation', 'has_task'),
     ('provider:groq', 'task:text-generation', 'supports_task'),
     ('provider:together', 'task:text-generation', 'supports_task')]
    >>> graph.nodes["model:mistralai/mistral-7b"]["downloads"], graph.nodes["provider:groq"]["label"]
    (900, 'Groq')
    """
    wanted = set(KINDS if kinds is None else kinds)
    if unknown := wanted - set(KINDS):
        raise ConfigError(f"not a node kind: {', '.join(sorted(unknown))} (choose from {', '.join(KINDS)})")
    where = model_conditions(store, facets)
    given = {k: v for k, v in facets.items() if v is not None}
    graph = nx.MultiDiGraph(filters=given)
    if "model" in wanted:
        for model in model_nodes(store, where):
            graph.add_node(
                node_id("model", model.id), kind="model", **{a: getattr(model, a) for a in MODEL_ATTRS}
            )
    both_wanted = [EDGES.c.src_kind.in_(sorted(wanted)), EDGES.c.dst_kind.in_(sorted(wanted))]
    if given:
        selected = select(Model.id).where(*where).scalar_subquery()
        for side in ((EDGES.c.src_kind, EDGES.c.src_id), (EDGES.c.dst_kind, EDGES.c.dst_id)):
            anchored = and_(side[0] == "model", side[1].in_(selected))
            _add_edges(graph, edges(store, anchored, *both_wanted), only_known=False)
        # Edges that no model anchors (a provider's tasks, a Space's datasets) join nodes reached.
        unanchored = [EDGES.c.src_kind != "model", EDGES.c.dst_kind != "model"]
        _add_edges(graph, edges(store, *unanchored, *both_wanted), only_known=True)
    else:
        _add_edges(graph, edges(store, *both_wanted), only_known=False)
    for kind in sorted(wanted & ENTITY_ROWS.keys()):
        present = (
            None if not given else [split_node_id(n)[1] for n, k in graph.nodes(data="kind") if k == kind]
        )
        for row in entity_nodes(store, kind, present):
            attrs = {f.name: getattr(row, f.name) for f in fields(row)[1:]}
            graph.add_node(node_id(kind, row.id), kind=kind, **attrs)
    return graph


def _add_edges(graph: nx.MultiDiGraph, rows: Iterable[EdgeRow], *, only_known: bool) -> None:
    nodes = graph._node
    for edge in rows:
        src, dst = node_id(edge.src_kind, edge.src_id), node_id(edge.dst_kind, edge.dst_id)
        if only_known and (src not in nodes or dst not in nodes):
            continue
        for node, kind in ((src, edge.src_kind), (dst, edge.dst_kind)):
            if node not in nodes:
                graph.add_node(node, kind=_INTERNED.get(kind, kind))
        rel = _INTERNED.get(edge.rel, edge.rel)
        extra: dict[str, Any] = {"status": edge.status} if edge.status is not None else {}
        graph.add_edge(src, dst, key=rel, rel=rel, **extra)

"""The whole typed graph, or a filtered sub-graph, from the rows of the ``edges`` view and the entities."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import Any, Unpack

import networkx as nx
from sqlalchemy import and_, select

from catalog.errors import ConfigError
from catalog.queries.edges import EDGE_COLUMNS, EDGES
from catalog.queries.models import ModelFacets, model_conditions
from catalog.queries.nodes import ENTITY_ROWS, ModelNode, entity_nodes, model_columns
from catalog.queries.read import rows
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
    with _collector_paused():
        if "model" in wanted:
            attrs = ("kind", *MODEL_ATTRS)
            models = rows(store, select(*model_columns()).where(*where))
            graph.add_nodes_from(
                (node_id("model", row[0]), dict(zip(attrs, ("model", *row[1:])))) for row in models
            )
        both_wanted = (
            []
            if wanted == set(KINDS)
            else [EDGES.c.src_kind.in_(sorted(wanted)), EDGES.c.dst_kind.in_(sorted(wanted))]
        )
        if given:
            selected = select(Model.id).where(*where).scalar_subquery()
            for side in ((EDGES.c.src_kind, EDGES.c.src_id), (EDGES.c.dst_kind, EDGES.c.dst_id)):
                anchored = and_(side[0] == "model", side[1].in_(selected))
                _add_edges(graph, _edge_rows(store, anchored, *both_wanted), only_known=False)
            # Edges that no model anchors (a provider's tasks, a Space's datasets) join nodes reached.
            unanchored = [EDGES.c.src_kind != "model", EDGES.c.dst_kind != "model"]
            _add_edges(graph, _edge_rows(store, *unanchored, *both_wanted), only_known=True)
        else:
            _add_edges(graph, _edge_rows(store, *both_wanted), only_known=False)
        for kind in sorted(wanted & ENTITY_ROWS.keys()):
            present = (
                None if not given else [split_node_id(n)[1] for n, k in graph.nodes(data="kind") if k == kind]
            )
            for row in entity_nodes(store, kind, present):
                graph.add_node(
                    node_id(kind, row.id),
                    kind=kind,
                    **{f.name: getattr(row, f.name) for f in fields(row)[1:]},
                )
    return graph


@contextmanager
def _collector_paused() -> Iterator[None]:
    # A whole build makes tens of millions of containers that live as long as the graph and form no
    # cycles; the cyclic collector would walk them all again and again as they pile up (a quarter
    # of the build's CPU at 100,000 models). Freed ones still go by reference counting.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _edge_rows(store: Store, *where: Any) -> Iterable[tuple[str, str, str, str, str, str | None]]:
    # Plain rows, not EdgeRow: at the Hub's size, a row object per edge costs more than the read.
    return rows(store, select(*EDGE_COLUMNS).where(*where))  # type: ignore[return-value]


def _add_edges(
    graph: nx.MultiDiGraph, rows: Iterable[tuple[str, str, str, str, str, str | None]], *, only_known: bool
) -> None:
    nodes, add_node, add_edge, interned = graph._node, graph.add_node, graph.add_edge, _INTERNED
    for src_kind, src_id, rel, dst_kind, dst_id, status in rows:
        src, dst = f"{src_kind}:{src_id}", f"{dst_kind}:{dst_id}"  # node_id, inlined for millions of edges
        if src not in nodes:
            if only_known:
                continue
            add_node(src, kind=interned.get(src_kind, src_kind))
        if dst not in nodes:
            if only_known:
                continue
            add_node(dst, kind=interned.get(dst_kind, dst_kind))
        rel = interned.get(rel, rel)
        if status is None:
            add_edge(src, dst, rel, rel=rel)
        else:
            add_edge(src, dst, rel, rel=rel, status=status)

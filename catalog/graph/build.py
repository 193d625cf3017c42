"""The whole typed graph, or a filtered sub-graph, streamed from the ``edges`` view and entity tables."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx
from sqlalchemy import bindparam, text

from catalog.errors import ConfigError
from catalog.graph.lookup import chunks, require
from catalog.records import KINDS, RELS, Kind
from catalog.store import Store

__all__ = ["MODEL_ATTRS", "build_graph"]

#: Model attributes a user filters on, copied onto every ``model:`` node.
MODEL_ATTRS = (
    "author",
    "pipeline_tag",
    "library_name",
    "downloads",
    "likes",
    "trending_score",
    "num_parameters",
    "license",
)
# The other entity tables: their attributes, and the column named ``label`` on the node.
_ENTITY_SQL: dict[str, str] = {
    "task": "SELECT id, name AS label, modality, parent_id FROM tasks",
    "library": "SELECT id, label FROM libraries",
    "app": "SELECT id, label, main_task FROM apps",
    "provider": "SELECT id, label, hub_org FROM providers",
    "dataset": "SELECT id, author, downloads, likes FROM datasets WHERE deleted_at IS NULL",
    "space": "SELECT id, author, sdk, likes, runtime_stage, hardware FROM spaces WHERE deleted_at IS NULL",
}
_EDGES = "SELECT src_kind, src_id, rel, dst_kind, dst_id FROM edges"
ROWS_PER_FETCH = 20_000
# One shared string per rel and kind, so that millions of edges do not each hold a copy.
_INTERNED = {s: s for s in (*RELS, *KINDS)}


def _stream(store: Store, sql: str, params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    statement = text(sql)
    lists = [k for k, v in params.items() if isinstance(v, list)]
    if lists:
        statement = statement.bindparams(*[bindparam(k, expanding=True) for k in lists])
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=ROWS_PER_FETCH).execute(
            statement, params
        )
        for row in result:
            yield tuple(row)


def build_graph(
    store: Store,
    *,
    kinds: Iterable[Kind] | None = None,
    task: str | None = None,
    library: str | None = None,
    author: str | None = None,
    provider: str | None = None,
    min_downloads: int | None = None,
) -> nx.MultiDiGraph:
    """Return the knowledge graph, or the part of it around the live models that pass the filters.

    Nodes are ``kind:id`` with ``kind`` (and, for models, :data:`MODEL_ATTRS`; for other
    entities, the columns of their table); edges are the rows of the ``edges`` view, keyed and
    labelled by ``rel``. ``kinds`` keeps only nodes of those kinds (and edges between them). With
    a model filter, the graph holds the selected models, every edge touching one of them, and the
    edges among the nodes so reached; without, it holds every entity.

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
    for kind, value in (("task", task), ("library", library), ("author", author), ("provider", provider)):
        if value is not None:
            require(store, kind, value)  # type: ignore[arg-type]
    where, params = _model_filter(task, library, author, provider, min_downloads)
    filtered = bool(params)
    graph = nx.MultiDiGraph(filters={k: v for k, v in params.items()})
    kind_list = sorted(wanted)
    if "model" in wanted:
        for id, *values in _stream(
            store,
            f"SELECT m.id, {', '.join('m.' + a for a in MODEL_ATTRS)} FROM models m WHERE {where}",
            params,
        ):
            graph.add_node(f"model:{id}", kind="model", **dict(zip(MODEL_ATTRS, values)))
    if filtered:
        selected = f"SELECT m.id FROM models m WHERE {where}"
        for side in ("src", "dst"):
            sql = (
                f"{_EDGES} WHERE {side}_kind = 'model' "
                f"AND {side}_id IN ({selected}) AND src_kind IN :kinds AND dst_kind IN :kinds"
            )
            _add_edges(graph, _stream(store, sql, {**params, "kinds": kind_list}), only_known=False)
        # Edges that no model anchors (a provider's tasks, a Space's datasets) join nodes reached.
        sql = (
            f"{_EDGES} WHERE src_kind <> 'model' AND dst_kind <> 'model' "
            "AND src_kind IN :kinds AND dst_kind IN :kinds"
        )
        _add_edges(graph, _stream(store, sql, {"kinds": kind_list}), only_known=True)
    else:
        sql = f"{_EDGES} WHERE src_kind IN :kinds AND dst_kind IN :kinds"
        _add_edges(graph, _stream(store, sql, {"kinds": kind_list}), only_known=False)
    _add_entity_attrs(store, graph, wanted - {"model"}, add_all=not filtered)
    return graph


def _model_filter(
    task: str | None, library: str | None, author: str | None, provider: str | None, min_downloads: int | None
) -> tuple[str, dict[str, Any]]:
    clauses = ["m.deleted_at IS NULL"]
    params: dict[str, Any] = {}
    for column, name, value in (
        ("pipeline_tag", "task", task),
        ("library_name", "library", library),
        ("author", "author", author),
    ):
        if value is not None:
            clauses.append(f"m.{column} = :{name}")
            params[name] = value
    if provider is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM model_providers p WHERE p.model_id = m.id AND p.provider_id = :provider)"
        )
        params["provider"] = provider
    if min_downloads is not None:
        clauses.append("m.downloads >= :min_downloads")
        params["min_downloads"] = min_downloads
    return " AND ".join(clauses), params


def _add_edges(graph: nx.MultiDiGraph, rows: Iterable[tuple[Any, ...]], *, only_known: bool) -> None:
    nodes = graph._node
    for src_kind, src_id, rel, dst_kind, dst_id in rows:
        src, dst = f"{src_kind}:{src_id}", f"{dst_kind}:{dst_id}"
        if only_known and (src not in nodes or dst not in nodes):
            continue
        for node, kind in ((src, src_kind), (dst, dst_kind)):
            if node not in nodes:
                graph.add_node(node, kind=_INTERNED.get(kind, kind))
        rel = _INTERNED.get(rel, rel)
        graph.add_edge(src, dst, key=rel, rel=rel)


def _add_entity_attrs(store: Store, graph: nx.MultiDiGraph, kinds: set[str], *, add_all: bool) -> None:
    for kind in sorted(kinds & _ENTITY_SQL.keys()):
        if add_all:
            rows: Iterable[tuple[Any, ...]] = _stream(store, _ENTITY_SQL[kind], {})
            columns = _columns(store, kind)
        else:
            present = sorted(n.partition(":")[2] for n, k in graph.nodes(data="kind") if k == kind)
            columns = _columns(store, kind)
            rows = (
                row
                for chunk in chunks(present)
                for row in _stream(
                    store, f"SELECT * FROM ({_ENTITY_SQL[kind]}) e WHERE e.id IN :ids", {"ids": chunk}
                )
            )
        for id, *values in rows:
            graph.add_node(f"{kind}:{id}", kind=kind, **dict(zip(columns, values)))


def _columns(store: Store, kind: str) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(text(f"SELECT * FROM ({_ENTITY_SQL[kind]}) e WHERE 1 = 0")).keys())[1:]

"""Time the graph layer on a catalog crawled from MADE-UP Hub records, next to a bare networkx build.

The catalog is :mod:`hubgen`'s made-up snapshot (Hub-shaped records, 40 % with a base grown by
preferential attachment, 5 % with providers), crawled into the store by ``catalog.crawl`` through the
replay server, as ``catalog crawl --replay`` does (the SQLite file is kept in ``--work`` and reused).
Each question runs in a child process of its own (its time, CPU and peak memory are its own):

* the whole graph (``build_graph``) next to its floor, a bare ``networkx.MultiDiGraph`` built from the
  same ``edges`` rows read with a plain cursor;
* lineage PageRank;
* the faces graph from the faces summary, next to it recounted over every model (as before the
  summary), and the summary's own count, which each crawl runs as it finishes;
* the sub-graph of one provider and of one task (its top 50 models and their faces, the rest
  counted from the summary), each next to the whole sub-graph of every model (as before);
* text search (a substring of the id), p50 / p95 over 20 queries, cold then warm.

Run::

    .venv/bin/python benchmarks/bench_graph.py --models 1000000 [--db postgresql://...] [--only faces]

History (before 2026-12-01 this benchmark loaded its own rows straight into the tables, about 2.8
``edges`` rows a model, no tags): at 1,000,000 models on SQLite, whole build 43 s / 2.7 GiB (34.6 s /
2.66 GiB in a later run), faces graph 5-9 s, a provider's sub-graph 5.9 s, PageRank 5.8-7 s, text
search p95 781 ms; on PostgreSQL build 48 s / 2.6 GiB, faces 2.9 s, PageRank 3.6 s.

2026-12-01, 1,000,000 made-up models crawled (SQLite, revision 0007, a loaded machine): faces graph
from the summary 0.11 s, recounted 34 s (71-76 s before ``ix_models_faces``); the summary counted
again 19-32 s (57 s before the index); a provider's bounded sub-graph 0.54 s against 89 s for every
model's, a task's 0.25 s against 119 s.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import hubgen
from bench_store import db_bytes, scratch_schema
from measure import in_child, replay_server, table, warm_after_cold

__all__ = ["GRAPH_STAGES", "add_options", "crawl_into", "crawled", "run_graph_stages"]

PROVIDER = hubgen.PROVIDERS[0]
TASK = "text-to-image"
QUERIES = ["llama-8b", "qwen2-7b-instruct", "gguf", "mu-lab1", "-1234", "chat-9", "mistral-24b", "awq"]
QUERIES += ["bert-base", "phi3-mini-lora", "mu-ai", "whisper", "t5-small-ft", "clip", "-99", "dpo-1"]
QUERIES += ["gemma2-27b", "vit-large", "deberta", "zzz-nothing"]


def _store(url: str) -> Any:
    from catalog.store import Store

    return Store.open(url)


def _catalog(url: str) -> Any:
    # The notebook API (``Catalog``): the surface users call, whatever the modules behind it.
    from catalog import Catalog

    return Catalog.open(url)


def whole_graph(url: str) -> dict[str, Any]:
    """The whole knowledge graph (``Catalog.graph()``)."""
    graph = _catalog(url).graph()
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}


def bare_networkx(url: str) -> dict[str, Any]:
    """The floor of the whole build: the ``edges`` rows read with a plain cursor into a bare MultiDiGraph."""
    import networkx as nx

    store = _store(url)
    started = time.perf_counter()
    with store.engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr,unused-ignore]
        cursor.execute("SELECT src_kind, src_id, rel, dst_kind, dst_id FROM edges")
        rows = cursor.fetchall()
        cursor.close()
    fetched = time.perf_counter() - started
    graph = nx.MultiDiGraph()
    graph.add_edges_from((f"{sk}:{si}", f"{dk}:{di}", rel, {"rel": rel}) for sk, si, rel, dk, di in rows)
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "fetch_s": fetched,
        "build_s": time.perf_counter() - started - fetched,
    }


def pagerank(url: str) -> dict[str, Any]:
    """Lineage PageRank, weighted by downloads (``Catalog.influence()``: the ranking the crawl kept)."""
    return {"rows": len(_catalog(url).influence(limit=5))}


def pagerank_computed(url: str) -> dict[str, Any]:
    """The same PageRank computed from the links, as ``Catalog.influence()`` did before the crawl kept it."""
    from catalog.graph.influence import rank_links
    from catalog.queries.lineage import weighted_links

    return {"rows": len(rank_links(weighted_links(_store(url)), limit=5))}


def pagerank_engines(url: str) -> dict[str, Any]:
    """The same personalised PageRank over the lineage in each engine at hand, side by side.

    The lineage is read once (``fetch_s``); then the catalog's numpy power iteration, networkx
    (scipy), rustworkx and igraph each rank it; ``max_diff`` is the largest difference from numpy's.
    An engine that is not installed is noted, not timed.
    """
    import numpy as np

    from catalog.graph.influence import pagerank_arrays
    from catalog.store.summary import WEIGHTED_LINKS

    store = _store(url)
    started = time.perf_counter()
    with store.engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr,unused-ignore]
        cursor.execute(WEIGHTED_LINKS)
        links = cursor.fetchall()
        cursor.close()
    index: dict[str, int] = {}
    prior: list[float] = []
    src, dst = [], []
    for child, base, child_downloads, base_downloads in links:
        for id, d in ((child, child_downloads), (base, base_downloads)):
            if id not in index:
                index[id] = len(index)
                prior.append(d + 1.0)
        src.append(index[child])
        dst.append(index[base])
    figures: dict[str, Any] = {
        "fetch_s": time.perf_counter() - started,
        "nodes": len(index),
        "edges": len(src),
    }
    if not index:
        return figures
    p, s, d = np.array(prior), np.array(src), np.array(dst)
    started = time.perf_counter()
    reference = pagerank_arrays(s, d, p)
    figures["numpy_s"] = time.perf_counter() - started
    personal = dict(enumerate(prior))
    notes = []
    for engine, rank in (("networkx", _nx_rank), ("rustworkx", _rx_rank), ("igraph", _ig_rank)):
        try:
            started = time.perf_counter()
            ranks = rank(len(index), src, dst, personal)
            figures[f"{engine}_s"] = time.perf_counter() - started
            figures[f"{engine}_max_diff"] = float(np.abs(np.array(ranks) - reference).max())
        except ImportError as exc:
            notes.append(f"{engine} not installed ({exc.name})")
    timed = [
        f"{e} {figures[e + '_s']:.2f} s"
        for e in ("numpy", "networkx", "rustworkx", "igraph")
        if e + "_s" in figures
    ]
    figures["note"] = "; ".join(timed + notes)
    return figures


def _nx_rank(n: int, src: list[int], dst: list[int], personal: dict[int, float]) -> list[float]:
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(zip(src, dst))  # parallel links (a merge of one base twice) fold into one
    rank = nx.pagerank(graph, personalization=personal, dangling=personal, tol=1e-10)
    return [rank[i] for i in range(n)]


def _rx_rank(n: int, src: list[int], dst: list[int], personal: dict[int, float]) -> list[float]:
    import rustworkx as rx

    graph = rx.PyDiGraph(multigraph=False)
    graph.add_nodes_from(range(n))
    graph.extend_from_edge_list(list(zip(src, dst)))
    # rustworkx's default tolerance under-converges at this size (PERF_NOTES): 1e-10 matches networkx.
    rank = rx.pagerank(graph, personalization=personal, dangling=personal, tol=1e-10)
    return [rank[i] for i in range(n)]


def _ig_rank(n: int, src: list[int], dst: list[int], personal: dict[int, float]) -> list[float]:
    import igraph  # type: ignore[import-untyped]

    graph = igraph.Graph(n=n, edges=list(zip(src, dst)), directed=True)
    graph.simplify(multiple=True, loops=False)
    weights = [personal[i] for i in range(n)]
    return list(graph.personalized_pagerank(reset=weights, damping=0.85))


def faces(url: str) -> dict[str, Any]:
    """The faces graph (``Catalog.faces_graph()``), from the faces summary the crawl keeps."""
    graph = _catalog(url).faces_graph()
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}


def faces_recounted(url: str) -> dict[str, Any]:
    """The faces graph counted over every live model, as before the summary (``recount=True``)."""
    from catalog.graph.faces import build_faces_graph

    graph = build_faces_graph(_store(url), recount=True)
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}


def faces_refresh(url: str) -> dict[str, Any]:
    """Count the faces summary and rank the lineage again, as every crawl does as it finishes.

    Both, as the crawl: ``refresh_faces`` alone empties the kept ranking, and the stages after
    would compute it.
    """
    from catalog.graph.influence import keep_influence
    from catalog.store.summary import refresh_faces

    with _store(url).engine.begin() as conn:
        started = time.perf_counter()
        live = refresh_faces(conn)
        counted = time.perf_counter()
        bases = keep_influence(conn)
        ranked = time.perf_counter()
    note = f"{live:,} live models counted in {counted - started:.1f} s, {bases:,} bases ranked in {ranked - counted:.1f} s"
    return {"nodes": live, "note": note}


def provider_graph(url: str) -> dict[str, Any]:
    """One provider's top models and their faces, the rest counted (``Catalog.face_neighbourhood``)."""
    return _drawn(_catalog(url).face_neighbourhood("provider", PROVIDER), _more)


def provider_graph_whole(url: str) -> dict[str, Any]:
    """Every model of one provider and every edge touching one (``Catalog.graph(provider=...)``)."""
    return _drawn(_catalog(url).graph(provider=PROVIDER), lambda _: PROVIDER)


def task_graph(url: str) -> dict[str, Any]:
    """One task's top models and their faces, the rest counted (``Catalog.face_neighbourhood``)."""
    return _drawn(_catalog(url).face_neighbourhood("task", TASK), _more)


def task_graph_whole(url: str) -> dict[str, Any]:
    """Every model of one task and every edge touching one (``Catalog.graph(task=...)``)."""
    return _drawn(_catalog(url).graph(task=TASK), lambda _: TASK)


def _drawn(graph: Any, note: Callable[[Any], str]) -> dict[str, Any]:
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(), "note": note(graph)}


def _more(graph: Any) -> str:
    return f"{graph.graph['center']}: {graph.graph['models']:,} models, +{graph.graph['more']:,} not drawn"


def text_search(url: str) -> dict[str, Any]:
    """Text search (a substring of the id), first page by downloads (``Catalog.search``), 20 texts twice.

    The first pass reads from disk what the page cache lost to the stages before it (cold); the
    figures are the second pass's (warm, as a server that keeps serving finds them), the first
    pass's as ``cold_p50_ms`` / ``cold_p95_ms``.
    """
    catalog = _catalog(url)
    passes = []
    for _ in range(2):
        times = []
        for query in QUERIES:
            started = time.perf_counter()
            catalog.search(text=query)
            times.append(time.perf_counter() - started)
        passes.append(times)
    return warm_after_cold(passes[0], passes[1])


GRAPH_STAGES: list[tuple[str, Callable[[str], dict[str, Any]]]] = [
    ("graph: whole build", whole_graph),
    ("graph: PageRank over lineage", pagerank),
    ("graph: PageRank, computed (before)", pagerank_computed),
    ("graph: PageRank engines side by side", pagerank_engines),
    ("graph: faces summary, counted again", faces_refresh),
    ("graph: faces graph", faces),
    ("graph: faces graph, recounted (before)", faces_recounted),
    ("graph: provider sub-graph", provider_graph),
    ("graph: provider, every model (before)", provider_graph_whole),
    ("graph: task sub-graph", task_graph),
    ("graph: task, every model (before)", task_graph_whole),
    ("graph: text search", text_search),
]


def run_graph_stages(url: str, only: list[str] | None = None) -> list[dict[str, Any]]:
    """Run every graph question on ``url`` (or those whose name holds one of ``only``), each in a child.

    The whole build runs with its bare floor.
    """
    rows = []
    for name, fn in GRAPH_STAGES:
        if only and not any(word in name for word in only):
            continue
        figures = {"stage": name, **in_child(fn, url)}
        if fn is whole_graph:
            floor = in_child(bare_networkx, url)
            figures["floor_s"] = floor.get("wall_s")
            figures["floor_rss_mib"] = floor.get("peak_rss_mib")
            figures["floor"] = floor
            if floor.get("wall_s") and figures.get("wall_s"):
                figures["vs_floor"] = floor["wall_s"] / figures["wall_s"]  # 1.0: as fast as the floor
        rows.append(figures)
    return rows


def crawl_into(url: str, endpoint: str) -> dict[str, Any]:
    """Crawl the replay server at ``endpoint`` into ``url`` with ``catalog.crawl`` (the real client)."""
    from catalog.crawl import END_STEPS, CrawlProgress, crawl
    from catalog.hub import HubClient

    began: dict[str, float] = {}  # when each step of the run's end began

    def progress(event: CrawlProgress) -> None:
        if event.listing in END_STEPS:
            began[event.listing] = time.perf_counter()

    store = _store(url)
    summary = crawl(store, HubClient(endpoint, token=False), source="replay:bench", progress=progress)
    ended = time.perf_counter()
    store.close()  # as the CLI does: SQLite folds its write-ahead log into the file
    times = [*began.values(), ended]
    return {
        "mode": summary.mode,
        "records": sum(summary.records.values()),
        "pages": sum(summary.pages.values()),
        "rejects": summary.rejects,
        "crawl_s": summary.seconds,
        "records_per_s": sum(summary.records.values()) / summary.seconds,
        "end_steps_s": {step.removeprefix("end: "): b - a for step, a, b in zip(began, times, times[1:])},
    }


def add_options(parser: argparse.ArgumentParser) -> None:
    """Add the options of a benchmark over a crawled snapshot: its size and seed, where, which database."""
    parser.add_argument("--models", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench-hub")
    parser.add_argument(
        "--db", metavar="URL", help="PostgreSQL URL (a scratch schema); default SQLite in --work"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")


@contextmanager
def crawled(args: argparse.Namespace) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield the URL of the snapshot ``args`` names crawled into a database, and the load's row.

    The SQLite file in ``--work`` is crawled once and reused; a ``--db`` schema is crawled each
    time and dropped afterwards.
    """
    folder = args.work / f"snapshot-{args.models}-{args.seed}"
    snapshot, _ = hubgen.cached_snapshot(folder, args.models, seed=args.seed)
    drop = None
    if args.db:
        url, drop = scratch_schema(args.db)
    else:
        url = f"sqlite:///{args.work / f'graph-{args.models}-{args.seed}.db'}"
    try:
        loaded: dict[str, Any] = {"stage": "load (crawl)", "note": "reused"}
        if drop is not None or not Path(url.removeprefix("sqlite:///")).exists():
            with replay_server(snapshot.path) as (endpoint, _):
                loaded = {"stage": "load (crawl)", **in_child(crawl_into, url, endpoint)}
        loaded["db_mib"] = db_bytes(url) / 2**20
        yield url, loaded
    finally:
        if drop is not None:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    add_options(parser)
    parser.add_argument(
        "--only",
        metavar="WORD",
        action="append",
        help="run only the stages whose name holds WORD (repeatable)",
    )
    args = parser.parse_args()
    with crawled(args) as (url, loaded):
        rows = [loaded, *run_graph_stages(url, args.only)]
    print(table(rows, ["stage", "wall_s", "cpu_s", "peak_rss_mib", "floor_s", "vs_floor", "p95_ms", "nodes"]))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, default=str))


if __name__ == "__main__":
    main()

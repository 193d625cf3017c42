"""The whole pipeline at the Hub's size on MADE-UP records, each stage next to its floor in the same run.

``--models N`` made-up models (with a quarter as many datasets and 0.3x as many Spaces, as on the
Hub; :mod:`hubgen`, cached in ``--work``) go through every stage, on SQLite and, with ``--db``, on
PostgreSQL (scratch schemas, dropped afterwards). Each stage runs in a child process of its own and
reports its wall time, CPU time (that process alone) and peak RSS, the database size where it has
one, and its floor measured in the same run (``vs_floor`` = floor time / stage time: 1.0 is as fast
as the floor; the machine is shared, so read ratios, not rates):

==============================  =========================================================================
stage                           floor
==============================  =========================================================================
generate                        -
fetch + decode                  the floor of the crawl: every page of every listing through the real
                                client from the replay server (a child process, as a remote Hub), no store
naive crawler                   a ~150-line stdlib crawler into SQLite (the database size to beat, x1.2)
crawl                           ``catalog.crawl`` through the replay server and the real client, as
                                ``catalog crawl --replay`` does; vs fetch + decode
incremental crawl               the same after 1 model in 100 changed: pages read vs the full crawl's
store                           the crawler's write path over the normalised rows vs bare ``sqlite3``
                                ``executemany`` / PostgreSQL ``COPY`` of the same rows (bench_store)
graph: ...                      the whole build vs a bare networkx build of the same ``edges`` rows;
                                PageRank, faces graph, a provider's and a task's sub-graph, text search
export                          each format of ``catalog.export``, if present
map                             ``render_map`` into a folder
explorer                        the explorer's page latency, if ``catalog.web`` is present, cold
                                (the first pass) and warm (two passes after it)
==============================  =========================================================================

Run::

    .venv/bin/python benchmarks/bench_hub.py --models 200000 --db postgresql://postgres@127.0.0.1:5432/test

Measured 2026-12-01, 200,000 models (310,000 records), one run a backend, both at once on 2 cores
shared with other work (load ~10: wall times are several times CPU times; read the ratios);
naive crawler 891 MiB in an earlier run of the same snapshot; export and map skipped (the map took
over 15 min at 20,000 models)::

    stage                   SQLite                              PostgreSQL
    fetch + decode (floor)  76 s, 6.7 s CPU, 139 MiB            76 s, 6.6 s CPU
    crawl                   540 s, 82 s CPU, 366 MiB, 0.14x     437 s, 47 s CPU, 178 MiB, 0.17x
                            DB 1,018 MiB = 1.14x naive          DB 1,288 MiB
    incremental (1 % new)   6 pages = 1.9 % of 310              6 pages = 1.9 %
    store vs bare           358 vs 280 s = 0.78x (executemany)  258 vs 233 s = 0.90x (COPY)
    whole graph vs bare nx  118 vs 38 s, 1.24 vs 1.65 GiB       109 vs 81 s, 1.19 vs 1.81 GiB
    PageRank (lineage)      2.4 s (numpy 0.06 s; igraph 0.17,   4.8 s (numpy 0.18; igraph 0.52,
                            rustworkx 0.21, networkx 2.05)      rustworkx 0.53, networkx 6.57)
    faces / provider / task 9.4 / 17.7 / 17.5 s                 13.9 / 8.6 / 17.0 s
    text search p50 / p95   27 / 368 ms                         65 / 282 ms
    explorer p50 / p95      30 / 148 ms                         181 / 505 ms

The crawl at 100,000 models (155,000 records), 2026-12-01 13:00 UTC, load 7-9 on 2 cores, before
(main at 724a5ac) and after this branch's crawl changes (indexes deferred on PostgreSQL too, pages
waiting for the writer committed together, the search index filled in rowid order), each under
``tuned_interpreter`` as ``catalog crawl`` runs it; several runs each, in turns (bench_hub and
bench_crawl)::

    crawl                   SQLite                              PostgreSQL
    before: vs floor        0.16, 0.16, 0.16 (0.30 once: the    0.11, 0.18
                            floor ran slow)
    before: CPU, peak RSS   25.1-26.7 s, 348-355 MiB            13.2-13.5 s, 179 MiB
    after: vs floor         0.17, 0.17                          0.11, 0.11
    after: CPU, peak RSS    22.2-22.9 s, 391-398 MiB            12.6-13.2 s, 282-285 MiB
    DB vs naive (422 MiB)   504 MiB = 1.19x (before 505)        630 MiB (before 642)

Still 3x short of the 0.5x target on SQLite: the crawl spends ~23 s of CPU where fetch + decode
spends 2.5 s (SQLite's inserts and commits ~10 s, the indexes built at the end ~4 s, normalising
and batching ~8 s), and on a machine this loaded wall time follows CPU time.

2,000,000 models (3,100,000 records), SQLite only, 2026-12-01 13:32-14:00 UTC, naive crawler,
store, export, map and explorer skipped (``bench_export.py`` timed the exports on this database), 2
cores shared with a CI run. The crawl ran on the code before revision 0008; the later stages
stopped on the schema check and were run again (``bench_graph.run_graph_stages``) on the same
database once upgraded::

    fetch + decode (floor)  68.7 s, 38 s CPU, 141 MiB
    crawl                   746 s, 663 s CPU, 618 MiB, 0.09x; DB 10,601 MiB
    whole graph vs bare nx  197 vs 128 s = 1.54x the floor's time, 10.8 GiB peak (3.1M nodes)
    PageRank (lineage)      6.5 s (numpy 0.59 s)
    faces summary count     26 s (at the end of every crawl)
    faces / provider / task 0.06 / 0.17 / 0.08 s (recounting: 26 / 33 / 42 s)
    text search p95         143 ms

Again at 2,000,000 models, SQLite only, 2026-12-01 14:18-15:10 UTC, on a machine whose floor ran
1.8x slower (same skips; the crawl shared the 2 cores with a 1M crawl, a PostgreSQL COPY and
search benchmarks; the graph stages ran with the page cache shared with them)::

    fetch + decode (floor)  122 s, 71 s CPU, 143 MiB
    crawl                   1,492 s, 1,061 s CPU, 562 MiB, 0.08x; DB 10,618 MiB
    incremental (1 % new)   44 pages = 1.4 % of 3,100 (214 s, 97 s CPU)
    whole graph vs bare nx  336 vs 221 s = 1.52x the floor's time; 10.8 vs 15.0 GiB peak
    PageRank (lineage)      13.2 s (numpy 0.66 s)
    faces summary count     38 s of CPU (113 s wall)
    faces / provider / task 0.08 / 0.20 / 0.07 s (recounting: 221 / 151 / 59 s)
    text search p50 / p95   121 / 1,156 ms (0.8 s of CPU in 7.2 s: disk reads, the page cache
                            having gone to the graph build's 10.8 GiB)

2,000,000 models (3,100,000 records), 2026-12-02, each backend in a run of its own, naive crawler,
store, export and map skipped; PostgreSQL (05:08-05:53) on the code before the crawl's worker process,
with tests run beside its crawl; SQLite (06:02-06:48) on the code with it, the clean-clone CI run
beside its graph stages. PostgreSQL at its defaults (128 MB ``shared_buffers``); the databases
(13.8 and 10.6 GB) do not stay in the page cache once the graph build has taken 10.8 GiB::

    stage                   SQLite                              PostgreSQL
    fetch + decode (floor)  107 s, 78 s CPU, 145 MiB            124 s, 83 s CPU, 143 MiB
    crawl                   1,079 s, 1,220 s CPU (287 s in the  1,307 s, 431 s CPU, 419 MiB, 0.10x;
                            worker), 582 + 242 MiB, 0.10x;      DB 13,836 MiB
                            DB 10,618 MiB
    incremental (1 % new)   35 pages = 1.1 % of 3,100 (122 s)   36 pages = 1.2 % (126 s)
    whole graph vs bare nx  418 vs 276 s = 1.51x; 10.8 vs 15.0  272 vs 193 s = 1.41x; 10.8 vs 17.1
                            GiB peak                            GiB peak
    PageRank (lineage)      19.0 s (11.4 s CPU; numpy 0.88 s)   63.5 s (7.0 s CPU: reading the links
                                                                from disk; numpy 0.75 s)
    faces / provider / task 0.07 / 0.38 / 0.94 s (recounting:   0.11 / 7.2 / 0.42 s (recounting: 24 /
                            234 / 118 / 125 s)                  143 / 283 s)
    faces summary count     85 s (41 s CPU)                     54 s (12 s CPU)
    text search p50 / p95   169 / 3,043 ms (20 texts, cold)     47 / 7,850 ms (20 texts, cold)
    explorer p50 / p95      21 / 173 ms (39 requests)           28 / 2,806 ms (39 requests)

2,000,000 models again, SQLite only, 2026-12-02 07:58-08:38 UTC, nothing else running (same skips),
with text search and the explorer read cold, then warm (the first pass is cold: the graph build
before them has taken the page cache)::

    fetch + decode (floor)  111 s, 81 s CPU, 144 MiB
    crawl                   1,068 s, 1,175 s CPU, 567 MiB (+ the worker), 0.10x; DB 10,618 MiB
    incremental (1 % new)   35 pages = 1.1 % of 3,100 (108 s)
    whole graph vs bare nx  328 vs 213 s = 1.54x; 10.8 GiB peak
    PageRank (lineage)      17.0 s (15.2 s CPU; with the page cache dropped first 11.9-17.1 s; numpy
                            0.75 s, rustworkx 2.15 s, igraph 3.87 s, networkx 11.8 s)
    faces / provider / task 0.26 / 0.64 / 0.14 s (recounting: 95 / 74 / 86 s)
    text search p50 / p95   warm 11 / 46 ms; cold 34 / 830 ms (20 texts each)
    explorer p50 / p95      warm 21 / 159 ms (26 requests); cold 26 / 283 ms (13)

Reading the children's links in key order (``ORDER BY model_id``, so that each child's row is
looked up next to the one before) was tried for PageRank and made it slower: 14.0-39.0 s against
11.9-17.1 s with the page cache dropped, since SQLite then scans the link table itself, not its
smaller index.

2,000,000 models again, SQLite only, 2026-12-02 15:47-16:30 UTC (same skips). The crawl ran on the
code of that morning (with ``cardData`` still in ``raw``) beside 100k test crawls; the graph stages
ran after it on the code with the graph build on plain rows and the collector paused
(``bench_graph.run_graph_stages``), nothing else running; the PageRank stages once more after the
database was upgraded to revision 0011 (``lineage_influence``), page cache warm::

    fetch + decode (floor)  112 s, 80 s CPU, 145 MiB
    crawl                   1,124 s, 1,080 s CPU, 568 MiB, 0.10x; DB 10,618 MiB
    incremental (1 % new)   30 pages = 1.0 % of 3,100 (142 s)
    whole graph vs bare nx  200 vs 175 s = 1.14x (before: 1.51-1.54x); 10.8 vs 15.0 GiB peak
    PageRank (lineage)      0.05 s read from lineage_influence (ranked at the crawl's end in 16 s);
                            computed 12.1 s after the graph build took the page cache, 8.7 s warm
                            (numpy 0.53 s; igraph 1.03, rustworkx 1.74, networkx 8.24 s)
    faces / provider / task 0.06 / 0.22 / 0.09 s (recounting: 57 / 102 / 70 s)
    faces summary count     37 s (35 s CPU)
    text search p50 / p95   warm 9 / 50 ms; cold 63 / 1,010 ms (20 texts each)

2,000,000 models on PostgreSQL, 2026-12-02 16:47-17:25 UTC, on the code of revision 0011 (cardData in
``card_data`` alone, the graph build on plain rows, the ranking kept), same skips, tests run beside
the crawl; PostgreSQL at its defaults. The last three lines were measured again on the kept schema
(``--keep``) right after, warm::

    fetch + decode (floor)  105 s, 76 s CPU, 147 MiB
    crawl                   1,039 s, 529 s CPU, 763 MiB, 0.10x; DB 13,577 MiB (before 13,836)
    incremental (1 % new)   29 pages = 0.9 % of 3,100 (108 s)
    whole graph vs bare nx  166 vs 165 s = 1.01x (before 1.41x); 10.8 GiB peak
    PageRank (lineage)      0.15 s read (computed: 40 s, 10 s CPU, reading the links from disk)
    faces / provider / task 0.10 / 2.87 / 1.01 s cold (recounting: 24 / 109 / 219 s)
    text search p50 / p95   warm 10 / 187 ms; cold 25 / 10,224 ms (20 texts each)
    explorer p50 / p95      warm 25 / 187 ms (26 requests); cold 50 / 3,080 ms (13)
    summary at a crawl's end  faces counted in 32.9 s, 425,077 bases ranked in 23.5 s
    PageRank, again         0.13 s read
    provider sub-graph      0.24 s warm

2,000,000 models, SQLite only, 2026-12-03, nothing else running (same skips), first on the code
where a first crawl stages its rows (65ea11e, its end in one transaction), then with the end's
merges and indexes committed one at a time (e8041fa); the run's end is timed step by step::

    fetch + decode (floor)  123 s (first run), 87 s, 64 s CPU, 144 MiB (second run)
    crawl, one transaction  1,054 s, 1,282 s CPU, 885 MiB, 0.12x; its end 693 s: merging 296 s,
                            indexes 315 s, faces 25 s, ranking 57 s (11 GB in the write-ahead log)
    crawl, one at a time    558 s, 730 s CPU (197 s in the worker), 872 + 228 MiB, 0.16x; DB 10,430
                            MiB; its end 322 s: merging 180 s, indexes 105 s, faces 22 s, ranking 16 s
    incremental (1 % new)   23 pages = 0.7 % of 3,100 (89 s)
    whole graph vs bare nx  140 vs 148 s = 0.95x the floor's time; 10.8 GiB peak
    PageRank (lineage)      0.10 s read (computed 9.2 s; numpy 0.45 s)
    faces / provider / task 0.08 / 0.21 / 0.09 s (recounting: 25 / 41 / 51 s)
    text search p50 / p95   warm 7 / 24 ms; cold 11 / 56 ms (20 texts each; before: 9 / 50, 63 / 1,010)
    explorer p50 / p95      warm 11 / 86 ms (26 requests); cold 19 / 183 ms (13)

The cold search p95 fell from about a second to 56 ms, most likely because the rows now lie in
key order (the staged rows go in sorted): a cold read finds its neighbours on pages just read.

On PostgreSQL (2026-12-03, same code as the second run, its defaults; stopped after the
incremental crawl), staging gains little: ``COPY`` into the staging tables is quick, but the merge
into the keyed tables takes longer than on SQLite::

    fetch + decode (floor)  87 s, 64 s CPU, 144 MiB
    crawl                   986 s (was 1,039), 457 s CPU, 752 MiB, 0.09x; DB 12,556 MiB; its end
                            662 s: merging 439 s, indexes 175 s, faces 23 s, ranking 25 s
    incremental (1 % new)   23 pages = 0.7 % of 3,100 (79 s)

``--json FILE`` also writes every figure; ``--backends sqlite`` skips PostgreSQL even with ``--db``;
``--keep`` leaves the crawled PostgreSQL schemas in place (the SQLite files stay in ``--work``), to
run stages on them again (``bench_graph.run_graph_stages(url)``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hubgen
import naive_crawler
from bench_graph import crawl_into, run_graph_stages
from bench_store import db_bytes, load_race, scratch_schema
from measure import baseline_rss_mib, in_child, replay_server, table, warm_after_cold

from catalog.hub.snapshot import Snapshot

__all__ = ["STAGES", "main"]

#: Every stage a run reports, in order (a stage that cannot run says why in ``note``).
STAGES = (
    "generate",
    "fetch + decode",
    "naive crawler",
    "crawl",
    "incremental crawl",
    "store",
    "graph: whole build",
    "graph: PageRank over lineage",
    "graph: PageRank engines side by side",
    "graph: faces graph",
    "graph: provider sub-graph",
    "graph: task sub-graph",
    "graph: text search",
    "export",
    "map",
    "explorer",
)
COLUMNS = ["stage", "backend", "wall_s", "cpu_s", "peak_rss_mib", "db_mib", "floor_s", "vs_floor", "note"]


def generate(folder: Path, models: int, seed: int) -> dict[str, Any]:
    """Write (or find cached) the made-up snapshot; return its counts and size."""
    snapshot, seconds = hubgen.cached_snapshot(folder, models, seed=seed)
    counts = snapshot.manifest.get("counts", {})
    size = sum(p.stat().st_size for p in snapshot.path.iterdir() if p.is_file())
    return {
        "records": sum(counts.values()),
        "snapshot_mib": size / 2**20,
        "note": "cached" if not seconds else "",
    }


def fetch_decode(endpoint: str) -> dict[str, Any]:
    """The crawl's floor: read and decode every page of every listing with the real client, store nothing."""
    from catalog.hub import HubClient
    from catalog.hub.snapshot import REPO_KINDS

    client = HubClient(endpoint, token=False)
    records = pages = 0
    for kind in REPO_KINDS:
        for page in client.list_pages(kind):
            records += len(page.records)
            pages += 1
    return {"records": records, "pages": pages}


def crawl_as_cli(url: str, endpoint: str) -> dict[str, Any]:
    """``crawl_into`` under :func:`~catalog.crawl.tuned_interpreter`, as ``catalog crawl`` runs a crawl."""
    from catalog.crawl import tuned_interpreter

    with tuned_interpreter():
        return crawl_into(url, endpoint)


def write_changed(base: Path, folder: Path) -> dict[str, Any]:
    """Write the snapshot of the next crawl: a copy of ``base`` with one model in 100 changed."""
    _, changed = hubgen.changed_snapshot(Snapshot.open(base), folder)
    return {"changed": changed}


def naive(endpoint: str, path: str) -> dict[str, Any]:
    """The naive stdlib crawler into a new SQLite file."""
    counts = naive_crawler.crawl(endpoint, path)
    return {"records": counts["models"] + counts["datasets"] + counts["spaces"]}


def store_race(snapshot: Path, store_url: str, floor_url: str) -> dict[str, Any]:
    """bench_store's race: the store path and the bare floor over the same normalised rows."""
    return load_race(Snapshot.open(snapshot), store_url, floor_url)


def export(url: str, out: Path) -> dict[str, Any]:
    """Every format of ``catalog.export`` into ``out`` (skipped with a note while it is absent)."""
    try:
        import catalog.export as exporting
    except ImportError as exc:
        return {"note": f"skipped: catalog.export not importable ({exc})"}
    from catalog.store import Store

    formats: dict[str, Callable[..., Any]] | None = getattr(exporting, "EXPORTERS", None)
    if not formats:
        return {"note": "skipped: catalog.export has no EXPORTERS table yet"}
    store, done = Store.open(url), {}
    for name, function in formats.items():
        started = time.perf_counter()
        function(store, out / name)
        done[name] = round(time.perf_counter() - started, 2)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "formats": done,
        "out_mib": size / 2**20,
        "note": ", ".join(f"{k} {v} s" for k, v in done.items()),
    }


def render(url: str, out: Path, families: int = 20) -> dict[str, Any]:
    """``render_map`` of the catalog into ``out`` (with ``families`` lineage trees, 20 as the CLI draws)."""
    from catalog.render import render_map
    from catalog.store import Store

    render_map(Store.open(url), out, families=families)
    files = [p for p in out.rglob("*.html")]
    size = sum(p.stat().st_size for p in files) / 2**20
    return {
        "pages": len(files),
        "out_mib": size,
        "note": f"{len(files)} pages, {size:,.0f} MiB, {families} families",
    }


def explorer(url: str, models: int) -> dict[str, Any]:
    """The explorer's latency: its pages and API served by uvicorn on 127.0.0.1, read over HTTP.

    Every path is read three times: the first pass cold (``cold_p50_ms`` / ``cold_p95_ms``), the
    figures over the two after it.
    """
    try:
        from catalog.web.app import create_app
    except ImportError as exc:
        return {"note": f"skipped: catalog.web not importable ({exc})"}
    import socket
    import threading
    import urllib.request
    from urllib.parse import quote

    import uvicorn

    from catalog.store import Store

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(Store.open(url)), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    ids = [quote(hubgen.model_id(i, models), safe="/") for i in (0, 1, models // 2, models - 1)]
    paths = ["/", "/search?q=llama-8b", "/search?task=text-generation", "/api/search?q=qwen2&limit=20"]
    paths += ["/api/suggest?q=mu-la"] + [f"/models/{i}" for i in ids] + [f"/api/models/{i}" for i in ids]
    passes: list[list[float]] = []
    failed = []
    try:
        for _ in range(3):
            passes.append([])
            for path in paths:
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
                        response.read()
                except OSError as exc:
                    failed.append(f"{path}: {exc}")
                passes[-1].append(time.perf_counter() - started)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    # The first pass reads what the stages before took from the page cache; the next two, warm.
    figures = warm_after_cold(passes[0], passes[1] + passes[2])
    if failed:
        figures["error"] = f"{len(failed)} requests failed, e.g. {failed[0]}"
    return figures


def _backends(args: argparse.Namespace, work: Path) -> list[tuple[str, Callable[[str], tuple[str, Any]]]]:
    """Return each backend with a function making a fresh database URL (and what drops it)."""

    def sqlite(name: str) -> tuple[str, Any]:
        path = work / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", None

    backends: list[tuple[str, Callable[[str], tuple[str, Any]]]] = []
    if "sqlite" in args.backends:
        backends.append(("sqlite", sqlite))
    if args.db and "postgresql" in args.backends:
        backends.append(("postgresql", lambda _name: scratch_schema(args.db)))
    return backends


def _with_floor(row: dict[str, Any], floor: dict[str, Any], *, time_key: str = "wall_s") -> dict[str, Any]:
    if floor.get("wall_s") and row.get(time_key):
        row["floor_s"] = floor["wall_s"]
        row["vs_floor"] = floor["wall_s"] / row[time_key]
    return row


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run every stage; return one row of figures per stage and backend."""
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    folder = work / f"snapshot-{args.models}-{args.seed}"
    rows = _Rows(args.json)
    rows.append({"stage": "generate", **in_child(generate, folder, args.models, args.seed)})
    skip = set(args.skip.split(","))
    drops: list[Any] = []
    per_backend: dict[str, str] = {}
    try:
        with replay_server(folder) as (endpoint, indexed):
            floor = {"stage": "fetch + decode", **in_child(fetch_decode, endpoint)}
            floor["note"] = (
                f"{floor.get('records', 0) / floor.get('wall_s', 1):,.0f} records/s; server indexed in {indexed:.1f} s"
            )
            rows.append(floor)
            naive_path = work / "naive.db"
            naive_path.unlink(missing_ok=True)
            plain: dict[str, Any] = {"stage": "naive crawler", "backend": "sqlite", "note": "skipped: --skip"}
            if "naive crawler" not in skip:
                plain |= {"note": None, **in_child(naive, endpoint, str(naive_path))}
                plain["db_mib"] = naive_path.stat().st_size / 2**20 if naive_path.exists() else None
            rows.append(_with_floor(plain, floor))
            for backend, fresh in _backends(args, work):
                url, drop = fresh("crawl")
                if not args.keep:
                    drops.append(drop)
                per_backend[backend] = url
                row = {"stage": "crawl", "backend": backend, **in_child(crawl_as_cli, url, endpoint)}
                row["db_mib"] = db_bytes(url) / 2**20
                size = (
                    f"; DB {row['db_mib'] / plain['db_mib']:.2f}x the naive crawler's"
                    if plain.get("db_mib")
                    else ""
                )
                end = ", ".join(f"{step} {s:,.0f} s" for step, s in row.get("end_steps_s", {}).items())
                row["note"] = f"{row.get('records_per_s', 0):,.0f} records/s{size}; its end: {end}"
                rows.append(_with_floor(row, floor))
        changed = in_child(write_changed, folder, work / "snapshot-changed")
        n_changed = changed.get("changed", 0)
        with replay_server(work / "snapshot-changed") as (endpoint, _):
            full_pages = next((r.get("pages") for r in rows if r["stage"] == "crawl"), None)
            for backend, url in per_backend.items():
                row = {
                    "stage": "incremental crawl",
                    "backend": backend,
                    **in_child(crawl_as_cli, url, endpoint),
                }
                if full_pages:
                    row["note"] = (
                        f"{row.get('mode')}: {n_changed:,} models changed; read {row.get('pages')} pages, "
                        f"{row.get('pages', 0) / full_pages:.1%} of the full crawl's {full_pages}"
                    )
                rows.append(row)
        for backend, fresh in _backends(args, work):
            if "store" in skip:
                rows.append({"stage": "store", "backend": backend, "note": "skipped: --skip"})
                continue
            (store_url, drop_a), (floor_url, drop_b) = fresh("store"), fresh("floor")
            drops += [drop_a, drop_b]
            race = in_child(store_race, folder, store_url, floor_url)
            row = {
                "stage": "store",
                "backend": backend,
                "race": race,
                "peak_rss_mib": race.get("peak_rss_mib"),
            }
            if race.get("store_s"):
                row |= {"wall_s": race["store_s"], "cpu_s": race["store_cpu_s"], "floor_s": race["floor_s"]}
                row |= {"vs_floor": race["vs_floor"], "db_mib": race["store_bytes"] / 2**20}
                row["note"] = (
                    f"{race['rows']:,} rows; normalising {race['normalise_us_a_record']:.0f} us a record "
                    f"(not counted); floor DB {race['floor_bytes'] / 2**20:,.0f} MiB"
                )
            else:
                row["error"] = race.get("error")
            rows.append(row)
        for backend, url in per_backend.items():
            for row in run_graph_stages(url):
                rows.append({"backend": backend, **row})
            for stage, fn, extra in (
                ("export", export, (work / f"export-{backend}",)),
                ("map", render, (work / f"map-{backend}", args.map_families)),
                ("explorer", explorer, (args.models,)),
            ):
                if stage in skip:
                    rows.append({"stage": stage, "backend": backend, "note": "skipped: --skip"})
                    continue
                if isinstance(extra[0], Path):
                    shutil.rmtree(extra[0], ignore_errors=True)
                figures = in_child(fn, url, *extra, timeout=args.stage_timeout)
                rows.append({"stage": stage, "backend": backend, **figures})
    finally:
        for drop in drops:
            if drop is not None:
                drop()
        if args.keep:  # said even when a stage failed: the schemas are there to be looked at
            for backend, url in per_backend.items():
                print(f"bench_hub: kept the {backend} crawl at {url}", flush=True)
    return list(rows)


class _Rows(list[dict[str, Any]]):
    """The rows of a run, each printed (and the JSON rewritten) as soon as its stage ends."""

    def __init__(self, json_path: str | None) -> None:
        super().__init__()
        self.json_path = json_path
        print(table([], COLUMNS), flush=True)

    def append(self, row: dict[str, Any]) -> None:
        if row.get("error"):
            row["note"] = f"ERROR {row['error']}"
        if "p95_ms" in row and not row.get("note"):
            row["note"] = f"p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms"
        super().append(row)
        print(table([row], COLUMNS).splitlines()[-1], flush=True)
        if self.json_path:
            Path(self.json_path).write_text(json.dumps({"rows": list(self)}, indent=2, default=str))


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    """Run the benchmark as the command line asks; print the table; return the rows."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--models", type=int, default=200_000, help="made-up models (default 200,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--db", metavar="URL", help="a PostgreSQL database to run on as well (scratch schemas)"
    )
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "bench-hub"), help="cache folder")
    parser.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated stages to report as skipped (naive crawler, store, export, map, explorer)",
    )
    parser.add_argument(
        "--map-families", type=int, default=20, help="lineage trees the map draws (default 20)"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the crawled PostgreSQL schemas (their URLs printed), to run stages on them again",
    )
    parser.add_argument(
        "--stage-timeout", type=float, default=7200, help="seconds a stage may take (default 7200)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = run(args)
    print(
        f"bench_hub: {args.models:,} MADE-UP models, {time.perf_counter() - started:.0f} s in all, "
        f"parent RSS {baseline_rss_mib():.0f} MiB (each child starts from it)"
    )
    print(table(rows, COLUMNS))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"models": args.models, "made_up": True, "rows": rows}, indent=2, default=str)
        )
    return rows


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

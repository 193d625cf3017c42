"""Time the explorer (``catalog web``) on a catalog crawled from MADE-UP Hub records, over loopback.

The catalog is :mod:`hubgen`'s made-up snapshot crawled into the store as ``bench_graph.py`` does
(the SQLite file is kept in ``--work`` and reused; ``--db`` takes a PostgreSQL URL, a scratch
schema). The explorer runs as ``catalog web`` in a process of its own; every figure is the
server's own time for a request (its ``Server-Timing`` header), p50 / p95 over the requests:

* the page of the largest family's root (the model with the most descendants);
* pages of random models;
* the page of the task with the most models;
* search by part of an id (8 to 12 characters cut from random ids, any case), by downloads;

then requests per second with 8 concurrent keep-alive clients on random model pages, and the
server's resident memory over ``--requests`` requests (10,000 by default).

Run::

    .venv/bin/python benchmarks/bench_web.py --models 1000000 [--db postgresql://...]
    .venv/bin/python benchmarks/bench_web.py --url postgresql://...  # a catalog already loaded

Targets (issue 11): model page p95 < 150 ms, search p95 < 100 ms, memory flat over 10,000 requests.

Measured 2026-12-01 on PostgreSQL at 1,000,000 made-up models (copied from the crawled SQLite
file by ``pg_copy.py``), on a shared, loaded 2-core machine: the largest family's root p50 / p95
85 / 126 ms, random model pages 56 / 99 ms, the search page (50 rows) 28 / 121 ms, the search API
(20 rows) 11 / 81 ms, 61 requests/s with 8 clients, RSS 214-216 MiB over 10,000 requests, the task
page 43 / 76 ms. At 200,000 before (one connection, a server-side cursor and a ping per list of a
model page) model pages were 181 / 505 ms. On SQLite at 1,000,000 (4,000 requests): the root
24 / 39 ms, model pages 18 / 32 ms, the search page 49 / 253 ms, the API 27 / 108 ms, 134
requests/s, RSS 313, 707, 707 MiB.

Later, on a machine whose disk read 40 MB/s uncached (the databases' pages partly in its cache),
after the search's walk among the text's matches (SQLite) and revision 0009 (PostgreSQL), 4,000
requests: SQLite root 20 / 24 ms, model pages 12 / 20, the search page 20 / 136 (its slowest
pages fetched rows from disk; the API, asked the same texts after it, 12 / 47), 72 requests/s,
RSS 291, 627, 627 MiB (10,000 requests in another run: 296, 636, 636, 636, 636, 636);
PostgreSQL root 30 / 47, model pages 63 / 411, the search page 32 / 302, the API 12 / 34, 56
requests/s, RSS 217, 218, 218 MiB. The first pass of each is bound by the disk, the second not.

Again 2026-12-01 on a fresh, otherwise idle machine (both 1M catalogs in the page cache). The
search's tail was its plans, not the disk: PostgreSQL planned every streamed read for a cursor's
first tenth of rows (now ``cursor_tuple_fraction`` 1.0), and SQLite walked the sort's index among
500-1,000 long-tail matches (now fetched and sorted under 2,000). SQLite, 10,000 requests, before
-> after: the root 30 / 34 -> 25 / 29 ms, model pages 17 / 22 -> 22 / 31, the search page
30 / 91 -> 28 / 68, the API 19 / 67 -> 14 / 35, 41 -> 45 requests/s, RSS 304, 638, 639, 639,
640, 640 MiB. PostgreSQL (default 128 MB shared_buffers), before -> after the cursor setting:
the root 61 / 72 -> 63 / 95, model pages 47 / 68 -> 40 / 61, the search page 35 / 186 ->
27 / 102, the API 24 / 72 -> 24 / 77, RSS 237-238 -> 225-227 MiB over 10,000 requests. With 4 GB
of shared_buffers and ``models`` prewarmed (``pg_prewarm``), the search page 31 / 97. With the
strpos test first as well, on the default buffers just after a server restart (every heap page
read from the OS again), 37 / 128, model pages 42 / 64. Left: text with ~4,000 matches walks the
downloads index past 16,000 heap rows for a page of 50 (60-100 ms). A last run, after a
``VACUUM (ANALYZE)`` had resampled ``models`` and churned the buffers: the search page 27 / 227
(the slowest texts asked again in-process, 91-108 ms), model pages 41 / 59.

PostgreSQL again, 2026-12-01 evening, a new machine (1M catalog copied by ``pg_copy.py``), after
revision 0010 (walks read the page's ids from ``ix_models_live_<sort>_id`` alone; 10,000 joined
ids sampled). The GIN index's pending list held 3,207 ids from the COPY until a ``VACUUM``
(a full crawl now ends with one, and so does ``pg_copy.py``). 10,000 requests, default 128 MB shared_buffers: the root
60 / 92, model pages 41 / 64, the search page 36 / 119, the API 19 / 34, 38 requests/s, RSS
205-206 MiB flat. Just after a server restart (4,000 requests): the search page 51 / 186, the
API 23 / 42. With 4 GB of shared_buffers, ``models`` and its indexes prewarmed: the root 58 / 69,
model pages 41 / 64, the search page 25 / 44, the API 18 / 31, 39 requests/s. The search page is
the first pass over its 100 texts: on 128 MB its GIN and heap pages come from the OS (~25 us a
block here), the API's pass after it finds them in the buffers.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench_graph import add_options, crawled
from measure import percentiles, table

__all__ = ["measure_explorer"]

CLIENTS = 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class _Client:
    """One keep-alive HTTP connection to the explorer; ``get`` returns (status, server ms)."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, path: str) -> tuple[int, float]:
        try:
            self.connection.request("GET", path)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # uvicorn closes a connection idle for 5 s: open another and ask again.
            self.connection.close()
            self.connection.request("GET", path)
            response = self.connection.getresponse()
        response.read()
        timing = response.getheader("Server-Timing") or "app;dur=nan"
        return response.status, float(timing.rpartition("dur=")[2])


def _samples(url: str, n: int, seed: int) -> dict[str, Any]:
    """Pick what to ask for: the largest family's root, random model ids, the biggest task."""
    from sqlalchemy import func, select

    from catalog.graph.lineage import largest_families
    from catalog.queries.read import read
    from catalog.schema import Model
    from catalog.store import Store

    with Store.open(url) as store:
        root = largest_families(store, 1)[0]
        total = next(read(store, select(func.count()).select_from(Model), int))
        rng = random.Random(seed)
        offsets = sorted(rng.randrange(total) for _ in range(n))
        ids = [
            next(read(store, select(Model.id).order_by(Model.id).offset(o).limit(1), str))
            for o in offsets[:200]
        ]
        task = next(
            read(
                store,
                select(Model.pipeline_tag)
                .where(Model.pipeline_tag.is_not(None))
                .group_by(Model.pipeline_tag)
                .order_by(func.count().desc())
                .limit(1),
                str,
            )
        )
    return {"root": root, "ids": ids, "task": task, "models": total}


def _page(kind: str, id: str) -> str:
    from catalog.render.links import web_url

    return web_url(kind, id)


def measure_explorer(
    url: str, *, seed: int = 0, requests: int = 10_000, map_timeout: float = 900
) -> list[dict[str, Any]]:
    """Serve ``url`` with ``catalog web`` and return the figures of every stage."""
    picked = _samples(url, 200, seed)
    rng = random.Random(seed + 1)
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from catalog.cli import main; main()",
            "web",
            "--db",
            url,
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    rows: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                client = _Client(port)
                client.get("/static/explorer.css")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("catalog web did not start") from None
                time.sleep(0.2)

        def stage(name: str, paths: list[str]) -> None:
            times, statuses = [], set()
            try:
                for path in paths:
                    status, ms = client.get(path)
                    statuses.add(status)
                    times.append(ms / 1000)
            except TimeoutError:  # one stage that hangs (waiting on the faces graph) stops alone
                client.connection.close()
                rows.append({"stage": name, "status": "no answer within 120 s"})
                return
            rows.append({"stage": name, "n": len(paths), "status": sorted(statuses), **percentiles(times)})

        root, size = picked["root"]
        stage(f"largest family's root ({size:,} descendants)", [_page("model", root)] * 20)
        stage("random model pages", [_page("model", i) for i in picked["ids"]])
        queries = []
        for model in picked["ids"][:100]:
            name = model.rpartition("/")[2] or model
            length = rng.randint(8, 12)
            start = rng.randrange(max(1, len(name) - length + 1))
            text = name[start : start + length]
            queries.append(text.upper() if rng.random() < 0.3 else text)
        stage("search by part of an id", ["/search?q=" + urllib.parse.quote(q) for q in queries])
        stage("search API by part of an id", ["/api/search?q=" + urllib.parse.quote(q) for q in queries])

        # Throughput: 8 clients, each on its own connection, random model pages for 10 s.
        paths = [_page("model", i) for i in picked["ids"]]
        counts = [0] * CLIENTS
        stop = time.monotonic() + 10

        def hammer(index: int) -> None:
            own = _Client(port)
            local = random.Random(index)
            while time.monotonic() < stop:
                own.get(local.choice(paths))
                counts[index] += 1

        threads = [threading.Thread(target=hammer, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        rows.append({"stage": f"throughput, {CLIENTS} clients, model pages", "req_per_s": sum(counts) / 10})

        # Memory: resident size of the server every 2,000 requests of mixed pages.
        mixed = paths + ["/api/search?q=" + urllib.parse.quote(q) for q in queries]
        memory = [round(_rss_mib(server.pid), 1)]
        for i in range(requests):
            client.get(mixed[i % len(mixed)])
            if (i + 1) % 2000 == 0:
                memory.append(round(_rss_mib(server.pid), 1))
        rows.append({"stage": f"server RSS MiB every 2,000 of {requests:,} requests", "rss_mib": memory})
        # Late: a task page, whose figures come from the faces graph (computed once, on first use).
        stage(f"task page ({picked['task']})", [_page("task", picked["task"])] * 20)
        # Last: the map, whose first request computes the faces graph (then cached). At 1M models
        # that took over 9 minutes on this machine, its queries reading 45 GB (graph/faces, not the
        # explorer's own): --map-timeout bounds the wait.
        started = time.perf_counter()
        try:
            client.connection.timeout = map_timeout
            client.connection.close()
            status, _ = client.get("/")
        except TimeoutError:
            status = f"no answer within {map_timeout:.0f} s"
        rows.append(
            {
                "stage": "map (first, computes the faces graph)",
                "wall_s": time.perf_counter() - started,
                "status": status,
            }
        )
    finally:
        server.terminate()
        server.wait(30)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    add_options(parser)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--map-timeout", type=float, default=900, help="seconds to wait for the first map")
    parser.add_argument("--url", help="an existing catalog database to serve (no crawl)")
    args = parser.parse_args()
    if args.url:
        rows = measure_explorer(
            args.url, seed=args.seed, requests=args.requests, map_timeout=args.map_timeout
        )
    else:
        with crawled(args) as (url, loaded):
            explorer = measure_explorer(
                url, seed=args.seed, requests=args.requests, map_timeout=args.map_timeout
            )
            rows = [loaded, *explorer]
    columns = ["stage", "n", "status", "wall_s", "p50_ms", "p95_ms", "req_per_s", "rss_mib", "db_mib"]
    print(table(rows, columns))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, default=str))


if __name__ == "__main__":
    main()

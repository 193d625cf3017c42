"""Benchmark the replay server alone: index a MADE-UP snapshot, then page through it with the real client.

Serves :mod:`hubgen`'s made-up snapshot of N models (default 200,000; Hub-shaped records, cached in
``--work``) with ``ReplayServer`` and reads every page of ``GET /api/models`` with the client's own
session, following the ``Link`` cursor, as the crawler does. Reports the index time, records/s for
the listing in file order and sorted by ``lastModified``, for an ``expand`` that needs projection,
with and without the client decoding the pages, and peak memory. Usage::

    python benchmarks/bench_replay.py [--models 200000] [--work DIR]

``--clients 200 --seconds 20`` measures the server under load instead: the server in a child
process (as a remote Hub), that many client threads each asking, on a new connection every time, a
mix of listing pages (a new ``author`` or ``filter`` value each time, a sorted page) and single
repos until the time is up; it reports requests/s, p50 / p99 latency and failed requests.
``--server-path DIR`` serves with the ``catalog`` package found in DIR (an older checkout, to
measure before and after a change on the same data and machine)::

    git archive <commit> catalog | tar -x -C /tmp/before
    echo > /tmp/before/catalog/__init__.py  # only catalog.hub is served; keeps the rest of it out
    python benchmarks/bench_replay.py --models 20000 --clients 200 --seconds 15 --server-path /tmp/before

Measured (2 shared cores at load ~10, 20,000 made-up models, 200 clients, 15 s; 2026-12-01):

=================================================  ==========  =========  =========  ====================
server                                             requests/s  p50        p99        failed
=================================================  ==========  =========  =========  ====================
before (backlog 5, a filter value scanned in one    5.2        31,032 ms  32,090 ms  157 of 233 timed out
lock)                                                                                 (30 s)
after (backlog 1024, facet indexes, keyset)         548        320 ms     1,210 ms   0 of 8,425
=================================================  ==========  =========  =========  ====================

Comparing it with ``bench_crawl.py`` on the same data gives the server's share of a crawl.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import resource
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import hubgen
import orjson
from huggingface_hub.utils import get_session, hf_raise_for_status  # type: ignore[attr-defined]
from measure import replay_server

from catalog.hub import ReplayServer
from catalog.hub.client import EXPAND

#: The most requests one client thread makes: the load stops at the deadline or there.
MAX_REQUESTS = 100_000


def read_all(server: ReplayServer, query: str, *, parse: bool = False) -> tuple[int, int, float]:
    """Follow the listing's Link cursor to its end; return (bytes or records, pages, seconds).

    Without ``parse`` the pages are only received (the server's share of a crawl); with it, each
    page is also decoded, as a crawler must.
    """
    session = get_session()
    url: str | None = f"{server.url}/api/models?{query}"
    count = pages = 0
    start = time.perf_counter()
    while url is not None:
        response = session.get(url)
        hf_raise_for_status(response)
        count += len(orjson.loads(response.content)) if parse else len(response.content)
        pages += 1
        url = response.links.get("next", {}).get("url")
    return count, pages, time.perf_counter() - start


def load(url: str, n_models: int, clients: int, seconds: float, seed: int = 0) -> dict[str, Any]:
    """Run ``clients`` threads against ``url`` for ``seconds``; return requests/s, latencies and failures.

    Each thread opens a new connection per request (what a crowd of clients does to the accept
    queue) and asks, in turn: a listing filtered by a random author (a new filter value most of the
    time), one filtered by a random tag, a page sorted by downloads, and one random repo.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    tags = [
        "made-up",
        "gguf",
        "transformers",
        "text-generation",
        "conversational",
        "lora",
        "en",
        "safetensors",
    ]
    deadline = time.perf_counter() + seconds
    times: list[float] = []
    failures: dict[str, int] = {}
    lock = threading.Lock()

    def target(i: int) -> str:
        chooser = random.Random(seed * 1_000_003 + i)
        author = hubgen.model_id(chooser.randrange(n_models), n_models).partition("/")[0]
        return [
            f"/api/models?author={author}&limit=100&expand=downloads",
            f"/api/models?filter={chooser.choice(tags)}&filter={chooser.choice(tags)}&limit=100&expand=downloads",
            "/api/models?sort=downloads&limit=100&expand=downloads",
            f"/api/models/{quote(hubgen.model_id(chooser.randrange(n_models), n_models))}",
        ][i % 4]

    def client(number: int) -> None:
        for step in range(MAX_REQUESTS):
            if time.perf_counter() >= deadline:
                return
            path = target(number * MAX_REQUESTS + step)
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(host, port, timeout=30)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                connection.close()
                failed = None if response.status == 200 else f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as exc:
                failed = type(exc).__name__
            with lock:
                times.append(time.perf_counter() - started)
                if failed:
                    failures[failed] = failures.get(failed, 0) + 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)  # a request in flight at the deadline gets its 30 s timeout, no more
    elapsed = time.perf_counter() - started
    ordered = sorted(times)
    return {
        "requests": len(ordered),
        "requests/s": round(len(ordered) / elapsed, 1),
        "p50_ms": round(1000 * ordered[len(ordered) // 2], 1) if ordered else None,
        "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1)
        if ordered
        else None,
        "failed": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--models", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench-hub")
    parser.add_argument("--clients", type=int, default=0, help="measure under this many concurrent clients")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the load lasts")
    parser.add_argument(
        "--server-path", type=Path, default=None, help="serve with the catalog package in DIR"
    )
    args = parser.parse_args()
    folder = args.work / f"snapshot-{args.models}-{args.seed}"
    _, seconds = hubgen.cached_snapshot(folder, args.models, seed=args.seed)
    if seconds:
        print(f"generated {args.models:,} made-up models (and datasets, Spaces) in {seconds:.1f} s")
    if args.clients:
        if args.server_path is not None:
            os.environ["PYTHONPATH"] = os.pathsep.join(
                [str(args.server_path), os.environ.get("PYTHONPATH", "")]
            )
        with replay_server(folder) as (url, indexed):
            print(f"served by {args.server_path or 'this checkout'}, indexed in {indexed:.2f} s")
            result = load(url, args.models, args.clients, args.seconds, args.seed)
        print(f"{args.clients} clients for {args.seconds:.0f} s: {result}")
        return
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with ReplayServer(folder) as server:
        print(f"indexed in {time.perf_counter() - started:.2f} s")
        expand = "&".join(f"expand={f}" for f in EXPAND["models"])
        for label, query, parse in [
            ("file order, every field", f"{expand}&limit=1000", False),
            ("sorted by lastModified", f"{expand}&limit=1000&sort=lastModified&direction=-1", False),
            ("expand=likes (projected)", "expand=likes&limit=1000", False),
            ("file order, decoded by the client", f"{expand}&limit=1000", True),
        ]:
            count, pages, seconds = read_all(server, query, parse=parse)
            size = f"{count:>9,} records" if parse else f"{count / 2**20:>7,.0f} MiB"
            print(
                f"{label:34s} {size} {pages:>4} pages {seconds:6.2f} s {args.models / seconds:>10,.0f} records/s"
            )
        author = hubgen.model_id(0, args.models).partition("/")[0]
        _, _, seconds = read_all(server, f"{expand}&limit=1000&author={author}")
        print(f"{'filter author=' + author + ' (one scan)':34s} {seconds:6.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS {peak / 1024:.0f} MiB (before the server: {rss_before / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()

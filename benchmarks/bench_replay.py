"""Benchmark the replay server alone: index a made-up snapshot, then page through it with the real client.

Writes the crawl benchmark's snapshot of N made-up model records (default 200,000; labelled made up),
starts ``ReplayServer`` on it, and reads every page of ``GET /api/models`` with the client's own
session, following the ``Link`` cursor, as the crawler does. Reports the index time, records/s for
the listing in file order and sorted by ``lastModified``, for an ``expand`` that needs projection,
with and without the client decoding the pages, and peak memory. Usage::

    python benchmarks/bench_replay.py [--models 200000] [--keep DIR]

Comparing it with ``bench_crawl.py`` on the same data gives the server's share of a crawl.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import orjson
from bench_crawl import ORGS, generate  # the same made-up snapshot as the crawl benchmark
from huggingface_hub.utils import get_session, hf_raise_for_status

from catalog.hub import ReplayServer
from catalog.hub.client import EXPAND


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the snapshot in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-replay-"))
    folder = work / "snapshot"
    if not (folder / "manifest.json").exists():
        started = time.perf_counter()
        generate(folder, args.models)
        print(f"generated {args.models:,} made-up models in {time.perf_counter() - started:.1f} s")
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
        _, _, seconds = read_all(server, f"{expand}&limit=1000&author={ORGS[0]}")
        print(f"{'filter author=' + ORGS[0] + ' (one scan)':34s} {seconds:6.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS {peak / 1024:.0f} MiB (before the server: {rss_before / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()

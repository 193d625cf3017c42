"""Benchmark the crawler end to end on MADE-UP Hub records, next to its floor measured in the same run.

:mod:`hubgen`'s made-up snapshot of N models (default 200,000, with a quarter as many datasets and
0.3x as many Spaces; cached in ``--work``) is served by the replay server in a child process, as a
remote Hub would be; then, each in a child process of its own:

* the floor: every page of every listing fetched and decoded by the real client, nothing stored;
* ``catalog.crawl`` into a fresh SQLite file (or ``--db`` PostgreSQL, a scratch schema), through the
  real client, as ``catalog crawl --replay`` does.

It prints records/s, the ratio to the floor (target >= 0.5), CPU time, peak RSS (target < 1 GiB) and
the database size. ``--profile FILE`` writes a cProfile of the crawl (``python -m pstats FILE``). Usage::

    python benchmarks/bench_crawl.py [--models 200000] [--db URL] [--profile crawl.prof]

History. Until 2026-12-01 this benchmark generated its own records (7 tags, a two-key ``config``, no
card, ~0.6 KB): on those, 2026-11-29, 10,800-11,000 models/s with the server in a child process,
115 us of CPU a model, peak 306 MiB (7,200-7,500 models/s before the writer batched statements).
On Hub-shaped records (~1.2 KB, ~11 tags, configs with chat templates, cards) the same crawler ran
at 3,147 models/s, 0.19x the fetch + decode floor (16,891/s), 352 MB peak, a 961 MB database.
At 100,000 models, 2026-12-01, load ~7 on 2 cores, under ``tuned_interpreter``: main 0.16x the
floor, 25.5 s CPU, 353 MiB; with pages committed together when the writer is behind and the search
index filled in rowid order, 0.17x, 22.9 s CPU, 391 MiB (505 -> 504 MiB database).

2026-12-02, 100,000 models, nothing else running (load ~1), fetch + decode 5.3-6.4 s. Before and
after pages were normalised in a worker process (``catalog.crawl.prepare``), in turns, twice each:
before 30.0-31.3 s, 0.19x, 36-37 s CPU, 401-409 MiB; after 26.7-28.8 s, 0.19-0.24x, 37 s CPU in
the two processes (the worker's counted since), 404-415 MiB and 238-242 MiB for the worker. The
crawl is now bound by SQLite: the thread writing pages was busy 17 of the listings' 21 s (12 s in
statements, 5 s in commits) and the indexes built at the end take 5 s. The bare ``sqlite3``
floor for the same rows (prepared beforehand, plain ``INSERT`` 8 pages a transaction, the same
deferred indexes) took 10.6 s + 5.6 s, 2.9x the fetch + decode floor: on this schema a SQLite
crawl cannot pass ~0.35x of it, whatever the normaliser costs.
"""

from __future__ import annotations

import argparse
import cProfile
import tempfile
from pathlib import Path
from typing import Any

import hubgen
from bench_hub import crawl_as_cli, fetch_decode
from bench_store import db_bytes, scratch_schema
from measure import in_child, replay_server, table


def profiled_crawl(url: str, endpoint: str, profile: str) -> dict[str, Any]:
    """``crawl_as_cli`` under cProfile, the profile written to ``profile``."""
    profiler = cProfile.Profile()
    figures = profiler.runcall(crawl_as_cli, url, endpoint)
    profiler.dump_stats(profile)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--models", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench-hub")
    parser.add_argument("--db", metavar="URL", help="crawl into this PostgreSQL database (a scratch schema)")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the crawl here")
    args = parser.parse_args()
    folder = args.work / f"snapshot-{args.models}-{args.seed}"
    hubgen.cached_snapshot(folder, args.models, seed=args.seed)
    drop = None
    if args.db:
        url, drop = scratch_schema(args.db)
    else:
        path = args.work / "bench-crawl.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    try:
        with replay_server(folder) as (endpoint, _):
            floor = {"stage": "fetch + decode", **in_child(fetch_decode, endpoint)}
            if args.profile:
                row = {"stage": "crawl (profiled)", **in_child(profiled_crawl, url, endpoint, args.profile)}
            else:
                row = {"stage": "crawl", **in_child(crawl_as_cli, url, endpoint)}
        row["db_mib"] = db_bytes(url) / 2**20
    finally:
        if drop is not None:
            drop()
    for figures in (floor, row):
        figures["records_per_s"] = figures.get("records", 0) / figures.get("wall_s", 1)
    row["vs_floor"] = row["records_per_s"] / floor["records_per_s"]
    print(
        table(
            [floor, row],
            [
                "stage",
                "records",
                "wall_s",
                "cpu_s",
                "records_per_s",
                "vs_floor",
                "peak_rss_mib",
                "child_peak_rss_mib",
                "db_mib",
            ],
        )
    )


if __name__ == "__main__":
    main()

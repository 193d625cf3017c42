"""Time search by query shape (text, facets, sort) on a catalog crawled from MADE-UP Hub records.

The catalog is :mod:`hubgen`'s made-up snapshot crawled into the store as ``bench_graph.py`` does
(``--db`` takes a PostgreSQL URL; ``--url`` an existing database, used read-only). Each shape is
one kind of question ``search_models`` answers, asked with several texts, p50 / p95 over them:

* text alone, common (``instruct``, ``gguf``: a fifth of the ids hold them), middling and rare
  (8 to 12 characters cut from random ids), in each of the five sorts;
* text with a facet (task, library, author), text matching nothing, a deep page (offset 500);
* the floor: the first page by downloads with no facet at all (one walk of one index, 20 rows).

``vs_floor`` is each shape's p95 over the floor's p95 in the same run. Run::

    .venv/bin/python benchmarks/bench_search.py --models 1000000 [--db postgresql://...]

Measured 2026-12-01 at 1,000,000 made-up models on a shared, loaded 2-core machine (single runs;
p50 / p95 ms; "before" is the code of revision 0006 on the same database, in the same session):

| shape | SQLite before | SQLite after | PostgreSQL before | PostgreSQL after |
|---|---|---|---|---|
| floor | 1.5 / 14 | 0.6 / 13 | 11 / 18 | 7 / 12 |
| common text, by downloads | 100 / 157 | 34 / 59 | 8 / 1,217 | 9 / 36 |
| common text, by trending | 4,129 / 11,509 | 17 / 97 | 1,884 / 3,550 | 18 / 36 |
| common text, by parameters | 199 / 333 | 12 / 45 | 828 / 1,919 | 20 / 49 |
| rare text, by downloads | 97 / 273 | 35 / 265 | 61 / 354 | 27 / 138 |
| rare text, by trending | 66 / 4,516 | 36 / 207 | 105 / 741 | 11 / 47 |
| common text + task, by likes | 833 / 1,222 | 15 / 44 | 19 / 1,052 | 22 / 30 |
| common text + library, by trending | 697 / 1,260 | 14 / 32 | 1,806 / 2,914 | 25 / 39 |
| common text + author, by created | 103 / 177 | 46 / 428 | 124 / 1,096 | 47 / 137 |
| common text, offset 500 | 69 / 131 | 26 / 154 | 1,041 / 1,256 | 67 / 103 |
| task alone, by likes | 2,878 / 3,661 | 4.5 / 18 | 11 / 14 | 16 / 30 |

Rare text stays the slowest on SQLite: FTS5 reads every trigram's doclist (``str`` is in 17 % of
the made-up ids), 30-60 ms before a row is fetched.

Later the same day (another machine, its disk reading 40 MB/s uncached; ``--url`` on the same
1M databases, ``--seed`` new each run so that no text was asked before): SQLite, before and after
the walk among the text's matches (``plan_search``: under 500 fetched, up to one in 40 models
walked keeping their rowids, read from a cover of the text's trigrams); PostgreSQL, before and
after revision 0009 (the joined id's statistics sample 1,000 ids), its second pass over the same
texts (the first read its pages from disk: 1-2 s stalls)::

    shape                        SQLite before   SQLite after    PG before   PG after
    rare text, by downloads      11 / 116        14 / 27         13 / 124    11 / 61
                                 31 / 118        10 / 61
    rare text, by likes          11 / 64         10 / 15         13 / 72     12 / 55
    rare text, by trending       11 / 42         11 / 23         14 / 77     14 / 65
    rare text, by created        10 / 39         12 / 22         15 / 89     11 / 47
    rare text, by parameters     12 / 39         11 / 32         18 / 73     13 / 47
    rare text + task, downloads  16 / 49         15 / 27         16 / 79     12 / 46
    common text, by downloads    4 / 13          7 / 17-52       3 / 17      3 / 17

Every other shape stayed under 100 ms but the first query of a facet whose rows were not in the
page cache (common text + author, 72-556 ms on SQLite).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from bench_graph import add_options, crawled
from measure import percentiles, table

__all__ = ["SHAPES", "measure_shapes"]

COMMON = ["instruct", "gguf", "llama", "chat", "lora", "-v2", "AWQ", "qwen2.5"]
SORTS = ["downloads", "likes", "trending", "created", "parameters"]


def _picks(url: str, seed: int) -> dict[str, Any]:
    """Pick rare and middling texts cut from random ids, and the largest task, library and author."""
    from sqlalchemy import func, select

    from catalog.queries.read import read
    from catalog.schema import Model
    from catalog.store import Store

    rng = random.Random(seed)
    with Store.open(url) as store:
        total = next(read(store, select(func.count()).select_from(Model), int))
        ids = [
            next(read(store, select(Model.id).order_by(Model.id).offset(rng.randrange(total)).limit(1), str))
            for _ in range(20)
        ]

        def biggest(column: Any) -> str:
            statement = (
                select(column)
                .where(column.is_not(None))
                .group_by(column)
                .order_by(func.count().desc())
                .limit(1)
            )
            return next(read(store, statement, str))

        facets = {
            "task": biggest(Model.pipeline_tag),
            "library": biggest(Model.library_name),
            "author": biggest(Model.author),
        }
    rare, middling = [], []
    for model in ids:
        name = model.rpartition("/")[2] or model
        length = rng.randint(8, 12)
        start = rng.randrange(max(1, len(name) - length + 1))
        rare.append(name[start : start + length])
        middling.append(name[:4])
    return {"rare": rare, "middling": middling, "facets": facets, "models": total}


#: (shape, texts key, extra facets, sort, offset)
SHAPES: list[tuple[str, str, str | None, str, int]] = [
    *[(f"common text, by {s}", "common", None, s, 0) for s in SORTS],
    *[(f"rare text, by {s}", "rare", None, s, 0) for s in SORTS],
    ("middling text (4 chars), by downloads", "middling", None, "downloads", 0),
    ("common text + task, by downloads", "common", "task", "downloads", 0),
    ("common text + task, by likes", "common", "task", "likes", 0),
    ("common text + library, by trending", "common", "library", "trending", 0),
    ("common text + author, by created", "common", "author", "created", 0),
    ("rare text + task, by downloads", "rare", "task", "downloads", 0),
    ("text matching nothing", "nothing", None, "downloads", 0),
    ("common text, offset 500", "common", None, "downloads", 500),
    ("task alone, by likes", "none", "task", "likes", 0),
]


def measure_shapes(url: str, seed: int = 0, rounds: int = 1) -> list[dict[str, Any]]:
    """Return p50 / p95 of ``search_models`` for every shape of :data:`SHAPES`, and the floor's."""
    from catalog.queries.models import search_models
    from catalog.store import Store

    picked = _picks(url, seed)
    texts: dict[str, list[str | None]] = {
        "common": list(COMMON),
        "rare": list(picked["rare"]),
        "middling": list(picked["middling"]),
        "nothing": ["zzqx-nothing", "qqqqqqq", "-0000000000"],
        "none": [None] * 8,
    }
    rows = []
    with Store.open(url) as store:
        search_models(store, text="warm-up")  # the first query opens the connection pool

        def timed(facets: dict[str, Any], queries: list[str | None]) -> dict[str, float]:
            times = []
            for _ in range(rounds):
                for text in queries:
                    started = time.perf_counter()
                    search_models(store, **facets, **({"text": text} if text else {}))
                    times.append(time.perf_counter() - started)
            return percentiles(times)

        floor = timed({"sort": "downloads"}, [None] * 20)
        rows.append({"shape": "floor: first page by downloads, no facet", **floor, "vs_floor": 1.0})
        for shape, key, facet, sort, offset in SHAPES:
            facets: dict[str, Any] = {"sort": sort, "offset": offset}
            if facet is not None:
                facets[facet] = picked["facets"][facet]
            figures = timed(facets, texts[key])
            rows.append({"shape": shape, **figures, "vs_floor": figures["p95_ms"] / floor["p95_ms"]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    add_options(parser)
    parser.add_argument("--url", help="an existing catalog database to read (no crawl)")
    parser.add_argument("--rounds", type=int, default=1, help="ask every text this many times")
    args = parser.parse_args()
    if args.url:
        rows = measure_shapes(args.url, args.seed, args.rounds)
    else:
        with crawled(args) as (url, loaded):
            rows = [loaded, *measure_shapes(url, args.seed, args.rounds)]
    print(table(rows, ["stage", "shape", "p50_ms", "p95_ms", "vs_floor", "db_mib"]))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, default=str))


if __name__ == "__main__":
    main()

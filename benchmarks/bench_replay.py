"""Benchmark the replay server alone: index a made-up snapshot, then page through it with the real client.

Writes a snapshot of N made-up model records (default 200,000; labelled made up in its manifest),
starts ``ReplayServer`` on it, and reads every page of ``GET /api/models`` with the client's own
session, following the ``Link`` cursor, as the crawler does. Reports the index time, records/s for
the listing in file order and sorted by ``lastModified``, for an ``expand`` that needs projection,
with and without the client decoding the pages, and peak memory. Usage::

    python benchmarks/bench_replay.py [--models 200000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from huggingface_hub.utils import get_session, hf_raise_for_status

from catalog.hub import ReplayServer, write_snapshot

FIELDS = ["author", "pipeline_tag", "library_name", "tags", "downloads", "downloadsAllTime", "likes", "trendingScore",
          "createdAt", "lastModified", "private", "gated", "disabled", "sha", "safetensors", "gguf", "config",
          "cardData", "inferenceProviderMapping", "spaces"]  # fmt: skip


def made_up_model(i: int) -> dict[str, Any]:
    """A made-up record of about 1 KB, shaped like an item of the expanded models listing."""
    org = f"org-{i % 997}"
    return {
        "_id": f"{i:024x}", "id": f"{org}/model-{i}", "author": org, "pipeline_tag": "text-generation",
        "library_name": "transformers", "tags": ["transformers", "safetensors", "text-generation", "en",
                                                 "license:apache-2.0", "region:us", f"base_model:finetune:{org}/model-{i // 2}"],
        "downloads": i * 7919 % 1_000_000, "downloadsAllTime": i * 104729 % 50_000_000, "likes": i % 977,
        "trendingScore": i % 13, "createdAt": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00.000Z",
        "lastModified": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T12:{i % 60:02d}:{i % 59:02d}.000Z",
        "private": False, "gated": False, "disabled": False, "sha": f"{i:040x}",
        "safetensors": {"parameters": {"BF16": 7_000_000 + i}, "total": 7_000_000 + i},
        "config": {"model_type": "llama", "architectures": ["LlamaForCausalLM"]},
        "cardData": {"license": "apache-2.0", "language": ["en"], "base_model": f"{org}/model-{i // 2}"},
        "inferenceProviderMapping": [], "spaces": [],
    }  # fmt: skip


def generate(folder: Path, n: int) -> None:
    models: Iterator[bytes] = (orjson.dumps(made_up_model(i)) for i in range(n))
    write_snapshot(folder, models=models, manifest={"made_up": ["everything"],
                   "note": "MADE UP by benchmarks/bench_replay.py: not real Hub data"})  # fmt: skip


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
        expand = "&".join(f"expand={f}" for f in FIELDS)
        for label, query, parse in [
            ("file order, every field", f"{expand}&limit=1000", False),
            ("sorted by lastModified", f"{expand}&limit=1000&sort=lastModified&direction=-1", False),
            ("expand=likes (projected)", "expand=likes&limit=1000", False),
            ("file order, decoded by the client", f"{expand}&limit=1000", True),
        ]:
            count, pages, seconds = read_all(server, query, parse=parse)
            size = f"{count:>9,} records" if parse else f"{count / 2**20:>7,.0f} MiB"
            print(f"{label:34s} {size} {pages:>4} pages {seconds:6.2f} s {args.models / seconds:>10,.0f} records/s")
        _, _, seconds = read_all(server, f"{expand}&limit=1000&author=org-7")
        print(f"{'filter author=org-7 (one scan)':34s} {seconds:6.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS {peak / 1024:.0f} MiB (before the server: {rss_before / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()

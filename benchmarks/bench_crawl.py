"""Benchmark the crawler end to end: a made-up snapshot, replayed through the real client into SQLite.

Generates a snapshot of N made-up models (default 200,000; labelled made up in its manifest), serves
it with the replay server, crawls it with ``catalog.crawl`` through ``huggingface_hub``'s HTTP
helpers into a fresh SQLite file, and reports models/s and peak memory (target: >= 10,000
models/s, < 1 GiB). Usage::

    python benchmarks/bench_crawl.py [--models 200000] [--server-process] [--keep DIR]

``--server-process`` runs the replay server in a child process, as a remote Hub would be, so that
the crawler does not share its interpreter with the server.

Measured 2026-11-29 with ``--server-process``, 200,000 models, on a 2-core machine shared with other
work (load average 1.1-1.3), three runs each: 10,800-11,000 models/s, 115 us of CPU a model in the
crawling process, peak 306 MiB; before the writer wrote many rows a statement and got the GIL back
promptly, 7,200-7,500 models/s, 129-136 us, 301 MiB. Of a run's ~18 s, the main thread spends ~11 s
normalising and batching pages (8.5 s of CPU), ~2 s fetching and parsing them, and ~4 s building the
indexes at the end; the writing thread (12.5 s, 7.8 s of CPU) keeps up with it.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from catalog.crawl import crawl, tuned_interpreter
from catalog.hub import HubClient, ReplayServer, write_snapshot
from catalog.store import Store

ORGS = [
    "meta-llama",
    "Qwen",
    "google",
    "mistralai",
    "microsoft",
    "TheBloke",
    "unsloth",
    "bartowski",
    "sentence-transformers",
    "stabilityai",
]
TASKS = [
    "text-generation",
    "text-classification",
    "feature-extraction",
    "text-to-image",
    "image-text-to-text",
    "automatic-speech-recognition",
    "fill-mask",
    "sentence-similarity",
]
LIBRARIES = ["transformers", "diffusers", "sentence-transformers", "gguf", "mlx", "peft", "timm"]
RELATIONS = ["finetune", "adapter", "quantized", "merge"]


def made_up_model(i: int) -> dict[str, Any]:
    """Return a made-up model record shaped like an item of the Hub's expanded listing."""
    org = ORGS[i % len(ORGS)]
    task = TASKS[i % len(TASKS)]
    library = LIBRARIES[i % len(LIBRARIES)]
    day = 1 + i % 28
    tags = [
        library,
        task,
        "safetensors",
        "license:apache-2.0",
        "en",
        "region:us",
        f"dataset:data-org/set-{i % 500}",
    ]
    record: dict[str, Any] = {
        "_id": f"{i:024x}",
        "id": f"{org}/model-{i}",
        "author": org,
        "pipeline_tag": task,
        "library_name": library,
        "downloads": (i * 7919) % 1_000_000,
        "downloadsAllTime": (i * 104729) % 50_000_000,
        "likes": i % 977,
        "trendingScore": i % 13,
        "createdAt": f"2024-{1 + i % 12:02d}-{day:02d}T10:00:00.000Z",
        "lastModified": f"2025-{1 + i % 12:02d}-{day:02d}T12:{i % 60:02d}:00.000Z",
        "private": False,
        "gated": ["manual", False, "auto"][i % 3] if i % 10 == 0 else False,
        "disabled": False,
        "sha": f"{i:040x}",
        "config": {"model_type": "llama", "architectures": ["LlamaForCausalLM"]},
        "cardData": {"license": "apache-2.0", "language": ["en"], "datasets": [f"data-org/set-{i % 500}"]},
        "spaces": [f"user/space-{i % 1000}"] if i % 5 == 0 else [],
    }
    if i % 4 == 0:
        record["gguf"] = {"total": 1_000_000 + i, "architecture": "llama", "context_length": 4096}
        tags.append("gguf")
    else:
        record["safetensors"] = {"parameters": {"BF16": 7_000_000 + i}, "total": 7_000_000 + i}
    if i > 10 and i % 3 == 0:
        relation = RELATIONS[i % 4]
        tags.append(f"base_model:{relation}:{ORGS[(i + 1) % len(ORGS)]}/model-{i // 3}")
    if i % 20 == 0:
        record["inferenceProviderMapping"] = [
            {"provider": "together", "providerId": f"t/m{i}", "status": "live", "task": "conversational"}
        ]
    record["tags"] = tags
    return record


def generate(folder: Path, n: int) -> None:
    models: Iterator[bytes] = (orjson.dumps(made_up_model(i)) for i in range(n))
    write_snapshot(
        folder,
        models=models,
        tasks={t: {"id": t, "label": t} for t in TASKS},
        tags_by_type={
            "pipeline_tag": [{"id": t, "label": t, "type": "pipeline_tag"} for t in TASKS],
            "library": [{"id": lib, "label": lib, "type": "library"} for lib in LIBRARIES],
        },
        manifest={
            "made_up": ["everything"],
            "note": "MADE UP by benchmarks/bench_crawl.py: not real Hub data",
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=200_000)
    parser.add_argument("--server-process", action="store_true")
    parser.add_argument(
        "--keep", type=Path, default=None, help="keep the snapshot and database in this folder"
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    snapshot = work / "snapshot"
    if not (snapshot / "manifest.json").exists():
        t0 = time.perf_counter()
        generate(snapshot, args.models)
        print(
            f"generated {args.models:,} made-up models in {time.perf_counter() - t0:.1f} s", file=sys.stderr
        )
    db = work / "catalog.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = Store.open(f"sqlite:///{db}")
    child = server = None
    if args.server_process:
        code = (
            "import sys,time; from catalog.hub import ReplayServer; s=ReplayServer(sys.argv[1]).start(); "
            "print(s.url, flush=True); time.sleep(86400)"
        )
        child = subprocess.Popen(
            [sys.executable, "-c", code, str(snapshot)], stdout=subprocess.PIPE, text=True
        )
        url = child.stdout.readline().strip()  # type: ignore[union-attr]
    else:
        server = ReplayServer(snapshot).start()
        url = server.url
    try:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cpu0 = _cpu()
        t0 = time.perf_counter()
        with tuned_interpreter():  # as the CLI does: a library call leaves the interpreter alone
            summary = crawl(store, HubClient(url, token=False))
        seconds = time.perf_counter() - t0
        cpu = _cpu() - cpu0
    finally:
        if server is not None:
            server.stop()
        if child is not None:
            child.kill()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    models = summary.records["models"]
    print(f"models stored:   {models:,} ({summary.pages['models']} pages, {summary.rejects} rejects)")
    print("tables:          " + ", ".join(f"{t}={n:,}" for t, n in summary.tables.items() if n))
    where = "server in a child process" if child else "server in this process"
    print(
        f"crawl time:      {summary.seconds:.1f} s for the run; {seconds:.1f} s with the summary's table counts"
    )
    print(
        f"rate:            {models / summary.seconds:,.0f} models/s end to end ({where}); "
        f"{models / seconds:,.0f} with the counts"
    )
    print(
        f"cpu time:        {cpu:.1f} s in this process = {cpu / models * 1e6:,.0f} us a model "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: the machine is shared)"
    )
    print(
        f"peak memory:     {peak:,.0f} MiB (max RSS of the crawling process; {before / 1024:,.0f} MiB before)"
    )
    print(f"database:        {db.stat().st_size / 2**20:,.0f} MiB at {db}")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()

"""Time the graph layer and the analytics queries on a MADE-UP catalog of a million models.

Every row here is MADE UP (ids ``madeup-org#####/m#######``): Hub-like in shape, not in content.
Downloads follow a power law; lineage is a forest grown by preferential attachment (a popular base
gets more derivatives), where quantized models are leaves and a few merges have two bases; there
are about 2.8 ``edges`` rows per model (task, library, lineage, apps, providers, datasets). The
rows are generated deterministically from ``--seed``.

It reports the load time, then for each question its latency (p50 / p95 over repeated runs):
the whole graph built with ``build_graph`` (time and peak memory, in a child process of its own so
that the memory is its own), the faces graph, the descendants of the largest family, a typical
family, faceted search (task + library + parameter range, sorted by downloads, first page),
PageRank over the lineage, hardware fit, and the largest families.

Run (SQLite, about seven minutes on a 2-core machine, three of them loading)::

    .venv/bin/python benchmarks/bench_graph.py --models 1000000

``--db postgresql://postgres@127.0.0.1:5432/test`` runs it on PostgreSQL instead (in a schema of
its own, dropped afterwards); ``--keep`` keeps a SQLite file for another run (``--reuse``).

Measured here (1,000,000 models, 2,820,657 edges rows; 2 shared cores, single runs, noisy):

====================================  ==============  ==============
question                              SQLite          PostgreSQL
====================================  ==============  ==============
load (store ``upsert``)               178 s           161 s
build_graph, whole                    43 s, 2.7 GiB   48 s, 2.6 GiB
descendants of the largest family     229 / 291 ms    648 / 723 ms
  (5,744 models), p50 / p95
search task+library+params, p50/p95   3 / 15 ms       8 / 20 ms
faces graph                           5-9 s           2.9 s
lineage PageRank                      7 s             3.6 s
====================================  ==============  ==============
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from catalog.graph.build import build_graph
from catalog.graph.faces import build_faces_graph
from catalog.graph.fit import hardware_fit_by_task
from catalog.graph.influence import lineage_pagerank
from catalog.graph.lineage import family_stats, family_tree, largest_families
from catalog.graph.neighbourhood import face_neighbourhood
from catalog.graph.search import search_models
from catalog.store import Store, upsert

TASKS = [
    "text-generation",
    "text-classification",
    "feature-extraction",
    "sentence-similarity",
    "text-to-image",
    "automatic-speech-recognition",
    "image-classification",
    "token-classification",
    "fill-mask",
    "image-text-to-text",
    "translation",
    "summarization",
    "object-detection",
    "text-to-speech",
    "reinforcement-learning",
    "question-answering",
]
LIBRARIES = [
    "transformers",
    "gguf",
    "peft",
    "sentence-transformers",
    "diffusers",
    "mlx",
    "timm",
    "onnx",
    "keras",
    "stable-baselines3",
    "speechbrain",
    "open_clip",
]
PROVIDERS = [
    "together",
    "groq",
    "fireworks-ai",
    "nebius",
    "novita",
    "hf-inference",
    "sambanova",
    "cerebras",
    "replicate",
    "fal-ai",
]
RELATIONS = [("quantized", 0.35), ("finetune", 0.40), ("adapter", 0.20), ("merge", 0.05)]
EPOCH = datetime(2021, 1, 1, tzinfo=UTC)


def _weights(n: int, exponent: float = 1.1) -> list[float]:
    return [1 / (i + 1) ** exponent for i in range(n)]


def generate(n: int, seed: int) -> dict[str, Iterator[dict[str, Any]]]:
    """Return a row generator per table for ``n`` made-up models (lineage drawn up front)."""
    rng = random.Random(seed)
    task_w, lib_w = _weights(len(TASKS)), _weights(len(LIBRARIES))
    models: list[tuple[Any, ...]] = []
    lineage: list[tuple[int, int, str]] = []
    targets: list[int] = []  # preferential attachment: a base appears once per derivative
    for i in range(n):
        task = rng.choices(TASKS, task_w)[0] if rng.random() < 0.9 else None
        library = rng.choices(LIBRARIES, lib_w)[0] if rng.random() < 0.85 else None
        relation = None
        if targets and rng.random() < 0.45:
            relation = rng.choices([r for r, _ in RELATIONS], [w for _, w in RELATIONS])[0]
            bases = {rng.choice(targets) for _ in range(2 if relation == "merge" else 1)}
            for base in bases:
                lineage.append((i, base, relation))
                targets.append(base)
                task = models[base][0] if rng.random() < 0.9 else task
            if relation == "quantized":
                library = "gguf"
        if relation != "quantized":  # quantized models stay leaves
            targets.append(i)
        size = int(min(1e12, max(1e6, rng.lognormvariate(20.5, 2.0))))
        models.append((task, library, size if rng.random() < 0.85 else None, relation))

    def model_rows() -> Iterator[dict[str, Any]]:
        for i, (task, library, size, _) in enumerate(models):
            downloads = int(rng.paretovariate(1.1) * 5) - 5
            dtype = rng.choices(["BF16", "F32", "F16", None], [0.5, 0.2, 0.1, 0.2])[0]
            yield {
                "id": _id(i),
                "author": f"madeup-org{int(rng.paretovariate(1.0)) % 50_000:05d}",
                "pipeline_tag": task,
                "library_name": library,
                "downloads": downloads,
                "likes": int(downloads**0.5 * rng.random()),
                "trending_score": rng.random() * 10,
                "num_parameters": size,
                "parameters": {dtype: size} if dtype and size else None,
                "license": rng.choice(["apache-2.0", "mit", "llama3", "other"]),
                "created_at": EPOCH + timedelta(minutes=i * 2),
            }

    def app_rows() -> Iterator[dict[str, Any]]:
        for i, (task, library, _, _) in enumerate(models):
            apps = (
                ["llama.cpp", "ollama"][: rng.randint(1, 2)]
                if library == "gguf"
                else ["vllm"]
                if library == "transformers" and task == "text-generation" and rng.random() < 0.5
                else ["mlx-lm"]
                if library == "mlx"
                else []
            )
            for app in apps:
                yield {"model_id": _id(i), "app_id": app}

    def provider_rows() -> Iterator[dict[str, Any]]:
        for i, (task, _, _, relation) in enumerate(models):
            if relation is None and task and rng.random() < 0.04:
                for provider in rng.sample(PROVIDERS, rng.randint(1, 3)):
                    yield {
                        "model_id": _id(i),
                        "provider_id": provider,
                        "provider_model_id": _id(i),
                        "status": "live" if rng.random() < 0.8 else "staging",
                        "task": task,
                    }

    return {
        "tasks": (
            {"id": t, "name": t.replace("-", " ").title(), "modality": None, "parent_id": None} for t in TASKS
        ),
        "libraries": ({"id": lib, "label": lib, "repo_url": None, "docs_url": None} for lib in LIBRARIES),
        "providers": ({"id": p, "label": p, "hub_org": p} for p in PROVIDERS),
        "models": model_rows(),
        "model_lineage": (
            {"model_id": _id(c), "base_model_id": _id(b), "relation": r} for c, b, r in lineage
        ),
        "model_apps": app_rows(),
        "model_providers": provider_rows(),
        "model_datasets": (
            {"model_id": _id(i), "dataset_id": f"madeup-data/d{i % 20_000:05d}"} for i in range(0, n, 20)
        ),
    }


def _id(i: int) -> str:
    return f"madeup-org{i % 50_000:05d}/m{i:07d}"


def load(store: Store, n: int, seed: int) -> float:
    start = time.perf_counter()
    for table, rows in generate(n, seed).items():
        with store.engine.begin() as conn:
            upsert(conn, table, rows, update=False)
    if store.dialect == "postgresql":
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - start


def timed(function: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times, result


def percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:9.1f} ms   p95 {p95 * 1000:9.1f} ms   (n={len(ordered)})"


def _build_in_child(url: str, queue: Any) -> None:
    store = Store.open(url)
    start = time.perf_counter()
    graph = build_graph(store)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    queue.put((seconds, graph.number_of_nodes(), graph.number_of_edges(), peak))


def run(url: str, n: int, seed: int, reuse: bool, report: dict[str, Any]) -> None:
    store = Store.open(url)
    if not reuse:
        seconds = load(store, n, seed)
        print(f"load {n:,} made-up models: {seconds:.1f} s ({store.count('edges'):,} edges rows)", flush=True)
        report["load_s"] = seconds
    report["edges"] = store.count("edges")
    families, seconds = None, 0.0
    (seconds,), families = timed(lambda: largest_families(store, 20), 1)
    root, size = families[0]
    print(f"largest_families (20)             {seconds:8.2f} s   largest: {root} with {size:,} descendants")
    report["largest_families_s"] = seconds
    times, tree = timed(lambda: family_tree(store, root), 5)
    print(f"descendants of the largest family  {percentiles(times)}   {tree.number_of_nodes():,} nodes")
    report["largest_family_ms"] = {
        "p50": statistics.median(times) * 1000,
        "p95": max(times) * 1000,
        "nodes": tree.number_of_nodes(),
    }
    times, _ = timed(lambda: family_stats(store, root), 3)
    print(f"family_stats of the largest family {percentiles(times)}")
    rng = random.Random(seed + 1)
    sample = [_id(rng.randrange(n)) for _ in range(100)]
    times = [timed(lambda m=m: family_tree(store, m, direction="both"), 1)[0][0] for m in sample]
    print(f"family tree, both ways, 100 models {percentiles(times)}")
    report["family_tree_ms"] = {"p50": statistics.median(times) * 1000, "p95": sorted(times)[94] * 1000}
    searches = [
        (
            rng.choice(TASKS[:6]),
            rng.choice(LIBRARIES[:5]),
            rng.choice([("1B", "13B"), ("7B", "70B"), ("100M", "3B"), (None, "8B")]),
        )
        for _ in range(100)
    ]
    times = [
        timed(
            lambda s=s: search_models(store, task=s[0], library=s[1], min_params=s[2][0], max_params=s[2][1]),
            1,
        )[0][0]
        for s in searches
    ]
    print(f"search task+library+params         {percentiles(times)}")
    report["search_ms"] = {"p50": statistics.median(times) * 1000, "p95": sorted(times)[94] * 1000}
    for name, facets in (
        ("search provider", {"provider": "groq"}),
        ("search app+params", {"app": "ollama", "max_params": "8B"}),
        ("search text", {"text": "m00012"}),
        ("search by likes", {"task": "text-to-image", "sort": "likes"}),
    ):
        times, _ = timed(lambda f=facets: search_models(store, **f), 10)
        print(f"{name:<34} {percentiles(times)}")
    for name, function in (
        ("faces graph", lambda: build_faces_graph(store)),
        ("face neighbourhood, top 50 of a task", lambda: face_neighbourhood(store, "task", TASKS[0])),
        ("sub-graph of one provider", lambda: build_graph(store, provider=PROVIDERS[1])),
        ("sub-graph of one task", lambda: build_graph(store, task=TASKS[4])),
        ("lineage PageRank", lambda: lineage_pagerank(store)),
        ("hardware fit by task (24 GB)", lambda: hardware_fit_by_task(store, "RTX 4090")),
    ):
        times, _ = timed(function, 1)
        print(f"{name:<38} {times[0]:8.2f} s", flush=True)
        report[name] = times[0]
    store.close()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_build_in_child, args=(url, queue))
    child.start()
    seconds, nodes, edges, peak = queue.get()
    child.join()
    print(
        f"build_graph (whole)                {seconds:8.2f} s   {nodes:,} nodes, {edges:,} edges, "
        f"peak RSS {peak / 2**30:.2f} GiB"
    )
    report["build_graph"] = {"seconds": seconds, "nodes": nodes, "edges": edges, "peak_gib": peak / 2**30}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--db", help="PostgreSQL URL; default: a SQLite file in a temporary folder")
    parser.add_argument("--keep", metavar="FILE", help="SQLite file to create (and keep)")
    parser.add_argument("--reuse", action="store_true", help="Do not load: the --keep file holds the data")
    parser.add_argument("--json", metavar="FILE", help="Also write the figures as JSON")
    args = parser.parse_args()
    report: dict[str, Any] = {"models": args.models, "made_up": True}
    if args.db:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.db.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in args.db else "?"
        try:
            report["backend"] = "postgresql"
            run(f"{args.db}{sep}options=-csearch_path%3D{schema}", args.models, args.seed, False, report)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    else:
        report["backend"] = "sqlite"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(args.keep) if args.keep else Path(tmp) / "bench.db"
            run(f"sqlite:///{path}", args.models, args.seed, args.reuse, report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    sys.exit(main())

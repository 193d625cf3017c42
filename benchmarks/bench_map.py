"""Render the ecosystem map of a MADE-UP catalog of a million models; time it in Python and in Chromium.

Every model here is MADE UP (ids ``madeup-org#####/model-#######``): the shape of the Hub (a
long tail of libraries, a few giant lineage families, GGUF models that local apps run, a few
models behind inference providers), not its content. Tasks, libraries, apps and providers are the
real ones from ``catalog/facts`` and ``catalog.apps``; which model has which is drawn at random
from ``--seed``.

Reports: the time to load the catalog (not the point), ``render_map``'s time, page sizes (every
page should be under 10 MB), and for the heaviest pages the time to first draw in headless
Chromium (navigation start to vis-network's first ``afterDrawing``; should be under 3 s), plus a
screenshot of the ecosystem map (PNG, next to the catalog; not committed).

Run (a few minutes on a 2-core machine; the catalog is kept and reused by later runs)::

    .venv/bin/python benchmarks/bench_map.py --models 1000000 --work /tmp/bench-map
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from catalog.apps import APPS, ModelFacts, apps_for
from catalog.facts import load_facts
from catalog.graph.lineage import family_tree, largest_families
from catalog.render import MapSummary, PageSummary, render_map
from catalog.render.lineage import lineage_page
from catalog.render.links import FileLinks
from catalog.store import Store, upsert

# The browser the suite drives (tests/web_fixtures.py), from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.web_fixtures import CHROMIUM, CHROMIUM_ARGS

#: The apps the Hub lists for a llama GGUF repo, by catalog.apps's own rules.
GGUF_APPS = apps_for(ModelFacts(tags=frozenset({"gguf", "llama"}), gguf_context_length=8192))
RELATIONS = ["finetune"] * 10 + ["quantized"] * 5 + ["adapter"] * 4 + ["merge"]
CHUNK = 50_000


def _zipf_picker(items: list[str], rng: random.Random, s: float = 1.1) -> Any:
    """Pick from ``items`` with weight 1/rank^s: a long tail, as the Hub's libraries and tasks have."""
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** s for rank in range(len(items))))
    total = cumulative[-1]
    return lambda: items[bisect.bisect_left(cumulative, rng.random() * total)]


def made_up_rows(count: int, seed: int) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """Yield chunks of made-up rows per table, the same for the same ``count`` and ``seed``."""
    rng = random.Random(seed)
    tasks = list(load_facts("tasks")["tasks"])
    libraries = list(load_facts("libraries")["libraries"])
    providers = list(load_facts("providers")["providers"])
    # The usual suspects lead the tail; the order of the rest is the seed's.
    head = ["transformers", "gguf", "diffusers", "peft", "sentence-transformers", "mlx", "timm"]
    rest = [lib for lib in libraries if lib not in head]
    rng.shuffle(rest)
    pick_library = _zipf_picker(head + rest, rng)
    head_tasks = [
        "text-generation",
        "text-classification",
        "image-text-to-text",
        "text-to-image",
        "feature-extraction",
        "automatic-speech-recognition",
        "image-classification",
    ]
    pick_task = _zipf_picker(head_tasks + [t for t in tasks if t not in head_tasks], rng, 0.9)
    # A few hundred foundation models whose families take most of the lineage, by Zipf again.
    roots = [f"madeup-org{i:05d}/model-{i:07d}" for i in range(300)]
    pick_root = _zipf_picker(roots, rng, 1.0)
    derived: list[str] = []
    rows: dict[str, list[dict[str, Any]]] = {
        "models": [],
        "model_lineage": [],
        "model_apps": [],
        "model_providers": [],
    }
    for i in range(count):
        model_id = f"madeup-org{i % 50_000:05d}/model-{i:07d}"
        library = pick_library() if rng.random() < 0.9 else None
        task = pick_task() if rng.random() < 0.85 else None
        params = int(10 ** rng.uniform(6, 11.7)) if rng.random() < 0.6 else None
        rows["models"].append(
            {
                "id": model_id,
                "author": model_id.split("/")[0],
                "pipeline_tag": task,
                "library_name": library,
                "downloads": int(10 ** rng.uniform(0, 7.5)) if rng.random() < 0.9 else 0,
                "likes": int(10 ** rng.uniform(0, 4)) - 1,
                "num_parameters": params,
            }
        )
        if i >= len(roots) and rng.random() < 0.45:
            base = pick_root() if rng.random() < 0.6 or not derived else derived[rng.randrange(len(derived))]
            relation = rng.choice(RELATIONS)
            bases = {base, pick_root()} if relation == "merge" else {base}
            rows["model_lineage"] += [
                {"model_id": model_id, "base_model_id": b, "relation": relation, "source": "tag"}
                for b in bases
            ]
            derived.append(model_id)
        apps: list[str] = []
        if library == "gguf":
            apps = rng.sample(GGUF_APPS, rng.randrange(4, len(GGUF_APPS)))
        elif library == "mlx":
            apps = ["mlx-lm", "lmstudio", "atomic-chat"]
        elif (
            library == "transformers"
            and task in ("text-generation", "image-text-to-text")
            and rng.random() < 0.6
        ):
            apps = ["vllm", "sglang", "docker-model-runner"]
        elif library == "diffusers" and task == "text-to-image" and rng.random() < 0.2:
            apps = ["drawthings", "diffusionbee"]
        rows["model_apps"] += [{"model_id": model_id, "app_id": a} for a in apps]
        if rng.random() < 0.004:
            for provider in rng.sample(providers, rng.randrange(1, 4)):
                rows["model_providers"].append(
                    {
                        "model_id": model_id,
                        "provider_id": provider,
                        "provider_model_id": model_id,
                        "status": "live",
                        "task": task,
                    }
                )
        if len(rows["models"]) == CHUNK:
            yield rows
            rows = {table: [] for table in rows}
    if rows["models"]:
        yield rows


def load_catalog(store: Store, count: int, seed: int) -> float:
    """Load the made-up catalog into ``store``; return the seconds it took."""
    started = time.perf_counter()
    facts_tasks = load_facts("tasks")["tasks"]
    facts_libraries = load_facts("libraries")["libraries"]
    with store.engine.begin() as conn:
        upsert(
            conn,
            "tasks",
            [
                {"id": t, "name": f["name"], "modality": f["modality"], "parent_id": None}
                for t, f in facts_tasks.items()
            ],
        )
        upsert(
            conn,
            "libraries",
            [
                {"id": k, "label": v["label"], "repo_url": v["repo_url"], "docs_url": v["docs_url"]}
                for k, v in facts_libraries.items()
            ],
        )
        upsert(
            conn,
            "apps",
            [{"id": a.id, "label": a.label, "docs_url": a.docs_url, "main_task": a.main_task} for a in APPS],
        )
        providers = load_facts("providers")["providers"]
        upsert(
            conn,
            "providers",
            [{"id": k, "label": v["label"], "hub_org": v["hub_org"]} for k, v in providers.items()],
        )
    for rows in made_up_rows(count, seed):
        with store.engine.begin() as conn:
            for table, batch in rows.items():
                if batch:
                    upsert(conn, table, batch)
    return time.perf_counter() - started


def time_first_draw(
    summary: MapSummary, paths: list[str], screenshot: Path
) -> dict[str, tuple[float, float, int]]:
    """Open each page in headless Chromium; return ``path -> (first draw ms, wall s, requests)``."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for path in paths:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            requests: list[str] = []
            errors: list[str] = []
            page.on("request", lambda r, requests=requests: requests.append(r.url))
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            started = time.perf_counter()
            page.goto((summary.out_dir / path).as_uri())
            page.wait_for_function("window.firstDrawMs !== undefined", timeout=120_000)
            wall = time.perf_counter() - started
            if errors:
                raise RuntimeError(f"{path}: {errors}")
            results[path] = (page.evaluate("window.firstDrawMs"), wall, len(requests))
            if path == "index.html":
                page.wait_for_timeout(500)
                page.screenshot(path=str(screenshot))
            page.close()
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-map"))
    parser.add_argument("--families", type=int, default=20)
    parser.add_argument("--max-nodes", type=int, default=5000)
    parser.add_argument(
        "--min-downloads",
        type=int,
        default=100_000,
        help="export the models with at least this many downloads",
    )
    args = parser.parse_args()

    db = args.work / f"catalog-{args.models}-{args.seed}.db"
    url = f"sqlite:///{db}"
    fresh = not db.exists()
    with Store.open(url) as store:
        loaded = load_catalog(store, args.models, args.seed) if fresh else None
        counts = {t: store.count(t) for t in ("models", "model_lineage", "model_apps", "model_providers")}
        out = args.work / "map"
        shutil.rmtree(out, ignore_errors=True)
        summary = render_map(
            store, out, families=args.families, max_nodes=args.max_nodes, min_downloads=args.min_downloads
        )
        # A stress page: the largest family with no fan-out cap, so only max_nodes bounds it.
        root, size = largest_families(store, 1)[0]
        started = time.perf_counter()
        tree = family_tree(store, root)
        stress_path = "stress/largest-family.html"
        stress = lineage_page(
            tree, f"model:{root}", FileLinks(stress_path, set()), max_nodes=args.max_nodes, fanout=10**9
        )
        (out / "stress").mkdir(parents=True, exist_ok=True)
        stress_bytes = (out / stress_path).write_bytes(stress.html().encode())
        stress_seconds = time.perf_counter() - started

    print(f"MADE-UP catalog: {', '.join(f'{n:,} {t}' for t, n in counts.items())}")
    print(f"load: {f'{loaded:.1f} s' if loaded is not None else 'reused ' + str(db)}")
    print(
        f"render_map: {summary.seconds:.1f} s, {len(summary.pages):,} pages, {summary.total_bytes / 1e6:,.1f} MB"
    )
    kinds = sorted({p.kind for p in summary.pages})
    for kind in kinds:
        pages = [p for p in summary.pages if p.kind == kind]
        big = max(pages, key=lambda p: p.bytes)
        print(
            f"  {kind:8} {len(pages):5,} pages, largest {big.bytes / 1e6:5.2f} MB ({big.nodes:,} nodes, "
            f"{big.edges:,} edges): {big.path}"
        )
    over = [p.path for p in summary.pages if p.bytes > 10_000_000]
    print(f"pages over 10 MB: {len(over)} {over[:5]}")

    print(
        f"stress page (largest family, {size + 1:,} models, no fan-out cap): {len(stress.nodes):,} nodes, "
        f"{stress_bytes / 1e6:.2f} MB, {stress_seconds:.1f} s to read and render"
    )

    heaviest = sorted(summary.pages, key=lambda p: (-p.nodes, p.path))[:3]
    paths = list(dict.fromkeys(["index.html", *[p.path for p in heaviest], stress_path]))
    screenshot = args.work / "index.png"
    nodes = {p.path: p for p in summary.pages}
    nodes[stress_path] = PageSummary(
        stress_path, "family", stress.title, len(stress.nodes), len(stress.edges), stress_bytes
    )
    for path, (first_draw, wall, requests) in time_first_draw(summary, paths, screenshot).items():
        print(
            f"first draw {first_draw / 1000:5.2f} s (load+draw wall {wall:5.2f} s, {requests} request) "
            f"{nodes[path].nodes:,} nodes, {nodes[path].bytes / 1e6:.2f} MB: {path}"
        )
    print(f"screenshot: {screenshot}")


if __name__ == "__main__":
    main()

"""The bundled offline snapshot (data/snapshot): Hub-shaped, complete, and honest about made-up fields."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import HfApi

from catalog import Catalog
from catalog.apps import APPS
from catalog.crawl import crawl_snapshot
from catalog.hub.replay import EXPANDABLE, ReplayServer
from catalog.hub.snapshot import Snapshot
from catalog.records import PARAM_BUCKETS, RELS
from catalog.store import Store

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "data" / "snapshot"
FACTS = ROOT.parent / "shared" / "hub-facts"


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return Snapshot.open(SNAPSHOT)


def _payload(snapshot: Snapshot, name: str) -> dict[str, Any]:
    payload = snapshot.read_json(name)
    assert isinstance(payload, dict), name
    return payload


def test_counts_and_payloads(snapshot: Snapshot) -> None:
    assert snapshot.manifest["counts"] == {"models": 3384, "datasets": 2015, "spaces": 120}
    assert snapshot.json_names() == ["aliases", "models-tags-by-type", "tasks"]
    tasks = _payload(snapshot, "tasks")
    assert len(tasks) == 47 and None not in tasks.values()
    tags = _payload(snapshot, "models-tags-by-type")
    assert {k: len(v) for k, v in tags.items() if k in ("pipeline_tag", "library", "region")} == {
        "pipeline_tag": 57,
        "library": 257,
        "region": 2,
    }


def test_every_record_is_read_by_the_real_client(snapshot: Snapshot) -> None:
    with ReplayServer(snapshot) as server:
        api = HfApi(endpoint=server.url, token=False)
        models = list(
            api.list_models(
                expand=sorted(EXPANDABLE["models"] - {"baseModels", "childrenModelCount", "usedStorage"})  # type: ignore[arg-type]
            )
        )
        spaces = list(api.list_spaces(expand=["models", "datasets", "runtime", "sdk", "likes"]))
        datasets = list(api.list_datasets(expand=["tags", "downloads", "cardData"]))
        assert (len(models), len(spaces), len(datasets)) == (3384, 120, 2015)
        assert len(server.requests) == 4 + 1 + 3
    lineage = Counter(
        t.split(":")[1]
        for m in models
        for t in m.tags or []
        if t.count(":") >= 2 and t.startswith("base_model:")
    )
    assert lineage == {"finetune": 367, "quantized": 2, "adapter": 4, "merge": 5}
    assert sum(1 for m in models if m.safetensors) == 2798
    assert sorted(m.id for m in models if m.gguf and m.gguf.get("context_length")) == [
        "KBLab/sentence-bert-swedish-cased",
        "Snowflake/snowflake-arctic-embed-m-v1.5",
        "mixedbread-ai/mxbai-embed-large-v1",
        "mixedbread-ai/mxbai-embed-xsmall-v1",
    ]
    providers = Counter(p.provider for m in models for p in m.inference_provider_mapping or [])
    assert sum(providers.values()) == 79 and len(providers) == 19
    linked = {m for s in spaces for m in s.models or []}
    assert linked <= {m.id for m in models} and len(linked) == 149
    modified = [m.last_modified for m in models]
    assert None not in modified and modified == sorted(modified, reverse=True)  # type: ignore[type-var]


def test_made_up_fields_are_named(snapshot: Snapshot) -> None:
    made_up = set(snapshot.manifest["made_up"])
    assert {
        "models.downloads",
        "models.likes",
        "models.trendingScore",
        "models.spaces",
        "spaces.models",
        "models.inferenceProviderMapping.status",
        "models[catalog-examples/*]",
    } <= made_up
    readme = (ROOT / "data" / "README.md").read_text()
    for field in made_up:
        kind, _, name = field.partition(".")
        assert (name or kind).split(".")[0].strip("[]").split("[")[-1].rstrip("/*") in readme, field
    # Each field by its whole name, in the list of its own kind (not merely a word of the README).
    section = readme.split("## What is made up", 1)[1]
    lists = dict(re.findall(r"^- \*\*(\w+)\*\*: (.*?)(?=^- |\Z)", section, re.MULTILINE | re.DOTALL))
    assert set(lists) == {"models", "datasets", "spaces"}
    for field in made_up:
        kind, _, name = field.partition(".")
        if name:
            assert f"`{name}`" in lists[kind], field
        else:  # a whole made-up record, e.g. models[catalog-examples/*]
            assert f"`{kind.partition('[')[2].removesuffix('*]')}" in section, field


@pytest.mark.skipif(not FACTS.is_dir(), reason="the hub-facts folder is not next to this checkout")
def test_the_builder_reproduces_the_committed_snapshot(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_snapshot.py"), str(FACTS), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )

    def digest(folder: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}

    assert digest(tmp_path) == digest(SNAPSHOT)


def test_replaying_it_fills_every_entity_table_and_every_rel(store: Store) -> None:
    summary = crawl_snapshot(store, SNAPSHOT)
    assert (summary.records, summary.rejects) == ({"models": 3384, "datasets": 2015, "spaces": 120}, 0)
    counts = {t: store.count(t) for t in ("models", "datasets", "spaces", "providers", "apps", "libraries")}
    assert counts == {
        "models": 3384,
        "datasets": 2015,
        "spaces": 120,
        "providers": 19,
        "apps": 24,
        "libraries": 257,
    }
    assert store.count("tasks") >= 57
    edges = dict(store.query("SELECT rel, COUNT(*) FROM edges GROUP BY rel").rows)
    assert set(edges) == set(RELS)
    # What the snapshot itself decides; runs_in and supports_task follow the app rules and the facts.
    assert {rel: n for rel, n in edges.items() if rel not in ("runs_in", "supports_task")} == {
        # Llama-3.1-8B-Instruct's card names its base by the old name: one finetune, not a merge.
        "finetune_of": 367,
        "quantized_from": 2,
        "adapter_of": 4,
        "merge_of": 5,
        "has_task": 3325,
        "uses_library": 3383,
        "trained_on": 5820,
        "served_by": 79,
        "uses_model": 202,
        "uses_dataset": 65,
    }


def _records(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in snapshot.iter_records("models")}


def test_three_quarters_have_a_parameter_count_and_say_where_it_comes_from(snapshot: Snapshot) -> None:
    records = _records(snapshot)
    counted = {
        id: r for id, r in records.items() if (r.get("safetensors") or r.get("gguf") or {}).get("total")
    }
    assert (len(counted), len(records)) == (2802, 3384)
    assert len(counted) >= 0.75 * len(records)
    assert "models.parametersSource" in snapshot.manifest["provenance"]
    sources = Counter(r["parametersSource"] for r in counted.values())
    assert sources == {
        "computed by timm 1.0.31": 1691,
        "computed by open_clip_torch 3.3.0": 158,
        "computed by transformers 5.24.0": 120,
        "reported by mteb 2.26.24 ModelMeta n_parameters": 833,
    }
    assert not any("parametersSource" in r for id, r in records.items() if id not in counted)
    # The packages' own figures, and their dtype where the package states one (timm: float32).
    assert records["openai/whisper-tiny"]["safetensors"] == {
        "parameters": {"F32": 37760640},
        "total": 37760640,
    }
    assert records["meta-llama/Llama-2-7b-hf"]["safetensors"]["total"] == 6738415616
    assert records["timm/resnet50.a1_in1k"]["safetensors"] == {
        "parameters": {"F32": 25557032},
        "total": 25557032,
    }
    # A default-config count known to be wrong is not used (gpt-oss-20b's config defaults give 116.8B).
    assert "safetensors" not in records["openai/gpt-oss-20b"]


def test_tasks_come_from_the_documented_model_class(snapshot: Snapshot) -> None:
    records = _records(snapshot)

    def task(id: str) -> tuple[str | None, str | None, list[str] | None]:
        r = records[id]
        return r["pipeline_tag"], r["library_name"], (r.get("config") or {}).get("architectures")

    whisper = ["WhisperForConditionalGeneration"]
    assert task("openai/whisper-tiny") == ("automatic-speech-recognition", "transformers", whisper)
    for size in ("base", "small", "medium"):
        assert task(f"openai/whisper-{size}") == ("automatic-speech-recognition", "transformers", whisper)
    assert task("meta-llama/Llama-2-7b-chat-hf") == ("text-generation", "transformers", ["LlamaForCausalLM"])
    assert task("FacebookAI/roberta-base") == ("fill-mask", "transformers", ["RobertaForMaskedLM"])
    assert not [
        id
        for id, r in records.items()
        if "whisper" in id and r["pipeline_tag"] != "automatic-speech-recognition"
    ]


def test_aliases_name_the_real_renames_into_the_snapshot(snapshot: Snapshot) -> None:
    aliases = _payload(snapshot, "aliases")
    assert set(aliases) == {"models", "datasets", "spaces"} and aliases["datasets"] == aliases["spaces"] == {}
    assert {
        "bert-base-uncased": "google-bert/bert-base-uncased",
        "t5-small": "google-t5/t5-small",
        "gpt2": "openai-community/gpt2",
        "meta-llama/Meta-Llama-3.1-8B-Instruct": "meta-llama/Llama-3.1-8B-Instruct",
    }.items() <= aliases["models"].items()
    assert len(aliases["models"]) == 15
    ids = set(_records(snapshot))
    assert set(aliases["models"].values()) <= ids and not set(aliases["models"]) & ids


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    with Store.open(f"sqlite:///{tmp_path_factory.mktemp('crawled') / 'catalog.db'}") as store:
        crawl_snapshot(store, SNAPSHOT)
        yield Catalog(store)


def test_the_readme_search_example_answers_right(crawled: Catalog) -> None:
    page = crawled.search(task="text-generation", max_params="8B", limit=10)
    assert list(page["id"][:5]) == [
        "google/recurrentgemma-2b",
        "meta-llama/Llama-2-7b-hf",
        "tencent/Youtu-LLM-2B",
        "ibm-granite/granite-3.0-8b-base",
        "Zyphra/Zamba2-2.7B",
    ]
    assert len(page) == 10 and not page["id"].str.startswith("catalog-examples/").any()
    assert (page["num_parameters"] <= 8_000_000_000).all()
    assert list(page["downloads"]) == sorted(page["downloads"], reverse=True)
    assert len(crawled.search(task="text-generation", min_params="1B", limit=100)) == 47


def test_every_app_and_provider_has_a_model_and_no_made_up_model_outranks_a_real_one(
    crawled: Catalog,
) -> None:
    pages: dict[str, Any] = {}
    for app in APPS:
        pages[f"app {app.id}"] = crawled.search(app=app.id, limit=10_000)
    for (provider,) in crawled.store.query("SELECT id FROM providers").rows:
        pages[f"provider {provider}"] = crawled.search(provider=provider, limit=10_000)
    assert len(pages) == 24 + 19
    assert not [name for name, page in pages.items() if page.empty]
    for (task,) in crawled.store.query(
        "SELECT DISTINCT pipeline_tag FROM models WHERE pipeline_tag IS NOT NULL"
    ).rows:
        pages[f"task {task}"] = crawled.search(task=task, limit=10_000)
    for (library,) in crawled.store.query(
        "SELECT DISTINCT library_name FROM models WHERE library_name IS NOT NULL"
    ).rows:
        pages[f"library {library}"] = crawled.search(library=library, limit=10_000)
    for bucket, low, high in PARAM_BUCKETS:
        pages[f"size {bucket}"] = crawled.search(min_params=low, max_params=high and high - 1, limit=10_000)
    small = []
    for name, page in pages.items():
        made_up = page["id"].str.startswith("catalog-examples/")
        # Made-up repos come after every real one, so they reach a top 10 only where fewer than 10 real ones are.
        assert not made_up[: int((~made_up).sum())].any(), name
        if made_up[:10].any():
            small.append(name)
    # The pages of the apps no real record runs (MLX, JoyFusion, tool-calling templates) and their neighbours.
    assert sorted(small) == [
        "app atomic-chat",
        "app hermes-agent",
        "app joyfusion",
        "app lmstudio",
        "app mlx-lm",
        "app openclaw",
        "app pi",
        "library mlx",
        "task text-to-image",
    ]


def test_the_readme_gives_the_share_with_a_parameter_count_per_task(snapshot: Snapshot) -> None:
    models, counted = Counter[str](), Counter[str]()
    for r in snapshot.iter_records("models"):
        task = r.get("pipeline_tag") or "(none)"
        models[task] += 1
        counted[task] += bool((r.get("safetensors") or r.get("gguf") or {}).get("total"))
    section = (ROOT / "data" / "README.md").read_text().split("## Parameter counts per task", 1)[1]
    rows = re.findall(r"^\| ([a-z(][\w()-]*) \| (\d+) \| (\d+) \| ([\d.]+)% \|$", section, re.MULTILINE)
    assert {task: (int(n), int(c)) for task, n, c, _ in rows} == {t: (models[t], counted[t]) for t in models}
    assert {task: float(share) for task, n, c, share in rows} == {
        t: round(100 * counted[t] / models[t], 1) for t in models
    }
    total = re.search(r"^\| \*\*all\*\* \| (\d+) \| (\d+) \| ([\d.]+)% \|$", section, re.MULTILINE)
    assert total and total.groups() == ("3384", "2802", "82.8")

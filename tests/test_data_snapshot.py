"""The bundled offline snapshot (data/snapshot): Hub-shaped, complete, and honest about made-up fields."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from huggingface_hub import HfApi

from catalog.crawl import crawl_snapshot
from catalog.hub.replay import EXPANDABLE, ReplayServer
from catalog.hub.snapshot import Snapshot
from catalog.records import RELS
from catalog.store import Store

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "data" / "snapshot"
FACTS = ROOT.parent / "shared" / "hub-facts"


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return Snapshot.open(SNAPSHOT)


def test_counts_and_payloads(snapshot: Snapshot) -> None:
    assert snapshot.manifest["counts"] == {"models": 3383, "datasets": 2015, "spaces": 120}
    assert snapshot.json_names() == ["models-tags-by-type", "tasks"]
    assert len(snapshot.read_json("tasks")) == 57
    tags = snapshot.read_json("models-tags-by-type")
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
                expand=sorted(EXPANDABLE["models"] - {"baseModels", "childrenModelCount", "usedStorage"})
            )
        )
        spaces = list(api.list_spaces(expand=["models", "datasets", "runtime", "sdk", "likes"]))
        datasets = list(api.list_datasets(expand=["tags", "downloads", "cardData"]))
        assert (len(models), len(spaces), len(datasets)) == (3383, 120, 2015)
        assert len(server.requests) == 4 + 1 + 3
    lineage = Counter(
        t.split(":")[1]
        for m in models
        for t in m.tags or []
        if t.count(":") >= 2 and t.startswith("base_model:")
    )
    assert lineage == {"finetune": 366, "quantized": 2, "adapter": 4, "merge": 5}
    assert sum(1 for m in models if m.safetensors) == 861
    assert sorted(m.id for m in models if m.gguf and m.gguf.get("context_length")) == [
        "KBLab/sentence-bert-swedish-cased",
        "Snowflake/snowflake-arctic-embed-m-v1.5",
        "mixedbread-ai/mxbai-embed-large-v1",
        "mixedbread-ai/mxbai-embed-xsmall-v1",
    ]
    providers = Counter(p.provider for m in models for p in m.inference_provider_mapping or [])
    assert sum(providers.values()) == 69 and len(providers) == 9
    linked = {m for s in spaces for m in s.models or []}
    assert linked <= {m.id for m in models} and len(linked) == 149
    assert [m.last_modified for m in models] == sorted((m.last_modified for m in models), reverse=True)


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
    assert (summary.records, summary.rejects) == ({"models": 3383, "datasets": 2015, "spaces": 120}, 0)
    counts = {t: store.count(t) for t in ("models", "datasets", "spaces", "providers", "apps", "libraries")}
    assert counts == {
        "models": 3383,
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
        "finetune_of": 366,
        "quantized_from": 2,
        "adapter_of": 4,
        "merge_of": 5,
        "has_task": 3315,
        "uses_library": 3383,
        "trained_on": 5820,
        "served_by": 69,
        "uses_model": 201,
        "uses_dataset": 65,
    }

"""The inference providers come from the project's own facts, not from a private module of the client."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from catalog.crawl import crawl_snapshot
from catalog.facts import load_facts
from catalog.hub.snapshot import write_snapshot
from catalog.normalize import provider_rows
from catalog.store import Store

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT.parent / "shared" / "hub-facts"


def test_the_facts_name_their_source_and_versions() -> None:
    facts = load_facts("providers")
    assert facts["versions"] == {"@huggingface/inference": "4.13.30", "huggingface_hub": "2.4.0"}
    assert "@huggingface/inference@4.13.30" in facts["source"] and "huggingface_hub==2.4.0" in facts["source"]
    providers = facts["providers"]
    assert len(providers) == 19 and sum(len(p["tasks"]) for p in providers.values()) == 74
    assert providers["together"] == {
        "label": "Together AI",
        "hub_org": "togethercomputer",
        "tasks": [
            "conversational",
            "feature-extraction",
            "image-to-image",
            "image-to-video",
            "text-generation",
            "text-to-image",
            "text-to-speech",
            "text-to-video",
        ],
    }
    assert providers["baseten"]["tasks"] == ["conversational"]


@pytest.mark.skipif(not FACTS.is_dir(), reason="the hub-facts folder is not next to this checkout")
def test_the_facts_are_the_packages_registries() -> None:
    npm = json.loads((FACTS / "hf_inference_js" / "providers.json").read_text())
    python_client = json.loads((FACTS / "hfh_providers.json").read_text())
    providers = load_facts("providers")["providers"]
    assert list(providers) == npm["INFERENCE_PROVIDERS"]
    assert {p: f["hub_org"] for p, f in providers.items()} == npm["PROVIDERS_HUB_ORGS"]
    assert {p: f["tasks"] for p, f in providers.items()} == {
        p: sorted(tasks) for p, tasks in python_client["PROVIDERS"].items()
    }


def test_no_module_imports_the_clients_private_provider_registry() -> None:
    imports = []
    for path in sorted((ROOT / "catalog").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            imports += [
                f"{path.relative_to(ROOT)}: {n}" for n in names if n.startswith("huggingface_hub.inference")
            ]
    assert imports == []


def test_the_crawl_stores_the_facts_providers_and_tasks(store: Store, tmp_path: Path) -> None:
    write_snapshot(tmp_path / "snap", models=[{"id": "org/m", "tags": []}])
    crawl_snapshot(store, tmp_path / "snap")
    providers, tasks = provider_rows()
    assert [tuple(r) for r in store.query("SELECT id, label, hub_org FROM providers ORDER BY id").rows] == [
        (p["id"], p["label"], p["hub_org"]) for p in providers
    ]
    stored = store.query("SELECT provider_id, task_id FROM provider_tasks ORDER BY 1, 2").rows
    assert [tuple(r) for r in stored] == [(t["provider_id"], t["task_id"]) for t in tasks]
    assert len(stored) == 74

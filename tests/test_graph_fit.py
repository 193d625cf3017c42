from __future__ import annotations

from dataclasses import asdict

import pytest

from catalog.errors import NotFound
from catalog.queries.fit import hardware_fit, hardware_fit_by_task, runs_where, sku_memory_gb
from catalog.store import Store
from tests.catalog_fixtures import load_tiny_catalog


def test_runs_where_lists_apps_and_live_and_staging_providers(store: Store) -> None:
    load_tiny_catalog(store)
    assert [asdict(r) for r in runs_where(store, "mistralai/mistral-7b")] == [
        {
            "kind": "app",
            "id": "vllm",
            "label": "vLLM",
            "status": None,
            "task": None,
            "provider_model_id": None,
        },
        {
            "kind": "provider",
            "id": "groq",
            "label": "Groq",
            "status": "live",
            "task": "text-generation",
            "provider_model_id": "mistral-7b",
        },
        {
            "kind": "provider",
            "id": "together",
            "label": "Together AI",
            "status": "staging",
            "task": "text-generation",
            "provider_model_id": "mistralai/Mistral-7B",
        },
    ]
    assert [(r.kind, r.id) for r in runs_where(store, "bob/llama-7b-chat-gguf")] == [
        ("app", "llama.cpp"),
        ("app", "ollama"),
    ]
    assert runs_where(store, "timm/resnet50") == []
    with pytest.raises(
        NotFound, match="no model 'timm/resnet5' in the catalog; did you mean 'timm/resnet50'"
    ):
        runs_where(store, "timm/resnet5")


def test_what_fits_a_24_gb_gpu(store: Store) -> None:
    fits = hardware_fit(load_tiny_catalog(store), "RTX 4090")
    assert [(r.model_id, r.weights_gib) for r in fits] == [
        ("acme/bert-sentiment", 0.41),  # F32: 4 bytes a parameter
        ("timm/resnet50", 0.1),
        ("meta/llama-7b", 12.55),  # BF16
        ("mistralai/mistral-7b", 13.49),
        ("alice/llama-7b-chat", 12.55),
        ("bob/llama-7b-chat-gguf", 12.55),  # no dtype counts: num_parameters x 2 bytes
        ("dave/llama-mistral-merge", 13.04),
        ("carol/llama-7b-chat-lora", 0.02),
    ]  # big/llama-70b (131 GiB) does not fit; old/gone-model is deleted
    assert [r.model_id for r in hardware_fit(store, "H100", task="text-generation", limit=2)] == [
        "meta/llama-7b",
        "mistralai/mistral-7b",
    ]
    assert "big/llama-70b" in [r.model_id for r in hardware_fit(store, "H200")]


def test_fit_by_task_on_an_8_gb_gpu(store: Store) -> None:
    assert [asdict(r) for r in hardware_fit_by_task(load_tiny_catalog(store), "RTX 4060")] == [
        {"pipeline_tag": "image-classification", "fit": 1, "sized": 1, "share": 1.0},
        {"pipeline_tag": "text-classification", "fit": 1, "sized": 1, "share": 1.0},
        {"pipeline_tag": "text-generation", "fit": 1, "sized": 7, "share": 1 / 7},
    ]


def test_sku_memory_and_unknown_skus() -> None:
    assert sku_memory_gb("rtx 4060 ti") == 16
    assert sku_memory_gb("RTX 4060 Ti", 8) == 8
    with pytest.raises(NotFound, match="no sku 'Voodoo 2'"):
        sku_memory_gb("Voodoo 2")

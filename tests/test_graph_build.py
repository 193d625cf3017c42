from __future__ import annotations

import gc
from collections import Counter

import pytest
from sqlalchemy.exc import DBAPIError

from catalog.errors import ConfigError, NotFound
from catalog.graph.build import build_graph
from catalog.records import RELS
from catalog.store import Store
from tests.catalog_fixtures import load_tiny_catalog


def test_the_whole_graph_mirrors_the_edges_view(store: Store) -> None:
    graph = build_graph(load_tiny_catalog(store))
    assert Counter(kind for _, kind in graph.nodes(data="kind")) == {
        "model": 9,
        "library": 4,
        "task": 3,
        "app": 3,
        "provider": 3,
    }
    assert graph.number_of_edges() == store.count("edges") == 41
    assert {rel for *_, rel in graph.edges(data="rel")} <= set(RELS)
    assert "model:old/gone-model" not in graph
    assert graph.nodes["model:timm/resnet50"] == {
        "kind": "model",
        "author": "timm",
        "pipeline_tag": "image-classification",
        "library_name": "timm",
        "downloads": 1500,
        "likes": 8,
        "trending_score": 3.0,
        "num_parameters": 25_557_032,
        "license": "apache-2.0",
    }
    assert graph.nodes["task:image-classification"] == {
        "kind": "task",
        "label": "Image Classification",
        "modality": "cv",
        "parent_id": None,
    }
    assert graph.nodes["app:vllm"] == {"kind": "app", "label": "vLLM", "main_task": "text-generation"}


def test_kinds_keep_nodes_and_the_edges_between_them(store: Store) -> None:
    graph = build_graph(load_tiny_catalog(store), kinds=["model"])
    assert sorted(graph.edges(keys=True)) == [
        ("model:alice/llama-7b-chat", "model:meta/llama-7b", "finetune_of"),
        ("model:bob/llama-7b-chat-gguf", "model:alice/llama-7b-chat", "quantized_from"),
        ("model:carol/llama-7b-chat-lora", "model:alice/llama-7b-chat", "adapter_of"),
        ("model:dave/llama-mistral-merge", "model:meta/llama-7b", "merge_of"),
        ("model:dave/llama-mistral-merge", "model:mistralai/mistral-7b", "merge_of"),
    ]
    assert graph.number_of_nodes() == 9


def test_filters_select_models_and_what_they_touch(store: Store) -> None:
    graph = build_graph(load_tiny_catalog(store), library="transformers", min_downloads=800)
    models = sorted(n for n, k in graph.nodes(data="kind") if k == "model")
    # meta, mistral and bert pass; alice and dave point at them (finetune, merge).
    assert models == [
        "model:acme/bert-sentiment",
        "model:alice/llama-7b-chat",
        "model:dave/llama-mistral-merge",
        "model:meta/llama-7b",
        "model:mistralai/mistral-7b",
    ]
    assert "downloads" not in graph.nodes["model:dave/llama-mistral-merge"]
    assert graph.nodes["provider:hf-inference"]["label"] == "HF Inference API"
    assert graph.has_edge("provider:hf-inference", "task:text-classification", key="supports_task")
    assert not any(k == "library" and n != "library:transformers" for n, k in graph.nodes(data="kind"))
    assert graph.graph["filters"] == {"library": "transformers", "min_downloads": 800}


def test_filter_by_author_and_task(store: Store) -> None:
    graph = build_graph(
        load_tiny_catalog(store), author="bob", task="text-generation", kinds=["model", "app"]
    )
    assert sorted(graph.edges(keys=True)) == [
        ("model:bob/llama-7b-chat-gguf", "app:llama.cpp", "runs_in"),
        ("model:bob/llama-7b-chat-gguf", "app:ollama", "runs_in"),
        ("model:bob/llama-7b-chat-gguf", "model:alice/llama-7b-chat", "quantized_from"),
    ]


def test_unknown_filters_and_kinds(store: Store) -> None:
    load_tiny_catalog(store)
    with pytest.raises(NotFound, match="no author 'alic' in the catalog; did you mean 'alice'"):
        build_graph(store, author="alic")
    with pytest.raises(ConfigError, match="not a node kind: gpu"):
        build_graph(store, kinds=["gpu"])  # type: ignore[list-item]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_build_leaves_the_garbage_collector_as_it_found_it(store: Store, enabled: bool) -> None:
    load_tiny_catalog(store)
    (gc.enable if enabled else gc.disable)()
    try:
        graph = build_graph(store)
        assert gc.isenabled() is enabled
        with store.engine.begin() as conn:  # the build now fails half-way, with models read
            conn.exec_driver_sql("DROP VIEW edges")
        with pytest.raises(DBAPIError):
            build_graph(store)
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert graph.number_of_edges() == 41

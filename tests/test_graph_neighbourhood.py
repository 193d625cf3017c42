from __future__ import annotations

import pytest

from catalog.errors import ConfigError, NotFound
from catalog.graph.neighbourhood import face_neighbourhood, neighbourhood
from catalog.store import Store
from tests.catalog_fixtures import load_tiny_catalog


def test_face_neighbourhood_keeps_the_top_models_and_their_faces(store: Store) -> None:
    graph = face_neighbourhood(load_tiny_catalog(store), "app", "vllm", limit=2)
    assert graph.graph["center"] == "app:vllm"
    edges = sorted(
        (u, v, rel) if u.startswith("model:") else (v, u, rel) for u, v, rel in graph.edges(data="rel")
    )
    assert edges == [
        ("model:meta/llama-7b", "app:vllm", "runs_in"),
        ("model:meta/llama-7b", "library:transformers", "uses_library"),
        ("model:meta/llama-7b", "provider:together", "served_by"),
        ("model:meta/llama-7b", "task:text-generation", "has_task"),
        ("model:mistralai/mistral-7b", "app:vllm", "runs_in"),
        ("model:mistralai/mistral-7b", "library:transformers", "uses_library"),
        ("model:mistralai/mistral-7b", "provider:groq", "served_by"),
        ("model:mistralai/mistral-7b", "provider:together", "served_by"),
        ("model:mistralai/mistral-7b", "task:text-generation", "has_task"),
    ]
    assert graph.nodes["app:vllm"] == {"kind": "app", "label": "vLLM"}
    assert graph.nodes["model:meta/llama-7b"]["downloads"] == 1000


def test_face_neighbourhood_of_a_task_orders_by_downloads(store: Store) -> None:
    graph = face_neighbourhood(load_tiny_catalog(store), "task", "text-generation", limit=3)
    models = sorted((d, n) for n, d in graph.nodes(data="downloads") if n.startswith("model:"))
    assert models == [
        (700, "model:big/llama-70b"),
        (900, "model:mistralai/mistral-7b"),
        (1000, "model:meta/llama-7b"),
    ]


def test_face_neighbourhood_of_an_unknown_id(store: Store) -> None:
    load_tiny_catalog(store)
    with pytest.raises(NotFound, match=r"no provider 'togther' in the catalog; did you mean 'together'\?"):
        face_neighbourhood(store, "provider", "togther")


def test_neighbourhood_radius_two_follows_edges_both_ways(store: Store) -> None:
    graph = neighbourhood(load_tiny_catalog(store), "model:carol/llama-7b-chat-lora", radius=2)
    assert graph.nodes["library:peft"] == {"kind": "library"}
    # Step 1: peft, text-generation, alice. Step 2: everything on text-generation, alice's own edges.
    assert sorted(n for n in graph if not n.startswith("model:")) == [
        "app:vllm",
        "library:peft",
        "library:transformers",
        "provider:groq",
        "provider:together",
        "task:text-generation",
    ]
    assert sorted(n for n in graph if n.startswith("model:")) == [
        "model:alice/llama-7b-chat",
        "model:big/llama-70b",
        "model:bob/llama-7b-chat-gguf",
        "model:carol/llama-7b-chat-lora",
        "model:dave/llama-mistral-merge",
        "model:meta/llama-7b",
        "model:mistralai/mistral-7b",
    ]
    assert ("model:alice/llama-7b-chat", "model:meta/llama-7b", "finetune_of") in set(graph.edges(keys=True))
    assert graph.number_of_edges() == 16  # 3 at step 1; 6 has_task + 3 supports_task + 4 of alice


def test_neighbourhood_stops_at_max_nodes(store: Store) -> None:
    graph = neighbourhood(load_tiny_catalog(store), "task:text-generation", radius=2, max_nodes=5)
    assert graph.number_of_nodes() == 5
    assert graph.graph["truncated"] is True


def test_neighbourhood_of_an_unknown_node(store: Store) -> None:
    load_tiny_catalog(store)
    with pytest.raises(NotFound, match="no dataset 'squad'"):
        neighbourhood(store, "dataset:squad")
    with pytest.raises(NotFound, match="no app 'olama' in the catalog; did you mean 'ollama'"):
        neighbourhood(store, "app:olama")
    with pytest.raises(ConfigError, match="not a node id: 'gpu:h100'"):
        neighbourhood(store, "gpu:h100")
    with pytest.raises(ConfigError, match="^radius must be 0 or more, got -1$"):
        neighbourhood(store, "app:ollama", radius=-1)

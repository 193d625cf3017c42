from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from catalog.graph.influence import lineage_pagerank, pagerank_arrays
from catalog.queries.faces import reach
from catalog.store import Store
from tests.catalog_fixtures import load_bad_lineage, load_tiny_catalog


def test_influence_order_of_base_models(store: Store) -> None:
    ranked = lineage_pagerank(load_tiny_catalog(store), limit=None)
    assert [(r.model_id, r.downloads, r.derivatives) for r in ranked] == [
        ("meta/llama-7b", 1000, 2),
        ("mistralai/mistral-7b", 900, 1),
        ("alice/llama-7b-chat", 400, 2),
    ]
    assert [round(r.pagerank, 4) for r in ranked] == [0.4408, 0.2529, 0.1893]


def test_pagerank_matches_networkx_on_the_demo_lineage(store: Store) -> None:
    ranked = {r.model_id: r.pagerank for r in lineage_pagerank(load_tiny_catalog(store), limit=None)}
    graph = nx.DiGraph()
    downloads = {
        "meta/llama-7b": 1000,
        "alice/llama-7b-chat": 400,
        "bob/llama-7b-chat-gguf": 300,
        "carol/llama-7b-chat-lora": 50,
        "dave/llama-mistral-merge": 80,
        "mistralai/mistral-7b": 900,
    }
    graph.add_edges_from(
        [
            ("alice/llama-7b-chat", "meta/llama-7b"),
            ("bob/llama-7b-chat-gguf", "alice/llama-7b-chat"),
            ("carol/llama-7b-chat-lora", "alice/llama-7b-chat"),
            ("dave/llama-mistral-merge", "meta/llama-7b"),
            ("dave/llama-mistral-merge", "mistralai/mistral-7b"),
        ]
    )
    expected = _pagerank_python(graph, personalization={k: v + 1 for k, v in downloads.items()}, tol=1e-14)
    assert ranked == pytest.approx({k: expected[k] for k in ranked}, abs=1e-9)


def test_pagerank_on_cycles_terminates_and_sums_to_one() -> None:
    rank = pagerank_arrays(np.array([0, 1, 2, 3]), np.array([1, 2, 0, 1]), np.array([1.0, 2, 3, 4]))
    assert float(rank.sum()) == pytest.approx(1.0)
    assert int(np.argmax(rank)) == 1


def test_bad_lineage_still_ranks(store: Store) -> None:
    ranked = [r.model_id for r in lineage_pagerank(load_bad_lineage(store), limit=None)]
    assert ranked[0] == "meta/llama-7b"
    # Every model of the cycle, and the model that is its own base, has a derivative.
    assert sorted(ranked) == [
        "alice/llama-7b-chat",
        "cyc/a",
        "cyc/b",
        "cyc/c",
        "cyc/self",
        "meta/llama-7b",
        "mistralai/mistral-7b",
    ]


def test_reach_of_libraries_and_providers(store: Store) -> None:
    load_tiny_catalog(store)
    assert [(r.id, r.label, r.models, r.downloads) for r in reach(store, "library")] == [
        ("transformers", "Transformers", 6, 5080),
        ("gguf", "GGUF", 1, 300),
        ("peft", "PEFT", 1, 50),
        ("timm", "timm", 1, 1500),
    ]
    assert [(r.id, r.models) for r in reach(store, "provider")] == [
        ("together", 3),
        ("groq", 1),
        ("hf-inference", 1),
    ]
    assert [(r.id, r.models) for r in reach(store, "task")] == [
        ("text-generation", 7),
        ("image-classification", 1),
        ("text-classification", 1),
    ]

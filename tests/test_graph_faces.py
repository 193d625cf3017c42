from __future__ import annotations

from dataclasses import asdict, astuple

import pytest

from catalog.errors import ConfigError
from catalog.graph.faces import build_faces_graph
from catalog.queries.faces import cooccurrence_all, cooccurrence_counts, face_counts, provider_coverage
from catalog.records import FACES, bucket_of, parse_count
from catalog.store import Store
from tests.catalog_fixtures import load_tiny_catalog


def test_faces_graph_counts_live_models_per_face_value(store: Store) -> None:
    graph = build_faces_graph(load_tiny_catalog(store))
    counts = {node: count for node, count in graph.nodes(data="count")}
    assert counts == {
        "task:image-classification": 1,
        "task:text-classification": 1,
        "task:text-generation": 7,
        "library:gguf": 1,
        "library:peft": 1,
        "library:timm": 1,
        "library:transformers": 6,
        "params:<1B": 3,
        "params:1-3B": 0,
        "params:3-7B": 3,
        "params:7-13B": 2,
        "params:13-34B": 0,
        "params:34-70B": 0,
        "params:70-200B": 1,
        "params:>200B": 0,
        "provider:groq": 1,
        "provider:hf-inference": 1,
        "provider:together": 3,
        "app:llama.cpp": 1,
        "app:ollama": 1,
        "app:vllm": 4,
    }
    assert {kind for _, kind in graph.nodes(data="kind")} == {"task", "library", "params", "provider", "app"}
    assert graph.nodes["provider:together"] == {
        "kind": "provider",
        "label": "Together AI",
        "count": 3,
        "downloads": 2600,
    }
    assert type(graph.nodes["provider:together"]["downloads"]) is int
    assert graph.nodes["task:image-classification"]["modality"] == "cv"


def test_faces_graph_edges_weigh_the_models_touching_both(store: Store) -> None:
    graph = build_faces_graph(load_tiny_catalog(store))
    weights = {tuple(sorted(e)): w for *e, w in graph.edges(data="weight")}
    assert {rel for *_, rel in graph.edges(data="rel")} == {"co_occurs"}
    assert weights[("library:transformers", "task:text-generation")] == 5
    assert weights[("provider:together", "task:text-generation")] == 3
    assert weights[("app:vllm", "library:transformers")] == 4
    assert weights[("app:ollama", "library:gguf")] == 1
    assert weights[("app:vllm", "provider:together")] == 3  # staging counts too
    assert weights[("params:70-200B", "provider:together")] == 1
    assert weights[("params:<1B", "task:text-generation")] == 1  # the LoRA adapter
    # The deleted model (transformers, text-generation, vllm, together) counts nowhere.
    assert graph.edges["app:vllm", "task:text-generation"]["weight"] == 4
    assert graph.number_of_edges() == 42  # 5+6+3+3 from tasks, 7+3+3 libraries, 5+5 params, 2


def test_cooccurrence_task_by_library(store: Store) -> None:
    assert [astuple(r) for r in cooccurrence_counts(load_tiny_catalog(store), "task", "library")] == [
        ("text-generation", "transformers", 5, 3080),
        ("image-classification", "timm", 1, 1500),
        ("text-classification", "transformers", 1, 2000),
        ("text-generation", "gguf", 1, 300),
        ("text-generation", "peft", 1, 50),
    ]


def test_face_counts_by_parameter_bucket(store: Store) -> None:
    assert [astuple(r) for r in face_counts(load_tiny_catalog(store), "params")] == [
        ("3-7B", 3, 1700),
        ("<1B", 3, 3550),
        ("7-13B", 2, 980),
        ("70-200B", 1, 700),
    ]


def test_faces_must_be_known_and_different(store: Store) -> None:
    with pytest.raises(ConfigError, match="not a face: 'colour'"):
        face_counts(store, "colour")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="two different faces"):
        cooccurrence_counts(store, "task", "task")


def test_bucket_edges_and_counts() -> None:
    assert [
        bucket_of(n) for n in (0, 999_999_999, 10**9, 3 * 10**9, 13 * 10**9, 199_999_999_999, 2 * 10**11)
    ] == ["<1B", "<1B", "1-3B", "3-7B", "13-34B", "70-200B", ">200B"]
    assert parse_count("7B") == 7_000_000_000
    # Decimal fractions are exact: a float would make 1.005K 1004.
    assert [parse_count(s) for s in ("1.005K", "1.15B", "0.57B", " 2.5 t ")] == [
        1005,
        1_150_000_000,
        570_000_000,
        2_500_000_000_000,
    ]
    with pytest.raises(ConfigError, match="not a parameter count: 'seven'"):
        parse_count("seven")
    # Past a 64-bit column: one ConfigError, not an OverflowError from the driver later.
    for huge in ("99999999999999999999", "9223372036854775808", 2**63, "1" + "0" * 40 + "T"):
        with pytest.raises(ConfigError, match="out of range"):
            parse_count(huge)
    assert parse_count(str(2**63 - 1)) == 2**63 - 1


def test_provider_coverage_per_task_counts_live_and_staging(store: Store) -> None:
    load_tiny_catalog(store)
    with store.engine.begin() as conn:  # a model served only in staging
        conn.exec_driver_sql("UPDATE model_providers SET status = 'staging' WHERE model_id = 'big/llama-70b'")
    assert [asdict(r) for r in provider_coverage(store)] == [
        {
            "task": "text-generation",
            "models": 7,
            "served_live": 2,
            "served_any": 3,
            "share_live": 2 / 7,
            "providers": 2,
        },
        {
            "task": "image-classification",
            "models": 1,
            "served_live": 0,
            "served_any": 0,
            "share_live": 0.0,
            "providers": 0,
        },
        {
            "task": "text-classification",
            "models": 1,
            "served_live": 1,
            "served_any": 1,
            "share_live": 1.0,
            "providers": 1,
        },
    ]


def test_task_by_app_and_library_by_app(store: Store) -> None:
    load_tiny_catalog(store)
    assert [astuple(r) for r in cooccurrence_counts(store, "task", "app")] == [
        ("text-generation", "vllm", 4, 3000),
        ("text-generation", "llama.cpp", 1, 300),
        ("text-generation", "ollama", 1, 300),
    ]
    assert [astuple(r) for r in cooccurrence_counts(store, "library", "app")] == [
        ("transformers", "vllm", 4, 3000),
        ("gguf", "llama.cpp", 1, 300),
        ("gguf", "ollama", 1, 300),
    ]
    assert [astuple(r) for r in cooccurrence_counts(store, "task", "provider")] == [
        ("text-generation", "together", 3, 2600),
        ("text-classification", "hf-inference", 1, 2000),
        ("text-generation", "groq", 1, 900),
    ]


def test_the_four_queries_agree_with_the_pairwise_ones(store: Store) -> None:
    load_tiny_catalog(store)
    counts, pairs = cooccurrence_all(store)
    assert counts == {(f, r.value): (r.models, r.downloads) for f in FACES for r in face_counts(store, f)}
    expected = {
        ((a, r.a), (b, r.b)): (r.models, r.downloads)
        for i, a in enumerate(FACES)
        for b in FACES[i + 1 :]
        for r in cooccurrence_counts(store, a, b)
    }
    assert pairs == expected

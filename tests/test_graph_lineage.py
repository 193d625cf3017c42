from __future__ import annotations

from dataclasses import asdict

import pytest

from catalog.errors import ConfigError, NotFound
from catalog.graph.lineage import family_stats, family_tree, largest_families
from catalog.store import Store
from tests.catalog_fixtures import load_bad_lineage, load_tiny_catalog


def test_family_down_has_every_relation_kind_and_the_merge(store: Store) -> None:
    tree = family_tree(load_tiny_catalog(store), "meta/llama-7b")
    assert sorted(tree.edges(data="rel")) == [
        ("model:alice/llama-7b-chat", "model:meta/llama-7b", "finetune_of"),
        ("model:bob/llama-7b-chat-gguf", "model:alice/llama-7b-chat", "quantized_from"),
        ("model:carol/llama-7b-chat-lora", "model:alice/llama-7b-chat", "adapter_of"),
        ("model:dave/llama-mistral-merge", "model:meta/llama-7b", "merge_of"),
    ]
    assert dict(tree.nodes(data="depth")) == {
        "model:meta/llama-7b": 0,
        "model:alice/llama-7b-chat": 1,
        "model:dave/llama-mistral-merge": 1,
        "model:bob/llama-7b-chat-gguf": 2,
        "model:carol/llama-7b-chat-lora": 2,
    }
    assert tree.nodes["model:bob/llama-7b-chat-gguf"] == {
        "kind": "model",
        "downloads": 300,
        "likes": 5,
        "pipeline_tag": "text-generation",
        "library_name": "gguf",
        "missing": False,
        "depth": 2,
    }
    assert tree.graph["cycles"] == []


def test_family_up_follows_every_base_of_a_merge(store: Store) -> None:
    tree = family_tree(load_tiny_catalog(store), "dave/llama-mistral-merge", direction="up")
    assert sorted(tree.edges(data="relation")) == [
        ("model:dave/llama-mistral-merge", "model:meta/llama-7b", "merge"),
        ("model:dave/llama-mistral-merge", "model:mistralai/mistral-7b", "merge"),
    ]
    tree = family_tree(store, "bob/llama-7b-chat-gguf", direction="up")
    assert dict(tree.nodes(data="depth")) == {
        "model:bob/llama-7b-chat-gguf": 0,
        "model:alice/llama-7b-chat": -1,
        "model:meta/llama-7b": -2,
    }


def test_max_depth_and_deleted_models(store: Store) -> None:
    tree = family_tree(load_tiny_catalog(store), "meta/llama-7b", max_depth=1)
    # old/gone-model is a finetune of meta/llama-7b but was deleted from the Hub.
    assert sorted(tree.nodes) == [
        "model:alice/llama-7b-chat",
        "model:dave/llama-mistral-merge",
        "model:meta/llama-7b",
    ]
    assert list(family_tree(store, "meta/llama-7b", max_depth=0).nodes) == ["model:meta/llama-7b"]


def test_a_base_the_catalog_does_not_hold_is_a_missing_node(store: Store) -> None:
    load_tiny_catalog(store)
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO model_lineage (model_id, base_model_id, relation) VALUES ('timm/resnet50', 'ghost/resnet', 'finetune')"
        )
    tree = family_tree(store, "ghost/resnet")
    assert tree.nodes["model:ghost/resnet"]["missing"] is True
    assert tree.nodes["model:ghost/resnet"]["downloads"] is None
    assert list(tree.edges) == [("model:timm/resnet50", "model:ghost/resnet")]


def test_cycles_in_bad_data_are_reported_not_followed(store: Store) -> None:
    load_bad_lineage(store)
    tree = family_tree(store, "cyc/a", direction="both")
    assert sorted(tree.nodes) == ["model:cyc/a", "model:cyc/b", "model:cyc/c", "model:cyc/d"]
    assert tree.number_of_edges() == 4
    assert [sorted(c) for c in tree.graph["cycles"]] == [["cyc/a", "cyc/b", "cyc/c"]]
    assert family_tree(store, "cyc/self").graph["cycles"] == [["cyc/self"]]
    stats = family_stats(store, "cyc/b")
    assert (stats.descendants, stats.by_relation, stats.cycles) == (
        3,
        {"finetune": 2, "adapter": 0, "quantized": 1, "merge": 0},
        1,
    )
    # A family that is all cycle has no root, so it is not among the largest families.
    assert largest_families(store) == [("meta/llama-7b", 4), ("mistralai/mistral-7b", 1)]


def test_family_stats(store: Store) -> None:
    assert asdict(family_stats(load_tiny_catalog(store), "alice/llama-7b-chat")) == {
        "root": "alice/llama-7b-chat",
        "descendants": 2,
        "by_relation": {"finetune": 0, "adapter": 1, "quantized": 1, "merge": 0},
        "depth": 1,
        "downloads": 750,
        "cycles": 0,
    }


def test_largest_families_limit(store: Store) -> None:
    assert largest_families(load_tiny_catalog(store), limit=1) == [("meta/llama-7b", 4)]


def test_unknown_model_is_not_found_with_close_matches(store: Store) -> None:
    load_tiny_catalog(store)
    with pytest.raises(NotFound) as caught:
        family_tree(store, "meta/llama-7")
    assert (
        str(caught.value)
        == "no model 'meta/llama-7' in the catalog; did you mean 'meta/llama-7b', 'big/llama-70b'?"
    )
    with pytest.raises(NotFound, match="no model 'old/gone-model'"):
        family_tree(store, "old/gone-model")
    with pytest.raises(ConfigError, match="not a direction: 'sideways'"):
        family_tree(store, "meta/llama-7b", direction="sideways")  # type: ignore[arg-type]

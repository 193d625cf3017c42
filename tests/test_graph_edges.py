from __future__ import annotations

from catalog.queries.edges import EDGES, edges, edges_touching
from catalog.records import KINDS, RELS
from catalog.store import Store
from tests.catalog_fixtures import load_tiny_catalog


def test_served_by_edges_carry_the_mappings_status_and_no_other_edge_does(store: Store) -> None:
    load_tiny_catalog(store)
    served = sorted((e.src_id, e.dst_id, e.status) for e in edges(store, EDGES.c.rel == "served_by"))
    assert served == [
        ("acme/bert-sentiment", "hf-inference", "live"),
        ("big/llama-70b", "together", "live"),
        ("meta/llama-7b", "together", "live"),
        ("mistralai/mistral-7b", "groq", "live"),
        ("mistralai/mistral-7b", "together", "staging"),
    ]
    others = list(edges(store, EDGES.c.rel != "served_by"))
    assert len(others) == store.count("edges") - 5
    assert {e.status for e in others} == {None}
    assert {e.rel for e in others} | {"served_by"} <= set(RELS)
    assert {e.src_kind for e in others} | {e.dst_kind for e in others} <= set(KINDS)


def test_edges_touching_reads_both_sides_and_only_the_rels_asked(store: Store) -> None:
    load_tiny_catalog(store)
    around = sorted(
        (e.src_id, e.rel, e.dst_id) for e in edges_touching(store, [("model", "alice/llama-7b-chat")])
    )
    assert around == [
        ("alice/llama-7b-chat", "finetune_of", "meta/llama-7b"),
        ("alice/llama-7b-chat", "has_task", "text-generation"),
        ("alice/llama-7b-chat", "runs_in", "vllm"),
        ("alice/llama-7b-chat", "uses_library", "transformers"),
        ("bob/llama-7b-chat-gguf", "quantized_from", "alice/llama-7b-chat"),
        ("carol/llama-7b-chat-lora", "adapter_of", "alice/llama-7b-chat"),
    ]
    only = edges_touching(store, [("model", "alice/llama-7b-chat")], rels=["runs_in", "has_task"])
    assert sorted(e.rel for e in only) == ["has_task", "runs_in"]


def test_revision_0004_adds_the_status_column_and_its_downgrade_takes_it_away(store: Store) -> None:
    load_tiny_catalog(store)
    columns = ["src_kind", "src_id", "rel", "dst_kind", "dst_id"]
    store.downgrade("0003")
    assert store.query("SELECT * FROM edges LIMIT 0").columns == columns
    before = store.count("edges")
    store.upgrade()
    assert store.query("SELECT * FROM edges LIMIT 0").columns == [*columns, "status"]
    assert store.count("edges") == before  # the same rows, one more column
    assert store.query("SELECT status FROM edges WHERE dst_id = 'groq'").rows == [("live",)]

"""Lineage as the Hub derives it, on the shapes of real Hub records, through the crawler into the store.

The Hub writes a model's ``base_model:<id>`` and ``base_model:<relation>:<id>`` tags from its card
and resolves a renamed base to the base's current id; ``cardData`` keeps the name the card was
written with. The tags are the truth where they name a base; the card counts only where they do not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog.crawl import crawl_snapshot
from catalog.hub.snapshot import write_snapshot
from catalog.normalize import normalize_model
from catalog.store import Store
from tests.hub_records import LLAMA_31_8B_INSTRUCT

#: The shape the Hub gives a merge of several models (a mergekit card lists its bases and says
#: ``base_model_relation: merge``; the Hub tags each base with ``merge``). Made-up ids.
MERGE: dict[str, Any] = {
    "id": "someone/merged-7b",
    "tags": [
        "base_model:org/model-a",
        "base_model:merge:org/model-a",
        "base_model:org/model-b",
        "base_model:merge:org/model-b",
    ],
    "cardData": {"base_model": ["org/model-a", "org/model-b"], "base_model_relation": "merge"},
}


def lineage(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (r["base_model_id"], r["relation"], r["source"])
        for r in normalize_model(record).children["model_lineage"]
    ]


def test_a_renamed_base_on_the_card_is_not_a_second_base() -> None:
    assert lineage(LLAMA_31_8B_INSTRUCT) == [("meta-llama/Llama-3.1-8B", "finetune", "tag")]


def test_a_multi_base_merge_is_a_merge_of_each_base() -> None:
    assert lineage(MERGE) == [("org/model-a", "merge", "tag"), ("org/model-b", "merge", "tag")]


def test_the_card_counts_only_where_no_tag_names_a_base() -> None:
    card_only = {"id": "u/ft", "tags": ["transformers"], "cardData": {"base_model": "org/base"}}
    assert lineage(card_only) == [("org/base", "finetune", "card")]
    # The card's relation is read where the card decides.
    adapter = {"id": "u/lora", "cardData": {"base_model": "org/base", "base_model_relation": "adapter"}}
    assert lineage(adapter) == [("org/base", "adapter", "card")]
    quantized = {"id": "u/q", "cardData": {"base_model": ["org/base"], "base_model_relation": "quantized"}}
    assert lineage(quantized) == [("org/base", "quantized", "card")]
    # Several card bases and no relation: a merge; one base called a merge is a finetune.
    several = {"id": "u/m", "cardData": {"base_model": ["org/a", "org/b", "org/a"]}}
    assert lineage(several) == [("org/a", "merge", "card"), ("org/b", "merge", "card")]
    single = {"id": "u/s", "cardData": {"base_model": "org/a", "base_model_relation": "merge"}}
    assert lineage(single) == [("org/a", "finetune", "card")]
    # A relation the Hub does not know leaves the default; the tags still win over the card's relation.
    odd = {"id": "u/o", "cardData": {"base_model": "org/a", "base_model_relation": "<b>distilled</b>"}}
    assert lineage(odd) == [("org/a", "finetune", "card")]
    tagged = {
        "id": "u/t",
        "tags": ["base_model:quantized:org/a"],
        "cardData": {"base_model": "org/a", "base_model_relation": "adapter"},
    }
    assert lineage(tagged) == [("org/a", "quantized", "tag")]


def test_a_model_is_never_its_own_base_and_bad_card_values_are_bad_records() -> None:
    assert lineage({"id": "u/x", "tags": ["base_model:u/x"], "cardData": {"base_model": "org/a"}}) == [
        ("org/a", "finetune", "card")
    ]
    from catalog.errors import RecordError

    with pytest.raises(RecordError, match="cardData.base_model_relation: expected a string"):
        normalize_model({"id": "u/y", "cardData": {"base_model": "org/a", "base_model_relation": ["merge"]}})
    with pytest.raises(RecordError, match="cardData.base_model: expected a string or a list"):
        normalize_model({"id": "u/z", "cardData": {"base_model": {"id": "org/a"}}})


def test_the_crawled_store_holds_one_finetune_row_with_its_source(store: Store, tmp_path: Path) -> None:
    card_only = {
        "id": "u/card-ft",
        "tags": [],
        "cardData": {"base_model": "meta-llama/Llama-3.1-8B-Instruct"},
    }
    write_snapshot(tmp_path / "snap", models=[LLAMA_31_8B_INSTRUCT, MERGE, card_only])
    summary = crawl_snapshot(store, tmp_path / "snap")
    assert summary.rejects == 0
    rows = store.query(
        "SELECT model_id, base_model_id, relation, source FROM model_lineage ORDER BY 1, 2"
    ).rows
    assert [tuple(r) for r in rows] == [
        ("meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B", "finetune", "tag"),
        ("someone/merged-7b", "org/model-a", "merge", "tag"),
        ("someone/merged-7b", "org/model-b", "merge", "tag"),
        ("u/card-ft", "meta-llama/Llama-3.1-8B-Instruct", "finetune", "card"),
    ]
    edges = store.query("SELECT rel, COUNT(*) FROM edges WHERE rel LIKE '%_of' GROUP BY rel ORDER BY 1").rows
    assert [tuple(e) for e in edges] == [("finetune_of", 2), ("merge_of", 2)]


def test_revision_0003_labels_the_rows_already_stored(store: Store) -> None:
    store.downgrade("0002")
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO models (id, first_seen) VALUES ('u/a', '2024-01-01'), ('u/b', '2024-01-01')"
        )
        conn.exec_driver_sql(
            "INSERT INTO model_tags (model_id, tag) VALUES ('u/a', 'base_model:finetune:org/x')"
        )
        conn.exec_driver_sql(
            "INSERT INTO model_lineage (model_id, base_model_id, relation) "
            "VALUES ('u/a', 'org/x', 'finetune'), ('u/b', 'org/y', 'finetune')"
        )
    store.upgrade("0003")
    rows = store.query("SELECT model_id, source FROM model_lineage ORDER BY 1").rows
    assert [tuple(r) for r in rows] == [("u/a", "tag"), ("u/b", "card")]
    assert store.count("edges") == 2
    store.downgrade("0002")
    assert [tuple(r) for r in store.query("SELECT * FROM model_lineage ORDER BY 1").rows] == [
        ("u/a", "org/x", "finetune"),
        ("u/b", "org/y", "finetune"),
    ]
    store.upgrade()

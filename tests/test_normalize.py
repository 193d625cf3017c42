"""Raw Hub records -> rows: lineage, providers, parameters, dates, and the reasons bad records are set aside."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from catalog.errors import RecordError
from catalog.normalize import (
    app_rows,
    library_rows,
    normalize_dataset,
    normalize_model,
    normalize_space,
    provider_rows,
    task_rows,
)
from tests.hub_records import LLAMA_31_8B_INSTRUCT


def lineage(raw: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["base_model_id"], r["relation"]) for r in normalize_model(raw).children["model_lineage"]]


def test_a_whole_model_row() -> None:
    # The recorded record (its real tags, card and config), with the figures, weights, providers and
    # dataset tag it has not, and a field the Hub may add later.
    raw = {
        **LLAMA_31_8B_INSTRUCT,
        "_id": "64f0",
        "author": "meta-llama",
        "tags": [*LLAMA_31_8B_INSTRUCT["tags"], "dataset:HuggingFaceH4/ultrachat_200k"],
        "downloads": 5_000_000,
        "downloadsAllTime": 90_000_000,
        "likes": 4000,
        "trendingScore": 12,
        "createdAt": "2024-07-18T08:56:00.000Z",
        "lastModified": "2024-09-25T17:00:57.000Z",
        "private": False,
        "gated": "manual",
        "disabled": False,
        "sha": "0e9e39f2",
        "safetensors": {"parameters": {"BF16": 8_030_261_248}, "total": 8_030_261_248},
        "inferenceProviderMapping": [
            {
                "provider": "together",
                "providerId": "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
                "status": "live",
                "task": "conversational",
            },
            {
                "provider": "novita",
                "providerId": "meta-llama/llama-3.1-8b-instruct",
                "status": "staging",
                "task": "conversational",
                "adapter": None,
            },
        ],
        "spaces": ["u/chat"],
        "someFieldTheHubAddsLater": {"x": 1},
    }
    n = normalize_model(raw)
    assert n.row == {
        "id": "meta-llama/Llama-3.1-8B-Instruct",
        "author": "meta-llama",
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "created_at": datetime(2024, 7, 18, 8, 56, tzinfo=UTC),
        "last_modified": datetime(2024, 9, 25, 17, 0, 57, tzinfo=UTC),
        "downloads": 5_000_000,
        "downloads_all_time": 90_000_000,
        "likes": 4000,
        "trending_score": 12,
        "private": False,
        "gated": "manual",
        "disabled": False,
        "sha": "0e9e39f2",
        "license": "llama3.1",
        "num_parameters": 8_030_261_248,
        "parameters": {"BF16": 8_030_261_248},
        "parameters_source": "safetensors",
        "gguf_architecture": None,
        "gguf_context_length": None,
        "config_model_type": "llama",
        "config_architectures": ["LlamaForCausalLM"],
        "card_data": raw["cardData"],
        "raw": {k: v for k, v in raw.items() if k != "cardData"},  # the card is in card_data alone
    }
    assert n.row["raw"]["someFieldTheHubAddsLater"] == {"x": 1}  # unknown fields are kept
    assert n.children["model_lineage"] == [
        {
            "model_id": n.id,
            "base_model_id": "meta-llama/Llama-3.1-8B",
            "relation": "finetune",
            "source": "tag",
        }
    ]
    assert n.children["model_datasets"] == [{"model_id": n.id, "dataset_id": "HuggingFaceH4/ultrachat_200k"}]
    assert n.children["model_providers"] == [
        {
            "model_id": n.id,
            "provider_id": "together",
            "provider_model_id": "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
            "status": "live",
            "task": "conversational",
        },
        {
            "model_id": n.id,
            "provider_id": "novita",
            "provider_model_id": "meta-llama/llama-3.1-8b-instruct",
            "status": "staging",
            "task": "conversational",
        },
    ]
    assert [r["tag"] for r in n.children["model_tags"]] == raw["tags"]
    assert [r["app_id"] for r in n.children["model_apps"]] == ["vllm", "sglang", "tgi", "docker-model-runner"]
    assert n.history == {
        "model_id": n.id,
        "downloads": 5_000_000,
        "downloads_all_time": 90_000_000,
        "likes": 4000,
        "trending_score": 12,
    }


def test_lineage_of_the_four_kinds_from_tags() -> None:
    for relation in ("finetune", "adapter", "quantized", "merge"):
        raw = {"id": "u/child", "tags": [f"base_model:{relation}:org/base", "base_model:org/base"]}
        assert lineage(raw) == [("org/base", relation)]


def test_a_merge_of_several_parents() -> None:
    tagged = {
        "id": "u/merged",
        "tags": ["base_model:merge:a/one", "base_model:merge:b/two", "base_model:merge:c/three"],
    }
    assert lineage(tagged) == [("a/one", "merge"), ("b/two", "merge"), ("c/three", "merge")]
    # Only cardData.base_model, as a list: several parents are a merge, one is a finetune.
    assert lineage({"id": "u/m", "cardData": {"base_model": ["a/one", "b/two"]}}) == [
        ("a/one", "merge"),
        ("b/two", "merge"),
    ]
    assert lineage({"id": "u/f", "cardData": {"base_model": ["a/one"]}}) == [("a/one", "finetune")]
    assert lineage({"id": "u/f", "cardData": {"base_model": "a/one"}}) == [("a/one", "finetune")]


def test_lineage_tags_win_over_card_data_and_self_references_go() -> None:
    raw = {
        "id": "u/q",
        "tags": ["base_model:quantized:a/one", "base_model:u/q"],
        "cardData": {"base_model": "a/one"},
    }
    assert lineage(raw) == [("a/one", "quantized")]


def test_provider_mapping_in_model_info_dict_form() -> None:
    n = normalize_model(
        {
            "id": "o/m",
            "inferenceProviderMapping": {
                "groq": {"providerId": "llama-3.1-8b-instant", "status": "live", "task": "conversational"},
                "hf-inference": {"providerId": "o/m", "status": "error", "task": "text-generation"},
            },
        }
    )
    assert n.children["model_providers"] == [
        {
            "model_id": "o/m",
            "provider_id": "groq",
            "provider_model_id": "llama-3.1-8b-instant",
            "status": "live",
            "task": "conversational",
        },
        {
            "model_id": "o/m",
            "provider_id": "hf-inference",
            "provider_model_id": "o/m",
            "status": "error",
            "task": "text-generation",
        },
    ]


def test_parameters_from_gguf_when_no_safetensors() -> None:
    n = normalize_model(
        {
            "id": "bartowski/Qwen2.5-7B-Instruct-GGUF",
            "tags": ["gguf"],
            "gguf": {"total": 7_615_616_512, "architecture": "qwen2", "context_length": 32768},
        }
    )
    row = n.row
    assert (
        row["num_parameters"],
        row["parameters"],
        row["parameters_source"],
        row["gguf_architecture"],
        row["gguf_context_length"],
    ) == (7_615_616_512, None, "gguf", "qwen2", 32768)
    both = normalize_model(
        {"id": "o/m", "gguf": {"total": 5}, "safetensors": {"parameters": {"F32": 9}, "total": 9}}
    )
    assert (both.row["num_parameters"], both.row["parameters_source"]) == (9, "safetensors")
    none = normalize_model({"id": "o/m"})
    assert (none.row["num_parameters"], none.row["parameters_source"], none.row["author"]) == (
        None,
        None,
        "o",
    )


@pytest.mark.parametrize(
    ("gated", "stored"), [(False, "false"), ("auto", "auto"), ("manual", "manual"), (None, None)]
)
def test_gated(gated: object, stored: str | None) -> None:
    assert normalize_model({"id": "o/m", "gated": gated}).row["gated"] == stored


def test_dates_in_the_hubs_formats() -> None:
    row = normalize_model(
        {"id": "o/m", "createdAt": "2022-03-02T23:29:04.000Z", "lastModified": "2024-05-01T10:00:00+02:00"}
    ).row
    assert row["created_at"] == datetime(2022, 3, 2, 23, 29, 4, tzinfo=UTC)
    assert row["last_modified"] == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert normalize_model({"id": "o/m", "createdAt": "2023-01-05T10:00:00Z"}).row["created_at"] == datetime(
        2023, 1, 5, 10, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"id": "a/b", "safetensors": {"parameters": {"BF16": 10}}}, "safetensors: missing 'total'"),
        ({"id": "a/b", "safetensors": "big"}, "safetensors: expected an object, got 'big'"),
        ({"id": "a/b", "tags": "gguf"}, "tags: expected a list of strings, got 'gguf'"),
        ({"id": "a/b", "downloads": "many"}, "downloads: expected an integer, got 'many'"),
        ({"id": "a/b", "downloads": 2**63}, "downloads: 9223372036854775808 does not fit a 64-bit integer"),
        ({"id": "a/b", "likes": 2**31}, "likes: 2147483648 does not fit a 32-bit integer"),
        (
            {"id": "a/b", "createdAt": "0001-01-01T00:00:00+01:00"},
            "createdAt: out of range in UTC: '0001-01-01T00:00:00+01:00'",
        ),
        ({"id": "a/b", "createdAt": "2024-13-45"}, "createdAt: not an ISO-8601 date: '2024-13-45'"),
        (
            {"id": "a/b", "lastModified": "2024-01-01T00:00:00"},
            "lastModified: a date without a time zone: '2024-01-01T00:00:00'",
        ),
        ({"id": "a/b", "cardData": ["license: mit"]}, "cardData: expected an object, got ['license: mit']"),
        (
            {"id": "a/b", "cardData": {"base_model": 7}},
            "cardData.base_model: expected a string or a list, got 7",
        ),
        ({"id": "a/b", "gated": "sometimes"}, "gated: expected false, 'auto' or 'manual', got 'sometimes'"),
        ({"id": "a/b", "gated": 0}, "gated: expected false, 'auto' or 'manual', got 0"),
        ({"id": "a/b", "gated": ["auto"]}, "gated: expected false, 'auto' or 'manual', got ['auto']"),
        (
            {"id": "a/b", "inferenceProviderMapping": "together"},
            "inferenceProviderMapping: expected a list or an object, got 'together'",
        ),
        (
            {"id": "a/b", "inferenceProviderMapping": [{"providerId": "x"}]},
            "inferenceProviderMapping: an entry without a provider: {'providerId': 'x'}",
        ),
        ({"modelId": "a/b"}, "id: missing or not a string: None"),
        (["a/b"], "expected a JSON object, got ['a/b']"),
    ],
)
def test_malformed_records_say_why(raw: Any, reason: str) -> None:
    with pytest.raises(RecordError) as caught:
        normalize_model(raw)
    assert str(caught.value) == reason


def test_a_huge_card_is_kept_whole() -> None:
    card = {"license": "mit", "widget": [{"text": "x" * 1000}] * 500, "odd": {"nested": [1, {"a": None}]}}
    n = normalize_model({"id": "a/b", "cardData": card})
    assert n.row["card_data"] is card and n.row["license"] == "mit"


def test_space_and_dataset_rows() -> None:
    space = normalize_space(
        {
            "id": "HuggingFaceH4/open_llm_leaderboard",
            "author": "HuggingFaceH4",
            "sdk": "gradio",
            "likes": 13000,
            "trendingScore": 3,
            "createdAt": "2023-04-25T00:00:00.000Z",
            "lastModified": "2024-06-01T00:00:00.000Z",
            "runtime": {
                "stage": "RUNNING",
                "hardware": {"current": "cpu-upgrade", "requested": "cpu-upgrade"},
            },
            "models": ["o/a", "o/b", "o/a"],
            "datasets": ["open-llm-leaderboard/contents"],
            "tags": ["gradio"],
        }
    )
    assert {k: v for k, v in space.row.items() if k != "raw"} == {
        "id": "HuggingFaceH4/open_llm_leaderboard",
        "author": "HuggingFaceH4",
        "sdk": "gradio",
        "likes": 13000,
        "trending_score": 3,
        "runtime_stage": "RUNNING",
        "hardware": "cpu-upgrade",
        "created_at": datetime(2023, 4, 25, tzinfo=UTC),
        "last_modified": datetime(2024, 6, 1, tzinfo=UTC),
    }
    assert space.children == {
        "space_models": [
            {"space_id": space.id, "model_id": "o/a"},
            {"space_id": space.id, "model_id": "o/b"},
        ],
        "space_datasets": [{"space_id": space.id, "dataset_id": "open-llm-leaderboard/contents"}],
    }
    dataset = normalize_dataset(
        {
            "id": "rajpurkar/squad",
            "downloads": 100,
            "likes": 5,
            "tags": ["task_categories:question-answering", "language:en", "language:en"],
        }
    )
    assert dataset.row["task_categories"] == ["question-answering"]
    assert [r["tag"] for r in dataset.children["dataset_tags"]] == [
        "task_categories:question-answering",
        "language:en",
    ]


def test_reference_rows() -> None:
    tags_by_type = {
        "pipeline_tag": [
            {
                "id": "text-classification",
                "label": "Text Classification",
                "type": "pipeline_tag",
                "subType": "nlp",
            }
        ],
        "library": [{"id": "setfit", "label": "setfit", "type": "library"}],
    }
    tasks = {
        "text-classification": {
            "id": "text-classification",
            "label": "Text Classification",
            "libraries": ["setfit", "transformers"],
        }
    }
    rows = task_rows(tasks, tags_by_type)
    assert rows[0] == {
        "id": "text-classification",
        "name": "Text Classification",
        "modality": "nlp",
        "parent_id": None,
    }
    assert rows[1] == {
        "id": "acceptability-classification",
        "name": "Acceptability Classification",
        "modality": "nlp",
        "parent_id": "text-classification",
    }
    assert len(rows) == 18  # the task and its 17 subtasks
    libraries, links = library_rows(tasks, tags_by_type)
    assert libraries == [
        {
            "id": "setfit",
            "label": "setfit",
            "repo_url": "https://github.com/huggingface/setfit",
            "docs_url": "https://huggingface.co/docs/hub/setfit",
        }
    ]
    assert links == [{"library_id": "setfit", "task_id": "text-classification"}]
    assert len(app_rows()) == 24
    providers, provider_tasks = provider_rows({"together": {"text-to-image": 0, "conversational": 0}})
    assert providers == [{"id": "together", "label": "Together AI", "hub_org": "togethercomputer"}]
    assert provider_tasks == [
        {"provider_id": "together", "task_id": "conversational"},
        {"provider_id": "together", "task_id": "text-to-image"},
    ]

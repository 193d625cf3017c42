"""docs/schema.md is the public SQL interface: it must cover the schema, and its examples must run.

Every ```sql block of the page carries ``-- example: <name>`` (and optionally ``-- dialect: <name>``);
each runs on a small made-up catalog, on SQLite and on PostgreSQL, and must return exactly the rows
recorded here for its name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, Integer, String
from sqlalchemy.types import TypeEngine

from catalog.records import KINDS, RELS
from catalog.schema import Base
from catalog.store import Store, upsert
from tests.databases import BACKENDS, database_url

DOCS = Path(__file__).resolve().parent.parent / "docs" / "schema.md"


def _day(day: int) -> datetime:
    return datetime(2026, 11, day, tzinfo=UTC)


def _model(
    id: str,
    task: str | None,
    library: str | None,
    downloads: int,
    params: int | None,
    license: str,
    **extra: Any,
) -> dict[str, Any]:
    row = {
        "id": id,
        "author": id.split("/")[0],
        "pipeline_tag": task,
        "library_name": library,
        "downloads": downloads,
        "num_parameters": params,
        "license": license,
        "deleted_at": None,
        "parameters": None,
    }
    return row | extra


LLAMA, INSTRUCT = "meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-8B-Instruct"
GGUF, LORA, MERGE = "bartowski/Llama-3.1-8B-Instruct-GGUF", "you/llama-lora", "you/llama-merge"
BERT, NER, MINILM = "google-bert/bert-base-uncased", "you/bert-ner", "sentence-transformers/all-MiniLM-L6-v2"
GONE = "gone/bert-copy"
B8 = 8_030_261_248

#: A made-up catalog: nine models (one deleted) around two base models, with everything around them.
CATALOG: dict[str, list[dict[str, Any]]] = {
    "tasks": [
        {"id": "fill-mask", "name": "Fill-Mask", "modality": "nlp", "parent_id": None},
        {"id": "sentence-similarity", "name": "Sentence Similarity", "modality": "nlp", "parent_id": None},
        {"id": "text-generation", "name": "Text Generation", "modality": "nlp", "parent_id": None},
        {"id": "token-classification", "name": "Token Classification", "modality": "nlp", "parent_id": None},
        {
            "id": "named-entity-recognition",
            "name": "Named Entity Recognition",
            "modality": "nlp",
            "parent_id": "token-classification",
        },
    ],
    "libraries": [
        {"id": "transformers", "label": "Transformers"},
        {"id": "peft", "label": "PEFT"},
        {"id": "gguf", "label": "GGUF"},
        {"id": "sentence-transformers", "label": "sentence-transformers"},
    ],
    "library_tasks": [
        {"library_id": "transformers", "task_id": "fill-mask"},
        {"library_id": "transformers", "task_id": "text-generation"},
        {"library_id": "transformers", "task_id": "token-classification"},
        {"library_id": "peft", "task_id": "text-generation"},
        {"library_id": "sentence-transformers", "task_id": "sentence-similarity"},
    ],
    "apps": [
        {"id": "llama.cpp", "label": "llama.cpp", "main_task": "text-generation"},
        {"id": "ollama", "label": "Ollama", "main_task": "text-generation"},
        {"id": "vllm", "label": "vLLM", "main_task": "text-generation"},
    ],
    "providers": [
        {"id": "groq", "label": "Groq", "hub_org": "groq"},
        {"id": "together", "label": "Together AI", "hub_org": "togethercomputer"},
    ],
    "provider_tasks": [
        {"provider_id": "groq", "task_id": "conversational"},
        {"provider_id": "together", "task_id": "conversational"},
        {"provider_id": "together", "task_id": "text-generation"},
    ],
    "models": [
        _model(LLAMA, "text-generation", "transformers", 5_000_000, B8, "llama3.1", parameters={"BF16": B8}),
        _model(
            INSTRUCT, "text-generation", "transformers", 6_000_000, B8, "llama3.1", parameters={"BF16": B8}
        ),
        _model(GGUF, "text-generation", "gguf", 300_000, B8, "llama3.1"),
        _model(LORA, "text-generation", "peft", 1_200, None, "apache-2.0"),
        _model(MERGE, "text-generation", "transformers", 50, B8, "llama3.1", parameters={"BF16": B8}),
        _model(
            BERT,
            "fill-mask",
            "transformers",
            50_000_000,
            110_106_428,
            "apache-2.0",
            parameters={"F32": 110_106_428},
        ),
        _model(
            NER,
            "token-classification",
            "transformers",
            900,
            108_893_186,
            "mit",
            parameters={"F32": 108_893_186},
        ),
        _model(
            MINILM,
            "sentence-similarity",
            "sentence-transformers",
            80_000_000,
            22_713_216,
            "apache-2.0",
            parameters={"F32": 22_713_216},
        ),
        _model(
            GONE,
            "fill-mask",
            "transformers",
            10,
            110_106_428,
            "apache-2.0",
            parameters={"BF16": 110_106_428},
            deleted_at=_day(20),
        ),
    ],
    "model_lineage": [
        {"model_id": INSTRUCT, "base_model_id": LLAMA, "relation": "finetune"},
        {"model_id": GGUF, "base_model_id": INSTRUCT, "relation": "quantized"},
        {"model_id": LORA, "base_model_id": INSTRUCT, "relation": "adapter"},
        {"model_id": MERGE, "base_model_id": INSTRUCT, "relation": "merge"},
        {"model_id": MERGE, "base_model_id": "nvidia/Llama-3.1-Nemotron-8B", "relation": "merge"},
        {"model_id": NER, "base_model_id": BERT, "relation": "finetune"},
        {"model_id": GONE, "base_model_id": BERT, "relation": "finetune"},
    ],
    "model_tags": [
        {"model_id": model, "tag": tag}
        for model, tags in {
            LLAMA: ["en", "license:llama3.1", "transformers"],
            INSTRUCT: ["conversational", "de", "en", "license:llama3.1", "transformers"],
            GGUF: ["conversational", "en", "gguf", "license:llama3.1"],
            LORA: ["en", "license:apache-2.0", "peft"],
            MERGE: ["license:llama3.1", "mergekit", "transformers"],
            BERT: ["dataset:bookcorpus", "en", "license:apache-2.0", "transformers"],
            NER: ["dataset:eriktks/conll2003", "en", "license:mit"],
            MINILM: ["en", "license:apache-2.0", "sentence-transformers"],
            GONE: ["dataset:bookcorpus", "license:apache-2.0", "transformers"],
        }.items()
        for tag in tags
    ],
    "datasets": [
        {
            "id": "eriktks/conll2003",
            "author": "eriktks",
            "downloads": 20_000,
            "task_categories": ["token-classification"],
        },
    ],
    "dataset_tags": [
        {"dataset_id": "eriktks/conll2003", "tag": "task_categories:token-classification"},
        {"dataset_id": "eriktks/conll2003", "tag": "language:en"},
    ],
    "model_datasets": [
        {"model_id": BERT, "dataset_id": "bookcorpus"},
        {"model_id": NER, "dataset_id": "eriktks/conll2003"},
        {"model_id": GONE, "dataset_id": "bookcorpus"},
    ],
    "model_providers": [
        {
            "model_id": INSTRUCT,
            "provider_id": "groq",
            "provider_model_id": "llama-3.1-8b-instant",
            "status": "live",
            "task": "conversational",
        },
        {
            "model_id": INSTRUCT,
            "provider_id": "together",
            "provider_model_id": "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
            "status": "live",
            "task": "conversational",
        },
        {
            "model_id": LLAMA,
            "provider_id": "together",
            "provider_model_id": "meta-llama/Meta-Llama-3.1-8B",
            "status": "staging",
            "task": "text-generation",
        },
    ],
    "model_apps": [
        {"model_id": GGUF, "app_id": "llama.cpp"},
        {"model_id": GGUF, "app_id": "ollama"},
        {"model_id": LLAMA, "app_id": "vllm"},
        {"model_id": INSTRUCT, "app_id": "vllm"},
        {"model_id": MERGE, "app_id": "vllm"},
    ],
    "spaces": [
        {
            "id": "you/chat-demo",
            "author": "you",
            "sdk": "gradio",
            "runtime_stage": "RUNNING",
            "hardware": "cpu-basic",
            "deleted_at": None,
        },
        {
            "id": "you/ner-demo",
            "author": "you",
            "sdk": "streamlit",
            "runtime_stage": "SLEEPING",
            "hardware": "cpu-basic",
            "deleted_at": None,
        },
    ],
    "space_models": [
        {"space_id": "you/chat-demo", "model_id": INSTRUCT},
        {"space_id": "you/chat-demo", "model_id": GGUF},
        {"space_id": "you/ner-demo", "model_id": NER},
    ],
    "space_datasets": [{"space_id": "you/ner-demo", "dataset_id": "eriktks/conll2003"}],
    "crawl_runs": [
        {
            "id": run,
            "started_at": _day(day),
            "finished_at": _day(day),
            "endpoint": "https://huggingface.co",
            "mode": "full",
            "status": "finished",
            "counts": {"models": 9},
        }
        for run, day in ((1, 1), (2, 15), (3, 29))
    ],
    "model_history": [
        {"run_id": run, "model_id": model, "downloads": downloads}
        for model, series in {
            LLAMA: (4_800_000, 4_900_000, 5_000_000),
            INSTRUCT: (5_000_000, 5_600_000, 6_000_000),
            GGUF: (100_000, 200_000, 300_000),
        }.items()
        for run, downloads in zip((1, 2, 3), series)
    ],
    "rejects": [
        {
            "id": 1,
            "run_id": 1,
            "kind": "model",
            "record_id": "old/bad",
            "raw": '{"id": "old/bad"}',
            "reason": "downloads: expected an integer, got 'many'",
        },
        {
            "id": 2,
            "run_id": 3,
            "kind": "model",
            "record_id": "bad/model",
            "raw": '{"id": "bad/model", "safetensors": {}}',
            "reason": "safetensors: missing 'total'",
        },
        {
            "id": 3,
            "run_id": 3,
            "kind": "dataset",
            "record_id": "x/bad-dates",
            "raw": '{"id": "x/bad-dates", "createdAt": "yesterday"}',
            "reason": "createdAt: not an ISO-8601 date: 'yesterday'",
        },
    ],
}

EXPECTED: dict[str, list[tuple[Any, ...]]] = {
    "top-models-by-task": [
        ("fill-mask", BERT, 50_000_000),
        ("sentence-similarity", MINILM, 80_000_000),
        ("text-generation", INSTRUCT, 6_000_000),
        ("text-generation", LLAMA, 5_000_000),
        ("token-classification", NER, 900),
    ],
    "models-per-task": [
        ("text-generation", "Text Generation", 5),
        ("fill-mask", "Fill-Mask", 1),
        ("sentence-similarity", "Sentence Similarity", 1),
        ("token-classification", "Token Classification", 1),
    ],
    "lineage-ancestors": [(1, "quantized", INSTRUCT), (2, "finetune", LLAMA)],
    "lineage-descendants": [
        (1, INSTRUCT, "finetune", 6_000_000),
        (2, GGUF, "quantized", 300_000),
        (2, LORA, "adapter", 1_200),
        (2, MERGE, "merge", 50),
    ],
    "models-a-provider-serves": [
        ("groq", INSTRUCT, "llama-3.1-8b-instant", "conversational"),
        ("together", INSTRUCT, "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "conversational"),
    ],
    "apps-by-library": [
        ("gguf", "llama.cpp", "llama.cpp", 1),
        ("gguf", "ollama", "Ollama", 1),
        ("transformers", "vllm", "vLLM", 3),
    ],
    "libraries-for-a-task": [("transformers", "Transformers", 3), ("peft", "PEFT", 1)],
    "parameter-buckets": [("unknown", 1), ("under 1B", 3), ("1B to 10B", 4)],
    "downloads-trend": [(1, 5_000_000, None), (2, 5_600_000, 600_000), (3, 6_000_000, 400_000)],
    "downloads-growth": [
        (INSTRUCT, 5_000_000, 6_000_000, 1_000_000),
        (GGUF, 100_000, 300_000, 200_000),
        (LLAMA, 4_800_000, 5_000_000, 200_000),
    ],
    "rejects-of-the-last-run": [
        ("dataset", "x/bad-dates", "createdAt: not an ISO-8601 date: 'yesterday'"),
        ("model", "bad/model", "safetensors: missing 'total'"),
    ],
    "edges-by-rel": [
        ("adapter_of", "model", "model", 1),
        ("finetune_of", "model", "model", 2),  # the deleted model's finetune_of is left out
        ("has_task", "model", "task", 8),
        ("merge_of", "model", "model", 2),
        ("quantized_from", "model", "model", 1),
        ("runs_in", "model", "app", 5),
        ("served_by", "model", "provider", 3),
        ("supports_task", "library", "task", 5),
        ("supports_task", "provider", "task", 3),
        ("trained_on", "model", "dataset", 2),
        ("uses_dataset", "space", "dataset", 1),
        ("uses_library", "model", "library", 8),
        ("uses_model", "space", "model", 3),
    ],
    "provider-edges-by-status": [("groq", "live", 1), ("together", "live", 1), ("together", "staging", 1)],
    "neighbours-of-a-model": [
        ("in", "adapter_of", "model", LORA),
        ("in", "merge_of", "model", MERGE),
        ("in", "quantized_from", "model", GGUF),
        ("in", "uses_model", "space", "you/chat-demo"),
        ("out", "finetune_of", "model", LLAMA),
        ("out", "has_task", "task", "text-generation"),
        ("out", "runs_in", "app", "vllm"),
        ("out", "served_by", "provider", "groq"),
        ("out", "served_by", "provider", "together"),
        ("out", "uses_library", "library", "transformers"),
    ],
    "spaces-using-a-task": [
        ("you/chat-demo", "gradio", "RUNNING", GGUF),
        ("you/chat-demo", "gradio", "RUNNING", INSTRUCT),
    ],
    "training-datasets": [("bookcorpus", 1, None), ("eriktks/conll2003", 1, 20_000)],
    "common-tags": [("en", 7), ("license:llama3.1", 4), ("transformers", 4)],
    "subtasks": [("named-entity-recognition", "Token Classification")],
    "bf16-models-sqlite": [(LLAMA, B8), (INSTRUCT, B8), (MERGE, B8)],
    "bf16-models-postgresql": [(LLAMA, B8), (INSTRUCT, B8), (MERGE, B8)],
}


def parse_examples(markdown: str) -> dict[str, tuple[str, str | None]]:
    """Return name -> (sql, dialect or None) for every ```sql block of ``markdown``.

    Examples
    --------
    >>> parse_examples("```sql\\n-- example: one\\nSELECT 1;\\n```")
    {'one': ('-- example: one\\nSELECT 1', None)}
    """
    examples: dict[str, tuple[str, str | None]] = {}
    for block in re.findall(r"^```sql\n(.*?)^```", markdown, flags=re.S | re.M):
        name = re.search(r"^-- example: (\S+)$", block, flags=re.M)
        if name is None:
            raise AssertionError(f"a ```sql block without '-- example: <name>':\n{block}")
        if name[1] in examples:
            raise AssertionError(f"two examples named {name[1]!r}")
        dialect = re.search(r"^-- dialect: (\S+)$", block, flags=re.M)
        examples[name[1]] = (block.strip().rstrip(";"), dialect[1] if dialect else None)
    return examples


EXAMPLES = parse_examples(DOCS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=BACKENDS)
def catalog(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The made-up catalog, loaded once per backend for the whole module."""
    with database_url(request.param, tmp_path_factory.mktemp("docs")) as url, Store.open(url) as store:
        with store.engine.begin() as conn:
            for table, rows in CATALOG.items():
                upsert(conn, table, rows)
        yield store


def _plain(value: Any) -> Any:
    # PostgreSQL hands back NUMERIC aggregates as Decimal; SQLite as int or float.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def test_every_example_has_expected_rows() -> None:
    assert sorted(EXAMPLES) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_query(catalog: Store, name: str) -> None:
    sql, dialect = EXAMPLES[name]
    if dialect is not None and dialect != catalog.dialect:
        pytest.skip(f"written for {dialect}")
    # Through the guard `catalog sql` uses: every example runs as a user would type it.
    with catalog.read_only_query(sql) as result:
        rows = [tuple(_plain(v) for v in row) for row in result]
    assert rows == EXPECTED[name]


# --- the page covers the schema -------------------------------------------------------------------

#: The type word the docs use for each column type (``Text`` is a ``String``).
TYPE_WORDS: list[tuple[type[TypeEngine[Any]], str]] = [
    (BigInteger, "bigint"),
    (Integer, "integer"),
    (Boolean, "boolean"),
    (Float, "float"),
    (DateTime, "timestamp"),
    (JSON, "json"),
    (String, "text"),
]


def _type_word(type_: TypeEngine[Any]) -> str:
    return next(word for cls, word in TYPE_WORDS if isinstance(type_, cls))


def documented_columns(markdown: str) -> dict[str, dict[str, str]]:
    """Return table -> column -> type word, from each ``### `table``` section's column table."""
    sections = re.split(r"^### `(\w+)`\n", markdown, flags=re.M)
    tables: dict[str, dict[str, str]] = {}
    for name, body in zip(sections[1::2], sections[2::2]):
        body = body.split("\n## ", 1)[0]
        tables[name] = dict(re.findall(r"^\| `(\w+)` \| (\w+) \|", body, flags=re.M))
    return tables


def test_every_table_and_column_is_documented_with_its_type() -> None:
    documented = documented_columns(DOCS.read_text(encoding="utf-8"))
    actual = {
        table.name: {column.name: _type_word(column.type) for column in table.columns}
        for table in Base.metadata.sorted_tables
    }
    assert documented == actual


def test_the_edges_view_and_its_vocabulary_are_documented() -> None:
    markdown = DOCS.read_text(encoding="utf-8")
    view = markdown.split("## The `edges` view", 1)[1].split("\n## ", 1)[0]
    columns_part, rels_part = view.split("\nKinds: ", 1)
    columns = re.findall(r"^\| `(\w+)` \| text \|", columns_part, flags=re.M)
    rels = re.findall(r"^\| `(\w+)` \| (\w+) \| (\w+)", rels_part, flags=re.M)
    with Store.open("sqlite://") as store:
        assert columns == store.query("SELECT * FROM edges LIMIT 0").columns
    assert sorted({rel for rel, _, _ in rels}) == sorted(RELS)
    assert {kind for _, src, dst in rels for kind in (src, dst)} == set(KINDS)
    assert "Kinds: " + ", ".join(f"`{kind}`" for kind in KINDS) + "." in view


def test_every_index_is_documented() -> None:
    markdown = DOCS.read_text(encoding="utf-8")
    indexes = markdown.split("## Indexes", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`(ix_\w+)`", indexes))
    actual = {str(index.name) for table in Base.metadata.tables.values() for index in table.indexes}
    assert documented == actual

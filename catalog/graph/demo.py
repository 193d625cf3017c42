"""A tiny literal catalog, made up, for examples, doctests and tests.

Ten models (one of them deleted from the Hub) with every kind of lineage step (finetune, adapter,
quantized, and a merge of two bases), providers live and staging, local apps, per-dtype parameter
counts and two crawl runs of history. The ids look like Hub ids; every count is invented.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from catalog.store import Store, upsert

__all__ = ["DEMO_ROWS", "demo_store", "load_demo"]


def _t(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _model(
    id: str,
    task: str,
    library: str,
    downloads: int,
    likes: int,
    trending: float | None,
    num_parameters: int,
    dtype: str | None,
    license: str,
    created: str,
    deleted: str | None = None,
) -> dict[str, Any]:
    return {
        "id": id,
        "author": id.split("/")[0],
        "pipeline_tag": task,
        "library_name": library,
        "downloads": downloads,
        "likes": likes,
        "trending_score": trending,
        "num_parameters": num_parameters,
        "parameters": {dtype: num_parameters} if dtype else None,
        "license": license,
        "created_at": _t(created),
        "deleted_at": _t(deleted) if deleted else None,
    }


_MODELS = [
    _model(
        "meta/llama-7b",
        "text-generation",
        "transformers",
        1000,
        50,
        5.0,
        6_738_000_000,
        "BF16",
        "llama2",
        "2023-07-18",
    ),
    _model(
        "alice/llama-7b-chat",
        "text-generation",
        "transformers",
        400,
        20,
        8.0,
        6_738_000_000,
        "BF16",
        "llama2",
        "2023-09-01",
    ),
    _model(
        "bob/llama-7b-chat-gguf",
        "text-generation",
        "gguf",
        300,
        5,
        2.0,
        6_738_000_000,
        None,
        "llama2",
        "2023-10-01",
    ),
    _model(
        "carol/llama-7b-chat-lora",
        "text-generation",
        "peft",
        50,
        2,
        0.5,
        4_194_304,
        "F32",
        "llama2",
        "2023-11-01",
    ),
    _model(
        "dave/llama-mistral-merge",
        "text-generation",
        "transformers",
        80,
        9,
        9.5,
        7_000_000_000,
        "BF16",
        "apache-2.0",
        "2024-01-10",
    ),
    _model(
        "mistralai/mistral-7b",
        "text-generation",
        "transformers",
        900,
        40,
        7.0,
        7_241_732_096,
        "BF16",
        "apache-2.0",
        "2023-09-27",
    ),
    _model(
        "big/llama-70b",
        "text-generation",
        "transformers",
        700,
        30,
        6.0,
        70_553_706_496,
        "BF16",
        "llama2",
        "2023-07-18",
    ),
    _model(
        "acme/bert-sentiment",
        "text-classification",
        "transformers",
        2000,
        12,
        1.0,
        109_482_240,
        "F32",
        "mit",
        "2022-03-02",
    ),
    _model(
        "timm/resnet50",
        "image-classification",
        "timm",
        1500,
        8,
        3.0,
        25_557_032,
        "F32",
        "apache-2.0",
        "2023-04-01",
    ),
    _model(
        "old/gone-model",
        "text-generation",
        "transformers",
        5000,
        1,
        None,
        124_000_000,
        None,
        "mit",
        "2021-01-01",
        deleted="2026-11-10",
    ),
]


def _rows(columns: str, *values: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Rows of a table as dicts: ``columns`` space-separated, one tuple of values per row."""
    names = columns.split()
    return [dict(zip(names, row, strict=True)) for row in values]


#: Every table of the demo catalog, in an order that satisfies the foreign keys.
DEMO_ROWS: dict[str, list[dict[str, Any]]] = {
    "tasks": [
        {"id": "text-generation", "name": "Text Generation", "modality": "nlp", "parent_id": None},
        {"id": "text-classification", "name": "Text Classification", "modality": "nlp", "parent_id": None},
        {"id": "image-classification", "name": "Image Classification", "modality": "cv", "parent_id": None},
    ],
    "libraries": [
        {"id": "transformers", "label": "Transformers", "repo_url": None, "docs_url": None},
        {"id": "gguf", "label": "GGUF", "repo_url": None, "docs_url": None},
        {"id": "peft", "label": "PEFT", "repo_url": None, "docs_url": None},
        {"id": "timm", "label": "timm", "repo_url": None, "docs_url": None},
    ],
    "apps": [
        {"id": "llama.cpp", "label": "llama.cpp", "docs_url": None, "main_task": "text-generation"},
        {"id": "ollama", "label": "Ollama", "docs_url": None, "main_task": "text-generation"},
        {"id": "vllm", "label": "vLLM", "docs_url": None, "main_task": "text-generation"},
    ],
    "providers": [
        {"id": "together", "label": "Together AI", "hub_org": "togethercomputer"},
        {"id": "groq", "label": "Groq", "hub_org": "groq"},
        {"id": "hf-inference", "label": "HF Inference API", "hub_org": "hf-inference"},
    ],
    "provider_tasks": _rows(
        "provider_id task_id",
        ("together", "text-generation"),
        ("groq", "text-generation"),
        ("hf-inference", "text-classification"),
        ("hf-inference", "image-classification"),
    ),
    "library_tasks": _rows(
        "library_id task_id",
        ("transformers", "text-generation"),
        ("transformers", "text-classification"),
        ("timm", "image-classification"),
    ),
    "models": _MODELS,
    "model_lineage": _rows(
        "model_id base_model_id relation",
        ("alice/llama-7b-chat", "meta/llama-7b", "finetune"),
        ("bob/llama-7b-chat-gguf", "alice/llama-7b-chat", "quantized"),
        ("carol/llama-7b-chat-lora", "alice/llama-7b-chat", "adapter"),
        ("dave/llama-mistral-merge", "meta/llama-7b", "merge"),
        ("dave/llama-mistral-merge", "mistralai/mistral-7b", "merge"),
        ("old/gone-model", "meta/llama-7b", "finetune"),
    ),
    "model_providers": [
        {
            "model_id": "meta/llama-7b",
            "provider_id": "together",
            "provider_model_id": "meta-llama/Llama-7b",
            "status": "live",
            "task": "text-generation",
        },
        {
            "model_id": "mistralai/mistral-7b",
            "provider_id": "groq",
            "provider_model_id": "mistral-7b",
            "status": "live",
            "task": "text-generation",
        },
        {
            "model_id": "mistralai/mistral-7b",
            "provider_id": "together",
            "provider_model_id": "mistralai/Mistral-7B",
            "status": "staging",
            "task": "text-generation",
        },
        {
            "model_id": "big/llama-70b",
            "provider_id": "together",
            "provider_model_id": "meta-llama/Llama-70b",
            "status": "live",
            "task": "text-generation",
        },
        {
            "model_id": "acme/bert-sentiment",
            "provider_id": "hf-inference",
            "provider_model_id": "acme/bert-sentiment",
            "status": "live",
            "task": "text-classification",
        },
        {
            "model_id": "old/gone-model",
            "provider_id": "together",
            "provider_model_id": "old/gone",
            "status": "live",
            "task": "text-generation",
        },
    ],
    "model_apps": _rows(
        "model_id app_id",
        ("bob/llama-7b-chat-gguf", "llama.cpp"),
        ("bob/llama-7b-chat-gguf", "ollama"),
        ("meta/llama-7b", "vllm"),
        ("alice/llama-7b-chat", "vllm"),
        ("mistralai/mistral-7b", "vllm"),
        ("big/llama-70b", "vllm"),
        ("old/gone-model", "vllm"),
    ),
    "model_tags": _rows(
        "model_id tag",
        ("meta/llama-7b", "en"),
        ("alice/llama-7b-chat", "en"),
        ("mistralai/mistral-7b", "en"),
        ("mistralai/mistral-7b", "fr"),
        ("big/llama-70b", "en"),
        ("acme/bert-sentiment", "en"),
    ),
    "crawl_runs": [
        {"id": 1, "started_at": _t("2026-11-01"), "status": "done"},
        {"id": 2, "started_at": _t("2026-11-15"), "status": "done"},
    ],
    "model_history": _rows(
        "run_id model_id downloads likes",
        (1, "meta/llama-7b", 800, 45),
        (1, "alice/llama-7b-chat", 300, 15),
        (1, "mistralai/mistral-7b", 850, 38),
        (1, "acme/bert-sentiment", 1900, 12),
        (2, "meta/llama-7b", 1000, 50),
        (2, "alice/llama-7b-chat", 400, 20),
        (2, "mistralai/mistral-7b", 900, 40),
        (2, "acme/bert-sentiment", 2000, 12),
    ),
}


def load_demo(store: Store, extra: dict[str, list[dict[str, Any]]] | None = None) -> Store:
    """Load the demo catalog (plus ``extra`` rows per table) into ``store`` and return it.

    Examples
    --------
    >>> store = load_demo(Store.open("sqlite://"))
    >>> store.count("models"), store.count("edges")
    (10, 41)
    """
    with store.engine.begin() as conn:
        for table, rows in DEMO_ROWS.items():
            upsert(conn, table, rows)
        for table, rows in (extra or {}).items():
            upsert(conn, table, rows)
    return store


def demo_store(url: str = "sqlite://") -> Store:
    """Open ``url`` (an in-memory SQLite database by default) and load the demo catalog into it.

    Examples
    --------
    >>> demo_store().query("SELECT COUNT(*) FROM models WHERE deleted_at IS NULL").rows
    [(9,)]
    """
    return load_demo(Store.open(url))

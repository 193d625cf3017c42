"""MADE-UP Hub records shaped like the Hub's expanded listings, for every benchmark (not real data).

One deterministic generator: the same ``seed`` and count give the same bytes. Every id is made up
(authors ``mu-<word><n>``, a ``made-up`` tag on every repo, the snapshot manifest says so); the
shape follows the Hub's ``GET /api/models?expand=...`` items as the crawler asks for them (the
client's ``EXPAND``), checked against ``data/snapshot/*.jsonl.gz`` and the Hub API notes:

* models, ~1.2 KB of JSON each, ~11 tags (library, format, task, languages, license, datasets,
  ``base_model:`` pairs, ``region:us``, compatibility tags, arXiv ids); ``config`` with
  ``architectures``, ``model_type``, a ``tokenizer_config`` (special tokens, a chat template on
  chat models) and ``quantization_config`` on GPU-quantized ones; ``cardData`` of card size (license,
  languages, tags, datasets, base model, widget or eval entries on some); ``safetensors`` with dtype
  breakdowns, ``gguf`` with architecture, context length and chat template on GGUF repos;
  downloads, likes and trending from power laws; 40 % have a base (preferential attachment: a popular
  base gets more derivatives; relations finetune / adapter / quantized / merge, a merge has two
  bases), 5 % an ``inferenceProviderMapping`` with 1-4 real provider names, the rest ``[]``;
* datasets (a quarter as many) and Spaces (0.3x), as on the Hub (~2M models, ~500k datasets,
  ~600k Spaces): datasets with ``task_categories:`` / ``language:`` / ``size_categories:`` tags,
  Spaces with ``sdk``, ``runtime`` and links to the made-up models and datasets.

A model's task, library, tags and card agree with each other (a GGUF quant is tagged ``gguf``, has a
``gguf`` block and names its base), which is what the normaliser and the local-app rules read.

Examples
--------
>>> a, b = list(models(3, seed=1)), list(models(3, seed=1))
>>> a == b, a[0]["id"].startswith("mu-"), "made-up" in a[0]["tags"]
(True, True, True)
"""

from __future__ import annotations

import os
import random
import time
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from catalog.hub import write_snapshot
from catalog.hub.snapshot import Snapshot

__all__ = [
    "DATASETS_PER_MODEL",
    "PROVIDERS",
    "SPACES_PER_MODEL",
    "VERSION",
    "cached_snapshot",
    "changed_snapshot",
    "dataset_id",
    "datasets",
    "model_id",
    "models",
    "space_id",
    "spaces",
]

#: Bumped whenever the records change, so that a cached snapshot of an older shape is rebuilt.
VERSION = 1
#: The Hub's proportions (late 2026): ~500k datasets and ~600k Spaces for ~2M models.
DATASETS_PER_MODEL = 0.25
SPACES_PER_MODEL = 0.3

# (task, weight, typical libraries): the Hub's mix, text generation first.
_TASKS: list[tuple[str, float, tuple[str, ...]]] = [
    ("text-generation", 30, ("transformers", "gguf", "mlx", "peft", "vllm")),
    ("text-classification", 8, ("transformers", "setfit")),
    ("text-to-image", 7, ("diffusers",)),
    ("feature-extraction", 5, ("sentence-transformers", "transformers")),
    ("sentence-similarity", 4, ("sentence-transformers",)),
    ("image-text-to-text", 5, ("transformers", "gguf", "mlx")),
    ("automatic-speech-recognition", 4, ("transformers", "nemo", "espnet")),
    ("image-classification", 4, ("transformers", "timm", "keras")),
    ("token-classification", 3, ("transformers", "flair", "spacy")),
    ("reinforcement-learning", 4, ("stable-baselines3", "ml-agents")),
    ("fill-mask", 2, ("transformers",)),
    ("text2text-generation", 2, ("transformers",)),
    ("translation", 2, ("transformers",)),
    ("summarization", 1, ("transformers",)),
    ("question-answering", 1, ("transformers",)),
    ("object-detection", 1, ("transformers", "ultralytics")),
    ("text-to-speech", 1, ("transformers", "coqui")),
    ("image-segmentation", 1, ("transformers",)),
    ("audio-classification", 1, ("transformers", "speechbrain")),
    ("text-ranking", 1, ("sentence-transformers",)),
    ("zero-shot-classification", 1, ("transformers",)),
    ("image-to-image", 1, ("diffusers",)),
    ("text-to-video", 1, ("diffusers",)),
    ("tabular-classification", 1, ("sklearn",)),
]
_TASK_IDS = [t for t, _, _ in _TASKS]
_TASK_WEIGHTS = [w for _, w, _ in _TASKS]
_LIBRARIES = sorted({lib for _, _, libs in _TASKS for lib in libs})
_FAMILIES = [
    ("llama", "LlamaForCausalLM", ("1b", "3b", "8b", "70b")),
    ("qwen2", "Qwen2ForCausalLM", ("0.5b", "1.5b", "7b", "32b")),
    ("mistral", "MistralForCausalLM", ("7b", "12b", "24b")),
    ("gemma2", "Gemma2ForCausalLM", ("2b", "9b", "27b")),
    ("phi3", "Phi3ForCausalLM", ("mini", "medium")),
    ("bert", "BertForSequenceClassification", ("base", "large")),
    ("roberta", "RobertaForSequenceClassification", ("base", "large")),
    ("t5", "T5ForConditionalGeneration", ("small", "base", "large")),
    ("whisper", "WhisperForConditionalGeneration", ("tiny", "small", "large-v3")),
    ("vit", "ViTForImageClassification", ("base", "large")),
    ("clip", "CLIPModel", ("base", "large")),
    ("deberta-v2", "DebertaV2ForSequenceClassification", ("base", "large")),
]
_CHAT_TEMPLATES = [
    # ChatML, as Qwen and many fine-tunes ship it
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
    # Llama 3
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
    "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + "
    "'<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
    "{{ content }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}",
    # Mistral instruct
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% endif %}{% endfor %}",
]
_TOKENS: list[dict[str, Any]] = [
    {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "pad_token": "<|finetune_right_pad_id|>"},
    {"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "unk_token": None},
    {"bos_token": "<s>", "eos_token": "</s>", "pad_token": None, "unk_token": "<unk>"},
]
_QUANT = [
    {"quant_method": "bitsandbytes", "load_in_4bit": True, "bnb_4bit_quant_type": "nf4"},
    {"quant_method": "gptq", "bits": 4, "group_size": 128, "desc_act": False},
    {"quant_method": "awq", "bits": 4, "group_size": 128, "zero_point": True, "version": "gemm"},
    {"quant_method": "fp8", "activation_scheme": "dynamic"},
]
_CARD_TAGS = ["generated_from_trainer", "trl", "sft", "unsloth", "lora", "text-embeddings", "mergekit"]
_LICENSES = ["apache-2.0", "mit", "other", "cc-by-nc-4.0", "llama3.1", "openrail", "gemma", "cc-by-4.0"]
_LANGUAGES = ["en", "zh", "fr", "de", "es", "ja", "ru", "ko", "ar", "pt", "it", "hi", "multilingual"]
_RELATIONS = ["finetune", "adapter", "quantized", "merge"]
_RELATION_WEIGHTS = [40, 20, 35, 5]
#: Real provider names from the client's registry (which model each serves is made up).
PROVIDERS = ["together", "fireworks-ai", "groq", "nebius", "novita", "hf-inference", "sambanova", "cerebras"]
PROVIDERS += ["replicate", "fal-ai", "deepinfra", "featherless-ai", "nscale", "scaleway", "cohere"]
_WORDS = ["lab", "ai", "research", "studio", "labs", "ml", "nlp", "vision", "dev", "team"]
_DATASET_TASKS = ["text-classification", "question-answering", "text-generation", "translation"]
_DATASET_TASKS += ["image-classification", "automatic-speech-recognition", "summarization"]
_SDKS = [("gradio", 70), ("streamlit", 10), ("docker", 15), ("static", 5)]
_HARDWARE = ["cpu-basic", "cpu-basic", "cpu-basic", "zero-a10g", "t4-small", "a10g-small", "cpu-upgrade"]
_STAGES = ["RUNNING", "RUNNING", "SLEEPING", "SLEEPING", "RUNTIME_ERROR", "BUILD_ERROR", "PAUSED"]
_EPOCH = 1_646_265_600  # 2022-03-03, after the Hub's createdAt sentinel
_SPAN = 150_000_000  # ~4.75 years of seconds


def _mix(i: int, salt: int) -> float:
    """Return a value in [0, 1) fixed by ``i`` and ``salt`` alone (what an id is made of)."""
    x = (i * 0x9E3779B97F4A7C15 + salt * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 31)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return (x ^ (x >> 29)) / 2**64


def _author(i: int, kind: int, authors: int) -> str:
    # A power law over authors: a few publish thousands of repos, most publish a handful.
    n = int(authors * _mix(i, kind) ** 3)
    return f"mu-{_WORDS[n % len(_WORDS)]}{n}"


def model_id(i: int, n: int) -> str:
    """Return the id of made-up model ``i`` of ``n`` (computable without generating the records).

    Examples
    --------
    >>> model_id(7, 1000)
    'mu-lab0/llama-70b-base-7'
    """
    family, _, sizes = _FAMILIES[int(_mix(i, 11) * len(_FAMILIES))]
    size = sizes[int(_mix(i, 12) * len(sizes))]
    suffix = ("instruct", "chat", "base", "sft", "dpo", "v2", "ft", "lora", "GGUF", "AWQ")[
        int(_mix(i, 13) * 10)
    ]
    return f"{_author(i, 1, max(1, n // 25))}/{family}-{size}-{suffix}-{i}"


def dataset_id(j: int, n: int) -> str:
    """Return the id of made-up dataset ``j`` of ``n`` datasets."""
    return f"{_author(j, 2, max(1, n // 8))}/corpus-{j}"


def space_id(k: int, n: int) -> str:
    """Return the id of made-up Space ``k`` of ``n`` Spaces."""
    return f"{_author(k, 3, max(1, n // 4))}/demo-{k}"


def _date(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(_EPOCH + int(seconds)))


def _popular(rng: random.Random, n: int) -> int:
    # Index drawn with a heavy head: low indices are the popular repos that others link to.
    return min(n - 1, int(n * rng.random() ** 4))


def _downloads(rng: random.Random) -> int:
    # Most models have a handful of downloads, a few have tens of millions (Pareto, alpha 0.5: 3 % over 1,000).
    return min(80_000_000, int(rng.paretovariate(0.5)) - 1)


def models(n: int, *, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield ``n`` made-up model records, the same for the same ``n`` and ``seed``."""
    rng = random.Random(seed)
    n_datasets = max(1, int(n * DATASETS_PER_MODEL))
    n_spaces = max(1, int(n * SPACES_PER_MODEL))
    tasks = bytearray(n)  # each model's task index, for its derivatives to inherit
    pool = array("l")  # preferential attachment: a base appears once per derivative it has
    for i in range(n):
        task_at = rng.choices(range(len(_TASKS)), _TASK_WEIGHTS)[0] if rng.random() < 0.9 else 255
        relation, bases = None, []
        if pool and rng.random() < 0.4:
            relation = rng.choices(_RELATIONS, _RELATION_WEIGHTS)[0]
            bases = sorted({pool[rng.randrange(len(pool))] for _ in range(2 if relation == "merge" else 1)})
            task_at = tasks[bases[0]] if rng.random() < 0.9 else task_at
        tasks[i] = task_at
        if relation != "quantized":  # quantized models stay leaves
            pool.append(i)
        pool.extend(bases)
        yield _model(rng, i, n, task_at, relation, bases, n_datasets, n_spaces)


def _model(
    rng: random.Random,
    i: int,
    n: int,
    task_at: int,
    relation: str | None,
    bases: list[int],
    n_datasets: int,
    n_spaces: int,
) -> dict[str, Any]:
    id = model_id(i, n)
    task, _, libraries = _TASKS[task_at] if task_at != 255 else (None, 0, ("transformers",))
    library = rng.choice(libraries) if rng.random() < 0.85 else None
    is_gguf = (relation == "quantized" and rng.random() < 0.7) or library == "gguf"
    if is_gguf:
        library = "gguf"
    family, architecture, _ = _FAMILIES[int(_mix(i, 11) * len(_FAMILIES))]
    chat = task in ("text-generation", "image-text-to-text") and rng.random() < 0.8
    license = rng.choice(_LICENSES) if rng.random() < 0.8 else None
    languages = rng.sample(_LANGUAGES, rng.choice((1, 1, 1, 2, 3))) if rng.random() < 0.6 else []
    trained_on = [dataset_id(_popular(rng, n_datasets), n_datasets) for _ in range(rng.choice((0, 0, 1, 2)))]
    tags = [t for t in (library, "safetensors" if not is_gguf else None, task) if t]
    tags += [family] if library == "transformers" else []
    tags += languages + [f"dataset:{d}" for d in trained_on]
    base_ids = [model_id(b, n) for b in bases]
    for base in base_ids:
        tags += [f"base_model:{base}", f"base_model:{relation}:{base}"]
    if chat:
        tags += ["conversational", "text-generation-inference"]
    if library == "transformers":
        tags += ["autotrain_compatible", "endpoints_compatible"]
    if rng.random() < 0.3:
        tags.append(rng.choice(("pytorch", "tensorboard", "onnx", "jax")))
    if is_gguf:
        tags += ["imatrix"] if rng.random() < 0.3 else []
    card_tags = rng.sample(_CARD_TAGS, rng.choice((0, 1, 2, 2, 3)))
    tags += card_tags
    if rng.random() < 0.12:
        tags.append(f"arxiv:{rng.randrange(18, 27)}{rng.randrange(1, 13):02d}.{rng.randrange(100_000):05d}")
    tags += [f"license:{license}"] if license else []
    tags += ["made-up", "region:us"]
    downloads = _downloads(rng)
    created = rng.random() * _SPAN
    record: dict[str, Any] = {
        "_id": f"{i:024x}",
        "id": id,
        "author": id.partition("/")[0],
        "pipeline_tag": task,
        "library_name": library,
        "tags": tags,
        "downloads": downloads,
        "downloadsAllTime": downloads * rng.randint(1, 40),
        "likes": int(downloads**0.5 * rng.random() * 0.3),
        "trendingScore": int(rng.paretovariate(1.5)) - 1,
        "createdAt": _date(created),
        "lastModified": _date(created + rng.random() * (_SPAN - created)),
        "private": False,
        "gated": rng.choice(("auto", "manual")) if rng.random() < 0.04 else False,
        "disabled": False,
        "sha": f"{rng.getrandbits(160):040x}",
    }
    size = int(min(7e11, rng.lognormvariate(19.5, 2.2)))
    if is_gguf:
        record["gguf"] = {
            "total": size,
            "architecture": family if family in ("llama", "qwen2", "gemma2", "phi3") else "llama",
            "context_length": rng.choice((4096, 8192, 32768, 131072)),
            "bos_token": "<s>",
            "eos_token": "</s>",
        }
        if chat:
            record["gguf"]["chat_template"] = rng.choice(_CHAT_TEMPLATES)
    elif rng.random() < 0.75:
        dtype = rng.choices(("BF16", "F32", "F16", "I8"), (55, 25, 15, 5))[0]
        parameters = {dtype: size} if rng.random() < 0.7 else {dtype: size, "F32": size // 200 + 1}
        record["safetensors"] = {"parameters": parameters, "total": sum(parameters.values())}
    if library in ("transformers", "peft", "mlx", "sentence-transformers", None):
        config: dict[str, Any] = {"architectures": [architecture], "model_type": family}
        if rng.random() < 0.08:
            config["quantization_config"] = rng.choice(_QUANT)
        if rng.random() < 0.7 or chat:
            config["tokenizer_config"] = rng.choice(_TOKENS) | {
                "model_max_length": rng.choice((512, 2048, 8192, 32768, 131072)),
                "clean_up_tokenization_spaces": rng.random() < 0.5,
            }
            if chat:
                config["tokenizer_config"]["chat_template"] = rng.choice(_CHAT_TEMPLATES)
        record["config"] = config
    record["cardData"] = _card(
        rng, license, languages, trained_on, base_ids, relation, task, library, card_tags
    )
    record["inferenceProviderMapping"] = (
        [
            {
                "provider": p,
                "providerId": id.lower(),
                "status": rng.choice(("live", "live", "staging")),
                "task": task,
            }
            for p in rng.sample(PROVIDERS, rng.randint(1, 4))
        ]
        if task and rng.random() < 0.05
        else []
    )
    used_by = rng.choice((0, 0, 0, 0, 0, 0, 1, 1, 2, 5)) if downloads > 10 else 0
    record["spaces"] = [space_id(_popular(rng, n_spaces), n_spaces) for _ in range(used_by)]
    return record


def _card(
    rng: random.Random,
    license: str | None,
    languages: list[str],
    trained_on: list[str],
    bases: list[str],
    relation: str | None,
    task: str | None,
    library: str | None,
    tags: list[str],
) -> dict[str, Any] | None:
    if rng.random() < 0.15:
        return None
    card: dict[str, Any] = {}
    if license:
        card["license"] = license
    if languages:
        card["language"] = languages
    if trained_on:
        card["datasets"] = trained_on
    if bases:
        card["base_model"] = bases[0] if len(bases) == 1 else bases
        if relation in ("quantized", "adapter") and rng.random() < 0.3:
            card["base_model_relation"] = relation
    if library:
        card["library_name"] = library
    if task:
        card["pipeline_tag"] = task
    if tags:  # the Hub copies a card's tags into the repo's
        card["tags"] = tags
    if bases and rng.random() < 0.6:  # as TRL and AutoTrain write their cards
        card["model_name"] = f"{bases[0].partition('/')[2]}-{relation}"
    if rng.random() < 0.3:
        card["metrics"] = rng.sample(["accuracy", "f1", "bleu", "wer", "rouge", "perplexity"], 2)
    if rng.random() < 0.2:
        card["model-index"] = [
            {
                "name": "made-up",
                "results": [
                    {
                        "task": {"type": task or "text-classification"},
                        "metrics": [
                            {"type": "accuracy", "value": round(rng.random(), 4), "name": "Accuracy"}
                        ],
                    }
                ],
            }
        ]
    if rng.random() < 0.35:
        card["widget"] = [{"text": "My name is Clara and I live in Berkeley, California."}]
    return card


def datasets(n_models: int, *, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield the made-up dataset records that go with ``n_models`` models (a quarter as many)."""
    rng = random.Random(seed + 1)
    n = max(1, int(n_models * DATASETS_PER_MODEL))
    for j in range(n):
        id = dataset_id(j, n)
        license = rng.choice(_LICENSES)
        languages = rng.sample(_LANGUAGES, rng.choice((1, 1, 2)))
        categories = rng.sample(_DATASET_TASKS, rng.choice((1, 1, 2)))
        size = rng.choice(("n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M"))
        tags = [f"task_categories:{c}" for c in categories] + [f"language:{lang}" for lang in languages]
        tags += [f"size_categories:{size}", "format:parquet", "modality:text", "library:datasets"]
        tags += [f"license:{license}", "made-up", "region:us"]
        downloads = _downloads(rng)
        created = rng.random() * _SPAN
        yield {
            "_id": f"{j:024x}",
            "id": id,
            "author": id.partition("/")[0],
            "tags": tags,
            "downloads": downloads,
            "downloadsAllTime": downloads * rng.randint(1, 30),
            "likes": int(downloads**0.4 * rng.random()),
            "trendingScore": int(rng.paretovariate(1.5)) - 1,
            "createdAt": _date(created),
            "lastModified": _date(created + rng.random() * (_SPAN - created)),
            "private": False,
            "gated": "auto" if rng.random() < 0.03 else False,
            "disabled": False,
            "sha": f"{rng.getrandbits(160):040x}",
            "cardData": {
                "license": license,
                "language": languages,
                "task_categories": categories,
                "size_categories": [size],
                "pretty_name": f"Made-up corpus {j}",
                "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": "data/*"}]}],
            },
        }


def spaces(n_models: int, *, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield the made-up Space records that go with ``n_models`` models (0.3x as many)."""
    rng = random.Random(seed + 2)
    n = max(1, int(n_models * SPACES_PER_MODEL))
    n_datasets = max(1, int(n_models * DATASETS_PER_MODEL))
    for k in range(n):
        id = space_id(k, n)
        sdk = rng.choices([s for s, _ in _SDKS], [w for _, w in _SDKS])[0]
        hardware = rng.choice(_HARDWARE)
        created = rng.random() * _SPAN
        used = [model_id(_popular(rng, n_models), n_models) for _ in range(rng.choice((0, 1, 1, 1, 2, 3)))]
        data = [dataset_id(_popular(rng, n_datasets), n_datasets) for _ in range(rng.choice((0, 0, 0, 1)))]
        yield {
            "_id": f"{k:024x}",
            "id": id,
            "author": id.partition("/")[0],
            "sdk": sdk,
            "tags": [sdk, "made-up", "region:us"],
            "likes": int(rng.paretovariate(1.2)) - 1,
            "trendingScore": int(rng.paretovariate(2.0)) - 1,
            "createdAt": _date(created),
            "lastModified": _date(created + rng.random() * (_SPAN - created)),
            "private": False,
            "disabled": False,
            "sha": f"{rng.getrandbits(160):040x}",
            "runtime": {
                "stage": rng.choice(_STAGES),
                "hardware": {"current": hardware, "requested": hardware},
                "storage": None,
                "replicas": {"requested": 1, "current": 1},
            },
            "models": used,
            "datasets": data,
            "cardData": {
                "title": f"Made-up demo {k}",
                "emoji": "🤗",
                "colorFrom": "blue",
                "colorTo": "purple",
                "sdk": sdk,
                "app_file": "app.py",
                "pinned": False,
                "short_description": "A made-up Space for benchmarks",
            },
        }


def cached_snapshot(
    folder: str | os.PathLike[str], n_models: int, *, seed: int = 0
) -> tuple[Snapshot, float]:
    """Return the made-up snapshot of ``n_models`` in ``folder``, written first unless already there.

    The second value is the seconds spent writing it (0.0 when the folder already held the same
    generator version, count and seed).
    """
    from catalog.hub.client import EXPAND

    path = Path(folder)
    want = {"generator": f"benchmarks/hubgen.py v{VERSION}", "models_asked": n_models, "seed": seed}
    manifest = path / "manifest.json"
    if manifest.exists():
        held = orjson.loads(manifest.read_bytes())
        if all(held.get(k) == v for k, v in want.items()):
            return Snapshot.open(path), 0.0
    started = time.perf_counter()
    tasks = {t: {"id": t, "label": t.replace("-", " ").capitalize()} for t in _TASK_IDS}
    snapshot = write_snapshot(
        path,
        models=(orjson.dumps(r) for r in models(n_models, seed=seed)),
        datasets=(orjson.dumps(r) for r in datasets(n_models, seed=seed)),
        spaces=(orjson.dumps(r) for r in spaces(n_models, seed=seed)),
        tasks=tasks,
        tags_by_type={
            "pipeline_tag": [{"id": t, "label": t, "type": "pipeline_tag"} for t in _TASK_IDS],
            "library": [{"id": lib, "label": lib, "type": "library"} for lib in _LIBRARIES],
        },
        manifest={
            **want,
            "made_up": ["everything"],
            "expand": {kind: list(fields) for kind, fields in EXPAND.items()},
            "note": "MADE UP by benchmarks/hubgen.py: Hub-shaped records, not real Hub data",
        },
    )
    return snapshot, time.perf_counter() - started


def changed_snapshot(
    base: Snapshot, folder: str | os.PathLike[str], *, every: int = 100
) -> tuple[Snapshot, int]:
    """Write a copy of ``base`` where one model in ``every`` changed since (newer ``lastModified``, downloads).

    What the Hub looks like at the next crawl: the incremental crawl should read the changed
    models' pages and stop. Returns the snapshot and the number of models changed.
    """
    changed = 0

    def model_lines() -> Iterator[bytes]:
        nonlocal changed
        for at, line in enumerate(base.iter_lines("models")):
            if at % every == every - 1:
                record = orjson.loads(line)
                record["lastModified"] = _date(_SPAN + 86_400 + at)  # after every base date
                record["downloads"] += 1
                changed += 1
                line = orjson.dumps(record)
            yield line

    snapshot = write_snapshot(
        folder,
        models=model_lines(),
        datasets=base.iter_lines("datasets"),
        spaces=base.iter_lines("spaces"),
        payloads={name: base.read_json(name) for name in base.json_names()},
        manifest={
            "made_up": ["everything"],
            "note": f"MADE UP: {base.path.name} with 1 model in {every} changed",
        },
    )
    return snapshot, changed

"""What ``scripts/build_snapshot.py`` builds the snapshot from: the fact files, read once, and the
snapshot's hand-curated and made-up parts, each saying why it is there (``data/README.md`` lists them).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

#: The snapshot's pretend crawl time; every made-up date is before it.
RECORDED_AT = "2026-11-01T00:00:00.000Z"
#: Every fabricated field, as ``<kind>.<field>`` (``data/README.md`` says when each one is made up).
MADE_UP = [
    "models._id",
    "models.downloads",
    "models.downloadsAllTime",
    "models.likes",
    "models.trendingScore",
    "models.createdAt",
    "models.lastModified",
    "models.sha",
    "models.safetensors.parameters",
    "models.inferenceProviderMapping",
    "models.inferenceProviderMapping.status",
    "models.spaces",
    "models.gated",
    "models[catalog-examples/*]",
    "datasets._id",
    "datasets.downloads",
    "datasets.likes",
    "datasets.createdAt",
    "datasets.lastModified",
    "datasets.gated",
    "spaces._id",
    "spaces.sdk",
    "spaces.likes",
    "spaces.trendingScore",
    "spaces.createdAt",
    "spaces.lastModified",
    "spaces.runtime",
    "spaces.models",
    "spaces.datasets",
]
#: Fields that say where a value comes from, for the values the Hub would not give in that form.
PROVENANCE = {
    "models.parametersSource": (
        "where safetensors.total / gguf.total comes from when it is not the Hub's safetensors metadata: "
        "'computed by <package> <version>' (the package built the architecture on PyTorch's meta device "
        "and counted it) or 'reported by mteb 2.26.24 ModelMeta n_parameters'"
    ),
}
#: Lineage from the models' own cards, where no package in the facts names the base.
CARD_LINEAGE = {
    "TIGER-Lab/VLM2Vec-LoRA": ("adapter", ["microsoft/Phi-3.5-vision-instruct"]),
    "castorini/repllama-v1-7b-lora-passage": ("adapter", ["meta-llama/Llama-2-7b-hf"]),
    "black-forest-labs/FLUX.1-Depth-dev-lora": (
        "adapter",
        ["black-forest-labs/FLUX.1-dev"],
    ),
    "kontext-community/relighting-kontext-dev-lora-v3": (
        "adapter",
        ["black-forest-labs/FLUX.1-Kontext-dev"],
    ),
}
#: Made-up merge repos: no offline source names a real model merged from several parents.
MERGES = {
    "catalog-examples/bge-e5-base-merge": [
        "BAAI/bge-base-en-v1.5",
        "intfloat/e5-base-v2",
    ],
    "catalog-examples/minilm-mpnet-merge": [
        "sentence-transformers/all-MiniLM-L6-v2",
        "sentence-transformers/all-mpnet-base-v2",
        "BAAI/bge-small-en-v1.5",
    ],
}
#: Made-up repos for the local apps no real record of the facts can be shown to run (an MLX build, a
#: Core ML JoyFusion model, a tool-calling chat template): the app rules of
#: ``catalog/apps.py`` pick them up from these fields, as they would a real record.
_TOOLS_TEMPLATE = (
    "{%- if tools %}{{- tools | tojson }}{%- endif %}{%- for m in messages %}{{ m.content }}{%- endfor %}"
)
APP_EXAMPLES: dict[str, dict[str, Any]] = {
    "catalog-examples/chat-mlx-4bit": {
        "pipeline_tag": "text-generation",
        "library_name": "mlx",
        "tags": ["mlx", "safetensors", "text-generation", "conversational"],
        "config": {"model_type": "llama", "chat_template_jinja": _TOOLS_TEMPLATE},
    },
    "catalog-examples/joyfusion-coreml": {
        "pipeline_tag": "text-to-image",
        "library_name": None,
        "tags": ["coreml", "joyfusion", "text-to-image"],
    },
}
#: Fields of a real record no package has. The tags are those of a public capture of the Hub's
#: ``GET /api/models/meta-llama/Llama-3.1-8B-Instruct`` (``_id`` 6698d8a0653e4babe21e1e7d); its two
#: ``base_model`` tags and ``cardData.base_model`` (the repo's old name) are those issue 14 quotes from
#: the ``model_info`` bodies recorded in huggingface_hub's test-suite VCR cassettes; language and
#: license are the model card's. Counts, dates and the rest are drawn as for every model.
RECORDED: dict[str, dict[str, Any]] = {
    "meta-llama/Llama-3.1-8B-Instruct": {
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "tags": [
            "transformers",
            "safetensors",
            "llama",
            "text-generation",
            "facebook",
            "meta",
            "pytorch",
            "llama-3",
            "conversational",
            "en",
            "de",
            "fr",
            "it",
            "pt",
            "hi",
            "es",
            "th",
            "arxiv:2204.05149",
            "base_model:meta-llama/Llama-3.1-8B",
            "base_model:finetune:meta-llama/Llama-3.1-8B",
            "license:llama3.1",
            "eval-results",
            "text-generation-inference",
            "endpoints_compatible",
            "deploy:sagemaker",
            "region:us",
        ],
        "cardData": {
            "language": ["en", "de", "fr", "it", "pt", "hi", "es", "th"],
            "license": "llama3.1",
            "base_model": "meta-llama/Meta-Llama-3.1-8B",
            "pipeline_tag": "text-generation",
        },
        "config": {"model_type": "llama", "architectures": ["LlamaForCausalLM"]},
    },
}
#: Seed ids that are not Hub repos of their own: ``resnet50`` is a transformers docstring placeholder,
#: ``distilroberta-base`` the old name of ``distilbert/distilroberta-base`` (see ``RENAMES``).
SKIPPED = {"resnet50", "distilroberta-base"}
#: Old repo id -> new one, for the canonical models the Hub moved into organisations (it answers the
#: old name with a redirect). Only renames whose new id is in the snapshot are written to aliases.json.
_ORG_MOVES = {
    "google-bert": [
        "bert-base-uncased",
        "bert-base-cased",
        "bert-base-multilingual-cased",
        "bert-base-multilingual-uncased",
        "bert-large-uncased",
        "bert-large-cased",
        "bert-large-uncased-whole-word-masking",
        "bert-base-chinese",
    ],
    "openai-community": [
        "gpt2",
        "gpt2-medium",
        "gpt2-large",
        "gpt2-xl",
        "openai-gpt",
        "roberta-base-openai-detector",
    ],
    "FacebookAI": [
        "roberta-base",
        "roberta-large",
        "xlm-roberta-base",
        "xlm-roberta-large",
        "xlm-roberta-large-finetuned-conll03-english",
        "xlm-mlm-en-2048",
    ],
    "distilbert": [
        "distilbert-base-uncased",
        "distilbert-base-cased",
        "distilbert-base-cased-distilled-squad",
        "distilbert-base-uncased-finetuned-sst-2-english",
        "distilbert-base-multilingual-cased",
        "distilroberta-base",
        "distilgpt2",
    ],
    "google-t5": ["t5-small", "t5-base", "t5-large", "t5-3b", "t5-11b"],
}
RENAMES = {
    **{old: f"{org}/{old}" for org, olds in _ORG_MOVES.items() for old in olds},
    "meta-llama/Meta-Llama-3.1-8B": "meta-llama/Llama-3.1-8B",
    "meta-llama/Meta-Llama-3.1-8B-Instruct": "meta-llama/Llama-3.1-8B-Instruct",
}
#: The packages whose own code computed the counts of ``param_counts.json`` (on PyTorch's meta device).
COUNTED_BY = {
    "timm": "timm 1.0.31",
    "open_clip": "open_clip_torch 3.3.0",
    "transformers": "transformers 5.24.0",
}
REPORTED_BY = "mteb 2.26.24 ModelMeta n_parameters"
REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
QUANTIZED_NAME = re.compile(r"(INT8|INT4|GPTQ|AWQ|GGUF|MXFP\d|FP8|[248]bit)", re.IGNORECASE)
LITELLM_PROVIDERS = {
    "together_ai": "together",
    "fireworks_ai": "fireworks-ai",
    "featherless_ai": "featherless-ai",
    "fal_ai": "fal-ai",
    "cohere_chat": "cohere",
    "zai": "zai-org",
}
MODE_TASK = {
    "chat": "conversational",
    "completion": "text-generation",
    "embedding": "feature-extraction",
    "image_generation": "text-to-image",
    "audio_transcription": "automatic-speech-recognition",
}
#: transformers auto-model families in the priority order ``param_counts.md`` documents (the first
#: family that has a model type gives its task): speech before causal LM, so whisper is ASR.
FAMILY_TASKS = [
    ("SPEECH_SEQ_2_SEQ", "automatic-speech-recognition"),
    ("CTC", "automatic-speech-recognition"),
    ("IMAGE_TEXT_TO_TEXT", "image-text-to-text"),
    ("TEXT_TO_WAVEFORM", "text-to-speech"),
    ("TEXT_TO_SPECTROGRAM", "text-to-speech"),
    ("SEQ_TO_SEQ_CAUSAL_LM", "text-generation"),
    ("MASKED_LM", "fill-mask"),
    ("CAUSAL_LM", "text-generation"),
    ("ZERO_SHOT_IMAGE_CLASSIFICATION", "zero-shot-image-classification"),
    ("ZERO_SHOT_OBJECT_DETECTION", "zero-shot-object-detection"),
    ("MASK_GENERATION", "mask-generation"),
    ("KEYPOINT_MATCHING", "keypoint-matching"),
    ("KEYPOINT_DETECTION", "keypoint-detection"),
    ("DEPTH_ESTIMATION", "depth-estimation"),
    ("OBJECT_DETECTION", "object-detection"),
    ("UNIVERSAL_SEGMENTATION", "image-segmentation"),
    ("IMAGE_CLASSIFICATION", "image-classification"),
    ("SEMANTIC_SEGMENTATION", "image-segmentation"),
    ("VIDEO_CLASSIFICATION", "video-classification"),
    ("AUDIO_CLASSIFICATION", "audio-classification"),
    ("IMAGE_TO_IMAGE", "image-to-image"),
    ("TABLE_QUESTION_ANSWERING", "table-question-answering"),
    ("DOCUMENT_QUESTION_ANSWERING", "document-question-answering"),
    ("VISUAL_QUESTION_ANSWERING", "visual-question-answering"),
    ("TIME_SERIES_PREDICTION", "time-series-forecasting"),
    ("IMAGE", "image-feature-extraction"),
    ("", "feature-extraction"),
    ("SEQUENCE_CLASSIFICATION", "text-classification"),
    ("TOKEN_CLASSIFICATION", "token-classification"),
    ("QUESTION_ANSWERING", "question-answering"),
    ("TEXT_ENCODING", "feature-extraction"),
]
LIBRARY_RANK = [
    "gguf",
    "open_clip",
    "pylate",
    "sentence-transformers",
    "timm",
    "diffusers",
    "transformers",
]
MTEB_TYPE_CATEGORY = {
    "Retrieval": "text-retrieval",
    "Reranking": "text-ranking",
    "Classification": "text-classification",
    "MultilabelClassification": "text-classification",
    "PairClassification": "text-classification",
    "Clustering": "text-classification",
    "STS": "sentence-similarity",
    "BitextMining": "translation",
    "Summarization": "summarization",
    "InstructionRetrieval": "text-retrieval",
    "Any2AnyRetrieval": "visual-document-retrieval",
    "ImageClassification": "image-classification",
    "ZeroShotClassification": "zero-shot-classification",
}


def load_fact(facts: Path, name: str) -> Any:
    return json.loads((facts / name).read_text(encoding="utf-8"))


class Facts:
    """The fact files, read once, with the lookups the builder needs."""

    def __init__(self, folder: Path) -> None:
        self.models = [
            m
            for m in load_fact(folder, "seed_models_merged.json")["models"]
            if m["id"] and m["id"] not in SKIPPED
        ]
        self.datasets = [d for d in load_fact(folder, "seed_datasets_merged.json")["datasets"] if d["id"]]
        self.spaces = load_fact(folder, "seed_spaces.json")["spaces"]
        self.tasks_data = load_fact(folder, "hf_tasks/tasks_data.json")
        self.pipelines = load_fact(folder, "hf_tasks/pipeline_data.json")
        self.libraries = load_fact(folder, "hf_tasks/model_libraries.json")
        self.task_libraries = load_fact(folder, "hf_tasks/tasks_model_libraries.json")
        self.mteb_tasks = {t["name"]: t for t in load_fact(folder, "mteb_tasks.json")}
        self.mteb_models = {m["name"]: m for m in load_fact(folder, "mteb_model_meta.json")}
        self.providers = set(load_fact(folder, "hfh_providers.json")["PROVIDER_T"])
        self.provider_tasks: dict[str, list[str]] = {
            p: sorted(tasks)
            for p, tasks in load_fact(folder, "hf_inference_js/providers.json")["PROVIDERS"].items()
        }
        counts = load_fact(folder, "param_counts.json")
        #: Counts checked against the repo name's size or mteb's figure: the only ones used.
        self.trusted: dict[str, dict[str, Any]] = counts["models"]
        #: The transformers class each checkpoint is documented with, in every section (an unverified or
        #: wrong count still comes with the right class and task).
        self.documented: dict[str, dict[str, Any]] = {
            id: entry
            for section in (
                "transformers_default_config_mismatch",
                "transformers_unverified",
                "models",
            )
            for id, entry in counts[section].items()
            if entry["library"] == "transformers"
        }
        self.litellm = load_fact(folder, "litellm_hf_provider_models.json")["providers"]
        mappings = load_fact(folder, "transformers_auto_mappings.json")["modeling_auto_task_mappings"]
        self.model_type_task: dict[str, str] = {}
        self.model_type_class: dict[str, str] = {}
        for family, task in reversed(FAMILY_TASKS):
            name = f"MODEL_FOR_{family}_MAPPING_NAMES" if family else "MODEL_MAPPING_NAMES"
            for model_type, classes in mappings.get(name, {}).items():
                self.model_type_task[model_type] = task
                # A mapping may name several classes (a tuple in transformers): the first is the default.
                self.model_type_class[model_type] = classes[0] if isinstance(classes, list) else classes
        languages = load_fact(folder, "hf_languages.json")
        by_name = {v["name"]: code for code, v in languages["LANGUAGES_ISO_639_1"].items()}
        self.language_639_1 = {
            code: by_name.get(v["name"], code) for code, v in languages["LANGUAGES_ISO_639_3"].items()
        }

    def documented_class(self, seed: dict[str, Any]) -> dict[str, Any] | None:
        """The documented transformers class of a checkpoint, else of its family's documented checkpoint.

        A repo with no model type of its own is of the family of a documented checkpoint of the same
        organisation when its name starts with that checkpoint's model type and either shares one more
        word of the name with it (``meta-llama/Llama-2-7b-chat-hf`` with ``meta-llama/Llama-2-7b-hf``)
        or names no library at all (``openai/whisper-base`` with ``openai/whisper-tiny``), and all such
        checkpoints agree on the class. Embedding repos (sentence-transformers, PyLate) are left out:
        they wrap the family's encoder and serve another task, and so are repos named as embedders or
        rerankers.
        """
        id = seed["id"]
        if id in self.documented:
            return self.documented[id]
        libraries = set(seed.get("libraries", []))
        org, _, name = id.partition("/")
        if (
            seed.get("model_type")
            or {"sentence-transformers", "pylate"} & libraries
            or re.search("embed|rerank", name, re.IGNORECASE)
        ):
            return None
        words = name.lower().split("-")
        matches = []
        for other, entry in sorted(self.documented.items()):
            other_org, _, other_name = other.partition("/")
            other_words = other_name.lower().split("-")
            model_type = (entry.get("model_type") or "").replace("_", "")
            if other_org != org or other_words[0] != words[0] or model_type != words[0].replace("_", ""):
                continue
            if not libraries or words[:2] == other_words[:2]:
                matches.append(entry)
        return matches[0] if matches and len({m["class"] for m in matches}) == 1 else None

"""The local-app rules, each on real-shaped model records: which apps can run which models."""

from __future__ import annotations

import pytest

from catalog.apps import APPS, ModelFacts, apps_for
from catalog.normalize import normalize_model

#: The Hub's 24 local apps, in its order.
HUB_APPS = [
    "llama.cpp",
    "node-llama-cpp",
    "vllm",
    "sglang",
    "mlx-lm",
    "tgi",
    "lmstudio",
    "localai",
    "jan",
    "atomic-chat",
    "backyard",
    "jellybox",
    "msty",
    "recursechat",
    "drawthings",
    "diffusionbee",
    "joyfusion",
    "ollama",
    "unsloth",
    "docker-model-runner",
    "lemonade",
    "pi",
    "hermes-agent",
    "openclaw",
]
#: The agents: they run a conversational GGUF or MLX model whose chat template knows tools.
AGENTS = ["pi", "hermes-agent", "openclaw"]
#: The apps of a plain llama GGUF repo: all but the agents and those that want a task or another format.
GGUF_APPS = [
    a
    for a in HUB_APPS
    if a not in {*AGENTS, "vllm", "sglang", "mlx-lm", "tgi", "drawthings", "diffusionbee", "joyfusion"}
]


def facts(*tags: str, **fields: object) -> ModelFacts:
    return ModelFacts(tags=frozenset(tags), **fields)  # type: ignore[arg-type]


def test_the_24_apps_of_the_hub_in_its_order() -> None:
    assert [a.id for a in APPS] == HUB_APPS
    assert {a.main_task for a in APPS} == {"text-generation", "text-to-image"}


# (model, the apps that can run it): every rule is true for some model and false for another.
CASES = [
    # A GGUF repo with a context length: the llama.cpp family, not vLLM (no text-generation tag).
    (facts("gguf", "llama"), GGUF_APPS, {"gguf_context_length": 8192}),
    # A GGUF file without context length is not a llama.cpp model.
    (facts("gguf"), [], {"gguf_context_length": 0}),
    # GGUF + text-generation adds vLLM (which reads GGUF) but not SGLang (which does not).
    (
        facts("gguf", "conversational"),
        sorted({*GGUF_APPS, "vllm"}),
        {"gguf_context_length": 4096, "pipeline_tag": "text-generation"},
    ),
    # A transformers LLM: vLLM, SGLang, Docker Model Runner.
    (
        facts("transformers", "safetensors"),
        ["vllm", "sglang", "docker-model-runner"],
        {"pipeline_tag": "text-generation"},
    ),
    # The same for image-text-to-text; a transformers fill-mask model runs in none.
    (
        facts("transformers"),
        ["vllm", "sglang", "docker-model-runner"],
        {"pipeline_tag": "image-text-to-text"},
    ),
    (facts("transformers"), [], {"pipeline_tag": "fill-mask"}),
    # AWQ / GPTQ / AQLM / Marlin quantized models without the transformers tag still count.
    (
        facts(),
        ["vllm", "sglang", "docker-model-runner"],
        {"pipeline_tag": "text-generation", "quant_method": "awq"},
    ),
    (
        facts(),
        ["vllm", "sglang", "docker-model-runner"],
        {"pipeline_tag": "text-generation", "quant_method": "marlin"},
    ),
    (facts(), [], {"pipeline_tag": "text-generation", "quant_method": "bitsandbytes"}),
    # MLX: MLX LM only for text-generation; LM Studio and Atomic Chat for any MLX model.
    (facts("mlx"), ["mlx-lm", "lmstudio", "atomic-chat"], {"pipeline_tag": "text-generation"}),
    (facts("mlx"), ["lmstudio", "atomic-chat"], {"pipeline_tag": "automatic-speech-recognition"}),
    (facts("text-generation-inference"), ["tgi"], {}),
    # Diffusers: Draw Things takes text-to-image or LoRA; DiffusionBee only text-to-image;
    # Jellybox wants safetensors too.
    (
        facts("diffusers", "safetensors"),
        ["jellybox", "drawthings", "diffusionbee"],
        {"library_name": "diffusers", "pipeline_tag": "text-to-image"},
    ),
    (
        facts("diffusers", "lora"),
        ["drawthings"],
        {"library_name": "diffusers", "pipeline_tag": "image-to-image"},
    ),
    (facts("diffusers", "safetensors", "lora"), ["jellybox", "drawthings"], {"library_name": "diffusers"}),
    (facts("lora"), [], {"library_name": "peft", "pipeline_tag": "text-to-image"}),
    # JoyFusion: Core ML + joyfusion tags + text-to-image, all three.
    (facts("coreml", "joyfusion"), ["joyfusion"], {"pipeline_tag": "text-to-image"}),
    (facts("coreml"), [], {"pipeline_tag": "text-to-image"}),
    (facts("unsloth", "transformers"), ["unsloth"], {"pipeline_tag": "summarization"}),
    (facts("ryzenai-hybrid"), ["lemonade"], {}),
    (facts("ryzenai-npu"), ["lemonade"], {}),
    # Tool-calling agents: GGUF or MLX, conversational, and a chat template that mentions tools.
    (
        facts("mlx", "conversational"),
        ["lmstudio", "atomic-chat", *AGENTS],
        {"chat_template": "{% if tools %}{{ tools }}{% endif %}"},
    ),
    (facts("mlx", "conversational"), ["lmstudio", "atomic-chat"], {"chat_template": "{{ messages }}"}),
    (facts("mlx"), ["lmstudio", "atomic-chat"], {"chat_template": "{% if tools %}{% endif %}"}),
]


@pytest.mark.parametrize(("model", "expected", "fields"), CASES)
def test_rules(model: ModelFacts, expected: list[str], fields: dict[str, object]) -> None:
    model = ModelFacts(tags=model.tags, **fields)  # type: ignore[arg-type]
    assert sorted(apps_for(model)) == sorted(expected)


def test_every_app_is_matched_by_some_case_and_refused_by_another() -> None:
    matched: set[str] = set()
    refused: set[str] = set()
    for model, _, fields in CASES:
        found = set(apps_for(ModelFacts(tags=model.tags, **fields)))  # type: ignore[arg-type]
        matched |= found
        refused |= {a.id for a in APPS} - found
    assert matched == refused == {a.id for a in APPS}


def test_facts_come_from_the_raw_record() -> None:
    """The normaliser finds the fields the rules read where the Hub puts them."""
    gptq = normalize_model(
        {
            "id": "TheBloke/Llama-2-7B-Chat-GPTQ",
            "pipeline_tag": "text-generation",
            "tags": ["llama", "4-bit"],
            "config": {"model_type": "llama", "quantization_config": {"quant_method": "gptq", "bits": 4}},
        }
    )
    assert [r["app_id"] for r in gptq.children["model_apps"]] == ["vllm", "sglang", "docker-model-runner"]
    agent = normalize_model(
        {
            "id": "unsloth/Qwen3-4B-GGUF",
            "tags": ["gguf", "conversational"],
            "gguf": {
                "total": 4_022_468_096,
                "architecture": "qwen3",
                "context_length": 40960,
                "chat_template": "{%- if tools %}<tools>{%- endif %}",
            },
        }
    )
    assert {*AGENTS, "ollama"} <= {r["app_id"] for r in agent.children["model_apps"]}
    listed_template = normalize_model(
        {
            "id": "mlx-community/m",
            "tags": ["mlx", "conversational"],
            "config": {"tokenizer_config": {"chat_template": [{"name": "default", "template": "use tools"}]}},
        }
    )
    assert [r["app_id"] for r in listed_template.children["model_apps"]] == [
        "lmstudio",
        "atomic-chat",
        *AGENTS,
    ]

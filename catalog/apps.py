"""The local apps that run models on one's own machine, and which models each can run.

Ported from ``LOCAL_APPS`` in npm ``@huggingface/tasks@0.21.54`` (``src/local-apps.ts``): each app's
``displayOnModelPage`` rule becomes ``App.can_run`` over :class:`ModelFacts`, the few fields of a
model record the rules read. ``comingSoon`` / ``macOSOnly`` flags are display hints and are not
ported; the rules are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["APPS", "App", "ModelFacts", "apps_for"]

_VLLM_TASKS = frozenset({"text-generation", "image-text-to-text"})
_QUANT_METHODS = frozenset({"awq", "gptq", "aqlm", "marlin"})
_TRIGGERS = frozenset(
    {"mlx", "transformers", "text-generation-inference", "unsloth", "coreml", "ryzenai-hybrid", "ryzenai-npu"}
)


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """What the local-app rules read from a model: tags, task, library, GGUF, quantization, chat template.

    ``quant_method`` is ``config.quantization_config.quant_method``; ``chat_template`` the first of
    ``gguf.chat_template``, ``config.chat_template_jinja``, ``config.tokenizer_config.chat_template``.
    """

    tags: frozenset[str] = frozenset()
    pipeline_tag: str | None = None
    library_name: str | None = None
    gguf_context_length: int | None = None
    quant_method: str | None = None
    chat_template: str | None = None


@dataclass(frozen=True, slots=True)
class App:
    """A local app: its id, label, docs, main task, and the rule saying which models it can run."""

    id: str
    label: str
    docs_url: str
    main_task: str
    can_run: Callable[[ModelFacts], bool]


def is_llama_cpp_gguf(m: ModelFacts) -> bool:
    """``isLlamaCppGgufModel``: the model has a GGUF file with a context length."""
    return bool(m.gguf_context_length)


def is_mlx(m: ModelFacts) -> bool:
    """``isMlxModel``: tagged ``mlx``."""
    return "mlx" in m.tags


def is_transformers(m: ModelFacts) -> bool:
    """``isTransformersModel``: tagged ``transformers``."""
    return "transformers" in m.tags


def is_quantized_for_gpu(m: ModelFacts) -> bool:
    """``isAwqModel || isGptqModel || isAqlmModel || isMarlinModel``."""
    return m.quant_method in _QUANT_METHODS


def is_vllm(m: ModelFacts) -> bool:
    """``isVllmModel``: a quantized, GGUF or transformers model for text or image-text generation."""
    return (
        is_quantized_for_gpu(m) or is_llama_cpp_gguf(m) or is_transformers(m)
    ) and m.pipeline_tag in _VLLM_TASKS


def is_sglang(m: ModelFacts) -> bool:
    """SGLang's rule: as vLLM's, without GGUF."""
    return (is_quantized_for_gpu(m) or is_transformers(m)) and m.pipeline_tag in _VLLM_TASKS


def is_tool_calling_agent(m: ModelFacts) -> bool:
    """``isToolCallingLocalAgentModel``: a conversational GGUF or MLX model whose chat template knows tools."""
    return (
        (is_llama_cpp_gguf(m) or is_mlx(m))
        and "conversational" in m.tags
        and m.chat_template is not None
        and "tools" in m.chat_template
    )


def _gguf_or_mlx(m: ModelFacts) -> bool:
    return is_llama_cpp_gguf(m) or is_mlx(m)


def _jellybox(m: ModelFacts) -> bool:
    return is_llama_cpp_gguf(m) or (
        m.library_name == "diffusers"
        and "safetensors" in m.tags
        and (m.pipeline_tag == "text-to-image" or "lora" in m.tags)
    )


def _drawthings(m: ModelFacts) -> bool:
    return m.library_name == "diffusers" and (m.pipeline_tag == "text-to-image" or "lora" in m.tags)


def _diffusionbee(m: ModelFacts) -> bool:
    return m.library_name == "diffusers" and m.pipeline_tag == "text-to-image"


def _joyfusion(m: ModelFacts) -> bool:
    return "coreml" in m.tags and "joyfusion" in m.tags and m.pipeline_tag == "text-to-image"


def _lemonade(m: ModelFacts) -> bool:
    return is_llama_cpp_gguf(m) or "ryzenai-hybrid" in m.tags or "ryzenai-npu" in m.tags


def _mlx_lm(m: ModelFacts) -> bool:
    return m.pipeline_tag == "text-generation" and is_mlx(m)


def _tgi(m: ModelFacts) -> bool:
    return "text-generation-inference" in m.tags


def _unsloth(m: ModelFacts) -> bool:
    return "unsloth" in m.tags or is_llama_cpp_gguf(m)


def _docker_model_runner(m: ModelFacts) -> bool:
    return is_llama_cpp_gguf(m) or is_vllm(m)


T2T, T2I = "text-generation", "text-to-image"

#: The 24 local apps, in the Hub's order.
APPS: tuple[App, ...] = (
    App("llama.cpp", "llama.cpp", "https://github.com/ggerganov/llama.cpp", T2T, is_llama_cpp_gguf),
    App("node-llama-cpp", "node-llama-cpp", "https://node-llama-cpp.withcat.ai", T2T, is_llama_cpp_gguf),
    App("vllm", "vLLM", "https://docs.vllm.ai", T2T, is_vllm),
    App("sglang", "SGLang", "https://docs.sglang.io", T2T, is_sglang),
    App("mlx-lm", "MLX LM", "https://github.com/ml-explore/mlx-lm", T2T, _mlx_lm),
    App("tgi", "TGI", "https://huggingface.co/docs/text-generation-inference/", T2T, _tgi),
    App("lmstudio", "LM Studio", "https://lmstudio.ai", T2T, _gguf_or_mlx),
    App("localai", "LocalAI", "https://github.com/mudler/LocalAI", T2T, is_llama_cpp_gguf),
    App("jan", "Jan", "https://jan.ai", T2T, is_llama_cpp_gguf),
    App("atomic-chat", "Atomic Chat", "https://atomic.chat", T2T, _gguf_or_mlx),
    App("backyard", "Backyard AI", "https://backyard.ai", T2T, is_llama_cpp_gguf),
    App("jellybox", "Jellybox", "https://jellybox.com", T2T, _jellybox),
    App("msty", "Msty", "https://msty.app", T2T, is_llama_cpp_gguf),
    App("recursechat", "RecurseChat", "https://recurse.chat", T2T, is_llama_cpp_gguf),
    App("drawthings", "Draw Things", "https://drawthings.ai", T2I, _drawthings),
    App("diffusionbee", "DiffusionBee", "https://diffusionbee.com", T2I, _diffusionbee),
    App("joyfusion", "JoyFusion", "https://joyfusion.app", T2I, _joyfusion),
    App("ollama", "Ollama", "https://ollama.com", T2T, is_llama_cpp_gguf),
    App("unsloth", "Unsloth Desktop", "https://unsloth.ai/docs", T2T, _unsloth),
    App(
        "docker-model-runner",
        "Docker Model Runner",
        "https://docs.docker.com/ai/model-runner/",
        T2T,
        _docker_model_runner,
    ),
    App("lemonade", "Lemonade", "https://lemonade-server.ai", T2T, _lemonade),
    App("pi", "Pi", "https://github.com/earendil-works/pi", T2T, is_tool_calling_agent),
    App("hermes-agent", "Hermes Agent", "https://hermes-agent.nousresearch.com/", T2T, is_tool_calling_agent),
    App("openclaw", "OpenClaw", "https://github.com/openclaw/openclaw", T2T, is_tool_calling_agent),
)


def apps_for(model: ModelFacts) -> list[str]:
    """Return the ids of the local apps that can run ``model``, in the Hub's order.

    Examples
    --------
    >>> apps_for(ModelFacts(tags=frozenset({"mlx", "safetensors"}), pipeline_tag="text-generation"))
    ['mlx-lm', 'lmstudio', 'atomic-chat']
    >>> apps_for(ModelFacts(tags=frozenset({"diffusers"}), library_name="diffusers", pipeline_tag="text-to-image"))
    ['drawthings', 'diffusionbee']
    """
    # Every rule needs one of these; most models have none, and skip the 24 rules.
    if not (
        model.gguf_context_length
        or model.quant_method
        or model.library_name == "diffusers"
        or not _TRIGGERS.isdisjoint(model.tags)
    ):
        return []
    return [app.id for app in APPS if app.can_run(model)]

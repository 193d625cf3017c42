"""Copy the facts the Hub has no API for into ``catalog/facts/``, trimmed to what the crawler reads.

Usage: ``python scripts/build_facts.py HUB_FACTS_DIR`` where the folder holds the ``hf_tasks/`` and
``hf_inference_js/`` extracts of the npm packages and ``hfh_providers.json`` (huggingface_hub's
provider registry), named in each output's ``source``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "catalog" / "facts"

#: The providers' own product names; the npm package names providers only by id.
PROVIDER_LABELS = {
    "baseten": "Baseten",
    "cerebras": "Cerebras",
    "cohere": "Cohere",
    "deepinfra": "DeepInfra",
    "fal-ai": "fal",
    "featherless-ai": "Featherless AI",
    "fireworks-ai": "Fireworks AI",
    "groq": "Groq",
    "hf-inference": "HF Inference API",
    "novita": "Novita",
    "nscale": "Nscale",
    "openai": "OpenAI",
    "ovhcloud": "OVHcloud AI Endpoints",
    "publicai": "Public AI",
    "replicate": "Replicate",
    "scaleway": "Scaleway",
    "together": "Together AI",
    "wavespeed": "WaveSpeedAI",
    "zai-org": "Z.ai",
}


def _write(name: str, payload: dict[str, Any]) -> None:
    text = json.dumps(payload, indent=1, ensure_ascii=False, sort_keys=False)
    (OUT / name).write_text(text + "\n", encoding="utf-8")


def main(facts: Path) -> None:
    libraries = json.loads((facts / "hf_tasks/model_libraries.json").read_text())
    mapping = json.loads((facts / "hf_tasks/library_task_mapping.json").read_text())
    _write(
        "libraries.json",
        {
            "source": "npm @huggingface/tasks@0.21.54: MODEL_LIBRARIES_UI_ELEMENTS (prettyLabel, repoUrl, docsUrl) "
            "and LIBRARY_TASK_MAPPING",
            "libraries": {
                lib["id"]: {
                    "label": lib.get("prettyLabel"),
                    "repo_url": lib.get("repoUrl"),
                    "docs_url": lib.get("docsUrl"),
                }
                for lib in libraries
            },
            "library_tasks": {lib: sorted(tasks) for lib, tasks in sorted(mapping.items())},
        },
    )
    pipelines = json.loads((facts / "hf_tasks/pipeline_data.json").read_text())
    _write(
        "tasks.json",
        {
            "source": "npm @huggingface/tasks@0.21.54: PIPELINE_DATA (name, modality, subtasks)",
            "tasks": {
                task["id"]: {
                    "name": task["name"],
                    "modality": task.get("modality"),
                    "subtasks": {s["type"]: s["name"] for s in task.get("subtasks", [])},
                }
                for task in pipelines
            },
        },
    )
    providers = json.loads((facts / "hf_inference_js/providers.json").read_text())
    # The tasks are those the Python client the crawler runs (huggingface_hub 2.4.0) can call: read
    # here once, so that no code imports the client's private registry and an upgrade changes nothing.
    python_client = json.loads((facts / "hfh_providers.json").read_text())
    _write(
        "providers.json",
        {
            "source": "npm @huggingface/inference@4.13.30: INFERENCE_PROVIDERS (ids), PROVIDERS_HUB_ORGS (hub_org); "
            f"PyPI {python_client['package']}: {python_client['source_file']} PROVIDERS (tasks); labels are the "
            "providers' product names, written by hand",
            "versions": {
                "@huggingface/inference": "4.13.30",
                "huggingface_hub": python_client["package"].split("==")[1],
            },
            "providers": {
                p: {
                    "label": PROVIDER_LABELS.get(p, p),
                    "hub_org": providers["PROVIDERS_HUB_ORGS"].get(p),
                    "tasks": sorted(python_client["PROVIDERS"].get(p, {})),
                }
                for p in providers["INFERENCE_PROVIDERS"]
            },
        },
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))

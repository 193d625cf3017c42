"""Build ``data/snapshot/``: an offline snapshot of the Hub's API answers from real ecosystem facts.

Usage: ``python scripts/build_snapshot.py [HUB_FACTS_DIR] [--out data/snapshot]``; the facts folder
(default ``../shared/hub-facts`` next to the repository) holds the extracts of the packages named in
each file's ``source``. The output is deterministic: running the script twice gives the same bytes.

What is real, what is derived by a stated rule, and what is made up is listed in ``data/README.md``
and in the snapshot's ``manifest.json`` (``made_up``). Made-up values are drawn from a hash of the
repo id, so they never change between builds and never pass for real counts.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from snapshot_sources import (
    APP_EXAMPLES,
    CARD_LINEAGE,
    COUNTED_BY,
    LIBRARY_RANK,
    LITELLM_PROVIDERS,
    MADE_UP,
    MERGES,
    MODE_TASK,
    MTEB_TYPE_CATEGORY,
    PROVENANCE,
    QUANTIZED_NAME,
    RECORDED,
    RECORDED_AT,
    RENAMES,
    REPO_ID,
    REPORTED_BY,
    Facts,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog.hub.snapshot import write_snapshot  # noqa: E402


def _hash(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\0".join(parts).encode()).digest()[:8], "big")


def _unit(*parts: str) -> float:
    return _hash(*parts) / 2**64


def _oid(id: str) -> str:
    return hashlib.sha256(f"oid\0{id}".encode()).hexdigest()[:24]


def _made_up_date(id: str, field: str, start_year: int = 2021) -> str:
    day = int(_unit(id, field) * 365 * (2026 - start_year))
    year, day = start_year + day // 365, day % 365
    month, mday = 1 + day // 31 % 12, 1 + day % 28
    seconds = _hash(id, field, "s") % 86400
    return f"{year}-{month:02d}-{mday:02d}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000Z"


def _counts(id: str, scale: int) -> dict[str, Any]:
    """Made-up, heavy-tailed popularity numbers, stable for an id."""
    downloads = int(10 ** (_unit(id, "downloads") ** 2 * scale))
    return {
        "downloads": downloads,
        "downloadsAllTime": downloads * (2 + _hash(id, "all") % 40),
        "likes": int(10 ** (_unit(id, "likes") ** 2 * (scale - 2))),
        "trendingScore": _hash(id, "trending") % 50,
    }


def build_models(facts: Facts, spaces_by_model: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Return the raw model records, as ``GET /api/models?expand=...`` lists them."""
    provider_models = _provider_models(facts)
    records = [_model_record(seed, facts, provider_models, spaces_by_model) for seed in facts.models]
    for id, fields in RECORDED.items():
        records.append(
            {
                **_model_record({"id": id}, facts, provider_models, spaces_by_model),
                **fields,
            }
        )
    _serve_every_provider(records, facts)
    for id, parents in MERGES.items():
        seed = {
            "id": id,
            "libraries": ["transformers", "sentence-transformers"],
            "licenses": ["apache-2.0"],
            "pipeline_tags": ["sentence-similarity"],
            "base_models": parents,
        }
        records.append(_model_record(seed, facts, provider_models, spaces_by_model, relation="merge"))
    for id, fields in APP_EXAMPLES.items():
        records.append({**_model_record({"id": id}, facts, {}, spaces_by_model), **fields})
    _tail_counts(records)
    # Newest first, as a crawl sorted by lastModified reads them.
    records.sort(key=lambda r: (r["lastModified"], r["id"]), reverse=True)
    return records


def _tail_counts(records: list[dict[str, Any]]) -> None:
    """Give each made-up repo counts just under the lowest of the real models of its task.

    They stay in the range of their neighbours and are listed after every real model on a page
    sorted by downloads, likes or trend.
    """
    by_task: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        if not record["id"].startswith("catalog-examples/"):
            by_task[record.get("pipeline_tag")].append(record)
    for record in records:
        if record["id"].startswith("catalog-examples/"):
            peers = by_task.get(record.get("pipeline_tag")) or by_task[None]
            for key in ("downloads", "downloadsAllTime", "likes", "trendingScore"):
                record[key] = max(min(p[key] for p in peers) - 1, 0)


def _serve_every_provider(records: list[dict[str, Any]], facts: Facts) -> None:
    """Map each provider litellm names no model for to one real model of a task it serves (made up).

    The task is the provider's first in ``@huggingface/inference``'s provider -> task table that a
    model of the snapshot has (``conversational`` is text-generation). The model is drawn by a hash of
    the provider among those another provider already serves for that task, else among those with a
    parameter count, else among all.
    """
    served = {m["provider"] for r in records for m in r.get("inferenceProviderMapping", [])}
    real = sorted((r for r in records if "/" in r["id"]), key=lambda r: r["id"])
    for provider in sorted(facts.providers - served):
        for task in facts.provider_tasks.get(provider, []):
            pipeline = "text-generation" if task == "conversational" else task
            of_task = [r for r in real if r.get("pipeline_tag") == pipeline]
            served_for = [
                r for r in of_task if any(m["task"] == task for m in r.get("inferenceProviderMapping", []))
            ]
            candidates = served_for or [r for r in of_task if _total(r)] or of_task
            if candidates:
                chosen = candidates[_hash(provider, "serves") % len(candidates)]
                chosen.setdefault("inferenceProviderMapping", []).append(
                    {
                        "provider": provider,
                        "providerId": chosen["id"],
                        "status": "live",
                        "task": task,
                    }
                )
                break


def _total(record: dict[str, Any]) -> int:
    return int((record.get("safetensors") or record.get("gguf") or {}).get("total") or 0)


def _model_record(
    seed: dict[str, Any],
    facts: Facts,
    provider_models: dict[str, list[dict[str, Any]]],
    spaces_by_model: dict[str, list[str]],
    relation: str | None = None,
) -> dict[str, Any]:
    id = seed["id"]
    libraries = sorted(
        seed.get("libraries", []),
        key=lambda lib: LIBRARY_RANK.index(lib) if lib in LIBRARY_RANK else 99,
    )
    mappings = provider_models.get(id.lower(), [])
    documented = facts.documented_class(seed)
    pipeline_tag = _pipeline_tag(seed, libraries, facts, mappings, documented)
    if not libraries and documented:
        libraries = ["transformers"]
    if not libraries and pipeline_tag:
        known = facts.task_libraries.get(pipeline_tag) or []
        libraries = [lib for lib in LIBRARY_RANK if lib in known][:1] or known[:1]
    if not libraries and mappings:
        libraries = ["transformers"]
    library = libraries[0] if libraries else None
    licenses = seed.get("licenses", [])
    meta = facts.mteb_models.get(id, {})
    languages = sorted(
        {
            facts.language_639_1.get(lang.split("-")[0], lang.split("-")[0])
            for lang in seed.get("languages", [])
        }
    )
    datasets = sorted(
        {
            facts.mteb_tasks[t]["hf_dataset_path"]
            for t in seed.get("training_datasets", [])
            if t in facts.mteb_tasks and facts.mteb_tasks[t].get("hf_dataset_path")
        }
    )
    relation, bases = _lineage(seed, relation)
    created = (
        f"{seed['release_date']}T00:00:00.000Z"
        if seed.get("release_date")
        else _made_up_date(id, "createdAt")
    )
    modified = max(created, _made_up_date(id, "lastModified", 2024))
    tags = [*libraries]
    total, dtype, source = _parameters(seed, facts)
    safetensors = gguf = None
    if "gguf" in libraries:
        gguf = {
            "total": total,
            "context_length": meta.get("max_tokens") or seed.get("max_tokens"),
        }
        gguf = {k: v for k, v in gguf.items() if v}
    if total and library != "gguf":
        # Where the facts name no dtype, one is made up: F32 under 1B parameters, BF16 above.
        dtype = dtype or ("F32" if total < 1_000_000_000 else "BF16")
        safetensors = {"parameters": {dtype: total}, "total": total}
        tags.append("safetensors")
    if pipeline_tag:
        tags.append(pipeline_tag)
    if any(m["task"] == "conversational" for m in mappings):
        tags.append("conversational")
    tags += languages
    tags += [f"dataset:{d}" for d in datasets]
    for base in bases:
        tags += [f"base_model:{base}", f"base_model:{relation}:{base}"]
    tags += [f"license:{lic}" for lic in licenses] + ["region:us"]
    card: dict[str, Any] = {
        "license": licenses[0] if licenses else None,
        "language": languages,
        "datasets": datasets,
        "base_model": (bases[0] if len(bases) == 1 else bases) if bases else None,
        "base_model_relation": relation if bases else None,
        "library_name": library,
        "pipeline_tag": pipeline_tag,
    }
    card = {k: v for k, v in card.items() if v}
    config = None
    model_type = seed.get("model_type") or (documented or {}).get("model_type")
    if model_type:
        config = {"model_type": model_type}
        if documented:
            config["architectures"] = [documented["class"]]
        elif model_type in facts.model_type_class:
            config["architectures"] = [facts.model_type_class[model_type]]
    record: dict[str, Any] = {
        "_id": _oid(id),
        "id": id,
        "author": id.split("/")[0] if "/" in id else None,
        "pipeline_tag": pipeline_tag,
        "library_name": library,
        "tags": tags,
        **_counts(id, 7),
        "createdAt": created,
        "lastModified": modified,
        "private": False,
        "gated": False,
        "disabled": False,
        "sha": (seed.get("revision") or "").split("-")[0] or hashlib.sha1(id.encode()).hexdigest(),
        "config": config,
        "cardData": card or None,
        "safetensors": safetensors,
        "gguf": gguf,
        "inferenceProviderMapping": mappings,
        "spaces": spaces_by_model.get(id, []),
        "parametersSource": source,
    }
    return {k: v for k, v in record.items() if v is not None or k in ("pipeline_tag", "library_name")}


def _parameters(seed: dict[str, Any], facts: Facts) -> tuple[int | None, str | None, str | None]:
    """Return (total, dtype, where the count comes from): a count computed by the package, else mteb's."""
    trusted = facts.trusted.get(seed["id"])
    if trusted:
        return (
            int(trusted["total"]),
            trusted.get("dtype"),
            f"computed by {COUNTED_BY[trusted['library']]}",
        )
    if seed.get("n_parameters"):
        # Some sources give counts as floats (1e6): the Hub's totals are integers.
        return int(seed["n_parameters"]), None, f"reported by {REPORTED_BY}"
    return None, None, None


def _pipeline_tag(
    seed: dict[str, Any],
    libraries: list[str],
    facts: Facts,
    mappings: list[dict[str, Any]],
    documented: dict[str, Any] | None,
) -> str | None:
    """The real pipeline tag when a source names one, else the documented class's, else a derived one."""
    if seed.get("pipeline_tags"):
        return str(min(seed["pipeline_tags"]))
    if documented and documented.get("pipeline_tag"):
        return str(documented["pipeline_tag"])
    # A documented class that serves no pipeline task keeps none from its model type either.
    if not documented and seed.get("model_type") in facts.model_type_task:
        return facts.model_type_task[seed["model_type"]]
    if "open_clip" in libraries:
        return "zero-shot-image-classification"
    if "timm" in libraries:
        return "image-classification"
    if "sentence-transformers" in libraries or "pylate" in libraries:
        return "sentence-similarity"
    if seed["id"] in facts.mteb_models:
        return "feature-extraction"
    tasks = {m["task"] for m in mappings}
    if "conversational" in tasks or "text-generation" in tasks:
        return "text-generation"
    return next(iter(sorted(tasks)), None)


def _lineage(seed: dict[str, Any], relation: str | None) -> tuple[str | None, list[str]]:
    if seed["id"] in CARD_LINEAGE:
        return CARD_LINEAGE[seed["id"]][0], list(CARD_LINEAGE[seed["id"]][1])
    # mteb sometimes names a base by its Hub URL; anything else that is not a repo id is dropped.
    bases = [b.removeprefix("https://huggingface.co/").strip("/") for b in seed.get("base_models", [])]
    bases = [b for b in bases if REPO_ID.match(b) and b != seed["id"]]
    if not bases:
        return None, []
    if relation is None:
        relation = "quantized" if QUANTIZED_NAME.search(seed["id"].split("/")[-1]) else "finetune"
    return relation, bases


def _provider_models(facts: Facts) -> dict[str, list[dict[str, Any]]]:
    """Hub id (lower case) -> list-form provider mappings, from litellm's provider model tables."""
    seeds = {m["id"].lower(): m for m in facts.models if m.get("providers")}
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for litellm_name, entries in sorted(facts.litellm.items()):
        provider = LITELLM_PROVIDERS.get(litellm_name, litellm_name)
        if provider not in facts.providers:
            continue
        for entry in entries:
            key = entry["model_id"].lower()
            if key in seeds and not any(m["provider"] == provider for m in out[key]):
                out[key].append(
                    {
                        "provider": provider,
                        "providerId": entry["model_id"],
                        "status": "live",
                        "task": MODE_TASK.get(entry.get("mode", ""), "conversational"),
                    }
                )
    return out


def build_datasets(facts: Facts) -> list[dict[str, Any]]:
    """Return the raw dataset records."""
    task_datasets: dict[str, set[str]] = defaultdict(set)
    for task, data in facts.tasks_data.items():
        for dataset in (data or {}).get("datasets", []):
            task_datasets[dataset["id"]].add(task)
    mteb_by_path: dict[str, set[str]] = defaultdict(set)
    for task in facts.mteb_tasks.values():
        if task.get("hf_dataset_path") and task.get("type") in MTEB_TYPE_CATEGORY:
            mteb_by_path[task["hf_dataset_path"]].add(MTEB_TYPE_CATEGORY[task["type"]])
    records = []
    for seed in facts.datasets:
        id = seed["id"]
        categories = sorted(
            set(seed.get("tasks", [])) | task_datasets.get(id, set()) | mteb_by_path.get(id, set())
        )
        tags = [f"task_categories:{c}" for c in categories]
        if seed.get("license"):
            tags.append(f"license:{seed['license']}")
        if seed.get("mteb_tasks"):
            tags.append("mteb")
        created = _made_up_date(id, "createdAt")
        counts = _counts(id, 6)
        records.append(
            {
                "_id": _oid(id),
                "id": id,
                "author": id.split("/")[0] if "/" in id else None,
                "downloads": counts["downloads"],
                "likes": counts["likes"],
                "createdAt": created,
                "lastModified": max(created, _made_up_date(id, "lastModified", 2024)),
                "private": False,
                "gated": False,
                "disabled": False,
                "tags": tags,
                "cardData": {"license": seed["license"]} if seed.get("license") else None,
            }
        )
    records.sort(key=lambda r: (r["lastModified"], r["id"]), reverse=True)
    return records


def build_spaces(facts: Facts, models: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the raw Space records, each using a few models (and datasets) of its tasks: made-up links."""
    by_task: dict[str, list[str]] = defaultdict(list)
    for model in models:
        if model.get("pipeline_tag") and not model["id"].startswith("catalog-examples/"):
            by_task[model["pipeline_tag"]].append(model["id"])
    records = []
    for seed in facts.spaces:
        id = seed["id"]
        tasks = seed.get("tasks", [])
        candidates = sorted({m for t in tasks for m in by_task.get(t, [])})
        count = 1 + _hash(id, "n") % 3
        chosen = (
            sorted({candidates[_hash(id, "model", str(i)) % len(candidates)] for i in range(count)})
            if candidates
            else []
        )
        task_datasets = sorted(
            {d["id"] for t in tasks for d in (facts.tasks_data.get(t) or {}).get("datasets", [])}
        )
        datasets = (
            [task_datasets[_hash(id, "dataset") % len(task_datasets)]]
            if task_datasets and _hash(id, "d") % 2
            else []
        )
        sdk = ["gradio", "gradio", "gradio", "streamlit", "docker", "static"][_hash(id, "sdk") % 6]
        created = _made_up_date(id, "createdAt", 2022)
        hardware = ["cpu-basic", "zero-a10g", "t4-small", "a10g-small"][_hash(id, "hw") % 4]
        records.append(
            {
                "_id": _oid(id),
                "id": id,
                "author": id.split("/")[0],
                "sdk": sdk,
                "likes": _counts(id, 6)["likes"],
                "trendingScore": _hash(id, "trending") % 30,
                "createdAt": created,
                "lastModified": max(created, _made_up_date(id, "lastModified", 2024)),
                "private": False,
                "runtime": {
                    "stage": "RUNNING",
                    "hardware": {"current": hardware, "requested": hardware},
                },
                "models": chosen,
                "datasets": datasets,
                "tags": [sdk, *tasks, "region:us"],
            }
        )
    records.sort(key=lambda r: (r["lastModified"], r["id"]), reverse=True)
    return records


def build_tags_by_type(facts: Facts, models: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Return the ``GET /api/models-tags-by-type`` payload: the Hub's tag taxonomy."""
    licenses = sorted({t[8:] for m in models for t in m["tags"] if t.startswith("license:")})
    languages = sorted({lang for m in models for lang in (m.get("cardData") or {}).get("language", [])})
    return {
        "pipeline_tag": [
            {
                "id": p["id"],
                "label": p["name"],
                "type": "pipeline_tag",
                "subType": p.get("modality"),
            }
            for p in facts.pipelines
        ],
        "library": [
            {"id": lib["id"], "label": lib["prettyLabel"], "type": "library"} for lib in facts.libraries
        ],
        "license": [{"id": lic, "label": lic, "type": "license"} for lic in licenses],
        "language": [{"id": lang, "label": lang, "type": "language"} for lang in languages],
        "region": [
            {"id": "us", "label": "🇺🇸 Region: US", "type": "region"},
            {"id": "eu", "label": "🇪🇺 Region: EU", "type": "region"},
        ],
        "other": [{"id": t, "label": t, "type": "other"} for t in ("conversational", "safetensors", "mteb")],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("facts", nargs="?", type=Path, default=ROOT.parent / "shared" / "hub-facts")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "snapshot")
    args = parser.parse_args(argv)
    facts = Facts(args.facts)
    placeholder = build_models(facts, {})
    spaces = build_spaces(facts, placeholder)
    spaces_by_model: dict[str, list[str]] = defaultdict(list)
    for space in spaces:
        for model in space["models"]:
            spaces_by_model[model].append(space["id"])
    models = build_models(facts, spaces_by_model)
    ids = {m["id"] for m in models}
    aliases = {"models": {old: new for old, new in sorted(RENAMES.items()) if new in ids and old not in ids}}
    snapshot = write_snapshot(
        args.out,
        models=models,
        datasets=build_datasets(facts),
        spaces=spaces,
        # TASKS_DATA holds `undefined` for a task without data, which the Hub's JSON leaves out.
        tasks={task: data for task, data in facts.tasks_data.items() if data is not None},
        tags_by_type=build_tags_by_type(facts, models),
        # The Hub answers an old repo name with a redirect to the new one (the replay server reads it).
        payloads={"aliases": {**aliases, "datasets": {}, "spaces": {}}},
        compress=True,
        manifest={
            "endpoint": "https://huggingface.co",
            "recorded_at": RECORDED_AT,
            "made_up": MADE_UP,
            "provenance": PROVENANCE,
            "client": "huggingface_hub 2.4.0 (built offline by scripts/build_snapshot.py, not recorded)",
            "note": "Built from real ecosystem facts (see data/README.md); made-up fields are listed in made_up.",
        },
    )
    print(f"{snapshot.path}: {snapshot.manifest['counts']}")


if __name__ == "__main__":
    main()

"""What runs where: the apps and providers of a model, and the models that fit a hardware SKU.

A model's weights take, for each dtype in its safetensors ``parameters``, that many parameters
times the dtype's bytes; a model without per-dtype counts takes ``num_parameters`` x 2 bytes
(16-bit weights, the Hub's common case); a model with neither is of unknown size and fits nowhere.
The weights fit a SKU when they take no more than its memory (GB read as GiB, as GPU memory is
sold). Activations and KV cache are not counted: this is the floor, not a guarantee.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from typing import Any

from catalog.errors import NotFound
from catalog.graph.faces import face_labels
from catalog.graph.lookup import check_limit, fetch, require
from catalog.graph.params import weight_bytes_sql
from catalog.store import Store

__all__ = ["hardware_fit", "hardware_fit_by_task", "load_skus", "runs_where", "sku_memory_gb"]

GIB = 2**30


def runs_where(store: Store, model_id: str) -> list[dict[str, Any]]:
    """Return the local apps that can run ``model_id`` and the providers that serve it.

    Rows have ``kind`` (``app`` or ``provider``), ``id``, ``label``, and for providers the
    mapping's ``status`` (``live`` or ``staging``), ``task`` and ``provider_model_id``.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r["kind"], r["id"], r["status"]) for r in runs_where(demo_store(), "mistralai/mistral-7b")]
    [('app', 'vllm', None), ('provider', 'groq', 'live'), ('provider', 'together', 'staging')]
    """
    require(store, "model", model_id)
    apps, providers = face_labels(store, "app"), face_labels(store, "provider")
    rows: list[dict[str, Any]] = [
        {
            "kind": "app",
            "id": app,
            "label": apps.get(app, app),
            "status": None,
            "task": None,
            "provider_model_id": None,
        }
        for (app,) in fetch(
            store, "SELECT app_id FROM model_apps WHERE model_id = :id ORDER BY app_id", {"id": model_id}
        )
    ]
    for provider, status, task, provider_model_id in fetch(
        store,
        "SELECT provider_id, status, task, provider_model_id FROM model_providers WHERE model_id = :id "
        "ORDER BY provider_id",
        {"id": model_id},
    ):
        rows.append(
            {
                "kind": "provider",
                "id": provider,
                "label": providers.get(provider, provider),
                "status": status,
                "task": task,
                "provider_model_id": provider_model_id,
            }
        )
    return rows


@cache
def load_skus() -> dict[str, dict[str, Any]]:
    """Return the hardware SKUs that list memory, by name (``catalog/facts/skus.json``).

    Examples
    --------
    >>> load_skus()["RTX 4090"]
    {'name': 'RTX 4090', 'type': 'GPU', 'vendor': 'NVIDIA', 'memory_gb': [24]}
    """
    data = json.loads(resources.files("catalog").joinpath("facts/skus.json").read_text(encoding="utf-8"))
    return {sku["name"]: sku for sku in data["skus"]}


def sku_memory_gb(sku: str, memory_gb: float | None = None) -> float:
    """Return the memory of ``sku`` (any case) in GB: ``memory_gb`` if given, else its largest option.

    Examples
    --------
    >>> sku_memory_gb("Apple M1"), sku_memory_gb("Apple M1", 8)
    (16, 8)
    >>> sku_memory_gb("RTX 4909")
    Traceback (most recent call last):
    ...
    catalog.errors.NotFound: no sku 'RTX 4909' in the catalog; did you mean 'RTX 4090', 'RTX 4090D', 'RTX 5090'?
    """
    skus = {name.lower(): value for name, value in load_skus().items()}
    if sku.lower() not in skus:
        raise NotFound("sku", sku, difflib.get_close_matches(sku, list(load_skus()), n=3, cutoff=0.6))
    return memory_gb if memory_gb is not None else max(skus[sku.lower()]["memory_gb"])


def _sized_models(store: Store, task: str | None) -> tuple[str, dict[str, Any]]:
    joined, expression = weight_bytes_sql(store.dialect)
    where = "m.deleted_at IS NULL" + (" AND m.pipeline_tag = :task" if task else "")
    sql = (
        f"SELECT m.id AS id, m.pipeline_tag AS pipeline_tag, m.library_name AS library_name, "
        f"m.downloads AS downloads, SUM({expression}) AS bytes FROM models m {joined} WHERE {where} "
        "GROUP BY m.id, m.pipeline_tag, m.library_name, m.downloads"
    )
    return sql, ({"task": task} if task else {})


def hardware_fit(
    store: Store,
    sku: str,
    *,
    task: str | None = None,
    memory_gb: float | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Return the live models whose weights fit in the memory of ``sku``, most downloaded first.

    Rows have ``model_id``, ``pipeline_tag``, ``library_name``, ``downloads`` and ``weights_gib``.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r["model_id"], r["weights_gib"]) for r in hardware_fit(demo_store(), "RTX 4060", task="text-generation")]
    [('carol/llama-7b-chat-lora', 0.02)]
    """
    check_limit(limit)
    budget = sku_memory_gb(sku, memory_gb) * GIB
    if task is not None:
        require(store, "task", task)
    sql, params = _sized_models(store, task)
    limit_sql = f" LIMIT {int(limit)}" if limit is not None else ""
    rows = fetch(
        store,
        f"SELECT * FROM ({sql}) s WHERE s.bytes <= :budget ORDER BY s.downloads DESC NULLS LAST, s.id{limit_sql}",
        {**params, "budget": budget},
    )
    return [
        {
            "model_id": id,
            "pipeline_tag": tag,
            "library_name": library,
            "downloads": downloads,
            "weights_gib": round(float(size) / GIB, 2),
        }
        for id, tag, library, downloads, size in rows
    ]


def hardware_fit_by_task(store: Store, sku: str, *, memory_gb: float | None = None) -> list[dict[str, Any]]:
    """Return, per task, how many live models of known size fit in the memory of ``sku``.

    Rows have ``pipeline_tag``, ``fit``, ``sized`` (models of known size) and ``share``
    (``fit / sized``), most fitting models first.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r["pipeline_tag"], r["fit"], r["sized"]) for r in hardware_fit_by_task(demo_store(), "RTX 4090")]
    [('text-generation', 6, 7), ('image-classification', 1, 1), ('text-classification', 1, 1)]
    """
    budget = sku_memory_gb(sku, memory_gb) * GIB
    sql, params = _sized_models(store, None)
    rows = fetch(
        store,
        "SELECT s.pipeline_tag, SUM(CASE WHEN s.bytes <= :budget THEN 1 ELSE 0 END) AS fit, COUNT(*) AS sized "
        f"FROM ({sql}) s WHERE s.bytes IS NOT NULL AND s.pipeline_tag IS NOT NULL GROUP BY s.pipeline_tag",
        {**params, "budget": budget},
    )
    out = [{"pipeline_tag": t, "fit": int(f), "sized": int(n), "share": int(f) / int(n)} for t, f, n in rows]
    return sorted(out, key=lambda r: (-r["fit"], r["pipeline_tag"]))

"""What runs where: the apps and providers of a model, and the models whose weights fit some memory.

A model's weights take, for each dtype in its safetensors ``parameters``, that many parameters
times the dtype's bytes; a model without per-dtype counts takes ``num_parameters`` x 2 bytes
(16-bit weights, the Hub's common case); a model with neither is of unknown size and fits nowhere.
The weights fit a SKU when they take no more than its memory (GB read as GiB, as GPU memory is
sold). Activations and KV cache are not counted: this is the floor, not a guarantee.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Numeric, Select, case, cast, func, literal, select, true

from catalog.errors import NotFound
from catalog.facts import load_facts
from catalog.queries.faces import face_labels, total
from catalog.queries.lookup import require
from catalog.queries.read import check_limit, read
from catalog.schema import Model, ModelApp, ModelProvider
from catalog.store import Store

__all__ = [
    "BYTES_PER_DTYPE",
    "GIB",
    "FitRow",
    "FitShare",
    "RunsWhere",
    "hardware_fit",
    "hardware_fit_by_task",
    "runs_where",
    "sku_memory_gb",
]

GIB = 2**30
#: Bytes per parameter of each safetensors dtype (``SafeTensorsInfo.parameters`` keys).
#: Unknown dtypes, and models without per-dtype counts, count 2 bytes (16-bit weights).
BYTES_PER_DTYPE: dict[str, float] = {
    "F64": 8,
    "I64": 8,
    "U64": 8,
    "C64": 8,
    "F32": 4,
    "I32": 4,
    "U32": 4,
    "F16": 2,
    "BF16": 2,
    "I16": 2,
    "U16": 2,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
    "F8_E8M0": 1,
    "I8": 1,
    "U8": 1,
    "BOOL": 1,
    "F6_E2M3": 0.75,
    "F6_E3M2": 0.75,
    "F4": 0.5,
    "I4": 0.5,
    "U4": 0.5,
}
DEFAULT_BYTES = 2


@dataclass(frozen=True, slots=True)
class RunsWhere:
    """A local app that runs a model, or a provider that serves it (with the mapping's fields)."""

    kind: str
    id: str
    label: str
    status: str | None
    task: str | None
    provider_model_id: str | None


@dataclass(frozen=True, slots=True)
class FitRow:
    """A live model whose weights fit, and their size in GiB (to 2 places)."""

    model_id: str
    pipeline_tag: str | None
    library_name: str | None
    downloads: int | None
    weights_gib: float


@dataclass(frozen=True, slots=True)
class FitShare:
    """Per task: the live models of known size that fit, those of known size, and the share."""

    pipeline_tag: str
    fit: int
    sized: int
    share: float


def runs_where(store: Store, model_id: str) -> list[RunsWhere]:
    """Return the local apps that can run ``model_id``, then the providers that serve it.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r.kind, r.id, r.status) for r in runs_where(demo_store(), "mistralai/mistral-7b")]
    [('app', 'vllm', None), ('provider', 'groq', 'live'), ('provider', 'together', 'staging')]
    """
    require(store, "model", model_id)
    apps, providers = face_labels(store, "app"), face_labels(store, "provider")
    apps_of = select(ModelApp.app_id).where(ModelApp.model_id == model_id).order_by(ModelApp.app_id)
    rows = [RunsWhere("app", a, apps.get(a, a), None, None, None) for a in read(store, apps_of, str)]
    mapping = (
        ModelProvider.provider_id,
        ModelProvider.status,
        ModelProvider.task,
        ModelProvider.provider_model_id,
    )
    served_by = select(*mapping).where(ModelProvider.model_id == model_id).order_by(ModelProvider.provider_id)

    def provider(id: str, status: str, task: str | None, mapped: str | None) -> RunsWhere:
        return RunsWhere("provider", id, providers.get(id, id), status, task, mapped)

    rows += read(store, served_by, provider)
    return rows


def sku_memory_gb(sku: str, memory_gb: float | None = None) -> float:
    """Return the memory of ``sku`` (any case) in GB: ``memory_gb`` if given, else its largest option.

    The SKUs are ``catalog/facts/skus.json``.

    Examples
    --------
    >>> sku_memory_gb("Apple M1"), sku_memory_gb("Apple M1", 8)
    (16, 8)
    >>> sku_memory_gb("RTX 4909")
    Traceback (most recent call last):
    ...
    catalog.errors.NotFound: no sku 'RTX 4909' in the catalog; did you mean 'RTX 4090', 'RTX 4090D', 'RTX 5090'?
    """
    skus = {s["name"]: s for s in load_facts("skus")["skus"]}
    by_lower = {name.lower(): s for name, s in skus.items()}
    if sku.lower() not in by_lower:
        raise NotFound("sku", sku, difflib.get_close_matches(sku, list(skus), n=3, cutoff=0.6))
    return memory_gb if memory_gb is not None else max(by_lower[sku.lower()]["memory_gb"])


def _sized_models(dialect: str) -> Select[*tuple[Any, ...]]:
    """Live models with their weight bytes, summed over the dtypes of their ``parameters``."""
    if dialect == "postgresql":
        objects = case((func.jsonb_typeof(Model.parameters) == "object", Model.parameters))
        dtypes = func.jsonb_each_text(objects).table_valued("key", "value").lateral("j")
        count: Any = cast(dtypes.c.value, Numeric)
    else:
        objects = case((func.json_type(Model.parameters) == "object", Model.parameters))
        dtypes = func.json_each(objects).table_valued("key", "value").alias("j")
        count = dtypes.c.value
    per_dtype = case(BYTES_PER_DTYPE, value=dtypes.c.key, else_=DEFAULT_BYTES)
    size = case((dtypes.c.key.is_(None), Model.num_parameters * DEFAULT_BYTES), else_=count * per_dtype)
    columns = (Model.id, Model.pipeline_tag, Model.library_name, Model.downloads)
    return (
        select(*columns, func.sum(size).label("bytes"))
        .select_from(Model)
        .outerjoin(dtypes, true())
        .where(Model.deleted_at.is_(None))
        .group_by(*columns)
    )


def hardware_fit(
    store: Store,
    sku: str,
    *,
    task: str | None = None,
    memory_gb: float | None = None,
    limit: int | None = None,
) -> list[FitRow]:
    """Return the live models whose weights fit in the memory of ``sku``, most downloaded first.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r.model_id, r.weights_gib) for r in hardware_fit(demo_store(), "RTX 4060", task="text-generation")]
    [('carol/llama-7b-chat-lora', 0.02)]
    """
    check_limit(limit)
    budget = sku_memory_gb(sku, memory_gb) * GIB
    sized = _sized_models(store.dialect)
    if task is not None:
        require(store, "task", task)
        sized = sized.where(Model.pipeline_tag == task)
    s = sized.subquery("s")
    statement = (
        select(s.c.id, s.c.pipeline_tag, s.c.library_name, s.c.downloads, s.c.bytes)
        .where(s.c.bytes <= budget)
        .order_by(s.c.downloads.desc().nulls_last(), s.c.id)
        .limit(limit)
    )
    return [
        FitRow(id, tag, library, downloads, round(float(size) / GIB, 2))
        for id, tag, library, downloads, size in read(store, statement, lambda *row: row)
    ]


def hardware_fit_by_task(store: Store, sku: str, *, memory_gb: float | None = None) -> list[FitShare]:
    """Return, per task, how many live models of known size fit in the memory of ``sku``.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r.pipeline_tag, r.fit, r.sized) for r in hardware_fit_by_task(demo_store(), "RTX 4090")]
    [('text-generation', 6, 7), ('image-classification', 1, 1), ('text-classification', 1, 1)]
    """
    budget = sku_memory_gb(sku, memory_gb) * GIB
    s = _sized_models(store.dialect).subquery("s")
    statement = (
        select(s.c.pipeline_tag, total(case((s.c.bytes <= literal(budget), 1), else_=0)), func.count())
        .where(s.c.bytes.is_not(None), s.c.pipeline_tag.is_not(None))
        .group_by(s.c.pipeline_tag)
    )
    rows = [FitShare(t, f, n, f / n) for t, f, n in read(store, statement, lambda *row: row)]
    return sorted(rows, key=lambda r: (-r.fit, r.pipeline_tag))

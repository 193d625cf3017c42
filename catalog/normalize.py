"""Raw Hub JSON -> rows of the store's tables; the only code besides ``hub/`` that reads raw records.

One function per record kind (:func:`normalize_model`, :func:`normalize_dataset`,
:func:`normalize_space`) and one per reference table. A malformed record raises
:class:`~catalog.errors.RecordError` with a one-line reason, which the crawler stores in
``rejects``; unknown fields are kept in the ``raw`` column. Rows are plain dicts keyed by column
name, ready for :func:`catalog.store.upsert`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from catalog.apps import APPS, ModelFacts, apps_for
from catalog.errors import RecordError
from catalog.facts import load_facts
from catalog.records import LINEAGE_RELATIONS

__all__ = [
    "KEY_BYTES",
    "BadEntry",
    "Normalized",
    "app_rows",
    "clean_reference",
    "library_rows",
    "normalize_dataset",
    "normalize_model",
    "normalize_space",
    "parse_date",
    "provider_rows",
    "task_rows",
]

Row = dict[str, Any]
_RELATIONS = frozenset(LINEAGE_RELATIONS)
_ZERO = timedelta(0)
_GATED = {False: "false", True: "true", "auto": "auto", "manual": "manual"}
#: The longest string (UTF-8 bytes) a column of its own takes: PostgreSQL's b-tree entries hold at
#: most ~2,700 bytes ("index row size exceeds btree maximum"), and a key may pair two such columns.
KEY_BYTES = 1000
#: An escaped NUL in orjson's output (``\u0000`` after an even run of backslashes): PostgreSQL's
#: text and JSONB cannot hold the character.
_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
#: What orjson's refusal to write a record means for the store.
_UNWRITABLE = {
    "Recursion limit": "nested deeper than 254 levels, more than the store's JSON writer takes",
    "64-bit": "an integer beyond 64 bits, more than the store's JSON columns take",
    "surrogates": "a string holds a lone surrogate (not valid Unicode)",
    "NonFinite": "a number is NaN or Infinity, which JSON does not allow",
}


@dataclass(slots=True)
class Normalized:
    """The rows one raw record becomes: its own row, and its child rows per table."""

    id: str
    row: Row
    children: dict[str, list[Row]] = field(default_factory=dict)
    history: Row | None = None


def parse_date(value: Any, name: str = "date") -> datetime | None:
    """Parse one of the Hub's ISO-8601 timestamps (``2022-03-02T23:29:04.000Z``) to an aware datetime.

    Examples
    --------
    >>> parse_date("2022-03-02T23:29:04.000Z")
    datetime.datetime(2022, 3, 2, 23, 29, 4, tzinfo=datetime.timezone.utc)
    >>> parse_date("yesterday", "createdAt")
    Traceback (most recent call last):
    ...
    catalog.errors.RecordError: createdAt: not an ISO-8601 date: 'yesterday'
    """
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            offset = parsed.utcoffset()
            if offset is None:
                raise RecordError(f"{name}: a date without a time zone: {value!r}")
            # Stored in UTC: SQLite keeps the wall time and drops the offset.
            try:
                return parsed if offset == _ZERO else parsed.astimezone(UTC)
            except OverflowError:
                raise RecordError(f"{name}: out of range in UTC: {value!r}") from None
    raise RecordError(f"{name}: not an ISO-8601 date: {_short(value)}")


def normalize_model(raw: Any) -> Normalized:
    """Turn one raw model record (an item of ``GET /api/models?expand=...``) into rows.

    Examples
    --------
    >>> n = normalize_model({"id": "org/m-GGUF", "tags": ["gguf", "base_model:quantized:org/m"],
    ...                      "gguf": {"total": 1000, "context_length": 4096}})
    >>> n.row["num_parameters"], n.row["parameters_source"], n.children["model_lineage"]
    (1000, 'gguf', [{'model_id': 'org/m-GGUF', 'base_model_id': 'org/m', 'relation': 'quantized', 'source': 'tag'}])
    >>> normalize_model({"id": "a/b", "safetensors": {"parameters": {"F16": 5}}})
    Traceback (most recent call last):
    ...
    catalog.errors.RecordError: safetensors: missing 'total'
    """
    id = _record_id(raw)
    get = raw.get
    tags = _str_list(get("tags"), "tags")
    card = get("cardData")
    if card is not None and not isinstance(card, dict):
        raise RecordError(f"cardData: expected an object, got {_short(card)}")
    config = get("config")
    if config is not None and not isinstance(config, dict):
        raise RecordError(f"config: expected an object, got {_short(config)}")
    gguf = get("gguf")
    if gguf is not None and not isinstance(gguf, dict):
        raise RecordError(f"gguf: expected an object, got {_short(gguf)}")
    parameters, num_parameters, source = _parameters(get("safetensors"), gguf)
    pipeline_tag = _opt_str(get("pipeline_tag"), "pipeline_tag")
    library_name = _opt_str(get("library_name"), "library_name")
    gated = get("gated")
    if gated is not None and not (
        isinstance(gated, bool | str) and gated in _GATED
    ):  # 0 == False, [] unhashable
        raise RecordError(f"gated: expected false, 'auto' or 'manual', got {_short(gated)}")
    context_length = _opt_int(gguf.get("context_length"), "gguf.context_length") if gguf else None
    downloads = _opt_int(get("downloads"), "downloads")
    downloads_all_time = _opt_int(get("downloadsAllTime"), "downloadsAllTime")
    likes = _opt_int(get("likes"), "likes", bits=32)
    trending = _opt_float(get("trendingScore"), "trendingScore")
    row: Row = {
        "id": id,
        "author": _author(get("author"), id),
        "pipeline_tag": pipeline_tag,
        "library_name": library_name,
        "created_at": parse_date(get("createdAt"), "createdAt"),
        "last_modified": parse_date(get("lastModified"), "lastModified"),
        "downloads": downloads,
        "downloads_all_time": downloads_all_time,
        "likes": likes,
        "trending_score": trending,
        "private": _opt_bool(get("private"), "private"),
        "gated": None if gated is None else _GATED[gated],
        "disabled": _opt_bool(get("disabled"), "disabled"),
        "sha": _opt_str(get("sha"), "sha"),
        "license": _license(tags, card),
        "num_parameters": num_parameters,
        "parameters": parameters,
        "parameters_source": source,
        "gguf_architecture": _opt_str(gguf.get("architecture"), "gguf.architecture") if gguf else None,
        "gguf_context_length": context_length,
        "config_model_type": _opt_str(config.get("model_type"), "config.model_type") if config else None,
        "config_architectures": _str_list(config.get("architectures"), "config.architectures") or None
        if config
        else None,
        "card_data": card,
        # The card goes in ``card_data`` alone: a fifth of a record's bytes, and nothing lost.
        "raw": raw if card is None else {k: v for k, v in raw.items() if k != "cardData"},
    }
    facts = ModelFacts(
        tags=frozenset(tags),
        pipeline_tag=pipeline_tag,
        library_name=library_name,
        gguf_context_length=context_length,
        quant_method=_quant_method(config),
        chat_template=_chat_template(gguf, config),
    )
    unique = dict.fromkeys(tags)
    children = {
        "model_tags": [{"model_id": id, "tag": tag} for tag in unique],
        "model_lineage": [
            {"model_id": id, "base_model_id": base, "relation": relation, "source": source}
            for base, (relation, source) in _lineage(id, tags, card).items()
        ],
        "model_datasets": [
            {"model_id": id, "dataset_id": tag[8:]}
            for tag in unique
            if tag.startswith("dataset:") and len(tag) > 8
        ],
        "model_providers": _providers(id, get("inferenceProviderMapping")),
        "model_apps": [{"model_id": id, "app_id": app} for app in apps_for(facts)],
    }
    history = {
        "model_id": id,
        "downloads": downloads,
        "downloads_all_time": downloads_all_time,
        "likes": likes,
        "trending_score": trending,
    }
    return _checked(Normalized(id, row, children, history))


def normalize_dataset(raw: Any) -> Normalized:
    """Turn one raw dataset record (an item of ``GET /api/datasets?expand=...``) into rows.

    Examples
    --------
    >>> n = normalize_dataset({"id": "nyu-mll/glue", "tags": ["task_categories:text-classification"]})
    >>> n.row["author"], n.row["task_categories"], n.children["dataset_tags"]
    ('nyu-mll', ['text-classification'], [{'dataset_id': 'nyu-mll/glue', 'tag': 'task_categories:text-classification'}])
    """
    id = _record_id(raw)
    get = raw.get
    tags = list(dict.fromkeys(_str_list(get("tags"), "tags")))
    categories = [t[16:] for t in tags if t.startswith("task_categories:")]
    row = _repo_row(raw, id) | {
        "downloads": _opt_int(get("downloads"), "downloads"),
        "task_categories": categories or None,
    }
    return _checked(Normalized(id, row, {"dataset_tags": [{"dataset_id": id, "tag": t} for t in tags]}))


def normalize_space(raw: Any) -> Normalized:
    """Turn one raw Space record (an item of ``GET /api/spaces?expand=...``) into rows.

    Examples
    --------
    >>> n = normalize_space({"id": "u/demo", "sdk": "gradio", "models": ["org/m"],
    ...                      "runtime": {"stage": "RUNNING", "hardware": {"current": "cpu-basic"}}})
    >>> n.row["runtime_stage"], n.row["hardware"], n.children["space_models"]
    ('RUNNING', 'cpu-basic', [{'space_id': 'u/demo', 'model_id': 'org/m'}])
    """
    id = _record_id(raw)
    get = raw.get
    runtime = get("runtime")
    if runtime is not None and not isinstance(runtime, dict):
        raise RecordError(f"runtime: expected an object, got {_short(runtime)}")
    hardware = runtime.get("hardware") if runtime else None
    if isinstance(hardware, dict):
        hardware = hardware.get("current") or hardware.get("requested")
    row = _repo_row(raw, id) | {
        "sdk": _opt_str(get("sdk"), "sdk"),
        "trending_score": _opt_float(get("trendingScore"), "trendingScore"),
        "runtime_stage": _opt_str(runtime.get("stage"), "runtime.stage") if runtime else None,
        "hardware": _opt_str(hardware, "runtime.hardware"),
    }
    models = dict.fromkeys(_str_list(get("models"), "models"))
    datasets = dict.fromkeys(_str_list(get("datasets"), "datasets"))
    children = {
        "space_models": [{"space_id": id, "model_id": m} for m in models],
        "space_datasets": [{"space_id": id, "dataset_id": d} for d in datasets],
    }
    return _checked(Normalized(id, row, children))


# --- reference tables ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BadEntry:
    """An entry of a reference payload left out: ``kind`` is ``task`` or ``tag``, with the reason."""

    kind: str
    id: str | None
    raw: Any
    reason: str


def clean_reference(tasks: Any, tags_by_type: Any) -> tuple[dict[str, Any], dict[str, Any], list[BadEntry]]:
    """Return the ``/api/tasks`` and ``/api/models-tags-by-type`` payloads without their malformed entries.

    A payload that is not an object counts as empty. An entry whose id, label, type or libraries
    the tables cannot take is left out and returned as a :class:`BadEntry` (the crawler files it
    in ``rejects``), so that one entry does not stop the reference tables.

    Examples
    --------
    >>> tasks, tags, bad = clean_reference({"a": {"label": ["A"]}, "b": {"label": "B"}}, [])
    >>> tasks, tags, [(b.kind, b.id, b.reason) for b in bad]
    ({'b': {'label': 'B'}}, {}, [('task', 'a', "label: expected a string, got ['A']")])
    """
    bad: list[BadEntry] = []
    clean_tasks: dict[str, Any] = {}
    for id, data in tasks.items() if isinstance(tasks, dict) else ():
        reason = _bad_entry(id, data, ("label",), "libraries")
        if reason is None:
            clean_tasks[id] = data
        else:
            bad.append(BadEntry("task", id if _storable_id(id) else None, data, reason))
    clean_tags: dict[str, Any] = {}
    for type_, entries in tags_by_type.items() if isinstance(tags_by_type, dict) else ():
        if not isinstance(entries, list):
            bad.append(
                BadEntry("tag", None, entries, f"{type_}: expected a list of tags, got {_short(entries)}")
            )
            continue
        kept = clean_tags[type_] = []
        for entry in entries:
            id = entry.get("id") if isinstance(entry, dict) else None
            reason = _bad_entry(id, entry, ("label", "type", "subType"), None)
            if reason is None:
                kept.append(entry)
            else:
                bad.append(BadEntry("tag", id if _storable_id(id) else None, entry, reason))
    return clean_tasks, clean_tags, bad


def _bad_entry(id: Any, data: Any, strings: tuple[str, ...], string_list: str | None) -> str | None:
    """Return why a reference entry cannot be stored, or None."""
    if not isinstance(data, dict):
        return f"expected an object, got {_short(data)}"
    if not _storable_id(id):
        return f"id: missing, not a string or too long: {_short(id)}"
    try:
        _check_storable(data)
        for name in strings:
            value = _opt_str(data.get(name), name)
            if value is not None and len(value.encode()) > KEY_BYTES:
                return f"{name}: longer than {KEY_BYTES} bytes: {_short(value)}"
        if string_list is not None:
            _str_list(data.get(string_list), string_list)
    except RecordError as exc:
        return str(exc)
    return None


def _storable_id(id: Any) -> bool:
    return (
        isinstance(id, str)
        and bool(id)
        and "\x00" not in id
        and len(id.encode("utf-8", "replace")) <= KEY_BYTES
    )


def task_rows(tasks: Any, tags_by_type: Any) -> list[Row]:
    """Return ``tasks`` rows: the Hub's pipeline tags and ``/api/tasks``, with their subtasks.

    Names and modalities come from the Hub (``label``, ``subType``) and else from the
    ``@huggingface/tasks`` facts, which also give the subtasks (``parent_id`` set).

    Examples
    --------
    >>> rows = task_rows({"fill-mask": {"id": "fill-mask", "label": "Fill-Mask"}}, {})
    >>> rows[0]
    {'id': 'fill-mask', 'name': 'Fill-Mask', 'modality': 'nlp', 'parent_id': None}
    """
    facts = load_facts("tasks")["tasks"]
    hub: dict[str, dict[str, Any]] = {}
    for entry in _tag_entries(tags_by_type, "pipeline_tag"):
        hub[entry["id"]] = {"name": entry.get("label"), "modality": entry.get("subType")}
    for id, data in (tasks or {}).items() if isinstance(tasks, dict) else ():
        known = hub.setdefault(id, {})
        if isinstance(data, dict) and not known.get("name"):
            known["name"] = data.get("label")
    rows: list[Row] = []
    for id in sorted(hub):
        fact = facts.get(id, {})
        rows.append(
            {
                "id": id,
                "name": hub[id].get("name") or fact.get("name"),
                "modality": hub[id].get("modality") or fact.get("modality"),
                "parent_id": None,
            }
        )
    seen = set(hub)
    for id in sorted(hub):
        for sub, name in facts.get(id, {}).get("subtasks", {}).items():
            if sub not in seen:
                seen.add(sub)
                rows.append({"id": sub, "name": name, "modality": facts[id].get("modality"), "parent_id": id})
    return rows


def library_rows(tasks: Any, tags_by_type: Any) -> tuple[list[Row], list[Row]]:
    """Return ``libraries`` and ``library_tasks`` rows from the Hub's library tags and ``/api/tasks``.

    Labels, repository and docs URLs come from the ``@huggingface/tasks`` facts when the Hub's tag
    has none; a library's tasks are those whose ``/api/tasks`` entry names it, plus the facts' map.

    Examples
    --------
    >>> libs, links = library_rows({"text-generation": {"libraries": ["mlx"]}},
    ...                            {"library": [{"id": "mlx", "label": "mlx"}]})
    >>> libs
    [{'id': 'mlx', 'label': 'MLX', 'repo_url': 'https://github.com/ml-explore/mlx-examples/tree/main', 'docs_url': None}]
    >>> links
    [{'library_id': 'mlx', 'task_id': 'text-generation'}]
    """
    facts = load_facts("libraries")
    known = facts["libraries"]
    labels = {e["id"]: e.get("label") for e in _tag_entries(tags_by_type, "library")}
    rows = []
    for id in sorted(labels):
        fact = known.get(id, {})
        rows.append(
            {
                "id": id,
                "label": fact.get("label") or labels[id],
                "repo_url": fact.get("repo_url"),
                "docs_url": fact.get("docs_url"),
            }
        )
    pairs: set[tuple[str, str]] = set()
    for task, data in (tasks or {}).items() if isinstance(tasks, dict) else ():
        for library in (data or {}).get("libraries") or () if isinstance(data, dict) else ():
            pairs.add((library, task))
    for library, library_tasks in facts["library_tasks"].items():
        pairs.update((library, task) for task in library_tasks)
    links = [{"library_id": lib, "task_id": task} for lib, task in sorted(pairs) if lib in labels]
    return rows, links


def app_rows() -> list[Row]:
    """Return ``apps`` rows: the local apps of :mod:`catalog.apps`."""
    return [{"id": a.id, "label": a.label, "docs_url": a.docs_url, "main_task": a.main_task} for a in APPS]


def provider_rows(registry: Mapping[str, Iterable[str]] | None = None) -> tuple[list[Row], list[Row]]:
    """Return ``providers`` and ``provider_tasks`` rows: the inference providers and their tasks.

    ``registry`` maps provider -> its tasks; the default is the project's own facts
    (``catalog/facts/providers.json``: the providers of ``@huggingface/inference`` 4.13.30 with the
    tasks huggingface_hub 2.4.0 can call), so the table does not move with the installed client.

    Examples
    --------
    >>> providers, tasks = provider_rows({"groq": {"conversational": None}})
    >>> providers, tasks
    ([{'id': 'groq', 'label': 'Groq', 'hub_org': 'groq'}], [{'provider_id': 'groq', 'task_id': 'conversational'}])
    >>> len(provider_rows()[0]), len(provider_rows()[1])
    (19, 74)
    """
    facts = load_facts("providers")["providers"]
    if registry is None:
        registry = {p: fact["tasks"] for p, fact in facts.items()}
    providers = [
        {"id": p, "label": facts.get(p, {}).get("label", p), "hub_org": facts.get(p, {}).get("hub_org")}
        for p in sorted(registry)
    ]
    tasks = [{"provider_id": p, "task_id": t} for p in sorted(registry) for t in sorted(registry[p])]
    return providers, tasks


# --- field helpers -------------------------------------------------------------------------------


def _record_id(raw: Any) -> str:
    """Return the id of a raw record: a JSON object with a string id, that the store can hold whole."""
    if not isinstance(raw, dict):
        raise RecordError(f"expected a JSON object, got {_short(raw)}")
    id = raw.get("id")
    if not isinstance(id, str) or not id:
        raise RecordError(f"id: missing or not a string: {_short(id)}")
    _check_storable(raw)
    return id


def _repo_row(raw: dict[str, Any], id: str) -> Row:
    """Return the columns every dataset and Space row has: id, author, likes, dates and the record."""
    get = raw.get
    return {
        "id": id,
        "author": _author(get("author"), id),
        "likes": _opt_int(get("likes"), "likes", bits=32),
        "created_at": parse_date(get("createdAt"), "createdAt"),
        "last_modified": parse_date(get("lastModified"), "lastModified"),
        "raw": raw,
    }


def _parameters(
    safetensors: Any, gguf: dict[str, Any] | None
) -> tuple[dict[str, int] | None, int | None, str | None]:
    if safetensors is not None:
        if not isinstance(safetensors, dict):
            raise RecordError(f"safetensors: expected an object, got {_short(safetensors)}")
        # The client requires both keys (SafeTensorsInfo); a record without them is malformed.
        for key in ("parameters", "total"):
            if key not in safetensors:
                raise RecordError(f"safetensors: missing {key!r}")
        parameters = safetensors["parameters"]
        if not isinstance(parameters, dict) or not all(_is_int(v) for v in parameters.values()):
            raise RecordError(f"safetensors.parameters: expected {{dtype: count}}, got {_short(parameters)}")
        return parameters, _opt_int(safetensors["total"], "safetensors.total"), "safetensors"
    if gguf and gguf.get("total") is not None:
        return None, _opt_int(gguf["total"], "gguf.total"), "gguf"
    return None, None, None


def _lineage(id: str, tags: list[str], card: dict[str, Any] | None) -> dict[str, tuple[str, str]]:
    """Return base model id -> (relation, source), as the Hub derives a model's lineage.

    The ``base_model:<relation>:<id>`` (and bare ``base_model:<id>``) tags are the truth where there
    are any: the Hub writes them from the card and resolves a renamed base to its current id, so the
    card's own ``base_model`` is then only another name of a tagged base (``source`` ``'tag'``).
    ``cardData.base_model`` and ``cardData.base_model_relation`` count only where no tag names a base
    (``source`` ``'card'``). A base given without a relation is a finetune; ``merge`` needs several
    distinct bases.

    Examples
    --------
    >>> _lineage("a/ft", ["base_model:a/base", "base_model:finetune:a/base"], {"base_model": "a/old-name"})
    {'a/base': ('finetune', 'tag')}
    >>> _lineage("a/m", [], {"base_model": ["a/x", "a/y"]})
    {'a/x': ('merge', 'card'), 'a/y': ('merge', 'card')}
    >>> _lineage("a/lora", [], {"base_model": "a/x", "base_model_relation": "adapter"})
    {'a/x': ('adapter', 'card')}
    """
    tagged: dict[str, str | None] = {}
    for tag in tags:
        if not tag.startswith("base_model:"):
            continue
        relation, sep, base = tag[11:].partition(":")
        if sep and relation in _RELATIONS:
            if base and tagged.get(base) is None:
                tagged[base] = relation
        elif tag[11:]:
            tagged.setdefault(tag[11:], None)
    tagged.pop(id, None)
    if tagged:
        return _relations(tagged, "tag")
    declared = card.get("base_model") if card else None
    if isinstance(declared, str):
        bases = [declared]
    elif isinstance(declared, list):
        bases = _str_list(declared, "cardData.base_model")
    elif declared is None:
        return {}
    else:
        raise RecordError(f"cardData.base_model: expected a string or a list, got {_short(declared)}")
    stated = _opt_str(card.get("base_model_relation") if card else None, "cardData.base_model_relation")
    card_relation = stated if stated in _RELATIONS else None
    return _relations({b: card_relation for b in bases if b and b != id}, "card")


def _relations(bases: dict[str, str | None], source: str) -> dict[str, tuple[str, str]]:
    """Fill in the relation of bases named without one; ``merge`` only for several distinct bases."""
    several = len(bases) > 1
    out = {}
    for base, relation in bases.items():
        if relation is None or (relation == "merge" and not several and source == "card"):
            relation = "merge" if several else "finetune"
        out[base] = (relation, source)
    return out


def _providers(id: str, mapping: Any) -> list[Row]:
    if mapping is None:
        return []
    if isinstance(mapping, dict):  # model_info's form: {provider: {providerId, status, task}}
        items = [{"provider": p, **v} if isinstance(v, dict) else None for p, v in mapping.items()]
    elif isinstance(mapping, list):  # the listing's form: [{provider, providerId, status, task}]
        items = mapping
    else:
        raise RecordError(f"inferenceProviderMapping: expected a list or an object, got {_short(mapping)}")
    rows: dict[str, Row] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("provider"), str):
            raise RecordError(f"inferenceProviderMapping: an entry without a provider: {_short(item)}")
        rows[item["provider"]] = {
            "model_id": id,
            "provider_id": item["provider"],
            "provider_model_id": _opt_str(item.get("providerId"), "inferenceProviderMapping.providerId"),
            "status": _opt_str(item.get("status"), "inferenceProviderMapping.status"),
            "task": _opt_str(item.get("task"), "inferenceProviderMapping.task"),
        }
    return list(rows.values())


def _license(tags: list[str], card: dict[str, Any] | None) -> str | None:
    for tag in tags:
        if tag.startswith("license:"):
            return tag[8:]
    value = card.get("license") if card else None
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return value if isinstance(value, str) else None


def _quant_method(config: dict[str, Any] | None) -> str | None:
    quantization = config.get("quantization_config") if config else None
    method = quantization.get("quant_method") if isinstance(quantization, dict) else None
    return method if isinstance(method, str) else None


def _chat_template(gguf: dict[str, Any] | None, config: dict[str, Any] | None) -> str | None:
    tokenizer = config.get("tokenizer_config") if config else None
    candidates = (
        gguf.get("chat_template") if gguf else None,
        config.get("chat_template_jinja") if config else None,
        tokenizer.get("chat_template") if isinstance(tokenizer, dict) else None,
    )
    for value in candidates:
        if isinstance(value, str):
            return value
        if isinstance(value, list) and value:
            first = value[0]
            template = first.get("template") if isinstance(first, dict) else None
            return template if isinstance(template, str) else None
    return None


def _tag_entries(tags_by_type: Any, kind: str) -> list[dict[str, Any]]:
    entries = tags_by_type.get(kind) if isinstance(tags_by_type, dict) else None
    return [e for e in entries or () if isinstance(e, dict) and isinstance(e.get("id"), str)]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _author(value: Any, id: str) -> str | None:
    """The repo's author: the Hub's field, else the namespace of its id (``org`` of ``org/name``)."""
    if value is not None:
        return _opt_str(value, "author")
    return id.partition("/")[0] if "/" in id else None


def _opt_int(value: Any, name: str, *, bits: int = 64) -> int | None:
    """Return an integer field, ``None`` when absent; one the column cannot hold is a bad record."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise RecordError(f"{name}: expected an integer, got {_short(value)}")
    if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise RecordError(f"{name}: {value} does not fit a {bits}-bit integer")
    return value


def _opt_float(value: Any, name: str) -> float | None:
    if value is None or type(value) is float:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # As a float: an integer beyond 64 bits is a number a REAL/double column takes, not one
        # SQLite's driver can bind (OverflowError).
        try:
            return float(value)
        except OverflowError:
            raise RecordError(f"{name}: {_short(value)} is beyond a double's range") from None
    raise RecordError(f"{name}: expected a number, got {_short(value)}")


def _opt_bool(value: Any, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise RecordError(f"{name}: expected true or false, got {_short(value)}")


def _opt_str(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise RecordError(f"{name}: expected a string, got {_short(value)}")


def _str_list(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise RecordError(f"{name}: expected a list of strings, got {_short(value)}")


def _check_storable(raw: dict[str, Any]) -> None:
    """Refuse a record the store cannot hold whole in its JSON ``raw`` column, on either database."""
    try:
        text = orjson.dumps(raw)
    except TypeError as exc:  # orjson.JSONEncodeError is a TypeError
        message = str(exc)
        reason = next((r for key, r in _UNWRITABLE.items() if key in message), message)
        raise RecordError(f"not storable: {reason}") from None
    if b"\\u0000" in text and _NUL.search(text):
        raise RecordError(
            "not storable: a string holds a NUL character (\\u0000), which PostgreSQL cannot store"
        )


def _checked(item: Normalized) -> Normalized:
    """Return ``item`` if every string of its rows fits a column of its own (see :data:`KEY_BYTES`)."""
    # Hot (~150 values a model): values first, the column looked for only when a string may be
    # too long; the id, in every child row, is measured once. 6.1 -> 2.5 us of a model's ~30.
    short, id = KEY_BYTES // 4, item.id
    for table, rows in (("", [item.row]), *item.children.items()):
        for row in rows:
            for value in row.values():
                if value is not id and type(value) is str and len(value) > short:
                    _refuse_long(table, row)
    if len(id) > short:
        _refuse_long("", {"id": id})
    return item


def _refuse_long(table: str, row: Row) -> None:
    """Raise :class:`RecordError` for the first string of ``row`` longer than :data:`KEY_BYTES` bytes."""
    for column, value in row.items():
        if type(value) is str and len(value.encode()) > KEY_BYTES:
            where = f"{table}.{column}" if table else column
            raise RecordError(
                f"{where}: {len(value.encode())} bytes, longer than the {KEY_BYTES} a column takes: {_short(value)}"
            )


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

"""The Hub's listing filters, as conditions over indexed record facets, for the replay server.

Each query parameter the client sends for filtering (``filter``, ``author``, ``apps``, ...) becomes
one :class:`Condition` on a *facet*: the keys a record is indexed under (its tags, its owner, the
apps that run it). The server indexes a facet once, on first use, so a new filter value is a
lookup, not a scan of the snapshot. A parameter the server does not implement is refused rather
than ignored, so a replayed listing is never silently wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from catalog.errors import CatalogError, ConfigError
from catalog.records import parse_count

__all__ = [
    "AppsOf",
    "Condition",
    "FilterError",
    "facet_keys",
    "listing_conditions",
    "parse_num_parameters",
]

#: What the server is given to tell which local apps run a raw model record.
AppsOf = Callable[[dict[str, Any]], Iterable[str]]
Extract = Callable[[dict[str, Any]], Iterable[Hashable]]
_TRUE, _FALSE = ("true", "1"), ("false", "0")


class FilterError(ConfigError):
    """A listing filter that the replay server does not know or cannot parse."""


@dataclass(frozen=True, slots=True)
class Condition:
    """Records whose ``facet`` keys hold ``every`` value, ``any`` value, or a key passing ``where``."""

    facet: str
    values: tuple[Hashable, ...]
    mode: Literal["every", "any", "where"]
    where: Callable[[Any], bool] | None = None


def listing_conditions(
    kind: str, params: Mapping[str, Sequence[str]], *, apps: bool = True
) -> tuple[Condition, ...]:
    """Return the conditions a ``kind`` listing's filter parameters ``params`` set.

    ``apps`` says whether the server can tell which apps run a model (it was given the rules).

    Examples
    --------
    >>> listing_conditions("models", {"filter": ["gguf"], "author": ["Qwen"]})
    (Condition(facet='tags', values=('gguf',), mode='every', where=None), Condition(facet='author', values=('Qwen',), mode='any', where=None))
    >>> listing_conditions("datasets", {"apps": ["ollama"]})
    Traceback (most recent call last):
    ...
    catalog.hub.filters.FilterError: the replay server does not support the datasets listing parameter 'apps'
    """
    conditions: list[Condition] = []
    for name, values in params.items():
        make = _PARAMS.get((kind, name)) or _PARAMS.get(("*", name))
        if make is None:
            raise FilterError(f"the replay server does not support the {kind} listing parameter {name!r}")
        if name == "apps" and not apps:
            raise FilterError(
                "the replay server was started without the app rules, so it cannot filter by 'apps': "
                "serve the snapshot with `catalog serve`"
            )
        conditions.extend(make(list(values)))
    return tuple(conditions)


def facet_keys(kind: str, facet: str, apps: AppsOf | None = None) -> Extract:
    """Return the function giving the keys a raw ``kind`` record is indexed under for ``facet``.

    Examples
    --------
    >>> sorted(set(facet_keys("models", "tags")({"tags": ["gguf"], "library_name": "gguf", "pipeline_tag": "text-generation"})))
    ['gguf', 'text-generation']
    >>> list(facet_keys("models", "author")({"id": "Qwen/Qwen3-0.6B"}))
    ['Qwen']
    """
    if facet == "apps":
        if apps is None:
            raise FilterError("no app rules were given to the replay server")
        return lambda record: _safe_apps(apps, record)
    return _FACETS[facet]


def _safe_apps(apps: AppsOf, record: dict[str, Any]) -> list[str]:
    try:
        return list(apps(record))
    except (CatalogError, ValueError, TypeError):
        return []  # a malformed record runs in no app; the crawler rejects it on its own


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _tags(record: dict[str, Any]) -> list[Hashable]:
    # The Hub matches a filter against tags, the library and the pipeline tag alike.
    return [*_strings(record.get("tags")), record.get("library_name"), record.get("pipeline_tag")]


def _owner(record: dict[str, Any]) -> list[Hashable]:
    id = record.get("id")
    return [id.partition("/")[0] if isinstance(id, str) and "/" in id else record.get("author")]


def _providers(record: dict[str, Any]) -> list[Hashable]:
    mapping = record.get("inferenceProviderMapping")
    if isinstance(mapping, dict):
        providers = [p for p in mapping if isinstance(p, str)]
    elif isinstance(mapping, list):
        providers = [
            m["provider"] for m in mapping if isinstance(m, dict) and isinstance(m.get("provider"), str)
        ]
    else:
        providers = []
    return [*providers, "all"] if providers else []


def _warm(record: dict[str, Any]) -> list[Hashable]:
    # ModelInfo.inference is "warm" when a provider serves the model; a snapshot may only have the mapping.
    mapping = record.get("inferenceProviderMapping")
    entries = mapping.values() if isinstance(mapping, dict) else mapping if isinstance(mapping, list) else []
    live = any(isinstance(e, dict) and e.get("status") == "live" for e in entries)
    return [True] if record.get("inference") == "warm" or live else []


def _total_parameters(record: dict[str, Any]) -> list[Hashable]:
    for source in ("safetensors", "gguf"):
        block = record.get(source)
        total = block.get("total") if isinstance(block, dict) else None
        if isinstance(total, int) and not isinstance(total, bool):
            return [total]
    return []


_FACETS: dict[str, Extract] = {
    "tags": _tags,
    "author": _owner,
    "id": lambda record: [record["id"].lower()] if isinstance(record.get("id"), str) else [],
    "gated": lambda record: [record.get("gated") not in (None, False, "false")],
    "pipeline_tag": lambda record: [record.get("pipeline_tag")],
    "providers": _providers,
    "warm": _warm,
    "num_parameters": _total_parameters,
    "models": lambda record: _strings(record.get("models")),
    "datasets": lambda record: _strings(record.get("datasets")),
    "linked": lambda record: [True] if record.get("models") or record.get("datasets") else [],
}


def _flag(name: str, value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise FilterError(f"Invalid {name} {value!r}: give true or false")


def _search(values: list[str]) -> list[Condition]:
    needles = tuple(v.lower() for v in values)
    return [Condition("id", (), "where", where=lambda id: any(n in id for n in needles))]


def _inference(values: list[str]) -> list[Condition]:
    if any(v != "warm" for v in values):
        raise FilterError(f"Invalid inference {values[-1]!r}: the only value is 'warm'")
    return [Condition("warm", (True,), "any")]


def _num_parameters(values: list[str]) -> list[Condition]:
    bounds = [parse_num_parameters(v) for v in values]
    return [Condition("num_parameters", (), "where", where=_between(low, high)) for low, high in bounds]


def _between(low: float, high: float) -> Callable[[Any], bool]:
    return lambda n: low <= n <= high


def _linked(values: list[str]) -> list[Condition]:
    return [Condition("linked", (True,), "any")] if _flag("linked", values[-1]) else []


def _every(facet: str) -> Callable[[list[str]], list[Condition]]:
    return lambda values: [Condition(facet, tuple(values), "every")]


def _any(facet: str) -> Callable[[list[str]], list[Condition]]:
    return lambda values: [Condition(facet, tuple(values), "any")]


def parse_num_parameters(spec: str) -> tuple[float, float]:
    """Parse the Hub's ``num_parameters`` filter (``min:6B,max:128B``) into bounds.

    Each bound is a count as :func:`catalog.records.parse_count` reads it (the catalog's own).

    Examples
    --------
    >>> parse_num_parameters("min:6B,max:128B")
    (6000000000, 128000000000)
    >>> parse_num_parameters("max:1.005K")
    (0, 1005)
    """
    low: float = 0
    high: float = float("inf")
    for part in spec.split(","):
        name, _, value = part.partition(":")
        if name.strip() not in ("min", "max") or not value.strip():
            raise FilterError(f"not a num_parameters bound: {part!r} (expected min:6B or max:128B)")
        try:
            number = parse_count(value)
        except ConfigError as exc:
            raise FilterError(f"not a num_parameters bound: {part!r} ({exc})") from None
        low, high = (number, high) if name.strip() == "min" else (low, number)
    return low, high


_PARAMS: dict[tuple[str, str], Callable[[list[str]], list[Condition]]] = {
    ("*", "filter"): _every("tags"),
    ("*", "author"): _any("author"),
    ("*", "search"): _search,
    ("*", "gated"): lambda values: [Condition("gated", (_flag("gated", values[-1]),), "any")],
    ("models", "pipeline_tag"): _any("pipeline_tag"),
    ("models", "inference_provider"): _any("providers"),
    ("models", "inference"): _inference,
    ("models", "num_parameters"): _num_parameters,
    ("models", "apps"): _any("apps"),
    ("spaces", "models"): _every("models"),
    ("spaces", "datasets"): _every("datasets"),
    ("spaces", "linked"): _linked,
}

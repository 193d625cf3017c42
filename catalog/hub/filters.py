"""The Hub's listing filters as predicates over raw records, for the replay server.

Each query parameter the client sends for filtering (``filter``, ``author``, ``search``, ...)
becomes one test; a record is listed when it passes them all. A parameter the server does not
implement is refused rather than ignored, so a replayed listing is never silently wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["FilterError", "listing_predicate", "parse_num_parameters"]

Predicate = Callable[[dict[str, Any]], bool]
_NUMBER = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([KMBT]?)\s*$", re.IGNORECASE)
_SCALE = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}


class FilterError(ValueError):
    """A listing filter that the replay server does not know or cannot parse."""


def listing_predicate(kind: str, params: Mapping[str, Sequence[str]]) -> Predicate | None:
    """Return a test that a raw ``kind`` record passes the listing filters ``params``, or None.

    Examples
    --------
    >>> keep = listing_predicate("models", {"filter": ["gguf"], "author": ["Qwen"]})
    >>> keep({"id": "Qwen/Qwen3-0.6B-GGUF", "tags": ["gguf", "text-generation"]})
    True
    >>> keep({"id": "Qwen/Qwen3-0.6B", "tags": ["safetensors"]})
    False
    >>> listing_predicate("models", {}) is None
    True
    """
    tests: list[Predicate] = []
    for name, values in params.items():
        make = _FILTERS.get((kind, name)) or _FILTERS.get(("*", name))
        if make is None:
            raise FilterError(f"the replay server does not support the {kind} listing parameter {name!r}")
        tests.append(make(list(values)))
    if not tests:
        return None
    return lambda record: all(test(record) for test in tests)


def _filter(values: list[str]) -> Predicate:
    def test(record: dict[str, Any]) -> bool:
        tags = record.get("tags")
        tags = tags if isinstance(tags, list) else []
        # The Hub matches a filter against tags, the library and the pipeline tag alike.
        known = {
            *(t for t in tags if isinstance(t, str)),
            record.get("library_name"),
            record.get("pipeline_tag"),
        }
        return all(value in known for value in values)

    return test


def _author(values: list[str]) -> Predicate:
    def test(record: dict[str, Any]) -> bool:
        id = record.get("id")
        owner = id.partition("/")[0] if isinstance(id, str) and "/" in id else record.get("author")
        return owner in values

    return test


def _search(values: list[str]) -> Predicate:
    needles = [v.lower() for v in values]

    def test(record: dict[str, Any]) -> bool:
        id = record.get("id")
        return isinstance(id, str) and any(needle in id.lower() for needle in needles)

    return test


def _equals(key: str) -> Callable[[list[str]], Predicate]:
    def make(values: list[str]) -> Predicate:
        return lambda record: record.get(key) in values

    return make


def _gated(values: list[str]) -> Predicate:
    wanted = values[-1].lower() in ("true", "1")
    return lambda record: (record.get("gated") not in (None, False, "false")) == wanted


def _inference_provider(values: list[str]) -> Predicate:
    def test(record: dict[str, Any]) -> bool:
        mapping = record.get("inferenceProviderMapping")
        if isinstance(mapping, dict):
            providers = set(mapping)
        elif isinstance(mapping, list):
            providers = {m.get("provider") for m in mapping if isinstance(m, dict)}
        else:
            providers = set()
        return bool(providers) if "all" in values else bool(providers & set(values))

    return test


def _num_parameters(values: list[str]) -> Predicate:
    try:
        bounds = [parse_num_parameters(v) for v in values]
    except ValueError as exc:
        raise FilterError(str(exc)) from None

    def test(record: dict[str, Any]) -> bool:
        total = None
        for source in ("safetensors", "gguf"):
            block = record.get(source)
            if isinstance(block, dict) and isinstance(block.get("total"), int):
                total = block["total"]
                break
        return total is not None and all(low <= total <= high for low, high in bounds)

    return test


def _contains(key: str) -> Callable[[list[str]], Predicate]:
    def make(values: list[str]) -> Predicate:
        def test(record: dict[str, Any]) -> bool:
            held = record.get(key)
            return isinstance(held, list) and all(v in held for v in values)

        return test

    return make


def _linked(values: list[str]) -> Predicate:
    if values[-1].lower() not in ("true", "1"):
        return lambda record: True
    return lambda record: bool(record.get("models")) or bool(record.get("datasets"))


def parse_num_parameters(spec: str) -> tuple[float, float]:
    """Parse the Hub's ``num_parameters`` filter (``min:6B,max:128B``) into bounds.

    Examples
    --------
    >>> parse_num_parameters("min:6B,max:128B")
    (6000000000.0, 128000000000.0)
    >>> parse_num_parameters("max:500M")
    (0.0, 500000000.0)
    """
    low, high = 0.0, float("inf")
    for part in spec.split(","):
        name, _, value = part.partition(":")
        match = _NUMBER.match(value)
        if name.strip() not in ("min", "max") or match is None:
            raise ValueError(f"not a num_parameters bound: {part!r} (expected min:6B or max:128B)")
        number = float(match.group(1)) * _SCALE[match.group(2).upper()]
        low, high = (number, high) if name.strip() == "min" else (low, number)
    return low, high


_FILTERS: dict[tuple[str, str], Callable[[list[str]], Predicate]] = {
    ("*", "filter"): _filter,
    ("*", "author"): _author,
    ("*", "search"): _search,
    ("*", "gated"): _gated,
    ("models", "pipeline_tag"): _equals("pipeline_tag"),
    ("models", "inference_provider"): _inference_provider,
    ("models", "num_parameters"): _num_parameters,
    ("spaces", "models"): _contains("models"),
    ("spaces", "datasets"): _contains("datasets"),
    ("spaces", "linked"): _linked,
}

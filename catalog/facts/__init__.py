"""Facts the Hub has no API for, shipped as package data (each JSON file names its ``source``).

``scripts/build_facts.py`` copies them from the npm packages' extracts, trimmed to what the code reads.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import orjson

__all__ = ["load_facts"]


@cache
def load_facts(name: str) -> dict[str, Any]:
    """Return the parsed ``catalog/facts/<name>.json`` (read once).

    Examples
    --------
    >>> load_facts("providers")["providers"]["together"]["label"]
    'Together AI'
    >>> load_facts("tasks")["tasks"]["fill-mask"]["modality"]
    'nlp'
    """
    facts: dict[str, Any] = orjson.loads(files(__package__).joinpath(f"{name}.json").read_bytes())
    return facts

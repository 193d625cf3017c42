"""Raw Hub JSON in and out: orjson where it can, the standard library where orjson refuses.

orjson is strict: a page holding one ``NaN`` or one lone surrogate (``"\\ud800"``) is not JSON to
it, and it cannot write a value nested deeper than 255 levels or an integer beyond 64 bits. One
such record must not cost the rest of its page (the crawler keeps the good records and rejects
that one), so :func:`loads` falls back to the standard library, which reads them, and
:func:`dumps` falls back to it for what orjson cannot write. A ``NaN`` read that way is a
:class:`NonFinite`, which orjson refuses to write, so the normaliser finds it.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["NonFinite", "dumps", "loads"]


class NonFinite(float):
    """A ``NaN`` or ``Infinity`` read from JSON that orjson refused: not storable, not valid JSON."""

    __slots__ = ()


def loads(data: bytes | str) -> Any:
    """Parse JSON with orjson, else with the standard library (``NaN``, lone surrogates).

    Raises ``ValueError`` (``orjson.JSONDecodeError``) when neither can read it.

    Examples
    --------
    >>> loads(b'[{"id": "a/b"}, {"id": "c/d", "likes": NaN}]')
    [{'id': 'a/b'}, {'id': 'c/d', 'likes': nan}]
    >>> loads(b'[{"id": "a/b"')
    Traceback (most recent call last):
    ...
    orjson.JSONDecodeError: unexpected end of data: line 1 column 14 (char 13)
    """
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        error = exc
    try:
        return json.loads(data, parse_constant=NonFinite)
    except (ValueError, RecursionError):
        raise error from None


def dumps(value: Any) -> bytes:
    """Write JSON with orjson, else with the standard library (ASCII, so surrogates are escaped).

    Examples
    --------
    >>> dumps({"id": "a/b", "bad": "\\ud800"})
    b'{"id":"a/b","bad":"\\\\ud800"}'
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        pass
    try:
        return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode()
    except RecursionError:
        raise ValueError("JSON nested too deep to write") from None

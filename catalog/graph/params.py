"""Parameter-count buckets and the weight size of a model at its dtypes.

The buckets are the size classes of issue 4 (<1B, 1-3B, 3-7B, 7-13B, 13-34B, 34-70B, 70-200B,
>200B): the Hub's own model filter takes free bounds (``num_parameters=min:1B,max:10B``, see
``HfApi.list_models``), so these are the customary open-model sizes, each bucket ``[low, high)``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from catalog.errors import ConfigError

__all__ = [
    "BYTES_PER_DTYPE",
    "PARAM_BUCKETS",
    "bucket_of",
    "bucket_sql",
    "parse_count",
    "weight_bytes_sql",
]

_B = 1_000_000_000

#: ``(id, low, high)`` of each bucket, ``low <= num_parameters < high``; ``None`` is unbounded.
PARAM_BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    ("<1B", None, 1 * _B),
    ("1-3B", 1 * _B, 3 * _B),
    ("3-7B", 3 * _B, 7 * _B),
    ("7-13B", 7 * _B, 13 * _B),
    ("13-34B", 13 * _B, 34 * _B),
    ("34-70B", 34 * _B, 70 * _B),
    ("70-200B", 70 * _B, 200 * _B),
    (">200B", 200 * _B, None),
)

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


def bucket_of(num_parameters: int | None) -> str | None:
    """Return the bucket of a parameter count, ``None`` when the count is unknown.

    Examples
    --------
    >>> bucket_of(6_738_000_000), bucket_of(7_000_000_000), bucket_of(None)
    ('3-7B', '7-13B', None)
    """
    if num_parameters is None:
        return None
    for id, low, high in PARAM_BUCKETS:
        if (low is None or num_parameters >= low) and (high is None or num_parameters < high):
            return id
    raise AssertionError("the buckets cover every count")


def bucket_sql(column: str) -> str:
    """Return a SQL ``CASE`` expression giving the bucket of ``column`` (NULL when it is NULL).

    Examples
    --------
    >>> bucket_sql("m.num_parameters")[:60]
    "CASE WHEN m.num_parameters < 1000000000 THEN '<1B' WHEN m.nu"
    """
    whens = [f"WHEN {column} < {high} THEN '{id}'" for id, _, high in PARAM_BUCKETS if high is not None]
    last = PARAM_BUCKETS[-1][0]
    return f"CASE {' '.join(whens)} WHEN {column} IS NOT NULL THEN '{last}' END"


def weight_bytes_sql(dialect: str) -> tuple[str, str]:
    """Return ``(from_clause, bytes_expression)`` summing a model's weight bytes over its dtypes.

    The clause joins each ``models m`` row to the entries of its ``parameters`` JSON (one row per
    dtype, or one NULL row when there are none); the expression is to be ``SUM``-ed per model.
    """
    cases = " ".join(f"WHEN '{k}' THEN {v}" for k, v in BYTES_PER_DTYPE.items())
    if dialect == "postgresql":
        joined = (
            "LEFT JOIN LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(m.parameters) = 'object' "
            "THEN m.parameters END) j ON TRUE"
        )
        value = "CAST(j.value AS NUMERIC)"
    else:
        joined = "LEFT JOIN json_each(CASE WHEN json_type(m.parameters) = 'object' THEN m.parameters END) j"
        value = "j.value"
    expression = (
        f"CASE WHEN j.key IS NULL THEN m.num_parameters * {DEFAULT_BYTES} "
        f"ELSE {value} * (CASE j.key {cases} ELSE {DEFAULT_BYTES} END) END"
    )
    return joined, expression


_COUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMBT]?)\s*$", re.IGNORECASE)
_SCALE = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}


def parse_count(value: int | str) -> int:
    """Parse a parameter count: an integer, or a string such as ``"7B"``, ``"500M"``, ``"1.5B"``.

    Examples
    --------
    >>> parse_count("1.5B"), parse_count("500m"), parse_count(42)
    (1500000000, 500000000, 42)
    """
    if isinstance(value, int):
        return value
    match = _COUNT.match(value)
    if not match:
        raise ConfigError(f"not a parameter count: {value!r} (use e.g. 7B, 500M or 1500000)")
    # Decimal, not float: 1.005 * 1000 is 1004.999... as a float, and int() would drop a parameter.
    return int(Decimal(match.group(1)) * _SCALE[match.group(2).upper()])

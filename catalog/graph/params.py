"""Parameter-count buckets and the weight size of a model at its dtypes.

The buckets are the size classes of issue 4 (<1B, 1-3B, 3-7B, 7-13B, 13-34B, 34-70B, 70-200B,
>200B): the Hub's own model filter takes free bounds (``num_parameters=min:1B,max:10B``, see
``HfApi.list_models``), so these are the customary open-model sizes, each bucket ``[low, high)``.
"""

from __future__ import annotations

from catalog.records import PARAM_BUCKETS, bucket_of, parse_count

__all__ = [
    "BYTES_PER_DTYPE",
    "PARAM_BUCKETS",
    "bucket_of",
    "bucket_sql",
    "parse_count",
    "weight_bytes_sql",
]

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

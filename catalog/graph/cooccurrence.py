"""Co-occurrence between the five faces of a model: task, library, parameter bucket, provider, app.

A live model touches one task (``pipeline_tag``), one library (``library_name``), one parameter
bucket, and any number of providers and local apps. Two face values co-occur once per live model
touching both. Everything is one ``GROUP BY`` in the database, so it scales with the table, not
with Python.
"""

from __future__ import annotations

from typing import Literal, get_args

from catalog.errors import ConfigError
from catalog.graph.lookup import fetch
from catalog.graph.params import bucket_sql
from catalog.store import Store

__all__ = ["FACES", "Face", "cooccurrence_counts", "face_counts"]

Face = Literal["task", "library", "params", "provider", "app"]
FACES: tuple[Face, ...] = get_args(Face)

# (join that brings the face in, SQL expression of its value) over ``models m``.
_FACE_SQL: dict[Face, tuple[str, str]] = {
    "task": ("", "m.pipeline_tag"),
    "library": ("", "m.library_name"),
    "params": ("", bucket_sql("m.num_parameters")),
    "provider": ("JOIN model_providers p ON p.model_id = m.id", "p.provider_id"),
    "app": ("JOIN model_apps a ON a.model_id = m.id", "a.app_id"),
}


def _check(face: str) -> Face:
    if face not in FACES:
        raise ConfigError(f"not a face: {face!r} (choose from {', '.join(FACES)})")
    return face  # type: ignore[return-value]


def face_counts(store: Store, face: Face) -> list[tuple[str, int, int]]:
    """Return ``(value, live models, their downloads)`` for each value of ``face``, most models first.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> face_counts(demo_store(), "provider")
    [('together', 3, 2600), ('groq', 1, 900), ('hf-inference', 1, 2000)]
    """
    join, value = _FACE_SQL[_check(face)]
    return fetch(
        store,
        f"SELECT {value} AS v, COUNT(*) AS n, COALESCE(SUM(m.downloads), 0) AS d FROM models m {join} "
        f"WHERE m.deleted_at IS NULL AND {value} IS NOT NULL GROUP BY v ORDER BY n DESC, v",
    )


def cooccurrence_counts(store: Store, a: Face, b: Face) -> list[tuple[str, str, int, int]]:
    """Return ``(a value, b value, live models, their downloads)`` for co-occurring pairs.

    Rows come most models first, then by value.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> cooccurrence_counts(demo_store(), "provider", "params")
    [('groq', '7-13B', 1, 900), ('hf-inference', '<1B', 1, 2000), ('together', '3-7B', 1, 1000),
     ('together', '7-13B', 1, 900), ('together', '70-200B', 1, 700)]
    """
    if _check(a) == _check(b):
        raise ConfigError(f"co-occurrence needs two different faces, got {a!r} twice")
    join_a, value_a = _FACE_SQL[a]
    join_b, value_b = _FACE_SQL[b]
    rows = fetch(
        store,
        f"SELECT {value_a} AS va, {value_b} AS vb, COUNT(*) AS n, COALESCE(SUM(m.downloads), 0) AS d "
        f"FROM models m {join_a} {join_b} "
        f"WHERE m.deleted_at IS NULL AND {value_a} IS NOT NULL AND {value_b} IS NOT NULL "
        "GROUP BY va, vb",
    )
    return sorted(rows, key=lambda r: (-r[2], r[0], r[1]))

"""Co-occurrence between the five faces of a model: task, library, parameter bucket, provider, app.

A live model touches one task (``pipeline_tag``), one library (``library_name``), one parameter
bucket, and any number of providers and local apps. Two face values co-occur once per live model
touching both. Everything is one ``GROUP BY`` in the database, so it scales with the table, not
with Python.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, Literal, get_args

from catalog.errors import ConfigError
from catalog.graph.lookup import fetch
from catalog.graph.params import bucket_sql
from catalog.store import Store

__all__ = ["FACES", "Face", "cooccurrence_all", "cooccurrence_counts", "face_counts", "provider_coverage"]

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
    rows = fetch(
        store,
        f"SELECT {value} AS v, COUNT(*) AS n, COALESCE(SUM(m.downloads), 0) AS d FROM models m {join} "
        f"WHERE m.deleted_at IS NULL AND {value} IS NOT NULL GROUP BY v",
    )
    # PostgreSQL sums BIGINTs into NUMERIC: back to int, and sorted here so both backends agree.
    return sorted(((v, int(n), int(d)) for v, n, d in rows), key=lambda r: (-r[1], r[0]))


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
    return sorted(((va, vb, int(n), int(d)) for va, vb, n, d in rows), key=lambda r: (-r[2], r[0], r[1]))


# Four GROUP BYs give every count and pair at once: the single-valued faces of a model together,
# then each multi-valued face (one row per model and value) with them, then the two multi-valued
# faces together. Each query: its faces, the faces it counts, and whether it answers only the
# pairs with its first face (the others come from the first query).
_CUBES: tuple[tuple[tuple[Face, ...], tuple[Face, ...], bool], ...] = (
    (("task", "library", "params"), ("task", "library", "params"), False),
    (("provider", "task", "library", "params"), ("provider",), True),
    (("app", "task", "library", "params"), ("app",), True),
    (("provider", "app"), (), False),
)

Value = tuple[Face, str]


def cooccurrence_all(
    store: Store,
) -> tuple[dict[Value, tuple[int, int]], dict[tuple[Value, Value], tuple[int, int]]]:
    """Return ``(live models, downloads)`` of every face value, and of every co-occurring pair.

    Pairs are keyed ``((face a, value a), (face b, value b))`` with ``a`` before ``b`` in
    :data:`FACES`. The same numbers as :func:`face_counts` and :func:`cooccurrence_counts`, from four
    queries instead of fifteen.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> counts, pairs = cooccurrence_all(demo_store())
    >>> counts[("app", "vllm")], pairs[(("task", "text-generation"), ("provider", "together"))]
    ((4, 3000), (3, 2600))
    """
    counts: dict[Value, list[int]] = {}
    pairs: dict[tuple[Value, Value], list[int]] = {}
    for faces, counted, first_only in _CUBES:
        joins = " ".join(dict.fromkeys(_FACE_SQL[f][0] for f in faces))
        values = [_FACE_SQL[f][1] for f in faces]
        columns = ", ".join(f"{v} AS f{i}" for i, v in enumerate(values))
        rows = fetch(
            store,
            f"SELECT {columns}, COUNT(*), COALESCE(SUM(m.downloads), 0) FROM models m {joins} "
            f"WHERE m.deleted_at IS NULL GROUP BY {', '.join(f'f{i}' for i in range(len(faces)))}",
        )
        for *row_values, n, d in rows:
            present = [(f, v) for f, v in zip(faces, row_values) if v is not None]
            for value in present:
                if value[0] in counted:
                    _add(counts, value, n, d)
            for a, b in combinations(present, 2):
                if not first_only or a[0] == faces[0]:
                    key = (a, b) if FACES.index(a[0]) < FACES.index(b[0]) else (b, a)
                    _add(pairs, key, n, d)
    return ({k: (v[0], v[1]) for k, v in counts.items()}, {k: (v[0], v[1]) for k, v in pairs.items()})


def _add(table: dict[Any, list[int]], key: Any, n: Any, d: Any) -> None:
    entry = table.setdefault(key, [0, 0])
    entry[0] += int(n)
    entry[1] += int(d)


def provider_coverage(store: Store) -> list[dict[str, Any]]:
    """Return, per task, how many live models inference providers serve, most models first.

    Rows have ``task``, ``models``, ``served_live`` (by at least one provider, status ``live``),
    ``served_any`` (live or staging), ``share_live`` and ``providers`` (distinct, live).

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r["task"], r["models"], r["served_live"], r["served_any"], r["providers"])
    ...  for r in provider_coverage(demo_store())]
    [('text-generation', 7, 3, 3, 2), ('image-classification', 1, 0, 0, 0), ('text-classification', 1, 1, 1, 1)]
    """
    rows = fetch(
        store,
        "SELECT m.pipeline_tag, COUNT(*), "
        "SUM(CASE WHEN s.live > 0 THEN 1 ELSE 0 END), SUM(CASE WHEN s.model_id IS NOT NULL THEN 1 ELSE 0 END) "
        "FROM models m LEFT JOIN (SELECT model_id, SUM(CASE WHEN status = 'live' THEN 1 ELSE 0 END) AS live "
        "FROM model_providers GROUP BY model_id) s ON s.model_id = m.id "
        "WHERE m.deleted_at IS NULL AND m.pipeline_tag IS NOT NULL GROUP BY m.pipeline_tag",
    )
    providers = dict(
        fetch(
            store,
            "SELECT m.pipeline_tag, COUNT(DISTINCT p.provider_id) FROM models m "
            "JOIN model_providers p ON p.model_id = m.id AND p.status = 'live' "
            "WHERE m.deleted_at IS NULL AND m.pipeline_tag IS NOT NULL GROUP BY m.pipeline_tag",
        )
    )
    out = [
        {
            "task": task,
            "models": int(n),
            "served_live": int(live),
            "served_any": int(any_),
            "share_live": int(live) / int(n),
            "providers": int(providers.get(task, 0)),
        }
        for task, n, live, any_ in rows
    ]
    return sorted(out, key=lambda r: (-r["models"], r["task"]))

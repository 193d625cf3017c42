"""Trends: growth of downloads or likes between two crawl runs, per model, library, task, provider.

Each crawl run records the counts of the models it read in ``model_history`` (a full run every
model, an incremental one those that changed); a trend compares the models seen in both runs (a model new in the later run has no growth to measure) and sums per group.
"""

from __future__ import annotations

from typing import Any, Literal

from catalog.errors import ConfigError, NotFound
from catalog.graph.lookup import check_limit, fetch
from catalog.store import Store

__all__ = ["TrendBy", "history_runs", "trends"]

TrendBy = Literal["model", "library", "task", "provider", "author"]
Metric = Literal["downloads", "likes"]

_GROUP: dict[str, tuple[str, str]] = {
    "model": ("", "m.id"),
    "library": ("", "m.library_name"),
    "task": ("", "m.pipeline_tag"),
    "author": ("", "m.author"),
    "provider": ("JOIN model_providers p ON p.model_id = m.id", "p.provider_id"),
}


def history_runs(store: Store) -> list[int]:
    """Return the ids of the crawl runs that recorded history, oldest first.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> history_runs(demo_store())
    [1, 2]
    """
    return [r[0] for r in fetch(store, "SELECT DISTINCT run_id FROM model_history ORDER BY run_id")]


def trends(
    store: Store,
    by: TrendBy = "model",
    *,
    metric: Metric = "downloads",
    runs: tuple[int, int] | None = None,
    limit: int | None = 20,
) -> list[dict[str, Any]]:
    """Return the growth of ``metric`` per ``by`` between two runs (by default the last two full
    runs, else the last two).

    Rows have ``by``'s value as ``id``, ``before``, ``after``, ``growth``, ``growth_pct``
    (``None`` when ``before`` is 0) and ``models`` (seen in both runs), fastest growing first.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r["id"], r["before"], r["after"], r["growth"]) for r in trends(demo_store(), "provider")]
    [('together', 1650, 1900, 250), ('hf-inference', 1900, 2000, 100), ('groq', 850, 900, 50)]
    """
    if by not in _GROUP:
        raise ConfigError(f"cannot group trends by {by!r} (choose from {', '.join(_GROUP)})")
    if metric not in ("downloads", "likes"):
        raise ConfigError(f"not a trend metric: {metric!r} (choose downloads or likes)")
    check_limit(limit)
    available = history_runs(store)
    if runs is None:
        if len(available) < 2:
            raise ConfigError(
                f"trends compare two crawl runs; the catalog has history from {len(available)}: crawl again"
            )
        # An incremental run records only the models that changed: full runs see the whole Hub.
        full = [
            r[0]
            for r in fetch(store, "SELECT id FROM crawl_runs WHERE mode = 'full' ORDER BY id")
            if r[0] in available
        ]
        pick = full if len(full) >= 2 else available
        runs = (pick[-2], pick[-1])
    for run in runs:
        if run not in available:
            raise NotFound("crawl run", str(run), [str(r) for r in available[-3:]])
    join, key = _GROUP[by]
    limit_sql = f" LIMIT {int(limit)}" if limit is not None else ""
    rows = fetch(
        store,
        f"SELECT {key} AS k, SUM(COALESCE(h1.{metric}, 0)) AS v_before, SUM(COALESCE(h2.{metric}, 0)) AS v_after, "
        f"SUM(COALESCE(h2.{metric}, 0)) - SUM(COALESCE(h1.{metric}, 0)) AS growth, COUNT(*) AS n "
        "FROM model_history h1 JOIN model_history h2 ON h2.model_id = h1.model_id AND h2.run_id = :after_run "
        f"JOIN models m ON m.id = h1.model_id {join} "
        f"WHERE h1.run_id = :before_run AND m.deleted_at IS NULL AND {key} IS NOT NULL "
        f"GROUP BY {key} ORDER BY growth DESC, k{limit_sql}",
        {"before_run": runs[0], "after_run": runs[1]},
    )
    return [
        {
            "id": k,
            "before": int(b),
            "after": int(a),
            "growth": int(g),
            "growth_pct": round(100 * int(g) / int(b), 2) if b else None,
            "models": int(n),
        }
        for k, b, a, g, n in rows
    ]

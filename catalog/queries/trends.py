"""Trends: growth of downloads or likes between two crawl runs, per model, library, task, provider, author.

Each crawl run records the counts of the models it read in ``model_history`` (a full run every
model, an incremental one those that changed); a trend compares the models seen in both runs (a
model new in the later run has no growth to measure) and sums per group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, select

from catalog.errors import ConfigError, NotFound
from catalog.queries.faces import total
from catalog.queries.read import check_limit, read
from catalog.schema import CrawlRun, Model, ModelHistory, ModelProvider
from catalog.store import Store

__all__ = ["METRICS", "TREND_BY", "Metric", "Trend", "TrendBy", "history_runs", "trends"]

TrendBy = Literal["model", "library", "task", "provider", "author"]
Metric = Literal["downloads", "likes"]
METRICS: tuple[Metric, ...] = ("downloads", "likes")

# The column each trend groups by (providers' through the model's mappings).
_GROUP: dict[TrendBy, Any] = {
    "model": Model.id,
    "library": Model.library_name,
    "task": Model.pipeline_tag,
    "provider": ModelProvider.provider_id,
    "author": Model.author,
}
TREND_BY: tuple[TrendBy, ...] = tuple(_GROUP)


@dataclass(frozen=True, slots=True)
class Trend:
    """One group's ``metric`` in both runs, its growth (``growth_pct`` ``None`` from 0), and its models."""

    id: str
    before: int
    after: int
    growth: int
    growth_pct: float | None
    models: int


def history_runs(store: Store) -> list[int]:
    """Return the ids of the crawl runs that recorded history, oldest first.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> history_runs(demo_store())
    [1, 2]
    """
    return list(read(store, select(ModelHistory.run_id).distinct().order_by(ModelHistory.run_id), int))


def _default_runs(store: Store, available: list[int]) -> tuple[int, int]:
    if len(available) < 2:
        raise ConfigError(
            f"trends compare two crawl runs; the catalog has history from {len(available)}: crawl again"
        )
    # An incremental run records only the models that changed: full runs see the whole Hub.
    full_runs = select(CrawlRun.id).where(CrawlRun.mode == "full").order_by(CrawlRun.id)
    full = [r for r in read(store, full_runs, int) if r in available]
    pick = full if len(full) >= 2 else available
    return pick[-2], pick[-1]


def trends(
    store: Store,
    by: TrendBy = "model",
    *,
    metric: Metric = "downloads",
    runs: tuple[int, int] | None = None,
    limit: int | None = 20,
) -> list[Trend]:
    """Return the growth of ``metric`` per ``by`` between two runs, fastest growing first.

    The runs are by default the last two full runs, else the last two.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r.id, r.before, r.after, r.growth) for r in trends(demo_store(), "provider")]
    [('together', 1650, 1900, 250), ('hf-inference', 1900, 2000, 100), ('groq', 850, 900, 50)]
    """
    if by not in _GROUP:
        raise ConfigError(f"cannot group trends by {by!r} (choose from {', '.join(_GROUP)})")
    if metric not in METRICS:
        raise ConfigError(f"not a trend metric: {metric!r} (choose downloads or likes)")
    check_limit(limit)
    available = history_runs(store)
    runs = _default_runs(store, available) if runs is None else runs
    for run in runs:
        if run not in available:
            raise NotFound("crawl run", str(run), [str(r) for r in available[-3:]])
    before, after = ModelHistory.__table__.alias("h1"), ModelHistory.__table__.alias("h2")
    key = _GROUP[by]
    v_before, v_after = total(before.c[metric]), total(after.c[metric])
    growth = (v_after - v_before).label("growth")
    statement = (
        select(key, v_before, v_after, growth, func.count())
        .select_from(before)
        .join(after, (after.c.model_id == before.c.model_id) & (after.c.run_id == runs[1]))
        .join(Model, Model.id == before.c.model_id)
    )
    if by == "provider":
        statement = statement.join(ModelProvider, ModelProvider.model_id == Model.id)
    statement = (
        statement.where(before.c.run_id == runs[0], Model.deleted_at.is_(None), key.is_not(None))
        .group_by(key)
        .order_by(growth.desc(), key)
        .limit(limit)
    )
    return [
        Trend(k, b, a, g, round(100 * g / b, 2) if b else None, n)
        for k, b, a, g, n in read(store, statement, lambda *row: row)
    ]

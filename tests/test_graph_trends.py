from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import pytest

from catalog.errors import ConfigError, NotFound
from catalog.queries.trends import history_runs, trends
from catalog.store import Store, upsert
from tests.catalog_fixtures import load_tiny_catalog


def test_model_growth_between_two_runs(store: Store) -> None:
    assert [asdict(r) for r in trends(load_tiny_catalog(store), "model")] == [
        {"id": "meta/llama-7b", "before": 800, "after": 1000, "growth": 200, "growth_pct": 25.0, "models": 1},
        {
            "id": "acme/bert-sentiment",
            "before": 1900,
            "after": 2000,
            "growth": 100,
            "growth_pct": 5.26,
            "models": 1,
        },
        {
            "id": "alice/llama-7b-chat",
            "before": 300,
            "after": 400,
            "growth": 100,
            "growth_pct": 33.33,
            "models": 1,
        },
        {
            "id": "mistralai/mistral-7b",
            "before": 850,
            "after": 900,
            "growth": 50,
            "growth_pct": 5.88,
            "models": 1,
        },
    ]


def test_growth_per_library_task_and_likes(store: Store) -> None:
    load_tiny_catalog(store)
    assert [(r.id, r.growth, r.models) for r in trends(store, "library")] == [("transformers", 450, 4)]
    assert [(r.id, r.growth) for r in trends(store, "task")] == [
        ("text-generation", 350),
        ("text-classification", 100),
    ]
    assert [(r.id, r.growth) for r in trends(store, "model", metric="likes", limit=2)] == [
        ("alice/llama-7b-chat", 5),
        ("meta/llama-7b", 5),
    ]


def _third_run(store: Store, runs: list[tuple[int, int, str]]) -> None:
    """Record crawl ``runs`` (id, day of November, mode) and meta/llama-7b's history in run 3."""
    rows = [
        {"id": id, "started_at": datetime(2026, 11, day, tzinfo=UTC), "status": "finished", "mode": mode}
        for id, day, mode in runs
    ]
    with store.engine.begin() as conn:
        upsert(conn, "crawl_runs", rows)
        upsert(
            conn,
            "model_history",
            [{"run_id": 3, "model_id": "meta/llama-7b", "downloads": 1500, "likes": 60}],
        )


def test_explicit_runs_and_a_third_run(store: Store) -> None:
    load_tiny_catalog(store)
    _third_run(store, [(3, 29, "full")])
    assert history_runs(store) == [1, 2, 3]
    assert [(r.id, r.before, r.after) for r in trends(store)] == [("meta/llama-7b", 1000, 1500)]
    assert [(r.id, r.growth) for r in trends(store, runs=(1, 3))] == [("meta/llama-7b", 700)]
    with pytest.raises(NotFound, match="no crawl run '9' in the catalog; did you mean '1', '2', '3'"):
        trends(store, runs=(1, 9))


def test_the_default_compares_the_last_two_full_runs(store: Store) -> None:
    load_tiny_catalog(store)
    _third_run(store, [(1, 1, "full"), (2, 15, "incremental"), (3, 29, "full")])
    assert [(r.id, r.before, r.after) for r in trends(store)] == [("meta/llama-7b", 800, 1500)]


def test_trends_need_two_runs(store: Store) -> None:
    with pytest.raises(ConfigError, match="trends compare two crawl runs; the catalog has history from 0"):
        trends(store)
    with pytest.raises(ConfigError, match="cannot group trends by 'colour'"):
        trends(store, "colour")  # type: ignore[arg-type]

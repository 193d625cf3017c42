"""Hostile records and pages: each is a reject or a skipped page, never a stall, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from catalog.crawl import END_STEPS, CrawlProgress, crawl, crawl_snapshot
from catalog.errors import StoreError
from catalog.hub import Fault, HubClient, ReplayServer, write_snapshot
from catalog.store import Store
from tests.test_crawl import DATASETS, MODELS, SPACES, TAGS, TASKS, all_indexes, indexes, rows, snapshot

#: The raw lines as a hostile Hub would send them (JSON text, not Python values: NaN and a lone
#: surrogate are not valid JSON to orjson, and must not cost the valid records of their page).
HOSTILE = [
    b'{"id": "hostile/nul", "tags": ["a\\u0000b"]}',
    b'{"id": "hostile/\\u0000id"}',
    b'{"id": "hostile/long-tag", "tags": ["' + b"x" * 3000 + b'"]}',
    b'{"id": "hostile/' + b"y" * 3000 + b'"}',
    b'{"id": "hostile/downloads", "downloads": 18446744073709551616}',
    b'{"id": "hostile/deep", "cardData": ' + b'{"a": ' * 300 + b"1" + b"}" * 300 + b"}",
    b'{"id": "hostile/surrogate", "tags": ["\\ud800"]}',
    b'{"id": "hostile/nan", "likes": NaN}',
]
#: Valid, if extreme: a trending score of 2**63 is a double a REAL column holds.
TRENDING = b'{"id": "hostile/trending", "trendingScore": 9223372036854775808}'
REASONS = [
    ("model", "hostile/nul", "not storable: a string holds a NUL character (\\u0000), which PostgreSQL cannot store"),
    ("model", "hostile/\\x00id", "not storable: a string holds a NUL character (\\u0000), which PostgreSQL cannot store"),
    ("model", "hostile/long-tag", "model_tags.tag: 3000 bytes, longer than the 1000 a column takes: '" + "x" * 56 + "..."),
    ("model", ("hostile/" + "y" * 3000)[:1000], "id: 3008 bytes, longer than the 1000 a column takes: 'hostile/" + "y" * 48 + "..."),
    ("model", "hostile/downloads", "not storable: an integer beyond 64 bits, more than the store's JSON columns take"),
    ("model", "hostile/deep", "not storable: nested deeper than 254 levels, more than the store's JSON writer takes"),
    ("model", "hostile/surrogate", "not storable: a string holds a lone surrogate (not valid Unicode)"),
    ("model", "hostile/nan", "not storable: a number is NaN or Infinity, which JSON does not allow"),
]  # fmt: skip


def test_every_hostile_record_is_a_reject_and_its_page_is_stored(store: Store, tmp_path: Path) -> None:
    models = [*MODELS[:3], *HOSTILE, TRENDING, *MODELS[3:]]
    tasks = TASKS | {"summarization": {"id": "summarization", "label": ["Summa", "rization"]}}
    snap = write_snapshot(
        tmp_path / "snap", models=models, datasets=DATASETS, spaces=SPACES, tasks=tasks, tags_by_type=TAGS
    )
    summary = crawl_snapshot(store, snap)
    assert (summary.records["models"], summary.rejects) == (len(MODELS) + 1, len(HOSTILE) + 1)
    assert (
        rows(store, "SELECT kind, record_id, reason FROM rejects WHERE kind = 'model' ORDER BY id") == REASONS
    )
    assert rows(store, "SELECT kind, record_id, reason FROM rejects WHERE kind = 'task'") == [
        ("task", "summarization", "label: expected a string, got ['Summa', 'rization']")
    ]
    assert rows(store, "SELECT trending_score FROM models WHERE id = 'hostile/trending'") == [(2.0**63,)]
    assert store.count("models") == len(MODELS) + 1
    assert rows(store, "SELECT status, error FROM crawl_runs") == [("finished", None)]
    # A reject's raw JSON is kept as text the database holds, whatever the record held.
    [(raw,)] = rows(store, "SELECT raw FROM rejects WHERE record_id = 'hostile/surrogate'")
    assert raw == '{"id":"hostile/surrogate","tags":["\\ud800"]}'


def test_a_page_that_is_not_json_is_retried_then_skipped_and_named(store: Store, tmp_path: Path) -> None:
    snap = snapshot(tmp_path / "snap")
    # The clock's probe, page 1, then page 2 three times (the try and two retries): not JSON.
    with ReplayServer(snap, page_size=2, faults=[Fault("invalid", after=2, times=3)]) as server:
        client = HubClient(server.url, token=False, max_retries=2, base_wait=0.01)
        summary = crawl(store, client)
        invalid = [r.target for r in server.requests if r.fault == "invalid"]
        assert len(invalid) == 3 and len(set(invalid)) == 1
        skipped = invalid[0]
        assert summary.skipped == [skipped]
        assert (summary.pages["models"], summary.records["models"]) == (4, 5)  # page 2 skipped, not a wall
        [(counts,)] = rows(store, "SELECT counts FROM crawl_runs")
        assert (counts if isinstance(counts, dict) else __import__("json").loads(counts))["skipped"] == [
            skipped
        ]
        # A full run with a skipped page marks nothing deleted in that listing: what it held is unknown.
        server.add_fault(Fault("invalid", after=2, times=3))
        again = crawl(store, client, full=True)
    assert again.deleted == {"datasets": 0, "spaces": 0}
    assert rows(store, "SELECT COUNT(*) FROM models WHERE deleted_at IS NOT NULL") == [(0,)]


def test_a_run_stopped_by_ctrl_c_is_failed_with_its_indexes_built(store: Store, tmp_path: Path) -> None:
    def interrupt(event: object) -> None:
        raise KeyboardInterrupt

    with ReplayServer(snapshot(tmp_path / "snap"), page_size=2) as server, pytest.raises(KeyboardInterrupt):
        crawl(store, HubClient(server.url, token=False), progress=interrupt)
    assert rows(store, "SELECT status, error FROM crawl_runs") == [("failed", "interrupted (Ctrl-C)")]
    assert indexes(store) == all_indexes(store)


def test_the_end_of_a_run_is_reported_step_by_step_and_a_ctrl_c_in_it_loses_nothing(
    store: Store, tmp_path: Path
) -> None:
    steps: list[tuple[str, int]] = []

    def stop_while_counting_faces(event: CrawlProgress) -> None:
        if event.listing in END_STEPS:
            steps.append((event.listing, event.records))
            if event.listing == "end: counting faces" and len(steps) == 3:
                raise KeyboardInterrupt

    records = len(MODELS) + len(DATASETS) + len(SPACES)
    with ReplayServer(snapshot(tmp_path / "snap"), page_size=2) as server:
        with pytest.raises(KeyboardInterrupt):
            crawl(store, HubClient(server.url, token=False), progress=stop_while_counting_faces)
        # The first crawl's end: its staged rows merged, then its indexes built, then the summaries.
        assert steps == [(step, records) for step in END_STEPS[:3]]
        assert rows(store, "SELECT status, error FROM crawl_runs") == [("failed", "interrupted (Ctrl-C)")]
        # The interrupted end was rolled back and the failure merged again: every row is in its table.
        assert (store.count("models"), store.count("datasets"), store.count("spaces")) == (
            len(MODELS),
            len(DATASETS),
            len(SPACES),
        )
        assert not [t for t in inspect(store.engine).get_table_names() if t.startswith("staged_")]
        assert indexes(store) == all_indexes(store)
        steps.clear()
        resumed = crawl(store, HubClient(server.url, token=False), progress=stop_while_counting_faces)
    # The resumed run had nothing left to merge or index: only the summaries.
    assert resumed.resumed and steps == [(step, records) for step in END_STEPS[2:]]


def test_a_database_failing_mid_crawl_is_one_store_error_and_a_failed_run(
    store: Store, tmp_path: Path
) -> None:
    def break_the_database(event: object) -> None:
        if getattr(event, "pages", 0) == 1 and getattr(event, "listing", "") == "models":
            with store.engine.begin() as conn:
                conn.exec_driver_sql("DROP VIEW edges")
                conn.exec_driver_sql("DROP TABLE model_apps")
                # where a first crawl writes its rows until the run ends
                conn.exec_driver_sql("DROP TABLE staged_model_apps")

    with (
        ReplayServer(snapshot(tmp_path / "snap"), page_size=2) as server,
        pytest.raises(StoreError) as caught,
    ):
        crawl(store, HubClient(server.url, token=False), progress=break_the_database)
    message = str(caught.value)
    assert message.startswith(f"database {store.display_url} failed during the crawl (")
    assert "model_apps" in message and "\n" not in message
    assert message.endswith("committed pages are kept; fix the database, then run again to resume")
    assert store.count("models") == 2  # the page before the break is kept
    [(status, error)] = rows(store, "SELECT status, error FROM crawl_runs")
    assert status == "failed" and "model_apps" in error
    assert indexes(store) == {i for i in all_indexes(store) if not i.startswith("ix_model_apps")}

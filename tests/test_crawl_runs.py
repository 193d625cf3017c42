"""What runs promise each other: watermarks, deletions, one crawl at a time, recordings, kept columns."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from catalog.crawl import crawl, crawl_snapshot
from catalog.crawl.checkpoint import as_utc
from catalog.crawl.lock import crawl_lock
from catalog.errors import HubError, StoreError
from catalog.hub import Fault, HubClient, ReplayServer, Snapshot, write_snapshot
from catalog.store import Store
from tests.conftest import POSTGRES_URL
from tests.test_crawl import BASE, MODELS, model, rows, snapshot

FAR_FUTURE = model("u/far-future", 1, lastModified="9999-12-31T00:00:00.000Z")


def test_a_far_future_date_does_not_freeze_the_watermark(store: Store, tmp_path: Path) -> None:
    crawl_snapshot(store, snapshot(tmp_path / "a", [*MODELS, FAR_FUTURE]))
    changed = [
        m | {"likes": 99, "lastModified": "2024-10-01T00:00:00.000Z"} if m["id"] == BASE else m
        for m in MODELS
    ]
    summary = crawl_snapshot(store, snapshot(tmp_path / "b", [*changed, FAR_FUTURE]))
    assert summary.mode == "incremental"
    assert rows(store, f"SELECT likes FROM models WHERE id = '{BASE}'") == [(99,)]  # read, not frozen out
    [(counts,)] = rows(store, "SELECT counts FROM crawl_runs WHERE id = 1")
    counts = counts if isinstance(counts, dict) else __import__("json").loads(counts)
    assert counts["clock"]["models"] == "2024-08-07T00:00:00+00:00"  # the newest date not in the future


def test_the_watermark_is_the_hubs_time_when_the_previous_run_began(store: Store, tmp_path: Path) -> None:
    # Stored dates newer than the Hub's time at the start of run 1 (a model modified during it):
    # the next run still reads from that start, not from the newest date stored.
    crawl_snapshot(store, snapshot(tmp_path / "a"))
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE models SET last_modified = '2025-01-01 00:00:00' WHERE id = 'u/card-merge'"
        )
    changed = [
        m | {"likes": 42, "lastModified": "2024-09-01T00:00:00.000Z"} if m["id"] == BASE else m
        for m in MODELS
    ]
    crawl_snapshot(store, snapshot(tmp_path / "b", changed))
    assert rows(store, f"SELECT likes FROM models WHERE id = '{BASE}'") == [(42,)]


def test_a_full_run_that_would_delete_over_half_refuses(store: Store, tmp_path: Path) -> None:
    crawl_snapshot(store, snapshot(tmp_path / "a"))
    nothing = write_snapshot(tmp_path / "empty")  # an endpoint that lists nothing and has no /api/tasks
    with pytest.raises(
        HubError, match=r"^the full models listing gave 0 repos where the store holds 7: refusing"
    ):
        crawl_snapshot(store, nothing, full=True)
    assert rows(store, "SELECT COUNT(*) FROM models WHERE deleted_at IS NOT NULL") == [(0,)]
    assert store.count("library_tasks") > 0  # not emptied by an endpoint that answers 404
    [(status, error)] = rows(store, "SELECT status, error FROM crawl_runs WHERE id = 2")
    assert status == "failed" and error.endswith(
        "run again with --allow-mass-delete (the run resumes at this step)"
    )
    summary = crawl_snapshot(store, nothing, full=True, allow_mass_delete=True)
    assert summary.resumed and summary.deleted == {"models": 7, "datasets": 1, "spaces": 1}


def test_an_incremental_run_whose_tasks_answer_404_empties_no_reference_table(
    store: Store, tmp_path: Path
) -> None:
    crawl_snapshot(store, snapshot(tmp_path / "a"))
    before = store.count("library_tasks")
    crawl_snapshot(store, write_snapshot(tmp_path / "bare", models=MODELS))
    assert store.count("library_tasks") == before > 0


def test_a_second_crawl_on_a_database_is_refused(store: Store, tmp_path: Path) -> None:
    with crawl_lock(store), pytest.raises(StoreError) as caught:
        crawl_snapshot(store, snapshot(tmp_path / "a"))
    assert str(caught.value) == (
        f"another crawl is running on {store.display_url}: wait for it to finish, or stop it "
        "(a crawl that was killed holds no lock, so this one is alive)"
    )
    assert rows(store, "SELECT COUNT(*) FROM crawl_runs") == [(0,)]  # it started nothing
    crawl_snapshot(store, snapshot(tmp_path / "a"))  # the lock is let go


@pytest.mark.postgresql
def test_two_first_crawls_on_a_fresh_postgresql_schema_both_open_it(db_url: str, tmp_path: Path) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    assert POSTGRES_URL
    url = f"{db_url}%20-clock_timeout%3D15000"  # a wait on another's lock fails in 15 s, not never
    opened: list[Any] = []
    barrier = threading.Barrier(4)

    def open_store() -> None:
        barrier.wait()
        try:
            with Store.open(url) as store:
                opened.append(store.revision())
        except Exception as exc:  # recorded, for the assertion to show
            opened.append(exc)

    threads = [threading.Thread(target=open_store, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60  # unserialised, their CREATE TABLEs wait on each other or collide
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert len(opened) == 4 and not any(isinstance(o, Exception) for o in opened), opened


def test_first_seen_is_kept_and_a_rejected_repo_is_still_seen(store: Store, tmp_path: Path) -> None:
    crawl_snapshot(store, snapshot(tmp_path / "a"))
    malformed = [m | {"tags": "not a list"} if m["id"] == BASE else m for m in MODELS]
    crawl_snapshot(store, snapshot(tmp_path / "b", malformed), full=True)
    [(first,), (second,)] = rows(store, "SELECT started_at FROM crawl_runs ORDER BY id")
    seen = rows(store, f"SELECT first_seen, last_seen, deleted_at FROM models WHERE id = '{BASE}'")
    assert [tuple(_utc(v) for v in row) for row in seen] == [(_utc(first), _utc(second), None)]
    firsts = {_utc(f) for (f,) in rows(store, "SELECT first_seen FROM models")}
    assert firsts == {_utc(first)}  # run 2 updated every row but kept when each was first seen


def test_a_resumed_recording_equals_an_uninterrupted_one(db_url: str, tmp_path: Path) -> None:
    snap = snapshot(tmp_path / "snap")
    with Store.open(db_url) as store:
        with ReplayServer(snap, page_size=2, faults=[Fault("503", after=3, times=100)]) as server:
            with pytest.raises(HubError):
                crawl(store, HubClient(server.url, token=False, max_retries=0), record=tmp_path / "rec")
            assert not (tmp_path / "rec" / "manifest.json").exists()
            server.clear_faults()
            summary = crawl(store, HubClient(server.url, token=False), record=tmp_path / "rec")
        assert summary.resumed
    with Store.open(f"sqlite:///{tmp_path / 'whole.db'}") as whole, ReplayServer(snap, page_size=2) as server:
        crawl(whole, HubClient(server.url, token=False), record=tmp_path / "whole")
    resumed, uninterrupted = Snapshot.open(tmp_path / "rec"), Snapshot.open(tmp_path / "whole")
    for kind in ("models", "datasets", "spaces"):
        assert list(resumed.iter_records(kind)) == list(uninterrupted.iter_records(kind))
    assert (
        resumed.manifest["counts"]
        == uninterrupted.manifest["counts"]
        == {"models": 7, "datasets": 1, "spaces": 1}
    )
    assert resumed.manifest["note"] == uninterrupted.manifest["note"]


def test_credentials_in_the_endpoint_are_masked_where_stored(store: Store, tmp_path: Path) -> None:
    with ReplayServer(snapshot(tmp_path / "snap")) as server:
        endpoint = server.url.replace("http://", "http://user:SECRET@")
        summary = crawl(store, HubClient(endpoint, token=False), record=tmp_path / "rec")
    masked = server.url.replace("http://", "http://***@")
    assert summary.endpoint == masked
    assert rows(store, "SELECT endpoint FROM crawl_runs") == [(masked,)]
    assert Snapshot.open(tmp_path / "rec").manifest["endpoint"] == masked
    assert "SECRET" not in (tmp_path / "rec" / "manifest.json").read_text()


def _utc(value: Any) -> Any:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value) if isinstance(value, datetime) else value


def test_a_library_crawl_leaves_the_interpreter_as_it_was(store: Store, tmp_path: Path) -> None:
    import gc
    import sys

    before = (gc.get_threshold(), sys.getswitchinterval(), gc.get_freeze_count())
    crawl_snapshot(store, snapshot(tmp_path / "a"))
    assert (gc.get_threshold(), sys.getswitchinterval(), gc.get_freeze_count()) == before

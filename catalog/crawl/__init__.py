"""Hub -> store: idempotent, resumable, incremental; bad records go to ``rejects``.

A run reads the reference payloads (tasks, tag taxonomy), then lists models, datasets and Spaces
page by page. Each page is normalised and committed in one transaction together with the run's
checkpoint (the listing and the relative URL of the next page), so a crawl killed at any point
resumes where it stopped and ends with the same database. The first run is full; later runs are
incremental (newest ``lastModified`` first, stopping at the newest date the store already holds)
unless ``full=True``. A full run marks repos that have gone from the Hub with ``deleted_at``.

Speed: records stay raw JSON until the normaliser (no ``ModelInfo``); a page is normalised and
batched in the calling thread while the previous one is written by another (SQLite works outside
the GIL, which that thread gets back promptly); on SQLite rows go to the driver as tuples, many to
a statement (:mod:`catalog.bulk`), and a first crawl builds the listing tables' secondary indexes
once at the end rather than row by row.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal

import orjson
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from catalog.bulk import (
    BackgroundWriter,
    Batch,
    defer_indexes,
    existing_ids,
    make_batch,
    restore_indexes,
    tune_connection,
    write_batch,
)
from catalog.errors import HubError, RecordError, StoreError, one_line
from catalog.hub.client import HubClient, provider_registry
from catalog.hub.snapshot import REPO_KINDS, RepoKind, Snapshot, SnapshotWriter
from catalog.normalize import (
    Normalized,
    app_rows,
    library_rows,
    normalize_dataset,
    normalize_model,
    normalize_space,
    parse_date,
    provider_rows,
    task_rows,
)
from catalog.schema import Base, CrawlRun
from catalog.store import Store, delete_children, upsert

__all__ = ["CrawlProgress", "CrawlSummary", "crawl", "crawl_snapshot", "replay_source"]

Mode = Literal["full", "incremental"]
Progress = Callable[["CrawlProgress"], None]

_NORMALIZE: dict[RepoKind, Callable[[Any], Normalized]] = {
    "models": normalize_model,
    "datasets": normalize_dataset,
    "spaces": normalize_space,
}
#: Child tables of each listing, with the column naming the parent: deleted and re-inserted per page.
_CHILDREN: dict[RepoKind, tuple[tuple[str, str], ...]] = {
    "models": (
        ("model_tags", "model_id"),
        ("model_lineage", "model_id"),
        ("model_datasets", "model_id"),
        ("model_providers", "model_id"),
        ("model_apps", "model_id"),
    ),
    "datasets": (("dataset_tags", "dataset_id"),),
    "spaces": (("space_models", "space_id"), ("space_datasets", "space_id")),
}
_TABLES = tuple(Base.metadata.tables)
#: The tables the listings fill (the reference tables are small and kept indexed).
_LOADED = (*REPO_KINDS, *(table for children in _CHILDREN.values() for table, _ in children), "model_history")
_RUNS = CrawlRun.__table__


@dataclass(frozen=True, slots=True)
class CrawlProgress:
    """Where a crawl stands: the listing being read, and pages, records and rejects so far."""

    listing: str
    pages: int
    records: int
    rejects: int
    done: bool = False


@dataclass(frozen=True, slots=True)
class CrawlSummary:
    """What a crawl run did: its mode, pages and records per listing, rejects, deletions, table sizes."""

    run_id: int
    mode: Mode
    endpoint: str
    resumed: bool
    pages: dict[str, int]
    records: dict[str, int]
    rejects: int
    deleted: dict[str, int]
    seconds: float
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Records stored per second over this process's part of the run."""
        return sum(self.records.values()) / self.seconds if self.seconds else 0.0


def crawl(
    store: Store,
    client: HubClient,
    *,
    full: bool = False,
    record: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    source: str | None = None,
) -> CrawlSummary:
    """Crawl the Hub behind ``client`` into ``store`` and return what the run did.

    Resumes the last unfinished run from its checkpoint if there is one from the same ``source``
    (recorded as the run's endpoint; default: the client's endpoint). With ``record``, every raw
    response read is also written to a snapshot folder there. ``progress`` is called after each
    committed page (from the thread that writes pages) and at the end of each listing.

    Raises :class:`~catalog.errors.HubError` when the Hub cannot be read after retries, and
    :class:`~catalog.errors.StoreError` when the database fails: the pages committed so far stay,
    and the next run resumes.
    """
    started = time.perf_counter()
    with _fewer_collections(), _prompt_handovers(), _recording(client, record) as recorded:
        try:
            run = _Run.start(store, client, source or client.endpoint, full=full)
            recorded["note"] = _RECORD_NOTE[run.mode] + (
                " (a resumed run: only what it read)" if run.resumed else ""
            )
            try:
                run.crawl_reference()
                for kind in REPO_KINDS:
                    run.crawl_listing(kind, progress)
                run.finish()
            except HubError as exc:
                run.fail(str(exc))
                raise
        except DBAPIError as exc:
            raise StoreError(
                f"database {store.display_url} failed during the crawl ({one_line(exc)}): "
                "committed pages are kept; fix the database, then run again to resume"
            ) from exc
    seconds = time.perf_counter() - started
    tables = {t: store.count(t) for t in _TABLES}
    return CrawlSummary(
        run.id,
        run.mode,
        source or client.endpoint,
        run.resumed,
        dict(run.pages),
        dict(run.records),
        run.rejects,
        run.deleted,
        seconds,
        tables,
    )


def crawl_snapshot(
    store: Store,
    snapshot_dir: str | os.PathLike[str] | Snapshot,
    *,
    full: bool = False,
    progress: Progress | None = None,
) -> CrawlSummary:
    """Replay the snapshot folder ``snapshot_dir`` into ``store``: serve it on 127.0.0.1 and crawl it.

    The same code path as a live crawl: the real client reads the replay server over HTTP. The
    run's endpoint is ``replay:<folder>``, so that a stopped replay resumes on the next one
    (the server's port changes between runs).
    """
    from catalog.hub.replay import ReplayServer

    snapshot = snapshot_dir if isinstance(snapshot_dir, Snapshot) else Snapshot.open(snapshot_dir)
    with ReplayServer(snapshot) as server:
        return crawl(
            store,
            HubClient(server.url, token=False),
            full=full,
            progress=progress,
            source=replay_source(snapshot),
        )


def replay_source(snapshot: Snapshot) -> str:
    """Return what a replay of ``snapshot`` records as its run's endpoint: ``replay:<absolute folder>``."""
    return f"replay:{snapshot.path.resolve()}"


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Let the garbage collector run less often while pages stream through (restored afterwards).

    A page makes ~50,000 short-lived containers; at the default threshold (700) the collector runs
    hundreds of times a page and its older generations walk every object the process holds, which
    measured here as a third of the normaliser's time. Objects alive before the crawl are frozen
    out of its walks; cycles are still collected.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


@contextmanager
def _prompt_handovers() -> Iterator[None]:
    """Hand the GIL to a thread waiting for it within 0.5 ms instead of 5 ms (restored afterwards).

    The thread writing pages lets go of the GIL for each SQLite statement and needs it back to go
    on; while the normaliser computed, it waited up to the switch interval each time and fell
    behind (a third of the benchmark crawl's time went to the normaliser waiting for it).
    """
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, 0.0005))
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


@contextmanager
def _recording(client: HubClient, record: str | os.PathLike[str] | None) -> Iterator[dict[str, Any]]:
    """Record what ``client`` reads into a snapshot at ``record``; yield the manifest's extra fields."""
    manifest: dict[str, Any] = {}
    if record is None:
        yield manifest
        return
    writer = SnapshotWriter(record, endpoint=client.endpoint)
    client.recorder = writer
    try:
        yield manifest
    except BaseException as exc:
        writer.__exit__(type(exc), exc, exc.__traceback__)  # leaves the recording unfinished: no manifest
        raise
    else:
        writer.close(manifest)
    finally:
        client.recorder = None


_RECORD_NOTE = {
    "full": "recorded by `catalog crawl --record` (a full run: every listing whole)",
    "incremental": "recorded by `catalog crawl --record` (an incremental run: only what changed since the last "
    "run; replaying it with --full would mark everything else deleted)",
}


@dataclass(frozen=True, slots=True)
class _PageRows:
    """A normalised page: the ids stored, their rows batched per table, and the rejects."""

    ids: list[str]
    batches: list[Batch]
    rejects: list[dict[str, Any]]


class _Run:
    """One crawl run: its row in ``crawl_runs``, its checkpoint and counters."""

    def __init__(self, store: Store, client: HubClient, row: dict[str, Any], resumed: bool) -> None:
        self.store = store
        self.client = client
        self.id: int = row["id"]
        self.mode: Mode = row["mode"]
        self.started_at: datetime = row["started_at"]
        self.resumed = resumed
        state = row["checkpoint"] or {}
        self.state: dict[str, Any] = state
        self.pages: dict[str, int] = state.setdefault("pages", {})
        self.records: dict[str, int] = state.setdefault("records", {})
        self.deleted: dict[str, int] = {}
        # A private in-memory SQLite database exists in one connection only: no second thread.
        self._threaded = store.engine.url.database not in (None, "", ":memory:")
        state.setdefault("done", [])
        state.setdefault("watermarks", {})
        state.setdefault("rejects", 0)

    @property
    def rejects(self) -> int:
        return self.state["rejects"]

    @classmethod
    def start(cls, store: Store, client: HubClient, source: str, *, full: bool) -> _Run:
        """Resume the last unfinished run from ``source``, or start a new one."""
        with store.engine.begin() as conn:
            last = (
                conn.execute(
                    select(_RUNS)
                    .where(_RUNS.c.status.in_(("running", "failed")))
                    .order_by(_RUNS.c.id.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
            if last is not None:
                if last["endpoint"] == source and not (full and last["mode"] == "incremental"):
                    conn.execute(
                        update(_RUNS).where(_RUNS.c.id == last["id"]).values(status="running", error=None)
                    )
                    return cls(store, client, dict(last), resumed=True)
                conn.execute(update(_RUNS).where(_RUNS.c.id == last["id"]).values(status="abandoned"))
                # Its tables are no longer empty, so no later run would build what it deferred.
                restore_indexes(conn, (last["checkpoint"] or {}).get("deferred_indexes", ()))
            finished = conn.execute(select(_RUNS.c.id).where(_RUNS.c.status == "finished").limit(1)).first()
            mode: Mode = "full" if full or finished is None else "incremental"
            watermarks = {}
            if mode == "incremental":
                for kind in REPO_KINDS:
                    newest = conn.execute(
                        select(func.max(Base.metadata.tables[kind].c.last_modified))
                    ).scalar()
                    watermarks[kind] = _as_utc(newest).isoformat() if newest else None
            # A first crawl fills empty tables: their indexes are built once at the end instead.
            deferred = defer_indexes(conn, _LOADED) if mode == "full" else []
            row = {
                "started_at": datetime.now(UTC),
                "endpoint": source,
                "mode": mode,
                "status": "running",
                "checkpoint": {"watermarks": watermarks, "deferred_indexes": deferred},
            }
            row["id"] = conn.execute(insert(_RUNS).values(**row)).inserted_primary_key[0]
        return cls(store, client, row, resumed=False)

    # --- phases ---------------------------------------------------------------------------

    def crawl_reference(self) -> None:
        """Store tasks, libraries, apps and providers (small: re-read whole every run)."""
        if "reference" in self.state["done"]:
            return
        tasks = self.client.get_json("tasks", missing_ok=True)
        tags_by_type = self.client.get_json("models-tags-by-type", missing_ok=True)
        libraries, library_tasks = library_rows(tasks, tags_by_type)
        providers, provider_tasks = provider_rows(provider_registry())
        with self.store.engine.begin() as conn:
            for table, rows in (
                ("tasks", task_rows(tasks, tags_by_type)),
                ("libraries", libraries),
                ("apps", app_rows()),
                ("providers", providers),
            ):
                upsert(conn, table, rows)
            # The link tables are replaced whole: a pair the Hub no longer lists goes.
            for table, rows in (("library_tasks", library_tasks), ("provider_tasks", provider_tasks)):
                conn.execute(Base.metadata.tables[table].delete())
                upsert(conn, table, rows)
            self.state["done"].append("reference")
            self._save(conn)

    def crawl_listing(self, kind: RepoKind, progress: Progress | None) -> None:
        """Read the ``kind`` listing page by page from the checkpoint, committing each page."""
        if kind in self.state["done"]:
            return
        watermark = self.state["watermarks"].get(kind) if self.mode == "incremental" else None
        since = datetime.fromisoformat(watermark) if watermark else None
        start = self.state.get("next") if self.state.get("listing") == kind else None
        sort = "lastModified" if self.mode == "incremental" else None
        pages = self.client.list_pages(kind, start=start, sort=sort)
        # Pages are normalised here while the previous one is written and committed in order by
        # another thread: SQLite works outside the GIL, so fetching and writing overlap.
        with BackgroundWriter(threaded=self._threaded) as writer:
            for page in pages:
                records, stop = _newer(page.records, since)
                rows = self._prepare(kind, records)
                writer.submit(partial(self._commit_page, kind, rows, None if stop else page.next, progress))
                if stop:
                    pages.close()  # the rest is older than the watermark: request no further page
                    break
        with self.store.engine.begin() as conn:
            self.state["done"].append(kind)
            self.state.pop("listing", None)
            self.state.pop("next", None)
            self._save(conn)
        if progress is not None:
            progress(
                CrawlProgress(kind, self.pages.get(kind, 0), self.records.get(kind, 0), self.rejects, True)
            )

    def finish(self) -> None:
        """Mark repos gone from the Hub (full runs) and close the run."""
        now = datetime.now(UTC)
        with self.store.engine.begin() as conn:
            if self.mode == "full":
                for kind in REPO_KINDS:
                    table = Base.metadata.tables[kind]
                    result = conn.execute(
                        update(table)
                        .where(table.c.deleted_at.is_(None), table.c.last_seen < self.started_at)
                        .values(deleted_at=now)
                    )
                    self.deleted[kind] = result.rowcount
            restore_indexes(conn, self.state.get("deferred_indexes", ()))
            counts = {
                "pages": self.pages,
                "records": self.records,
                "rejects": self.rejects,
                "deleted": self.deleted,
            }
            conn.execute(
                update(_RUNS)
                .where(_RUNS.c.id == self.id)
                .values(status="finished", finished_at=now, counts=counts, checkpoint=None)
            )

    def fail(self, error: str) -> None:
        """Record that the run stopped; its checkpoint stays for the next run to resume from.

        Deferred indexes are built now, so the stored pages can be queried as usual meanwhile.
        """
        with self.store.engine.begin() as conn:
            restore_indexes(conn, self.state.get("deferred_indexes", ()))
            self.state["deferred_indexes"] = []
            conn.execute(
                update(_RUNS)
                .where(_RUNS.c.id == self.id)
                .values(status="failed", error=error, checkpoint=dict(self.state))
            )

    # --- one page ---------------------------------------------------------------------------

    def _prepare(self, kind: RepoKind, records: list[Any]) -> _PageRows:
        """Normalise a page's records into batches ready to write; a malformed one becomes a reject."""
        normalize = _NORMALIZE[kind]
        good: dict[str, Normalized] = {}
        rejects: list[dict[str, Any]] = []
        for raw in records:
            try:
                item = normalize(raw)
            except (RecordError, ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
                reason = str(exc) if isinstance(exc, RecordError) else f"{type(exc).__name__}: {exc}"
                record_id = raw.get("id") if isinstance(raw, dict) else None
                rejects.append(
                    {
                        "run_id": self.id,
                        "kind": kind[:-1],
                        "record_id": record_id if isinstance(record_id, str) else None,
                        "raw": orjson.dumps(raw).decode(),
                        "reason": reason,
                    }
                )
                continue
            good[item.id] = item  # the same repo twice in a page: the last wins
        items = sorted(good.values(), key=_by_id)  # b-trees fill faster in key order
        dialect = self.store.dialect
        seen = {"first_seen": self.started_at, "last_seen": self.started_at, "deleted_at": None}
        batches = [make_batch(dialect, kind, [item.row for item in items], shared=seen, keep=("first_seen",))]
        batches += [
            make_batch(dialect, table, [row for item in items for row in item.children[table]], update=False)
            for table, _ in _CHILDREN[kind]
        ]
        if kind == "models":
            batches.append(
                make_batch(
                    dialect, "model_history", [item.history for item in items], shared={"run_id": self.id}
                )
            )
        return _PageRows([item.id for item in items], batches, rejects)

    def _commit_page(
        self, kind: RepoKind, page: _PageRows, next_url: str | None, progress: Progress | None
    ) -> None:
        """Write one page and the checkpoint after it in one transaction."""
        with self.store.engine.begin() as conn:
            tune_connection(conn)
            # Only repos stored before can have child rows to replace; a first crawl deletes nothing.
            found = existing_ids(conn, kind, page.ids) if page.ids else set()
            known = [id for id in page.ids if id in found]
            if known:
                for table, column in _CHILDREN[kind]:
                    delete_children(conn, table, column, known)
            for batch in page.batches:
                write_batch(conn, batch)
            if page.rejects:
                conn.execute(insert(Base.metadata.tables["rejects"]), page.rejects)
                # A repo still listed, even if malformed now, has not gone from the Hub.
                seen = [r["record_id"] for r in page.rejects if r["record_id"]]
                table = Base.metadata.tables[kind]
                for at in range(0, len(seen), 900):
                    conn.execute(
                        update(table)
                        .where(table.c.id.in_(seen[at : at + 900]))
                        .values(last_seen=self.started_at)
                    )
            state = self.state
            pages, records = dict(self.pages), dict(self.records)
            pages[kind] = pages.get(kind, 0) + 1
            records[kind] = records.get(kind, 0) + len(page.ids)
            checkpoint = state | {
                "pages": pages,
                "records": records,
                "rejects": state["rejects"] + len(page.rejects),
                "listing": kind,
                "next": next_url,
            }
            conn.execute(update(_RUNS).where(_RUNS.c.id == self.id).values(checkpoint=checkpoint))
        # The counters move only once the page is committed.
        self.state, self.pages, self.records = checkpoint, pages, records
        if progress is not None:
            progress(CrawlProgress(kind, pages[kind], records[kind], checkpoint["rejects"]))

    def _save(self, conn: Connection) -> None:
        conn.execute(update(_RUNS).where(_RUNS.c.id == self.id).values(checkpoint=dict(self.state)))


def _by_id(item: Normalized) -> str:
    return item.id


def _newer(records: list[Any], since: datetime | None) -> tuple[list[Any], bool]:
    """Return the records modified at or after ``since``, and whether an older one was met."""
    if since is None:
        return records, False
    for at, raw in enumerate(records):
        try:
            modified = parse_date(raw.get("lastModified"), "lastModified") if isinstance(raw, dict) else None
        except RecordError:
            continue  # malformed: kept, for the normaliser to reject with its reason
        if modified is not None and modified < since:
            return records[:at], True
    return records, False


def _as_utc(value: datetime) -> datetime:
    # SQLite gives back naive datetimes; they were stored in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

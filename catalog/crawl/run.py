"""One crawl run: its row in ``crawl_runs``, its phases, and how each page is prepared and committed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal

from sqlalchemy import Connection, Table, func, insert, select, update

from catalog.bulk import (
    BackgroundWriter,
    analyze,
    defer_indexes,
    existing_ids,
    merge_staged,
    restore_indexes,
    stage_tables,
    tune_connection,
    vacuum,
    write_batch,
)
from catalog.crawl.checkpoint import CLOCK_MARGIN, Checkpoint, SkippedPage, as_utc, trusted_clock
from catalog.crawl.prepare import CHILDREN, PageRows, Preparer, reject_row
from catalog.errors import HubError, RecordError
from catalog.hub.client import HubClient
from catalog.hub.snapshot import REPO_KINDS, RepoKind, SnapshotWriter
from catalog.normalize import (
    app_rows,
    clean_reference,
    library_rows,
    parse_date,
    provider_rows,
    task_rows,
)
from catalog.records import chunks
from catalog.schema import Base, CrawlRun
from catalog.store import Store, delete_children, upsert
from catalog.store.summary import refresh_faces

__all__ = ["END_STEPS", "STAGED_TABLES", "CrawlProgress", "Mode", "Progress", "Run"]

Mode = Literal["full", "incremental"]
Progress = Callable[["CrawlProgress"], None]

#: The tables the listings fill (the reference tables are small and kept indexed).
_LOADED = (*REPO_KINDS, *(table for children in CHILDREN.values() for table, _ in children), "model_history")
#: The steps of a run's end, as :meth:`Run.finish` reports them; the first two only after a first crawl.
END_STEPS = (
    "end: merging staged rows",
    "end: building indexes",
    "end: counting faces",
    "end: ranking the lineage",
)
#: What a first crawl stages (:func:`~catalog.bulk.stage_tables`): each listing's tables, with the
#: column naming the repo.
STAGED_TABLES: dict[str, dict[str, str]] = {
    kind: {kind: "id", **dict(CHILDREN[kind]), **({"model_history": "model_id"} if kind == "models" else {})}
    for kind in REPO_KINDS
}
_RUNS: Table = CrawlRun.__table__  # type: ignore[assignment]
_TABLES: dict[str, Table] = dict(Base.metadata.tables)
#: Pages normalised ahead of the writer, and written in one transaction when it is behind (at most).
_GROUP = 8
#: The Hub's clock is read from the newest ``lastModified`` among this many records of a listing.
_CLOCK_PROBE = 100


@dataclass(frozen=True, slots=True)
class CrawlProgress:
    """Where a crawl stands: the listing being read, and pages, records and rejects so far.

    At the run's end ``listing`` names the step under way (:data:`END_STEPS`), with the run's totals.
    """

    listing: str
    pages: int
    records: int
    rejects: int
    done: bool = False


@dataclass(frozen=True, slots=True)
class _Read:
    """Where a page was read and where the next is; it travels with the page's rows to the writer.

    ``recorded`` holds the page's raw records only while a recording is made (else they go now).
    """

    url: str
    error: str | None
    next_url: str | None
    recorded: list[Any] | None


class Run:
    """One crawl run: its row in ``crawl_runs``, its checkpoint and what it deleted.

    ``parallel`` is :class:`~catalog.crawl.prepare.Preparer`'s: pages prepared in a worker
    process (``None``: once the run is long, on a machine with a second core). :meth:`close`
    stops that worker.
    """

    def __init__(
        self,
        store: Store,
        client: HubClient,
        row: dict[str, Any],
        resumed: bool,
        parallel: bool | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.id: int = row["id"]
        self.mode: Mode = row["mode"]
        self.started_at: datetime = as_utc(row["started_at"])
        self.resumed = resumed
        self.state = Checkpoint.from_json(row["checkpoint"])
        self.deleted: dict[str, int] = {}
        self.recorder: SnapshotWriter | None = None
        # A private in-memory SQLite database exists in one connection only: no second thread.
        self._threaded = store.engine.url.database not in (None, "", ":memory:")
        self._preparer: Preparer[_Read] = Preparer(
            dialect=store.dialect, run_id=self.id, seen_at=self.started_at, parallel=parallel
        )

    @classmethod
    def start(
        cls, store: Store, client: HubClient, source: str, *, full: bool, parallel: bool | None = None
    ) -> Run:
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
                    return cls(store, client, dict(last), resumed=True, parallel=parallel)
                conn.execute(update(_RUNS).where(_RUNS.c.id == last["id"]).values(status="abandoned"))
                # Its tables are no longer empty, so no later run would build what it deferred.
                abandoned = Checkpoint.from_json(last["checkpoint"])
                merge_staged(conn, STAGED_TABLES, abandoned.staged)
                restore_indexes(conn, abandoned.deferred_indexes)
            previous = (
                conn.execute(
                    select(_RUNS.c.counts)
                    .where(_RUNS.c.status == "finished")
                    .order_by(_RUNS.c.id.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
            mode: Mode = "full" if full or previous is None else "incremental"
            now = datetime.now(UTC)
            counts = (previous["counts"] if previous is not None else None) or {}
            since = _watermarks(conn, counts, now) if mode == "incremental" else {}
        # The Hub's time now, read before this run lists anything: the next run's watermark.
        clock: dict[str, str | None] = {
            kind: _hub_clock(client, kind, now).isoformat() for kind in REPO_KINDS
        }
        with store.engine.begin() as conn:
            # A first crawl fills empty tables: their indexes are built once at the end instead,
            # and their rows wait in staging tables, to go in in key order at the end too.
            deferred = defer_indexes(conn, _LOADED) if mode == "full" else []
            staged = stage_tables(conn, STAGED_TABLES) if mode == "full" else []
            state = Checkpoint(
                since=since, clock=clock, deferred_indexes=tuple(deferred), staged=tuple(staged)
            )
            row: dict[str, Any] = {
                "started_at": now,
                "endpoint": source,
                "mode": mode,
                "status": "running",
                "checkpoint": state.to_json(),
            }
            row["id"] = conn.execute(insert(_RUNS).values(**row)).inserted_primary_key[0]  # type: ignore[index]
        return cls(store, client, row, resumed=False, parallel=parallel)

    # --- phases ---------------------------------------------------------------------------

    def crawl_reference(self) -> None:
        """Store tasks, libraries, apps and providers (small: re-read whole every run)."""
        if "reference" in self.state.done:
            return
        raw_tasks = self.client.get_json("tasks", missing_ok=True)
        raw_tags = self.client.get_json("models-tags-by-type", missing_ok=True)
        if self.recorder is not None:
            for name, payload in (("tasks", raw_tasks), ("models-tags-by-type", raw_tags)):
                if payload is not None:
                    self.recorder.write_json(name, payload)
        tasks, tags_by_type, bad = clean_reference(raw_tasks, raw_tags)
        libraries, library_tasks = library_rows(tasks, tags_by_type)
        providers, provider_tasks = provider_rows()
        rejects = [reject_row(self.id, entry.kind, entry.id, entry.raw, entry.reason) for entry in bad]
        with self.store.engine.begin() as conn:
            for table, rows in (
                ("tasks", task_rows(tasks, tags_by_type)),
                ("libraries", libraries),
                ("apps", app_rows()),
                ("providers", providers),
            ):
                upsert(conn, table, rows)
            # The link tables are replaced whole (a pair the Hub no longer lists goes), but only
            # from payloads the Hub gave: an endpoint that answers nothing empties nothing.
            replaced = [("provider_tasks", provider_tasks)]
            if tasks and tags_by_type:
                replaced.append(("library_tasks", library_tasks))
            for table, rows in replaced:
                conn.execute(_TABLES[table].delete())
                upsert(conn, table, rows)
            if rejects:
                conn.execute(insert(_TABLES["rejects"]), rejects)
            self.state = replace(
                self.state.phase_done("reference"), rejects=self.state.rejects + len(rejects)
            )
            self._save(conn)

    def crawl_listing(self, kind: RepoKind, progress: Progress | None) -> None:
        """Read the ``kind`` listing page by page from the checkpoint, committing each page."""
        if kind in self.state.done:
            return
        watermark = self.state.since.get(kind) if self.mode == "incremental" else None
        since = datetime.fromisoformat(watermark) if watermark else None
        start = self.state.next if self.state.listing == kind else None
        sort = "lastModified" if self.mode == "incremental" else None
        pages = self.client.list_pages(kind, start=start, sort=sort)
        # Pages are normalised here (or in the preparer's worker process) while earlier ones are
        # written and committed in order by another thread: SQLite works outside the GIL, so
        # fetching and writing overlap. When the writer falls behind, the pages waiting go in one
        # transaction (fewer commits, and the b-tree pages they share are written once).
        write = partial(self._commit_pages, kind, progress)
        try:
            with BackgroundWriter(write, threaded=self._threaded, depth=_GROUP, group=_GROUP) as writer:
                for page in pages:
                    records, stop = _newer(page.records, since)
                    recorded = page.records if self.recorder is not None else None
                    read = _Read(page.url, page.error, None if stop else page.next, recorded)
                    for ready in self._preparer.submit(kind, records, page.body, read):
                        writer.submit(ready)
                    if stop:
                        break  # the rest is older than the watermark: request no further page
                for ready in self._preparer.drain():
                    writer.submit(ready)
        finally:
            pages.close()
        with self.store.engine.begin() as conn:
            self.state = self.state.phase_done(kind)
            self._save(conn)
        if progress is not None:
            state = self.state
            progress(
                CrawlProgress(kind, state.pages.get(kind, 0), state.records.get(kind, 0), state.rejects, True)
            )

    def finish(self, *, allow_mass_delete: bool = False, progress: Progress | None = None) -> None:
        """Mark repos gone from the Hub (full runs) and close the run.

        A full listing that gave under half the repos the store holds is refused (a Hub that
        answers nothing is not a Hub that lost everything) unless ``allow_mass_delete``; a
        listing with skipped pages marks nothing deleted, since what they held is unknown.
        ``progress`` hears of each step as it begins (:data:`END_STEPS`, as the event's ``listing``):
        at the Hub's size the end of a first crawl takes minutes.
        """
        now = datetime.now(UTC)

        def step(name: str) -> None:
            if progress is not None:
                state = self.state
                pages, records = sum(state.pages.values()), sum(state.records.values())
                progress(CrawlProgress(name, pages, records, state.rejects))

        self._settle(step)
        with self.store.engine.begin() as conn:
            if self.mode == "full":
                self._mark_deleted(conn, now, allow_mass_delete)
                analyze(conn, _LOADED)  # a bulk load: statistics for the planner before the first query
            step(END_STEPS[2])
            refresh_faces(conn, self.id)  # the faces summary the map and face pages read
            # And the lineage's PageRank, which the notebook API reads (imported here: the graph
            # layer brings networkx, which a crawl needs nowhere else).
            from catalog.graph.influence import keep_influence

            step(END_STEPS[3])
            keep_influence(conn)
            counts = {
                "pages": self.state.pages,
                "records": self.state.records,
                "rejects": self.state.rejects,
                "deleted": self.deleted,
                "skipped": [s.url for s in self.state.skipped],
                "clock": self.state.clock,
            }
            conn.execute(
                update(_RUNS)
                .where(_RUNS.c.id == self.id)
                .values(status="finished", finished_at=now, counts=counts, checkpoint=None)
            )
        if self.mode == "full":
            vacuum(self.store.engine, "models")

    def fail(self, error: str) -> None:
        """Record that the run stopped; its checkpoint stays for the next run to resume from.

        Staged rows are merged and deferred indexes built now, so the stored pages can be queried
        as usual meanwhile; the run resumes writing straight into the tables.
        """
        self._settle(lambda step: None)
        with self.store.engine.begin() as conn:
            conn.execute(
                update(_RUNS)
                .where(_RUNS.c.id == self.id)
                .values(status="failed", error=error, checkpoint=self.state.to_json())
            )

    def _settle(self, step: Callable[[str], None]) -> None:
        """Merge the staged tables, then build the deferred indexes, telling ``step`` as each begins.

        A table merged or an index built a transaction, each struck off the checkpoint as it
        commits: at the Hub's size one transaction for them all held the whole database in
        SQLite's write-ahead log (11 GB at 2M models) and read it back from there. Committed one
        by one, the log is checkpointed between them; a run stopped meanwhile resumes with the rest.
        """
        if self.state.staged:
            step(END_STEPS[0])
        for name in self.state.staged:  # each listing's repos before their children (bulk.merge_staged)
            with self.store.engine.begin() as conn:
                merge_staged(conn, STAGED_TABLES, [name])
                self.state = replace(self.state, staged=self.state.staged[1:])
                self._save(conn)
        if self.state.deferred_indexes:
            step(END_STEPS[1])
        for name in self.state.deferred_indexes:
            with self.store.engine.begin() as conn:
                restore_indexes(conn, [name])
                self.state = replace(self.state, deferred_indexes=self.state.deferred_indexes[1:])
                self._save(conn)

    def _mark_deleted(self, conn: Connection, now: datetime, allow_mass_delete: bool) -> None:
        gone: dict[RepoKind, int] = {}
        for kind in REPO_KINDS:
            table = _TABLES[kind]
            alive = table.c.deleted_at.is_(None)
            held = conn.execute(select(func.count()).where(alive)).scalar_one()
            seen = conn.execute(
                select(func.count()).where(alive, table.c.last_seen >= self.started_at)
            ).scalar_one()
            if self.state.skipped_in(kind):
                continue  # repos on a skipped page were not seen: nothing is known gone
            if held and seen * 2 < held and not allow_mass_delete:
                raise HubError(
                    f"the full {kind} listing gave {seen:,} repos where the store holds {held:,}: refusing "
                    f"to mark {held - seen:,} deleted (over half); if they really went from the Hub, run "
                    "again with --allow-mass-delete (the run resumes at this step)"
                )
            gone[kind] = held - seen
        for kind in gone:
            table = _TABLES[kind]
            result = conn.execute(
                update(table)
                .where(table.c.deleted_at.is_(None), table.c.last_seen < self.started_at)
                .values(deleted_at=now)
            )
            self.deleted[kind] = result.rowcount

    # --- one page ---------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the worker process preparing pages, if one was started."""
        self._preparer.close()

    def _commit_pages(
        self, kind: RepoKind, progress: Progress | None, pages: list[tuple[_Read, PageRows]]
    ) -> None:
        """Write pages and the checkpoint after the last in one transaction (and record them first)."""
        recorded = None
        if self.recorder is not None:
            # Flushed before the commit: the checkpoint never counts a record the file lacks.
            for read, _ in pages:
                self.recorder.add_many(kind, read.recorded or ())
            self.recorder.flush()
            recorded = dict(self.recorder.counts)
        state, states = self.state, []
        with self.store.engine.begin() as conn:
            tune_connection(conn)
            for read, rows in pages:
                # A staged listing's rows are marked with the page's number (repeats: the last wins).
                staged = state.pages.get(kind, 0) + 1 if kind in state.staged else None
                self._write_page(conn, kind, rows, staged)
                skipped = SkippedPage(kind, read.url, read.error) if read.error else None
                state = state.page_done(
                    kind,
                    read.next_url,
                    records=len(rows.ids),
                    rejects=len(rows.rejects),
                    skipped=skipped,
                    recorded=recorded,
                )
                states.append(state)
            conn.execute(update(_RUNS).where(_RUNS.c.id == self.id).values(checkpoint=state.to_json()))
        # The counters move only once the pages are committed.
        self.state = state
        if progress is not None:
            for state in states:
                progress(CrawlProgress(kind, state.pages[kind], state.records[kind], state.rejects))

    def _write_page(self, conn: Connection, kind: RepoKind, rows: PageRows, staged: int | None) -> None:
        """Write one normalised page's rows within ``conn`` (to the staging tables as page ``staged``)."""
        # Only repos stored before can have child rows to replace; a first crawl deletes nothing.
        found = existing_ids(conn, kind, rows.ids) if rows.ids and staged is None else set()
        known = [id for id in rows.ids if id in found]
        if known:
            for table, column in CHILDREN[kind]:
                delete_children(conn, table, column, known)
        for batch in rows.batches:
            write_batch(conn, batch, page=staged)
        if rows.rejects:
            conn.execute(insert(_TABLES["rejects"]), rows.rejects)
            # A repo still listed, even if malformed now, has not gone from the Hub.
            listed = [r["record_id"] for r in rows.rejects if r["record_id"]]
            repos = _TABLES[kind]
            for chunk in chunks(listed, 900):
                conn.execute(update(repos).where(repos.c.id.in_(chunk)).values(last_seen=self.started_at))

    def _save(self, conn: Connection) -> None:
        conn.execute(update(_RUNS).where(_RUNS.c.id == self.id).values(checkpoint=self.state.to_json()))


def _watermarks(conn: Connection, counts: dict[str, Any], now: datetime) -> dict[str, str | None]:
    """Return each listing's watermark: the Hub's time when the previous run began, less a margin.

    Not the newest date stored: a model modified while a full crawl went on, after its page was
    read, is older than what later pages stored, and would never be read again. A run recorded
    before the Hub's time was kept falls back to the newest stored date that is not in the future.
    """
    clock = counts.get("clock") or {}
    since: dict[str, str | None] = {}
    for kind in REPO_KINDS:
        value = clock.get(kind)
        if isinstance(value, str):
            moment = datetime.fromisoformat(value)
        else:
            column = _TABLES[kind].c.last_modified
            newest = conn.execute(select(func.max(column)).where(column <= now + CLOCK_MARGIN)).scalar()
            if newest is None:
                since[kind] = None
                continue
            moment = as_utc(newest)
        since[kind] = (moment - CLOCK_MARGIN).isoformat()
    return since


def _hub_clock(client: HubClient, kind: RepoKind, now: datetime) -> datetime:
    """Return the Hub's time for ``kind``: its newest ``lastModified`` not in the future, else ``now``."""
    pages = client.list_pages(kind, expand=["lastModified"], sort="lastModified", limit=_CLOCK_PROBE)
    try:
        page = next(pages, None)
    finally:
        pages.close()
    newest = None
    for raw in page.records if page is not None else ():
        try:
            modified = parse_date(raw.get("lastModified"), "lastModified") if isinstance(raw, dict) else None
        except RecordError:
            continue
        if modified is not None and trusted_clock(modified, now) == modified:
            newest = modified if newest is None else max(newest, modified)
    return trusted_clock(newest, now)


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

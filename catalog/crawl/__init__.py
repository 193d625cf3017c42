"""Hub -> store: idempotent, resumable, incremental; bad records go to ``rejects``.

A run reads the reference payloads (tasks, tag taxonomy), then lists models, datasets and Spaces
page by page. Each page is normalised and committed in one transaction together with the run's
checkpoint (the listing and the relative URL of the next page), so a crawl killed at any point
resumes where it stopped and ends with the same database. The first run is full; later runs are
incremental (newest ``lastModified`` first, stopping at the Hub's time when the previous run
began, less a margin) unless ``full=True``. A full run marks repos that have gone from the Hub
with ``deleted_at``, unless the listing gave under half of what the store holds. One crawl at a
time per database (:mod:`catalog.crawl.lock`); a run that stops for any reason is recorded as
failed with its error.

Speed: records stay raw JSON until the normaliser (no ``ModelInfo``); a page is normalised and
batched in the calling thread, or once the run is long in a worker process
(:mod:`catalog.crawl.prepare`), while earlier ones are written by another thread (SQLite works
outside the GIL, which that thread gets back promptly under :func:`tuned_interpreter`, which the CLI turns on),
and the pages that waited for a writer that fell behind go in one transaction (up to 8); on SQLite
rows go to the driver as tuples, many to a statement, on PostgreSQL by ``COPY``
(:mod:`catalog.bulk`); a first crawl builds the listing tables' secondary indexes (and the trigram
index of model ids) once at the end rather than row by row, on both backends.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError

from catalog.crawl.lock import crawl_lock
from catalog.crawl.run import END_STEPS, CrawlProgress, Mode, Progress, Run
from catalog.crawl.tuning import tuned_interpreter
from catalog.errors import StoreError, one_line
from catalog.hub.client import HubClient, mask_url
from catalog.hub.snapshot import REPO_KINDS, Snapshot, SnapshotWriter
from catalog.schema import Base
from catalog.store import Store

__all__ = [
    "END_STEPS",
    "CrawlProgress",
    "CrawlSummary",
    "crawl",
    "crawl_snapshot",
    "replay_source",
    "tuned_interpreter",
]


@dataclass(frozen=True, slots=True)
class CrawlSummary:
    """What a crawl run did: its mode, pages and records per listing, rejects, deletions, table sizes.

    ``skipped`` holds the URLs of listing pages that could not be read and were skipped.
    """

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
    skipped: list[str] = field(default_factory=list)

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
    allow_mass_delete: bool = False,
    parallel: bool | None = None,
) -> CrawlSummary:
    """Crawl the Hub behind ``client`` into ``store`` and return what the run did.

    Resumes the last unfinished run from its checkpoint if there is one from the same ``source``
    (recorded as the run's endpoint; default: the client's endpoint, credentials masked). With
    ``record``, every raw response read is also written to a snapshot folder there; a resumed run
    resumes its recording, which then equals an uninterrupted one. ``progress`` is called after
    each committed page (from the thread that writes pages), at the end of each listing, and as
    each step of the run's end begins (its ``listing`` is then one of :data:`END_STEPS`).
    ``allow_mass_delete`` lets a full run mark over half the stored repos deleted. Pages are
    normalised in a worker process once the run is long (:mod:`catalog.crawl.prepare`; ``parallel``
    True from the first page, False never).

    Raises :class:`~catalog.errors.HubError` when the Hub cannot be read after retries (or a full
    listing would delete over half the store), and :class:`~catalog.errors.StoreError` when the
    database fails or another crawl holds it: the pages committed so far stay, the run is recorded
    as failed with its error, and the next run resumes.
    """
    started = time.perf_counter()
    source = source or client.display_endpoint
    try:
        with crawl_lock(store):
            run = Run.start(store, client, source, full=full, parallel=parallel)
            try:
                with _recording(run, record, client.display_endpoint):
                    run.crawl_reference()
                    for kind in REPO_KINDS:
                        run.crawl_listing(kind, progress)
                    run.close()
                    run.finish(allow_mass_delete=allow_mass_delete, progress=progress)
            except BaseException as exc:
                run.close()
                _record_failure(run, exc)
                raise
    except Exception as exc:
        # bulk.py writes to the driver directly: its own errors come unwrapped by SQLAlchemy.
        if not isinstance(exc, DBAPIError | store.engine.dialect.loaded_dbapi.Error):
            raise
        raise StoreError(
            f"database {store.display_url} failed during the crawl ({mask_url(one_line(exc))}): "
            "committed pages are kept; fix the database, then run again to resume"
        ) from exc
    seconds = time.perf_counter() - started
    state = run.state
    return CrawlSummary(
        run.id,
        run.mode,
        source,
        run.resumed,
        dict(state.pages),
        dict(state.records),
        state.rejects,
        run.deleted,
        seconds,
        {t: store.count(t) for t in Base.metadata.tables},
        [s.url for s in state.skipped],
    )


def crawl_snapshot(
    store: Store,
    snapshot_dir: str | os.PathLike[str] | Snapshot,
    *,
    full: bool = False,
    record: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    allow_mass_delete: bool = False,
    parallel: bool | None = None,
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
            record=record,
            progress=progress,
            source=replay_source(snapshot),
            allow_mass_delete=allow_mass_delete,
            parallel=parallel,
        )


def replay_source(snapshot: Snapshot) -> str:
    """Return what a replay of ``snapshot`` records as its run's endpoint: ``replay:<absolute folder>``."""
    return f"replay:{snapshot.path.resolve()}"


def _record_failure(run: Run, exc: BaseException) -> None:
    """Mark ``run`` failed with ``exc`` as its error; a database too broken to say so is left as is."""
    error = "interrupted (Ctrl-C)" if isinstance(exc, KeyboardInterrupt) else one_line(exc)
    # The original error is the one to raise; the next run resumes either way.
    with suppress(Exception):
        run.fail(mask_url(error))


_RECORD_NOTE = {
    "full": "recorded by `catalog crawl --record` (a full run: every listing whole)",
    "incremental": "recorded by `catalog crawl --record` (an incremental run: only what changed since the last "
    "run; replaying it with --full would mark everything else deleted)",
}


@contextmanager
def _recording(run: Run, record: str | os.PathLike[str] | None, endpoint: str) -> Iterator[None]:
    """Record what ``run`` reads into a snapshot at ``record``, resuming a resumed run's recording."""
    if record is None:
        yield
        return
    recorded = run.state.recorded if run.resumed else {}
    note = _RECORD_NOTE[run.mode]
    if run.resumed and not recorded and (run.state.done or run.state.pages):
        note += " (a resumed run whose first part was not recorded: only what it read after)"
    writer = SnapshotWriter(record, endpoint=endpoint, resume=bool(recorded), keep=recorded)
    run.recorder = writer
    try:
        yield
    except BaseException as exc:
        writer.__exit__(type(exc), exc, exc.__traceback__)  # leaves the recording unfinished: no manifest
        raise
    else:
        writer.close({"note": note})
    finally:
        run.recorder = None

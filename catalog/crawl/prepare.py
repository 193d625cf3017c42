"""A listing page's records -> rows ready to write, in the crawl's process or in a second one.

Normalising and batching a page is the crawl's largest piece of Python work (on Hub-shaped
records, half the crawl's CPU), and it holds the GIL that the thread fetching pages and the
thread writing them need too. On a machine with two cores or more, a long listing is therefore
prepared by one worker process (:class:`Preparer`): the crawl's process fetches, decodes and
writes, the worker normalises. The worker is started once a run has prepared
:data:`PARALLEL_AFTER` records in its own process (a short crawl never waits for it to start,
about a second), and pages are prepared inline until it answers. It gets each page's body as
the Hub sent it and decodes it itself (bytes cross between processes at no cost; decoded
records would be pickled), and gives back the batches, whose tuples pickle quickly. Pages come
out in the order they went in; the same page gives the same rows either way.
"""

from __future__ import annotations

import gc
import os
import pickle
import queue
import select
import signal
import subprocess
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from catalog.bulk import Batch, make_batch
from catalog.errors import CatalogError, RecordError
from catalog.hub import rawjson
from catalog.hub.snapshot import RepoKind
from catalog.normalize import KEY_BYTES, Normalized, normalize_dataset, normalize_model, normalize_space
from catalog.records import SINGULAR

__all__ = ["CHILDREN", "PARALLEL_AFTER", "PageRows", "Preparer", "prepare_page", "reject_row", "serve"]

T = TypeVar("T")

#: Records a run prepares in its own process before it starts the worker.
PARALLEL_AFTER = 20_000
#: Pages handed to the worker and not yet taken back, at most (memory stays flat).
_AHEAD = 4
#: Seconds the worker may take to start when it is asked for from the first page.
_START = 60.0

_NORMALIZE: dict[RepoKind, Callable[[Any], Normalized]] = {
    "models": normalize_model,
    "datasets": normalize_dataset,
    "spaces": normalize_space,
}
#: Child tables of each listing, with the column naming the parent: deleted and re-inserted per page.
CHILDREN: dict[RepoKind, tuple[tuple[str, str], ...]] = {
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


@dataclass(frozen=True, slots=True)
class PageRows:
    """A normalised page: the ids stored, their rows batched per table, and the rejects."""

    ids: list[str]
    batches: list[Batch]
    rejects: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class _Context:
    """What preparing a page needs besides its records (the same for every page of a run)."""

    dialect: str
    run_id: int
    seen_at: datetime

    def prepare(self, kind: RepoKind, records: list[Any]) -> PageRows:
        """:func:`prepare_page` in this context."""
        return prepare_page(kind, records, dialect=self.dialect, run_id=self.run_id, seen_at=self.seen_at)


def prepare_page(
    kind: RepoKind, records: list[Any], *, dialect: str, run_id: int, seen_at: datetime
) -> PageRows:
    """Normalise a page's records into batches ready to write; a malformed one becomes a reject.

    Only :class:`~catalog.errors.RecordError` is a reject: anything else the normaliser raises is
    a bug in it, and stops the run. The same repo twice in a page: the last wins.
    """
    normalize = _NORMALIZE[kind]
    good: dict[str, Normalized] = {}
    rejects: list[dict[str, Any]] = []
    for raw in records:
        try:
            item = normalize(raw)
        except RecordError as exc:
            record_id = raw.get("id") if isinstance(raw, dict) else None
            rejects.append(reject_row(run_id, SINGULAR[kind], record_id, raw, str(exc)))
            continue
        good[item.id] = item
    items = sorted(good.values(), key=_by_id)  # b-trees fill faster in key order
    seen = {"first_seen": seen_at, "last_seen": seen_at, "deleted_at": None}
    batches = [make_batch(dialect, kind, [item.row for item in items], shared=seen, keep=("first_seen",))]
    batches += [
        make_batch(dialect, table, [row for item in items for row in item.children[table]], update=False)
        for table, _ in CHILDREN[kind]
    ]
    if kind == "models":
        history = [item.history for item in items if item.history is not None]
        batches.append(make_batch(dialect, "model_history", history, shared={"run_id": run_id}))
    return PageRows([item.id for item in items], batches, rejects)


def reject_row(run_id: int, kind: str, record_id: Any, raw: Any, reason: str) -> dict[str, Any]:
    """Return a ``rejects`` row; every value in it is storable, whatever the record held."""
    return {
        "run_id": run_id,
        "kind": kind,
        "record_id": _storable_text(record_id)[:KEY_BYTES] if isinstance(record_id, str) else None,
        "raw": _raw_text(raw),
        "reason": _storable_text(reason),
    }


class Preparer(Generic[T]):
    """Prepare a run's pages in order: inline, or in a worker process once the run is long.

    ``submit`` takes a page's records (already decoded, and cut where an incremental listing
    stops), the body they were decoded from, and a ``tag`` that comes back with the page's rows;
    it returns the pages now ready, oldest first. ``drain`` returns the rest. ``parallel`` forces
    the worker on (from the first page) or off; ``None`` starts it after :data:`PARALLEL_AFTER`
    records when the machine has a second core (on POSIX systems only). An error the worker raised is raised by the call
    that takes its page back; ``timeout`` bounds the wait for one page.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> preparer = Preparer(dialect="sqlite", run_id=1, seen_at=datetime(2026, 12, 1, tzinfo=UTC), parallel=False)
    >>> body = b'[{"id": "b/two"}, {"id": "a/one"}, {"id": 7}]'
    >>> [(tag, rows.ids, len(rows.rejects)) for tag, rows in preparer.submit("models", rawjson.loads(body), body, "p1")]
    [('p1', ['a/one', 'b/two'], 1)]
    >>> preparer.close()
    """

    def __init__(
        self,
        *,
        dialect: str,
        run_id: int,
        seen_at: datetime,
        parallel: bool | None = None,
        after: int = PARALLEL_AFTER,
        timeout: float = 600.0,
    ) -> None:
        self._context = _Context(dialect, run_id, seen_at)
        # select() on a pipe, which the wait for an answer needs, is POSIX's only.
        self._allowed = os.name == "posix" and (
            parallel if parallel is not None else (os.cpu_count() or 1) > 1
        )
        self._after = 0 if parallel else after
        self._timeout = timeout
        self._inline = 0
        self._worker: _Worker | None = None
        self._queue: deque[tuple[T, PageRows | None]] = deque()

    @property
    def parallel(self) -> bool:
        """Whether pages now go to the worker process (started, and answering)."""
        return self._worker is not None and self._worker.started(wait=self._after == 0)

    def submit(self, kind: RepoKind, records: list[Any], body: bytes, tag: T) -> list[tuple[T, PageRows]]:
        """Queue one page; return the pages ready now, in the order they were submitted."""
        if self._worker is None and self._allowed and self._inline >= self._after:
            self._worker = _Worker(self._context, self._timeout)
        if self.parallel:
            assert self._worker is not None
            self._worker.send(kind, body, len(records))
            self._queue.append((tag, None))  # its rows come from the worker, in turn
        else:
            rows = self._context.prepare(kind, records)
            self._inline += len(records)
            self._queue.append((tag, rows))
        return list(self._take(_AHEAD))

    def drain(self) -> list[tuple[T, PageRows]]:
        """Return every page still queued, waiting for the worker as needed."""
        return list(self._take(0))

    def close(self) -> None:
        """Stop the worker, dropping pages not taken back (nothing is written from here)."""
        self._queue.clear()
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def _take(self, leave: int) -> Iterator[tuple[T, PageRows]]:
        """Yield queued pages in order: those prepared inline, the worker's while over ``leave`` are queued."""
        while self._queue:
            tag, rows = self._queue[0]
            if rows is None:
                if len(self._queue) <= leave or self._worker is None:
                    return
                rows = self._worker.receive()
            self._queue.popleft()
            yield tag, rows


class _Worker:
    """A ``python`` child process preparing the pages sent to it, answering in order (:func:`serve`).

    Started with ``-c`` rather than by :mod:`multiprocessing`, whose ``spawn`` runs the parent's
    main script again in the child: a user's script without a ``__main__`` guard would start a
    second crawl there. Requests and answers are pickles, each after its length; the child reads
    requests in a thread of its own, so that neither side waits on a full pipe while the other
    does too. Its first answer says it has started (imports take about a second); the child ends
    when its stdin closes (the crawl ended, or died).
    """

    def __init__(self, context: _Context, timeout: float) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self._timeout = timeout
        self._started = False
        self._process = subprocess.Popen(
            [sys.executable, "-c", "from catalog.crawl.prepare import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            bufsize=0,  # unbuffered: an answer read ahead into a buffer would hide from select()
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._to, self._from = self._process.stdin, self._process.stdout
        self._write(context)

    def started(self, *, wait: bool) -> bool:
        """Whether the worker has said it started; with ``wait``, wait for it (:data:`_START` s at most)."""
        if not self._started:
            self._started = self._answer(_START if wait else 0.0) is None
            if wait and not self._started:
                raise CatalogError(f"the worker process preparing pages did not start within {_START:g} s")
        return self._started

    def send(self, kind: RepoKind, body: bytes, count: int) -> None:
        """Hand the worker one page."""
        self._write((kind, body, count))

    def receive(self) -> PageRows:
        """Return the oldest page's rows, or raise what preparing it raised."""
        rows = self._answer(self._timeout)
        if not isinstance(rows, PageRows):
            raise CatalogError(
                f"the worker process preparing pages gave no page in {self._timeout:g} s: stopped; "
                "committed pages are kept, run again to resume"
            )
        return rows

    def _answer(self, timeout: float) -> PageRows | bool | None:
        """Read the next answer within ``timeout``: rows, None (started), or False if none came."""
        ready, _, _ = select.select([self._from], [], [], timeout)
        if not ready:
            return False
        ok, value = pickle.loads(self._read())
        if not ok:
            raise value
        answer: PageRows | None = value
        return answer

    def close(self) -> None:
        """Close its stdin (it ends there), and wait for it, a few seconds at most."""
        with suppress(OSError):
            self._to.close()
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._from.close()

    def _write(self, value: Any) -> None:
        view = memoryview(_frame(value))
        try:
            while view:
                view = view[self._to.write(view) or 0 :]
        except OSError as exc:
            raise self._gone() from exc

    def _read(self) -> bytes:
        size = int.from_bytes(self._read_exactly(8), "little")
        return self._read_exactly(size)

    def _read_exactly(self, size: int) -> bytes:
        parts, left = [], size
        while left:
            part = self._from.read(left)
            if not part:
                raise self._gone()
            parts.append(part)
            left -= len(part)
        return b"".join(parts)

    def _gone(self) -> CatalogError:
        try:
            code = self._process.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        return CatalogError(
            f"the worker process preparing pages stopped (exit status {code}): committed pages are "
            "kept; run again to resume"
        )


def serve() -> None:
    """The worker's loop: read the run's context, then prepare each page sent until stdin closes.

    What preparing a page raised is sent back, for the crawl to raise.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's to handle
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)  # as catalog.crawl.tuned_interpreter, for the same reason
    # The thread reading requests takes a page's body 64 KiB (a pipe's worth) at a time, each
    # needing the GIL from the normaliser: at the default 5 ms a turn, the crawl waited ~0.1 s a page.
    sys.setswitchinterval(0.0005)
    channel_in, channel_out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed may go into the answers
    requests: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def read() -> None:
        try:
            while len(head := channel_in.read(8)) == 8:
                requests.put(pickle.loads(channel_in.read(int.from_bytes(head, "little"))))
        finally:  # stdin closed, or cut short inside a request (the crawl died writing it): the end
            requests.put(None)

    threading.Thread(target=read, name="catalog-requests", daemon=True).start()
    context = requests.get()
    _send(channel_out, _frame((True, None)))  # started
    while context is not None and (request := requests.get()) is not None:
        kind, body, count = request
        try:
            data = _frame((True, _prepare_body(kind, body, count, context)))
        except Exception as exc:
            try:
                data = _frame((False, exc))
            except Exception:  # an exception that does not pickle: its traceback as text
                data = _frame((False, RuntimeError(traceback.format_exc())))
        if not _send(channel_out, data):
            return  # the crawl has gone


def _frame(value: Any) -> bytes:
    """Return ``value`` pickled, after its length: one request or answer on the pipe."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(8, "little") + data


def _send(channel: Any, frame: bytes) -> bool:
    """Write one answer; False if the crawl's end of the pipe is closed."""
    try:
        channel.write(frame)
        channel.flush()
    except BrokenPipeError:
        return False
    return True


def _prepare_body(kind: RepoKind, body: bytes, count: int, context: _Context) -> PageRows:
    """Decode a page's body and prepare its first ``count`` records."""
    return context.prepare(kind, rawjson.loads(body)[:count])


def _by_id(item: Normalized) -> str:
    return item.id


def _raw_text(raw: Any) -> str:
    """Return a rejected record's JSON text; one too deep for any writer is said to be so."""
    try:
        return rawjson.dumps(raw).decode()
    except ValueError:
        return '"(nested too deep to write as JSON text)"'


def _storable_text(text: str) -> str:
    """Return ``text`` with what no database column takes (NUL, lone surrogates) escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")

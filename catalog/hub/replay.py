"""A fake Hub: serve a snapshot over HTTP on 127.0.0.1, in the Hub's format, with injectable faults.

The real ``huggingface_hub`` client talks to it as to huggingface.co (``HfApi(endpoint=server.url)``
or ``HF_ENDPOINT``). It answers (see ``catalog.hub.handler`` for each route):

- ``GET /api/{models,datasets,spaces}``: a JSON array per page, ``Link: <...>; rel="next"`` with a
  keyset ``cursor`` as the Hub's (``catalog.hub.listing``); ``expand`` or ``expand[]`` (validated
  against the client's lists), ``full``, ``sort``, ``direction``, ``limit`` (a page holds at most
  ``page_size``) and the filters of ``catalog.hub.filters`` (``filter``, ``author``, ``search``,
  ``apps``, ...). Other parameters answer 400 naming them, never a silently wrong listing.
- ``GET /api/{models,datasets,spaces}/{id}[/revision/{rev}]``: one record; 404 with
  ``X-Error-Code: RepoNotFound`` (or ``RevisionNotFound``); a renamed repo (the snapshot's
  ``aliases.json``) answers 307 to its new name, as the Hub does.
- the file endpoints (``/api/models/{id}/tree/...``, ``/{id}/resolve/...``): 404 with
  ``X-Error-Code: EntryNotFound`` for a repo the snapshot holds (it holds records, not files).
- ``GET /api/{name}``: the snapshot's ``{name}.json`` (``tasks``, ``models-tags-by-type``).

``Fault`` rules make chosen requests answer 429 (with ``RateLimit`` and ``Retry-After``), a 5xx,
drop the connection, cut the body short, hang, or slip a malformed record into a page; ``before``
runs an action (a test's change to the served snapshot, with ``replace``) just before a chosen
request is answered. Every request is logged in ``server.requests``.
"""

from __future__ import annotations

import fnmatch
import os
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from catalog.errors import ConfigError, SnapshotError
from catalog.hub.collection import RecordCollection
from catalog.hub.faults import Fault, FaultPlan, Request
from catalog.hub.filters import AppsOf
from catalog.hub.handler import EXPANDABLE, Handler
from catalog.hub.listing import Listings
from catalog.hub.snapshot import REPO_KINDS, Snapshot

__all__ = ["EXPANDABLE", "ReplayServer", "Served"]

#: Connections the kernel queues while every handler thread is busy (the stdlib default is 5).
BACKLOG = 1024


@dataclass
class Served:
    """What the server answers from: one snapshot, its indexed records, listings and aliases."""

    snapshot: Snapshot
    collections: dict[str, RecordCollection]
    listings: dict[str, Listings]
    aliases: dict[str, dict[str, str]]
    payloads: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, snapshot: Snapshot, apps: AppsOf | None) -> Served:
        """Index every kind of ``snapshot``'s records (closing what was opened if one fails)."""
        aliases = _aliases(snapshot)
        collections: dict[str, RecordCollection] = {}
        try:
            for kind in REPO_KINDS:
                collections[kind] = RecordCollection(snapshot, kind)
        except BaseException:
            for collection in collections.values():
                collection.close()
            raise
        listings = {kind: Listings(c, apps if kind == "models" else None) for kind, c in collections.items()}
        return cls(snapshot, collections, listings, aliases)

    def payload(self, name: str) -> Any | None:
        """Return the snapshot's ``<name>.json`` payload, read once (aliases are not a payload)."""
        if name == "aliases":
            return None
        if name not in self.payloads:
            self.payloads[name] = self.snapshot.read_json(name)
        return self.payloads[name]

    def close(self) -> None:
        """Close the files the records are read from."""
        for collection in self.collections.values():
            collection.close()


class ReplayServer:
    """Serve a snapshot as the Hub's HTTP API on 127.0.0.1, in a background thread.

    ``apps`` tells which local apps run a raw model record (the ``apps`` filter); without it,
    that filter answers 400.

    Examples
    --------
    >>> import tempfile
    >>> from huggingface_hub import HfApi
    >>> from catalog.hub.snapshot import write_snapshot
    >>> snap = write_snapshot(tempfile.mkdtemp(), models=[{"id": f"org/m{i}", "likes": i} for i in range(5)])
    >>> with ReplayServer(snap, page_size=2) as server:
    ...     api = HfApi(endpoint=server.url, token=False)
    ...     [m.id for m in api.list_models(sort="likes", expand=["likes"])]
    ['org/m4', 'org/m3', 'org/m2', 'org/m1', 'org/m0']
    >>> [r.target.split("?")[0] for r in server.requests]
    ['/api/models', '/api/models', '/api/models']
    """

    def __init__(
        self,
        snapshot: Snapshot | str | os.PathLike[str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        page_size: int = 1000,
        faults: Iterable[Fault] = (),
        apps: AppsOf | None = None,
    ) -> None:
        if page_size < 1:
            raise ConfigError(f"page_size must be at least 1, got {page_size}")
        self.page_size = page_size
        self.apps = apps
        self.served = Served.open(_snapshot(snapshot), apps)
        self._retired: list[Served] = []
        self.faults = FaultPlan(faults)
        self._requests: list[Request] = []
        self._lock = threading.Condition()
        self._release = threading.Event()
        self._hooks: list[_Hook] = []
        try:
            self._httpd = _HTTPServer((host, port), Handler)
        except OSError as exc:
            self.served.close()
            raise ConfigError(
                f"cannot listen on {host}:{port} ({exc.strerror}): choose another port"
            ) from None
        self._httpd.replay = self
        self._thread: threading.Thread | None = None

    @property
    def snapshot(self) -> Snapshot:
        """The snapshot being served."""
        return self.served.snapshot

    @property
    def url(self) -> str:
        """The endpoint to give the client: ``http://127.0.0.1:<port>``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ReplayServer:
        """Start answering in a daemon thread; return the server."""
        if self._thread is None:
            # A short poll interval makes stop() quick; idle, it costs ten wake-ups a second.
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, args=(0.1,), name="replay-server", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering, let hanging requests go, and close the snapshot files."""
        self._release.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()
        for served in [*self._retired, self.served]:
            served.close()
        self._retired.clear()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def replace(self, snapshot: Snapshot | str | os.PathLike[str]) -> None:
        """Serve ``snapshot`` from now on, as a Hub whose repos changed (cursors handed out stay valid).

        Requests already being answered finish on the old snapshot, whose files close on ``stop``.
        """
        served = Served.open(_snapshot(snapshot), self.apps)
        with self._lock:
            self._retired.append(self.served)
            self.served = served

    def before(self, path: str, action: Callable[[], None], *, after: int = 0) -> None:
        """Run ``action`` once, just before answering request number ``after + 1`` whose path matches ``path`` (a glob)."""
        with self._lock:
            self._hooks.append(_Hook(path, after, action))

    def add_fault(self, fault: Fault) -> None:
        """Add a fault rule; it counts matching requests from now on.

        A new ``hang`` rule holds requests again even after an earlier ``release``.
        """
        if fault.kind == "hang":
            self._release.clear()
        self.faults.add(fault)

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.faults.clear()

    def release(self) -> None:
        """Let requests held by ``hang`` faults go, now and until a new one is added (they get no answer)."""
        self._release.set()

    def hold(self) -> None:
        """Block the calling handler thread until ``release`` (or 300 s, or ``stop``)."""
        self._release.wait(300)

    @property
    def requests(self) -> list[Request]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def wait_for(self, condition: Callable[[list[Request]], bool], timeout: float = 30.0) -> bool:
        """Block until ``condition(requests)`` holds (True) or ``timeout`` seconds pass (False)."""
        with self._lock:
            return self._lock.wait_for(lambda: condition(self._requests), timeout)

    def log(self, request: Request) -> None:
        """Add ``request`` to the log."""
        with self._lock:
            self._requests.append(request)
            self._lock.notify_all()

    def run_hooks(self, path: str) -> None:
        """Count a request for ``path`` against every ``before`` action; run those whose turn it is."""
        with self._lock:
            due = [hook for hook in self._hooks if hook.count(path)]
        for hook in due:
            hook.action()


@dataclass
class _Hook:
    path: str
    after: int
    action: Callable[[], None]
    seen: int = 0

    def count(self, path: str) -> bool:
        if not fnmatch.fnmatchcase(path, self.path):
            return False
        self.seen += 1
        return self.seen == self.after + 1


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = BACKLOG
    replay: ReplayServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing of a client that went away mid-answer; print a traceback for anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


def _snapshot(snapshot: Snapshot | str | os.PathLike[str]) -> Snapshot:
    return snapshot if isinstance(snapshot, Snapshot) else Snapshot.open(Path(snapshot))


def _aliases(snapshot: Snapshot) -> dict[str, dict[str, str]]:
    """Read the snapshot's renamed repos: ``aliases.json`` is ``{"models": {"old/id": "new/id"}, ...}``."""
    raw = snapshot.read_json("aliases")
    if raw is None:
        return {kind: {} for kind in REPO_KINDS}
    if not (
        isinstance(raw, dict)
        and set(raw) == set(REPO_KINDS)
        and all(
            isinstance(table, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in table.items())
            for table in raw.values()
        )
    ):
        raise SnapshotError(
            f"{snapshot.path / 'aliases.json'} must be "
            '{"models": {"old/id": "new/id"}, "datasets": {}, "spaces": {}}: fix or remove it'
        )
    return {kind: dict(raw[kind]) for kind in REPO_KINDS}

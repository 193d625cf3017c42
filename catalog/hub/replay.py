"""A fake Hub: serve a snapshot over HTTP on 127.0.0.1, in the Hub's format, with injectable faults.

The real ``huggingface_hub`` client talks to it as to huggingface.co (``HfApi(endpoint=server.url)``
or ``HF_ENDPOINT``). It answers:

- ``GET /api/{models,datasets,spaces}``: a JSON array per page, ``Link: <...>; rel="next"`` with an
  opaque ``cursor``; ``expand`` (validated against the client's lists), ``full``, ``sort``,
  ``direction``, ``limit`` (a page holds at most ``page_size``) and the filters ``filter``,
  ``author``, ``search``, ``pipeline_tag``, ``gated``, ``inference_provider``, ``num_parameters``,
  and for Spaces ``models``, ``datasets``, ``linked``. Other parameters answer 400, never a silently
  wrong listing.
- ``GET /api/{models,datasets,spaces}/{id}[/revision/{rev}]``: one record (models give
  ``inferenceProviderMapping`` in the dict form, as the Hub's ``model_info`` does); 404 with
  ``X-Error-Code: RepoNotFound`` (or ``RevisionNotFound``).
- ``GET /api/{name}``: the snapshot's ``{name}.json`` (``tasks``, ``models-tags-by-type``, with
  ``?type=``).

``Fault`` rules make chosen requests answer 429 (with ``RateLimit`` and ``Retry-After``), a 5xx,
drop the connection, cut the body short, hang, or slip a malformed record into a page. Every request
is logged in ``server.requests``.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, get_args
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import orjson
from huggingface_hub import hf_api

from catalog.errors import ConfigError, SnapshotError
from catalog.hub.collection import SORT_FIELDS, RecordCollection
from catalog.hub.faults import Fault, FaultPlan, Request, fault_answer
from catalog.hub.filters import FilterError, listing_predicate
from catalog.hub.snapshot import REPO_KINDS, RepoKind, Snapshot

__all__ = ["EXPANDABLE", "ReplayServer"]

EXPANDABLE: dict[str, frozenset[str]] = {
    "models": frozenset(get_args(hf_api.ExpandModelProperty_T)),
    "datasets": frozenset(get_args(hf_api.ExpandDatasetProperty_T)),
    "spaces": frozenset(get_args(hf_api.ExpandSpaceProperty_T)),
}
#: What the Hub lists when asked for no ``expand`` and no ``full``.
DEFAULT_FIELDS: dict[str, frozenset[str]] = {
    "models": frozenset(
        {
            "_id",
            "id",
            "modelId",
            "likes",
            "trendingScore",
            "private",
            "downloads",
            "tags",
            "pipeline_tag",
            "library_name",
            "createdAt",
        }
    ),
    "datasets": frozenset(
        {
            "_id",
            "id",
            "author",
            "disabled",
            "gated",
            "lastModified",
            "likes",
            "trendingScore",
            "private",
            "sha",
            "description",
            "downloads",
            "tags",
            "createdAt",
        }
    ),
    "spaces": frozenset(
        {
            "_id",
            "id",
            "author",
            "lastModified",
            "likes",
            "trendingScore",
            "private",
            "sdk",
            "tags",
            "createdAt",
        }
    ),
}
_ALWAYS = frozenset({"_id", "id"})
#: Expand values the Hub accepts for one repo but refuses in a listing (huggingface_hub PR #3182).
_INFO_ONLY = frozenset({"baseModels", "childrenModelCount", "usedStorage"})
_PAGING_PARAMS = {"limit", "cursor", "expand", "full", "sort", "direction", "config", "cardData"}


class ReplayServer:
    """Serve a snapshot as the Hub's HTTP API on 127.0.0.1, in a background thread.

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
    ) -> None:
        self.snapshot = snapshot if isinstance(snapshot, Snapshot) else Snapshot.open(Path(snapshot))
        if page_size < 1:
            raise SnapshotError(f"page_size must be at least 1, got {page_size}")
        self.page_size = page_size
        self.collections: dict[str, RecordCollection] = {}
        try:
            for kind in REPO_KINDS:
                self.collections[kind] = RecordCollection(self.snapshot, kind)
        except BaseException:
            self._close_collections()
            raise
        self.faults = FaultPlan(faults)
        self._requests: list[Request] = []
        self._lock = threading.Condition()
        self._release = threading.Event()
        self._payloads: dict[str, Any] = {}
        try:
            self._httpd = _HTTPServer((host, port), _Handler)
        except OSError as exc:
            self._close_collections()
            raise ConfigError(
                f"cannot listen on {host}:{port} ({exc.strerror}): choose another port"
            ) from None
        self._httpd.replay = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The endpoint to give the client: ``http://127.0.0.1:<port>``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

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
        self._close_collections()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

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

    @property
    def requests(self) -> list[Request]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def wait_for(self, condition: Callable[[list[Request]], bool], timeout: float = 30.0) -> bool:
        """Block until ``condition(requests)`` holds (True) or ``timeout`` seconds pass (False)."""
        with self._lock:
            return self._lock.wait_for(lambda: condition(self._requests), timeout)

    def payload(self, name: str) -> Any | None:
        """Return the snapshot's ``<name>.json`` payload, read once."""
        if name not in self._payloads:
            self._payloads[name] = self.snapshot.read_json(name)
        return self._payloads[name]

    def _log(self, request: Request) -> None:
        with self._lock:
            self._requests.append(request)
            self._lock.notify_all()

    def _close_collections(self) -> None:
        for collection in self.collections.values():
            collection.close()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    replay: ReplayServer


class _HubError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    # Idle keep-alive connections are closed after this many seconds.
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        """Keep quiet: requests are logged in ``ReplayServer.requests``."""

    def do_GET(self) -> None:
        replay = self.server.replay
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        fault = replay.faults.take(path)
        if fault is not None and fault.kind != "malformed":
            self._fail(fault)
            return
        try:
            status, body, headers = self._route(path, parse_qs(parts.query, keep_blank_values=True), fault)
        except _HubError as exc:
            status, body = exc.status, orjson.dumps({"error": exc.message})
            headers = {"X-Error-Message": exc.message} | ({"X-Error-Code": exc.code} if exc.code else {})
        except Exception as exc:
            message = f"replay server error: {type(exc).__name__}: {exc}"
            status, body, headers = 500, orjson.dumps({"error": message}), {"X-Error-Message": message[:200]}
        # Logged before answering, so that a client that has its answer finds it in the log.
        replay._log(Request("GET", self.path, status, fault.kind if fault else None))
        self._send(status, body, headers)

    def _route(
        self, path: str, params: dict[str, list[str]], fault: Fault | None
    ) -> tuple[int, bytes, dict[str, str]]:
        segments = path.strip("/").split("/")
        if len(segments) < 2 or segments[0] != "api":
            raise _HubError(404, "Not Found")
        if segments[1] in REPO_KINDS:
            kind: RepoKind = segments[1]  # type: ignore[assignment]
            if len(segments) == 2:
                return self._list(kind, params, fault)
            return self._info(kind, segments[2:], params)
        name = "/".join(segments[1:])
        try:
            payload = self.server.replay.payload(name)
        except SnapshotError:  # not a payload name at all
            payload = None
        if payload is None:
            raise _HubError(404, "Not Found")
        if name.endswith("-tags-by-type") and "type" in params and isinstance(payload, dict):
            payload = {t: payload[t] for t in params["type"] if t in payload}
        return 200, orjson.dumps(payload), {}

    def _list(
        self, kind: RepoKind, params: dict[str, list[str]], fault: Fault | None
    ) -> tuple[int, bytes, dict[str, str]]:
        replay = self.server.replay
        collection = replay.collections[kind]
        fields = _fields(kind, params)
        if kind == "models" and (refused := sorted(_INFO_ONLY.intersection(params.get("expand", [])))):
            raise _HubError(
                400, f'"expand" cannot list {", ".join(refused)}: ask for one model with /api/models/{{id}}'
            )
        sort = _one(params, "sort")
        if sort is not None and sort not in SORT_FIELDS:
            raise _HubError(400, f"Invalid sort {sort!r}: use one of {', '.join(SORT_FIELDS)}")
        descending = _one(params, "direction") != "1"
        try:
            size = min(int(_one(params, "limit") or replay.page_size), replay.page_size)
        except ValueError:
            raise _HubError(400, f"Invalid limit {_one(params, 'limit')!r}: give a number") from None
        if size < 1:
            raise _HubError(400, "Invalid limit: give a number of at least 1")
        filters = {k: v for k, v in params.items() if k not in _PAGING_PARAMS}
        try:
            predicate = listing_predicate(kind, filters)
        except FilterError as exc:
            raise _HubError(400, str(exc)) from None
        key = tuple(sorted((k, tuple(v)) for k, v in filters.items()))
        indices, ranks = collection.order(sort, descending, key, predicate)
        start = 0
        if (cursor := _one(params, "cursor")) is not None:
            after = _decode_cursor(cursor, collection)
            start = collection.next_start(ranks, sort, descending, after)
        page = indices[start : start + size]
        lines = collection.read(page)
        if fields is not None and not collection.keys <= fields:
            lines = [_project(line, fields) for line in lines]
        if fault is not None:
            lines.insert(len(lines) // 2, orjson.dumps(fault.record))
        headers = {}
        if start + size < len(indices):
            query = {k: v for k, v in params.items() if k != "cursor"} | {
                "cursor": [_encode_cursor(page[-1], collection)]
            }
            host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
            headers["Link"] = f'<http://{host}/api/{kind}?{urlencode(query, doseq=True)}>; rel="next"'
        return 200, b"[" + b",".join(lines) + b"]", headers

    def _info(
        self, kind: RepoKind, rest: list[str], params: dict[str, list[str]]
    ) -> tuple[int, bytes, dict[str, str]]:
        revision = None
        if "revision" in rest[:-1]:
            at = len(rest) - 1 - rest[::-1].index("revision")
            rest, revision = rest[:at], "/".join(rest[at + 1 :])
        id = "/".join(rest)
        collection = self.server.replay.collections[kind]
        index = collection.index_of(id)
        if index is None:
            raise _HubError(404, "Repository not found", "RepoNotFound")
        record = collection.record(index)
        if revision not in (None, "main", record.get("sha")):
            raise _HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        fields = _fields(kind, params)
        if fields is not None and "expand" in params:
            record = {k: v for k, v in record.items() if k in fields}
        mapping = record.get("inferenceProviderMapping")
        if kind == "models" and isinstance(mapping, list):
            record["inferenceProviderMapping"] = _mapping_as_dict(mapping)
        return 200, orjson.dumps(record), {}

    def _send(
        self, status: int, body: bytes, headers: Mapping[str, str], *, declared: int | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body) if declared is None else declared))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _fail(self, fault: Fault) -> None:
        replay = self.server.replay
        answer = fault_answer(fault)
        replay._log(Request("GET", self.path, answer[0] if answer else None, fault.kind))
        if answer is not None:
            status, body, headers, declared = answer
            self._send(status, body, headers, declared=declared)
            # A body cut short ends the connection; an error answer keeps it, as the Hub does.
            self.close_connection = declared != len(body)
            return
        if fault.kind == "hang":
            replay._release.wait(300)
        # No answer at all: the client sees the connection close.
        self.close_connection = True


def _fields(kind: RepoKind, params: dict[str, list[str]]) -> frozenset[str] | None:
    """Return the fields a listing item holds, or None for every field."""
    expand = params.get("expand")
    if expand:
        unknown = sorted(set(expand) - EXPANDABLE[kind])
        if unknown:
            raise _HubError(
                400,
                f'"expand" must be one of {", ".join(sorted(EXPANDABLE[kind]))}; got {", ".join(unknown)}',
            )
        return _ALWAYS | frozenset(expand)
    if _one(params, "full") not in (None, "", "0", "false", "False"):
        return None
    extra = {k for k in ("config", "cardData") if _one(params, k) not in (None, "", "0", "false", "False")}
    return DEFAULT_FIELDS[kind] | extra


def _project(line: bytes, fields: frozenset[str]) -> bytes:
    record = orjson.loads(line)
    if not isinstance(record, dict):
        return line
    return orjson.dumps({k: v for k, v in record.items() if k in fields})


def _mapping_as_dict(mapping: list[Any]) -> dict[str, Any] | list[Any]:
    """Turn the listing's list form of ``inferenceProviderMapping`` into ``model_info``'s dict form."""
    out: dict[str, Any] = {}
    for item in mapping:
        if not isinstance(item, dict) or not isinstance(item.get("provider"), str):
            return mapping  # malformed: served as recorded, for the crawler to reject
        out[item["provider"]] = {k: v for k, v in item.items() if k != "provider"}
    return out


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


def _encode_cursor(index: int, collection: RecordCollection) -> str:
    token = orjson.dumps([index, collection.ids[index]])
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def _decode_cursor(cursor: str, collection: RecordCollection) -> int:
    try:
        index, id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(index, int) or not 0 <= index < len(collection) or collection.ids[index] != id:
            raise ValueError
        if id is not None and collection.index_of(id) != index:  # an earlier copy, never served
            raise ValueError
    except (ValueError, TypeError):
        raise _HubError(400, "Invalid cursor: start the listing again without one") from None
    return index

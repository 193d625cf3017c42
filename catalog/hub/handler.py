"""The replay server's HTTP handler: one request in, the Hub's answer out, whatever the request holds.

Request text never reaches a header as sent: a target that is not ASCII, a path or query that is
not UTF-8 once percent-decoded, or a parameter the server does not know answers 400 (JSON, never
HTML); values echoed in ``X-Error-Message``, ``Link`` or ``Location`` are escaped or re-encoded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, get_args
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import orjson
from huggingface_hub import hf_api

from catalog.hub import rawjson
from catalog.hub.collection import SORT_FIELDS
from catalog.hub.faults import PAGE_FAULTS, Fault, Request, fault_answer, fault_page, trickle
from catalog.hub.filters import FilterError, listing_conditions
from catalog.hub.listing import Cursor
from catalog.hub.snapshot import REPO_KINDS, RepoKind
from catalog.records import SINGULAR

if TYPE_CHECKING:
    from catalog.hub.replay import ReplayServer, Served

__all__ = ["DEFAULT_FIELDS", "EXPANDABLE", "Handler", "header_text"]

EXPANDABLE: dict[str, frozenset[str]] = {
    "models": frozenset(get_args(hf_api.ExpandModelProperty_T)),
    "datasets": frozenset(get_args(hf_api.ExpandDatasetProperty_T)),
    "spaces": frozenset(get_args(hf_api.ExpandSpaceProperty_T)),
}
_COMMON = ("_id", "id", "likes", "trendingScore", "private", "tags", "createdAt")
#: What the Hub lists when asked for no ``expand`` and no ``full``.
DEFAULT_FIELDS: dict[str, frozenset[str]] = {
    "models": frozenset({*_COMMON, "modelId", "downloads", "pipeline_tag", "library_name"}),
    "datasets": frozenset(
        {*_COMMON, "author", "disabled", "gated", "lastModified", "sha", "description", "downloads"}
    ),
    "spaces": frozenset({*_COMMON, "author", "lastModified", "sdk"}),
}
_ALWAYS = frozenset({"_id", "id"})
#: Expand values the Hub accepts for one repo but refuses in a listing (huggingface_hub PR #3182).
_INFO_ONLY = frozenset({"baseModels", "childrenModelCount", "usedStorage"})
_PAGING_PARAMS = {"limit", "cursor", "expand", "full", "sort", "direction", "config", "cardData"}
_FALSE = (None, "", "0", "false", "False")
# A Host header worth echoing in a Link: a name or an IP literal, and a port.
_HOST = re.compile(r"(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")
# What a request target may hold as sent: printable ASCII (anything else must be percent-encoded).
_TARGET = re.compile(r"[!-~]+")
Params = dict[str, list[str]]
Answer = tuple[int, bytes, dict[str, str]]


def header_text(text: str, limit: int = 300) -> str:
    r"""Return ``text`` as a header value: printable ASCII, other characters escaped, at most ``limit`` long.

    Examples
    --------
    >>> header_text("Invalid rev id: x\r\nSet-Cookie: a=b")
    'Invalid rev id: x\\x0d\\x0aSet-Cookie: a=b'
    >>> header_text("中文")
    '\\u4e2d\\u6587'
    """
    out = "".join(
        c if " " <= c <= "~" else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}" for c in text
    )
    return out if len(out) <= limit else out[: limit - 3] + "..."


class HubAnswer(Exception):
    """An answer other than 200: its status, message, ``X-Error-Code`` and headers."""

    def __init__(
        self, status: int, message: str, code: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
        self.headers = dict(headers or {})


class Handler(BaseHTTPRequestHandler):
    """Answer one connection's requests from the server's snapshot, in the Hub's format."""

    protocol_version = "HTTP/1.1"
    server: Any  # replay._HTTPServer (imported there, not here: replay imports this module)
    # Idle keep-alive connections are closed after this many seconds.
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        """Keep quiet: requests are logged in ``ReplayServer.requests``."""

    def do_GET(self) -> None:
        """Answer a GET."""
        self._answer(body=True)

    def do_HEAD(self) -> None:
        """Answer a HEAD as the GET, without its body (``hf_hub_download`` asks HEAD first)."""
        self._answer(body=False)

    def parse_request(self) -> bool:
        """Parse the request line and headers; refuse HTTP/0.9 (an answer without a status line)."""
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # so that the refusal has a status line
            self.send_error(400, "Bad request: give an HTTP version (HTTP/1.1)")
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer a request the stdlib parser refused (bad request line, method) in JSON, not HTML."""
        text = message or self.responses.get(code, ("Error",))[0]
        self.close_connection = True
        self._send(code, orjson.dumps({"error": text}), {"X-Error-Message": text, "Connection": "close"})

    def _answer(self, body: bool) -> None:
        replay: ReplayServer = self.server.replay
        fault: Fault | None = None
        try:
            segments, pairs = _parse_target(self.path)
        except HubAnswer as exc:
            status, content, headers = _error(exc)
        else:
            path = "/" + "/".join(segments)
            replay.run_hooks(path)
            fault = replay.faults.take(path)
            if fault is not None and fault.kind not in PAGE_FAULTS:
                self._fail(fault, body)
                return
            try:
                status, content, headers = self._route(replay, segments, pairs, fault)
            except HubAnswer as exc:
                status, content, headers = _error(exc)
            except Exception as exc:  # a bug of the server: an answer, never a dropped connection
                message = f"replay server error: {type(exc).__name__}: {exc}"
                status, content, headers = 500, orjson.dumps({"error": message}), {"X-Error-Message": message}
        # Logged before answering, so that a client that has its answer finds it in the log.
        replay.log(Request(self.command or "GET", self.path, status, fault.kind if fault else None))
        self._send(status, content, headers, body=body)

    def _route(
        self, replay: ReplayServer, segments: list[str], pairs: list[tuple[str, str]], fault: Fault | None
    ) -> Answer:
        served = replay.served
        params: Params = {}
        for name, value in pairs:
            # huggingface.js sends expand[]=x, the Python client expand=x.
            params.setdefault("expand" if name == "expand[]" else name, []).append(value)
        if segments[:1] == ["api"] and len(segments) >= 2:
            if segments[1] in REPO_KINDS:
                kind: RepoKind = segments[1]
                if len(segments) == 2:
                    return self._list(replay, served, kind, params, fault)
                return _repo(served, kind, segments[2:], params, pairs, api=True)
            return _payload(served, "/".join(segments[1:]), params)
        if "resolve" in segments[1:]:
            kind = segments[0] if segments[0] in ("datasets", "spaces") else "models"  # type: ignore[assignment]
            return _repo(
                served, kind, segments[1:] if kind != "models" else segments, params, pairs, api=False
            )
        raise HubAnswer(404, "Not Found")

    def _list(
        self, replay: ReplayServer, served: Served, kind: RepoKind, params: Params, fault: Fault | None
    ) -> Answer:
        fields = _fields(kind, params)
        if kind == "models" and (refused := sorted(_INFO_ONLY.intersection(params.get("expand", [])))):
            raise HubAnswer(
                400, f'"expand" cannot list {", ".join(refused)}: ask for one model with /api/models/{{id}}'
            )
        sort = _one(params, "sort")
        if sort is not None and sort not in SORT_FIELDS:
            raise HubAnswer(400, f"Invalid sort {sort!r}: use one of {', '.join(SORT_FIELDS)}")
        if (direction := _one(params, "direction")) not in (None, "-1", "1"):
            raise HubAnswer(400, f"Invalid direction {direction!r}: use -1 (descending) or 1")
        limit = _one(params, "limit")
        if limit is not None and not (limit.isascii() and limit.isdigit() and int(limit) >= 1):
            raise HubAnswer(400, f"Invalid limit {limit!r}: give a number of at least 1")
        size = min(int(limit or replay.page_size), replay.page_size)
        descending = direction != "1"
        filters = {k: v for k, v in params.items() if k not in _PAGING_PARAMS}
        try:
            conditions = listing_conditions(kind, filters, apps=kind != "models" or replay.apps is not None)
        except FilterError as exc:
            raise HubAnswer(400, str(exc)) from None
        after = None
        if (token := _one(params, "cursor")) is not None:
            try:
                after = Cursor.decode(token)
            except ValueError:
                raise HubAnswer(400, "Invalid cursor: start the listing again without one") from None
            if (after.sort, after.descending) != (sort, descending):
                raise HubAnswer(
                    400, "Invalid cursor: it belongs to another sort order; start again without one"
                )
        listings = served.listings[kind]
        filter_key = tuple(sorted((k, tuple(v)) for k, v in filters.items()))
        page, more = listings.page(sort, descending, conditions, filter_key, after, size)
        collection = served.collections[kind]
        lines = collection.read(page)
        if fields is not None and not collection.keys <= fields:
            lines = [_project(line, fields) for line in lines]
        headers = {}
        if more:
            query = {k: v for k, v in params.items() if k != "cursor"}
            query["cursor"] = [listings.cursor(page[-1], sort, descending).encode()]
            host = self.headers.get("Host") or ""
            if not _HOST.fullmatch(host):
                host = "{}:{}".format(*self.server.server_address[:2])
            headers["Link"] = f'<http://{host}/api/{kind}?{urlencode(query, doseq=True)}>; rel="next"'
        return 200, fault_page(fault, lines) if fault else b"[" + b",".join(lines) + b"]", headers

    def _send(
        self,
        status: int,
        content: bytes,
        headers: Mapping[str, str],
        *,
        declared: int | None = None,
        body: bool = True,
        content_type: str = "application/json; charset=utf-8",
    ) -> None:
        self.send_response(status)
        headers = {"Content-Type": content_type} | dict(headers)
        self.send_header("Content-Length", str(len(content) if declared is None else declared))
        for name, value in headers.items():
            self.send_header(name, header_text(value, limit=8000))
        self.end_headers()
        if body:
            self.wfile.write(content)

    def _fail(self, fault: Fault, body: bool) -> None:
        replay: ReplayServer = self.server.replay
        answer = fault_answer(fault)
        replay.log(Request(self.command or "GET", self.path, answer[0] if answer else None, fault.kind))
        if answer is not None:
            status, content, headers, declared = answer
            slow = fault.kind == "trickle"
            self._send(status, b"" if slow else content, headers, declared=declared, body=body)
            if slow:
                trickle(self.wfile.write, content, fault.every, replay._release)
            # A body cut short ends the connection; an error answer keeps it, as the Hub does.
            self.close_connection = declared != len(content)
            return
        if fault.kind == "hang":
            replay.hold()
        # No answer at all: the client sees the connection close.
        self.close_connection = True


def _parse_target(target: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Split a request target into decoded path segments and query pairs; 400 for what is not text."""
    if not _TARGET.fullmatch(target):
        raise HubAnswer(400, "Bad request: the target must be printable ASCII (percent-encode other bytes)")
    parts = urlsplit(target)
    try:
        segments = [unquote(s, errors="strict") for s in parts.path.strip("/").split("/")]
        pairs = parse_qsl(parts.query, keep_blank_values=True, errors="strict", max_num_fields=1000)
    except UnicodeDecodeError:
        raise HubAnswer(400, "Bad request: the path or query is not UTF-8 once percent-decoded") from None
    except ValueError:
        raise HubAnswer(400, "Bad request: more than 1000 query parameters") from None
    return segments, pairs


def _error(exc: HubAnswer) -> Answer:
    if exc.status == 307:  # the Hub's redirect to a renamed repo: a text body, the query kept
        return 307, exc.message.encode(), {"Content-Type": "text/plain; charset=utf-8"} | exc.headers
    headers = (
        {"X-Error-Message": exc.message} | ({"X-Error-Code": exc.code} if exc.code else {}) | exc.headers
    )
    return exc.status, orjson.dumps({"error": exc.message}), headers


def _payload(served: Served, name: str, params: Params) -> Answer:
    try:
        payload = served.payload(name)
    except Exception:  # not a payload name at all (SnapshotError), or a bad file
        payload = None
    if payload is None:
        raise HubAnswer(404, "Not Found")
    if name.endswith("-tags-by-type") and "type" in params and isinstance(payload, dict):
        payload = {t: payload[t] for t in params["type"] if t in payload}
    return 200, orjson.dumps(payload), {}


def _repo(
    served: Served,
    kind: RepoKind,
    rest: list[str],
    params: Params,
    pairs: list[tuple[str, str]],
    *,
    api: bool,
) -> Answer:
    """Answer a route under one repo: its record, a 307 for an old name, or "not in this snapshot"."""
    collection, aliases = served.collections[kind], served.aliases[kind]
    for width in (2, 1):
        id, tail = "/".join(rest[:width]), rest[width:]
        if len(rest) >= width and (collection.index_of(id) is not None or id in aliases):
            break
    else:
        raise HubAnswer(404, "Repository not found", "RepoNotFound")
    if (new := aliases.get(id)) is not None and collection.index_of(id) is None:
        prefix = f"/api/{kind}/" if api else ("/" if kind == "models" else f"/{kind}/")
        location = prefix + "/".join(quote(s, safe="") for s in [*new.split("/"), *tail])
        if pairs:
            location += "?" + urlencode(pairs)
        raise HubAnswer(307, f"Temporary Redirect. Redirecting to {location}", headers={"Location": location})
    if api and (not tail or (tail[0] == "revision" and len(tail) >= 2)):
        return _info(served, kind, id, "/".join(tail[1:]) or None, params)
    what = "/".join(tail[:1]) if api else "resolve"
    raise HubAnswer(
        404,
        f"{SINGULAR[kind]} {id!r} is in this snapshot, but not its {what} answers: "
        "a snapshot holds the Hub's API records, not repo files",
        "EntryNotFound",
    )


def _info(served: Served, kind: RepoKind, id: str, revision: str | None, params: Params) -> Answer:
    collection = served.collections[kind]
    index = collection.index_of(id)
    assert index is not None
    record = collection.record(index)
    if revision not in (None, "main", record.get("sha")):
        raise HubAnswer(404, f"Invalid rev id: {revision}", "RevisionNotFound")
    fields = _fields(kind, params)
    if fields is not None and "expand" in params:
        record = {k: v for k, v in record.items() if k in fields}
    mapping = record.get("inferenceProviderMapping")
    if kind == "models" and isinstance(mapping, list):
        record["inferenceProviderMapping"] = _mapping_as_dict(mapping)
    return 200, orjson.dumps(record), {}


def _fields(kind: RepoKind, params: Params) -> frozenset[str] | None:
    """Return the fields a listing item holds, or None for every field."""
    expand = params.get("expand")
    if expand:
        unknown = sorted(set(expand) - EXPANDABLE[kind])
        if unknown:
            raise HubAnswer(
                400,
                f'"expand" must be one of {", ".join(sorted(EXPANDABLE[kind]))}; got {", ".join(unknown)}',
            )
        return _ALWAYS | frozenset(expand)
    if _one(params, "full") not in _FALSE:
        return None
    extra = {k for k in ("config", "cardData") if _one(params, k) not in _FALSE}
    return DEFAULT_FIELDS[kind] | extra


def _project(line: bytes, fields: frozenset[str]) -> bytes:
    # rawjson: a record with a NaN or a lone surrogate is served as it is, for the crawler to reject.
    record = rawjson.loads(line)
    if not isinstance(record, dict):
        return line
    return rawjson.dumps({k: v for k, v in record.items() if k in fields})


def _mapping_as_dict(mapping: list[Any]) -> dict[str, Any] | list[Any]:
    """Turn the listing's list form of ``inferenceProviderMapping`` into ``model_info``'s dict form."""
    out: dict[str, Any] = {}
    for item in mapping:
        if not isinstance(item, dict) or not isinstance(item.get("provider"), str):
            return mapping  # malformed: served as recorded, for the crawler to reject
        out[item["provider"]] = {k: v for k, v in item.items() if k != "provider"}
    return out


def _one(params: Params, name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None

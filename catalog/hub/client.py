"""The only code that talks HTTP to the Hub, on the real ``huggingface_hub`` client's session.

Requests go through the client's shared session (``get_session``) with its headers
(``build_hf_headers``: user agent, token); pages follow the ``Link: <...>; rel="next"`` cursor.
``HfApi.list_models`` is not used: building a ``ModelInfo`` costs ~70 µs a record, and one
malformed record raises inside its generator and loses the rest of the page. Here records stay raw
JSON for the normaliser (:mod:`catalog.hub.rawjson`: a page with one ``NaN`` keeps its other
records).

Every read is bounded: 429s (``RateLimit`` / ``Retry-After``, waits capped at ``max_retry_after``
and announced), 5xx and dropped connections are retried with backoff; a request has a total
deadline (a body trickled a byte at a time ends too) and a limit on its decoded size (a small gzip
body cannot unpack into gigabytes); a listing has a page budget and stops on a ``Link`` that comes
back to a page already read. A page that is not JSON is asked for again, then handed over as a
failed page for the crawler to skip and count. The client's own retry helper (``http_backoff``) is
not used because it waits whatever ``Retry-After`` says and reads bodies whole.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx2
from huggingface_hub import close_session, get_session

# Re-exported lazily by huggingface_hub.utils, which mypy cannot see.
from huggingface_hub.utils import build_hf_headers, parse_ratelimit_headers  # type: ignore[attr-defined]

from catalog.errors import ConfigError, HubError
from catalog.hub import rawjson
from catalog.hub.snapshot import RepoKind

__all__ = [
    "DEFAULT_ENDPOINT",
    "EXPAND",
    "HubClient",
    "Page",
    "mask_url",
    "resolve_endpoint",
]

DEFAULT_ENDPOINT = "https://huggingface.co"

#: The fields a model and a dataset listing both expand, in the order both ask for them.
_COUNTS_AND_STATE = (
    "downloads",
    "downloadsAllTime",
    "likes",
    "trendingScore",
    "createdAt",
    "lastModified",
    "private",
    "gated",
    "disabled",
    "sha",
)
#: What the crawler asks the listings to expand: every field the normaliser reads.
EXPAND: dict[RepoKind, tuple[str, ...]] = {
    "models": (
        "author",
        "pipeline_tag",
        "library_name",
        "tags",
        *_COUNTS_AND_STATE,
        "safetensors",
        "gguf",
        "config",
        "cardData",
        "inferenceProviderMapping",
    ),
    "datasets": (
        "author",
        "tags",
        *_COUNTS_AND_STATE,
        "cardData",
    ),
    "spaces": (
        "author",
        "sdk",
        "tags",
        "likes",
        "trendingScore",
        "createdAt",
        "lastModified",
        "private",
        "disabled",
        "sha",
        "runtime",
        "models",
        "datasets",
        "cardData",
    ),
}
_RETRY_ON = (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError)
_RETRY_STATUS = (408, 429, 500, 502, 503, 504)
#: ``scheme://userinfo@``: the part of a URL that holds credentials.
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@]*@")
_log = logging.getLogger(__name__)


def resolve_endpoint(endpoint: str | None) -> str:
    """Return the Hub endpoint to use: ``endpoint``, else ``$HF_ENDPOINT``, else huggingface.co.

    Examples
    --------
    >>> resolve_endpoint("http://127.0.0.1:8080/")
    'http://127.0.0.1:8080'
    """
    return (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def mask_url(url: str) -> str:
    """Return ``url`` with any credentials in it (``user:password@``) replaced by ``***``.

    Examples
    --------
    >>> mask_url("http://user:SECRET@hub.test:8080/api")
    'http://***@hub.test:8080/api'
    >>> mask_url("https://huggingface.co")
    'https://huggingface.co'
    """
    return _USERINFO.sub(r"\1***@", url)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing: the raw records, and where this page and the next one are.

    ``url`` and ``next`` are relative to the endpoint (path and query), so that a checkpoint
    stays valid when the same Hub is reached at another address (a replay server's new port).
    ``error`` says why a page could not be read (not JSON, even when asked again): its
    ``records`` are then empty, and the listing goes on at ``next`` when the answer gave one.
    ``body`` is the answer's JSON text, which ``records`` were decoded from.
    """

    url: str
    records: list[Any]
    next: str | None
    error: str | None = None
    body: bytes = b"[]"


class HubClient:
    """Read the Hub's API with the real client's session and headers, every read bounded.

    ``token`` is a string, ``False`` (send none) or ``None`` (the client's own lookup:
    ``$HF_TOKEN`` or the saved login); it goes into the request headers only, never into a log,
    an error message or the database. Credentials in the endpoint URL are sent too, and shown
    masked (``display_endpoint``). ``timeout`` bounds each network read, ``deadline`` a whole
    request, ``max_bytes`` a decoded body and ``max_pages`` a listing; a 429's wait is capped at
    ``max_retry_after`` seconds and told to ``notice`` (default: a warning on this module's logger).

    Examples
    --------
    >>> import tempfile
    >>> from catalog.hub import ReplayServer, write_snapshot
    >>> snap = write_snapshot(tempfile.mkdtemp(), models=[{"id": f"org/m{i}", "likes": i} for i in range(3)])
    >>> with ReplayServer(snap, page_size=2) as server:
    ...     client = HubClient(server.url, token=False)
    ...     [[m["id"] for m in page.records] for page in client.list_pages("models", sort="likes")]
    [['org/m2', 'org/m1'], ['org/m0']]
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        token: str | bool | None = None,
        max_retries: int = 5,
        base_wait: float = 1.0,
        max_wait: float = 8.0,
        max_retry_after: float = 300.0,
        timeout: float = 60.0,
        deadline: float = 600.0,
        max_bytes: int = 512 << 20,
        max_pages: int = 20_000,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        self.endpoint = resolve_endpoint(endpoint)
        self.display_endpoint = mask_url(self.endpoint)
        _check_endpoint(self.endpoint, self.display_endpoint)
        self.max_retries = max_retries
        self.base_wait = base_wait
        self.max_wait = max_wait
        self.max_retry_after = max_retry_after
        self.timeout = timeout
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.max_pages = max_pages
        self.notice = notice or _log.warning
        self._headers = build_hf_headers(token=token, library_name="hf-catalog", library_version=_version())

    def __repr__(self) -> str:
        return f"HubClient({self.display_endpoint!r})"

    # --- listings -------------------------------------------------------------------------

    def listing_url(
        self,
        kind: RepoKind,
        *,
        expand: Sequence[str] | None = None,
        sort: str | None = None,
        descending: bool = True,
        limit: int = 1000,
    ) -> str:
        """Return the relative URL of the first page of a listing (``expand`` is a repeated parameter).

        Examples
        --------
        >>> HubClient("http://hub.test", token=False).listing_url("spaces", expand=["sdk", "models"], sort="lastModified")
        '/api/spaces?expand=sdk&expand=models&limit=1000&sort=lastModified&direction=-1'
        """
        params: list[tuple[str, Any]] = [("expand", e) for e in (EXPAND[kind] if expand is None else expand)]
        params.append(("limit", limit))
        if sort is not None:
            params += [("sort", sort), ("direction", -1 if descending else 1)]
        return f"/api/{kind}?{urlencode(params)}"

    def list_pages(
        self,
        kind: RepoKind,
        *,
        start: str | None = None,
        expand: Sequence[str] | None = None,
        sort: str | None = None,
        descending: bool = True,
        limit: int = 1000,
    ) -> Generator[Page, None, None]:
        """Yield the pages of the ``kind`` listing, from ``start`` (a page's relative URL) or the first.

        Stopping the iteration early requests no further page. A listing longer than
        ``max_pages``, or whose ``Link`` comes back to a page already read, raises
        :class:`~catalog.errors.HubError` rather than reading on forever.
        """
        url: str | None = start or self.listing_url(
            kind, expand=expand, sort=sort, descending=descending, limit=limit
        )
        seen: set[str] = set()
        while url is not None:
            if url in seen:
                raise HubError(
                    f"the {kind} listing of {self.display_endpoint} links back to a page it already gave "
                    f"({_path(url)}, page {len(seen) + 1}): stopped; the endpoint's cursor loops"
                )
            if len(seen) >= self.max_pages:
                raise HubError(
                    f"the {kind} listing of {self.display_endpoint} goes on past {self.max_pages} pages "
                    "(the page budget): stopped; raise max_pages if the Hub really holds that many"
                )
            seen.add(url)
            page = self._read_page(url)
            url = page.next
            yield page

    def _read_page(self, url: str) -> Page:
        """Read one listing page; a body that is not JSON is asked for again, then given as failed."""
        wait = self.base_wait
        for attempt in range(self.max_retries + 1):
            response, body = self._get(url)
            link = response.links.get("next", {}).get("url")
            next_url = self._relative(link) if link else None
            try:
                records = rawjson.loads(body)
            except ValueError as exc:
                if attempt == self.max_retries:
                    return Page(url, [], next_url, f"not JSON after {self.max_retries} retries ({exc})")
                time.sleep(wait)
                wait = min(self.max_wait, wait * 2)
                continue
            if not isinstance(records, list):
                raise HubError(
                    f"{self.display_endpoint}{_path(url)} answered {type(records).__name__}, not a list: "
                    "is the endpoint a Hub?"
                )
            return Page(url, records, next_url, body=body)
        raise AssertionError("unreachable")  # pragma: no cover

    # --- single calls ---------------------------------------------------------------------

    def get_json(self, name: str, *, missing_ok: bool = False) -> Any:
        """Return the payload of ``GET /api/<name>`` (``tasks``, ``models-tags-by-type``).

        With ``missing_ok``, a 404 answer returns None.
        """
        url = f"/api/{name}"
        response, body = self._get(url, missing_ok=missing_ok)
        if response.status_code == 404:
            return None
        try:
            return rawjson.loads(body)
        except ValueError as exc:
            raise HubError(
                f"{self.display_endpoint}{_path(url)} answered invalid JSON ({exc}): run again; "
                "if it persists the endpoint is not a Hub"
            ) from None

    # --- plumbing -------------------------------------------------------------------------

    def _get(self, url: str, *, missing_ok: bool = False) -> tuple[httpx2.Response, bytes]:
        """GET ``url`` (relative), retrying what a retry can mend; return the answer and its body."""
        where = f"{self.display_endpoint}{_path(url)}"
        wait = self.base_wait
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            try:
                response, body = self._read(self.endpoint + url, where)
            except _RETRY_ON as exc:
                if isinstance(exc, httpx2.ConnectError):
                    close_session()  # as the client's own helper does: a broken session is not reused
                if last:
                    raise HubError(
                        f"cannot read {where} after {self.max_retries} retries ({type(exc).__name__}: "
                        f"{mask_url(str(exc))}): check the endpoint, or run again later (committed pages are kept)"
                    ) from exc
                time.sleep(wait)
                wait = min(self.max_wait, wait * 2)
                continue
            status = response.status_code
            if status < 400 or (missing_ok and status == 404):
                return response, body
            if status not in _RETRY_STATUS or last:
                retried = f" after {self.max_retries} retries" if status in _RETRY_STATUS else ""
                raise HubError(
                    f"{where} answered HTTP {status}{retried}: check the endpoint and token, "
                    "or run again later (committed pages are kept)"
                )
            asked = _asked_wait(response) if status == 429 else None
            if asked is None:
                time.sleep(wait)
                wait = min(self.max_wait, wait * 2)
                continue
            waited = min(asked, self.max_retry_after)
            capped = (
                f" (it asked for {asked:g} s; capped at {self.max_retry_after:g} s)" if asked > waited else ""
            )
            self.notice(
                f"rate-limited by {self.display_endpoint}: waiting {waited:g} s{capped}, "
                f"retry {attempt + 1} of {self.max_retries}"
            )
            time.sleep(waited)
        raise AssertionError("unreachable")  # pragma: no cover

    def _read(self, url: str, where: str) -> tuple[httpx2.Response, bytes]:
        """Read one answer whole, within the deadline and the size limit."""
        deadline = time.monotonic() + self.deadline
        with get_session().stream("GET", url, headers=self._headers, timeout=self.timeout) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise HubError(
                    f"{where} answers {int(declared):,} bytes, over the limit of {self.max_bytes:,}"
                )
            chunks: list[bytes] = []
            size = 0
            # Decoded bytes: what a gzip body unpacks to is what counts.
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise HubError(
                        f"{where} answered more than {self.max_bytes:,} bytes (decoded): stopped reading; "
                        "the endpoint is not a Hub, or raise max_bytes"
                    )
                if time.monotonic() > deadline:
                    raise httpx2.ReadTimeout(f"the answer took longer than {self.deadline:g} s in all")
                chunks.append(chunk)
        return response, b"".join(chunks)

    def _relative(self, url: str) -> str:
        """Return a next-page link relative to the endpoint (a checkpoint outlives the server's port).

        Examples
        --------
        >>> HubClient("https://mirror.test/hf", token=False)._relative("https://mirror.test/hf/api/models?cursor=x")
        '/api/models?cursor=x'
        """
        parts = urlsplit(url)
        prefix = urlsplit(self.endpoint).path.rstrip("/")
        path = parts.path[len(prefix) :] if prefix and parts.path.startswith(prefix + "/") else parts.path
        return path + (f"?{parts.query}" if parts.query else "")


def _check_endpoint(endpoint: str, shown: str) -> None:
    """Refuse an endpoint that is not an http(s) URL with a host (a user's input: ConfigError)."""
    try:
        parts = urlsplit(endpoint)
        _ = parts.port  # a bad port raises here
        problem = None if parts.scheme in ("http", "https") and parts.hostname else ""
    except ValueError as exc:
        problem = f"{exc}; "
    if problem is not None:
        raise ConfigError(f"not a Hub endpoint: {shown!r} ({problem}expected e.g. https://huggingface.co)")


def _asked_wait(response: httpx2.Response) -> float | None:
    """Return the seconds a 429 asks to wait (``RateLimit`` when exhausted, else ``Retry-After``)."""
    info = parse_ratelimit_headers(response.headers)
    if info is not None and info.remaining == 0:
        return float(info.reset_in_seconds)
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


def _version() -> str:
    try:
        return version("hf-catalog")
    except PackageNotFoundError:  # run from a source tree that was not installed
        return "unknown"


def _path(url: str) -> str:
    return url.partition("?")[0]

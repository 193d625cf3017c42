"""The only code that talks HTTP to the Hub, through the real ``huggingface_hub`` client's helpers.

Requests go through ``http_backoff`` on the client's shared session with its headers
(``build_hf_headers``: user agent, token) and errors refined by ``hf_raise_for_status``; pages
follow the ``Link: <...>; rel="next"`` cursor. ``HfApi.list_models`` is not used: building a
``ModelInfo`` costs ~70 µs a record, and one malformed record raises inside its generator and
loses the rest of the page. Here records stay raw JSON (parsed with orjson) for the normaliser,
and every call, listings and single repos alike, is retried on 429 (waiting out ``RateLimit`` /
``Retry-After``), 5xx and dropped connections.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx2
import orjson
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
from huggingface_hub.utils import build_hf_headers, hf_raise_for_status, http_backoff
from huggingface_hub.utils import logging as hf_logging

from catalog.errors import HubError
from catalog.hub.snapshot import RepoKind, SnapshotWriter

__all__ = [
    "DEFAULT_ENDPOINT",
    "EXPAND",
    "HubClient",
    "Page",
    "provider_registry",
    "resolve_endpoint",
    "silence_client_warnings",
]

DEFAULT_ENDPOINT = "https://huggingface.co"

#: What the crawler asks the listings to expand: every field the normaliser reads.
EXPAND: dict[RepoKind, tuple[str, ...]] = {
    "models": (
        "author",
        "pipeline_tag",
        "library_name",
        "tags",
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
        "safetensors",
        "gguf",
        "config",
        "cardData",
        "inferenceProviderMapping",
        "spaces",
    ),
    "datasets": (
        "author",
        "tags",
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


def provider_registry() -> dict[str, dict[str, Any]]:
    """Return the installed client's inference-provider registry: provider -> task -> helper."""
    from huggingface_hub.inference._providers import PROVIDERS

    return PROVIDERS


def silence_client_warnings() -> None:
    """Keep the client's retry warnings ("Retrying in 1.0s ...") off stderr; errors still show."""
    hf_logging.set_verbosity_error()


def resolve_endpoint(endpoint: str | None) -> str:
    """Return the Hub endpoint to use: ``endpoint``, else ``$HF_ENDPOINT``, else huggingface.co.

    Examples
    --------
    >>> resolve_endpoint("http://127.0.0.1:8080/")
    'http://127.0.0.1:8080'
    """
    return (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing: the raw records, and where this page and the next one are.

    ``url`` and ``next`` are relative to the endpoint (path and query), so that a checkpoint
    stays valid when the same Hub is reached at another address (a replay server's new port).
    """

    url: str
    records: list[Any]
    next: str | None


class HubClient:
    """Read the Hub's API with the real client's session, headers, retries and error mapping.

    ``token`` is a string, ``False`` (send none) or ``None`` (the client's own lookup:
    ``$HF_TOKEN`` or the saved login); it goes into the request headers only, never into a log,
    an error message or the database. With ``recorder``, every raw record and payload read is
    also written to that snapshot.

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
        timeout: float = 60.0,
        recorder: SnapshotWriter | None = None,
    ) -> None:
        self.endpoint = resolve_endpoint(endpoint)
        if urlsplit(self.endpoint).scheme not in ("http", "https"):
            raise HubError(f"not a Hub endpoint: {self.endpoint!r} (expected e.g. https://huggingface.co)")
        self.max_retries = max_retries
        self.base_wait = base_wait
        self.max_wait = max_wait
        self.timeout = timeout
        self.recorder = recorder
        self._headers = build_hf_headers(token=token, library_name="hf-catalog", library_version=_version())

    def __repr__(self) -> str:
        return f"HubClient({self.endpoint!r})"

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
    ) -> Iterator[Page]:
        """Yield the pages of the ``kind`` listing, from ``start`` (a page's relative URL) or the first.

        Stopping the iteration early requests no further page.
        """
        url: str | None = start or self.listing_url(
            kind, expand=expand, sort=sort, descending=descending, limit=limit
        )
        while url is not None:
            response = self._get(url)
            records = _json(response, url)
            if not isinstance(records, list):
                raise HubError(
                    f"{self.endpoint}{_path(url)} answered {type(records).__name__}, not a list: "
                    "is the endpoint a Hub?"
                )
            next_url = response.links.get("next", {}).get("url")
            if self.recorder is not None:
                self.recorder.add_many(kind, records)
            page = Page(url, records, self._relative(next_url) if next_url else None)
            url = page.next
            yield page

    # --- single calls ---------------------------------------------------------------------

    def get_json(self, name: str, *, missing_ok: bool = False) -> Any:
        """Return the payload of ``GET /api/<name>`` (``tasks``, ``models-tags-by-type``).

        With ``missing_ok``, a 404 answer returns None.
        """
        url = f"/api/{name}"
        try:
            response = self._get(url)
        except HubError as exc:
            cause = exc.__cause__
            if (
                missing_ok
                and isinstance(cause, HfHubHTTPError)
                and cause.response is not None
                and cause.response.status_code == 404
            ):
                return None
            raise
        payload = _json(response, url)
        if self.recorder is not None:
            self.recorder.write_json(name, payload)
        return payload

    def repo_info(self, kind: RepoKind, repo_id: str, *, expand: Sequence[str] = ()) -> dict[str, Any] | None:
        """Return the raw record of one repo (``GET /api/models/{id}``), or None if the Hub has none."""
        url = f"/api/{kind}/{quote(repo_id, safe='/')}"
        if expand:
            url += "?" + urlencode([("expand", e) for e in expand])
        try:
            response = self._get(url)
        except HubError as exc:
            if isinstance(exc.__cause__, RepositoryNotFoundError):
                return None
            raise
        record = _json(response, url)
        if not isinstance(record, dict):
            raise HubError(f"{self.endpoint}{_path(url)} answered {type(record).__name__}, not an object")
        return record

    # --- plumbing -------------------------------------------------------------------------

    def _get(self, url: str) -> httpx2.Response:
        full = self.endpoint + url
        try:
            response = http_backoff(
                "GET",
                full,
                headers=self._headers,
                timeout=self.timeout,
                max_retries=self.max_retries,
                base_wait_time=self.base_wait,
                max_wait_time=self.max_wait,
                retry_on_exceptions=_RETRY_ON,
                retry_on_status_codes=_RETRY_STATUS,
            )
            hf_raise_for_status(response)
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            retried = f" after {self.max_retries} retries" if status in _RETRY_STATUS else ""
            raise HubError(
                f"{self.endpoint}{_path(url)} answered HTTP {status}{retried}: "
                "check the endpoint and token, or run again later (committed pages are kept)"
            ) from exc
        except httpx2.HTTPError as exc:
            raise HubError(
                f"cannot read {self.endpoint}{_path(url)} after {self.max_retries} retries "
                f"({type(exc).__name__}: {exc}): check the endpoint, or run again later (committed pages are kept)"
            ) from exc
        return response

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


def _version() -> str:
    try:
        return version("hf-catalog")
    except PackageNotFoundError:  # run from a source tree that was not installed
        return "unknown"


def _json(response: httpx2.Response, url: str) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise HubError(
            f"{_path(url)} answered invalid JSON ({exc}): run again; if it persists the endpoint is not a Hub"
        ) from None


def _path(url: str) -> str:
    return url.partition("?")[0]

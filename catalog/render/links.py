"""Where a page links to: the explorer's URLs when served, relative file paths when exported.

A page is built once for both: every link goes through a :class:`Links`, so the same template
gives ``/models/meta-llama/Llama-3.1-8B`` on the server and ``../model/meta-llama_...html`` in a
folder opened from disk. An exported folder holds only some pages: a link to one it lacks is
``None``, and the template shows the name as text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import quote, urlsplit

__all__ = [
    "URL_PREFIXES",
    "FileLinks",
    "Links",
    "PageKind",
    "ServerLinks",
    "hub_url",
    "page_path",
    "relative_href",
    "web_url",
]

PageKind = Literal[
    "model", "dataset", "space", "author", "task", "library", "app", "provider", "params", "family", "more"
]

#: The explorer's URL of each kind of page, as ``prefix + id`` (ids keep their slash).
URL_PREFIXES: dict[str, str] = {
    "model": "/models/",
    "dataset": "/datasets/",
    "space": "/spaces/",
    "author": "/authors/",
    "task": "/tasks/",
    "library": "/libraries/",
    "app": "/apps/",
    "provider": "/providers/",
    "params": "/params/",
    "family": "/families/",
    "more": "/more/",
}

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def web_url(kind: str, id: str) -> str:
    """Return the explorer's URL of an entity's page: its id quoted, its slashes kept.

    A path segment ``.`` or ``..`` is quoted too, so that no browser folds it away.

    Examples
    --------
    >>> web_url("model", "meta-llama/Llama-3.1-8B")
    '/models/meta-llama/Llama-3.1-8B'
    >>> web_url("model", 'a/../<b> "c"?#')
    '/models/a/%2E%2E/%3Cb%3E%20%22c%22%3F%23'
    """
    segments = [quote(s, safe="") if s not in (".", "..") else s.replace(".", "%2E") for s in id.split("/")]
    return URL_PREFIXES[kind] + "/".join(segments)


def hub_url(kind: str, id: str) -> str:
    """Return an entity's page on the Hub itself (a link out, marked as external on the page).

    Examples
    --------
    >>> hub_url("model", "org/a model"), hub_url("dataset", "org/d"), hub_url("space", "org/s")
    ('https://huggingface.co/org/a%20model', 'https://huggingface.co/datasets/org/d', 'https://huggingface.co/spaces/org/s')
    """
    prefix = {"dataset": "datasets/", "space": "spaces/"}.get(kind, "")
    return "https://huggingface.co/" + prefix + quote(id, safe="/")


def safe_url(url: object) -> str | None:
    """Return ``url`` when it is an http(s) address to link to, else ``None`` (shown as text).

    Examples
    --------
    >>> safe_url("https://github.com/x"), safe_url("javascript:alert(1)"), safe_url(" JaVaScRiPt:x")
    ('https://github.com/x', None, None)
    """
    if not isinstance(url, str) or any(ord(c) < 33 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def page_path(kind: str, id: str) -> str:
    """Return the path of an entity's page in an exported folder, safe as a file name and a URL.

    Ids that are not plain file names (slashes, spaces, capitals that could collide on a
    case-insensitive disk) get a short hash of the id appended, so two ids never share a page.

    Examples
    --------
    >>> page_path("task", "fill-mask")
    'task/fill-mask.html'
    >>> page_path("family", "meta-llama/Llama-3.1-8B")
    'family/meta-llama_Llama-3.1-8B-69332380.html'
    """
    slug = _SAFE.sub("_", id).strip("._") or "_"
    if slug != id or slug.lower() != slug:
        slug = f"{slug[:80]}-{hashlib.sha1(id.encode()).hexdigest()[:8]}"
    return f"{kind}/{slug}.html"


def relative_href(from_path: str, to_path: str) -> str:
    """Return the link from the file at ``from_path`` to the file at ``to_path`` (both in the folder).

    Examples
    --------
    >>> relative_href("index.html", "task/fill-mask.html")
    'task/fill-mask.html'
    >>> relative_href("task/fill-mask.html", "library/transformers.html")
    '../library/transformers.html'
    """
    return "../" * from_path.count("/") + to_path


class Links(Protocol):
    """How a page names the pages it links to; ``None`` where there is no page to link to."""

    @property
    def search(self) -> str | None:
        """Where the search form goes (the server's ``/search``), ``None`` for the offline index."""

    @property
    def suggest(self) -> str | None:
        """Where the JSON suggestions for the search box come from, ``None`` offline."""

    def to(self, kind: str, id: str) -> str | None:
        """Return the link to the page of ``id`` of ``kind``."""

    def home(self) -> str:
        """Return the link to the ecosystem map."""

    def static(self, name: str) -> str:
        """Return the link to a static file (``vis-network.min.js``, ``explorer.js``)."""

    def root(self) -> str:
        """Return the prefix that makes a folder-relative path a link from this page."""


@dataclass(frozen=True, slots=True)
class ServerLinks:
    """The explorer's own URLs, absolute paths on its host."""

    search: str | None = "/search"
    suggest: str | None = "/api/suggest"

    def to(self, kind: str, id: str) -> str | None:
        return web_url(kind, id) if kind in URL_PREFIXES and id else None

    def home(self) -> str:
        return "/"

    def static(self, name: str) -> str:
        return f"/static/{name}"

    def root(self) -> str:
        return "/"


@dataclass(frozen=True, slots=True)
class FileLinks:
    """Relative links between the files of an exported folder, from the page at ``path``.

    ``exported`` holds the ``(kind, id)`` of every page written; a link to any other is ``None``.
    """

    path: str
    exported: Container[tuple[str, str]]
    search: str | None = None
    suggest: str | None = None

    def to(self, kind: str, id: str) -> str | None:
        if (kind, id) not in self.exported:
            return None
        return relative_href(self.path, page_path(kind, id))

    def home(self) -> str:
        return relative_href(self.path, "index.html")

    def static(self, name: str) -> str:
        return relative_href(self.path, f"static/{name}")

    def root(self) -> str:
        return relative_href(self.path, "")

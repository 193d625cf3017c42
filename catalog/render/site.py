"""The explorer exported as files: the same templates written to a folder that opens offline from disk.

``render_map`` writes the map, every face, the largest families, the folded listings, every model
with at least ``min_downloads`` and the authors of those models, each page with relative links to
the others written (a name whose page is not in the folder is text). The static files go once
into ``static/``: vis-network (from pyvis's package), the page script and style, and
``search-index.js``, the list of pages the search box looks through offline.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.errors import ConfigError
from catalog.graph.lineage import largest_families
from catalog.queries.entity import live_model_ids
from catalog.records import split_node_id
from catalog.render import views
from catalog.render.index import FACE_KINDS
from catalog.render.links import FileLinks, page_path
from catalog.render.page import Page, script_json, static_files
from catalog.render.style import KIND_LABELS
from catalog.store import Store

__all__ = ["MapSummary", "PageSummary", "render_map"]


@dataclass(frozen=True, slots=True)
class PageSummary:
    """One page written: where, about what, how many nodes and edges it draws, how big it is."""

    path: str
    kind: str
    title: str
    nodes: int
    edges: int
    bytes: int


@dataclass(frozen=True, slots=True)
class MapSummary:
    """What :func:`render_map` wrote: the folder, every page, and how long it took."""

    out_dir: Path
    pages: tuple[PageSummary, ...]
    seconds: float
    static_bytes: int = 0

    @property
    def index(self) -> Path:
        """The ecosystem map, the page to open first."""
        return self.out_dir / "index.html"

    @property
    def total_bytes(self) -> int:
        """The bytes of every page and of the static files."""
        return sum(p.bytes for p in self.pages) + self.static_bytes

    @property
    def largest(self) -> PageSummary:
        """The biggest page file."""
        return max(self.pages, key=lambda p: (p.bytes, p.path))

    def count(self, kind: str) -> int:
        """Return how many pages of ``kind`` (``index``, ``task``, ``model``, ...) were written."""
        return sum(1 for p in self.pages if p.kind == kind)


def render_map(
    store: Store,
    out_dir: str | Path,
    *,
    families: int = 20,
    max_nodes: int = 5000,
    min_downloads: int = 0,
    progress: Callable[[int], None] | None = None,
) -> MapSummary:
    """Write the explorer's pages for ``store`` into ``out_dir``, to open offline from disk.

    Examples
    --------
    >>> import tempfile
    >>> from catalog.graph.demo import demo_store
    >>> summary = render_map(demo_store(), tempfile.mkdtemp())
    >>> summary.count("index"), summary.count("task"), summary.count("family"), summary.count("model")
    (1, 3, 2, 9)
    """
    if max_nodes < 10:
        raise ConfigError(f"max_nodes must be 10 or more, got {max_nodes}")
    if families < 0:
        raise ConfigError(f"families must be 0 or more, got {families}")
    if min_downloads < 0:
        raise ConfigError(f"min_downloads must be 0 or more, got {min_downloads}")
    started = time.perf_counter()
    out = Path(out_dir)
    faces = views.faces_graph(store)
    roots = largest_families(store, families) if families else []
    models = list(live_model_ids(store, min_downloads))
    authors = sorted({m.partition("/")[0] for m in models if "/" in m})
    exported: set[tuple[str, str]] = {("index", "")}
    exported |= {(str(d["kind"]), split_node_id(str(n))[1]) for n, d in faces.nodes(data=True)}
    exported |= {("more", kind) for kind in FACE_KINDS}
    exported |= {("family", root) for root, _ in roots}
    exported |= {("model", m) for m in models} | {("author", a) for a in authors}

    written: list[PageSummary] = []

    def write(path: str, kind: str, build: Callable[..., Page], *args: Any) -> None:
        page = build(*args, FileLinks(path, exported))
        data = page.html().encode()
        target = out / path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as exc:  # a path that is a file, a folder that cannot be made or written
            raise ConfigError(
                f"cannot write {str(target)!r} ({exc.strerror}): choose another folder"
            ) from None
        written.append(PageSummary(path, kind, page.title, len(page.nodes), len(page.edges), len(data)))
        if progress is not None:
            progress(len(written))

    write("index.html", "index", views.map_view, store, faces, list(roots))
    for face in FACE_KINDS:
        write(page_path("more", face), "listing", views.listing_view, faces, face)
    for node, data in sorted(faces.nodes(data=True)):
        kind, id = str(data["kind"]), split_node_id(str(node))[1]
        write(page_path(kind, id), kind, views.face_view, store, faces, kind, id)
    for root, _ in roots:
        write(page_path("family", root), "family", views.family_view, store, root)
    for model in models:
        write(page_path("model", model), "model", views.model_view, store, model)
    for author in authors:
        write(page_path("author", author), "author", views.author_view, store, author)
    static = _write_static(out, _index_entries(faces, roots, models, authors))
    return MapSummary(out, tuple(written), time.perf_counter() - started, static)


def _index_entries(
    faces: object, roots: list[tuple[str, int]], models: list[str], authors: list[str]
) -> Iterator[list[str]]:
    import networkx as nx

    assert isinstance(faces, nx.Graph)
    for node, data in sorted(faces.nodes(data=True)):
        kind, id = str(data["kind"]), split_node_id(str(node))[1]
        label = str(data.get("label") or id)
        name = label if label == id else f"{label} ({id})"
        yield [name, KIND_LABELS.get(kind, kind).lower(), page_path(kind, id)]
    for root, _ in roots:
        yield [root, "family", page_path("family", root)]
    for model in models:
        yield [model, "model", page_path("model", model)]
    for author in authors:
        yield [author, "author", page_path("author", author)]


def _write_static(out: Path, entries: Iterator[list[str]]) -> int:
    folder = out / "static"
    folder.mkdir(parents=True, exist_ok=True)
    size = 0
    for name, source in static_files().items():
        shutil.copyfile(source, folder / name)
        size += (folder / name).stat().st_size
    # A script, not JSON to fetch: a page opened from disk may load scripts but not fetch files.
    index = folder / "search-index.js"
    index.write_text(f"window.CATALOG_PAGES = {script_json(list(entries))};\n", encoding="utf-8")
    return size + index.stat().st_size

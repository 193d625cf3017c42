"""The whole map: every page written to one folder, from the graph layer's views of a store."""

from __future__ import annotations

import time
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from catalog.errors import ConfigError
from catalog.graph.faces import build_faces_graph
from catalog.graph.lineage import family_tree, largest_families
from catalog.graph.neighbourhood import face_neighbourhood
from catalog.render.face import ego_page, face_page
from catalog.render.index import FACE_KINDS, index_page
from catalog.render.lineage import lineage_page
from catalog.render.listing import listing_page
from catalog.render.page import Page, page_path, write_page
from catalog.render.style import KIND_LABELS
from catalog.store import Store

__all__ = ["MapSummary", "PageSummary", "render_map"]

#: Faces whose pages show their top models (``face_neighbourhood``); parameter buckets show
#: the faces they go with instead.
NEIGHBOURHOOD_KINDS = ("task", "library", "app", "provider")


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

    @property
    def index(self) -> Path:
        """The ecosystem map, the page to open first."""
        return self.out_dir / "index.html"

    @property
    def total_bytes(self) -> int:
        return sum(p.bytes for p in self.pages)

    @property
    def largest(self) -> PageSummary:
        """The page with the most nodes (the heaviest to draw)."""
        return max(self.pages, key=lambda p: (p.nodes, p.bytes))

    def count(self, kind: str) -> int:
        """Return how many pages of ``kind`` (``index``, ``task``, ``lineage``, ...) were written."""
        return sum(1 for p in self.pages if p.kind == kind)


def render_map(
    store: Store,
    out_dir: str | Path,
    *,
    families: int = 20,
    max_nodes: int = 5000,
    neighbours: int = 50,
) -> MapSummary:
    """Write the ecosystem map of ``store`` into ``out_dir``: self-contained pages, nothing fetched.

    ``index.html`` draws the five faces; each task, library, app, provider and parameter bucket
    has a page of its own (faces that no model touches get a short page without a graph), and
    the ``families`` largest lineage families get a family tree each. No page draws more than
    ``max_nodes`` nodes; face pages show the ``neighbours`` most downloaded models.

    Examples
    --------
    >>> import tempfile
    >>> from catalog.graph.demo import demo_store
    >>> summary = render_map(demo_store(), tempfile.mkdtemp())
    >>> summary.count("index"), summary.count("task"), summary.count("lineage")
    (1, 3, 2)
    """
    if max_nodes < 10:
        raise ConfigError(f"max_nodes must be 10 or more, got {max_nodes}")
    if families < 0:
        raise ConfigError(f"families must be 0 or more, got {families}")
    if neighbours < 1:
        raise ConfigError(f"neighbours must be 1 or more, got {neighbours}")
    started = time.perf_counter()
    out = Path(out_dir)
    faces = build_faces_graph(store)
    pages = {
        n: page_path(d["kind"], n.partition(":")[2])
        for n, d in faces.nodes(data=True)
        if d.get("kind") in FACE_KINDS
    }
    roots = largest_families(store, families) if families else []
    family_pages = [(root, size, page_path("lineage", root)) for root, size in roots]

    written: list[PageSummary] = []

    def write(page: Page, kind: str) -> None:
        try:
            size = write_page(out, page)
        except OSError as exc:  # a path that is a file, a folder that cannot be made or written
            raise ConfigError(
                f"cannot write {str(out / page.path)!r} ({exc.strerror}): choose another folder"
            ) from None
        written.append(PageSummary(page.path, kind, page.title, len(page.nodes), len(page.edges), size))

    def page_of(node: Hashable) -> str | None:
        if isinstance(node, str) and node.startswith("more:") and node[5:] in FACE_KINDS:
            return f"more/{node[5:]}.html"
        return pages.get(node)

    index = index_page(
        faces, page_of, search=_search(faces, pages, family_pages), families=family_pages, max_nodes=max_nodes
    )
    write(index, "index")
    for node in (n["id"] for n in index.nodes if str(n["id"]).startswith("more:")):
        kind = node.partition(":")[2]
        write(_folded_listing(faces, kind, pages), "listing")

    for node, data in sorted(faces.nodes(data=True)):
        kind, id = data.get("kind"), node.partition(":")[2]
        if kind not in FACE_KINDS:
            continue
        if not data.get("count"):
            write(
                listing_page(
                    pages[node],
                    f"{KIND_LABELS[kind]}: {data.get('label') or id}",
                    [],
                    note="No model in the catalog touches it.",
                ),
                kind,
            )
        elif kind in NEIGHBOURHOOD_KINDS:
            neighbourhood = face_neighbourhood(store, kind, id, limit=neighbours)  # type: ignore[arg-type]
            write(face_page(neighbourhood, node, pages[node], page_of, faces=faces), kind)
        else:
            write(ego_page(faces, node, pages[node], page_of), kind)

    for root, _, path in family_pages:
        tree = family_tree(store, root, direction="down")
        write(lineage_page(tree, f"model:{root}", path, max_nodes=max_nodes), "lineage")
    return MapSummary(out, tuple(written), time.perf_counter() - started)


def _search(
    faces: nx.Graph, pages: dict[str, str], families: list[tuple[str, int, str]]
) -> list[dict[str, str]]:
    entries = []
    for node, path in sorted(pages.items()):
        data = faces.nodes[node]
        id = node.partition(":")[2]
        label = str(data.get("label") or id)
        name = label if label == id else f"{label} ({id})"
        entries.append({"name": name, "kind": KIND_LABELS[data["kind"]].lower(), "href": path})
    entries += [{"name": root, "kind": "family", "href": path} for root, _, path in families]
    return entries


def _folded_listing(faces: nx.Graph, kind: str, pages: dict[str, str]) -> Page:
    rows = sorted(
        (
            (str(d.get("label") or n), pages.get(n), d.get("count") or 0)
            for n, d in faces.nodes(data=True)
            if d.get("kind") == kind
        ),
        key=lambda r: (-r[2], r[0]),
    )
    plural = {"library": "libraries", "params": "parameter buckets"}.get(kind, f"{kind}s")
    return listing_page(
        f"more/{kind}.html",
        f"All {plural}",
        rows,
        note=f"Every {KIND_LABELS.get(kind, kind).lower()} of the catalog, by models touching it.",
    )

"""Every page of the explorer, built from a store: what the server serves and the export writes.

Each view asks the query layer (and ``graph/`` for graphs) and hands rows to a page builder; the
same view serves ``/models/{id}`` and writes ``model/....html``, only its :class:`Links` differ.
An id the catalog does not hold raises :class:`~catalog.errors.NotFound` with close matches.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from catalog.errors import NotFound
from catalog.graph.faces import build_faces_graph
from catalog.graph.lineage import family_tree
from catalog.graph.neighbourhood import face_neighbourhood
from catalog.queries.entity import (
    LineageRow,
    author_detail,
    bases_of,
    child_counts,
    dataset_detail,
    face_urls,
    model_detail,
    sku_memories,
    space_detail,
    top_children,
)
from catalog.queries.models import SearchRow, search_models
from catalog.records import PARAM_BUCKETS, split_node_id
from catalog.render.face import ego_page, face_page
from catalog.render.index import FACE_KINDS, index_page
from catalog.render.lineage import lineage_page
from catalog.render.links import Links, hub_url
from catalog.render.listing import listing_page
from catalog.render.model import model_page
from catalog.render.page import Page
from catalog.render.style import KIND_LABELS
from catalog.store import Store

__all__ = [
    "PLURALS",
    "author_view",
    "dataset_view",
    "face_view",
    "family_view",
    "listing_view",
    "map_view",
    "model_view",
    "not_found_page",
    "search_view",
    "space_view",
]

PLURALS = {
    "task": "tasks",
    "library": "libraries",
    "app": "apps",
    "provider": "providers",
    "params": "parameter buckets",
}
#: Children drawn on a model page: of the model, and of each of its first children.
CHILDREN, GRANDCHILDREN, PARENTS_OF_GRANDCHILDREN = 30, 4, 8
#: Generations of bases walked up, and bases drawn at most.
UP_DEPTH, UP_NODES = 8, 60


def map_view(store: Store, faces: nx.Graph, families: list[tuple[str, int]], links: Links) -> Page:
    """Return the ecosystem map: the five faces, and the largest families listed."""
    return index_page(faces, links, families=families)


def face_view(store: Store, faces: nx.Graph, kind: str, id: str, links: Links) -> Page:
    """Return the page of a task, library, app, provider or parameter bucket."""
    node = f"{kind}:{id}"
    if node not in faces:
        raise NotFound(kind, id, _close(faces, kind, id))
    if kind == "params":
        return ego_page(faces, node, links)
    neighbourhood = face_neighbourhood(store, kind, id, limit=50)  # type: ignore[arg-type]
    page = face_page(neighbourhood, node, links, faces=faces)
    page.context["urls"] = face_urls(store, kind, id)
    return page


def _close(faces: nx.Graph, kind: str, id: str) -> list[str]:
    import difflib

    ids = [split_node_id(str(n))[1] for n, d in faces.nodes(data=True) if d.get("kind") == kind]
    return difflib.get_close_matches(id, ids, n=3, cutoff=0.6)


def listing_view(faces: nx.Graph, kind: str, links: Links) -> Page:
    """Return the page listing every face of ``kind`` by the models touching it."""
    if kind not in FACE_KINDS:
        raise NotFound("kind of face", kind, [k for k in FACE_KINDS if k.startswith(kind[:1])])
    rows = sorted(
        (
            (kind, split_node_id(str(n))[1], str(d.get("label") or n), d.get("count") or 0)
            for n, d in faces.nodes(data=True)
            if d.get("kind") == kind
        ),
        key=lambda r: (-r[3], r[2]),
    )
    note = f"Every {KIND_LABELS.get(kind, kind).lower()} of the catalog, by models touching it."
    return listing_page(f"All {PLURALS[kind]}", rows, links, note=note)


def family_view(store: Store, root: str, links: Links, *, max_nodes: int = 5000) -> Page:
    """Return the family tree below ``root``."""
    tree = family_tree(store, root, direction="down")
    return lineage_page(tree, f"model:{root}", links, max_nodes=max_nodes)


def model_view(store: Store, model_id: str, links: Links) -> Page:
    """Return the page of a model: faces, lineage up and down, datasets, Spaces, fit, history."""
    detail = model_detail(store, model_id)
    up: list[LineageRow] = []
    seen, frontier = {model_id}, [model_id]
    for _ in range(UP_DEPTH):
        rows = bases_of(store, frontier)
        frontier = []
        for row in rows:
            up.append(row)
            if row.base_id not in seen and len(seen) < UP_NODES:
                seen.add(row.base_id)
                if row.in_catalog:
                    frontier.append(row.base_id)
        if not frontier:
            break
    down = top_children(store, [model_id], CHILDREN)
    down = [c for c in down if c.id not in seen]
    first = [c.id for c in down[:PARENTS_OF_GRANDCHILDREN]]
    grand = [
        c
        for c in top_children(store, first, GRANDCHILDREN)
        if c.id not in seen and c.id not in {d.id for d in down}
    ]
    counts = child_counts(store, [model_id, *first])
    return model_page(detail, up, down + grand, counts, links, skus=sku_memories())


def dataset_view(store: Store, dataset_id: str, links: Links) -> Page:
    """Return the page of a dataset: its figures, the models trained on it, the Spaces using it."""
    detail = dataset_detail(store, dataset_id)
    context = {"d": detail, "hub": hub_url("dataset", dataset_id)}
    return Page("dataset", dataset_id, links, context)


def space_view(store: Store, space_id: str, links: Links) -> Page:
    """Return the page of a Space: its figures and the models and datasets it uses."""
    detail = space_detail(store, space_id)
    return Page("space", space_id, links, {"s": detail, "hub": hub_url("space", space_id)})


def author_view(store: Store, author: str, links: Links) -> Page:
    """Return the page of an author: the most downloaded of their models, their datasets and Spaces."""
    detail = author_detail(store, author)
    models = search_models(store, author=author, limit=50)
    return Page("author", author, links, {"a": detail, "models": models, "hub": hub_url("model", author)})


def search_view(
    rows: list[SearchRow], facets: dict[str, Any], links: Links, *, offset: int, limit: int
) -> Page:
    """Return the search page: the form with the facets given, and one page of models."""
    text = facets.get("text") or ""
    title = f"Models matching {text!r}" if text else "Search models"
    context = {
        "rows": rows,
        "facets": facets,
        "query": text,
        "offset": offset,
        "limit": limit,
        "buckets": [b[0] for b in PARAM_BUCKETS],
    }
    return Page("search", title, links, context)


def not_found_page(error: NotFound, links: Links) -> Page:
    """Return the page of an id the catalog does not hold, with its close matches linked."""
    kind = {"author": "author", "dataset": "dataset", "space": "space"}.get(error.kind, error.kind)
    context = {"error": str(error), "kind": kind, "suggestions": error.suggestions}
    return Page("notfound", "Not in the catalog", links, context)


def faces_graph(store: Store) -> nx.Graph:
    """Return the faces graph of ``store`` (every count of the map in a few ``GROUP BY`` queries)."""
    return build_faces_graph(store)

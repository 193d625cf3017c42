"""Influence: PageRank of base models over the lineage, and the reach of each face value.

PageRank runs on the live lineage graph (child -> base), personalised by downloads: a model's
own downloads are its prior, and derivatives pass their rank on to their bases, so a base ranks
high when much-downloaded models derive from it. It is computed with numpy (power iteration on
edge arrays) since networkx's own ``pagerank`` needs scipy, and a million models fit in a few
arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from catalog.graph.cooccurrence import Face, face_counts
from catalog.graph.faces import face_labels
from catalog.graph.lookup import check_limit, fetch
from catalog.store import Store

__all__ = ["lineage_pagerank", "pagerank_arrays", "reach"]

_LINEAGE = """
SELECT l.model_id, l.base_model_id, COALESCE(c.downloads, 0), COALESCE(b.downloads, 0)
  FROM model_lineage l
  JOIN models c ON c.id = l.model_id AND c.deleted_at IS NULL
  LEFT JOIN models b ON b.id = l.base_model_id AND b.deleted_at IS NULL
"""


def pagerank_arrays(
    src: np.ndarray,
    dst: np.ndarray,
    prior: np.ndarray,
    *,
    alpha: float = 0.85,
    tol: float = 1e-12,
    max_iter: int = 1000,
) -> np.ndarray:
    """Return the PageRank of ``len(prior)`` nodes joined by edges ``src[i] -> dst[i]``.

    ``prior`` (non-negative, not all zero) is both the teleport and the dangling-node
    distribution, as in ``networkx.pagerank(personalization=...)``; parallel edges add up.

    Examples
    --------
    >>> rank = pagerank_arrays(np.array([0, 1]), np.array([2, 2]), np.ones(3))
    >>> [round(float(r), 4) for r in rank]
    [0.2128, 0.2128, 0.5745]
    """
    n = len(prior)
    p = prior / prior.sum()
    out = np.bincount(src, minlength=n).astype(float)
    share = 1.0 / out[src] if len(src) else np.zeros(0)
    dangling = out == 0
    rank = p.copy()
    for _ in range(max_iter):
        spread = np.bincount(dst, weights=rank[src] * share, minlength=n)
        new = alpha * (spread + rank[dangling].sum() * p) + (1 - alpha) * p
        done = np.abs(new - rank).sum() < tol
        rank = new
        if done:
            break
    return rank


def lineage_pagerank(store: Store, *, alpha: float = 0.85, limit: int | None = 20) -> list[dict[str, Any]]:
    """Rank base models by PageRank over the lineage, weighted by downloads; most influential first.

    Each row has ``model_id``, ``pagerank``, ``downloads`` (its own) and ``derivatives`` (models
    that name it as a base). Only models with derivatives are ranked.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r["model_id"], r["derivatives"]) for r in lineage_pagerank(demo_store())]
    [('meta/llama-7b', 2), ('mistralai/mistral-7b', 1), ('alice/llama-7b-chat', 2)]
    """
    check_limit(limit)
    rows = fetch(store, _LINEAGE)
    index: dict[str, int] = {}
    downloads: list[int] = []
    src, dst = [], []
    for child, base, child_downloads, base_downloads in rows:
        for id, d in ((child, child_downloads), (base, base_downloads)):
            if id not in index:
                index[id] = len(index)
                downloads.append(d)
        src.append(index[child])
        dst.append(index[base])
    if not index:
        return []
    # +1 so that a base the catalog does not hold (0 downloads) still has a prior.
    prior = np.array(downloads, dtype=float) + 1
    rank = pagerank_arrays(np.array(src), np.array(dst), prior, alpha=alpha)
    derivatives = np.bincount(np.array(dst), minlength=len(index))
    ids = list(index)
    bases = [i for i in range(len(ids)) if derivatives[i] > 0]
    bases.sort(key=lambda i: (-rank[i], ids[i]))
    return [
        {
            "model_id": ids[i],
            "pagerank": float(rank[i]),
            "downloads": downloads[i],
            "derivatives": int(derivatives[i]),
        }
        for i in bases[:limit]
    ]


def reach(store: Store, face: Face) -> list[dict[str, Any]]:
    """Rank the values of a face (task, library, params, provider, app) by the live models they reach.

    Each row has ``id``, ``label``, ``models``, ``downloads`` (of those models) and ``share``
    (of all live models).

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r["id"], r["models"], round(r["share"], 3)) for r in reach(demo_store(), "app")]
    [('vllm', 4, 0.444), ('llama.cpp', 1, 0.111), ('ollama', 1, 0.111)]
    """
    total = fetch(store, "SELECT COUNT(*) FROM models WHERE deleted_at IS NULL")[0][0] or 1
    labels = face_labels(store, face)
    return [
        {"id": value, "label": labels.get(value, value), "models": n, "downloads": d, "share": n / total}
        for value, n, d in face_counts(store, face)
    ]

"""Influence: PageRank of base models over the lineage, personalised by downloads.

PageRank runs on the live lineage graph (child -> base): a model's own downloads are its prior,
and derivatives pass their rank on to their bases, so a base ranks high when much-downloaded
models derive from it. It is computed with numpy (power iteration on edge arrays) since
networkx's own ``pagerank`` needs scipy, and a million models fit in a few arrays.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from catalog.queries.lineage import weighted_link_rows
from catalog.queries.read import check_limit
from catalog.store import Store

__all__ = ["Influence", "lineage_pagerank", "pagerank_arrays"]


@dataclass(frozen=True, slots=True)
class Influence:
    """A base model, its PageRank, its own downloads, and the models that name it as a base."""

    model_id: str
    pagerank: float
    downloads: int
    derivatives: int


def pagerank_arrays(
    src: npt.NDArray[Any],
    dst: npt.NDArray[Any],
    prior: npt.NDArray[Any],
    *,
    alpha: float = 0.85,
    tol: float = 1e-12,
    max_iter: int = 1000,
) -> npt.NDArray[np.float64]:
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
    rank: npt.NDArray[np.float64] = p.astype(np.float64)
    for _ in range(max_iter):
        spread = np.bincount(dst, weights=rank[src] * share, minlength=n)
        new = alpha * (spread + rank[dangling].sum() * p) + (1 - alpha) * p
        done = np.abs(new - rank).sum() < tol
        rank = new
        if done:
            break
    return rank


def lineage_pagerank(store: Store, *, alpha: float = 0.85, limit: int | None = 20) -> list[Influence]:
    """Rank base models by PageRank over the lineage, weighted by downloads; most influential first.

    Only models with derivatives are ranked.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r.model_id, r.derivatives) for r in lineage_pagerank(demo_store())]
    [('meta/llama-7b', 2), ('mistralai/mistral-7b', 1), ('alice/llama-7b-chat', 2)]
    """
    check_limit(limit)
    index: dict[str, int] = {}  # each model's number, in the order first met
    downloads: dict[str, int] = {}  # the same keys in the same order: numbers are positions
    number = index.setdefault
    src, dst = array("q"), array("q")
    for child, base, child_downloads, base_downloads in weighted_link_rows(store):
        src.append(number(child, len(index)))
        downloads[child] = child_downloads
        dst.append(number(base, len(index)))
        downloads[base] = base_downloads
    if not index:
        return []
    # +1 so that a base the catalog does not hold (0 downloads) still has a prior.
    prior = np.fromiter(downloads.values(), dtype=float, count=len(index)) + 1
    edges_to = np.frombuffer(dst, dtype=np.int64)
    rank = pagerank_arrays(np.frombuffer(src, dtype=np.int64), edges_to, prior, alpha=alpha)
    derivatives = np.bincount(edges_to, minlength=len(index))
    bases = np.flatnonzero(derivatives)
    if limit is not None and 0 < limit < len(bases):  # the top ones only, and any tied with the last
        cut = np.partition(rank[bases], len(bases) - limit)[len(bases) - limit]
        bases = bases[rank[bases] >= cut]
    ids = list(index)
    top = sorted(bases.tolist(), key=lambda i: (-rank[i], ids[i]))[:limit]
    return [Influence(ids[i], float(rank[i]), int(prior[i]) - 1, int(derivatives[i])) for i in top]

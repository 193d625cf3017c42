"""Influence: PageRank of base models over the lineage, personalised by downloads.

PageRank runs on the live lineage graph (child -> base): a model's own downloads are its prior,
and derivatives pass their rank on to their bases, so a base ranks high when much-downloaded
models derive from it. It is computed with numpy (power iteration on edge arrays) since
networkx's own ``pagerank`` needs scipy, and a million models fit in a few arrays.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, delete, insert, text

from catalog.queries.lineage import kept_influence, weighted_links
from catalog.queries.read import check_limit
from catalog.records import chunks
from catalog.schema import LineageInfluence
from catalog.store import Store
from catalog.store.summary import WEIGHTED_LINKS

__all__ = ["ALPHA", "Influence", "keep_influence", "lineage_pagerank", "pagerank_arrays", "rank_links"]

#: The damping factor (networkx's default), the one ``lineage_influence`` is kept at.
ALPHA = 0.85


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


def lineage_pagerank(store: Store, *, alpha: float = ALPHA, limit: int | None = 20) -> list[Influence]:
    """Rank base models by PageRank over the lineage, weighted by downloads; most influential first.

    Only models with derivatives are ranked. At the default ``alpha`` the ranking the last crawl
    kept (``lineage_influence``, see :mod:`catalog.store.summary`) is read while it is current; else
    it is computed from the links.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> [(r.model_id, r.derivatives) for r in lineage_pagerank(demo_store())]
    [('meta/llama-7b', 2), ('mistralai/mistral-7b', 1), ('alice/llama-7b-chat', 2)]
    """
    check_limit(limit)
    if limit == 0:  # else an empty kept ranking would read as none kept, and be computed
        return []
    if alpha == ALPHA and (kept := kept_influence(store, limit)) is not None:
        return [Influence(*row) for row in kept]
    return rank_links(weighted_links(store), alpha=alpha, limit=limit)


def rank_links(
    links: Iterable[tuple[str, str, int, int]], *, alpha: float = ALPHA, limit: int | None = None
) -> list[Influence]:
    """Rank the bases of ``(child, base, child downloads, base downloads)`` links, as :func:`lineage_pagerank`.

    Examples
    --------
    >>> [(r.model_id, r.derivatives) for r in rank_links([("b", "a", 5, 1), ("c", "a", 1, 1), ("a", "x", 1, 0)])]
    [('a', 2), ('x', 1)]
    """
    index: dict[str, int] = {}  # each model's number, in the order first met
    downloads: dict[str, int] = {}  # the same keys in the same order: numbers are positions
    number = index.setdefault
    src, dst = array("q"), array("q")
    # In key order: float sums depend on the order of their terms, and two databases (or plans) give
    # the same links in different orders; sorted, the ranks are the same to the last bit. As plain
    # tuples: 840,000 driver rows sort in 21 s, their tuples in 1.5 s.
    ordered: list[tuple[str, str, int, int]] = sorted(map(tuple, links))  # type: ignore[arg-type]
    for child, base, child_downloads, base_downloads in ordered:
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
    ids, ranks = list(index), rank.tolist()  # Python floats: numpy's scalars compare slowly
    top = sorted(bases.tolist(), key=lambda i: (-ranks[i], ids[i]))[:limit]
    return [Influence(ids[i], ranks[i], int(prior[i]) - 1, int(derivatives[i])) for i in top]


def keep_influence(conn: Connection) -> int:
    """Rank ``lineage_influence`` again from the live links, in ``conn``'s transaction; return the bases ranked.

    The crawl calls it when it has counted the faces summary (:func:`catalog.store.summary.refresh_faces`,
    which empties the table), so that :func:`lineage_pagerank` reads the ranking while the summary
    is current.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> from catalog.store.summary import refresh_faces
    >>> store = demo_store()
    >>> with store.engine.begin() as conn:
    ...     _ = refresh_faces(conn)
    ...     keep_influence(conn)
    3
    """
    ranked = rank_links(conn.execute(text(WEIGHTED_LINKS)).all())
    conn.execute(delete(LineageInfluence))
    for chunk in chunks(list(enumerate(ranked, start=1)), 10_000):
        rows = [
            {
                "rank": n,
                "model_id": r.model_id,
                "pagerank": r.pagerank,
                "downloads": r.downloads,
                "derivatives": r.derivatives,
            }
            for n, r in chunk
        ]
        conn.execute(insert(LineageInfluence), rows)
    return len(ranked)

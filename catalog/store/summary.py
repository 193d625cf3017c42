"""The faces summary: live models and downloads per face value and per pair of values, kept in the store.

Counting the five faces (task, library, app, provider, parameter bucket) over every live model reads
the whole ``models`` table: minutes at a million models. ``face_values`` and ``face_pairs`` hold the
answer instead, counted again in one set-based pass (``INSERT ... SELECT ... GROUP BY``) at the end
of every crawl, and so is ``lineage_families`` (each lineage root and how many models descend from
it: the map's largest families); ``face_summary`` says at which crawl run. A crawl then also ranks
``lineage_influence`` (every base model's PageRank over the lineage,
:func:`catalog.graph.influence.keep_influence`: at 2M models, reading the links for it takes 5-12 s,
reading the kept ranking milliseconds); a count by other means empties it. The summary is current
while no crawl run has ended (finished, failed or abandoned) after that one; a run still going does not count, so
readers keep the last crawl's numbers meanwhile. Rows written by other means than a crawl (a test's
fixture, the demo catalog) leave no summary, or an old one: call :func:`refresh_faces` after them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, delete, func, insert, select, text

from catalog.records import FACES, PARAM_BUCKETS, Face, chunks
from catalog.schema import CrawlRun, FacePair, FaceSummary, FaceValue, LineageFamily, LineageInfluence

__all__ = ["LIVE_LINKS", "WEIGHTED_LINKS", "faces_current", "family_sizes", "refresh_faces"]

#: ``(child, base)`` of every lineage link whose child is live.
LIVE_LINKS = (
    "SELECT l.model_id, l.base_model_id FROM model_lineage l"
    " JOIN models m ON m.id = l.model_id AND m.deleted_at IS NULL"
)
#: ``(child, base, child's downloads, base's downloads)`` of every lineage link whose child is live
#: (0 downloads: none counted, or a base the catalog does not hold).
WEIGHTED_LINKS = (
    "SELECT l.model_id, l.base_model_id, COALESCE(c.downloads, 0), COALESCE(b.downloads, 0)"
    " FROM model_lineage l JOIN models c ON c.id = l.model_id AND c.deleted_at IS NULL"
    " LEFT JOIN models b ON b.id = l.base_model_id AND b.deleted_at IS NULL"
)


def _bucket(column: str) -> str:
    whens = " ".join(
        f"WHEN {column} < {high} THEN '{id}'" for id, _, high in PARAM_BUCKETS if high is not None
    )
    return f"CASE {whens} WHEN {column} IS NOT NULL THEN '{PARAM_BUCKETS[-1][0]}' END"


_SUM = "CAST(SUM(COALESCE(m.downloads, 0)) AS BIGINT)"
# Four GROUP BYs over the live models, kept in a temporary table (``cube`` names which) from which
# every count and pair is summed: the single-valued faces of a model together, each multi-valued
# face (a row per model and value) with them, and the two multi-valued faces together: a few
# thousand rows, whatever the number of models. Each reads ``ix_models_faces`` and no model row: the
# links look their models up in it, and the single-valued faces scan it whole (``|| ''`` changes no
# value, but keeps SQLite from walking ``ix_models_pipeline_tag`` in order, which reads every row).
_CUBES = f"""
CREATE TEMPORARY TABLE face_cubes AS
SELECT 'single' AS cube, CAST(NULL AS VARCHAR) AS provider, CAST(NULL AS VARCHAR) AS app,
       m.pipeline_tag || '' AS task, m.library_name || '' AS library, {_bucket("m.num_parameters")} AS params, COUNT(*) AS n, {_SUM} AS d
  FROM models m WHERE m.deleted_at IS NULL GROUP BY 4, 5, 6
UNION ALL
SELECT 'provider', p.provider_id, NULL, m.pipeline_tag, m.library_name, {_bucket("m.num_parameters")}, COUNT(*), {_SUM}
  FROM model_providers p JOIN models m ON m.id = p.model_id WHERE m.deleted_at IS NULL GROUP BY 2, 4, 5, 6
UNION ALL
SELECT 'app', NULL, a.app_id, m.pipeline_tag, m.library_name, {_bucket("m.num_parameters")}, COUNT(*), {_SUM}
  FROM model_apps a JOIN models m ON m.id = a.model_id WHERE m.deleted_at IS NULL GROUP BY 3, 4, 5, 6
UNION ALL
SELECT 'provider_app', p.provider_id, a.app_id, NULL, NULL, NULL, COUNT(*), {_SUM}
  FROM model_providers p JOIN models m ON m.id = p.model_id JOIN model_apps a ON a.model_id = m.id
 WHERE m.deleted_at IS NULL GROUP BY 2, 3"""
_MULTI: tuple[Face, ...] = ("provider", "app")


def _cube(*faces: Face) -> str:
    multi = [f for f in _MULTI if f in faces]
    return "provider_app" if len(multi) == 2 else multi[0] if multi else "single"


def _values_sql() -> str:
    parts = [
        f"SELECT '{f}', {f}, SUM(n), SUM(d) FROM face_cubes WHERE cube = '{_cube(f)}' AND {f} IS NOT NULL GROUP BY {f}"
        for f in FACES
    ]
    return "INSERT INTO face_values (face, value, models, downloads)\n" + "\nUNION ALL ".join(parts)


def _pairs_sql() -> str:
    parts = [
        f"SELECT '{a}', {a}, '{b}', {b}, SUM(n), SUM(d) FROM face_cubes"
        f" WHERE cube = '{_cube(a, b)}' AND {a} IS NOT NULL AND {b} IS NOT NULL GROUP BY {a}, {b}"
        for i, a in enumerate(FACES)
        for b in FACES[i + 1 :]
    ]
    columns = "face_a, value_a, face_b, value_b, models, downloads"
    return f"INSERT INTO face_pairs ({columns})\n" + "\nUNION ALL ".join(parts)


_STATEMENTS = [text(sql) for sql in (_CUBES, _values_sql(), _pairs_sql(), "DROP TABLE face_cubes")]


def family_sizes(links: Iterable[tuple[str, str]]) -> list[tuple[str, int]]:
    """Return ``(root, descendants)`` for every root of the ``(child, base)`` links, largest first.

    A root is a base that is no link's child; its descendants are the models that reach it through
    their bases (a merge's model counts in each of its roots' families).

    Examples
    --------
    >>> family_sizes([("b", "a"), ("c", "b"), ("m", "a"), ("m", "x"), ("q", "p")])
    [('a', 3), ('p', 1), ('x', 1)]
    """
    children: dict[str, list[str]] = {}
    for child, base in links:
        children.setdefault(base, []).append(child)
    is_child = {child for kids in children.values() for child in kids}
    sizes = []
    for root in children.keys() - is_child:
        seen: set[str] = set()
        stack = [root]
        while stack:  # each model is stacked once a root: bounded by the links
            for child in children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        sizes.append((root, len(seen)))
    sizes.sort(key=lambda item: (-item[1], item[0]))
    return sizes


def refresh_faces(conn: Connection, run_id: int | None = None) -> int:
    """Count the faces summary again from the live models, in ``conn``'s transaction; return the live models.

    ``run_id`` is the crawl run the summary is of (``None``: the newest run that has ended, if any).

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> store = demo_store()
    >>> with store.engine.begin() as conn:
    ...     refresh_faces(conn), faces_current(conn)
    (9, True)
    >>> store.query("SELECT models, downloads FROM face_values WHERE face = 'app' AND value = 'vllm'").rows
    [(4, 3000)]
    """
    if run_id is None:
        run_id = conn.execute(select(func.max(CrawlRun.id)).where(CrawlRun.status != "running")).scalar()
    conn.execute(delete(FaceValue))
    conn.execute(delete(FacePair))
    for statement in _STATEMENTS:
        conn.execute(statement)
    conn.execute(delete(LineageFamily))
    families = family_sizes((child, base) for child, base in conn.execute(text(LIVE_LINKS)))
    for batch in chunks(families, 10_000):
        conn.execute(insert(LineageFamily), [{"root_id": r, "descendants": n} for r, n in batch])
    # Ranked by the graph layer (numpy) after this count, at the end of a crawl; until then (and
    # after a count by other means) the ranking is computed when asked.
    conn.execute(delete(LineageInfluence))
    live = int(conn.execute(text("SELECT COUNT(*) FROM models WHERE deleted_at IS NULL")).scalar_one())
    conn.execute(delete(FaceSummary))
    conn.execute(insert(FaceSummary).values(id=1, run_id=run_id, models=live))
    return live


def faces_current(conn: Connection) -> bool:
    """Return whether the faces summary is there and no crawl run has ended since it was counted.

    Examples
    --------
    >>> from catalog.graph.demo import demo_store
    >>> with demo_store().engine.connect() as conn:  # loaded without a crawl: never counted
    ...     faces_current(conn)
    False
    """
    summary = conn.execute(select(FaceSummary.run_id).where(FaceSummary.id == 1)).first()
    if summary is None:
        return False
    ended = select(CrawlRun.id).where(CrawlRun.id > (summary.run_id or 0), CrawlRun.status != "running")
    return conn.execute(ended.limit(1)).first() is None

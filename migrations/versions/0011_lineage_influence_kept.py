"""the lineage's PageRank, kept with the faces summary

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 17:00:00

``lineage_influence`` holds every base model's PageRank over the lineage (weighted by downloads,
``catalog.graph.influence``), ranked, as the crawl counts it again when it finishes with the rest
of the faces summary (``catalog.store.summary``). Computing it reads every live link joined twice to
``models``: at 2,000,000 made-up models 7.4-7.9 s with the index in the page cache and 12 s when a
graph build has taken the cache, 63 s on PostgreSQL read cold; reading the kept ranking takes
milliseconds. This revision ranks a catalog that already holds a current summary, so that an upgraded
catalog answers from it before its next crawl. The SQL is this revision's own; the ranking is
``catalog.graph.influence.rank_links``, a function of the links alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from catalog.graph.influence import rank_links

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_LINKS = (
    "SELECT l.model_id, l.base_model_id, COALESCE(c.downloads, 0), COALESCE(b.downloads, 0)"
    " FROM model_lineage l JOIN models c ON c.id = l.model_id AND c.deleted_at IS NULL"
    " LEFT JOIN models b ON b.id = l.base_model_id AND b.deleted_at IS NULL"
)


def upgrade() -> None:
    op.create_table(
        "lineage_influence",
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(), nullable=False),
        sa.Column("pagerank", sa.Float(), nullable=False),
        sa.Column("downloads", sa.BigInteger(), nullable=False),
        sa.Column("derivatives", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("rank", name=op.f("pk_lineage_influence")),
        sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    if not bind.exec_driver_sql("SELECT 1 FROM face_summary").first():
        return  # never counted (a new catalog, or rows loaded by hand): the next count ranks it too
    kept = sa.table(
        "lineage_influence",
        sa.column("rank"),
        sa.column("model_id"),
        sa.column("pagerank"),
        sa.column("downloads"),
        sa.column("derivatives"),
    )
    ranked = rank_links(bind.exec_driver_sql(_LINKS).all())  # type: ignore[arg-type]
    rows = [
        {
            "rank": n,
            "model_id": r.model_id,
            "pagerank": r.pagerank,
            "downloads": r.downloads,
            "derivatives": r.derivatives,
        }
        for n, r in enumerate(ranked, start=1)
    ]
    if rows:
        op.bulk_insert(kept, rows)


def downgrade() -> None:
    op.drop_table("lineage_influence")

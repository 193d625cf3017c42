"""PostgreSQL: each sort's order among live models with the id, for walks that fetch only their page, and a finer sample of ids

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:00:00

A search that walks its sort's index (text held by many ids, ``catalog.queries.models``) tested
the text on every row it met, each fetched from the heap: a text of 4,000 matches among 1,000,000
made-up models walked past 19,000 rows, 135-178 ms, most of it heap blocks read from the OS. In
``ix_models_live_<sort>_id`` (``sort DESC, id``, live models only) the walk reads the id from the
index alone (an index-only scan, once ``VACUUM`` has marked the heap pages all-visible), tests the
text on it, and fetches the 50 rows of its page: 10-15 ms.

Whether to walk or to fetch the text's matches is the planner's choice, from its sample of
joined ids (revision 0009: 1,000). Text that no sampled id holds is taken for 1,000 rows of 1M
(a third of that with the exact ``strpos`` beside it), so texts of 4,000-6,000 matches were
fetched and sorted (80 ms) instead of walked (15 ms). With 10,000 ids (PostgreSQL's largest
target; ``ANALYZE models`` then took 55 s at 1M instead of ~35) the 100 texts of
``bench_web.py`` took p95 28-35 ms, down from 36 with these indexes alone and 64-77 ms before.
Nothing changes on SQLite, whose walk keeps the rowids its FTS5 table gives
(``schema.WALK_INDEXES``), and which plans by counting.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: Ids the planner's histogram of the joined id holds (PostgreSQL's largest target).
STATISTICS = 10_000
#: The columns of the five sorts (``catalog.queries.models.SORT_COLUMNS``), as revision 0010 found them.
_SORTS = ("downloads", "likes", "trending_score", "created_at", "num_parameters")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in _SORTS:
            op.create_index(
                f"ix_models_live_{column}_id",
                "models",
                [sa.text(f"{column} DESC"), "id"],
                postgresql_where=sa.text("deleted_at IS NULL"),
            )
        op.execute(f"ALTER INDEX models_id_joined_trgm ALTER COLUMN 1 SET STATISTICS {STATISTICS}")
        op.execute("ANALYZE models")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX models_id_joined_trgm ALTER COLUMN 1 SET STATISTICS 1000")  # 0009's
        for column in _SORTS:
            op.drop_index(f"ix_models_live_{column}_id", table_name="models")

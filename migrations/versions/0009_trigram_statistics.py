"""PostgreSQL: a finer sample of the joined model ids, so the planner sees how common a text is

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 15:40:00

The planner estimates ``translate(lower(id), '-._/', 'zzzz') LIKE '%text%'`` by trying the
pattern on the histogram of the index's expression (revision 0008): 100 ids by default, so any
text held by fewer than one id in 100 finds none and is taken for 100 rows of 1M. Text held by
23,772 ids of 1M (``se-base-``) then read them all through the trigram index and sorted them
(286 ms, 43,000 heap blocks) where walking the downloads index finds its 20 in 11 ms. With 1,000
ids sampled the estimate was 3,367, and the planner walked. Set on the index's column, the target
is kept by every later ``ANALYZE``; the crawl makes the index again with it (``catalog.bulk``).
Nothing changes on SQLite (its search plans by counting, ``catalog.queries.models.plan_search``).
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: Ids the planner's histogram of the joined id holds (PostgreSQL's default is 100).
STATISTICS = 1000


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER INDEX models_id_joined_trgm ALTER COLUMN 1 SET STATISTICS {STATISTICS}")
        op.execute("ANALYZE models")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX models_id_joined_trgm ALTER COLUMN 1 SET STATISTICS -1")

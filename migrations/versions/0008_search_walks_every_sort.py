"""an index for the trending sort

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01 12:40:00

Search walks the index of its sort's column from the top and stops at the page's end
(``catalog/queries/models.py``); every sort had one but trending, whose pages sorted every
matching row instead. Measured by ``benchmarks/bench_search.py`` on 200,000 made-up models: text
matching a fifth of the ids by trending, p95 889 ms on SQLite and 740 ms on PostgreSQL before.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_models_trending_score", "models", ["trending_score"])


def downgrade() -> None:
    op.drop_index("ix_models_trending_score", table_name="models")

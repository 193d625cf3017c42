"""lineage rows say where they came from

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:40:00

``model_lineage.source`` is ``tag`` for a row read from the Hub's ``base_model:`` tags and ``card``
for one read from ``cardData.base_model`` (only where the tags name no base). Rows written before
this revision are labelled by the same rule from the model's stored tags; the next crawl of a model
rewrites its rows (a card base that a tag names under its new id is then no second base). The
column is nullable only for rows written by hand (the demo catalog): the crawler always sets it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_FROM_TAGS = (
    "UPDATE model_lineage SET source = CASE WHEN EXISTS (SELECT 1 FROM model_tags t "
    "WHERE t.model_id = model_lineage.model_id AND t.tag LIKE 'base_model:%') THEN 'tag' ELSE 'card' END"
)


def _edges_view() -> str:
    # SQLite rebuilds the table to drop a column: the view that reads it goes first and comes back.
    script = op.get_context().script
    assert script is not None
    return str(script.get_revision("0002").module.edges_view())


def upgrade() -> None:
    op.add_column("model_lineage", sa.Column("source", sa.String(), nullable=True))
    op.execute(_FROM_TAGS)


def downgrade() -> None:
    op.execute("DROP VIEW edges")
    with op.batch_alter_table("model_lineage") as batch:
        batch.drop_column("source")
    op.execute(_edges_view())

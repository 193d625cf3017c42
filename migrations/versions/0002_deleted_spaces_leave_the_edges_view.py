"""deleted Spaces leave the edges view

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 17:25:00

A Space that a full crawl no longer finds (``deleted_at`` set) now contributes no ``uses_model``
or ``uses_dataset`` edges, as a deleted model already contributed none of its own. The rest of the
view is as revision 0001 wrote it.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: Revision 0001's two Space rows of the view, and what this revision makes of them.
SPACE_ROWS_0001 = """
SELECT 'space', s.space_id, 'uses_model', 'model', s.model_id FROM space_models s
UNION ALL
SELECT 'space', s.space_id, 'uses_dataset', 'dataset', s.dataset_id FROM space_datasets s
"""
SPACE_ROWS = """
SELECT 'space', s.space_id, 'uses_model', 'model', s.model_id
  FROM space_models s JOIN spaces sp ON sp.id = s.space_id WHERE sp.deleted_at IS NULL
UNION ALL
SELECT 'space', s.space_id, 'uses_dataset', 'dataset', s.dataset_id
  FROM space_datasets s JOIN spaces sp ON sp.id = s.space_id WHERE sp.deleted_at IS NULL
"""


def _view_of(revision_id: str) -> str:
    script = op.get_context().script
    assert script is not None
    return str(script.get_revision(revision_id).module.EDGES_VIEW)


def edges_view() -> str:
    """Return this revision's ``edges`` view: revision 0001's with its Space rows replaced."""
    view = _view_of("0001")
    assert view.count(SPACE_ROWS_0001) == 1
    return view.replace(SPACE_ROWS_0001, SPACE_ROWS)


def upgrade() -> None:
    op.execute("DROP VIEW edges")
    op.execute(edges_view())


def downgrade() -> None:
    op.execute("DROP VIEW edges")
    op.execute(_view_of("0001"))

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

LIVE = "m.deleted_at IS NULL"
EDGES_VIEW = f"""
CREATE VIEW edges AS
SELECT 'model' AS src_kind, m.id AS src_id, 'has_task' AS rel, 'task' AS dst_kind, m.pipeline_tag AS dst_id
  FROM models m WHERE m.pipeline_tag IS NOT NULL AND {LIVE}
UNION ALL
SELECT 'model', m.id, 'uses_library', 'library', m.library_name
  FROM models m WHERE m.library_name IS NOT NULL AND {LIVE}
UNION ALL
SELECT 'model', l.model_id,
       CASE l.relation WHEN 'finetune' THEN 'finetune_of' WHEN 'adapter' THEN 'adapter_of'
                       WHEN 'quantized' THEN 'quantized_from' WHEN 'merge' THEN 'merge_of' END,
       'model', l.base_model_id
  FROM model_lineage l JOIN models m ON m.id = l.model_id WHERE {LIVE}
UNION ALL
SELECT 'model', d.model_id, 'trained_on', 'dataset', d.dataset_id
  FROM model_datasets d JOIN models m ON m.id = d.model_id WHERE {LIVE}
UNION ALL
SELECT 'model', p.model_id, 'served_by', 'provider', p.provider_id
  FROM model_providers p JOIN models m ON m.id = p.model_id WHERE {LIVE}
UNION ALL
SELECT 'model', a.model_id, 'runs_in', 'app', a.app_id
  FROM model_apps a JOIN models m ON m.id = a.model_id WHERE {LIVE}
UNION ALL
SELECT 'space', s.space_id, 'uses_model', 'model', s.model_id
  FROM space_models s JOIN spaces sp ON sp.id = s.space_id WHERE sp.deleted_at IS NULL
UNION ALL
SELECT 'space', s.space_id, 'uses_dataset', 'dataset', s.dataset_id
  FROM space_datasets s JOIN spaces sp ON sp.id = s.space_id WHERE sp.deleted_at IS NULL
UNION ALL
SELECT 'provider', t.provider_id, 'supports_task', 'task', t.task_id FROM provider_tasks t
UNION ALL
SELECT 'library', t.library_id, 'supports_task', 'task', t.task_id FROM library_tasks t
"""


def _view_of(revision_id: str) -> str:
    script = op.get_context().script
    assert script is not None
    return script.get_revision(revision_id).module.EDGES_VIEW


def upgrade() -> None:
    op.execute("DROP VIEW edges")
    op.execute(EDGES_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW edges")
    op.execute(_view_of("0001"))

"""the edges view carries a provider mapping's status

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:40:00

The view gains a sixth column, ``status``: a ``served_by`` edge carries its ``model_providers.status``
(``live`` or ``staging``), every other edge NULL. Readers of the graph no longer join
``model_providers`` beside the view to tell a live mapping from a staging one. The rows are those of
revision 0002.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

LIVE = "m.deleted_at IS NULL"
EDGES_VIEW = f"""
CREATE VIEW edges AS
SELECT 'model' AS src_kind, m.id AS src_id, 'has_task' AS rel, 'task' AS dst_kind, m.pipeline_tag AS dst_id,
       CAST(NULL AS TEXT) AS status
  FROM models m WHERE m.pipeline_tag IS NOT NULL AND {LIVE}
UNION ALL
SELECT 'model', m.id, 'uses_library', 'library', m.library_name, NULL
  FROM models m WHERE m.library_name IS NOT NULL AND {LIVE}
UNION ALL
SELECT 'model', l.model_id,
       CASE l.relation WHEN 'finetune' THEN 'finetune_of' WHEN 'adapter' THEN 'adapter_of'
                       WHEN 'quantized' THEN 'quantized_from' WHEN 'merge' THEN 'merge_of' END,
       'model', l.base_model_id, NULL
  FROM model_lineage l JOIN models m ON m.id = l.model_id WHERE {LIVE}
UNION ALL
SELECT 'model', d.model_id, 'trained_on', 'dataset', d.dataset_id, NULL
  FROM model_datasets d JOIN models m ON m.id = d.model_id WHERE {LIVE}
UNION ALL
SELECT 'model', p.model_id, 'served_by', 'provider', p.provider_id, p.status
  FROM model_providers p JOIN models m ON m.id = p.model_id WHERE {LIVE}
UNION ALL
SELECT 'model', a.model_id, 'runs_in', 'app', a.app_id, NULL
  FROM model_apps a JOIN models m ON m.id = a.model_id WHERE {LIVE}
UNION ALL
SELECT 'space', s.space_id, 'uses_model', 'model', s.model_id, NULL
  FROM space_models s JOIN spaces sp ON sp.id = s.space_id WHERE sp.deleted_at IS NULL
UNION ALL
SELECT 'space', s.space_id, 'uses_dataset', 'dataset', s.dataset_id, NULL
  FROM space_datasets s JOIN spaces sp ON sp.id = s.space_id WHERE sp.deleted_at IS NULL
UNION ALL
SELECT 'provider', t.provider_id, 'supports_task', 'task', t.task_id, NULL FROM provider_tasks t
UNION ALL
SELECT 'library', t.library_id, 'supports_task', 'task', t.task_id, NULL FROM library_tasks t
"""


def upgrade() -> None:
    op.execute("DROP VIEW edges")
    op.execute(EDGES_VIEW)


def downgrade() -> None:
    script = op.get_context().script
    assert script is not None
    op.execute("DROP VIEW edges")
    op.execute(script.get_revision("0002").module.edges_view())

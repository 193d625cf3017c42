"""create the catalog schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 16:28:20.337279

Every table of the store, its indexes, and the ``edges`` view: the whole graph in SQL, one row
per relation, ``rel`` from the fixed vocabulary of ``catalog.records.RELS``. Models that have gone
from the Hub (``deleted_at`` set) contribute no edges.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

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
SELECT 'space', s.space_id, 'uses_model', 'model', s.model_id FROM space_models s
UNION ALL
SELECT 'space', s.space_id, 'uses_dataset', 'dataset', s.dataset_id FROM space_datasets s
UNION ALL
SELECT 'provider', t.provider_id, 'supports_task', 'task', t.task_id FROM provider_tasks t
UNION ALL
SELECT 'library', t.library_id, 'supports_task', 'task', t.task_id FROM library_tasks t
"""


def upgrade() -> None:
    op.create_table(
        "apps",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("docs_url", sa.String(), nullable=True),
        sa.Column("main_task", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apps")),
    )
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("endpoint", sa.String(), nullable=True),
        sa.Column("mode", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("counts", Json, nullable=True),
        sa.Column("checkpoint", Json, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crawl_runs_status"), ["status"], unique=False)

    op.create_table(
        "datasets",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=True),
        sa.Column("downloads", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("task_categories", Json, nullable=True),
        sa.Column("raw", Json, nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
    )
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_datasets_author"), ["author"], unique=False)
        batch_op.create_index(batch_op.f("ix_datasets_downloads"), ["downloads"], unique=False)

    op.create_table(
        "libraries",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("repo_url", sa.String(), nullable=True),
        sa.Column("docs_url", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_libraries")),
    )
    op.create_table(
        "models",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=True),
        sa.Column("pipeline_tag", sa.String(), nullable=True),
        sa.Column("library_name", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("downloads", sa.BigInteger(), nullable=True),
        sa.Column("downloads_all_time", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.Integer(), nullable=True),
        sa.Column("trending_score", sa.Float(), nullable=True),
        sa.Column("private", sa.Boolean(), nullable=True),
        sa.Column("gated", sa.String(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=True),
        sa.Column("sha", sa.String(), nullable=True),
        sa.Column("license", sa.String(), nullable=True),
        sa.Column("num_parameters", sa.BigInteger(), nullable=True),
        sa.Column("parameters", Json, nullable=True),
        sa.Column("parameters_source", sa.String(), nullable=True),
        sa.Column("gguf_architecture", sa.String(), nullable=True),
        sa.Column("gguf_context_length", sa.BigInteger(), nullable=True),
        sa.Column("config_model_type", sa.String(), nullable=True),
        sa.Column("config_architectures", Json, nullable=True),
        sa.Column("card_data", Json, nullable=True),
        sa.Column("raw", Json, nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_models")),
    )
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_models_author"), ["author"], unique=False)
        batch_op.create_index(batch_op.f("ix_models_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_models_downloads"), ["downloads"], unique=False)
        batch_op.create_index(batch_op.f("ix_models_last_modified"), ["last_modified"], unique=False)
        batch_op.create_index(batch_op.f("ix_models_library_name"), ["library_name"], unique=False)
        batch_op.create_index("ix_models_library_name_downloads", ["library_name", "downloads"], unique=False)
        batch_op.create_index(batch_op.f("ix_models_license"), ["license"], unique=False)
        batch_op.create_index(batch_op.f("ix_models_likes"), ["likes"], unique=False)
        batch_op.create_index(batch_op.f("ix_models_num_parameters"), ["num_parameters"], unique=False)
        batch_op.create_index(batch_op.f("ix_models_pipeline_tag"), ["pipeline_tag"], unique=False)
        batch_op.create_index("ix_models_pipeline_tag_downloads", ["pipeline_tag", "downloads"], unique=False)

    op.create_table(
        "providers",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("hub_org", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
    )
    op.create_table(
        "spaces",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=True),
        sa.Column("sdk", sa.String(), nullable=True),
        sa.Column("likes", sa.Integer(), nullable=True),
        sa.Column("trending_score", sa.Float(), nullable=True),
        sa.Column("runtime_stage", sa.String(), nullable=True),
        sa.Column("hardware", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("raw", Json, nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spaces")),
    )
    with op.batch_alter_table("spaces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spaces_author"), ["author"], unique=False)
        batch_op.create_index(batch_op.f("ix_spaces_likes"), ["likes"], unique=False)

    op.create_table(
        "tasks",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("modality", sa.String(), nullable=True),
        sa.Column("parent_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["tasks.id"], name=op.f("fk_tasks_parent_id_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "dataset_tags",
        sa.Column("dataset_id", sa.String(), nullable=False),
        sa.Column("tag", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_dataset_tags_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", "tag", name=op.f("pk_dataset_tags")),
    )
    with op.batch_alter_table("dataset_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_tags_tag"), ["tag"], unique=False)

    op.create_table(
        "library_tasks",
        sa.Column("library_id", sa.String(), nullable=False),
        sa.Column("task_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["libraries.id"],
            name=op.f("fk_library_tasks_library_id_libraries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("library_id", "task_id", name=op.f("pk_library_tasks")),
    )
    with op.batch_alter_table("library_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_library_tasks_task_id"), ["task_id"], unique=False)

    op.create_table(
        "model_apps",
        sa.Column("model_id", sa.String(), nullable=False),
        sa.Column("app_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_model_apps_model_id_models"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("model_id", "app_id", name=op.f("pk_model_apps")),
    )
    with op.batch_alter_table("model_apps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_apps_app_id"), ["app_id"], unique=False)

    op.create_table(
        "model_datasets",
        sa.Column("model_id", sa.String(), nullable=False),
        sa.Column("dataset_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_model_datasets_model_id_models"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("model_id", "dataset_id", name=op.f("pk_model_datasets")),
    )
    with op.batch_alter_table("model_datasets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_datasets_dataset_id"), ["dataset_id"], unique=False)

    op.create_table(
        "model_history",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(), nullable=False),
        sa.Column("downloads", sa.BigInteger(), nullable=True),
        sa.Column("downloads_all_time", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.Integer(), nullable=True),
        sa.Column("trending_score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_model_history_model_id_models"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_model_history_run_id_crawl_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "model_id", name=op.f("pk_model_history")),
    )
    with op.batch_alter_table("model_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_history_model_id"), ["model_id"], unique=False)

    op.create_table(
        "model_lineage",
        sa.Column("model_id", sa.String(), nullable=False),
        sa.Column("base_model_id", sa.String(), nullable=False),
        sa.Column("relation", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_model_lineage_model_id_models"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("model_id", "base_model_id", name=op.f("pk_model_lineage")),
    )
    with op.batch_alter_table("model_lineage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_lineage_base_model_id"), ["base_model_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_model_lineage_relation"), ["relation"], unique=False)

    op.create_table(
        "model_providers",
        sa.Column("model_id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("provider_model_id", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=True),
        sa.Column("task", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_model_providers_model_id_models"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("model_id", "provider_id", name=op.f("pk_model_providers")),
    )
    with op.batch_alter_table("model_providers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_providers_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_model_providers_task"), ["task"], unique=False)

    op.create_table(
        "model_tags",
        sa.Column("model_id", sa.String(), nullable=False),
        sa.Column("tag", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_model_tags_model_id_models"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("model_id", "tag", name=op.f("pk_model_tags")),
    )
    with op.batch_alter_table("model_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_tags_tag"), ["tag"], unique=False)

    op.create_table(
        "provider_tasks",
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("task_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_provider_tasks_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("provider_id", "task_id", name=op.f("pk_provider_tasks")),
    )
    with op.batch_alter_table("provider_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provider_tasks_task_id"), ["task_id"], unique=False)

    op.create_table(
        "rejects",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_rejects_run_id_crawl_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejects")),
    )
    with op.batch_alter_table("rejects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rejects_run_id"), ["run_id"], unique=False)

    op.create_table(
        "space_datasets",
        sa.Column("space_id", sa.String(), nullable=False),
        sa.Column("dataset_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["space_id"], ["spaces.id"], name=op.f("fk_space_datasets_space_id_spaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("space_id", "dataset_id", name=op.f("pk_space_datasets")),
    )
    with op.batch_alter_table("space_datasets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_space_datasets_dataset_id"), ["dataset_id"], unique=False)

    op.create_table(
        "space_models",
        sa.Column("space_id", sa.String(), nullable=False),
        sa.Column("model_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["space_id"], ["spaces.id"], name=op.f("fk_space_models_space_id_spaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("space_id", "model_id", name=op.f("pk_space_models")),
    )
    with op.batch_alter_table("space_models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_space_models_model_id"), ["model_id"], unique=False)

    op.execute(EDGES_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW edges")
    with op.batch_alter_table("space_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_space_models_model_id"))

    op.drop_table("space_models")
    with op.batch_alter_table("space_datasets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_space_datasets_dataset_id"))

    op.drop_table("space_datasets")
    with op.batch_alter_table("rejects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rejects_run_id"))

    op.drop_table("rejects")
    with op.batch_alter_table("provider_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_tasks_task_id"))

    op.drop_table("provider_tasks")
    with op.batch_alter_table("model_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_tags_tag"))

    op.drop_table("model_tags")
    with op.batch_alter_table("model_providers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_providers_task"))
        batch_op.drop_index(batch_op.f("ix_model_providers_provider_id"))

    op.drop_table("model_providers")
    with op.batch_alter_table("model_lineage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_lineage_relation"))
        batch_op.drop_index(batch_op.f("ix_model_lineage_base_model_id"))

    op.drop_table("model_lineage")
    with op.batch_alter_table("model_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_history_model_id"))

    op.drop_table("model_history")
    with op.batch_alter_table("model_datasets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_datasets_dataset_id"))

    op.drop_table("model_datasets")
    with op.batch_alter_table("model_apps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_apps_app_id"))

    op.drop_table("model_apps")
    with op.batch_alter_table("library_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_library_tasks_task_id"))

    op.drop_table("library_tasks")
    with op.batch_alter_table("dataset_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_tags_tag"))

    op.drop_table("dataset_tags")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_parent_id"))

    op.drop_table("tasks")
    with op.batch_alter_table("spaces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spaces_likes"))
        batch_op.drop_index(batch_op.f("ix_spaces_author"))

    op.drop_table("spaces")
    op.drop_table("providers")
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_index("ix_models_pipeline_tag_downloads")
        batch_op.drop_index(batch_op.f("ix_models_pipeline_tag"))
        batch_op.drop_index(batch_op.f("ix_models_num_parameters"))
        batch_op.drop_index(batch_op.f("ix_models_likes"))
        batch_op.drop_index(batch_op.f("ix_models_license"))
        batch_op.drop_index("ix_models_library_name_downloads")
        batch_op.drop_index(batch_op.f("ix_models_library_name"))
        batch_op.drop_index(batch_op.f("ix_models_last_modified"))
        batch_op.drop_index(batch_op.f("ix_models_downloads"))
        batch_op.drop_index(batch_op.f("ix_models_created_at"))
        batch_op.drop_index(batch_op.f("ix_models_author"))

    op.drop_table("models")
    op.drop_table("libraries")
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_datasets_downloads"))
        batch_op.drop_index(batch_op.f("ix_datasets_author"))

    op.drop_table("datasets")
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crawl_runs_status"))

    op.drop_table("crawl_runs")
    op.drop_table("apps")

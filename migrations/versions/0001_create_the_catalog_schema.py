"""create the catalog schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 16:28:20.337279

Every table of the store, its indexes, and the ``edges`` view: the whole graph in SQL, one row
per relation, ``rel`` from the fixed vocabulary of ``catalog.records.RELS``. Models that have gone
from the Hub (``deleted_at`` set) contribute no edges.

The tables are written with a few helpers (a table of crawled repos, of facts, a link table) and
``INDEXES`` drives both directions; the DDL is the one Alembic's autogenerate first wrote, to the byte.
"""

from __future__ import annotations

from typing import Any

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


#: Every table in the order it is created (a table after those it refers to), with the columns
#: it indexes, one tuple an index, in the order they are made.
INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "apps": (),
    "crawl_runs": (("status",),),
    "datasets": (("author",), ("downloads",)),
    "libraries": (),
    "models": (
        ("author",),
        ("created_at",),
        ("downloads",),
        ("last_modified",),
        ("library_name",),
        ("library_name", "downloads"),
        ("license",),
        ("likes",),
        ("num_parameters",),
        ("pipeline_tag",),
        ("pipeline_tag", "downloads"),
    ),
    "providers": (),
    "spaces": (("author",), ("likes",)),
    "tasks": (("parent_id",),),
    "dataset_tags": (("tag",),),
    "library_tasks": (("task_id",),),
    "model_apps": (("app_id",),),
    "model_datasets": (("dataset_id",),),
    "model_history": (("model_id",),),
    "model_lineage": (("base_model_id",), ("relation",)),
    "model_providers": (("provider_id",), ("task",)),
    "model_tags": (("tag",),),
    "provider_tasks": (("task_id",),),
    "rejects": (("run_id",),),
    "space_datasets": (("dataset_id",),),
    "space_models": (("model_id",),),
}


def _index_name(batch_op: Any, table: str, columns: tuple[str, ...]) -> Any:
    # The two-column indexes were named by hand, the others by the naming convention.
    name = "_".join(("ix", table, *columns))
    return name if len(columns) > 1 else batch_op.f(name)


def _strings(*names: str) -> list[sa.Column[Any]]:
    """Nullable string columns."""
    return [sa.Column(name, sa.String()) for name in names]


def _times(*names: str) -> list[sa.Column[Any]]:
    """Nullable timestamps with a time zone."""
    return [sa.Column(name, sa.DateTime(timezone=True)) for name in names]


def _create_table(table: str, *items: sa.SchemaItem) -> None:
    """Create ``table`` of ``items`` (columns and constraints), then its ``INDEXES``."""
    op.create_table(table, *items)
    if INDEXES[table]:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for columns in INDEXES[table]:
                batch_op.create_index(_index_name(batch_op, table, columns), list(columns), unique=False)


def _facts_table(table: str, columns: tuple[str, ...], *constraints: sa.Constraint) -> None:
    """Create a table of ``catalog/facts``: a string id and the string ``columns``."""
    _create_table(
        table,
        sa.Column("id", sa.String(), nullable=False),
        *_strings(*columns),
        *constraints,
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )


def _repo_table(table: str, *columns: sa.Column[Any]) -> None:
    """Create a table of crawled repos: an id, ``columns``, the raw record, and when crawls saw it."""
    _create_table(
        table,
        sa.Column("id", sa.String(), nullable=False),
        *columns,
        sa.Column("raw", Json),
        *_times("first_seen", "last_seen", "deleted_at"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )


def _fk(table: str, column: str, parent: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{parent}.id"], name=op.f(f"fk_{table}_{column}_{parent}"), ondelete=ondelete
    )


def _link_table(table: str, key: str, parent: str, other: str, *columns: sa.Column[Any]) -> None:
    """Create a link table: ``key`` names a row of ``parent`` (its links go with it), ``other`` what it links to."""
    _create_table(
        table,
        sa.Column(key, sa.String(), nullable=False),
        sa.Column(other, sa.String(), nullable=False),
        *columns,
        _fk(table, key, parent),
        sa.PrimaryKeyConstraint(key, other, name=op.f(f"pk_{table}")),
    )


def upgrade() -> None:
    _facts_table("apps", ("label", "docs_url", "main_task"))
    _create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        *_strings("endpoint", "mode"),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("counts", Json),
        sa.Column("checkpoint", Json),
        sa.Column("error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    _repo_table(
        "datasets",
        sa.Column("author", sa.String()),
        sa.Column("downloads", sa.BigInteger()),
        sa.Column("likes", sa.Integer()),
        *_times("created_at", "last_modified"),
        sa.Column("task_categories", Json),
    )
    _facts_table("libraries", ("label", "repo_url", "docs_url"))
    _repo_table(
        "models",
        *_strings("author", "pipeline_tag", "library_name"),
        *_times("created_at", "last_modified"),
        sa.Column("downloads", sa.BigInteger()),
        sa.Column("downloads_all_time", sa.BigInteger()),
        sa.Column("likes", sa.Integer()),
        sa.Column("trending_score", sa.Float()),
        sa.Column("private", sa.Boolean()),
        sa.Column("gated", sa.String()),
        sa.Column("disabled", sa.Boolean()),
        *_strings("sha", "license"),
        sa.Column("num_parameters", sa.BigInteger()),
        sa.Column("parameters", Json),
        *_strings("parameters_source", "gguf_architecture"),
        sa.Column("gguf_context_length", sa.BigInteger()),
        sa.Column("config_model_type", sa.String()),
        sa.Column("config_architectures", Json),
        sa.Column("card_data", Json),
    )
    _facts_table("providers", ("label", "hub_org"))
    _repo_table(
        "spaces",
        *_strings("author", "sdk"),
        sa.Column("likes", sa.Integer()),
        sa.Column("trending_score", sa.Float()),
        *_strings("runtime_stage", "hardware"),
        *_times("created_at", "last_modified"),
    )
    _facts_table(
        "tasks",
        ("name", "modality", "parent_id"),
        sa.ForeignKeyConstraint(["parent_id"], ["tasks.id"], name=op.f("fk_tasks_parent_id_tasks")),
    )
    _link_table("dataset_tags", "dataset_id", "datasets", "tag")
    _link_table("library_tasks", "library_id", "libraries", "task_id")
    _link_table("model_apps", "model_id", "models", "app_id")
    _link_table("model_datasets", "model_id", "models", "dataset_id")
    _create_table(
        "model_history",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(), nullable=False),
        sa.Column("downloads", sa.BigInteger()),
        sa.Column("downloads_all_time", sa.BigInteger()),
        sa.Column("likes", sa.Integer()),
        sa.Column("trending_score", sa.Float()),
        _fk("model_history", "model_id", "models"),
        _fk("model_history", "run_id", "crawl_runs"),
        sa.PrimaryKeyConstraint("run_id", "model_id", name=op.f("pk_model_history")),
    )
    _link_table(
        "model_lineage",
        "model_id",
        "models",
        "base_model_id",
        sa.Column("relation", sa.String(), nullable=False),
    )
    _link_table(
        "model_providers",
        "model_id",
        "models",
        "provider_id",
        *_strings("provider_model_id", "status", "task"),
    )
    _link_table("model_tags", "model_id", "models", "tag")
    _link_table("provider_tasks", "provider_id", "providers", "task_id")
    _create_table(
        "rejects",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer()),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("record_id", sa.String()),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _fk("rejects", "run_id", "crawl_runs", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejects")),
    )
    _link_table("space_datasets", "space_id", "spaces", "dataset_id")
    _link_table("space_models", "space_id", "spaces", "model_id")
    op.execute(EDGES_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW edges")
    for table, indexes in reversed(INDEXES.items()):
        if indexes:
            with op.batch_alter_table(table, schema=None) as batch_op:
                for columns in reversed(indexes):
                    batch_op.drop_index(_index_name(batch_op, table, columns))
        op.drop_table(table)

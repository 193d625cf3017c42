"""create the catalog schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 16:28:20.337279

Every table of the store, its indexes, and the ``edges`` view: the whole graph in SQL, one row
per relation, ``rel`` from the fixed vocabulary of ``catalog.records.RELS``. Models that have gone
from the Hub (``deleted_at`` set) contribute no edges.

The tables are one list (``_tables``) read both ways, written with a few helpers (a table of facts,
of crawled repos, a link table); the DDL is the one Alembic's autogenerate first wrote, to the byte.
"""

from __future__ import annotations

from typing import Any, NamedTuple

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


class _Table(NamedTuple):
    name: str
    items: list[sa.SchemaItem]
    #: The columns of each index, in the order they are made.
    indexes: tuple[tuple[str, ...], ...] = ()


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


def _facts_table(name: str, columns: tuple[str, ...], *constraints: sa.Constraint, **kw: Any) -> _Table:
    """A table of ``catalog/facts``: a string id and the string ``columns``."""
    id = sa.Column("id", sa.String(), nullable=False)
    pk = sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}"))
    return _Table(name, [id, *_strings(*columns), *constraints, pk], **kw)


def _repo_table(name: str, *columns: sa.Column[Any], indexes: tuple[tuple[str, ...], ...]) -> _Table:
    """A table of crawled repos: an id, ``columns``, the raw record, and when crawls saw it."""
    id = sa.Column("id", sa.String(), nullable=False)
    seen = [sa.Column("raw", Json), *_times("first_seen", "last_seen", "deleted_at")]
    pk = sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}"))
    return _Table(name, [id, *columns, *seen, pk], indexes)


def _fk(table: str, column: str, parent: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{parent}.id"], name=op.f(f"fk_{table}_{column}_{parent}"), ondelete=ondelete
    )


def _link_table(
    name: str, key: str, parent: str, other: str, *columns: sa.Column[Any], also_indexed: str | None = None
) -> _Table:
    """A link table: ``key`` names a row of ``parent`` (its links go with it), ``other`` what it links to.

    ``other`` is indexed (the primary key serves look-ups by ``key``), and ``also_indexed`` after it.
    """
    keys = [sa.Column(key, sa.String(), nullable=False), sa.Column(other, sa.String(), nullable=False)]
    pk = sa.PrimaryKeyConstraint(key, other, name=op.f(f"pk_{name}"))
    indexes = ((other,), (also_indexed,)) if also_indexed else ((other,),)
    return _Table(name, [*keys, *columns, _fk(name, key, parent), pk], indexes)


def _tables() -> list[_Table]:
    """Return every table in the order it is created (a table after those it refers to)."""
    return [
        _facts_table("apps", ("label", "docs_url", "main_task")),
        _Table(
            "crawl_runs",
            [
                sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
                sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
                sa.Column("finished_at", sa.DateTime(timezone=True)),
                *_strings("endpoint", "mode"),
                sa.Column("status", sa.String(), nullable=False),
                sa.Column("counts", Json),
                sa.Column("checkpoint", Json),
                sa.Column("error", sa.Text()),
                sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
            ],
            (("status",),),
        ),
        _repo_table(
            "datasets",
            sa.Column("author", sa.String()),
            sa.Column("downloads", sa.BigInteger()),
            sa.Column("likes", sa.Integer()),
            *_times("created_at", "last_modified"),
            sa.Column("task_categories", Json),
            indexes=(("author",), ("downloads",)),
        ),
        _facts_table("libraries", ("label", "repo_url", "docs_url")),
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
            indexes=(
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
        ),
        _facts_table("providers", ("label", "hub_org")),
        _repo_table(
            "spaces",
            *_strings("author", "sdk"),
            sa.Column("likes", sa.Integer()),
            sa.Column("trending_score", sa.Float()),
            *_strings("runtime_stage", "hardware"),
            *_times("created_at", "last_modified"),
            indexes=(("author",), ("likes",)),
        ),
        _facts_table(
            "tasks",
            ("name", "modality", "parent_id"),
            sa.ForeignKeyConstraint(["parent_id"], ["tasks.id"], name=op.f("fk_tasks_parent_id_tasks")),
            indexes=(("parent_id",),),
        ),
        _link_table("dataset_tags", "dataset_id", "datasets", "tag"),
        _link_table("library_tasks", "library_id", "libraries", "task_id"),
        _link_table("model_apps", "model_id", "models", "app_id"),
        _link_table("model_datasets", "model_id", "models", "dataset_id"),
        _Table(
            "model_history",
            [
                sa.Column("run_id", sa.Integer(), nullable=False),
                sa.Column("model_id", sa.String(), nullable=False),
                sa.Column("downloads", sa.BigInteger()),
                sa.Column("downloads_all_time", sa.BigInteger()),
                sa.Column("likes", sa.Integer()),
                sa.Column("trending_score", sa.Float()),
                _fk("model_history", "model_id", "models"),
                _fk("model_history", "run_id", "crawl_runs"),
                sa.PrimaryKeyConstraint("run_id", "model_id", name=op.f("pk_model_history")),
            ],
            (("model_id",),),
        ),
        _link_table(
            "model_lineage",
            "model_id",
            "models",
            "base_model_id",
            sa.Column("relation", sa.String(), nullable=False),
            also_indexed="relation",
        ),
        _link_table(
            "model_providers",
            "model_id",
            "models",
            "provider_id",
            *_strings("provider_model_id", "status", "task"),
            also_indexed="task",
        ),
        _link_table("model_tags", "model_id", "models", "tag"),
        _link_table("provider_tasks", "provider_id", "providers", "task_id"),
        _Table(
            "rejects",
            [
                sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
                sa.Column("run_id", sa.Integer()),
                sa.Column("kind", sa.String(), nullable=False),
                sa.Column("record_id", sa.String()),
                sa.Column("raw", sa.Text(), nullable=False),
                sa.Column("reason", sa.Text(), nullable=False),
                _fk("rejects", "run_id", "crawl_runs", ondelete="SET NULL"),
                sa.PrimaryKeyConstraint("id", name=op.f("pk_rejects")),
            ],
            (("run_id",),),
        ),
        _link_table("space_datasets", "space_id", "spaces", "dataset_id"),
        _link_table("space_models", "space_id", "spaces", "model_id"),
    ]


def upgrade() -> None:
    for table in _tables():
        op.create_table(table.name, *table.items)
        if table.indexes:
            with op.batch_alter_table(table.name, schema=None) as batch_op:
                for columns in table.indexes:
                    batch_op.create_index(
                        _index_name(batch_op, table.name, columns), list(columns), unique=False
                    )
    op.execute(EDGES_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW edges")
    for table in reversed(_tables()):
        if table.indexes:
            with op.batch_alter_table(table.name, schema=None) as batch_op:
                for columns in reversed(table.indexes):
                    batch_op.drop_index(_index_name(batch_op, table.name, columns))
        op.drop_table(table.name)

"""storage at the Hub's scale

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:40:00

On SQLite the link tables (a model's tags, lineage, datasets, providers, apps; a dataset's tags; a
Space's models and datasets; the reference links; the history of counts) become ``WITHOUT ROWID``
tables: each row lives once, in the b-tree of its primary key, instead of twice (a rowid table plus
the primary key's index holding the same columns). Measured on a crawl of 20,000 made-up Hub-shaped
models (``benchmarks/bench_hub.py``): ``model_tags`` 26.1 -> 14.1 MiB, the whole file 110.7 -> 96.6
MiB (1.33x -> 1.16x the naive crawler's), and nothing read or written changes. SQLite cannot change
this on a live table, so each table is rebuilt (created anew, copied, swapped); the views that name
them are dropped first and created again from their own SQL, and every index and trigger of the
table is recreated as it was. PostgreSQL has no rowid: nothing to do there.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: The tables made of a primary key and a few short columns (``LINK_TABLE`` in ``catalog.schema``).
LINK_TABLES = (
    "model_tags",
    "dataset_tags",
    "model_lineage",
    "model_datasets",
    "model_providers",
    "model_apps",
    "space_models",
    "space_datasets",
    "provider_tasks",
    "library_tasks",
    "model_history",
)
_SUFFIX = " WITHOUT ROWID"


def _rebuild(without_rowid: bool) -> None:
    bind = op.get_bind()
    master = "SELECT name, sql FROM sqlite_master WHERE type = 'view' AND sql IS NOT NULL ORDER BY rowid"
    views = bind.exec_driver_sql(master).fetchall()
    for name, _ in reversed(views):
        op.execute(f'DROP VIEW "{name}"')
    for table in LINK_TABLES:
        create = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar_one()
        attached = (
            bind.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = ? "
                "AND sql IS NOT NULL ORDER BY type, name",
                (table,),
            )
            .scalars()
            .all()
        )
        body = create[create.index("(") :].rstrip()
        body = body.removesuffix(_SUFFIX).rstrip()
        op.execute(f'CREATE TABLE "_0006_{table}" {body}{_SUFFIX if without_rowid else ""}')
        op.execute(f'INSERT INTO "_0006_{table}" SELECT * FROM "{table}"')
        op.execute(f'DROP TABLE "{table}"')
        op.execute(f'ALTER TABLE "_0006_{table}" RENAME TO "{table}"')
        for statement in attached:
            op.execute(statement)
    for _, sql in views:
        op.execute(sql)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(without_rowid=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(without_rowid=False)

"""search indexes: the trending sort, and PostgreSQL's trigrams across an id's separators

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 12:40:00

Measured by ``benchmarks/bench_search.py`` on made-up catalogs (``catalog/queries/models.py``
and ``fulltext.py`` say how search uses them):

- ``ix_models_trending_score``: search walks the index of its sort's column from the top and
  stops at the page's end; every sort had one but trending, whose pages sorted every matching
  row instead (text held by a fifth of 1,000,000 ids, by trending: p95 11.5 s on SQLite).
- PostgreSQL: ``models_id_joined_trgm``, a ``pg_trgm`` GIN index over
  ``translate(lower(id), '-._/', 'zzzz')``, replaces 0005's ``models_id_trgm`` over ``lower(id)``.
  pg_trgm breaks words at every character but letters and digits, so ``qwen2.5`` was searched
  as ``qwen2`` and ``5``: 46,000 candidates of 1M ids, each read from the heap (0.83 s). Joined
  (``qwen2z5``) it has 943 candidates (15 ms); the plain ``LIKE`` beside it keeps answers exact.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _trgm_schema() -> str:
    # As in 0005: the operator class is named with the schema that holds the extension.
    return str(
        op.get_bind()
        .exec_driver_sql(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
        .scalar_one()
    )


def upgrade() -> None:
    op.create_index("ix_models_trending_score", "models", ["trending_score"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX models_id_joined_trgm ON models USING gin "
            f"(translate(lower(id), '-._/', 'zzzz') \"{_trgm_schema()}\".gin_trgm_ops)"
        )
        op.execute("DROP INDEX IF EXISTS models_id_trgm")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f'CREATE INDEX models_id_trgm ON models USING gin (lower(id) "{_trgm_schema()}".gin_trgm_ops)'
        )
        op.execute("DROP INDEX IF EXISTS models_id_joined_trgm")
    op.drop_index("ix_models_trending_score", table_name="models")

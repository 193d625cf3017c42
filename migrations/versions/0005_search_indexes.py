"""indexes for text search

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:40:00

A model id searched by any part of it (``llama-3.1-8b`` finds ``meta-llama/Llama-3.1-8B``) is a
substring match, which a B-tree cannot answer: at 1M models a scan took 0.8 s. Each backend gets
its own trigram index, measured in ``benchmarks/bench_web.py``:

- SQLite: ``models_fts``, an FTS5 table over ``models.id`` with the ``trigram`` tokenizer
  (case-insensitive), holding no copy of the ids (``content='models'``); triggers keep it in
  step with every insert, delete and change of id of ``models``.
- PostgreSQL: ``models_id_trgm``, a GIN index over ``lower(id)`` with ``pg_trgm``'s
  ``gin_trgm_ops``, which ``lower(id) LIKE '%...%'`` uses as it is.

Neither is in ``catalog.schema``'s metadata (SQLAlchemy has no FTS5 table nor operator class to
compare): ``catalog.schema.include_name`` leaves them out of autogenerate's comparison.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE models_fts USING fts5(id, content='models', content_rowid='rowid', "
    "tokenize='trigram')",
    "INSERT INTO models_fts(models_fts) VALUES ('rebuild')",
    "CREATE TRIGGER models_fts_insert AFTER INSERT ON models BEGIN "
    "INSERT INTO models_fts(rowid, id) VALUES (new.rowid, new.id); END",
    "CREATE TRIGGER models_fts_delete AFTER DELETE ON models BEGIN "
    "INSERT INTO models_fts(models_fts, rowid, id) VALUES ('delete', old.rowid, old.id); END",
    # An upsert updates the other columns of a row and keeps its rowid and id: only a new id
    # (never done by the crawler, possible by hand) re-indexes the row.
    "CREATE TRIGGER models_fts_update AFTER UPDATE OF id ON models BEGIN "
    "INSERT INTO models_fts(models_fts, rowid, id) VALUES ('delete', old.rowid, old.id); "
    "INSERT INTO models_fts(rowid, id) VALUES (new.rowid, new.id); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS models_fts_update",
    "DROP TRIGGER IF EXISTS models_fts_delete",
    "DROP TRIGGER IF EXISTS models_fts_insert",
    "DROP TABLE IF EXISTS models_fts",
]


def _execute(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def _create_trigram_index() -> None:
    # The extension lives in one schema of the database, whichever made it first; its operator
    # class is named with that schema so that any search_path finds it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    bind = op.get_bind()
    schema = bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    ).scalar_one()
    op.execute(f'CREATE INDEX models_id_trgm ON models USING gin (lower(id) "{schema}".gin_trgm_ops)')


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _execute(SQLITE_UP)
    else:
        _create_trigram_index()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _execute(SQLITE_DOWN)
    else:
        op.execute("DROP INDEX IF EXISTS models_id_trgm")

"""the faces summary

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 12:30:00

Three tables hold what the faces graph, the map and the face pages count over every live model:
``face_values`` (per task, library, app, provider and parameter bucket: live models, downloads),
``face_pairs`` (per pair of values of two faces) and ``face_summary`` (the crawl run they were
counted at), and ``lineage_families`` (each lineage root and how many models descend from it,
for the map's largest families); ``ix_models_faces`` holds every column counted, so that counting reads an index rather
than the rows (on SQLite a row is read through ``raw`` to reach ``deleted_at``: the faces graph's
count at 1,000,000 made-up models read 45 GB). The crawl counts them again as it finishes
(``catalog.store.summary``); this revision fills them once for a catalog that already holds models, so that an upgraded catalog answers from
them before its next crawl. The SQL is this revision's own (faces and buckets as they were at 0007):
the code's may change, a migration must not (the families are counted by
``catalog.store.summary.family_sizes``, a function of the links alone).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from catalog.store.summary import family_sizes

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FACES = ("task", "library", "app", "provider", "params")
BUCKETS = (
    ("<1B", 10**9),
    ("1-3B", 3 * 10**9),
    ("3-7B", 7 * 10**9),
    ("7-13B", 13 * 10**9),
    ("13-34B", 34 * 10**9),
    ("34-70B", 70 * 10**9),
    ("70-200B", 200 * 10**9),
)
BUCKET = (
    "CASE "
    + " ".join(f"WHEN m.num_parameters < {high} THEN '{id}'" for id, high in BUCKETS)
    + " WHEN m.num_parameters IS NOT NULL THEN '>200B' END"
)
SUM = "CAST(SUM(COALESCE(m.downloads, 0)) AS BIGINT)"
CUBES = f"""
CREATE TEMPORARY TABLE face_cubes AS
SELECT 'single' AS cube, CAST(NULL AS VARCHAR) AS provider, CAST(NULL AS VARCHAR) AS app,
       m.pipeline_tag || '' AS task, m.library_name || '' AS library, {BUCKET} AS params, COUNT(*) AS n, {SUM} AS d
  FROM models m WHERE m.deleted_at IS NULL GROUP BY 4, 5, 6
UNION ALL
SELECT 'provider', p.provider_id, NULL, m.pipeline_tag, m.library_name, {BUCKET}, COUNT(*), {SUM}
  FROM model_providers p JOIN models m ON m.id = p.model_id WHERE m.deleted_at IS NULL GROUP BY 2, 4, 5, 6
UNION ALL
SELECT 'app', NULL, a.app_id, m.pipeline_tag, m.library_name, {BUCKET}, COUNT(*), {SUM}
  FROM model_apps a JOIN models m ON m.id = a.model_id WHERE m.deleted_at IS NULL GROUP BY 3, 4, 5, 6
UNION ALL
SELECT 'provider_app', p.provider_id, a.app_id, NULL, NULL, NULL, COUNT(*), {SUM}
  FROM model_providers p JOIN models m ON m.id = p.model_id JOIN model_apps a ON a.model_id = m.id
 WHERE m.deleted_at IS NULL GROUP BY 2, 3"""


def _cube(*faces: str) -> str:
    multi = [f for f in ("provider", "app") if f in faces]
    return "provider_app" if len(multi) == 2 else multi[0] if multi else "single"


VALUES = "INSERT INTO face_values (face, value, models, downloads)\n" + "\nUNION ALL ".join(
    f"SELECT '{f}', {f}, SUM(n), SUM(d) FROM face_cubes WHERE cube = '{_cube(f)}' AND {f} IS NOT NULL GROUP BY {f}"
    for f in FACES
)
PAIRS = "INSERT INTO face_pairs (face_a, value_a, face_b, value_b, models, downloads)\n" + (
    "\nUNION ALL ".join(
        f"SELECT '{a}', {a}, '{b}', {b}, SUM(n), SUM(d) FROM face_cubes"
        f" WHERE cube = '{_cube(a, b)}' AND {a} IS NOT NULL AND {b} IS NOT NULL GROUP BY {a}, {b}"
        for i, a in enumerate(FACES)
        for b in FACES[i + 1 :]
    )
)


def _counts_table(name: str, *keys: str) -> None:
    """Create a table of live models and downloads per ``keys`` (text, the primary key)."""
    op.create_table(
        name,
        *(sa.Column(key, sa.String(), nullable=False) for key in keys),
        sa.Column("models", sa.BigInteger(), nullable=False),
        sa.Column("downloads", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*keys, name=op.f(f"pk_{name}")),
        sqlite_with_rowid=False,
    )


def upgrade() -> None:
    _counts_table("face_values", "face", "value")
    _counts_table("face_pairs", "face_a", "value_a", "face_b", "value_b")
    op.create_index("ix_face_pairs_face_b_value_b", "face_pairs", ["face_b", "value_b"])
    faces = ["id", "deleted_at", "pipeline_tag", "library_name", "num_parameters", "downloads"]
    op.create_index("ix_models_faces", "models", faces)
    op.create_table(
        "face_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("models", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_face_summary")),
    )
    op.create_table(
        "lineage_families",
        sa.Column("root_id", sa.String(), nullable=False),
        sa.Column("descendants", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("root_id", name=op.f("pk_lineage_families")),
        sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    if not bind.exec_driver_sql("SELECT 1 FROM models LIMIT 1").first():
        return  # a new catalog: nothing to count, and what is loaded next is not counted here
    live = bind.exec_driver_sql("SELECT COUNT(*) FROM models WHERE deleted_at IS NULL").scalar_one()
    for statement in (CUBES, VALUES, PAIRS, "DROP TABLE face_cubes"):
        op.execute(statement)
    run = bind.exec_driver_sql("SELECT MAX(id) FROM crawl_runs WHERE status <> 'running'").scalar()
    summary = sa.table(
        "face_summary",
        sa.column("id"),
        sa.column("run_id"),
        sa.column("models"),
    )
    links = bind.exec_driver_sql(
        "SELECT l.model_id, l.base_model_id FROM model_lineage l"
        " JOIN models m ON m.id = l.model_id AND m.deleted_at IS NULL"
    )
    families = sa.table("lineage_families", sa.column("root_id"), sa.column("descendants"))
    rows = [
        {"root_id": root, "descendants": n}
        for root, n in family_sizes((child, base) for child, base in links)
    ]
    if rows:
        op.bulk_insert(families, rows)
    op.execute(summary.insert().values(id=1, run_id=run, models=live))


def downgrade() -> None:
    op.drop_index("ix_models_faces", table_name="models")
    op.drop_table("lineage_families")
    op.drop_table("face_summary")
    op.drop_index("ix_face_pairs_face_b_value_b", table_name="face_pairs")
    op.drop_table("face_pairs")
    op.drop_table("face_values")

"""lineage rows say where they came from

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:40:00

Reserved: an empty step in the chain, to be filled by the change named in its title.
"""

from __future__ import annotations

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

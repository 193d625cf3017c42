"""the edges view carries a provider mapping's status

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:40:00

Reserved: an empty step in the chain, to be filled by the change named in its title.
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

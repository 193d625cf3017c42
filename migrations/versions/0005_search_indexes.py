"""indexes for text search

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:40:00

Reserved: an empty step in the chain, to be filled by the change named in its title.
"""

from __future__ import annotations

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

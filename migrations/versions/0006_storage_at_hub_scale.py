"""storage at the Hub's scale

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:40:00

Reserved: an empty step in the chain, to be filled by the change named in its title.
"""

from __future__ import annotations

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

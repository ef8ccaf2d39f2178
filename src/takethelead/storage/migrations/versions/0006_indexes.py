"""indexes: interactions by network and time, people by name

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 21:12:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Counting per network, all time or the last 90 days and inbound, reads this index alone.
    op.create_index(
        "ix_interaction_network_time",
        "interaction",
        ["workspace_id", "network_id", "occurred_at", "direction"],
        unique=False,
    )
    # People lists sorted by name read their page off the index.
    op.create_index(
        "ix_person_name",
        "person",
        ["workspace_id", sa.text("lower(full_name)"), "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_person_name", table_name="person")
    op.drop_index("ix_interaction_network_time", table_name="interaction")

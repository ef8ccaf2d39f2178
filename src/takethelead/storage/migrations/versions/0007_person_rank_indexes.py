"""indexes: people by strength and by their own cadence

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 22:45:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Counting people, and the strongest ties first (the Dunbar layers), read this index alone.
    op.create_index(
        "ix_person_strength", "person", ["workspace_id", "is_me", "strength"], unique=False
    )
    # The few people with a cadence of their own, without reading everyone.
    op.create_index("ix_person_cadence", "person", ["workspace_id", "cadence_days"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_person_cadence", table_name="person")
    op.drop_index("ix_person_strength", table_name="person")

"""person counts: interactions and last contact per person, kept by the nightly tally

Also widens the (workspace, person, time) index of interactions with id (timelines sort by
time, then id), kind, direction and automated, so reading one person's relationship never
visits the table itself.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 23:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ drops columns too): a batch copy would lose the
    # full-text triggers on person.
    op.add_column("person", sa.Column("touches", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("person", sa.Column("last_touch_at", sa.BigInteger(), nullable=True))
    op.create_index("ix_person_touches", "person", ["workspace_id", "touches"], unique=False)
    op.create_index(
        "ix_person_last_touch", "person", ["workspace_id", "last_touch_at"], unique=False
    )
    op.drop_index("ix_interaction_person_time", table_name="interaction")
    op.create_index(
        "ix_interaction_person_time",
        "interaction",
        ["workspace_id", "person_id", "occurred_at", "id", "kind", "direction", "automated"],
        unique=False,
    )


def downgrade() -> None:
    # The counts go with their columns; the next tally after an upgrade counts afresh.
    op.execute("DELETE FROM setting WHERE \"key\" = 'person_counts'")
    op.drop_index("ix_interaction_person_time", table_name="interaction")
    op.create_index(
        "ix_interaction_person_time",
        "interaction",
        ["workspace_id", "person_id", "occurred_at"],
        unique=False,
    )
    op.drop_index("ix_person_last_touch", table_name="person")
    op.drop_index("ix_person_touches", table_name="person")
    op.drop_column("person", "last_touch_at")
    op.drop_column("person", "touches")

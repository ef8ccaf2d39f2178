"""source records: what each source last said

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 20:24:40.272746
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("record_key", sa.String(length=600), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_source_record_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_source_record_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_record")),
        sa.UniqueConstraint(
            "workspace_id", "source", "record_key", name=op.f("uq_source_record_workspace_id")
        ),
    )
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_record_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_record_person_id"))

    op.drop_table("source_record")

"""relationships: ties, ledger, leads, referrals, introductions, plans

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:22:17.286507
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("budget_minutes", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_plan_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
    )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.create_index("ix_plan_week", ["workspace_id", "week_start"], unique=False)

    op.create_table(
        "introduction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("person_a", sa.Integer(), nullable=False),
        sa.Column("person_b", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("accepted_a", sa.Boolean(), nullable=False),
        sa.Column("accepted_b", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_a"],
            ["person.id"],
            name=op.f("fk_introduction_person_a_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_b"],
            ["person.id"],
            name=op.f("fk_introduction_person_b_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_introduction_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_introduction")),
    )
    with op.batch_alter_table("introduction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_introduction_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "lead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("from_person_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_person_id"],
            ["person.id"],
            name=op.f("fk_lead_from_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_lead_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead")),
    )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "plan_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("other_person_id", sa.Integer(), nullable=True),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("done_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["network.id"],
            name=op.f("fk_plan_action_network_id_network"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["other_person_id"],
            ["person.id"],
            name=op.f("fk_plan_action_other_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_plan_action_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_action_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_plan_action_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_action")),
    )
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_action_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_plan_action_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "tie",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("person_a", sa.Integer(), nullable=False),
        sa.Column("person_b", sa.Integer(), nullable=False),
        sa.Column("trust", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_a"], ["person.id"], name=op.f("fk_tie_person_a_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_b"], ["person.id"], name=op.f("fk_tie_person_b_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_tie_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tie")),
        sa.UniqueConstraint(
            "workspace_id", "person_a", "person_b", "source", name=op.f("uq_tie_workspace_id")
        ),
    )
    with op.batch_alter_table("tie", schema=None) as batch_op:
        batch_op.create_index("ix_tie_b", ["workspace_id", "person_b"], unique=False)

    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("thanked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["lead.id"], name=op.f("fk_referral_lead_id_lead"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_referral_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_referral_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index("ix_referral_status", ["workspace_id", "status"], unique=False)

    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("occurred_at", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_ledger_entry_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referral.id"],
            name=op.f("fk_ledger_entry_referral_id_referral"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_ledger_entry_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entry")),
    )
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_person", ["workspace_id", "person_id"], unique=False)

    # A plain ALTER TABLE: recreating person would drop its full-text triggers.
    op.add_column("person", sa.Column("strength", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column("person", "strength")  # SQLite 3.35+ drops a column in place
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_person")

    op.drop_table("ledger_entry")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_status")

    op.drop_table("referral")
    with op.batch_alter_table("tie", schema=None) as batch_op:
        batch_op.drop_index("ix_tie_b")

    op.drop_table("tie")
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_action_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_plan_action_plan_id"))

    op.drop_table("plan_action")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_workspace_id"))

    op.drop_table("lead")
    with op.batch_alter_table("introduction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_introduction_workspace_id"))

    op.drop_table("introduction")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_week")

    op.drop_table("plan")

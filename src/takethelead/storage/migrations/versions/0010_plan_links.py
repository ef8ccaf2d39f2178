"""plan links: a manual-post action's delivery and a plan's balance as columns with foreign keys

They were JSON under the settings keys plan-posts:{plan id} ({action id: delivery id}) and
plan-balance:{plan id} ([automated, personal, automated only, [first person ids]]), which
no foreign key kept true. The upgrade moves those rows into the columns and the downgrade
moves them back.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 00:40:00
"""

from __future__ import annotations

import json
from typing import Any, Final

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

POSTS = "plan-posts:"
BALANCE = "plan-balance:"
BALANCE_COLUMNS: Final = ("balance_automated", "balance_personal", "balance_automated_only")


# Rebuilding `plan` as batch mode does would drop it, and SQLite's foreign keys would take
# its actions along: its columns are added and dropped in place (SQLite 3.35 or later).
# `plan_action` has no children; reflecting it does not need the tables it refers to.
_QUIET: Final = {"resolve_fks": False}


def upgrade() -> None:
    for column in BALANCE_COLUMNS:
        op.add_column("plan", sa.Column(column, sa.Integer(), nullable=True))
    with op.batch_alter_table("plan_action", schema=None, reflect_kwargs=_QUIET) as batch_op:
        batch_op.add_column(sa.Column("delivery_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_plan_action_delivery_id_delivery"),
            "delivery",
            ["delivery_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "plan_automated_only",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_plan_automated_only_plan_id_plan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_plan_automated_only_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_plan_automated_only_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "position", name=op.f("pk_plan_automated_only")),
    )
    op.create_index(
        op.f("ix_plan_automated_only_workspace_id"),
        "plan_automated_only",
        ["workspace_id"],
        unique=False,
    )
    _settings_to_columns(op.get_bind())


def downgrade() -> None:
    _columns_to_settings(op.get_bind())
    op.drop_index(op.f("ix_plan_automated_only_workspace_id"), table_name="plan_automated_only")
    op.drop_table("plan_automated_only")
    with op.batch_alter_table("plan_action", schema=None, reflect_kwargs=_QUIET) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_plan_action_delivery_id_delivery"), type_="foreignkey"
        )
        batch_op.drop_column("delivery_id")
    for column in reversed(BALANCE_COLUMNS):
        op.drop_column("plan", column)


def _ids(connection: sa.Connection, sql: str) -> set[int]:
    return {int(row[0]) for row in connection.execute(sa.text(sql))}


def _settings_to_columns(connection: sa.Connection) -> None:
    rows = connection.execute(
        sa.text("SELECT workspace_id, key, value FROM setting WHERE key LIKE 'plan-%'")
    ).all()
    plans = _ids(connection, "SELECT id FROM plan")
    actions = _ids(connection, "SELECT id FROM plan_action")
    deliveries = _ids(connection, "SELECT id FROM delivery")
    people = _ids(connection, "SELECT id FROM person")
    for workspace_id, key, raw in rows:
        if not (key.startswith(POSTS) or key.startswith(BALANCE)):
            continue
        plan = _number(key.split(":", 1)[1])
        value = _json(raw)
        # A link or person gone since, or a value in a shape never written, is left behind:
        # the plan does without it, as it did when the setting pointed at nothing.
        if key.startswith(POSTS) and plan in plans and isinstance(value, dict):
            for action, delivery in value.items():
                a, d = _number(action), _number(delivery)
                if a in actions and d in deliveries:
                    connection.execute(
                        sa.text("UPDATE plan_action SET delivery_id = :d WHERE id = :a"),
                        {"a": a, "d": d},
                    )
        elif key.startswith(BALANCE) and plan in plans and (balance := _balance(value)):
            automated, personal, only, shown = balance
            connection.execute(
                sa.text(
                    "UPDATE plan SET balance_automated = :a, balance_personal = :p, "
                    "balance_automated_only = :o WHERE id = :plan"
                ),
                {"a": int(automated), "p": int(personal), "o": int(only), "plan": plan},
            )
            kept = [p for p in (_number(p) for p in shown) if p in people]
            for position, person in enumerate(kept, start=1):
                connection.execute(
                    sa.text(
                        "INSERT INTO plan_automated_only (plan_id, position, person_id, "
                        "workspace_id) VALUES (:plan, :position, :person, :ws)"
                    ),
                    {"plan": plan, "position": position, "person": person, "ws": workspace_id},
                )
    connection.execute(
        sa.text(
            "DELETE FROM setting WHERE key LIKE :posts OR key LIKE :balance",
        ),
        {"posts": POSTS + "%", "balance": BALANCE + "%"},
    )


def _columns_to_settings(connection: sa.Connection) -> None:
    links: dict[tuple[int, int], dict[str, int]] = {}
    for ws, plan, action, delivery in connection.execute(
        sa.text(
            "SELECT workspace_id, plan_id, id, delivery_id FROM plan_action "
            "WHERE delivery_id IS NOT NULL ORDER BY id"
        )
    ):
        links.setdefault((int(ws), int(plan)), {})[str(action)] = int(delivery)
    shown: dict[int, list[int]] = {}
    for plan, person in connection.execute(
        sa.text("SELECT plan_id, person_id FROM plan_automated_only ORDER BY plan_id, position")
    ):
        shown.setdefault(int(plan), []).append(int(person))
    values: list[dict[str, Any]] = [
        {"ws": ws, "key": f"{POSTS}{plan}", "value": json.dumps(value)}
        for (ws, plan), value in links.items()
    ]
    for ws, plan, automated, personal, only in connection.execute(
        sa.text(
            "SELECT workspace_id, id, balance_automated, balance_personal, "
            "balance_automated_only FROM plan WHERE balance_automated IS NOT NULL"
        )
    ):
        balance = [int(automated), int(personal or 0), int(only or 0), shown.get(int(plan), [])]
        values.append({"ws": ws, "key": f"{BALANCE}{plan}", "value": json.dumps(balance)})
    if values:
        connection.execute(
            sa.text("INSERT INTO setting (workspace_id, key, value) VALUES (:ws, :key, :value)"),
            values,
        )


def _number(raw: object) -> int:
    try:
        return int(str(raw))
    except ValueError:
        return -1


def _json(raw: str) -> object:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _balance(value: object) -> tuple[int, int, int, list[object]] | None:
    """[automated, personal, automated only, [first person ids]] as written, else None."""
    if not isinstance(value, list) or len(value) != 4 or not isinstance(value[3], list):
        return None
    counts = [v for v in value[:3] if isinstance(v, int)]
    if len(counts) != 3:
        return None
    return counts[0], counts[1], counts[2], value[3]

"""Migration 0010 (plan links): a plan's posts and balance written as settings under 0009
move into columns with foreign keys, and back on the way down."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import time_machine
from sqlalchemy import Connection, inspect, text

from takethelead.config import Settings
from takethelead.services.core.store import Store
from takethelead.services.planning import weekly as planning
from takethelead.storage import database
from takethelead.storage.tables import Delivery, Person, Plan, PlanAction, Post, Setting, Workspace

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday, ISO week 10
MONDAY = datetime(2026, 3, 2, tzinfo=UTC).date()


def _insert(connection: Connection, table: object, **values: object) -> int:
    """A row through the table's own defaults, as the services wrote it under 0009."""
    result = connection.execute(table.insert().values(**values))  # type: ignore[attr-defined]
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _written_under_0009(connection: Connection) -> dict[str, int]:
    ws = _insert(connection, Workspace.__table__, name="w")
    ana = _insert(connection, Person.__table__, workspace_id=ws, full_name="Ana")
    gone = _insert(connection, Person.__table__, workspace_id=ws, full_name="Gone")
    post = _insert(connection, Post.__table__, workspace_id=ws, text="hello", networks='["x"]')
    delivery = _insert(
        connection,
        Delivery.__table__,
        workspace_id=ws,
        post_id=post,
        network="linkedin",
        text="hello",
        due_at=NOW,
        idempotency_key="k1",
    )
    plan = _insert(
        connection, Plan.__table__, workspace_id=ws, week_start=MONDAY, budget_minutes=150
    )
    posted = _insert(
        connection,
        PlanAction.__table__,
        workspace_id=ws,
        plan_id=plan,
        position=1,
        kind="manual-post",
        minutes=10,
        reason="scheduled by hand",
    )
    check_in = _insert(
        connection,
        PlanAction.__table__,
        workspace_id=ws,
        plan_id=plan,
        position=2,
        kind="check-in",
        minutes=15,
        person_id=ana,
        reason="overdue",
    )
    # A link to a delivery deleted since, and a person deleted since: left behind.
    links = {str(posted): delivery, str(check_in): delivery + 99}
    balance = [3, 1, 2, [ana, gone + 99]]
    for key, value in ((f"plan-posts:{plan}", links), (f"plan-balance:{plan}", balance)):
        _insert(connection, Setting.__table__, workspace_id=ws, key=key, value=json.dumps(value))
    _insert(connection, Setting.__table__, workspace_id=ws, key="budget_minutes", value="150")
    return {
        "ws": ws,
        "ana": ana,
        "plan": plan,
        "posted": posted,
        "check_in": check_in,
        "delivery": delivery,
    }


def test_a_plans_posts_and_balance_written_under_0009_survive_the_migration_up_and_down(
    settings: Settings,
) -> None:
    engine = database.make_engine(settings.database_url)
    if database.current_revision(engine):
        database.downgrade(engine, "base")
    database.upgrade(engine, "0009")
    with engine.begin() as connection:
        ids = _written_under_0009(connection)
    database.upgrade(engine)
    with engine.connect() as connection:
        links = connection.execute(
            text("SELECT id, delivery_id FROM plan_action ORDER BY position")
        ).all()
        counts = connection.execute(
            text("SELECT balance_automated, balance_personal, balance_automated_only FROM plan")
        ).one()
        shown = connection.execute(
            text("SELECT position, person_id FROM plan_automated_only")
        ).all()
        keys = connection.execute(text("SELECT key FROM setting ORDER BY key")).scalars().all()
    assert [tuple(r) for r in links] == [(ids["posted"], ids["delivery"]), (ids["check_in"], None)]
    assert tuple(counts) == (3, 1, 2)
    assert [tuple(r) for r in shown] == [(1, ids["ana"])]
    assert keys == ["budget_minutes"]

    store = Store.open(settings)
    with time_machine.travel(NOW, tick=False), store.transaction() as session:
        view = planning.current_plan(session, ids["ws"])
        action = session.get(PlanAction, ids["posted"])
        assert action is not None
        assert action.delivery_id == ids["delivery"]
    assert view is not None
    assert (view.balance.automated, view.balance.personal) == (3, 1)
    assert view.balance.automated_only_names == ("Ana",)
    store.close()

    database.downgrade(engine, "0009")
    assert "plan_automated_only" not in inspect(engine).get_table_names()
    assert "delivery_id" not in {c["name"] for c in inspect(engine).get_columns("plan_action")}
    with engine.connect() as connection:
        settings_back: dict[str, str] = dict(
            connection.execute(text("SELECT key, value FROM setting WHERE key LIKE 'plan-%'")).all()
        )
        actions = connection.execute(text("SELECT COUNT(*) FROM plan_action")).scalar_one()
    plan = ids["plan"]
    assert json.loads(settings_back[f"plan-posts:{plan}"]) == {str(ids["posted"]): ids["delivery"]}
    assert json.loads(settings_back[f"plan-balance:{plan}"]) == [3, 1, 2, [ids["ana"]]]
    assert actions == 2  # the plan's actions are not taken along with its columns
    database.upgrade(engine)
    engine.dispose()

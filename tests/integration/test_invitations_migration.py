"""Migration 0009 (invitations): accounts written under 0008 come through it, both ways."""

from __future__ import annotations

from sqlalchemy import inspect, text

from takethelead.config import Settings
from takethelead.services.auth import invitations
from takethelead.services.core.store import Store
from takethelead.storage import database


def test_accounts_written_under_0008_survive_the_invitations_migration_up_and_down(
    settings: Settings,
) -> None:
    engine = database.make_engine(settings.database_url)
    if database.current_revision(engine):
        database.downgrade(engine, "base")
    database.upgrade(engine, "0008")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO workspace (name, is_demo, created_at) VALUES ('w', false, 0)")
        )
        connection.execute(
            text(
                "INSERT INTO app_user (email, password_hash, created_at) "
                "VALUES ('ana@example.org', '$argon2id$x', 0)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO membership (user_id, workspace_id, role) SELECT u.id, w.id, 'owner' "
                "FROM app_user u, workspace w"
            )
        )
    database.upgrade(engine)
    assert "invitation" in inspect(engine).get_table_names()
    store = Store.open(settings)
    with store.transaction() as session:
        ws = session.execute(text("SELECT id FROM workspace WHERE name = 'w'")).scalar_one()
        issued = invitations.invite(session, ws, "bruno@example.org", "member", None)
        assert [i.email for i in invitations.pending_in(session, ws)] == ["bruno@example.org"]
    assert issued.path.startswith("/invite/")
    store.close()
    database.downgrade(engine, "0008")
    assert "invitation" not in inspect(engine).get_table_names()
    with engine.connect() as connection:
        kept = connection.execute(
            text("SELECT u.email, m.role FROM app_user u JOIN membership m ON m.user_id = u.id")
        ).all()
    assert [tuple(row) for row in kept] == [("ana@example.org", "owner")]
    database.upgrade(engine)
    engine.dispose()

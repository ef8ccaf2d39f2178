"""The schema: created on first use, migrated up and down, same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from takethelead.config import Settings
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.people.people import search_people
from takethelead.storage import database
from takethelead.storage.tables import Interaction, Person


def test_first_use_creates_the_schema_at_the_newest_revision(store: Store) -> None:
    assert database.current_revision(store.engine) == database.head_revision(store.engine)
    tables = set(inspect(store.engine).get_table_names())
    assert {"workspace", "person", "identity", "network", "interaction", "time_entry"} <= tables


def test_every_migration_goes_down_to_nothing_and_back_up(store: Store) -> None:
    database.downgrade(store.engine, "base")
    assert database.current_revision(store.engine) is None
    assert "person" not in inspect(store.engine).get_table_names()
    database.upgrade(store.engine)
    assert database.current_revision(store.engine) == database.head_revision(store.engine)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(settings: Settings) -> None:
    if not settings.is_sqlite:
        pytest.skip("SQLite pragmas")
    store = Store.open(settings)
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    store.close()


def test_an_interaction_for_a_missing_person_is_refused(store: Store) -> None:
    with pytest.raises(IntegrityError), store.transaction() as session:
        ws = workspace_id(session, "default")
        session.add(
            Interaction(
                workspace_id=ws,
                person_id=424242,
                occurred_at=datetime.now(UTC),
                kind="message",
                direction="outbound",
                source="manual",
                external_id="x",
            )
        )
        session.flush()


def test_timestamps_come_back_as_the_same_aware_utc_instant(store: Store) -> None:
    moment = datetime(2024, 3, 15, 9, 30, 5, tzinfo=UTC)
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        person = Person(workspace_id=ws, full_name="Ana Díaz")
        session.add(person)
        session.flush()
        session.add(
            Interaction(
                workspace_id=ws,
                person_id=person.id,
                occurred_at=moment,
                kind="meeting",
                direction="mutual",
                source="manual",
                external_id="m1",
            )
        )
    with store.transaction() as session:
        stored = session.query(Interaction).one()
        assert stored.occurred_at == moment
        assert stored.occurred_at.tzinfo is not None


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(Exception, match="naive"), store.transaction() as session:
        ws = workspace_id(session, "default")
        person = Person(workspace_id=ws, full_name="Ana")
        session.add(person)
        session.flush()
        session.add(
            Interaction(
                workspace_id=ws,
                person_id=person.id,
                occurred_at=datetime(2024, 1, 1),
                kind="meeting",
                direction="mutual",
                source="manual",
                external_id="n",
            )
        )
        session.flush()


@pytest.mark.parametrize("start", ["0001", "0002", "0003", "0006"])
def test_data_written_under_an_older_schema_survives_the_upgrade(
    settings: Settings, start: str
) -> None:
    engine = database.make_engine(settings.database_url)
    if database.current_revision(engine):
        database.downgrade(engine, "base")
    database.upgrade(engine, start)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO workspace (name, is_demo, created_at) VALUES ('w', false, 0)")
        )
        ws = connection.execute(text("SELECT id FROM workspace WHERE name = 'w'")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO person (workspace_id, full_name, first_name, last_name, company, "
                "title, notes, offer, lead_profile, is_me, distrusted, search_text, created_at, "
                "updated_at) VALUES (:ws, 'Ana Díaz', 'Ana', 'Díaz', 'Acme', '', '', '', '', "
                "false, false, 'ana diaz acme', 0, 0)"
            ),
            {"ws": ws},
        )
    database.upgrade(engine)
    store = Store(settings=settings, engine=engine, sessions=database.session_factory(engine))
    with store.transaction() as session:
        found = search_people(session, ws, "diaz")
    assert [p.full_name for p in found] == ["Ana Díaz"]
    database.downgrade(engine, "base")
    engine.dispose()

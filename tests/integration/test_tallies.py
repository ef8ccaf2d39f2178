"""Cached tallies: counts and quiet people read the same with or without the daily cache."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from takethelead.config import Settings
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.ingest.exchange import import_path
from takethelead.services.networks.networks import add_network, list_networks
from takethelead.services.networks.tallies import (
    TALLIES_KEY,
    forget_recent,
    quiet_ties,
    recent_activity,
    refresh_tallies,
    tallies,
)
from takethelead.services.people import people
from takethelead.services.people.interactions import log_touch
from takethelead.services.relationships.overview import overview
from takethelead.storage import database

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _workspace(store: Store) -> int:
    """Ana, touched 10 times on LinkedIn 200 days ago; Bruno, 3 times by e-mail this week."""
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        add_network(session, ws, "LinkedIn", "linkedin")
        add_network(session, ws, "Mail", "email")
        people.add_person(session, ws, "Ana Díaz")
        people.add_person(session, ws, "Bruno Costa")
        for day in range(10):
            when = NOW - timedelta(days=200 + day)
            log_touch(session, ws, "Ana Díaz", network="LinkedIn", when=when)
        for day in range(3):
            log_touch(session, ws, "Bruno Costa", network="Mail", when=NOW - timedelta(days=day))
    return ws


def _counts(store: Store, ws: int) -> dict[str, int]:
    with store.transaction() as session:
        return {n.name: n.interactions for n in list_networks(session, ws)}


def test_network_counts_are_the_same_before_and_after_the_refresh(store: Store) -> None:
    ws = _workspace(store)
    before = _counts(store, ws)
    with store.transaction() as session:
        assert refresh_tallies(session, ws, NOW) == 13
    assert _counts(store, ws) == before == {"LinkedIn": 10, "Mail": 3}


def test_interactions_after_the_refresh_are_counted_at_once(store: Store) -> None:
    ws = _workspace(store)
    with store.transaction() as session:
        refresh_tallies(session, ws, NOW)
        log_touch(session, ws, "Bruno Costa", network="Mail", when=NOW + timedelta(hours=1))
        log_touch(session, ws, "Bruno Costa", when=NOW - timedelta(hours=1))
    with store.transaction() as session:
        assert tallies(session, ws).total == 15
    assert _counts(store, ws) == {"LinkedIn": 10, "Mail": 4}


def test_removing_a_person_drops_their_interactions_from_the_counts(store: Store) -> None:
    ws = _workspace(store)
    with store.transaction() as session:
        refresh_tallies(session, ws, NOW)
        people.remove_person(session, ws, people.resolve_person(session, ws, "Ana Díaz"))
    assert _counts(store, ws) == {"LinkedIn": 0, "Mail": 3}


def test_quiet_people_are_the_same_with_the_cache_and_without(store: Store) -> None:
    ws = _workspace(store)
    with store.transaction() as session:
        live = quiet_ties(session, ws, NOW)
        refresh_tallies(session, ws, NOW)
        cached = quiet_ties(session, ws, NOW)
    assert [(q.full_name, q.touches) for q in live] == [("Ana Díaz", 10)]
    assert cached == live


def test_a_quiet_person_touched_again_is_no_longer_quiet(store: Store) -> None:
    ws = _workspace(store)
    with store.transaction() as session:
        refresh_tallies(session, ws, NOW)
        log_touch(session, ws, "Ana Díaz", when=NOW)
        assert quiet_ties(session, ws, NOW) == ()


def test_someone_going_quiet_the_day_after_the_refresh_shows(store: Store) -> None:
    ws = _workspace(store)
    with store.transaction() as session:
        carla = people.add_person(session, ws, "Carla Nunes")
        for day in range(8):
            when = NOW - timedelta(days=89, hours=12 + day)
            log_touch(session, ws, "Carla Nunes", person=f"#{carla}", when=when)
        refresh_tallies(session, ws, NOW)
        assert [q.full_name for q in quiet_ties(session, ws, NOW)] == ["Ana Díaz"]
        tomorrow = NOW + timedelta(days=1)
        assert [q.full_name for q in quiet_ties(session, ws, tomorrow)] == [
            "Ana Díaz",
            "Carla Nunes",
        ]


def test_the_overview_counts_every_interaction_and_the_last_90_days_per_network(
    store: Store,
) -> None:
    ws = _workspace(store)
    with store.transaction() as session:
        summary = overview(session, ws, NOW)
    assert summary.interactions == 13
    assert [(n.name, n.touches_90d) for n in summary.networks] == [("Mail", 3)]


def _index_names(engine: Engine) -> set[str]:
    # Reflection skips expression indexes (with a warning) on SQLite: ask the catalogue.
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes"
    )
    with engine.connect() as connection:
        return set(connection.execute(text(query)).scalars())


def test_data_written_under_0005_survives_the_upgrade_to_the_new_indexes(
    settings: Settings,
) -> None:
    engine = database.make_engine(settings.database_url)
    if database.current_revision(engine):
        database.downgrade(engine, "base")
    database.upgrade(engine, "0005")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO workspace (name, is_demo, created_at) VALUES ('w', false, 0)")
        )
        ws = connection.execute(text("SELECT id FROM workspace WHERE name = 'w'")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO person (workspace_id, full_name, first_name, last_name, company, "
                "title, notes, offer, lead_profile, is_me, distrusted, search_text, created_at, "
                "updated_at) VALUES (:ws, 'Ana Díaz', 'Ana', 'Díaz', '', '', '', '', '', "
                "false, false, 'ana diaz', 0, 0)"
            ),
            {"ws": ws},
        )
        person = connection.execute(text("SELECT id FROM person")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO network (workspace_id, name, kind, url, created_at) "
                "VALUES (:ws, 'LinkedIn', 'linkedin', '', 0)"
            ),
            {"ws": ws},
        )
        network = connection.execute(text("SELECT id FROM network")).scalar_one()
        for n in range(3):
            connection.execute(
                text(
                    "INSERT INTO interaction (workspace_id, person_id, network_id, occurred_at, "
                    "kind, direction, automated, summary, source, external_id) VALUES "
                    "(:ws, :p, :net, :at, 'message', 'inbound', false, '', 'manual', :ext)"
                ),
                {"ws": ws, "p": person, "net": network, "at": 1_700_000_000 + n, "ext": str(n)},
            )
    database.upgrade(engine)
    assert {"ix_interaction_network_time", "ix_person_name"} <= _index_names(engine)
    store = Store(settings=settings, engine=engine, sessions=database.session_factory(engine))
    assert _counts(store, ws) == {"LinkedIn": 3}
    with store.transaction() as session:
        assert [p.full_name for p in people.list_people(session, ws, limit=5)] == ["Ana Díaz"]
    database.downgrade(engine, "0005")
    assert not {"ix_interaction_network_time", "ix_person_name"} & _index_names(engine)
    database.downgrade(engine, "base")
    engine.dispose()


def _live_recent(store: Store, ws: int, moment: datetime) -> dict[int, tuple[int, int]]:
    """The 90-day counts straight from the interactions, for comparison."""
    since = int((moment - timedelta(days=90)).timestamp())
    with store.transaction() as session:
        rows = session.execute(
            text(
                "SELECT network_id, count(*), sum(CASE WHEN direction = 'inbound' THEN 1 "
                "ELSE 0 END) FROM interaction WHERE workspace_id = :ws AND occurred_at >= :s "
                "AND network_id IS NOT NULL GROUP BY network_id"
            ),
            {"ws": ws, "s": since},
        ).all()
    return {int(n): (int(t), int(i)) for n, t, i in rows}


def _cached_recent(store: Store, ws: int, moment: datetime) -> dict[int, tuple[int, int]]:
    with store.transaction() as session:
        found = recent_activity(session, ws, moment)
    return {a.network_id: (a.touches, a.inbound) for a in found}


def test_recent_activity_is_exact_at_any_moment_before_and_after_new_touches(
    store: Store,
) -> None:
    ws = _workspace(store)
    pick = random.Random(7)
    directions = ("inbound", "outbound")

    def touch(session: Session, hours_ago: float) -> None:
        log_touch(
            session, ws, "Bruno Costa", network=pick.choice(("LinkedIn", "Mail")),
            when=NOW - timedelta(hours=hours_ago), direction=pick.choice(directions),
        )  # fmt: skip

    with store.transaction() as session:
        # Crowded around the window's edge (90 days = 2160 h) and around now.
        for _ in range(120):
            touch(session, pick.uniform(2100, 2260))
        for _ in range(60):
            touch(session, pick.uniform(-30, 200))
        refresh_tallies(session, ws, NOW)
    moments = [NOW + timedelta(hours=h) for h in (0, 0.5, 11, 23.9, 24, 37, 60)]
    for moment in moments:
        assert _cached_recent(store, ws, moment) == _live_recent(store, ws, moment), moment
    with store.transaction() as session:  # after the refresh, at the edge and now
        for _ in range(40):
            touch(session, pick.choice((pick.uniform(2100, 2260), pick.uniform(-30, 30))))
    for moment in moments:
        assert _cached_recent(store, ws, moment) == _live_recent(store, ws, moment), moment
    assert sum(t for t, _ in _cached_recent(store, ws, NOW).values()) > 100


def test_recent_activity_counts_live_when_the_day_counts_are_dropped(store: Store) -> None:
    ws = _workspace(store)
    with store.transaction() as session:
        refresh_tallies(session, ws, NOW)
        moved = session.execute(text("SELECT min(id) FROM interaction")).scalar_one()
        # What a re-import does when an export says a message was sent on another day.
        session.execute(
            text("UPDATE interaction SET occurred_at = :at WHERE id = :id"),
            {"at": int((NOW - timedelta(days=1)).timestamp()), "id": moved},
        )
        forget_recent(session, ws)
    assert _cached_recent(store, ws, NOW) == _live_recent(store, ws, NOW)
    assert sum(t for t, _ in _cached_recent(store, ws, NOW).values()) == 4
    with store.transaction() as session:
        assert tallies(session, ws).total == 13  # the all-time counts are kept


def _cache(store: Store) -> dict[str, object]:
    with store.transaction() as session:
        raw = session.execute(
            text("SELECT value FROM setting WHERE key = :k"), {"k": TALLIES_KEY}
        ).scalar_one()
    value = json.loads(raw)
    assert isinstance(value, dict)
    return value


def test_a_reimport_that_moves_a_message_in_time_drops_the_day_counts(
    store: Store, tmp_path: Path
) -> None:
    ws = _workspace(store)
    mailbox = tmp_path / "mail.mbox"

    def write(date: str) -> None:
        mailbox.write_text(
            "From 1771111111111111111@xxx Mon May 01 14:22:10 +0000 2023\n"
            "X-Gmail-Labels: Inbox\n"
            "Delivered-To: maya@lead.example\n"
            "From: Dana Okafor <dana@example.org>\n"
            "To: Maya Lead <maya@lead.example>\n"
            "Subject: Coffee?\n"
            f"Date: {date}\n"
            "Message-ID: <m1@example.org>\n\n"
            "Next week?\n\n",
            encoding="utf-8",
        )

    write("Sat, 30 May 2026 10:00:00 +0000")
    with store.transaction() as session:
        import_path(session, ws, mailbox, "mbox")
        refresh_tallies(session, ws, NOW)
    assert "recent" in _cache(store)
    write("Thu, 30 Jan 2025 10:00:00 +0000")  # the same message, its date corrected
    with store.transaction() as session:
        (summary,) = import_path(session, ws, mailbox, "mbox")
    assert summary.interactions.updated == 1
    assert "recent" not in _cache(store) and "networks" in _cache(store)
    assert _cached_recent(store, ws, NOW) == _live_recent(store, ws, NOW)

"""People ranked by interactions or last contact: the nightly counts plus what came since
give exactly what counting every interaction gives, page by page."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from takethelead.services.core.store import Store, workspace_id
from takethelead.services.networks.tallies import refresh_tallies
from takethelead.services.people import people
from takethelead.services.people.interactions import log_touch
from takethelead.services.people.merging import merge_people
from takethelead.services.people.ranking import COUNTS_KEY, counted_upto, ranked_people
from takethelead.storage import database
from takethelead.storage.tables import Person, Setting

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _expected(store: Store, ws: int, by: str, tag: str | None = None) -> list[int]:
    """Everyone eligible, ranked by counting their interactions one by one."""
    with store.transaction() as session:
        ids = [p.id for p in people.list_people(session, ws, tag=tag)]
        rows = session.execute(
            text(
                "SELECT person_id, count(*), max(occurred_at) FROM interaction "
                "WHERE workspace_id = :ws GROUP BY person_id"
            ),
            {"ws": ws},
        ).all()
    totals = {int(p): (int(n), int(last)) for p, n, last in rows}

    def order(pid: int) -> tuple[int, int, int]:
        n, last = totals.get(pid, (0, 0))
        if by == "interactions":
            return (-n, 0, pid)
        return (pid not in totals, -last, pid)

    return sorted(ids, key=order)


def _pages(store: Store, ws: int, by: str, size: int, tag: str | None = None) -> list[int]:
    found: list[int] = []
    offset = 0
    while True:
        with store.transaction() as session:
            page = people.list_people(session, ws, tag=tag, sort=by, limit=size, offset=offset)  # type: ignore[arg-type]
        found += [p.id for p in page]
        if len(page) < size:
            return found
        offset += size


@pytest.fixture
def ws(store: Store) -> int:
    pick = random.Random(11)
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        ids = [
            people.add_person(session, ws, f"Person {n}", tags=["club"] if n % 3 else [])
            for n in range(60)
        ]
        for n in range(500):
            pid = pick.choice(ids[:50])  # ten are never contacted
            when = NOW - timedelta(hours=pick.randrange(0, 24 * 400, 12))  # equal times too
            log_touch(session, ws, f"touch {n}", person=f"#{pid}", when=when)
        refresh_tallies(session, ws, NOW)
    return ws


@pytest.mark.parametrize("by", ["interactions", "last-contact"])
def test_pages_from_the_counts_match_counting_everything(store: Store, ws: int, by: str) -> None:
    with store.transaction() as session:
        assert counted_upto(session, ws) is not None
    assert _pages(store, ws, by, 7) == _expected(store, ws, by)
    assert _pages(store, ws, by, 5, tag="club") == _expected(store, ws, by, tag="club")


@pytest.mark.parametrize("by", ["interactions", "last-contact"])
def test_touches_and_people_added_since_the_count_rank_at_once(
    store: Store, ws: int, by: str
) -> None:
    with store.transaction() as session:
        quiet = people.list_people(session, ws, sort="interactions")[-12].id  # few touches
        newcomer = people.add_person(session, ws, "Newcomer")
        for day in range(40):
            when = NOW + timedelta(days=1, hours=day)
            log_touch(session, ws, f"catch-up {day}", person=f"#{quiet}", when=when)
        log_touch(session, ws, "hello", person=f"#{newcomer}", when=NOW + timedelta(days=3))
    expected = _expected(store, ws, by)
    assert _pages(store, ws, by, 6) == expected
    assert expected[0] in (quiet, newcomer)
    with store.transaction() as session:
        eligible = select(Person.id).where(Person.workspace_id == ws, Person.is_me.is_(False))
        assert ranked_people(session, ws, eligible, by, 0, 3) == expected[:3]  # type: ignore[arg-type]


def test_a_merge_recounts_the_kept_person(store: Store, ws: int) -> None:
    with store.transaction() as session:
        ranked = people.list_people(session, ws, sort="interactions")
        top, second = ranked[0].id, ranked[1].id
        merge_people(session, ws, ranked[-15].id, top)  # the busiest folds into a quiet one
        assert counted_upto(session, ws) is not None  # the counts stay in use
    assert _pages(store, ws, "interactions", 8) == _expected(store, ws, "interactions")
    assert _pages(store, ws, "last-contact", 8) == _expected(store, ws, "last-contact")
    assert _expected(store, ws, "interactions")[1] == second


def test_without_counts_the_list_counts_everything(store: Store, ws: int) -> None:
    with store.transaction() as session:
        session.execute(
            Setting.__table__.delete().where(Setting.key == COUNTS_KEY)  # type: ignore[attr-defined]
        )
        eligible = select(Person.id).where(Person.workspace_id == ws)
        assert ranked_people(session, ws, eligible, "interactions", 0, 5) is None
    assert _pages(store, ws, "interactions", 9) == _expected(store, ws, "interactions")


def test_data_written_under_0007_survives_the_upgrade_to_person_counts(
    settings: object, store: Store
) -> None:
    engine = store.engine
    database.downgrade(engine, "0007")
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
        for n in range(3):
            connection.execute(
                text(
                    "INSERT INTO interaction (workspace_id, person_id, occurred_at, kind, "
                    "direction, automated, summary, source, external_id) VALUES "
                    "(:ws, :p, :at, 'message', 'inbound', false, '', 'manual', :ext)"
                ),
                {"ws": ws, "p": person, "at": 1_700_000_000 + n, "ext": str(n)},
            )
    database.upgrade(engine)
    with store.transaction() as session:
        assert session.scalar(select(Person.touches).where(Person.id == person)) == 0
        refresh_tallies(session, ws, NOW)
        row = session.execute(
            select(Person.touches, Person.last_touch_at).where(Person.id == person)
        ).one()
        assert row[0] == 3 and row[1] is not None
        assert int(row[1].timestamp()) == 1_700_000_002
        assert [p.full_name for p in people.search_people(session, ws, "diaz")] == ["Ana Díaz"]


def test_a_timeline_is_read_in_order_off_the_person_index(store: Store, ws: int) -> None:
    """Newest first, ties by id, without sorting a busy person's interactions (SQLite)."""
    if not store.settings.is_sqlite:
        pytest.skip("SQLite's query plan")
    with store.transaction() as session:
        plan = session.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT id, kind, direction, automated FROM interaction "
                "WHERE workspace_id = :ws AND person_id = 1 "
                "ORDER BY occurred_at DESC, id DESC LIMIT 50"
            ),
            {"ws": ws},
        ).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert "COVERING INDEX ix_interaction_person_time" in details
    assert "TEMP B-TREE" not in details

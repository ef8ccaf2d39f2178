"""One relationship over time and at a glance, and the people list's filters, on a real
database: the history agrees with the strength the rest of the app shows."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import update
from sqlalchemy.orm import Session

from takethelead.services.core.errors import NotFound, ServiceError
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.people import people
from takethelead.services.people import roster as roster_module
from takethelead.services.people.roster import COUNT_CAP, SortKey, roster
from takethelead.services.relationships import ledger
from takethelead.services.relationships import strength as relationships
from takethelead.services.relationships.activity import person_touches
from takethelead.services.relationships.history import (
    month_ends,
    strength_history,
    strength_now,
)
from takethelead.services.relationships.rapport import layer_rank, rapport
from takethelead.services.relationships.scoring import rescore_all
from takethelead.storage.tables import Interaction, Person

NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def touches(session: Session, ws: int, person: int, days_ago: list[float], kind: str) -> None:
    for n, days in enumerate(days_ago):
        session.add(
            Interaction(
                workspace_id=ws,
                person_id=person,
                occurred_at=NOW - timedelta(days=days),
                kind=kind,
                direction="mutual" if n % 2 else "outbound",
                automated=False,
                source="test",
                external_id=f"{person}-{kind}-{days}-{n}",
            )
        )
    session.flush()


def test_month_ends_are_the_starts_of_the_last_months_then_now() -> None:
    ends = month_ends(NOW, 3)
    assert ends == [
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 2, 1, tzinfo=UTC),
        datetime(2026, 3, 1, tzinfo=UTC),
        NOW,
    ]
    first_of_month = datetime(2026, 3, 1, tzinfo=UTC)
    assert month_ends(first_of_month, 2) == [datetime(2026, 2, 1, tzinfo=UTC), first_of_month]
    assert month_ends(datetime(2026, 1, 20, tzinfo=UTC), 2)[0] == datetime(2025, 12, 1, tzinfo=UTC)


def test_a_tie_gone_quiet_shows_its_fall_and_ends_at_todays_strength(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "h")
        ana = people.add_person(session, ws, "Ana Díaz", people.PersonInput(closeness=3))
        # Met every fortnight until five months ago, then nothing.
        touches(session, ws, ana, [150 + 14 * k for k in range(20)], "meeting")
        history = strength_history(session, ws, ana, months=12)
        now = relationships.strength_of(session, ws, ana)

    scores = [p.score for p in history.points]
    assert len(scores) == 13 and history.rated
    assert history.now.score == pytest.approx(now.score, abs=1e-9)
    # Steady while they met every fortnight (to November), then falling every month since.
    meeting = scores[1:8]
    assert max(meeting) - min(meeting) < 0.05
    quiet = scores[7:]
    assert all(a > b for a, b in itertools.pairwise(quiet))
    assert history.change < 0 and history.now.label == "active"
    window_start = datetime(2025, 3, 1, tzinfo=UTC)
    met = [NOW - timedelta(days=150 + 14 * k) for k in range(20)]
    assert sum(p.touches for p in history.points) == sum(1 for at in met if at > window_start)
    assert history.points[-1].touches == 0


def test_the_fast_reader_reads_every_touch_of_one_person_and_no_one_else(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "h")
        a = people.add_person(session, ws, "A One")
        b = people.add_person(session, ws, "B Two")
        touches(session, ws, a, [1, 2, 3], "call")
        touches(session, ws, b, [1], "reaction")
        touches(session, ws, a, [-5], "email")  # in the future: not yet
        read = person_touches(session, ws, a, NOW)
    assert len(read) == 3 and set(read.person.tolist()) == {0}
    assert sorted(read.ts.tolist()) == [(NOW - timedelta(days=d)).timestamp() for d in (3, 2, 1)]


def test_rapport_agrees_with_the_whole_workspace_view(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "h")
        ids = [people.add_person(session, ws, f"Person {n}") for n in range(8)]
        for n, pid in enumerate(ids):
            touches(session, ws, pid, [3 + 20 * n + 7 * k for k in range(n + 1)], "message")
        session.execute(update(Person).where(Person.id == ids[2]).values(cadence_days=10))
        ledger.add_entry(session, ws, ids[2], "given", "introduction")
        rescore_all(session, ws)
        for pid in ids:
            fast = rapport(session, ws, pid)
            full = relationships.relationship_of(session, ws, pid)
            assert fast.strength.score == pytest.approx(full.strength.score, abs=1e-9)
            assert fast.strength.why == full.strength.why
            quick = strength_now(session, ws, pid)
            assert quick.score == pytest.approx(fast.strength.score, abs=1e-12)
            assert (quick.why, quick.label, quick.last_contact) == (
                full.strength.why,
                full.strength.label,
                full.strength.last_contact,
            )
            assert fast.layer == full.layer and fast.cadence_days == full.cadence_days
            assert fast.cadence_source == full.cadence_source
            assert fast.overdue_days == pytest.approx(full.overdue_days)
        assert rapport(session, ws, ids[2]).ledger.standing.given == 1
        assert layer_rank(session, ws, ids[0], 1.0)[1] == 1  # the strongest there could be
        with pytest.raises(NotFound, match="no person #999999"):
            rapport(session, ws, 999_999)
        me = Person(workspace_id=ws, full_name="Me", is_me=True)
        session.add(me)
        session.flush()
        with pytest.raises(ServiceError, match="is you"):
            strength_history(session, ws, me.id)


def test_the_people_list_filters_by_layer_and_due_and_sorts_by_strength(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "h")
        close = people.add_person(session, ws, "Zoe Close", tags=["client"])
        far = people.add_person(session, ws, "Adam Far")
        never = people.add_person(session, ws, "Mia Never")
        touches(session, ws, close, [1, 8, 15, 22], "meeting")
        touches(session, ws, far, [400], "message")
        session.execute(update(Person).where(Person.id == far).values(cadence_days=30))

        by_name = roster(session, ws)
        assert [r.person.full_name for r in by_name.rows] == ["Adam Far", "Mia Never", "Zoe Close"]
        by_strength = roster(session, ws, sort="strength")
        assert by_strength.rows[0].person.id == close and by_strength.rows[0].layer_code == 0
        assert by_strength.rows[0].strength is not None  # the cache was filled on the way
        inner = roster(session, ws, layer=0)
        assert [r.person.id for r in inner.rows] == [close]
        outside = roster(session, ws, layer=4, sort="last-contact")
        assert [r.person.id for r in outside.rows] == [far, never]
        due = roster(session, ws, show="due")
        assert [r.person.id for r in due.rows] == [far]
        assert due.rows[0].overdue_days == pytest.approx(400 - 30, abs=1)
        assert [r.person.id for r in roster(session, ws, q="zoe", tag="client").rows] == [close]
        assert roster(session, ws, q="zoe", tag="other").rows == ()
        paged = roster(session, ws, sort="layer", limit=2)
        assert [r.person.id for r in paged.rows] == [close, far] and paged.more
        assert [r.person.id for r in roster(session, ws, sort="layer", limit=2, offset=2).rows] == [
            never
        ]
        with pytest.raises(ServiceError, match="layer: expected 0 to 4"):
            roster(session, ws, layer=9)
        with pytest.raises(ServiceError, match="q: expected at least one word"):
            roster(session, ws, q="!!")


def test_a_busy_ties_count_stops_at_the_cap_unless_sorted_by_interactions(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "h")
        busy = people.add_person(session, ws, "Busy Bee")
        touches(session, ws, busy, [k / 10 for k in range(COUNT_CAP + 5)], "reaction")
        capped = roster(session, ws, sort="strength").rows[0]
        assert capped.person.interactions == COUNT_CAP and not capped.counted_all
        full = roster(session, ws, sort="interactions").rows[0]
        assert full.person.interactions == COUNT_CAP + 5 and full.counted_all


def test_many_eligible_people_are_ranked_by_the_index_walks_with_the_same_answer(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    sorts: tuple[SortKey, ...] = ("last-contact", "interactions")
    with store.transaction() as session:
        ws = workspace_id(session, "h")
        for n in range(12):
            pid = people.add_person(session, ws, f"Walker {n:02d}")
            touches(session, ws, pid, [n + 1 + k * 30 for k in range(n % 4)], "message")

        def pages() -> dict[tuple[str, int], list[int]]:
            return {
                (sort, offset): [
                    r.person.id
                    for r in roster(session, ws, q="walker", sort=sort, limit=4, offset=offset).rows
                ]
                for sort in sorts
                for offset in (0, 4, 8)
            }

        in_python = pages()
        monkeypatch.setattr(roster_module, "FEW_RANKED", 1)
        assert pages() == in_python
    never = in_python[("last-contact", 8)]
    assert len(never) == 4 and len(set(in_python[("interactions", 0)])) == 4

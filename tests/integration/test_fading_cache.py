"""Fading ties for the dashboard: the nightly list, checked afresh on every read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from takethelead.services.core.store import Store, workspace_id
from takethelead.services.demo import build_demo
from takethelead.services.people import people
from takethelead.services.people.interactions import log_touch
from takethelead.services.relationships import fadingcache, keepintouch
from takethelead.services.relationships.fadingcache import fading_now, refresh_fading

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def ws(store: Store) -> int:
    with store.transaction() as session:
        build_demo(session, "f", people=120, interactions=3000, now=NOW)
        return workspace_id(session, "f")


def test_without_the_nightly_list_a_small_workspace_is_worked_out_live(
    store: Store, ws: int
) -> None:
    with store.transaction() as session:
        live = keepintouch.fading(session, ws, limit=5, now=NOW)
        found = fading_now(session, ws, limit=5, now=NOW)
    assert found is not None and not found.cached and found.ties
    assert [t.person_id for t in found.ties] == [f.strength.person_id for f in live.fading]
    assert all(t.before > t.strength for t in found.ties)


def test_the_nightly_list_is_read_minus_who_was_touched_or_removed_since(
    store: Store, ws: int
) -> None:
    with store.transaction() as session:
        assert refresh_fading(session, ws, NOW) == fadingcache.KEPT
    later = NOW + timedelta(hours=3)
    with store.transaction() as session:
        first = fading_now(session, ws, limit=8, now=later)
    assert first is not None and first.cached and first.as_of == NOW
    called, removed = first.ties[0], first.ties[1]
    with store.transaction() as session:
        log_touch(
            session, ws, "call", kind="call", person=f"#{called.person_id}",
            when=NOW + timedelta(hours=1),
        )  # fmt: skip
        log_touch(  # automated: not personal contact, so still fading
            session, ws, "newsletter", person=f"#{first.ties[2].person_id}",
            when=NOW + timedelta(hours=1), automated=True,
        )  # fmt: skip
        people.remove_person(session, ws, removed.person_id)
    with store.transaction() as session:
        again = fading_now(session, ws, limit=8, now=later)
    assert again is not None
    shown = [t.person_id for t in again.ties]
    assert called.person_id not in shown and removed.person_id not in shown
    assert shown[:6] == [t.person_id for t in first.ties[2:8]]


def test_a_big_workspace_without_the_list_waits_for_the_night(
    store: Store, ws: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fadingcache, "LIVE_PEOPLE", 50)
    with store.transaction() as session:
        assert fading_now(session, ws, now=NOW) is None
        refresh_fading(session, ws, NOW)
        found = fading_now(session, ws, now=NOW)
    assert found is not None and len(found.ties) == 5

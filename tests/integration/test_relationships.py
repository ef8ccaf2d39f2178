"""Relationship intelligence on a real database: strength and why, ratings and fitted
weights, cadences and who is due, fading and bridging ties, the fast touch reader."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import time_machine
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from takethelead.domain.layers import assign_layers, cadence_days, overdue
from takethelead.services.core.errors import ServiceError
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.demo import build_demo
from takethelead.services.relationships import keepintouch
from takethelead.services.relationships import strength as relationships
from takethelead.services.relationships.contact_ties import record_tie
from takethelead.services.relationships.scoring import (
    cached_people,
    last_personal_contact,
    rescore_all,
)
from takethelead.services.relationships.weights import WEIGHTS_KEY
from takethelead.storage.tables import Interaction, Person, Setting

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def touch(ws: int, person: int, days_ago: float, kind: str, direction: str) -> Interaction:
    at = NOW - timedelta(days=days_ago)
    return Interaction(
        workspace_id=ws,
        person_id=person,
        occurred_at=at,
        kind=kind,
        direction=direction,
        source="test",
        external_id=f"{person}-{at.timestamp()}-{kind}-{direction}",
    )


def add_people(session: Session, ws: int, *names: str) -> dict[str, int]:
    ids = {}
    for name in names:
        person = Person(workspace_id=ws, full_name=name)
        session.add(person)
        session.flush()
        ids[name] = person.id
    return ids


def test_a_strength_is_explained_in_one_sentence_from_the_interactions(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        session.add(Person(workspace_id=ws, full_name="Sam Me", is_me=True))
        ana = add_people(session, ws, "Ana Díaz")["Ana Díaz"]
        session.add(touch(ws, ana, 94, "meeting", "mutual"))
        session.add(touch(ws, ana, 120, "meeting", "mutual"))
        session.add(touch(ws, ana, 180, "meeting", "mutual"))
        for days in range(100, 190, 10):
            session.add(touch(ws, ana, days + 0.5, "message", "outbound"))
        session.add(touch(ws, ana, 400, "message", "inbound"))  # over a year ago
    with store.transaction() as session:
        one = relationships.strength_of(session, ws, ana)
        everyone = relationships.strength_list(session, ws)
    assert one.why.startswith("last two-way contact 94 days ago; ")
    assert "12 touches this year, 3 of them meetings; you started 9 of 9" in one.why
    assert 0.0 <= one.score <= 1.0 and one.label in ("active", "acquaintance", "close")
    assert everyone.people[0].score == pytest.approx(one.score)
    assert everyone.people[0].why == one.why and everyone.total == 1


def test_a_rating_outside_one_to_five_is_refused_and_nothing_is_written(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        ana = add_people(session, ws, "Ana")["Ana"]
    with (
        pytest.raises(ServiceError, match="rating 7: expected a whole number from 1 to 5"),
        store.transaction() as session,
    ):
        relationships.rate(session, ws, ana, 7)
    with store.transaction() as session:
        assert session.get(Person, ana).closeness is None  # type: ignore[union-attr]
        rated = relationships.rate(session, ws, ana, 4)
    assert (rated.closeness, rated.previous, rated.ratings, rated.needed) == (4, None, 1, 19)


def _rated_workspace(session: Session, people: int) -> int:
    """People in touch two days ago, known for longer or shorter: the ratings follow duration."""
    ws = workspace_id(session, "rated")
    for i in range(people):
        span = 30 * i
        pid = add_people(session, ws, f"Person {i}")[f"Person {i}"]
        session.add(touch(ws, pid, 2, "message", "inbound"))
        session.add(touch(ws, pid, 2.5, "message", "outbound"))
        session.add(touch(ws, pid, span + 3, "message", "inbound"))
        session.get(Person, pid).closeness = min(5, 1 + span // 150)  # type: ignore[union-attr]
    return ws


def test_the_model_says_how_many_more_ratings_it_needs(store: Store) -> None:
    with store.transaction() as session:
        ws = _rated_workspace(session, 12)
        report = relationships.fit_model(session, ws)
    assert (report.ratings, report.needed, report.in_use) == (12, 8, "default")
    assert report.fitted_accuracy is None
    with store.transaction() as session:
        assert session.get(Setting, (ws, WEIGHTS_KEY)) is None


def test_fitted_weights_beat_the_default_on_held_out_ratings_and_are_used_from_then_on(
    store: Store,
) -> None:
    with store.transaction() as session:
        ws = _rated_workspace(session, 25)
        before = relationships.strength_list(session, ws, limit=25)
        report = relationships.fit_model(session, ws)
    assert report.ratings == 25 and report.needed == 0 and report.folds == 5
    assert report.fitted_accuracy is not None and report.default_accuracy is not None
    assert report.fitted_accuracy > report.default_accuracy
    assert report.in_use == "fitted" and report.weights["duration"] > 0
    with store.transaction() as session:
        row = session.get(Setting, (ws, WEIGHTS_KEY))
        assert row is not None
        stored = json.loads(row.value)
        after = relationships.strength_list(session, ws, limit=25)
    assert stored["ratings"] == 25 and len(stored["cutpoints"]) == 4
    assert before.weights == "default" and after.weights == "fitted"
    assert [p.score for p in after.people] != [p.score for p in before.people]


def test_unreadable_stored_weights_are_reported_by_name(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        add_people(session, ws, "Ana")
        session.add(Setting(workspace_id=ws, key="strength_weights", value='{"recency": 1}'))
    with (
        pytest.raises(ServiceError, match="setting strength_weights: unreadable"),
        store.transaction() as session,
    ):
        relationships.strength_list(session, ws)


def test_cadence_words_become_days_and_bad_words_are_refused() -> None:
    assert [keepintouch.parse_cadence(w) for w in ("weekly", "Monthly", "quarterly", "45d")] == [
        7,
        30,
        90,
        45,
    ]
    assert keepintouch.parse_cadence("yearly") == 365
    assert keepintouch.parse_cadence("never") == relationships.NEVER_DAYS
    assert keepintouch.parse_cadence("default") is None
    for bad in ("sometimes", "0d", "-3d", "99999d", ""):
        with pytest.raises(ServiceError, match=r"^cadence "):
            keepintouch.parse_cadence(bad)


def test_due_lists_inner_layers_first_and_honours_each_persons_cadence(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        ids = add_people(session, ws, "Close", "Quiet", "Regular", "Never")
        for days in range(20, 200, 5):  # a strong tie, silent for 20 days: over 14
            session.add(touch(ws, ids["Close"], days, "meeting", "mutual"))
        session.add(touch(ws, ids["Quiet"], 200, "message", "inbound"))
        session.add(touch(ws, ids["Quiet"], 201, "message", "outbound"))
        session.add(touch(ws, ids["Regular"], 10, "message", "inbound"))
        session.add(touch(ws, ids["Never"], 300, "reaction", "inbound"))
    with store.transaction() as session:
        found = keepintouch.due(session, ws)
    names = [p.full_name for p in found.people]
    assert names[0] == "Close" and "Regular" not in names
    assert found.people[0].layer == "support clique"
    assert found.people[0].overdue_days == pytest.approx(6.0)
    with store.transaction() as session:
        keepintouch.set_cadence(session, ws, ids["Close"], "never")
        keepintouch.set_cadence(session, ws, ids["Regular"], "weekly")
        found = keepintouch.due(session, ws)
    names = [p.full_name for p in found.people]
    assert "Close" not in names and "Regular" in names
    regular = next(p for p in found.people if p.full_name == "Regular")
    assert regular.own_cadence and regular.cadence_days == 7
    with store.transaction() as session:
        view = relationships.relationship_of(session, ws, ids["Close"])
    assert view.cadence_source == "never" and view.cadence_days is None


def test_a_bad_cadence_writes_nothing(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        ana = add_people(session, ws, "Ana")["Ana"]
        keepintouch.set_cadence(session, ws, ana, "monthly")
    with (
        pytest.raises(ServiceError, match="cadence 'fortnightlyish'"),
        store.transaction() as session,
    ):
        keepintouch.set_cadence(session, ws, ana, "fortnightlyish")
    with store.transaction() as session:
        assert session.scalar(select(Person.cadence_days).where(Person.id == ana)) == 30


def test_fading_finds_the_tie_that_went_quiet_and_the_weak_tie_that_bridges(
    store: Store,
) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        ids = add_people(session, ws, "Faded", "Steady", "Bridge", "Stranger", "Other")
        for days in range(95, 300, 7):
            session.add(touch(ws, ids["Faded"], days, "meeting", "mutual"))
        for days in range(1, 300, 7):
            session.add(touch(ws, ids["Steady"], days, "meeting", "mutual"))
        session.add(touch(ws, ids["Bridge"], 40, "message", "inbound"))
        session.add(touch(ws, ids["Other"], 3, "message", "inbound"))
        session.add(touch(ws, ids["Other"], 2, "message", "outbound"))
        record_tie(session, ws, ids["Bridge"], ids["Stranger"], 0.7)
        record_tie(session, ws, ids["Steady"], ids["Other"], 0.7)
    with store.transaction() as session:
        report = keepintouch.fading(session, ws, days=90)
    assert [f.strength.full_name for f in report.fading] == ["Faded"]
    assert report.fading[0].before - report.fading[0].strength.score == pytest.approx(
        report.fading[0].drop
    )
    bridges = {b.strength.full_name: b for b in report.bridges}
    assert bridges["Bridge"].unique_reach == 1 and report.known_ties == 2
    assert "Steady" not in bridges  # strong ties are not "weak ties that bridge"


def test_fading_refuses_a_window_of_no_days(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        with pytest.raises(ServiceError, match=r"^days: "):
            keepintouch.fading(session, ws, days=0)


def test_the_owner_is_not_a_contact_to_rate_or_explain(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        me = Person(workspace_id=ws, full_name="Sam Me", is_me=True)
        session.add(me)
        session.flush()
        with pytest.raises(ServiceError, match="is you"):
            relationships.strength_of(session, ws, me.id)
        with pytest.raises(ServiceError, match="no person #999999"):
            relationships.rate(session, ws, 999_999, 3)


def test_the_quick_due_list_from_the_cache_agrees_with_the_full_one(store: Store) -> None:
    moment = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    with store.transaction() as session:
        build_demo(session, "q", people=60, interactions=1500, now=moment)
        ws = workspace_id(session, "q")
        rescore_all(session, ws, moment)
    with store.transaction() as session:
        full = keepintouch.due(session, ws, limit=10, now=moment)
        quick = keepintouch.due_soon(session, ws, limit=10, now=moment)
    assert quick.total == full.total > 0
    assert [p.person_id for p in quick.people] == [p.person_id for p in full.people]


def test_the_quick_due_list_reads_only_the_layers_and_own_cadences_yet_misses_no_one(
    store: Store,
) -> None:
    """400 people, equal strengths across the last layer's edge, own cadences far outside."""
    moment = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    with store.transaction() as session:
        build_demo(session, "big", people=400, interactions=6000, now=moment)
        ws = workspace_id(session, "big")
        rescore_all(session, ws, moment)
        ids, strength, _, _ = cached_people(session, ws)
        order = ids[np.argsort(-strength, kind="stable")]
        # Ties straddling rank 150, and weak ties with a cadence of their own.
        session.execute(
            update(Person).where(Person.id.in_(order[140:170].tolist())).values(strength=0.5)
        )
        session.execute(
            update(Person).where(Person.id.in_(order[-40:].tolist())).values(cadence_days=7)
        )
    with store.transaction() as session:
        quick = keepintouch.due_soon(session, ws, limit=400, now=moment)
        ids, strength, overrides, _ = cached_people(session, ws)
        layer = assign_layers(strength)
        cadence = cadence_days(layer, overrides)
        last = last_personal_contact(
            session, ws, ids, np.isfinite(cadence), int(moment.timestamp())
        )
        expected = overdue(last, layer, moment.timestamp(), strength, overrides=overrides)
    assert quick.total == len(expected) > 40
    assert [p.person_id for p in quick.people] == [int(ids[d.person]) for d in expected]
    assert [p.layer_code for p in quick.people] == [d.layer for d in expected]

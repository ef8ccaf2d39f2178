"""The one touch reader: a workspace's (or one tie's) touches as arrays, without ORM objects."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from takethelead.domain.strength import DIRECTIONS, KINDS, Touches
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.demo import build_demo
from takethelead.services.relationships.activity import (
    load_touches,
    person_touches,
    score_activity,
)
from takethelead.storage.tables import Interaction, Person

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@contextmanager
def orm_loads(session: Session) -> Iterator[list[object]]:
    """Every ORM instance the session loads while the block runs."""
    loaded: list[object] = []

    def count(_: Session, instance: object) -> None:
        loaded.append(instance)

    event.listen(session, "loaded_as_persistent", count)
    try:
        yield loaded
    finally:
        event.remove(session, "loaded_as_persistent", count)


def expected(session: Session, ws: int, ids: NDArray[np.int64]) -> NDArray[np.float64]:
    """The touches read through ORM rows, sorted: person, ts, kind, direction, automated."""
    kinds = {k.value: i for i, k in enumerate(KINDS)}
    directions = {d.value: i for i, d in enumerate(DIRECTIONS)}
    index = {int(pid): i for i, pid in enumerate(ids)}
    rows = session.scalars(
        select(Interaction)
        .join(Person, Person.id == Interaction.person_id)
        .where(Interaction.workspace_id == ws, Interaction.occurred_at <= NOW, ~Person.is_me)
    ).all()
    table = np.array(
        [
            (
                index[i.person_id],
                i.occurred_at.timestamp(),
                kinds[i.kind],
                directions[i.direction],
                i.automated,
            )
            for i in rows
        ],
        dtype=np.float64,
    )
    return table[np.lexsort(table.T[::-1])]


def as_table(touches: Touches) -> NDArray[np.float64]:
    table = np.column_stack(
        [touches.person, touches.ts, touches.kind, touches.direction, touches.automated]
    ).astype(np.float64)
    return table[np.lexsort(table.T[::-1])]


def test_the_touch_reader_builds_no_orm_objects(store: Store) -> None:
    with store.transaction() as session:
        build_demo(session, "demo", people=40, interactions=800, now=NOW)
        ws = workspace_id(session, "demo", create=False)
    with store.transaction() as session:
        with orm_loads(session) as loaded:
            activity = load_touches(session, ws, NOW)
            person_touches(session, ws, int(activity.people.ids[0]), NOW)
        assert loaded == [] and len(activity.touches) > 800
        with orm_loads(session) as loaded:  # the counter does see ORM reads
            session.scalars(select(Person).where(Person.workspace_id == ws).limit(1)).all()
        assert len(loaded) == 1


def test_the_touch_reader_reads_every_touch_with_a_person_but_the_owner(store: Store) -> None:
    with store.transaction() as session:
        build_demo(session, "demo", people=40, interactions=800, now=NOW)
        ws = workspace_id(session, "demo", create=False)
    with store.transaction() as session:
        activity = load_touches(session, ws, NOW)
        slow = expected(session, ws, activity.people.ids)
        owner = session.scalars(select(Person.id).where(Person.workspace_id == ws, Person.is_me))
        assert set(owner.all()).isdisjoint(activity.people.ids)
        busiest = int(np.bincount(activity.touches.person).argmax())
        one = person_touches(session, ws, int(activity.people.ids[busiest]), NOW)
    assert len(slow) > 800
    assert np.array_equal(as_table(activity.touches), slow)
    mine = slow[slow[:, 0] == busiest]
    mine[:, 0] = 0
    assert np.array_equal(as_table(one), mine)
    assert np.all(np.isfinite(score_activity(activity, NOW).score))

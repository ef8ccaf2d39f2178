"""The tie-strength cache (`person.strength`): rescored daily, and per person when a plan
action touches them, so that plans read strengths instead of a million interactions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, cast

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import CursorResult, bindparam, select, text, update
from sqlalchemy.orm import Session

from takethelead.domain.layers import LAYER_SIZES, OUTSIDE, assign_layers
from takethelead.domain.strength import (
    CONTACT_MIN_WEIGHT,
    DIRECTIONS,
    KIND_WEIGHTS,
    KINDS,
    StrengthTable,
    Touches,
    Weights,
    score_all,
)
from takethelead.services.relationships.activity import Activity, load_touches
from takethelead.services.relationships.weights import current_weights
from takethelead.storage.tables import Person, Workspace, table_of

KIND_CODE: Final = {k.value: i for i, k in enumerate(KINDS)}
DIRECTION_CODE: Final = {d.value: i for i, d in enumerate(DIRECTIONS)}
# Kinds that count as personal contact, as strength.Touches.is_contact has it.
CONTACT_KINDS: Final = tuple(k.value for k, w in KIND_WEIGHTS.items() if w >= CONTACT_MIN_WEIGHT)


def score_workspace(
    session: Session, workspace_id: int, moment: datetime
) -> tuple[Activity, StrengthTable, Weights, bool]:
    """Every tie scored at `moment` with the workspace's weights, and whether they are fitted."""
    activity = load_touches(session, workspace_id, moment)
    weights, fitted = current_weights(session, workspace_id)
    table = score_all(
        activity.touches,
        moment.timestamp(),
        len(activity.people),
        ratings=activity.people.closeness,
        weights=weights,
    )
    return activity, table, weights, fitted


def rescore_all(session: Session, workspace_id: int, now: datetime | None = None) -> int:
    """Score every tie from its interactions and store the scores; returns how many."""
    activity, table, _, _ = score_workspace(session, workspace_id, now or datetime.now(UTC))
    rows = [
        {"pid": int(pid), "s": float(s)}
        for pid, s in zip(activity.people.ids, table.score, strict=True)
    ]
    if rows:
        person = table_of(Person)
        session.connection().execute(
            update(person).where(person.c.id == bindparam("pid")).values(strength=bindparam("s")),
            rows,
        )
    return len(rows)


def rescore_people(
    session: Session, workspace_id: int, person_ids: Sequence[int], now: datetime | None = None
) -> dict[int, float]:
    """Score a few ties from their own interactions and store the scores."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    moment = now or datetime.now(UTC)
    closeness = {
        pid: rating
        for pid, rating in session.execute(
            select(Person.id, Person.closeness).where(
                Person.workspace_id == workspace_id, Person.id.in_(ids)
            )
        )
    }
    rows = session.execute(
        text(
            "SELECT person_id, occurred_at, kind, direction, automated FROM interaction "
            "WHERE workspace_id = :ws AND person_id IN :ids AND occurred_at <= :until"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ws": workspace_id, "ids": ids, "until": int(moment.timestamp())},
    ).all()
    position = {pid: i for i, pid in enumerate(ids)}
    touches = Touches.from_arrays(
        person=np.array([position[r[0]] for r in rows], dtype=np.int64),
        ts=np.array([r[1] for r in rows], dtype=np.float64),
        kind=np.array([KIND_CODE[r[2]] for r in rows], dtype=np.int8),
        direction=np.array([DIRECTION_CODE[r[3]] for r in rows], dtype=np.int8),
        automated=np.array([bool(r[4]) for r in rows], dtype=np.bool_),
    )
    ratings = np.array(
        [np.nan if closeness.get(pid) is None else closeness[pid] for pid in ids], np.float64
    )
    weights, _ = current_weights(session, workspace_id)
    table = score_all(touches, moment.timestamp(), len(ids), ratings=ratings, weights=weights)
    scores = {pid: float(table.score[i]) for i, pid in enumerate(ids)}
    for pid, score in scores.items():
        session.execute(update(Person).where(Person.id == pid).values(strength=score))
    return scores


def workspace_ids(session: Session) -> list[int]:
    """Every workspace, for jobs that visit them all."""
    return list(session.scalars(select(Workspace.id).order_by(Workspace.id)))


def cached_people(
    session: Session, workspace_id: int
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Ids, cached strength, own cadence (NaN: the layer's) and distrust of everyone but me."""
    result = cast(
        CursorResult[Any],
        session.execute(
            text(
                "SELECT id, strength, cadence_days, distrusted FROM person "
                "WHERE workspace_id = :ws AND is_me = :no ORDER BY id"
            ),
            {"ws": workspace_id, "no": False},
        ),
    )
    try:
        rows = result.cursor.fetchall()  # plain driver tuples: pages call this on every view
    finally:
        result.close()
    if not rows:
        empty = np.array([], dtype=np.float64)
        return np.array([], dtype=np.int64), empty, empty.copy(), np.array([], dtype=np.bool_)
    ids, strength, cadence, distrusted = zip(*rows, strict=True)
    return (
        np.array(ids, dtype=np.int64),
        np.array(strength, dtype=np.float64),  # None becomes NaN
        np.array(cadence, dtype=np.float64),
        np.array(distrusted, dtype=np.bool_),
    )


@dataclass(frozen=True, slots=True)
class LayeredPeople:
    """The people who can be due for contact, with their layer as the whole workspace ranks."""

    ids: NDArray[np.int64]  # ascending
    strength: NDArray[np.float64]
    cadence: NDArray[np.float64]  # their own cadence, NaN for the layer's
    layer: NDArray[np.int64]


def layered_people(session: Session, workspace_id: int) -> LayeredPeople | None:
    """The strongest ties (everyone in a Dunbar layer) and those with a cadence of their own.

    Nobody else has a cadence, so nobody else can be due. Read from the cached strengths
    off two indexes, not from every person; None while some tie has never been scored.
    """
    params = {"ws": workspace_id, "no": False, "n": LAYER_SIZES[-1]}
    unscored = session.execute(
        text(
            "SELECT 1 FROM person WHERE workspace_id = :ws AND is_me = :no "
            "AND strength IS NULL LIMIT 1"
        ),
        params,
    ).first()
    if unscored is not None:
        return None
    # Equal strengths rank by id, as assign_layers ranks them.
    top = session.execute(
        text(
            "SELECT id, strength, cadence_days FROM person WHERE workspace_id = :ws "
            "AND is_me = :no ORDER BY strength DESC, id LIMIT :n"
        ),
        params,
    ).all()
    own = session.execute(
        text(
            "SELECT id, strength, cadence_days FROM person WHERE workspace_id = :ws "
            "AND cadence_days IS NOT NULL AND is_me = :no"
        ),
        params,
    ).all()
    ranked = dict(zip((int(r[0]) for r in top), assign_layers([r[1] for r in top]), strict=True))
    rows = sorted({int(r[0]): r for r in (*top, *own)}.items())
    return LayeredPeople(
        ids=np.array([pid for pid, _ in rows], dtype=np.int64),
        strength=np.array([r[1] for _, r in rows], dtype=np.float64),
        cadence=np.array([r[2] for _, r in rows], dtype=np.float64),
        layer=np.array([ranked.get(pid, OUTSIDE) for pid, _ in rows], dtype=np.int64),
    )


def last_personal_contact(
    session: Session,
    workspace_id: int,
    ids: NDArray[np.int64],
    wanted: NDArray[np.bool_],
    until: int,
) -> NDArray[np.float64]:
    """Latest personal contact of the wanted people (-inf for everyone else)."""
    last = np.full(ids.size, -np.inf)
    chosen = ids[wanted].tolist()
    if not chosen:
        return last
    # Newest first through the (person, time) index, stopping at the first personal touch:
    # a handful of rows per person even for the ones with thousands of interactions.
    rows = session.execute(
        text(
            "SELECT p.id, (SELECT i.occurred_at FROM interaction i "
            "WHERE i.workspace_id = :ws AND i.person_id = p.id AND i.occurred_at <= :until "
            "AND i.automated = :no AND i.kind IN :kinds "
            "ORDER BY i.occurred_at DESC LIMIT 1) FROM person p WHERE p.id IN :ids"
        ).bindparams(bindparam("ids", expanding=True), bindparam("kinds", expanding=True)),
        {"ws": workspace_id, "ids": chosen, "no": False, "kinds": CONTACT_KINDS, "until": until},
    ).all()
    rows = [r for r in rows if r[1] is not None]
    if rows:
        where = np.searchsorted(ids, np.array([r[0] for r in rows], dtype=np.int64))
        last[where] = np.array([r[1] for r in rows], dtype=np.float64)
    return last

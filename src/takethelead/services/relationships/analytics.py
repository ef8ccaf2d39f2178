"""Reading a workspace's interactions into arrays for the domain algorithms.

One query, no ORM objects: a million interactions load in well under a second, and the
person index of each touch points into `people.ids`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import text
from sqlalchemy.orm import Session

from takethelead.domain.strength import DIRECTIONS, KINDS, StrengthTable, Touches, score_all

_KIND_CODE = {k.value: i for i, k in enumerate(KINDS)}
_DIRECTION_CODE = {d.value: i for i, d in enumerate(DIRECTIONS)}


@dataclass(frozen=True, slots=True)
class People:
    """The workspace's people (the owner excluded), as parallel arrays by index."""

    ids: NDArray[np.int64]
    names: list[str]
    closeness: NDArray[np.float64]  # NaN where the user gave no rating
    cadence_days: NDArray[np.float64]  # NaN where the layer's default applies
    distrusted: NDArray[np.bool_]

    def index_of(self) -> dict[int, int]:
        return {int(pid): i for i, pid in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class Activity:
    """People and their touches, with the network of each touch (-1 when none)."""

    people: People
    touches: Touches
    network: NDArray[np.int64]
    interaction_ids: NDArray[np.int64]


def load_people(session: Session, workspace_id: int) -> People:
    rows = session.execute(
        text(
            "SELECT id, full_name, closeness, cadence_days, distrusted FROM person "
            "WHERE workspace_id = :ws AND is_me = :no ORDER BY id"
        ),
        {"ws": workspace_id, "no": False},
    ).all()
    return People(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        names=[r[1] for r in rows],
        closeness=np.array([np.nan if r[2] is None else r[2] for r in rows], dtype=np.float64),
        cadence_days=np.array([np.nan if r[3] is None else r[3] for r in rows], dtype=np.float64),
        distrusted=np.array([bool(r[4]) for r in rows], dtype=np.bool_),
    )


def load_activity(session: Session, workspace_id: int, until: datetime | None = None) -> Activity:
    """Every interaction of the workspace with a person (not the owner) up to `until`."""
    people = load_people(session, workspace_id)
    until_ts = int((until or datetime.now(UTC)).timestamp())
    rows = session.execute(
        text(
            "SELECT i.id, i.person_id, i.occurred_at, i.kind, i.direction, i.automated, "
            "i.network_id FROM interaction i JOIN person p ON p.id = i.person_id "
            "WHERE i.workspace_id = :ws AND p.is_me = :no AND i.occurred_at <= :until"
        ),
        {"ws": workspace_id, "no": False, "until": until_ts},
    ).all()
    if rows:
        iid, pid, ts, kind, direction, automated, network = zip(*rows, strict=True)
    else:
        iid = pid = ts = kind = direction = automated = network = ()
    position = np.searchsorted(people.ids, np.array(pid, dtype=np.int64))
    touches = Touches.from_arrays(
        person=position,
        ts=np.array(ts, dtype=np.float64),
        kind=np.array([_KIND_CODE[k] for k in kind], dtype=np.int8),
        direction=np.array([_DIRECTION_CODE[d] for d in direction], dtype=np.int8),
        automated=np.array(automated, dtype=np.bool_),
    )
    return Activity(
        people=people,
        touches=touches,
        network=np.array([-1 if n is None else n for n in network], dtype=np.int64),
        interaction_ids=np.array(iid, dtype=np.int64),
    )


def score_activity(activity: Activity, now: datetime | None = None) -> StrengthTable:
    """Tie strength of every person, the user's closeness ratings included."""
    moment = (now or datetime.now(UTC)).timestamp()
    return score_all(
        activity.touches, moment, len(activity.people), ratings=activity.people.closeness
    )

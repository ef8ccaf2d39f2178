"""Every touch of a workspace (or of one relationship) as arrays: the one touch reader.

The relationship commands (strength, due, fading, report, the plan) read all interactions
on every run, so the reader spends as little as it can per row: the database folds kind,
direction and automated into one small integer, rows come straight from the driver's
cursor (no ORM objects, no Row objects), and the integers go into numpy in one pass. On
SQLite a whole-workspace read is a table scan, which is twice as fast as walking the
(workspace, time) index for nearly every row; PostgreSQL's planner makes that choice itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from takethelead.domain.strength import DIRECTIONS, KINDS, StrengthTable, Touches, score_all

_STRIDE: Final = 4  # direction codes 0-2, then the automated flag's bit
_AUTOMATED: Final = 1 << 7


@dataclass(frozen=True, slots=True)
class People:
    """The workspace's people (the owner excluded), as parallel arrays by index."""

    ids: NDArray[np.int64]
    names: list[str]
    closeness: NDArray[np.float64]  # NaN where the user gave no rating
    cadence_days: NDArray[np.float64]  # NaN where the layer's default applies
    distrusted: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class Activity:
    """People and their touches; each touch's person is an index into `people.ids`."""

    people: People
    touches: Touches


def _code_sql() -> str:
    # Literals from our own enums only: nothing here comes from the user.
    kinds = " ".join(f"WHEN '{k.value}' THEN {i}" for i, k in enumerate(KINDS))
    directions = " ".join(f"WHEN '{d.value}' THEN {i}" for i, d in enumerate(DIRECTIONS))
    return (
        f"(CASE kind {kinds} ELSE -1000 END) * {_STRIDE} "
        f"+ (CASE direction {directions} ELSE -1000 END) "
        f"+ (CASE WHEN automated THEN {_AUTOMATED} ELSE 0 END)"
    )


_CODE: Final = _code_sql()


def load_people(session: Session, workspace_id: int) -> People:
    """The workspace's people but the owner, by id, with their ratings and overrides."""
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


def _integers(
    connection: Connection, sql: str, params: Sequence[int], width: int
) -> list[NDArray[np.int64]]:
    """The `width` integer columns of a query, read from the driver's cursor."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, tuple(params))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=width * len(rows))
    return [flat[i::width] for i in range(width)]


def _touches(person: NDArray[np.int64], ts: NDArray[np.int64], code: NDArray[np.int64]) -> Touches:
    """Touches from folded codes; rows with a kind or direction we do not know are dropped."""
    known = code >= 0
    code = code[known]
    automated = code >= _AUTOMATED
    code = code % _AUTOMATED
    return Touches.from_arrays(
        person=person[known],
        ts=ts[known].astype(np.float64),
        kind=(code // _STRIDE).astype(np.int8),
        direction=(code % _STRIDE).astype(np.int8),
        automated=automated,
    )


def load_touches(session: Session, workspace_id: int, until: datetime | None = None) -> Activity:
    """People (the owner excluded) and every touch with one of them up to `until`."""
    people = load_people(session, workspace_id)
    until_ts = int((until or datetime.now(UTC)).timestamp())
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    table = "interaction NOT INDEXED" if sqlite else "interaction"
    mark = "?" if sqlite else "%s"
    sql = (
        f"SELECT person_id, occurred_at, {_CODE} FROM {table} "
        f"WHERE workspace_id = {mark} AND occurred_at <= {mark}"
    )
    pid, ts, code = _integers(connection, sql, (workspace_id, until_ts), 3)
    position = np.minimum(np.searchsorted(people.ids, pid), max(len(people) - 1, 0))
    # The owner's touches (and any person not in the list) are left out.
    mine = people.ids[position] == pid if len(people) else pid < 0
    return Activity(people=people, touches=_touches(position[mine], ts[mine], code[mine]))


def person_touches(session: Session, workspace_id: int, person_id: int, until: datetime) -> Touches:
    """One person's interactions up to `until` as arrays (person index 0).

    The busiest tie of the million-interaction demo (29,000 touches) reads in about half
    the time ORM rows take. Most of what is left is fetching the rows themselves.
    """
    connection = session.connection()
    mark = "?" if connection.dialect.name == "sqlite" else "%s"
    mine = f"workspace_id = {mark} AND person_id = {mark} AND occurred_at <= {mark}"
    if connection.dialect.name == "sqlite":
        # Rows fetched in id order rather than time order read each table page once:
        # a fifth less time for a tie with tens of thousands of touches.
        mine = f"id IN (SELECT id FROM interaction WHERE {mine})"
    sql = f"SELECT occurred_at, {_CODE} FROM interaction WHERE {mine}"
    ts, code = _integers(connection, sql, (workspace_id, person_id, int(until.timestamp())), 2)
    return _touches(np.zeros(len(ts), dtype=np.int64), ts, code)


def score_activity(activity: Activity, now: datetime | None = None) -> StrengthTable:
    """Tie strength of every person, the user's closeness ratings included."""
    moment = (now or datetime.now(UTC)).timestamp()
    return score_all(
        activity.touches, moment, len(activity.people), ratings=activity.people.closeness
    )

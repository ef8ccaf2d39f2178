"""Every touch of a workspace as arrays, read as fast as the database allows.

The relationship commands (strength, due, fading, report) read all interactions on every
run, so this reader trims what `analytics.load_activity` spends per row: the database
folds kind, direction and automated into one small integer, rows come straight from the
driver's cursor (no Row objects), and three integers per row go into numpy in one pass.
On SQLite a whole-workspace read is a table scan, which is twice as fast as walking the
(workspace, time) index for nearly every row; PostgreSQL's planner makes that choice itself.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Final

import numpy as np
from sqlalchemy.orm import Session

from takethelead.domain.strength import DIRECTIONS, KINDS, Touches
from takethelead.services.relationships.analytics import Activity, load_people

_STRIDE: Final = 4  # direction codes 0-2, then the automated flag's bit
_AUTOMATED: Final = 1 << 7


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
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, (workspace_id, until_ts))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=3 * len(rows))
    pid, ts, code = flat[0::3], flat[1::3], flat[2::3]
    position = np.minimum(np.searchsorted(people.ids, pid), max(len(people) - 1, 0))
    keep = (people.ids[position] == pid) & (code >= 0) if len(people) else pid < 0
    code = code[keep]
    automated = code >= _AUTOMATED
    code = code % _AUTOMATED
    touches = Touches.from_arrays(
        person=position[keep],
        ts=ts[keep].astype(np.float64),
        kind=(code // _STRIDE).astype(np.int8),
        direction=(code % _STRIDE).astype(np.int8),
        automated=automated,
    )
    # Network and interaction ids are not read: no relationship measure needs them.
    empty = np.zeros(len(touches), dtype=np.int64)
    return Activity(people=people, touches=touches, network=empty - 1, interaction_ids=empty)

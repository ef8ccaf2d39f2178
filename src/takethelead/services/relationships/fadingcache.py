"""Fading ties for pages: worked out with the nightly rescore, checked afresh on each read.

Finding the ties that lost the most strength scores every tie twice (seconds at 30,000
people), so the nightly job (`jobs.tasks.rescore_everything`) keeps the list as a setting.
A read drops whoever was deleted or has been in personal contact since, so someone just
called never shows as fading. Small workspaces without the list are worked out live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from takethelead.services.core import settings
from takethelead.services.relationships.keepintouch import losing_ties
from takethelead.services.relationships.scoring import last_personal_contact
from takethelead.storage.tables import Person

FADING_KEY: Final = settings.FADING.name
KEPT: Final = 20  # how many the nightly job keeps; pages show the first few still fading
LIVE_PEOPLE: Final = 3_000  # up to this many people, work the list out on the spot


@dataclass(frozen=True, slots=True)
class FadingTie:
    person_id: int
    full_name: str
    before: float  # strength 90 days ago
    strength: float  # strength when worked out
    why: str


@dataclass(frozen=True, slots=True)
class FadingTies:
    ties: tuple[FadingTie, ...]
    as_of: datetime  # when the list was worked out
    cached: bool


def _work_out(session: Session, workspace_id: int, moment: datetime, limit: int) -> FadingTies:
    state, fades = losing_ties(session, workspace_id, limit=limit, now=moment)
    views = ((f, state.view(f.person, state.explain(f.person))) for f in fades)
    ties = tuple(
        FadingTie(v.person_id, v.full_name, round(f.before, 4), round(v.score, 4), v.why)
        for f, v in views
    )
    return FadingTies(ties, moment, cached=False)


def refresh_fading(session: Session, workspace_id: int, now: datetime | None = None) -> int:
    """Work out the fading ties and keep them for pages; returns how many."""
    found = _work_out(session, workspace_id, now or datetime.now(UTC), KEPT)
    value = {
        "as_of": int(found.as_of.timestamp()),
        "ties": [[t.person_id, t.before, t.strength, t.why] for t in found.ties],
    }
    settings.put(session, workspace_id, settings.FADING, value)
    return len(found.ties)


def fading_now(
    session: Session, workspace_id: int, limit: int = 5, now: datetime | None = None
) -> FadingTies | None:
    """The ties fading most, as of the nightly list, minus anyone in contact since.

    None when there is no list yet and the workspace is too big to work it out on the spot.
    """
    moment = now or datetime.now(UTC)
    value = settings.get(session, workspace_id, settings.FADING)
    if value is None:
        people = session.scalar(
            select(func.count()).where(Person.workspace_id == workspace_id, Person.is_me.is_(False))
        )
        if int(people or 0) > LIVE_PEOPLE:
            return None
        return _work_out(session, workspace_id, moment, limit)
    as_of = int(value["as_of"])
    stored = {int(t[0]): t for t in value["ties"]}
    names = dict(
        session.execute(
            select(Person.id, Person.full_name).where(
                Person.workspace_id == workspace_id, Person.id.in_(list(stored))
            )
        ).all()
    )
    ids = np.array(sorted(names), dtype=np.int64)
    last = last_personal_contact(
        session, workspace_id, ids, np.ones(ids.size, dtype=np.bool_), int(moment.timestamp())
    )
    touched = {int(pid) for pid, at in zip(ids, last, strict=True) if at > as_of}
    ties = tuple(
        FadingTie(pid, names[pid], float(before), float(strength), str(why))
        for pid, before, strength, why in value["ties"]
        if pid in names and pid not in touched
    )
    return FadingTies(ties[:limit], datetime.fromtimestamp(as_of, UTC), cached=True)


def fading_people(
    session: Session, workspace_id: int, now: datetime | None = None
) -> tuple[list[int], datetime | None]:
    """Who the people list shows as fading (the kept list, minus anyone in touch since).

    No time: a big workspace whose nightly list has not been made yet.
    """
    found = fading_now(session, workspace_id, limit=KEPT, now=now)
    if found is None:
        return [], None
    return [t.person_id for t in found.ties], found.as_of

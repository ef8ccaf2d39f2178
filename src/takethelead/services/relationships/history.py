"""One relationship over time: its strength at the end of each recent month.

The series is scored the way the strength cache scores (`scoring.rescore_people`): the
person's own interactions, the workspace's weights and their closeness rating. Ratings
have no history, so today's rating is blended into every point; the last point is now
and equals the strength the rest of the app shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import numpy as np
from sqlalchemy.orm import Session

from takethelead.domain.strength import (
    FEATURES,
    LABELS,
    StrengthTable,
    Touches,
    explain,
    label_codes,
    score_all,
    tables_at,
)
from takethelead.services.core.errors import ServiceError
from takethelead.services.relationships.activity import person_touches
from takethelead.services.relationships.strength import StrengthView, contact
from takethelead.services.relationships.weights import current_weights

MAX_MONTHS: Final = 120


@dataclass(frozen=True, slots=True)
class StrengthPoint:
    at: datetime
    score: float
    label: str
    touches: int  # interactions in the month that ends here (for the last point: so far)


@dataclass(frozen=True, slots=True)
class StrengthHistory:
    """Strength at each month end, oldest first; the last point is now."""

    person_id: int
    full_name: str
    points: tuple[StrengthPoint, ...]
    weights: str  # "default" or "fitted"
    rated: bool  # their closeness rating is part of every point

    @property
    def now(self) -> StrengthPoint:
        return self.points[-1]

    @property
    def change(self) -> float:
        """Strength gained (> 0) or lost since the first point."""
        return self.points[-1].score - self.points[0].score


def month_starts(now: datetime, months: int) -> list[datetime]:
    """The first instants (UTC) of the current month and the `months - 1` before it."""
    moment = now.astimezone(UTC)
    year, month = moment.year, moment.month
    starts = []
    for _ in range(months):
        starts.append(datetime(year, month, 1, tzinfo=UTC))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def month_ends(now: datetime, months: int) -> list[datetime]:
    """The ends of the last `months` full months (UTC month starts), then `now` itself."""
    ends = month_starts(now, months)
    if ends[-1] == now.astimezone(UTC):
        ends.pop()  # now is itself a month start: do not score it twice
    return [*ends, now.astimezone(UTC)]


def strength_history(
    session: Session,
    workspace_id: int,
    person_id: int,
    months: int = 12,
    now: datetime | None = None,
) -> StrengthHistory:
    """Strength of one relationship at the end of each of the last `months` months, and now."""
    history, _, _ = scored_history(session, workspace_id, person_id, months, now)
    return history


def scored_history(
    session: Session,
    workspace_id: int,
    person_id: int,
    months: int = 12,
    now: datetime | None = None,
) -> tuple[StrengthHistory, Touches, StrengthTable]:
    """The history, with the touches read and the table of the last point (for reasons)."""
    if not 1 <= months <= MAX_MONTHS:
        raise ServiceError(f"months: expected 1 to {MAX_MONTHS}")
    moment = now or datetime.now(UTC)
    person = contact(session, workspace_id, person_id)
    weights, fitted = current_weights(session, workspace_id)
    touches = person_touches(session, workspace_id, person_id, moment)
    rating = np.nan if person.closeness is None else float(person.closeness)
    instants = month_ends(moment, months)
    stamps = np.array([i.timestamp() for i in instants], dtype=np.float64)
    tables = tables_at(touches, stamps, 1, ratings=[rating], weights=weights)
    scores = np.array([t.score[0] for t in tables], dtype=np.float64)
    labels = label_codes(scores)
    # Touches per period: after the previous instant, up to and including this one.
    first_start = month_starts(instants[0] - timedelta(days=1), 1)[0].timestamp()
    ordered = np.sort(touches.ts)
    upto = np.searchsorted(ordered, stamps, side="right")
    counts = np.diff(upto, prepend=np.searchsorted(ordered, first_start, side="right"))
    history = StrengthHistory(
        person_id=person.id,
        full_name=person.full_name,
        points=tuple(
            StrengthPoint(at, float(scores[i]), LABELS[int(labels[i])], int(counts[i]))
            for i, at in enumerate(instants)
        ),
        weights="fitted" if fitted else "default",
        rated=person.closeness is not None,
    )
    return history, touches, tables[-1]


def strength_view(
    person_id: int, name: str, closeness: int | None, touches: Touches, table: StrengthTable
) -> StrengthView:
    """What `relationships.strength_of` says, from touches already read and scored."""
    rating = np.nan if closeness is None else float(closeness)
    label, _, why = explain(touches, 0, table, rating).partition(" (")
    return StrengthView(
        person_id=person_id,
        full_name=name,
        score=float(table.score[0]),
        label=label,
        why=why.split(": ", 1)[1],
        closeness=closeness,
        last_contact=_moment(float(table.last_contact[0])),
        last_two_way=_moment(float(table.last_two_way[0])),
        features={f: float(table.features[0, i]) for i, f in enumerate(FEATURES)},
    )


def strength_now(
    session: Session, workspace_id: int, person_id: int, now: datetime | None = None
) -> StrengthView:
    """One relationship's strength and why, as `relationships.strength_of`, read faster."""
    moment = now or datetime.now(UTC)
    person = contact(session, workspace_id, person_id)
    weights, _ = current_weights(session, workspace_id)
    touches = person_touches(session, workspace_id, person_id, moment)
    rating = np.nan if person.closeness is None else float(person.closeness)
    table = score_all(touches, moment.timestamp(), 1, ratings=[rating], weights=weights)
    return strength_view(person.id, person.full_name, person.closeness, touches, table)


def _moment(ts: float) -> datetime | None:
    return datetime.fromtimestamp(ts, UTC) if np.isfinite(ts) else None

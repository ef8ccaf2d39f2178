"""One relationship at a glance, for the person page: read in milliseconds at any size.

`relationships.relationship_of` scores the whole workspace to place one person in their
layer; that is a read of every interaction. Here only this person's interactions are read:
their strength is scored fresh, and their layer is their rank among everyone else's cached
strength (`person.strength`), so a touch logged a moment ago shows at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from takethelead.domain.layers import (
    CADENCE_DAYS,
    LAYER_NAMES,
    LAYER_SIZES,
    LIVE_FLOOR,
    OUTSIDE,
)
from takethelead.domain.strength import DAY
from takethelead.services.relationships.history import (
    StrengthHistory,
    scored_history,
    strength_view,
)
from takethelead.services.relationships.keepintouch import describe_cadence
from takethelead.services.relationships.ledger import PersonLedger, person_ledger
from takethelead.services.relationships.strength import (
    NEVER_DAYS,
    OUTSIDE_NAME,
    StrengthView,
    contact,
)
from takethelead.storage.tables import Person


@dataclass(frozen=True, slots=True)
class Rapport:
    """Strength now and why, its last year, layer, rhythm, when they are due, give and take."""

    strength: StrengthView
    history: StrengthHistory
    layer: str
    layer_code: int
    rank: int  # 1: the strongest tie of the workspace
    people: int  # everyone ranked
    cadence_days: float | None  # None: never due
    cadence_source: str  # layer | yours | never
    cadence_described: str  # the person's own setting in words ("the default for …")
    own_cadence: int | None  # the stored value: None (layer's), days, or NEVER_DAYS
    days_since_contact: float | None
    overdue_days: float | None  # > 0: overdue by that much; < 0: due in that many days
    ledger: PersonLedger


def layer_rank(
    session: Session, workspace_id: int, person_id: int, score: float
) -> tuple[int, int, int]:
    """Layer code, rank (from 1) and how many are ranked, with `score` for this person.

    Ties rank by id, as `layers.assign_layers` has it; people never scored count as zero.
    """
    others = select(func.count()).where(
        Person.workspace_id == workspace_id, Person.is_me.is_(False), Person.id != person_id
    )
    cached = func.coalesce(Person.strength, 0.0)
    ahead = session.scalar(
        others.where((cached > score) | ((cached == score) & (Person.id < person_id)))
    )
    ranked = int(session.scalar(others) or 0) + 1
    layer = int(np.searchsorted(np.asarray(LAYER_SIZES), int(ahead or 0), side="right"))
    if score < LIVE_FLOOR:
        layer = OUTSIDE
    return layer, int(ahead or 0) + 1, ranked


def rapport(
    session: Session, workspace_id: int, person_id: int, now: datetime | None = None
) -> Rapport:
    """Everything the person page says about one relationship."""
    moment = now or datetime.now(UTC)
    person = contact(session, workspace_id, person_id)
    history, touches, table = scored_history(session, workspace_id, person_id, now=moment)
    view = strength_view(person.id, person.full_name, person.closeness, touches, table)
    layer, rank, ranked = layer_rank(session, workspace_id, person_id, view.score)
    own = person.cadence_days
    if own is None:
        allowed = CADENCE_DAYS[layer] if layer != OUTSIDE else None
        source = "layer" if allowed is not None else "never"
    elif own >= NEVER_DAYS:
        allowed, source = None, "never"
    else:
        allowed, source = float(own), "yours"
    since = None
    if view.last_contact is not None:
        since = (moment - view.last_contact).total_seconds() / DAY
    overdue = None
    if allowed is not None:
        overdue = (since - allowed) if since is not None else None
    return Rapport(
        strength=view,
        history=history,
        layer=LAYER_NAMES[layer] if layer != OUTSIDE else OUTSIDE_NAME,
        layer_code=layer,
        rank=rank,
        people=ranked,
        cadence_days=allowed,
        cadence_source=source,
        cadence_described=describe_cadence(own),
        own_cadence=own,
        days_since_contact=since,
        overdue_days=overdue,
        ledger=person_ledger(session, workspace_id, person_id),
    )

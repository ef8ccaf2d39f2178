"""Keeping in touch: who is overdue by their layer's cadence, cadences, and fading ties."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from takethelead.domain.egonet import bridging_ties
from takethelead.domain.fading import Fade, fading_ties
from takethelead.domain.layers import (
    CADENCE_DAYS,
    LAYER_NAMES,
    OUTSIDE,
    cadence_days,
    overdue,
)
from takethelead.services.core.errors import ServiceError
from takethelead.services.relationships.contact_ties import contact_edges
from takethelead.services.relationships.scoring import last_personal_contact, layered_people
from takethelead.services.relationships.strength import (
    NEVER_DAYS,
    OUTSIDE_NAME,
    Scored,
    StrengthView,
    contact,
    scored,
)
from takethelead.storage.tables import Person

CADENCE_WORDS: Final = {
    "weekly": 7,
    "fortnightly": 14,
    "monthly": 30,
    "quarterly": 90,
    "yearly": 365,
}
MAX_CADENCE_DAYS: Final = 3650
_DAYS = re.compile(r"(\d+)\s*d?")


@dataclass(frozen=True, slots=True)
class CadenceView:
    person_id: int
    full_name: str
    cadence_days: int | None  # None: the layer's default; NEVER_DAYS: never
    described: str


@dataclass(frozen=True, slots=True)
class DueView:
    person_id: int
    full_name: str
    layer: str
    layer_code: int
    strength: float
    days_since: float | None  # None: never in personal contact
    cadence_days: float
    overdue_days: float | None  # None with days_since None
    own_cadence: bool


@dataclass(frozen=True, slots=True)
class DueList:
    """People overdue for contact, most important first (inner layers, then strength)."""

    people: tuple[DueView, ...]
    total: int
    layer_cadence: dict[str, float]


@dataclass(frozen=True, slots=True)
class FadeView:
    strength: StrengthView
    before: float
    drop: float
    bridge: bool  # also a weak tie that bridges to people only they connect you to


@dataclass(frozen=True, slots=True)
class BridgeView:
    strength: StrengthView
    unique_reach: int
    overlap: float
    fading: bool


@dataclass(frozen=True, slots=True)
class FadingReport:
    days: int
    fading: tuple[FadeView, ...]
    bridges: tuple[BridgeView, ...]
    known_ties: int  # contact-to-contact ties the bridges are computed from


def parse_cadence(word: str) -> int | None:
    """Days from weekly/fortnightly/monthly/quarterly/yearly/never/Nd; None for "default"."""
    raw = word.strip().lower()
    if raw in CADENCE_WORDS:
        return CADENCE_WORDS[raw]
    if raw == "never":
        return NEVER_DAYS
    if raw == "default":
        return None
    match = _DAYS.fullmatch(raw)
    if match and 1 <= int(match.group(1)) <= MAX_CADENCE_DAYS:
        return int(match.group(1))
    raise ServiceError(
        f"cadence {word!r}: expected weekly, fortnightly, monthly, quarterly, yearly, never, "
        f"default or a number of days like 45d (1 to {MAX_CADENCE_DAYS})"
    )


def describe_cadence(days: int | None) -> str:
    """A cadence in words."""
    if days is None:
        return "the default for their layer"
    if days >= NEVER_DAYS:
        return "never (no reminders)"
    names = {v: k for k, v in CADENCE_WORDS.items()}
    return names.get(days, f"every {days} days")


def set_cadence(session: Session, workspace_id: int, person_id: int, word: str) -> CadenceView:
    """Set how often to keep in touch with someone ("default" goes back to their layer's)."""
    days = parse_cadence(word)
    person = contact(session, workspace_id, person_id)
    person.cadence_days = days
    session.flush()
    return CadenceView(person.id, person.full_name, days, describe_cadence(days))


def due(
    session: Session, workspace_id: int, limit: int = 20, now: datetime | None = None
) -> DueList:
    """Who has gone longer without contact than their cadence allows."""
    if limit < 1:
        raise ServiceError("limit: expected at least 1")
    moment = now or datetime.now(UTC)
    state = scored(session, workspace_id, moment)
    late = overdue(
        state.table.last_contact,
        state.layer,
        moment.timestamp(),
        state.table.score,
        overrides=state.cadence,
    )
    own = np.isfinite(state.activity.people.cadence_days)
    people = []
    for item in late[:limit]:
        never = not np.isfinite(item.days_since)
        people.append(
            DueView(
                person_id=int(state.activity.people.ids[item.person]),
                full_name=state.activity.people.names[item.person],
                layer=_layer_name(item.layer),
                layer_code=item.layer,
                strength=float(state.table.score[item.person]),
                days_since=None if never else item.days_since,
                cadence_days=item.cadence_days,
                overdue_days=None if never else item.overdue_days,
                own_cadence=bool(own[item.person]),
            )
        )
    return DueList(
        people=tuple(people),
        total=len(late),
        layer_cadence=dict(zip(LAYER_NAMES, CADENCE_DAYS, strict=True)),
    )


def due_soon(
    session: Session, workspace_id: int, limit: int = 5, now: datetime | None = None
) -> DueList:
    """Who is overdue, read from the strength cache: for pages that must answer at once.

    Layers come from the cached strengths and the last contact from the (person, time)
    index, for the people who have a cadence at all. Until every tie has been scored
    once, it falls back to `due`, which reads every interaction.
    """
    moment = now or datetime.now(UTC)
    found = layered_people(session, workspace_id)
    if found is None:
        return due(session, workspace_id, limit, moment)
    ids, strength, overrides = found.ids, found.strength, found.cadence
    cadence = cadence_days(found.layer, overrides)
    last = last_personal_contact(
        session, workspace_id, ids, np.isfinite(cadence), int(moment.timestamp())
    )
    late = overdue(last, found.layer, moment.timestamp(), strength, overrides=overrides)
    names = dict(
        session.execute(
            select(Person.id, Person.full_name).where(
                Person.id.in_([int(ids[item.person]) for item in late[:limit]])
            )
        ).all()
    )
    people = []
    for item in late[:limit]:
        never = not np.isfinite(item.days_since)
        person_id = int(ids[item.person])
        people.append(
            DueView(
                person_id=person_id,
                full_name=names.get(person_id, ""),
                layer=_layer_name(item.layer),
                layer_code=item.layer,
                strength=float(strength[item.person]),
                days_since=None if never else item.days_since,
                cadence_days=item.cadence_days,
                overdue_days=None if never else item.overdue_days,
                own_cadence=bool(np.isfinite(overrides[item.person])),
            )
        )
    return DueList(
        people=tuple(people),
        total=len(late),
        layer_cadence=dict(zip(LAYER_NAMES, CADENCE_DAYS, strict=True)),
    )


def losing_ties(
    session: Session,
    workspace_id: int,
    days: int = 90,
    limit: int = 20,
    now: datetime | None = None,
) -> tuple[Scored, list[Fade]]:
    """The relationships losing the most strength over `days`, with everyone's scores.

    The one fading computation: `fading` adds the bridging ties, `fadingcache` keeps
    the list for pages and the people list filters with that.
    """
    if not 1 <= days <= 3650:
        raise ServiceError("days: expected a number of days from 1 to 3650")
    if limit < 1:
        raise ServiceError("limit: expected at least 1")
    moment = now or datetime.now(UTC)
    state = scored(session, workspace_id, moment)
    people = state.activity.people
    fades = fading_ties(
        state.activity.touches,
        moment.timestamp(),
        len(people),
        window_days=float(days),
        limit=limit,
        ratings=people.closeness,
        weights=state.weights,
    )
    return state, fades


def fading(
    session: Session,
    workspace_id: int,
    days: int = 90,
    limit: int = 20,
    now: datetime | None = None,
) -> FadingReport:
    """Relationships losing the most strength over `days`, and weak ties that bridge."""
    state, fades = losing_ties(session, workspace_id, days, limit, now)
    people = state.activity.people
    edges = contact_edges(session, workspace_id, people.ids)
    bridges = bridging_ties(state.table.score, edges.src, edges.dst, limit=limit)
    fading_set = {f.person for f in fades}
    bridge_set = {b.person for b in bridges}
    return FadingReport(
        days=days,
        fading=tuple(
            FadeView(
                strength=state.view(f.person, state.explain(f.person)),
                before=f.before,
                drop=f.drop,
                bridge=f.person in bridge_set,
            )
            for f in fades
        ),
        bridges=tuple(
            BridgeView(
                strength=state.view(b.person, state.explain(b.person)),
                unique_reach=b.unique_reach,
                overlap=b.overlap,
                fading=b.person in fading_set,
            )
            for b in bridges
        ),
        known_ties=len(edges.src),
    )


def _layer_name(code: int) -> str:
    return LAYER_NAMES[code] if code != OUTSIDE else OUTSIDE_NAME

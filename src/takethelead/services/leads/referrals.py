"""Referrals: leads passed to people and leads received from them, followed to won or lost.

Every referral is written to the ledger when it is made (so the reciprocity balance and the
plan's give-back actions see it at once) and logged as a referral interaction with the person
(so it counts towards the tie). A received referral that is won makes a thank-you due: the
weekly plan proposes one for every won, received referral with `thanked` still false.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from takethelead.services.core.errors import Conflict, NotFound, ServiceError
from takethelead.storage.tables import Interaction, Lead, LedgerEntry, Person, Referral

STATUSES: Final = ("given", "contacted", "met", "won", "lost")
FINAL: Final = ("won", "lost")
DIRECTIONS: Final = ("given", "received")
_STEP: Final = {"given": 0, "contacted": 1, "met": 2, "won": 3, "lost": 3}


@dataclass(frozen=True, slots=True)
class ReferralView:
    id: int
    direction: str  # given: you referred business to them; received: they referred you
    person_id: int
    person: str
    status: str
    value: float | None
    note: str
    thanked: bool
    thank_due: bool  # received, won and not thanked yet: the plan proposes a thank-you
    lead_id: int | None
    created_at: datetime
    updated_at: datetime


def check_value(value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise ServiceError("value: expected an amount of zero or more")


def record_referral(
    session: Session,
    workspace_id: int,
    direction: str,
    person_id: int,
    note: str = "",
    value: float | None = None,
    lead_id: int | None = None,
    now: datetime | None = None,
) -> ReferralView:
    """A referral given to (or received from) a person, with its ledger entry and touch."""
    if direction not in DIRECTIONS:
        raise ServiceError("direction: expected --to NAME (given) or --from NAME (received)")
    check_value(value)
    person = _contact(session, workspace_id, person_id)
    moment = now or datetime.now(UTC)
    referral = Referral(
        workspace_id=workspace_id,
        lead_id=lead_id,
        direction=direction,
        person_id=person.id,
        status="given",
        value=value,
        note=note.strip(),
        thanked=False,
        created_at=moment,
        updated_at=moment,
    )
    session.add(referral)
    session.flush()
    session.add(
        LedgerEntry(
            workspace_id=workspace_id,
            person_id=person.id,
            direction=direction,
            kind="referral",
            occurred_at=moment,
            note=referral.note,
            referral_id=referral.id,
        )
    )
    session.add(
        Interaction(
            workspace_id=workspace_id,
            person_id=person.id,
            occurred_at=moment,
            kind="referral",
            direction="outbound" if direction == "given" else "inbound",
            automated=False,
            summary=referral.note or f"referral {direction}",
            source="referral",
            external_id=f"referral-{referral.id}",
        )
    )
    session.flush()
    return _view(referral, person.full_name)


def update_referral(
    session: Session,
    workspace_id: int,
    referral_id: int,
    status: str,
    value: float | None = None,
    now: datetime | None = None,
) -> ReferralView:
    """Move a referral on (given → contacted → met → won | lost), with its value when known."""
    if status not in STATUSES:
        raise ServiceError(f"status {status!r}: expected one of {', '.join(STATUSES[1:])}")
    check_value(value)
    referral = _referral(session, workspace_id, referral_id)
    if referral.status in FINAL and status != referral.status:
        raise Conflict(f"status: referral #{referral_id} is already {referral.status}")
    if _STEP[status] < _STEP[referral.status]:
        raise Conflict(
            f"status: referral #{referral_id} is already {referral.status}; "
            f"it cannot go back to {status}"
        )
    referral.status = status
    if value is not None:
        referral.value = value
    referral.updated_at = now or datetime.now(UTC)
    if status in FINAL and referral.lead_id is not None:
        lead = session.get(Lead, referral.lead_id)
        if lead is not None:
            lead.status = "closed"
    session.flush()
    return _view(referral, _name(session, referral.person_id))


def list_referrals(
    session: Session,
    workspace_id: int,
    status: str | None = None,
    direction: str | None = None,
) -> list[ReferralView]:
    """Referrals of the workspace, newest first, optionally of one status or direction."""
    query = (
        select(Referral, Person.full_name)
        .join(Person, Person.id == Referral.person_id)
        .where(Referral.workspace_id == workspace_id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
    )
    if status is not None:
        if status not in STATUSES:
            raise ServiceError(f"status {status!r}: expected one of {', '.join(STATUSES)}")
        query = query.where(Referral.status == status)
    if direction is not None:
        if direction not in DIRECTIONS:
            raise ServiceError(f"direction {direction!r}: expected given or received")
        query = query.where(Referral.direction == direction)
    return [_view(referral, name) for referral, name in session.execute(query)]


def referral_history(session: Session, workspace_id: int) -> dict[str, dict[int, tuple[int, int]]]:
    """Per direction and person: how many referrals, and how many of them were won."""
    won = func.sum(case((Referral.status == "won", 1), else_=0))
    rows = session.execute(
        select(Referral.direction, Referral.person_id, func.count(), won)
        .where(Referral.workspace_id == workspace_id)
        .group_by(Referral.direction, Referral.person_id)
    ).all()
    history: dict[str, dict[int, tuple[int, int]]] = {}
    for direction, person_id, count, wins in rows:
        history.setdefault(direction, {})[int(person_id)] = (int(count), int(wins or 0))
    return history


@dataclass(frozen=True, slots=True)
class FunnelStage:
    key: str  # leads | passed | given | received | contacted | met | won
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Funnel:
    """One direction's referrals, stage by stage; a stage counts those that reached it."""

    direction: str  # given | received
    stages: tuple[FunnelStage, ...]
    lost: int
    won_value: float  # the value of the won referrals, where it was written down


@dataclass(frozen=True, slots=True)
class ReferralFunnel:
    """Leads you heard of, passed on and won; and referrals others sent you, won."""

    given: Funnel
    received: Funnel

    @property
    def empty(self) -> bool:
        return not any(s.count for f in (self.given, self.received) for s in f.stages)


def referral_funnel(session: Session, workspace_id: int) -> ReferralFunnel:
    """Counts per stage: lead → passed on → referral given → contacted → met → won, and received."""
    counts: dict[tuple[str, str], int] = {}
    values: dict[str, float] = {}
    for direction, status, count, value in session.execute(
        select(Referral.direction, Referral.status, func.count(), func.sum(Referral.value))
        .where(Referral.workspace_id == workspace_id)
        .group_by(Referral.direction, Referral.status)
    ):
        counts[(direction, status)] = int(count)
        if status == "won":
            values[direction] = float(value or 0.0)
    leads = session.scalar(select(func.count()).where(Lead.workspace_id == workspace_id)) or 0
    passed = session.scalar(
        select(func.count(func.distinct(Referral.lead_id))).where(
            Referral.workspace_id == workspace_id,
            Referral.direction == "given",
            Referral.lead_id.is_not(None),
        )
    )

    def funnel(direction: str, first: tuple[FunnelStage, ...]) -> Funnel:
        def reached(*statuses: str) -> int:
            return sum(counts.get((direction, s), 0) for s in statuses)

        return Funnel(
            direction=direction,
            stages=(
                *first,
                FunnelStage(direction, f"referrals {direction}", reached(*STATUSES)),
                FunnelStage("contacted", "contacted", reached("contacted", "met", "won")),
                FunnelStage("met", "met", reached("met", "won")),
                FunnelStage("won", "won", reached("won")),
            ),
            lost=reached("lost"),
            won_value=values.get(direction, 0.0),
        )

    return ReferralFunnel(
        given=funnel(
            "given",
            (
                FunnelStage("leads", "leads noted", int(leads)),
                FunnelStage("passed", "leads passed on", int(passed or 0)),
            ),
        ),
        received=funnel("received", ()),
    )


def _contact(session: Session, workspace_id: int, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None or person.workspace_id != workspace_id or person.is_me:
        raise NotFound(f"person #{person_id}: not one of your contacts")
    return person


def _referral(session: Session, workspace_id: int, referral_id: int) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None or referral.workspace_id != workspace_id:
        raise NotFound(f"referral #{referral_id}: no such referral in this workspace")
    return referral


def _name(session: Session, person_id: int) -> str:
    return session.scalar(select(Person.full_name).where(Person.id == person_id)) or ""


def _view(referral: Referral, name: str) -> ReferralView:
    return ReferralView(
        id=referral.id,
        direction=referral.direction,
        person_id=referral.person_id,
        person=name,
        status=referral.status,
        value=referral.value,
        note=referral.note,
        thanked=referral.thanked,
        thank_due=(
            referral.direction == "received" and referral.status == "won" and not referral.thanked
        ),
        lead_id=referral.lead_id,
        created_at=referral.created_at,
        updated_at=referral.updated_at,
    )

"""An overview of the network: what the user has, where it happens, who went quiet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from takethelead.storage.tables import Interaction, Network, Person


@dataclass(frozen=True, slots=True)
class NetworkActivity:
    name: str
    touches_90d: int
    inbound_90d: int


@dataclass(frozen=True, slots=True)
class QuietTie:
    person_id: int
    full_name: str
    touches: int
    last_contact: datetime


@dataclass(frozen=True, slots=True)
class Overview:
    people: int
    interactions: int
    networks: tuple[NetworkActivity, ...]
    quiet: tuple[QuietTie, ...]
    first: datetime | None
    last: datetime | None


def overview(session: Session, workspace_id: int, now: datetime | None = None) -> Overview:
    """Counts, activity per network over 90 days, and well-known people gone quiet."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=90)
    people = session.scalar(
        select(func.count()).where(Person.workspace_id == workspace_id, Person.is_me.is_(False))
    )
    total, first, last = session.execute(
        select(
            func.count(), func.min(Interaction.occurred_at), func.max(Interaction.occurred_at)
        ).where(Interaction.workspace_id == workspace_id)
    ).one()
    per_network = session.execute(
        select(
            Network.name,
            func.count(Interaction.id),
            func.count(Interaction.id).filter(Interaction.direction == "inbound"),
        )
        .join(Interaction, Interaction.network_id == Network.id)
        .where(Interaction.workspace_id == workspace_id, Interaction.occurred_at >= since)
        .group_by(Network.name)
        .order_by(func.count(Interaction.id).desc())
    ).all()
    touched = (
        select(
            Interaction.person_id,
            func.count().label("n"),
            func.max(Interaction.occurred_at).label("last"),
        )
        .where(Interaction.workspace_id == workspace_id, Interaction.automated.is_(False))
        .group_by(Interaction.person_id)
        .subquery()
    )
    quiet = session.execute(
        select(Person.id, Person.full_name, touched.c.n, touched.c.last)
        .join(touched, touched.c.person_id == Person.id)
        .where(touched.c.n >= 8, touched.c.last < since)
        .order_by(touched.c.n.desc())
        .limit(5)
    ).all()
    return Overview(
        people=int(people or 0),
        interactions=int(total or 0),
        networks=tuple(NetworkActivity(n, int(t), int(i)) for n, t, i in per_network),
        quiet=tuple(QuietTie(pid, name, int(n), at) for pid, name, n, at in quiet),
        first=first,
        last=last,
    )

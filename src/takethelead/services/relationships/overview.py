"""An overview of the network: what the user has, where it happens, who went quiet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from takethelead.services.networks.tallies import QuietTie, quiet_ties, recent_activity, tallies
from takethelead.storage.tables import Interaction, Network, Person

__all__ = ["NetworkActivity", "Overview", "QuietTie", "overview"]


@dataclass(frozen=True, slots=True)
class NetworkActivity:
    name: str
    touches_90d: int
    inbound_90d: int


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
    people = session.scalar(
        select(func.count()).where(Person.workspace_id == workspace_id, Person.is_me.is_(False))
    )
    # min and max walk the ends of the (workspace, time) index.
    first = session.scalar(
        select(func.min(Interaction.occurred_at)).where(Interaction.workspace_id == workspace_id)
    )
    last = session.scalar(
        select(func.max(Interaction.occurred_at)).where(Interaction.workspace_id == workspace_id)
    )
    names = dict(
        session.execute(
            select(Network.id, Network.name).where(Network.workspace_id == workspace_id)
        ).all()
    )
    activity = [
        NetworkActivity(names[a.network_id], a.touches, a.inbound)
        for a in recent_activity(session, workspace_id, now)
        if a.network_id in names
    ]
    activity.sort(key=lambda a: (-a.touches_90d, a.name))
    return Overview(
        people=int(people or 0),
        interactions=tallies(session, workspace_id).total,
        networks=tuple(activity),
        quiet=quiet_ties(session, workspace_id, now),
        first=first,
        last=last,
    )

"""Posts for networks without an API (LinkedIn, X, Facebook): the text to paste, the page to open.

Their deliveries wait in the queue like any other; the weekly plan shows the due ones as
actions, and the user marks each one posted by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from takethelead.domain.posting import DeliveryState
from takethelead.domain.records import NetworkKind
from takethelead.services.core.errors import Conflict
from takethelead.services.posting.posts import MANUAL_KINDS, owned_post
from takethelead.storage.tables import Delivery, utcnow

_SHARE_URLS = {
    NetworkKind.LINKEDIN: "https://www.linkedin.com/feed/?shareActive=true&text={text}",
    NetworkKind.X: "https://x.com/intent/post?text={text}",
    NetworkKind.FACEBOOK: "https://www.facebook.com/",
}


@dataclass(frozen=True, slots=True)
class ManualPost:
    """A due post for a network without an API: the text to paste and the page to open."""

    delivery_id: int
    post_id: int
    network: str
    due_at: datetime
    text: str
    open_url: str


def due_manual_posts(
    session: Session, workspace_id: int, now: datetime, within: timedelta = timedelta(days=7)
) -> list[ManualPost]:
    """Posts for networks without an API due before now + `within`, oldest first."""
    rows = session.scalars(
        select(Delivery)
        .where(
            Delivery.workspace_id == workspace_id,
            Delivery.account_id.is_(None),
            Delivery.network.in_([k.value for k in MANUAL_KINDS]),
            Delivery.state == DeliveryState.QUEUED,
            Delivery.due_at <= now + within,
        )
        .order_by(Delivery.due_at, Delivery.id)
    )
    return [_manual(d) for d in rows]


def manual_posts(
    session: Session, workspace_id: int, delivery_ids: list[int]
) -> dict[int, tuple[ManualPost, str]]:
    """Manual deliveries by id, whatever their state, each with its state."""
    if not delivery_ids:
        return {}
    rows = session.scalars(
        select(Delivery).where(
            Delivery.workspace_id == workspace_id,
            Delivery.id.in_(sorted(set(delivery_ids))),
            Delivery.network.in_([k.value for k in MANUAL_KINDS]),
        )
    )
    return {d.id: (_manual(d), d.state) for d in rows}


def _manual(delivery: Delivery) -> ManualPost:
    return ManualPost(
        delivery_id=delivery.id,
        post_id=delivery.post_id,
        network=delivery.network,
        due_at=delivery.due_at,
        text=delivery.text,
        open_url=_SHARE_URLS[NetworkKind(delivery.network)].format(text=quote(delivery.text)),
    )


@dataclass(frozen=True, slots=True)
class Scheduled:
    """Posts queued to go out automatically in a period, and how many networks they reach."""

    posts: int
    networks: int


def scheduled_posts(
    session: Session, workspace_id: int, start: datetime, end: datetime
) -> Scheduled:
    """Distinct posts with a queued delivery to a connected account due in [start, end)."""
    rows = session.execute(
        select(Delivery.post_id, Delivery.network)
        .where(
            Delivery.workspace_id == workspace_id,
            Delivery.account_id.is_not(None),
            Delivery.state == DeliveryState.QUEUED,
            Delivery.due_at >= start,
            Delivery.due_at < end,
        )
        .distinct()
    ).all()
    return Scheduled(len({r[0] for r in rows}), len({r[1] for r in rows}))


def mark_manual_posted(
    session: Session,
    workspace_id: int,
    post_id: int,
    network: str,
    url: str = "",
    delivery_id: int | None = None,
) -> int:
    """Record that the user published a queued occurrence by hand (by default the earliest)."""
    owned_post(session, workspace_id, post_id)
    query = select(Delivery.id).where(
        Delivery.workspace_id == workspace_id,
        Delivery.post_id == post_id,
        Delivery.network == network,
        Delivery.account_id.is_(None),
        Delivery.state == DeliveryState.QUEUED,
    )
    if delivery_id is not None:
        query = query.where(Delivery.id == delivery_id)
    earliest = session.scalar(query.order_by(Delivery.due_at).limit(1))
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == earliest, Delivery.state == DeliveryState.QUEUED)
        .values(
            state=DeliveryState.SENT,
            sent_at=utcnow(),
            remote_url=url or None,
            version=Delivery.version + 1,
        )
    )
    marked = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if not marked:
        raise Conflict(f"post #{post_id}: nothing queued for {network} to mark as posted")
    return marked

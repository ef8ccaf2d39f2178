"""Reading posts for pages and the API: one post with its deliveries, the list, the calendar,
the free slots to offer, and where each network can be posted to.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from takethelead.domain.posting import DeliveryState, slot_times
from takethelead.domain.text_rules import rules_for
from takethelead.services.posting.connections import LIVE_KINDS
from takethelead.services.posting.posts import MANUAL_KINDS, DeliveryView, list_slots, owned_post
from takethelead.storage.tables import ConnectorAccount, Delivery, Post, PostVariant

# Deliveries nobody has finished with: they still hold a slot, an account or a decision.
_OPEN = (
    DeliveryState.QUEUED,
    DeliveryState.SENDING,
    DeliveryState.UNCONFIRMED,
    DeliveryState.PAUSED,
)


@dataclass(frozen=True, slots=True)
class PostDetail:
    """One post as the user wrote it, with every delivery and its state."""

    id: int
    text: str
    status: str
    networks: list[str]
    variants: dict[str, str]
    starts_at: datetime | None
    every_days: int | None
    repeat: int | None
    created_at: datetime
    deliveries: list[DeliveryView]


@dataclass(frozen=True, slots=True)
class PostSummary:
    """A post in a list: its text, where it goes, when next, and its deliveries by state."""

    id: int
    text: str
    status: str
    networks: list[str]
    next_due: datetime | None
    states: dict[str, int]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Target:
    """A network the composer offers: the value to send, its label and its length rule."""

    value: str  # what `PostRequest.targets` takes: "mastodon", "mastodon:ana", "linkedin"
    kind: str
    label: str
    max_length: int
    min_length: int
    unit: str
    live: bool
    paused: bool


@dataclass(frozen=True, slots=True)
class FreeSlot:
    """A coming posting slot that no post holds yet, and the networks it belongs to."""

    at: datetime
    networks: list[str]


def _view(d: Delivery) -> DeliveryView:
    return DeliveryView(
        id=d.id,
        post_id=d.post_id,
        network=d.network,
        occurrence=d.occurrence,
        due_at=d.due_at,
        state=d.state,
        attempts=d.attempts,
        text=d.text,
        remote_url=d.remote_url,
        last_error=d.last_error,
    )


def show_post(session: Session, workspace_id: int, post_id: int) -> PostDetail:
    """One post of the workspace with its variants and deliveries (NotFound otherwise)."""
    post = owned_post(session, workspace_id, post_id)
    variants = dict(
        session.execute(
            select(PostVariant.network, PostVariant.text)
            .where(PostVariant.post_id == post.id)
            .order_by(PostVariant.network)
        ).all()
    )
    deliveries = session.scalars(
        select(Delivery)
        .where(Delivery.post_id == post.id)
        .order_by(Delivery.occurrence, Delivery.due_at, Delivery.network)
    )
    return PostDetail(
        id=post.id,
        text=post.text,
        status=post.status,
        networks=json.loads(post.networks or "[]"),
        variants=variants,
        starts_at=post.starts_at,
        every_days=post.every_days,
        repeat=post.repeat,
        created_at=post.created_at,
        deliveries=[_view(d) for d in deliveries],
    )


def list_posts(
    session: Session,
    workspace_id: int,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[PostSummary]:
    """Posts, newest first, with their next open delivery and their deliveries by state."""
    query = select(Post).where(Post.workspace_id == workspace_id)
    if status is not None:
        query = query.where(Post.status == status)
    posts = list(session.scalars(query.order_by(Post.id.desc()).limit(limit).offset(offset)))
    ids = [p.id for p in posts]
    states: dict[int, dict[str, int]] = {i: {} for i in ids}
    next_due: dict[int, datetime] = {}
    if ids:
        for post_id, state, count, first in session.execute(
            select(Delivery.post_id, Delivery.state, func.count(), func.min(Delivery.due_at))
            .where(Delivery.post_id.in_(ids))
            .group_by(Delivery.post_id, Delivery.state)
        ):
            states[post_id][state] = count
            if state in _OPEN and (post_id not in next_due or first < next_due[post_id]):
                next_due[post_id] = first
    return [
        PostSummary(
            id=p.id,
            text=p.text,
            status=p.status,
            networks=json.loads(p.networks or "[]"),
            next_due=next_due.get(p.id),
            states=states[p.id],
            created_at=p.created_at,
        )
        for p in posts
    ]


def deliveries_between(
    session: Session, workspace_id: int, start: datetime, end: datetime
) -> list[DeliveryView]:
    """Deliveries due in [start, end), cancelled ones left out, in time order (the calendar)."""
    rows = session.scalars(
        select(Delivery)
        .where(
            Delivery.workspace_id == workspace_id,
            Delivery.due_at >= start,
            Delivery.due_at < end,
            Delivery.state != DeliveryState.CANCELLED,
        )
        .order_by(Delivery.due_at, Delivery.post_id, Delivery.network)
    )
    return [_view(d) for d in rows]


def targets(session: Session, workspace_id: int) -> list[Target]:
    """Where a post can go: each connected account, then each network without an API."""
    accounts = list(
        session.scalars(
            select(ConnectorAccount)
            .where(ConnectorAccount.workspace_id == workspace_id)
            .order_by(ConnectorAccount.kind, ConnectorAccount.id)
        )
    )
    per_kind: dict[str, int] = {}
    for account in accounts:
        per_kind[account.kind] = per_kind.get(account.kind, 0) + 1
    found: list[Target] = []
    for account in accounts:
        if account.kind not in {k.value for k in LIVE_KINDS}:
            continue
        rules = rules_for(account.kind)
        several = per_kind[account.kind] > 1
        found.append(
            Target(
                value=f"{account.kind}:{account.handle}" if several else account.kind,
                kind=account.kind,
                label=f"{rules.network} ({account.handle})",
                max_length=account.max_length or rules.max_length,
                min_length=rules.min_length,
                unit=rules.unit,
                live=True,
                paused=account.status == "paused",
            )
        )
    for kind in MANUAL_KINDS:
        rules = rules_for(kind)
        found.append(
            Target(
                value=kind.value,
                kind=kind.value,
                label=rules.network,
                max_length=rules.max_length,
                min_length=rules.min_length,
                unit=rules.unit,
                live=False,
                paused=False,
            )
        )
    return found


def free_slots(
    session: Session,
    workspace_id: int,
    now: datetime,
    networks: Iterable[str] | None = None,
    limit: int = 8,
) -> list[FreeSlot]:
    """The next posting slots no live delivery holds, of the given networks (or all)."""
    chosen = list_slots(session, workspace_id)
    if networks is not None:
        wanted = {n.partition(":")[0] for n in networks}
        chosen = {n: s for n, s in chosen.items() if n in wanted}
    if not chosen:
        return []
    taken = {
        (network, int(due.timestamp()))
        for network, due in session.execute(
            select(Delivery.network, Delivery.due_at).where(
                Delivery.workspace_id == workspace_id,
                Delivery.network.in_(list(chosen)),
                Delivery.due_at > now,
                Delivery.state != DeliveryState.CANCELLED,
            )
        )
    }
    by_moment: dict[datetime, list[str]] = {}
    for network, slots in chosen.items():
        for moment in slot_times(slots, now, weeks=4):
            if (network, int(moment.timestamp())) not in taken:
                by_moment.setdefault(moment, []).append(network)
    return [FreeSlot(at, sorted(names)) for at, names in sorted(by_moment.items())[:limit]]

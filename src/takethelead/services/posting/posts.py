"""Posts: schedule to several networks at once, variants, slots, recurrence, edit and cancel.

A post becomes one delivery per network and occurrence. Deliveries carry their own text and
a deterministic idempotency key; edits and cancels change only deliveries nobody has
claimed (queued or paused), with a conditional update, so a post already sending or sent is
never restarted or duplicated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import delete, select, update
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from takethelead.domain.posting import (
    AMBIGUOUS,
    UNCLAIMED,
    DeliveryState,
    ScheduleError,
    Slot,
    idempotency_key,
    next_free_slot,
    parse_slots,
)
from takethelead.domain.records import NetworkKind
from takethelead.domain.text_rules import validate
from takethelead.services.core.errors import Conflict, NotFound, ServiceError
from takethelead.services.posting.connections import LIVE_KINDS, account_for
from takethelead.storage.tables import (
    ConnectorAccount,
    Delivery,
    Post,
    PostingSlot,
    PostVariant,
    utcnow,
)

MANUAL_KINDS = (NetworkKind.LINKEDIN, NetworkKind.X, NetworkKind.FACEBOOK)
# Recurring posts without a repeat cap are scheduled this far ahead, extended by every pass.
HORIZON = timedelta(days=28)


@dataclass(frozen=True, slots=True)
class PostRequest:
    """A post as the user asked for it; `at` None with `next_slot` False means now."""

    text: str
    targets: list[str]
    at: datetime | None = None
    next_slot: bool = False
    draft: bool = False
    variants: dict[str, str] = field(default_factory=dict)
    every_days: int | None = None
    repeat: int | None = None


@dataclass(frozen=True, slots=True)
class DeliveryView:
    id: int
    post_id: int
    network: str
    occurrence: int
    due_at: datetime
    state: str
    attempts: int
    text: str
    remote_url: str | None
    last_error: str


@dataclass(frozen=True, slots=True)
class QueueView:
    deliveries: list[DeliveryView]
    notices: list[str]


@dataclass(frozen=True, slots=True)
class Change:
    """What an edit or cancel did: deliveries changed, and those left alone with their state."""

    post_id: int
    changed: int
    untouched: list[tuple[str, str]]  # (network, state) of claimed or finished deliveries


def _target(session: Session, workspace_id: int, raw: str) -> tuple[str, int | None]:
    """(network kind, account id or None for manual networks) for one `--to` entry."""
    name = raw.strip().lower()
    kind_name = name.partition(":")[0]
    try:
        kind = NetworkKind(kind_name)
    except ValueError:
        kind = None
    if kind in LIVE_KINDS:
        return kind_name, account_for(session, workspace_id, name).id
    if kind in MANUAL_KINDS:
        return kind_name, None
    known = ", ".join(k.value for k in (*LIVE_KINDS, *MANUAL_KINDS))
    raise ServiceError(f"--to {raw!r}: expected one or more of {known}")


def _check_text(network: str, text: str, max_length: int | None) -> None:
    problems = validate(text, network, max_length=max_length)
    if problems:
        raise ServiceError(f"{network}: " + " ".join(problems))


def _max_length(session: Session, account_id: int | None) -> int | None:
    if account_id is None:
        return None
    return session.scalar(
        select(ConnectorAccount.max_length).where(ConnectorAccount.id == account_id)
    )


def _resolve_targets(
    session: Session, workspace_id: int, request: PostRequest
) -> dict[str, int | None]:
    if not request.targets:
        raise ServiceError("--to: expected at least one network, e.g. --to mastodon,bluesky")
    targets: dict[str, int | None] = {}
    for raw in request.targets:
        kind, account_id = _target(session, workspace_id, raw)
        if kind in targets and targets[kind] != account_id:
            # Deliveries are one per network: a second account would replace the first.
            raise ServiceError(
                f"--to {raw!r}: one account per network in a post; post again for the other"
            )
        targets[kind] = account_id
    for network in request.variants:
        if network not in targets:
            raise ServiceError(f"--variant {network}: not one of the networks in --to")
    for network, account_id in targets.items():
        text = request.variants.get(network, request.text)
        _check_text(network, text, _max_length(session, account_id))
    return targets


def create_post(session: Session, workspace_id: int, request: PostRequest, now: datetime) -> int:
    """Validate for every network, then store the post and schedule its deliveries."""
    if request.every_days is not None and request.every_days < 1:
        raise ServiceError("--every: expected at least one day")
    if request.repeat is not None and request.repeat < 1:
        raise ServiceError("--repeat: expected one or more")
    if request.repeat is not None and request.every_days is None:
        raise ServiceError("--repeat: needs --every, e.g. --every 7d --repeat 4")
    if request.at is not None and request.next_slot:
        raise ServiceError("--at and --next-slot: choose one")
    targets = _resolve_targets(session, workspace_id, request)
    post = Post(
        workspace_id=workspace_id,
        text=request.text,
        status="draft" if request.draft else "scheduled",
        starts_at=request.at,
        every_days=request.every_days,
        repeat=request.repeat,
        occurrences=0,
        networks=json.dumps(sorted(targets)),
    )
    session.add(post)
    session.flush()
    for network, text in request.variants.items():
        session.add(
            PostVariant(workspace_id=workspace_id, post_id=post.id, network=network, text=text)
        )
    if not request.draft:
        _first_occurrence(session, post, targets, request.at, request.next_slot, now)
    session.flush()
    return post.id


def _first_occurrence(
    session: Session,
    post: Post,
    targets: dict[str, int | None],
    at: datetime | None,
    next_slot: bool,
    now: datetime,
) -> None:
    for network, account_id in targets.items():
        due = at or now
        if next_slot:
            found = free_slot(session, post.workspace_id, network, now)
            if found is None:
                raise ServiceError(
                    f"{network}: no posting slots; set them with lead slots {network} "
                    '"mon-fri 09:00"'
                )
            due = found
        _add_delivery(session, post, network, account_id, 0, due)
    post.starts_at = post.starts_at or min(
        d for d in session.scalars(select(Delivery.due_at).where(Delivery.post_id == post.id))
    )
    post.occurrences = 1
    extend_recurring(session, now, post_ids=[post.id])


def _text_for(session: Session, post: Post, network: str) -> str:
    variant = session.scalar(
        select(PostVariant.text).where(
            PostVariant.post_id == post.id, PostVariant.network == network
        )
    )
    return variant if variant is not None else post.text


def _add_delivery(
    session: Session,
    post: Post,
    network: str,
    account_id: int | None,
    occurrence: int,
    due: datetime,
) -> None:
    paused = False
    if account_id is not None:
        status = session.scalar(
            select(ConnectorAccount.status).where(ConnectorAccount.id == account_id)
        )
        paused = status == "paused"
    session.add(
        Delivery(
            workspace_id=post.workspace_id,
            post_id=post.id,
            network=network,
            account_id=account_id,
            occurrence=occurrence,
            text=_text_for(session, post, network),
            due_at=due,
            state=DeliveryState.PAUSED if paused else DeliveryState.QUEUED,
            idempotency_key=idempotency_key(post.workspace_id, post.id, network, occurrence),
        )
    )
    session.flush()


def extend_recurring(session: Session, now: datetime, post_ids: list[int] | None = None) -> int:
    """Schedule further occurrences of recurring posts: all of a capped series, else a horizon."""
    query = select(Post).where(Post.status == "scheduled", Post.every_days.is_not(None))
    if post_ids is not None:
        query = query.where(Post.id.in_(post_ids))
    added = 0
    for post in session.scalars(query):
        assert post.every_days is not None
        firsts = dict(
            session.execute(
                select(Delivery.network, Delivery.due_at).where(
                    Delivery.post_id == post.id, Delivery.occurrence == 0
                )
            ).all()
        )
        accounts = dict(
            session.execute(
                select(Delivery.network, Delivery.account_id).where(
                    Delivery.post_id == post.id, Delivery.occurrence == 0
                )
            ).all()
        )
        while post.repeat is None or post.occurrences < post.repeat:
            step = timedelta(days=post.every_days * post.occurrences)
            if post.repeat is None and min(firsts.values()) + step > now + HORIZON:
                break
            for network, first in firsts.items():
                _add_delivery(
                    session, post, network, accounts[network], post.occurrences, first + step
                )
            post.occurrences += 1
            added += 1
    return added


def schedule_draft(
    session: Session,
    workspace_id: int,
    post_id: int,
    at: datetime | None,
    next_slot: bool,
    now: datetime,
) -> None:
    """Turn a draft into a scheduled post (validated again, as networks may have changed)."""
    post = owned_post(session, workspace_id, post_id)
    if post.status != "draft":
        raise Conflict(f"post #{post_id}: only a draft can be scheduled; it is {post.status}")
    variants = dict(
        session.execute(
            select(PostVariant.network, PostVariant.text).where(PostVariant.post_id == post.id)
        ).all()
    )
    request = PostRequest(text=post.text, targets=json.loads(post.networks), variants=variants)
    targets = _resolve_targets(session, workspace_id, request)
    post.status = "scheduled"
    post.starts_at = at
    _first_occurrence(session, post, targets, at, next_slot, now)


def owned_post(session: Session, workspace_id: int, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None or post.workspace_id != workspace_id:
        raise NotFound(f"post #{post_id}: no such post")
    return post


def _untouched(session: Session, post_id: int) -> list[tuple[str, str]]:
    rows = session.execute(
        select(Delivery.network, Delivery.state)
        .where(Delivery.post_id == post_id, Delivery.state.not_in([s.value for s in UNCLAIMED]))
        .order_by(Delivery.occurrence, Delivery.network)
    )
    return [(n, s) for n, s in rows if s != DeliveryState.CANCELLED]


def edit_post(
    session: Session, workspace_id: int, post_id: int, text: str, network: str | None = None
) -> Change:
    """New text for the deliveries not yet claimed (of one network with `network`)."""
    post = owned_post(session, workspace_id, post_id)
    if post.status == "cancelled":
        raise Conflict(f"post #{post_id}: it is cancelled")
    networks = json.loads(post.networks)
    if network is not None and network not in networks:
        # The post's own networks decide, not the request's form: a refusal of the present state.
        raise Conflict(f"--network {network}: post #{post_id} goes to {', '.join(networks)}")
    variants = set(
        session.scalars(select(PostVariant.network).where(PostVariant.post_id == post.id))
    )
    chosen = [network] if network is not None else [n for n in networks if n not in variants]
    for name in chosen:
        account_id = session.scalar(
            select(Delivery.account_id).where(Delivery.post_id == post.id, Delivery.network == name)
        )
        _check_text(name, text, _max_length(session, account_id))
    if network is None:
        post.text = text
    else:
        session.execute(
            delete(PostVariant).where(
                PostVariant.post_id == post.id, PostVariant.network == network
            )
        )
        session.add(
            PostVariant(workspace_id=workspace_id, post_id=post.id, network=network, text=text)
        )
    post.updated_at = utcnow()
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.post_id == post.id,
            Delivery.network.in_(chosen),
            Delivery.state.in_([s.value for s in UNCLAIMED]),
        )
        .values(text=text, version=Delivery.version + 1)
    )
    return Change(post.id, int(result.rowcount or 0), _untouched(session, post.id))  # type: ignore[attr-defined]


def cancel_post(session: Session, workspace_id: int, post_id: int) -> Change:
    """Cancel every delivery not yet claimed; what is sending or sent stays as it is."""
    post = owned_post(session, workspace_id, post_id)
    post.status = "cancelled"
    post.updated_at = utcnow()
    result = session.execute(
        update(Delivery)
        .where(Delivery.post_id == post.id, Delivery.state.in_([s.value for s in UNCLAIMED]))
        .values(state=DeliveryState.CANCELLED, version=Delivery.version + 1)
    )
    return Change(post.id, int(result.rowcount or 0), _untouched(session, post.id))  # type: ignore[attr-defined]


def set_slots(session: Session, workspace_id: int, network: str, text: str) -> list[Slot]:
    """Replace a network's weekly posting slots with those in `text` ("mon-fri 09:00,13:00")."""
    kind = network.strip().lower()
    if kind not in {k.value for k in (*LIVE_KINDS, *MANUAL_KINDS)}:
        raise ServiceError(
            f"network {network!r}: expected mastodon, bluesky, discourse, linkedin, x or facebook"
        )
    try:
        slots = parse_slots(text)
    except ScheduleError as error:
        raise ServiceError(f"slots: {error}") from None
    session.execute(
        delete(PostingSlot).where(
            PostingSlot.workspace_id == workspace_id, PostingSlot.network == kind
        )
    )
    for slot in slots:
        session.add(
            PostingSlot(
                workspace_id=workspace_id, network=kind, weekday=slot.weekday, minute=slot.minute
            )
        )
    session.flush()
    return slots


def list_slots(session: Session, workspace_id: int) -> dict[str, list[Slot]]:
    """Every network's posting slots."""
    found: dict[str, list[Slot]] = {}
    rows = session.execute(
        select(PostingSlot.network, PostingSlot.weekday, PostingSlot.minute)
        .where(PostingSlot.workspace_id == workspace_id)
        .order_by(PostingSlot.network, PostingSlot.weekday, PostingSlot.minute)
    )
    for network, weekday, minute in rows:
        found.setdefault(network, []).append(Slot(weekday, minute))
    return found


def free_slot(session: Session, workspace_id: int, network: str, now: datetime) -> datetime | None:
    """The network's next slot that no live delivery holds yet."""
    slots = list_slots(session, workspace_id).get(network, [])
    taken = session.scalars(
        select(Delivery.due_at).where(
            Delivery.workspace_id == workspace_id,
            Delivery.network == network,
            Delivery.due_at > now,
            Delivery.state != DeliveryState.CANCELLED,
        )
    )
    return next_free_slot(slots, taken, now)


def list_queue(
    session: Session, workspace_id: int, now: datetime, everything: bool = False
) -> QueueView:
    """What goes out when, with its state; sent and cancelled ones only with `everything`."""
    query = select(Delivery).where(Delivery.workspace_id == workspace_id)
    if not everything:
        query = query.where(
            Delivery.state.not_in([DeliveryState.SENT, DeliveryState.CANCELLED])
            | (Delivery.sent_at >= now - timedelta(days=1))
        )
    deliveries = [
        DeliveryView(
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
        for d in session.scalars(query.order_by(Delivery.due_at, Delivery.id))
    ]
    return QueueView(deliveries, queue_notices(session, workspace_id))


_PAUSED: Final = sql(
    "SELECT kind, handle, status_reason FROM connector_account "
    "WHERE workspace_id = :ws AND status = 'paused'"
)
_TROUBLED: Final = sql(
    "SELECT state, count(*) FROM delivery WHERE workspace_id = :ws "
    "AND state IN ('unconfirmed', 'failed') GROUP BY state"
)
_AMBIGUOUS: Final = sql(
    "SELECT count(*) FROM delivery WHERE workspace_id = :ws AND state = 'unconfirmed' "
    "AND last_error LIKE :flag"
)


def queue_notices(session: Session, workspace_id: int) -> list[str]:
    """What the user must know: paused accounts, posts of unknown outcome, failed posts."""
    notices: list[str] = []
    for kind, handle, reason in session.execute(_PAUSED, {"ws": workspace_id}):
        notices.append(
            f"{kind} ({handle}) is paused: {reason} Its posts wait; "
            f"reconnect with lead connect {kind}."
        )
    counts = {
        DeliveryState(state): int(n)
        for state, n in session.execute(_TROUBLED, {"ws": workspace_id})
    }
    if counts.get(DeliveryState.UNCONFIRMED):
        notices.append(
            f"{counts[DeliveryState.UNCONFIRMED]} post(s) may or may not have gone out; they are "
            "checked on the network before any retry."
        )
    ambiguous = int(
        session.execute(_AMBIGUOUS, {"ws": workspace_id, "flag": AMBIGUOUS + "%"}).scalar() or 0
    )
    if ambiguous:
        notices.append(
            f"{ambiguous} post(s) with the same words as another could be the one found on the "
            "network: none is marked sent or sent again. Check the network and the queue."
        )
    if counts.get(DeliveryState.FAILED):
        notices.append(
            f"{counts[DeliveryState.FAILED]} post(s) failed; see the reason in the queue."
        )
    return notices

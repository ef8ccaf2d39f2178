"""Closing the loop: marking a plan action done (with what came of it) or skipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from takethelead.domain.posting import DeliveryState
from takethelead.services.core.errors import Conflict, NotFound, ServiceError
from takethelead.services.leads.referrals import record_referral
from takethelead.services.planning.weekly import week_start
from takethelead.services.posting.manual import manual_posts, mark_manual_posted
from takethelead.services.relationships.scoring import rescore_people
from takethelead.storage.tables import (
    Interaction,
    Plan,
    PlanAction,
    Referral,
    TimeEntry,
)

OUTCOMES: Final = (
    "responded",
    "meeting-booked",
    "referral-given",
    "referral-received",
    "no-answer",
)
# The touch each kind of action is, when done.
TOUCH_KIND: Final = {
    "reply": "message",
    "check-in": "message",
    "thank": "message",
    "give-back": "favour",
    "introduce": "introduction",
    "share-profile": "message",
}


@dataclass(frozen=True, slots=True)
class ClosedAction:
    number: int
    kind: str
    status: str
    outcome: str | None
    strength: dict[int, float]  # rescored ties, by person id


def parse_outcome(raw: str | None) -> str | None:
    if raw is None:
        return None
    outcome = raw.strip().lower()
    if outcome not in OUTCOMES:
        raise ServiceError(f"outcome {raw!r}: expected one of {', '.join(OUTCOMES)}")
    return outcome


def mark_done(
    session: Session,
    workspace_id: int,
    number: int,
    outcome: str | None = None,
    responses: int | None = None,
    now: datetime | None = None,
    url: str = "",
) -> ClosedAction:
    """Mark action N of this week done and record what it did to people, ledger and networks.

    A manual post done is marked posted in the queue, with `url` (where it went) when given.
    """
    moment = now or datetime.now(UTC)
    result = parse_outcome(outcome)
    action = _action(session, workspace_id, number, moment)
    if responses is not None and (responses < 0 or action.kind != "network"):
        raise Conflict("responses: expected zero or more, and only for a network block")
    if url and action.kind != "manual-post":
        raise ServiceError(f"url: only for a manual post; action {number} is {action.kind}")
    if action.kind == "manual-post":
        _posted(session, workspace_id, action, url.strip())
    action.status, action.outcome, action.done_at = "done", result, moment
    people = [p for p in (action.person_id, action.other_person_id) if p is not None]
    kind = TOUCH_KIND.get(action.kind)
    for n, person in enumerate(people):
        if kind is None:
            break
        suffix = "" if n == 0 else "-b"
        _touch(session, workspace_id, action, person, kind, "outbound", suffix, moment)
    if action.person_id is not None:
        if result == "responded":
            # A second before the user's own touch: the exchange ends with the user, so the
            # answer does not come back next week as a message waiting for a reply.
            _touch(session, workspace_id, action, action.person_id, "reply", "inbound",
                   "-response", moment - timedelta(seconds=1))  # fmt: skip
        elif result in ("referral-given", "referral-received"):
            _referral(session, workspace_id, action, result, moment)
    if action.kind == "thank" and action.person_id is not None:
        session.execute(
            update(Referral)
            .where(
                Referral.workspace_id == workspace_id,
                Referral.person_id == action.person_id,
                Referral.direction == "received",
                Referral.status == "won",
                Referral.thanked.is_(False),
            )
            .values(thanked=True, updated_at=moment)
        )
    if action.kind == "network" and action.network_id is not None:
        session.add(
            TimeEntry(
                workspace_id=workspace_id,
                network_id=action.network_id,
                spent_at=moment,
                minutes=action.minutes,
                responses=responses,
                note=f"plan action {number}",
            )
        )
    session.flush()
    scores = rescore_people(session, workspace_id, people, moment)
    return ClosedAction(number, action.kind, "done", result, scores)


def mark_skipped(
    session: Session, workspace_id: int, number: int, reason: str = "", now: datetime | None = None
) -> ClosedAction:
    """Skip action N of this week: it stays in the week, not proposed again, nothing recorded."""
    moment = now or datetime.now(UTC)
    action = _action(session, workspace_id, number, moment)
    action.status, action.outcome, action.done_at = "skipped", None, moment
    if reason:
        action.reason = f"{action.reason} (skipped: {reason})"
    session.flush()
    return ClosedAction(number, action.kind, "skipped", None, {})


def _posted(session: Session, workspace_id: int, action: PlanAction, url: str) -> None:
    """Mark the action's delivery posted, unless it was marked from the queue already."""
    delivery_id = action.delivery_id  # None once the delivery is deleted
    found = manual_posts(session, workspace_id, [delivery_id] if delivery_id is not None else [])
    if delivery_id is None or delivery_id not in found:
        raise NotFound(f"action {action.position}: its post is no longer in the queue")
    post, state = found[delivery_id]
    if state == DeliveryState.SENT:
        return
    mark_manual_posted(session, workspace_id, post.post_id, post.network, url, delivery_id)


def _action(session: Session, workspace_id: int, number: int, moment: datetime) -> PlanAction:
    plan = session.scalar(
        select(Plan)
        .where(Plan.workspace_id == workspace_id, Plan.week_start == week_start(moment))
        .order_by(Plan.id.desc())
        .limit(1)
    )
    if plan is None:
        raise NotFound("no plan for this week yet: run `lead plan` first")
    action = next((a for a in plan.actions if a.position == number), None)
    if action is None:
        numbers = sorted(a.position for a in plan.actions)
        span = f"1–{numbers[-1]}" if numbers else "none"
        raise NotFound(f"action {number}: not in this week's plan (actions {span})")
    if action.status != "open":
        raise Conflict(f"action {number}: already {action.status}")
    return action


def _touch(
    session: Session,
    workspace_id: int,
    action: PlanAction,
    person_id: int,
    kind: str,
    direction: str,
    suffix: str,
    moment: datetime,
) -> None:
    session.add(
        Interaction(
            workspace_id=workspace_id,
            person_id=person_id,
            network_id=action.network_id,
            occurred_at=moment,
            kind=kind,
            direction=direction,
            automated=False,
            summary=f"plan: {action.kind}" + (f" ({action.outcome})" if action.outcome else ""),
            source="plan",
            external_id=f"plan-action-{action.id}{suffix}",
        )
    )


def _referral(
    session: Session, workspace_id: int, action: PlanAction, result: str, moment: datetime
) -> None:
    assert action.person_id is not None
    direction = "given" if result == "referral-given" else "received"
    record_referral(
        session,
        workspace_id,
        direction,
        action.person_id,
        note=f"from plan action {action.position}",
        now=moment,
    )

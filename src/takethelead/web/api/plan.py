"""The weekly plan: read it, build it, mark actions done or skipped."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from takethelead.config import Settings
from takethelead.services.auth import access
from takethelead.services.core.errors import Conflict, NotFound
from takethelead.services.planning import actions as planactions
from takethelead.services.planning import preferences
from takethelead.services.planning import weekly as planning
from takethelead.services.planning.digest import compose_digest, plan_markdown, send_digest
from takethelead.web.api.schemas import (
    ClosedOut,
    DigestOut,
    DigestSend,
    DigestSent,
    DoneIn,
    PlanBuild,
    PlanItemOut,
    PlanOut,
    Problem,
    SkipIn,
    conflict,
)
from takethelead.web.deps import ActionNumber, ApiReader, ApiWriter, StoreDep

router = APIRouter(prefix="/plan", tags=["plan"])
MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No plan this week, or no such action"}
}
CLOSED = MISSING | conflict("The action is done or skipped already")


def _out(view: planning.PlanView) -> PlanOut:
    return PlanOut(
        week_start=view.week_start,
        week=view.week,
        budget_minutes=view.budget_minutes,
        minutes=view.minutes,
        items=[
            PlanItemOut(
                number=i.number,
                kind=i.kind,
                title=i.title,
                minutes=i.minutes,
                reason=i.reason,
                status=i.status,
                outcome=i.outcome,
                person_id=i.person_id,
                other_person_id=i.other_person_id,
                network_id=i.network_id,
            )
            for i in view.items
        ],
        balance=view.balance.sentence,
    )


@router.get("", response_model=PlanOut, responses=MISSING)
def get_plan(store: StoreDep, who: ApiReader) -> PlanOut:
    """This week's plan as stored; 404 until it is built (POST /api/plan)."""
    with access.reading(store, who) as db:
        view = planning.current_plan(db, who.workspace_id)
    if view is None:
        raise NotFound("no plan for this week yet: build it with POST /api/plan")
    return _out(view)


@router.post("", response_model=PlanOut)
def build_plan(store: StoreDep, who: ApiWriter, body: PlanBuild | None = None) -> PlanOut:
    """Build (or rebuild) this week's plan; done and skipped actions are kept."""
    budget = body.budget_minutes if body else None
    with access.writing(store, who) as db:
        return _out(planning.make_plan(db, who.workspace_id, budget=budget))


def _closed(closed: planactions.ClosedAction) -> ClosedOut:
    return ClosedOut(
        number=closed.number, kind=closed.kind, status=closed.status, outcome=closed.outcome
    )


@router.post("/{number:int}/done", response_model=ClosedOut, responses=CLOSED)
def done(
    store: StoreDep, who: ApiWriter, number: ActionNumber, body: DoneIn | None = None
) -> ClosedOut:
    body = body or DoneIn()
    with access.writing(store, who) as db:
        closed = planactions.mark_done(db, who.workspace_id, number, body.outcome, body.responses)
    return _closed(closed)


@router.post("/{number:int}/skip", response_model=ClosedOut, responses=CLOSED)
def skip(
    store: StoreDep, who: ApiWriter, number: ActionNumber, body: SkipIn | None = None
) -> ClosedOut:
    reason = body.reason if body else ""
    with access.writing(store, who) as db:
        return _closed(planactions.mark_skipped(db, who.workspace_id, number, reason))


@router.get("/digest", response_model=DigestOut, responses=MISSING)
def get_digest(store: StoreDep, who: ApiReader) -> DigestOut:
    """This week's digest as it would be e-mailed (Markdown); the plan is built if missing."""
    with access.reading(store, who) as db:
        address = preferences.read_preferences(db, who.workspace_id).digest_email
        view = planning.current_plan(db, who.workspace_id)
    if view is None:
        raise NotFound("no plan for this week yet: build it with POST /api/plan")
    subject = f"Your networking plan for week {view.week}: {view.minutes} minutes"
    return DigestOut(recipient=address, subject=subject, body=plan_markdown(view))


@router.post(
    "/digest/send",
    response_model=DigestSent,
    responses=MISSING | conflict("No address given and none remembered, or no LEAD_SMTP_URL"),
)
def send_digest_now(
    request: Request, store: StoreDep, who: ApiWriter, body: DigestSend | None = None
) -> DigestSent:
    """E-mail this week's digest now (through LEAD_SMTP_URL); `to` becomes the digest address."""
    settings: Settings = request.app.state.settings
    if not settings.smtp_url:  # the server's setup, not the request, is what is missing
        raise Conflict("LEAD_SMTP_URL: not set on this server; its administrator sets it")
    with access.writing(store, who) as db:
        digest = compose_digest(db, who.workspace_id, body.to if body else None)
    message_id = send_digest(digest, settings.smtp_url)
    return DigestSent(recipient=digest.recipient, message_id=message_id)

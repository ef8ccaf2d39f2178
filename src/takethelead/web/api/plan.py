"""The weekly plan: read it, build it, mark actions done or skipped."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from takethelead.services import access, planactions, planning
from takethelead.services.errors import NotFound
from takethelead.web.api.schemas import (
    ClosedOut,
    DoneIn,
    PlanBuild,
    PlanItemOut,
    PlanOut,
    Problem,
    SkipIn,
)
from takethelead.web.deps import ActionNumber, ApiReader, ApiWriter, StoreDep

router = APIRouter(prefix="/plan", tags=["plan"])
MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No plan this week, or no such action"}
}


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


@router.post("/{number}/done", response_model=ClosedOut, responses=MISSING)
def done(
    store: StoreDep, who: ApiWriter, number: ActionNumber, body: DoneIn | None = None
) -> ClosedOut:
    body = body or DoneIn()
    with access.writing(store, who) as db:
        closed = planactions.mark_done(db, who.workspace_id, number, body.outcome, body.responses)
    return _closed(closed)


@router.post("/{number}/skip", response_model=ClosedOut, responses=MISSING)
def skip(
    store: StoreDep, who: ApiWriter, number: ActionNumber, body: SkipIn | None = None
) -> ClosedOut:
    reason = body.reason if body else ""
    with access.writing(store, who) as db:
        return _closed(planactions.mark_skipped(db, who.workspace_id, number, reason))

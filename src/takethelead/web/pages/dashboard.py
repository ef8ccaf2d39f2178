"""The dashboard: this week's plan with one-click done and skip, networks and balance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from takethelead.services.auth import access
from takethelead.services.leads.referrals import referral_funnel
from takethelead.services.networks.timeentries import rank_networks
from takethelead.services.planning import actions as planactions
from takethelead.services.planning import weekly as planning
from takethelead.services.relationships import keepintouch
from takethelead.services.relationships.fadingcache import fading_now
from takethelead.services.relationships.overview import overview
from takethelead.web.charts import balance_split, fade_chart, funnel_chart, usefulness_chart
from takethelead.web.deps import ActionNumber, Reader, StoreDep, Writer
from takethelead.web.templating import render

router = APIRouter()


@router.get("/")
def dashboard(request: Request, store: StoreDep, who: Reader) -> Response:
    with access.reading(store, who) as db:
        plan = planning.current_plan(db, who.workspace_id)
        networks = rank_networks(db, who.workspace_id)
        summary = overview(db, who.workspace_id)
        due = keepintouch.due_soon(db, who.workspace_id, limit=6)
        fading = fading_now(db, who.workspace_id, limit=6)
        funnel = referral_funnel(db, who.workspace_id)
    return render(
        request,
        "dashboard.html",
        who,
        plan=plan,
        due=due,
        fading=fading,
        fades=fade_chart(fading.ties) if fading else None,
        funnel=funnel,
        funnels=(
            funnel_chart(funnel.given, "Leads you passed on"),
            funnel_chart(funnel.received, "Referrals you received"),
        ),
        summary=summary,
        usefulness=usefulness_chart(networks),
        balance=balance_split(plan.balance.automated, plan.balance.personal) if plan else None,
        outcomes=planactions.OUTCOMES,
    )


@router.post("/plan")
def build_plan(
    store: StoreDep, who: Writer, budget: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    with access.writing(store, who) as db:
        minutes = planning.parse_budget(budget) if budget.strip() else None
        planning.make_plan(db, who.workspace_id, budget=minutes)
    return RedirectResponse("/", status_code=303)


@router.post("/plan/{number}/done")
def done(
    request: Request,
    store: StoreDep,
    who: Writer,
    number: ActionNumber,
    outcome: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    with access.writing(store, who) as db:
        closed = planactions.mark_done(db, who.workspace_id, number, outcome or None)
    return _closed(request, who, closed)


@router.post("/plan/{number}/skip")
def skip(request: Request, store: StoreDep, who: Writer, number: ActionNumber) -> Response:
    with access.writing(store, who) as db:
        closed = planactions.mark_skipped(db, who.workspace_id, number)
    return _closed(request, who, closed)


def _closed(request: Request, who: access.Principal, closed: planactions.ClosedAction) -> Response:
    if request.headers.get("hx-request"):
        return render(request, "fragments/closed_action.html", who, closed=closed)
    return RedirectResponse("/", status_code=303)

"""Settings: the weekly time budget, the workspace's users, and switching workspace."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from takethelead.domain.planner import DEFAULT_BUDGET_MINUTES
from takethelead.services import access, accounts, planning
from takethelead.services.errors import ServiceError
from takethelead.services.planinputs import setting
from takethelead.web.deps import Reader, StoreDep, Writer
from takethelead.web.templating import render

router = APIRouter()


@router.get("/settings")
def settings_page(request: Request, store: StoreDep, who: Reader) -> Response:
    return _page(request, store, who)


def _page(
    request: Request,
    store: StoreDep,
    who: access.Principal,
    error: str | None = None,
    notice: str | None = None,
) -> Response:
    with access.reading(store, who) as db:
        budget = setting(db, who.workspace_id, "budget_minutes")
        users = accounts.members(db, who.workspace_id)
        workspaces = access.workspaces_of(db, who.user_id)
    return render(
        request,
        "settings.html",
        who,
        400 if error else 200,
        budget=int(budget) if isinstance(budget, int | str) else DEFAULT_BUDGET_MINUTES,
        users=users,
        workspaces=workspaces,
        error=error,
        notice=notice,
    )


@router.post("/settings/budget")
def set_budget(
    request: Request, store: StoreDep, who: Writer, budget: Annotated[str, Form(max_length=20)]
) -> Response:
    try:
        with access.writing(store, who) as db:
            planning.store_setting(db, who.workspace_id, "budget_minutes",
                                   planning.parse_budget(budget))  # fmt: skip
    except ServiceError as exc:
        return _page(request, store, who, error=str(exc))
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/users")
def add_user(
    request: Request,
    store: StoreDep,
    who: Writer,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    role: Annotated[str, Form(max_length=10)] = access.MEMBER,
) -> Response:
    try:
        with access.writing(store, who) as db:
            added = accounts.add_user(db, email, password, who.workspace, role)
    except ServiceError as exc:
        return _page(request, store, who, error=str(exc))
    return _page(request, store, who, notice=f"{added.email} can now sign in as {added.role}.")

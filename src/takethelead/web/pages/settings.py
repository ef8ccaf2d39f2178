"""Settings: budget, preferred hours and digest address, users, and switching workspace."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from takethelead.services.auth import access, accounts, invitations
from takethelead.services.core.errors import ServiceError
from takethelead.services.planning.preferences import read_preferences, update_preferences
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
    link: str | None = None,
) -> Response:
    with access.reading(store, who) as db:
        preferences = read_preferences(db, who.workspace_id)
        users = accounts.members(db, who.workspace_id)
        invited = invitations.pending_in(db, who.workspace_id)
        for_me = invitations.pending_for(db, who.user_id)
        workspaces = access.workspaces_of(db, who.user_id)
    return render(
        request,
        "settings.html",
        who,
        400 if error else 200,
        preferences=preferences,
        users=users,
        invited=invited,
        for_me=for_me,
        link=link,
        workspaces=workspaces,
        error=error,
        notice=notice,
    )


@router.post("/settings/budget")
def set_budget(
    request: Request, store: StoreDep, who: Writer, budget: Annotated[str, Form(max_length=20)]
) -> Response:
    return _update(request, store, who, budget=budget)


@router.post("/settings/preferences")
def set_preferences(
    request: Request,
    store: StoreDep,
    who: Writer,
    budget: Annotated[str, Form(max_length=20)],
    preferred_hours: Annotated[str, Form(max_length=200)],
    digest_email: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    return _update(
        request,
        store,
        who,
        budget=budget,
        preferred_hours=preferred_hours,
        digest_email=digest_email,
    )


def _update(
    request: Request,
    store: StoreDep,
    who: access.Principal,
    *,
    budget: str,
    preferred_hours: str | None = None,
    digest_email: str | None = None,
) -> Response:
    try:
        with access.writing(store, who) as db:
            update_preferences(
                db,
                who.workspace_id,
                budget=budget,
                preferred_hours=preferred_hours,
                digest_email=digest_email,
            )
    except ServiceError as exc:
        return _page(request, store, who, error=str(exc))
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/users")
def invite_user(
    request: Request,
    store: StoreDep,
    who: Writer,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form(max_length=10)] = access.MEMBER,
) -> Response:
    """Invite someone: they join only by accepting, and choose their own password."""
    try:
        with access.writing(store, who) as db:
            issued = invitations.invite(db, who.workspace_id, email, role, who.user_id)
    except ServiceError as exc:
        return _page(request, store, who, error=str(exc))
    sent = issued.invitation
    link = str(request.base_url).rstrip("/") + issued.path
    notice = (
        f"Invited {sent.email} as {sent.role}. Send them this link (shown only now); "
        "they join when they accept."
    )
    return _page(request, store, who, notice=notice, link=link)

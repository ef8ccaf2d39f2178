"""Signing in and out, the first-run setup, invitations, and switching workspace."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from starlette.responses import RedirectResponse, Response

from takethelead.services.auth import access, accounts, invitations
from takethelead.services.core.errors import NotFound, ServiceError
from takethelead.web.deps import MAX_ID, Reader, StoreDep, csrf_protect
from takethelead.web.sessions import current, replace_session
from takethelead.web.templating import render

router = APIRouter()
Checked = Annotated[None, Depends(csrf_protect)]


def _local(target: str) -> str:
    """Only paths on this site are followed after signing in."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _client(request: Request) -> str:
    """The peer's address, as the server saw it: a proxy's X-Forwarded-For counts only
    when `lead serve --forwarded-allow-ips` names that proxy."""
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_page(request: Request, store: StoreDep, next: str = "/") -> Response:
    with store.transaction() as db:
        if not accounts.has_users(db):
            return RedirectResponse("/setup", status_code=302)
    return render(request, "login.html", None, next=_local(next), email="", error=None)


@router.post("/login")
def login(
    request: Request,
    store: StoreDep,
    _checked: Checked,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        who = accounts.sign_in(store, email, password, _client(request))
    except accounts.RateLimited as exc:
        return render(request, "login.html", None, 429, next=_local(next), email=email,
                      error=str(exc))  # fmt: skip
    except access.Unauthenticated as exc:
        who, problem = None, str(exc)
    else:
        problem = "Email or password not recognised."
    if who is None:
        return render(request, "login.html", None, 401, next=_local(next), email=email,
                      error=problem)  # fmt: skip
    replace_session(request, current(request).signed_in(who.user_id, who.workspace_id))
    target = _local(next)
    if target == "/":
        with store.transaction() as db:
            if invitations.pending_for(db, who.user_id):
                target = "/invitations"  # answer them first: they are why many sign in
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, _checked: Checked) -> Response:
    replace_session(request, current(request).anonymous())
    return RedirectResponse("/login", status_code=303)


@router.get("/setup")
def setup_page(request: Request, store: StoreDep) -> Response:
    with store.transaction() as db:
        if accounts.has_users(db):
            return RedirectResponse("/login", status_code=302)
    return render(request, "setup.html", None, email="", workspace="default", error=None)


@router.post("/setup")
def setup(
    request: Request,
    store: StoreDep,
    _checked: Checked,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    workspace: Annotated[str, Form(max_length=200)] = "default",
) -> Response:
    try:
        with store.transaction() as db:
            who = accounts.set_up_owner(db, email, password, workspace)
    except ServiceError as exc:
        return render(request, "setup.html", None, 400, email=email, workspace=workspace,
                      error=str(exc))  # fmt: skip
    replace_session(request, current(request).signed_in(who.user_id, who.workspace_id))
    return RedirectResponse("/", status_code=303)


@router.post("/workspace")
def switch_workspace(
    request: Request,
    store: StoreDep,
    who: Reader,
    _checked: Checked,
    workspace_id: Annotated[int, Form(ge=1, le=2**63 - 1)],
) -> Response:
    with store.transaction() as db:
        found = access.principal(db, who.user_id, workspace_id)
    if found is None:
        raise NotFound(f"workspace #{workspace_id}: you are not a member of it")
    replace_session(request, current(request).switched(found.workspace_id))
    return RedirectResponse("/", status_code=303)


InvitationId = Annotated[int, Path(ge=1, le=MAX_ID)]
Token = Annotated[str, Path(min_length=10, max_length=100)]


@router.get("/invitations")
def invitations_page(request: Request, store: StoreDep, who: Reader) -> Response:
    with store.transaction() as db:
        pending = invitations.pending_for(db, who.user_id)
    return render(request, "invitations.html", who, pending=pending)


@router.post("/invitations/{invitation_id}/accept")
def accept_invitation(
    request: Request, store: StoreDep, who: Reader, _checked: Checked, invitation_id: InvitationId
) -> Response:
    with store.transaction() as db:
        joined = invitations.accept(db, who.user_id, invitation_id)
    replace_session(request, current(request).switched(joined.workspace_id))
    return RedirectResponse("/", status_code=303)


@router.post("/invitations/{invitation_id}/decline")
def decline_invitation(
    request: Request, store: StoreDep, who: Reader, _checked: Checked, invitation_id: InvitationId
) -> Response:
    with store.transaction() as db:
        invitations.decline(db, who.user_id, invitation_id)
    return RedirectResponse("/invitations", status_code=303)


def _invite_page(
    request: Request, link: invitations.LinkView, token: str, status: int = 200,
    error: str | None = None,
) -> Response:  # fmt: skip
    response = render(request, "invite.html", None, status, link=link, token=token, error=error)
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in this page's address
    return response


@router.get("/invite/{token}")
def invite_page(request: Request, store: StoreDep, token: Token) -> Response:
    with store.transaction() as db:
        link = invitations.by_link(db, token)
    return _invite_page(request, link, token)


@router.post("/invite/{token}")
def take_up_invitation(
    request: Request,
    store: StoreDep,
    _checked: Checked,
    token: Token,
    password: Annotated[str, Form(max_length=1000)],
    again: Annotated[str | None, Form(max_length=1000)] = None,
) -> Response:
    """Someone new sets their password; someone with an account proves theirs and joins."""
    with store.transaction() as db:
        link = invitations.by_link(db, token)
    email = link.invitation.email
    try:
        if link.has_account:
            user_id = accounts.authenticate(store, email, password, _client(request))
            if user_id is None:
                return _invite_page(request, link, token, 401, "Password not recognised.")
            with store.transaction() as db:
                who = invitations.accept_by_link(db, token, user_id)
        else:
            if again is not None and again != password:
                raise ServiceError("again: the two passwords differ")
            with store.transaction() as db:
                who = invitations.join_with_password(db, token, password)
    except accounts.RateLimited as exc:
        return _invite_page(request, link, token, 429, str(exc))
    except NotFound:
        raise
    except ServiceError as exc:
        return _invite_page(request, link, token, 400, str(exc))
    replace_session(request, current(request).signed_in(who.user_id, who.workspace_id))
    return RedirectResponse("/", status_code=303)

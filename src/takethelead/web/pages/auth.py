"""Signing in and out, the first-run setup, and switching workspace."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from takethelead.services import access, accounts
from takethelead.services.errors import NotFound, ServiceError
from takethelead.web.deps import Reader, StoreDep, csrf_protect
from takethelead.web.sessions import current, replace_session
from takethelead.web.templating import render

router = APIRouter()
Checked = Annotated[None, Depends(csrf_protect)]


def _local(target: str) -> str:
    """Only paths on this site are followed after signing in."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _client(request: Request) -> str:
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
        with store.transaction() as db:
            who = accounts.sign_in(db, email, password, _client(request))
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
    return RedirectResponse(_local(next), status_code=303)


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

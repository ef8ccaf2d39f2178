"""What routes depend on: the store, who is asking (cookie or bearer token), the CSRF check."""

from __future__ import annotations

import hmac
from typing import Annotated, Final

from fastapi import Depends, Path, Request, params
from fastapi.routing import APIRoute
from pydantic import BeforeValidator

from takethelead.services.auth import access, accounts
from takethelead.services.auth.access import Principal, TokenCaller
from takethelead.services.core.store import Store
from takethelead.web.sessions import current, replace_session

CSRF_FIELD: Final = "csrf_token"
# Ids: the largest key an id column holds (INTEGER on PostgreSQL), so a wilder one is a 422
# rather than the database's "out of range" as a 500.
MAX_ID: Final = 2**31 - 1
CSRF_HEADER: Final = "x-csrf-token"


class LoginRequired(Exception):
    """A page was asked for without a signed-in session: the answer is the sign-in page."""

    def __init__(self, setup: bool = False) -> None:
        super().__init__("sign in first")
        self.setup = setup


class CsrfRefused(Exception):
    """A form came without the token of its session."""


class ApiUnauthenticated(Exception):
    """An API request without a valid bearer token."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedMedia(Exception):
    """A body in a format the route does not read: 415, naming what it does read."""

    def __init__(self, sent: str, accepted: str) -> None:
        super().__init__(f"Content-Type: {sent or 'none given'} is not read here; send {accepted}")
        self.accepted = accepted


JSON: Final = "application/json"
FORMS: Final = ("multipart/form-data", "application/x-www-form-urlencoded")


def body_media(route: APIRoute) -> tuple[str, ...]:
    """The media types a route reads its body from; none when it takes no body."""
    if route.body_field is None:
        return ()
    if isinstance(route.body_field.field_info, params.Form):  # File is a Form too
        return FORMS
    return (JSON,)


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return "transfer-encoding" in request.headers


async def content_type(request: Request) -> None:
    """Refuse a body the route cannot read (text/plain on a JSON route, JSON on an upload)
    with 415, before it is parsed: parsed as the wrong thing it became a confusing 422."""
    route = request.scope.get("route")
    accepted = body_media(route) if isinstance(route, APIRoute) else ()
    if not accepted:
        return
    sent = request.headers.get("content-type", "")
    media = sent.partition(";")[0].strip().lower()
    if not media and not _has_body(request):
        return  # no body at all: the route's own rule (optional or "Field required")
    if media in accepted or (accepted == (JSON,) and media.endswith("+json")):
        return
    raise UnsupportedMedia(media, " or ".join(accepted))


async def get_store(request: Request) -> Store:  # async: no thread hop for an attribute
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


def page_principal(request: Request, store: StoreDep) -> Principal:
    """The signed-in user of a browser session, or a redirect to sign in (or set up)."""
    session = current(request)
    if session.user_id is not None and session.workspace_id is not None:
        with store.transaction() as db:
            found = access.principal(db, session.user_id, session.workspace_id)
        if found is not None:
            return found
        replace_session(request, session.anonymous())
    with store.transaction() as db:
        setup = not accounts.has_users(db)
    raise LoginRequired(setup=setup)


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiUnauthenticated("Authorization: expected 'Bearer <token>' (lead users token)")
    return token.strip()


async def api_caller(request: Request, store: StoreDep) -> TokenCaller:
    """A reader's bearer token, checked in the route's own read transaction (one, not two)."""
    return TokenCaller(store, _bearer(request))


def api_principal(request: Request, store: StoreDep) -> Principal:
    """The user a bearer token speaks for, checked before a change is even considered."""
    token = _bearer(request)
    with store.transaction() as db:
        try:
            return access.principal_for_token(db, token)
        except access.Unauthenticated as exc:
            raise ApiUnauthenticated(str(exc)) from None


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing form whose token is not its session's (htmx sends a header)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, current(request).csrf):
        raise CsrfRefused()


def page_writer(
    who: Annotated[Principal, Depends(page_principal)],
    _checked: Annotated[None, Depends(csrf_protect)],
) -> Principal:
    """A signed-in owner, after the form's CSRF token was checked."""
    access.check_write(who)
    return who


def api_writer(who: Annotated[Principal, Depends(api_principal)]) -> Principal:
    access.check_write(who)
    return who


Reader = Annotated[Principal, Depends(page_principal)]
Writer = Annotated[Principal, Depends(page_writer)]
ApiReader = Annotated[TokenCaller, Depends(api_caller)]
ApiWriter = Annotated[Principal, Depends(api_writer)]
# Ids in paths: a wild number is 422 rather than a crash.
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
ActionNumber = Annotated[int, Path(ge=1, le=10_000)]


def _true_or_false(value: object) -> object:
    if isinstance(value, str) and value not in ("true", "false"):
        raise ValueError("expected true or false")
    return value


# A yes/no query parameter as OpenAPI writes one: true or false (not 1, yes or on).
QueryFlag = Annotated[bool, BeforeValidator(_true_or_false)]

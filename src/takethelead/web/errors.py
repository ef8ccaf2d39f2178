"""What each error becomes: JSON with `detail` under /api, a page with the message elsewhere."""

from __future__ import annotations

import math
from collections.abc import Mapping
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Match

from takethelead.domain.records import ParseError
from takethelead.services.auth.access import Forbidden, Unauthenticated
from takethelead.services.auth.accounts import RateLimited
from takethelead.services.core.errors import Ambiguous, Conflict, NotFound, ServiceError
from takethelead.web.deps import ApiUnauthenticated, CsrfRefused, LoginRequired, UnsupportedMedia
from takethelead.web.templating import render
from takethelead.web.uploads import public


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _answer(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    response = render(request, "error.html", None, status_code=status, message=message)
    response.headers.update(headers or {})
    return response


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    if exc.setup:
        target = "/setup"
    else:
        path = request.url.path
        target = "/login" if path == "/" else f"/login?next={quote(path, safe='/')}"
    response = RedirectResponse(target, status_code=302)
    if request.headers.get("hx-request"):
        response.headers["HX-Redirect"] = target  # htmx swaps fragments; make it navigate
    return response


async def _api_unauthenticated(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiUnauthenticated)
    return _answer(request, 401, exc.message, {"WWW-Authenticate": "Bearer"})


async def _unauthenticated(request: Request, exc: Exception) -> Response:
    """A token found unknown inside a read (access.TokenCaller): as if refused at the door."""
    if _is_api(request):
        return _answer(request, 401, str(exc), {"WWW-Authenticate": "Bearer"})
    return await _service_error(request, exc)


async def _csrf(request: Request, exc: Exception) -> Response:
    return _answer(request, 403, "This form has expired or did not come from this site: "
                   "reload the page and try again.")  # fmt: skip


async def _forbidden(request: Request, exc: Exception) -> Response:
    return _answer(request, 403, str(exc))


async def _not_found(request: Request, exc: Exception) -> Response:
    return _answer(request, 404, str(exc))


async def _conflict(request: Request, exc: Exception) -> Response:
    """Sound input the present data refuses (done already, a name several people share):
    409 for a client, the message on a page."""
    if _is_api(request):
        return _answer(request, 409, public(str(exc)))
    return await _service_error(request, exc)


async def _unsupported_media(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UnsupportedMedia)
    return _answer(request, 415, str(exc), {"Accept": exc.accepted})


async def _rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimited)
    return _answer(request, 429, str(exc), {"Retry-After": str(exc.retry_after)})


async def _service_error(request: Request, exc: Exception) -> Response:
    message = public(str(exc))
    if _is_api(request):
        # The shape of FastAPI's own validation errors, so clients read one kind of 422.
        problem = {"loc": ["body"], "msg": message, "type": "value_error"}
        return JSONResponse({"detail": [problem]}, status_code=422)
    return _answer(request, 400, message)


def _allowed_methods(request: Request) -> str:
    """Every method some route offers at this path: Starlette names only the first route's."""
    allowed = [
        method
        for method in ("DELETE", "GET", "PATCH", "POST", "PUT")
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        exc.headers = {**(exc.headers or {}), "Allow": _allowed_methods(request)}
    if _is_api(request):
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
    return _answer(request, exc.status_code, str(exc.detail), exc.headers)


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _is_api(request):
        return JSONResponse({"detail": _plain(exc.errors())}, status_code=422)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc'][1:]) or 'form'}: {e['msg']}" for e in exc.errors()
    )
    return _answer(request, 400, problems)


def _plain(errors: object) -> object:
    """Validation errors as JSON: without the exception objects pydantic puts in `ctx`, and
    with a body that was not JSON (its raw bytes are the `input`) as text."""
    if isinstance(errors, list | tuple):
        return [_plain(e) for e in errors]
    if isinstance(errors, dict):
        return {str(k): _plain(v) for k, v in errors.items() if k != "ctx"}
    if isinstance(errors, bytes | bytearray):
        return bytes(errors[:1000]).decode("utf-8", "replace")
    if isinstance(errors, float) and not math.isfinite(errors):
        return str(errors)  # Python's JSON reader takes NaN; JSON itself has no such number
    if errors is None or isinstance(errors, str | int | float | bool):
        return errors
    return str(errors)


def install(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(ApiUnauthenticated, _api_unauthenticated)
    app.add_exception_handler(CsrfRefused, _csrf)
    app.add_exception_handler(Unauthenticated, _unauthenticated)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(Ambiguous, _conflict)
    app.add_exception_handler(UnsupportedMedia, _unsupported_media)
    app.add_exception_handler(RateLimited, _rate_limited)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(ParseError, _service_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation)

"""Request body limits, enforced while the body streams in rather than after it is stored.

Starlette's form parser writes the whole body to disk (and a JSON body is read into memory)
before a route sees it, so a limit checked in the route comes too late: this middleware
refuses a declared length over the limit before reading anything, and stops reading as soon
as the running count passes it (chunked bodies declare no length). Imports may send an export
file; every other request a form or JSON document.
"""

from __future__ import annotations

from typing import Final

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BYTES: Final = 512 << 20  # the largest file an import takes over HTTP
# The file may be MAX_BYTES; the multipart framing and the other form fields come on top.
MAX_BODY_BYTES: Final = MAX_BYTES + (64 << 10)
UPLOAD_PATHS: Final = frozenset({"/import", "/api/import"})
MAX_OTHER_BYTES: Final = 16 << 20  # any other request: a form or a JSON document
_NO_BODY: Final = frozenset({"GET", "HEAD", "OPTIONS"})


def _shown(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit} bytes"


class BodyTooLarge(HTTPException):
    """413: a request sent more than a form or JSON document needs (rendered by the app)."""

    def __init__(self, limit: int = MAX_OTHER_BYTES) -> None:
        super().__init__(413, f"This request is larger than {_shown(limit)}, the most it may send.")


class UploadTooLarge(BodyTooLarge):
    """413: an import's body is over the limit."""

    def __init__(self, limit: int = MAX_BYTES) -> None:
        HTTPException.__init__(
            self,
            413,
            f"This upload is larger than {_shown(limit)}, the most an import accepts. "
            "Import a larger export on the server itself with `lead import PATH`.",
        )


class UploadLimit:
    """ASGI middleware: POSTs to the upload paths may send `max_bytes`, others `other_bytes`."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        paths: frozenset[str] = UPLOAD_PATHS,
        other_bytes: int = MAX_OTHER_BYTES,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.paths = paths
        self.other_bytes = other_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _NO_BODY:
            await self.app(scope, receive, send)
            return
        refusal: type[BodyTooLarge] = BodyTooLarge
        limit = self.other_bytes
        if scope["method"] == "POST" and scope["path"] in self.paths:
            refusal, limit = UploadTooLarge, self.max_bytes
        declared = _content_length(scope)
        over = declared is not None and declared > limit
        counted = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal counted
            if over:  # refused before a byte of the body is read
                raise refusal(limit)
            message = await receive()
            if message["type"] == "http.request":
                counted += len(message.get("body", b""))
                if counted > limit:
                    raise refusal(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge as exc:
            # Raised where no error handler runs (the app's own handlers render it otherwise).
            if started:
                raise
            await _refusal(scope, exc)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _refusal(scope: Scope, exc: HTTPException) -> JSONResponse | PlainTextResponse:
    headers = {"Connection": "close"}
    if str(scope["path"]).startswith("/api/"):
        return JSONResponse({"detail": exc.detail}, 413, headers=headers)
    return PlainTextResponse(exc.detail, 413, headers=headers)

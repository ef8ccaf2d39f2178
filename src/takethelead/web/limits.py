"""The upload size limit, enforced while the body streams in rather than after it is stored.

Starlette's form parser writes the whole body to disk before a route sees the file, so a
limit checked in the route comes too late: this middleware refuses a declared length over
the limit before reading anything, and stops reading as soon as the running count passes it
(chunked bodies declare no length).
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


class UploadTooLarge(HTTPException):
    """413: the request body is over the limit (the app's error handlers render it)."""

    def __init__(self, limit: int = MAX_BYTES) -> None:
        shown = f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit} bytes"
        super().__init__(
            413,
            f"This upload is larger than {shown}, the most an import accepts. "
            "Import a larger export on the server itself with `lead import PATH`.",
        )


class UploadLimit:
    """ASGI middleware: POSTs to the upload paths may send at most `max_bytes` of body."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        paths: frozenset[str] = UPLOAD_PATHS,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        over = declared is not None and declared > self.max_bytes
        counted = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal counted
            if over:  # refused before a byte of the body is read
                raise UploadTooLarge(self.max_bytes)
            message = await receive()
            if message["type"] == "http.request":
                counted += len(message.get("body", b""))
                if counted > self.max_bytes:
                    raise UploadTooLarge(self.max_bytes)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except UploadTooLarge as exc:
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


def _refusal(scope: Scope, exc: UploadTooLarge) -> JSONResponse | PlainTextResponse:
    headers = {"Connection": "close"}
    if str(scope["path"]).startswith("/api/"):
        return JSONResponse({"detail": exc.detail}, 413, headers=headers)
    return PlainTextResponse(exc.detail, 413, headers=headers)

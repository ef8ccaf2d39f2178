"""What an atproto or httpx exception means for a post."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from atproto_client import exceptions

from takethelead.connectors.base import (
    AuthExpired,
    ConnectorError,
    NeverSent,
    RateLimited,
    Rejected,
    UnknownOutcome,
    retry_at,
)

_AUTH_ERRORS = frozenset(
    {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AccountTakedown"}
)


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _xrpc(response: Any) -> tuple[str, str]:
    content = getattr(response, "content", None)
    error = getattr(content, "error", None) or ""
    message = getattr(content, "message", None) or ""
    return str(error), str(message)


def _header(headers: Any, name: str) -> str | None:
    # The atproto client hands over a plain dict whose names keep the server's case.
    for key, value in dict(headers or {}).items():
        if str(key).lower() == name:
            return str(value)
    return None


def _reset_at(response: Any) -> datetime | None:
    """Retry-After when the server sent it, else its ratelimit-reset (epoch seconds)."""
    headers = getattr(response, "headers", None)
    raw = _header(headers, "ratelimit-reset")
    try:
        reset = datetime.fromtimestamp(int(raw), UTC) if raw else None
    except (ValueError, OverflowError, OSError):
        reset = None
    return retry_at(_header(headers, "retry-after"), reset)


def _transport(error: BaseException) -> ConnectorError | None:
    for cause in _chain(error):
        if isinstance(cause, ConnectorError):
            return cause
        if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            return NeverSent(f"Could not connect to the Bluesky server: {cause}")
        if isinstance(cause, httpx.TransportError):
            return UnknownOutcome(f"The Bluesky server did not answer: {cause!r}")
    return None


def translate(error: BaseException) -> ConnectorError:
    """The connector error for whatever the atproto client raised."""
    response = getattr(error, "response", None)
    if response is None:
        found = _transport(error)
        if found is not None:
            return found
        if isinstance(error, exceptions.LoginRequiredError):
            return AuthExpired("Bluesky needs a new login.")
        return UnknownOutcome(f"Bluesky answered something we could not read: {error!r}")
    status = int(response.status_code)
    code, message = _xrpc(response)
    detail = f"{code}: {message}" if code else f"HTTP {status}"
    if status == 429:
        return RateLimited(f"Bluesky's rate limit is reached ({detail}).", _reset_at(response))
    if status in (401, 403) or code in _AUTH_ERRORS:
        return AuthExpired(f"Bluesky refused the session ({detail}).")
    if status >= 500:
        if not response.content:
            return NeverSent(f"The Bluesky server failed ({status}) before handling the request.")
        return UnknownOutcome(f"The Bluesky server failed ({status}) while handling the request.")
    return Rejected(f"Bluesky refused the post ({detail}).")

"""What a Mastodon.py exception means for a post: never sent, unknown, refused, or auth."""

from __future__ import annotations

from datetime import UTC, datetime

import requests
import urllib3.exceptions
from mastodon import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from takethelead.connectors.base import (
    AuthExpired,
    ConnectorError,
    NeverSent,
    RateLimited,
    Rejected,
    UnknownOutcome,
    retry_at,
)


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _never_connected(error: BaseException) -> bool:
    """A connect that failed (refused, no route, DNS, connect timeout) sent no byte of the post."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(error, requests.exceptions.ConnectionError):
        return False
    reason = error.args[0] if error.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _network_error(error: MastodonNetworkError) -> ConnectorError:
    # Mastodon.py raises one MastodonNetworkError for every transport failure; the requests
    # exception it was raised from tells a refused connection from an unanswered request.
    for cause in _chain(error):
        if isinstance(cause, ConnectorError):  # our own address refusal, raised in the seam
            return cause
        if _never_connected(cause):
            return NeverSent(f"Could not connect to the Mastodon server: {cause}")
    return UnknownOutcome(f"The Mastodon server did not answer: {error}")


def _reset_at(response: requests.Response | None) -> datetime | None:
    """Retry-After when the server sent it, else the end of its rate-limit window."""
    if response is None:
        return None
    return retry_at(response.headers.get("Retry-After"), _window_end(response))


def _window_end(response: requests.Response) -> datetime | None:
    raw = response.headers.get("X-RateLimit-Reset")
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def translate(error: MastodonError, response: requests.Response | None) -> ConnectorError:
    """The connector error for a Mastodon.py exception; `response` is the last one received."""
    if isinstance(error, MastodonNetworkError):
        return _network_error(error)
    if isinstance(error, MastodonRatelimitError):
        return RateLimited("Mastodon's rate limit is reached.", _reset_at(response))
    status = response.status_code if response is not None else None
    if isinstance(error, MastodonUnauthorizedError) or status in (401, 403):
        return AuthExpired(f"Mastodon refused the access token ({status}): {_message(error)}")
    if isinstance(error, MastodonServerError):
        if response is not None and not response.content:
            return NeverSent(f"The Mastodon server failed ({status}) before handling the post.")
        return UnknownOutcome(f"The Mastodon server failed ({status}) while handling the post.")
    if isinstance(error, MastodonAPIError):
        return Rejected(f"Mastodon refused the post ({status}): {_message(error)}")
    return Rejected(f"Mastodon.py refused the request: {error}")


def _message(error: MastodonError) -> str:
    # MastodonAPIError args: (summary, status, reason, message from the JSON body)
    args = error.args
    if len(args) >= 4 and args[3]:
        return str(args[3])
    return str(args[2]) if len(args) >= 3 else str(error)

"""What an httpx failure or answer means for a post, for connectors that use httpx directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from takethelead.connectors.base import (
    AuthExpired,
    ConnectorError,
    NeverSent,
    RateLimited,
    Rejected,
    UnknownOutcome,
)


def transport_error(error: httpx.TransportError, network: str) -> ConnectorError:
    """A connect that failed sent nothing; any later failure leaves the outcome unknown."""
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return NeverSent(f"Could not connect to {network}: {error}")
    return UnknownOutcome(f"{network} did not answer: {error!r}")


def retry_after(response: httpx.Response, now: datetime | None = None) -> datetime | None:
    """When a 429 says to come back: Retry-After in seconds (or an HTTP date)."""
    raw = response.headers.get("Retry-After", "").strip()
    moment = now or datetime.now(UTC)
    if raw.isdigit():
        return moment + timedelta(seconds=int(raw))
    if raw:
        from email.utils import parsedate_to_datetime

        try:
            return parsedate_to_datetime(raw).astimezone(UTC)
        except (TypeError, ValueError):
            return None
    return None


def status_error(response: httpx.Response, network: str, reason: str) -> ConnectorError:
    """The connector error for an answer that is not a success."""
    status = response.status_code
    if status == 429:
        return RateLimited(f"{network}'s rate limit is reached: {reason}", retry_after(response))
    if status in (401, 403):
        return AuthExpired(f"{network} refused the credentials ({status}): {reason}")
    if status >= 500:
        if not response.content:
            return NeverSent(f"{network} failed ({status}) before handling the request.")
        return UnknownOutcome(f"{network} failed ({status}) while handling the request.")
    return Rejected(f"{network} refused the post ({status}): {reason}")

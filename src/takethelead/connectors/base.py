"""The protocol every live connector speaks, and the errors the delivery engine decides on.

The engine never looks at a client library's exception: each connector translates what its
library raised into exactly one of these classes, by what is known about the post:

- `NeverSent` (and `RateLimited`): the request provably never created anything; retry later.
- `AuthExpired`: the network refused our credentials; nothing was created; pause the network
  and tell the user, never drop the post.
- `UnknownOutcome`: the request may have reached the network; mark the delivery unconfirmed
  and reconcile (the engine chooses among `posted_since`) before any retry.
- `Rejected`: the network (or our own address check) refused the post itself; retrying the
  same request cannot help.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Protocol

from takethelead.domain.records import InteractionRecord


class ConnectorError(Exception):
    """Base of every error a connector raises; `reason` is a sentence for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NeverSent(ConnectorError):
    """The network provably did not receive the request (refused, no route, 5xx without body)."""


class RateLimited(NeverSent):
    """The network answered 429; `reset_at` (UTC) says when to try again, when it said."""

    def __init__(self, reason: str, reset_at: datetime | None = None) -> None:
        super().__init__(reason)
        self.reset_at = reset_at


class AuthExpired(ConnectorError):
    """The token or password was refused (401/403): pause this network, keep the post."""


class UnknownOutcome(ConnectorError):
    """The request left us and no answer came back (timeout, reset): the post may exist."""


class Rejected(ConnectorError):
    """The network refused the post itself (validation, 4xx); the reason says why."""


@dataclass(frozen=True, slots=True)
class PublishResult:
    """Where a published post lives: its id on the network and a link people can open."""

    remote_id: str
    url: str


@dataclass(frozen=True, slots=True)
class Posted:
    """One post of ours as the network lists it, for reconciliation to choose from.

    `text` is what people see (markup removed); `key` is our idempotency key when the post
    carries it (Bluesky's record, Discourse's hidden comment), None where it cannot (Mastodon).
    """

    remote_id: str
    url: str
    created_at: datetime
    text: str
    key: str | None = None


def retry_at(
    retry_after: str | None, reset: datetime | None = None, now: datetime | None = None
) -> datetime | None:
    """When a 429 says to come back: Retry-After (seconds or an HTTP date) first, else `reset`.

    A network's own reset header often names the end of a long window (Mastodon's five
    minutes) while Retry-After names the wait this request needs.
    """
    raw = (retry_after or "").strip()
    moment = now or datetime.now(UTC)
    if raw.isdigit():
        return moment + timedelta(seconds=int(raw))
    if raw:
        try:
            parsed = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return reset


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One response read from a network.

    `in_reply_to` is the remote id of our own post this item responds to: the post a reply
    answers, or the post that was liked, reposted or quoted. It is None for responses that
    are not about one of our posts (a follow, a mention in someone else's thread).
    """

    interaction: InteractionRecord
    remote_id: str
    in_reply_to: str | None = None


@dataclass(frozen=True, slots=True)
class InboxPage:
    """New responses since a cursor, oldest first, and the cursor to pass next time.

    `has_more` is true when the network holds more new items than one page: call again with
    `next_since` straight away.
    """

    items: list[InboxItem]
    next_since: str | None
    has_more: bool = False


class Connector(Protocol):
    """A live network account that can publish exactly once and read its responses."""

    def publish(
        self,
        text: str,
        idempotency_key: str,
        *,
        first_attempt: bool = False,
        started_at: datetime | None = None,
    ) -> PublishResult:
        """Post text once; the same key sent again must not create a second post.

        `first_attempt` says the key has never been sent before, so a connector that looks
        for an existing post with the key (networks without an Idempotency-Key) may skip it.
        `started_at` is when the first attempt with this key began: fixed for the key's life,
        so a connector may derive a stable name for the post from the two (Bluesky's rkey).
        """
        ...

    def posted_since(self, since: datetime) -> list[Posted]:
        """Every post of ours created at or after `since` (newest first), across pages.

        The connector only lists; the delivery engine decides which post, if any, is the
        one a delivery made.
        """
        ...

    def fetch_inbox(self, since: str | None) -> InboxPage:
        """Responses newer than `since` (an opaque cursor from the last page; None at first)."""
        ...

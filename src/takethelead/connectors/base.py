"""The protocol every live connector speaks, and the errors the delivery engine decides on.

The engine never looks at a client library's exception: each connector translates what its
library raised into exactly one of these classes, by what is known about the post:

- `NeverSent` (and `RateLimited`): the request provably never created anything; retry later.
- `AuthExpired`: the network refused our credentials; nothing was created; pause the network
  and tell the user, never drop the post.
- `UnknownOutcome`: the request may have reached the network; mark the delivery unconfirmed
  and reconcile with `find_recent` before any retry.
- `Rejected`: the network (or our own address check) refused the post itself; retrying the
  same request cannot help.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
        self, text: str, idempotency_key: str, *, first_attempt: bool = False
    ) -> PublishResult:
        """Post text once; the same key sent again must not create a second post.

        `first_attempt` says the key has never been sent before, so a connector that looks
        for an existing post with the key (networks without an Idempotency-Key) may skip it.
        """
        ...

    def find_recent(self, marker: str, since: datetime | None = None) -> PublishResult | None:
        """Our recent post whose text holds `marker` (or that carries it as its key), if any.

        With `since`, every post of ours made after that moment is searched, not just the
        newest page: reconciliation after a crash must see all of them.
        """
        ...

    def fetch_inbox(self, since: str | None) -> InboxPage:
        """Responses newer than `since` (an opaque cursor from the last page; None at first)."""
        ...

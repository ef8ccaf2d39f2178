"""One Mastodon account: publish with an Idempotency-Key, list our posts, read notifications."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from mastodon import Mastodon, MastodonError, MastodonNotFoundError

from takethelead.connectors.base import InboxItem, InboxPage, Posted, PublishResult
from takethelead.connectors.http import READ_SECONDS, USER_AGENT, requests_session
from takethelead.connectors.markup import html_to_text
from takethelead.connectors.mastodon.errors import translate
from takethelead.domain.identities import identity
from takethelead.domain.records import (
    Direction,
    IdentityKind,
    IdentityRecord,
    InteractionKind,
    InteractionRecord,
    NetworkKind,
)

PAGE_SIZE = 40
RECENT_POSTS = 40
MAX_RECONCILE_PAGES = 100
DEFAULT_MAX_CHARACTERS = 500
INBOX_TYPES = ["mention", "favourite", "reblog", "follow"]
_KINDS = {
    "favourite": InteractionKind.REACTION,
    "reblog": InteractionKind.REPOST,
    "follow": InteractionKind.FOLLOW,
}


def _id_order(value: str) -> tuple[int, str]:
    # Mastodon ids are numeric strings that outgrow 64 bits on some servers: compare as text.
    return (len(value), value)


class MastodonConnector:
    """A Mastodon account reached with an access token.

    Mastodon.py only speaks `requests`, so it gets a session from our seam (User-Agent and the
    private-address guard); `ratelimit_method="throw"` because the delivery engine owns waiting.
    """

    network = NetworkKind.MASTODON

    def __init__(
        self,
        base_url: str,
        access_token: str,
        *,
        allow_private: bool = False,
        timeout: float = READ_SECONDS,
    ) -> None:
        self._domain = (urlsplit(base_url).hostname or base_url).lower()
        self._last_response: requests.Response | None = None
        session = requests_session(allow_private=allow_private)
        session.hooks["response"].append(self._remember)
        self._api = Mastodon(
            api_base_url=base_url,
            access_token=access_token,
            ratelimit_method="throw",
            request_timeout=timeout,
            session=session,
            user_agent=USER_AGENT,
            version_check_mode="none",
        )
        self._me: Any = None
        self._max_characters: int | None = None

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last_response = response

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        self._last_response = None
        try:
            return getattr(self._api, method)(*args, **kwargs)
        except MastodonError as error:
            raise translate(error, self._last_response) from error

    def _account(self) -> Any:
        if self._me is None:
            self._me = self._call("account_verify_credentials")
        return self._me

    def max_characters(self) -> int:
        """The server's post limit (`configuration.statuses.max_characters`)."""
        if self._max_characters is None:
            try:
                instance = self._call("instance_v2")
            except Exception as error:
                if not isinstance(error.__cause__, MastodonNotFoundError):
                    raise
                instance = self._call("instance_v1")
            limit = (instance.get("configuration") or {}).get("statuses", {}).get("max_characters")
            self._max_characters = int(limit) if limit else DEFAULT_MAX_CHARACTERS
        return self._max_characters

    def publish(
        self,
        text: str,
        idempotency_key: str,
        *,
        first_attempt: bool = False,
        started_at: datetime | None = None,
    ) -> PublishResult:
        """Post a public status; the server keeps the key about an hour and answers repeats."""
        status = self._call("status_post", text, idempotency_key=idempotency_key)
        return PublishResult(remote_id=str(status["id"]), url=str(status["url"] or status["uri"]))

    def whoami(self) -> str:
        """The account the token acts as, as user@server."""
        me = self._account()
        acct = str(me["acct"])
        return acct if "@" in acct else f"{acct}@{self._domain}"

    def posted_since(self, since: datetime) -> list[Posted]:
        """Our statuses created at or after `since`, newest first, paging back as needed.

        Mastodon keeps no key in a status: each comes with its visible text, for the
        engine to compare whole.
        """
        me = self._account()
        found: list[Posted] = []
        max_id: str | None = None
        for _ in range(MAX_RECONCILE_PAGES):
            page = self._call("account_statuses", me["id"], limit=RECENT_POSTS, max_id=max_id)
            for status in page:
                created = _utc(status["created_at"])
                if created >= since and not status.get("reblog"):
                    found.append(
                        Posted(
                            remote_id=str(status["id"]),
                            url=str(status["url"] or status["uri"]),
                            created_at=created,
                            text=html_to_text(str(status["content"] or "")),
                        )
                    )
            if not page or _utc(page[-1]["created_at"]) < since:
                break
            max_id = str(page[-1]["id"])
        return found

    def fetch_inbox(self, since: str | None) -> InboxPage:
        """Mentions, replies, favourites, boosts and follows after `since` (a notification id).

        The first call (since=None) reads only the newest page; later calls page forward with
        min_id, oldest first, so nothing between two syncs is skipped.
        """
        me = self._account()
        if since is None:
            page = self._call("notifications", types=INBOX_TYPES, limit=PAGE_SIZE)
        else:
            page = self._call("notifications", types=INBOX_TYPES, min_id=since, limit=PAGE_SIZE)
        notifications = sorted(page, key=lambda n: _id_order(str(n["id"])))
        items = [self._item(n, str(me["id"])) for n in notifications]
        next_since = str(notifications[-1]["id"]) if notifications else since
        has_more = since is not None and len(notifications) >= PAGE_SIZE
        return InboxPage(items=items, next_since=next_since, has_more=has_more)

    def _identity(self, account: Any) -> tuple[IdentityRecord, ...]:
        acct = str(account["acct"])
        full = acct if "@" in acct else f"{acct}@{self._domain}"
        found = identity(IdentityKind.MASTODON, full)
        return (found,) if found else ()

    def _item(self, notification: Any, my_id: str) -> InboxItem:
        kind_name = str(notification["type"])
        status = notification.get("status")
        in_reply_to: str | None = None
        summary = ""
        if kind_name == "mention":
            kind = InteractionKind.MENTION
            if status and str(status.get("in_reply_to_account_id") or "") == my_id:
                kind = InteractionKind.REPLY
                in_reply_to = str(status["in_reply_to_id"])
        else:
            kind = _KINDS.get(kind_name, InteractionKind.REACTION)
            if status and kind_name in ("favourite", "reblog"):
                in_reply_to = str(status["id"])
        if status:
            summary = html_to_text(str(status.get("content") or ""))[:280]
        account = notification["account"]
        record = InteractionRecord(
            occurred_at=_utc(notification["created_at"]),
            kind=kind,
            direction=Direction.INBOUND,
            counterpart=self._identity(account),
            counterpart_name=str(account.get("display_name") or account["username"]),
            network=NetworkKind.MASTODON,
            summary=summary,
            external_id=f"mastodon:{self._domain}:notification:{notification['id']}",
        )
        return InboxItem(
            interaction=record, remote_id=str(notification["id"]), in_reply_to=in_reply_to
        )


def _utc(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)

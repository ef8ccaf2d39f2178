"""One Bluesky account: publish once under a record key of our own, list posts, read notifications.

Each post is created with a record key (rkey) derived from the delivery's idempotency key
and first attempt, so a retry names the same record: the repository refuses a second record
under one key, and the connector reads the existing one back instead of posting twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from atproto_client import Client, models
from atproto_client.exceptions import AtProtocolError
from atproto_client.request import Request

from takethelead.connectors.base import (
    AuthExpired,
    ConnectorError,
    InboxItem,
    InboxPage,
    NeverSent,
    Posted,
    PublishResult,
    RateLimited,
    Rejected,
)
from takethelead.connectors.bluesky.errors import translate
from takethelead.connectors.http import CONNECT_SECONDS, READ_SECONDS, USER_AGENT, guarded_transport
from takethelead.domain.identities import identity
from takethelead.domain.posting import record_key
from takethelead.domain.records import (
    Direction,
    IdentityKind,
    InteractionKind,
    InteractionRecord,
    NetworkKind,
)

DEFAULT_PDS = "https://bsky.social"
POST = "app.bsky.feed.post"
# Records keep unknown fields, so the key also travels in the post (older posts, made before
# record keys were ours, are recognised by it).
KEY_FIELD = "takethelead.idempotencyKey"
RECENT_POSTS = 50
PAGE_SIZE = 50
MAX_PAGES = 50  # a backlog deeper than 2,500 notifications is read only in part
_KINDS = {
    "reply": InteractionKind.REPLY,
    "mention": InteractionKind.MENTION,
    "quote": InteractionKind.COMMENT,
    "like": InteractionKind.REACTION,
    "repost": InteractionKind.REPOST,
    "follow": InteractionKind.FOLLOW,
}


class BlueskyConnector:
    """A Bluesky account reached with a handle and an app password.

    It logs in once (createSession is rate limited) and reuses the session; pass
    `session_string` from `export_session()` to skip the login in a new process.
    """

    network = NetworkKind.BLUESKY

    def __init__(
        self,
        handle: str,
        app_password: str,
        *,
        base_url: str = DEFAULT_PDS,
        allow_private: bool = False,
        timeout: float = READ_SECONDS,
        session_string: str | None = None,
    ) -> None:
        self._handle = handle
        self._password = app_password
        self._session_string = session_string
        request = Request(
            transport=guarded_transport(allow_private=allow_private),
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_SECONDS, timeout)),
        )
        request.set_additional_headers({"User-Agent": USER_AGENT})
        self._client: Any = Client(base_url, request=request)
        self._did: str | None = None

    def _call(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except ConnectorError:
            raise
        except (AtProtocolError, httpx.HTTPError) as error:
            raise translate(error) from error

    def _login(self) -> str:
        if self._did is None:
            session = None
            if self._session_string:
                # The stored session; the client refreshes an expired access token itself.
                # A refresh token expired or revoked falls back to the app password.
                try:
                    session = self._call(
                        lambda: self._client.login(session_string=self._session_string)
                    )
                except AuthExpired:
                    self._session_string = None
            if session is None:
                session = self._call(lambda: self._client.login(self._handle, self._password))
            self._did = str(session.did)
        return self._did

    def session_string(self) -> str | None:
        """The current session (after a login or refresh) to store, or None before any login."""
        if self._did is None:
            return None
        return str(self._client.export_session_string())

    def export_session(self) -> str:
        """The session as a string to store (encrypted) and pass back as `session_string`."""
        self._login()
        return str(self._client.export_session_string())

    def publish(
        self,
        text: str,
        idempotency_key: str,
        *,
        first_attempt: bool = False,
        started_at: datetime | None = None,
    ) -> PublishResult:
        """Create the post under its own record key; when that key is taken, read it back.

        Without `started_at` the record key is fresh (for callers that never retry).
        """
        did = self._login()
        rkey = record_key(idempotency_key, started_at or datetime.now(UTC))
        facets = self._call(lambda: self._client.detect_facets(text)) or None
        record = models.AppBskyFeedPost.Record(
            created_at=self._client.get_current_time_iso(),
            text=text,
            facets=facets,
            **{KEY_FIELD: idempotency_key},
        )
        post = self._client.app.bsky.feed.post
        try:
            created = self._call(lambda: post.create(did, record, rkey=rkey))
        except (AuthExpired, RateLimited, NeverSent):
            raise
        except ConnectorError:
            # A taken record key is refused (the reference PDS answers 500, others 409 or
            # 400); the record under our key tells whether it is this post.
            existing = self._existing(did, rkey, idempotency_key)
            if existing is None:
                raise
            return existing
        return PublishResult(remote_id=str(created.uri), url=self._web_url(str(created.uri)))

    def _existing(self, did: str, rkey: str, idempotency_key: str) -> PublishResult | None:
        """The post stored under `rkey` if it is ours with this key; None when there is none."""
        post = self._client.app.bsky.feed.post
        try:
            found = self._call(lambda: post.get(did, rkey))
        except ConnectorError:
            return None  # not there (RecordNotFound), or unreadable: the first error stands
        if _key_of(found.value) != idempotency_key:
            raise Rejected(f"Bluesky record key {rkey} holds another post; this one was not sent.")
        return PublishResult(remote_id=str(found.uri), url=self._web_url(str(found.uri)))

    def posted_since(self, since: datetime) -> list[Posted]:
        """Our posts created at or after `since`, newest first, each with its key if it has one."""
        did = self._login()
        found: list[Posted] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            params = models.ComAtprotoRepoListRecords.Params(
                repo=did, collection=POST, limit=RECENT_POSTS, cursor=cursor
            )
            page = self._list_records(params)
            for item in page.records:
                created = _parse_time(str(item.value.created_at))
                if created >= since:
                    uri = str(item.uri)
                    found.append(
                        Posted(
                            remote_id=uri,
                            url=self._web_url(uri),
                            created_at=created,
                            text=str(item.value.text),
                            key=_key_of(item.value),
                        )
                    )
            cursor = page.cursor
            if not page.records or not cursor:
                break
            if _parse_time(str(page.records[-1].value.created_at)) < since:
                break
        return found

    def _list_records(self, params: Any) -> Any:
        repo = self._client.com.atproto.repo
        return self._call(lambda: repo.list_records(params))

    def _web_url(self, uri: str) -> str:
        rkey = uri.rsplit("/", 1)[-1]
        return f"https://bsky.app/profile/{self._handle}/post/{rkey}"

    def fetch_inbox(self, since: str | None) -> InboxPage:
        """Replies, mentions, quotes, likes, reposts and follows indexed after `since`.

        Bluesky pages notifications newest first, so this reads back until it reaches `since`
        (an indexedAt timestamp); the first call (since=None) reads the newest page only.
        """
        did = self._login()
        boundary = _parse_time(since) if since else None
        fresh: list[Any] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            params = models.AppBskyNotificationListNotifications.Params(
                limit=PAGE_SIZE, cursor=cursor
            )
            page = self._list_notifications(params)
            reached = False
            for notification in page.notifications:
                if boundary is not None and _parse_time(notification.indexed_at) <= boundary:
                    reached = True
                    break
                fresh.append(notification)
            cursor = page.cursor
            if reached or not cursor or boundary is None:
                break
        fresh.sort(key=lambda n: _parse_time(n.indexed_at))
        items = [item for n in fresh if (item := self._item(n, did)) is not None]
        next_since = str(fresh[-1].indexed_at) if fresh else since
        return InboxPage(items=items, next_since=next_since)

    def _list_notifications(self, params: Any) -> Any:
        notifications = self._client.app.bsky.notification
        return self._call(lambda: notifications.list_notifications(params))

    def _item(self, notification: Any, my_did: str) -> InboxItem | None:
        kind = _KINDS.get(str(notification.reason))
        if kind is None:
            return None
        record = notification.record
        ours = f"at://{my_did}/"
        in_reply_to: str | None = None
        if kind is InteractionKind.REPLY:
            parent = record.reply.parent.uri if getattr(record, "reply", None) else ""
            in_reply_to = str(parent) if str(parent).startswith(ours) else None
        elif notification.reason_subject and str(notification.reason_subject).startswith(ours):
            in_reply_to = str(notification.reason_subject)
        author = notification.author
        found = identity(IdentityKind.BLUESKY, str(author.handle))
        interaction = InteractionRecord(
            occurred_at=_parse_time(notification.indexed_at),
            kind=kind,
            direction=Direction.INBOUND,
            counterpart=(found,) if found else (),
            counterpart_name=str(author.display_name or author.handle),
            network=NetworkKind.BLUESKY,
            summary=str(getattr(record, "text", "") or "")[:300],
            external_id=f"bluesky:{notification.uri}",
        )
        return InboxItem(
            interaction=interaction, remote_id=str(notification.uri), in_reply_to=in_reply_to
        )


def _key_of(record: Any) -> str | None:
    extra = getattr(record, "model_extra", None) or {}
    value = extra.get(KEY_FIELD)
    return str(value) if value is not None else None


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)

"""One Discourse forum account: post a topic or a reply once, list our posts, read replies."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from takethelead.connectors.base import (
    InboxItem,
    InboxPage,
    NeverSent,
    Posted,
    PublishResult,
    UnknownOutcome,
)
from takethelead.connectors.http import READ_SECONDS, http_client
from takethelead.connectors.httpx_errors import status_error, transport_error
from takethelead.connectors.markup import html_to_text
from takethelead.domain.identities import identity
from takethelead.domain.records import (
    Direction,
    IdentityKind,
    InteractionKind,
    InteractionRecord,
    NetworkKind,
)

MAX_PAGES = 100
TITLE_LENGTH = 80


_KEY_COMMENT = re.compile(r"<!-- takethelead:(\S+) -->")


def key_comment(idempotency_key: str) -> str:
    """Discourse has no Idempotency-Key: the key rides in the post as an unrendered comment."""
    return f"<!-- takethelead:{idempotency_key} -->"


def _visible(raw: str) -> str:
    return _KEY_COMMENT.sub("", raw).strip()


class DiscourseConnector:
    """A forum account reached with an API key, posting into one topic or as new topics.

    With `topic_id` each post is a reply in that topic; without it each post opens a topic
    in `category`, titled by its first line.
    """

    network = NetworkKind.DISCOURSE

    def __init__(
        self,
        base_url: str,
        api_key: str,
        username: str,
        *,
        topic_id: int | None = None,
        category: int | None = None,
        allow_private: bool = False,
        timeout: float = READ_SECONDS,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._host = (urlsplit(base_url).hostname or base_url).lower()
        self._username = username
        self._topic_id = topic_id
        self._category = category
        self._client = http_client(
            allow_private=allow_private,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            base_url=self._base_url,
            headers={"Api-Key": api_key, "Api-Username": username, "Accept": "application/json"},
        )

    def close(self) -> None:
        self._client.close()

    def _request(self, method: str, path: str, *, missing_ok: bool = False, **kwargs: Any) -> Any:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise transport_error(error, "the forum") from error
        if missing_ok and response.status_code == 404:
            return None
        if response.is_success:
            try:
                return response.json()
            except ValueError as error:
                raise UnknownOutcome(
                    "The forum answered with something other than JSON."
                ) from error
        raise status_error(response, "The forum", _errors(response))

    def publish(
        self,
        text: str,
        idempotency_key: str,
        *,
        first_attempt: bool = False,
        started_at: datetime | None = None,
    ) -> PublishResult:
        """Post once: a post of ours already carrying the key is returned instead."""
        marker = key_comment(idempotency_key)
        if not first_attempt:
            try:
                existing = self._find(lambda post: marker in str(post.get("raw") or ""))
            except UnknownOutcome as error:  # a failed read sent nothing
                raise NeverSent(error.reason) from error
            if existing is not None:
                return existing
        body: dict[str, Any] = {"raw": f"{text}\n\n{marker}"}
        if self._topic_id is not None:
            body["topic_id"] = self._topic_id
        else:
            body["title"] = text.strip().splitlines()[0][:TITLE_LENGTH] if text.strip() else ""
            if self._category is not None:
                body["category"] = self._category
        post = self._request("POST", "/posts.json", json=body)
        return self._result(post)

    def posted_since(self, since: datetime) -> list[Posted]:
        """Our posts created at or after `since`, newest first, each with the key it carries."""
        found: list[Posted] = []
        before: int | None = None
        for _ in range(MAX_PAGES):
            posts = self._latest(before).get("latest_posts", [])
            for post in posts:
                created = _parse_time(str(post["created_at"]))
                if post.get("username") != self._username or created < since:
                    continue
                raw = str(post.get("raw") or "")
                key = _KEY_COMMENT.search(raw)
                text = _visible(raw) if raw else html_to_text(str(post.get("cooked") or ""))
                result = self._result(post)
                found.append(
                    Posted(
                        remote_id=result.remote_id,
                        url=result.url,
                        created_at=created,
                        text=text,
                        key=key.group(1) if key else None,
                    )
                )
            if not posts or _parse_time(str(posts[-1]["created_at"])) < since:
                break
            before = min(int(p["id"]) for p in posts)
        return found

    def _find(
        self, wanted: Callable[[dict[str, Any]], bool], since: datetime | None = None
    ) -> PublishResult | None:
        before: int | None = None
        for _ in range(MAX_PAGES if since is not None else 1):
            posts = self._latest(before).get("latest_posts", [])
            for post in posts:
                if post.get("username") == self._username and wanted(post):
                    return self._result(post)
            if not posts or since is None:
                break
            if _parse_time(str(posts[-1]["created_at"])) < since:
                break
            before = min(int(p["id"]) for p in posts)
        return None

    def _latest(self, before: int | None) -> Any:
        params = {"before": str(before)} if before is not None else {}
        return self._request("GET", "/posts.json", params=params)

    def _result(self, post: dict[str, Any]) -> PublishResult:
        slug = post.get("topic_slug") or "-"
        url = f"{self._base_url}/t/{slug}/{post['topic_id']}/{post['post_number']}"
        return PublishResult(remote_id=str(post["id"]), url=url)

    def fetch_inbox(self, since: str | None) -> InboxPage:
        """Replies to our posts and mentions of us, posted after `since` (a post id).

        Discourse lists latest posts newest first and pages back with `before`, so this reads
        back to `since`; the first call (since=None) reads the newest page only.
        """
        boundary = int(since) if since else None
        fresh: list[dict[str, Any]] = []
        seen: list[dict[str, Any]] = []
        before: int | None = None
        for _ in range(MAX_PAGES):
            posts = self._latest(before).get("latest_posts", [])
            newer = [p for p in posts if boundary is None or int(p["id"]) > boundary]
            fresh.extend(newer)
            seen.extend(posts)
            if boundary is None or not posts or len(newer) < len(posts):
                break
            before = min(int(p["id"]) for p in posts)
        fresh.sort(key=lambda p: int(p["id"]))
        lookup = _PostLookup(self, seen)
        items = [item for post in fresh if (item := self._item(post, lookup)) is not None]
        next_since = str(fresh[-1]["id"]) if fresh else since
        return InboxPage(items=items, next_since=next_since)

    def post_by_number(self, topic_id: int, number: int) -> dict[str, Any] | None:
        """One post by its place in a topic, or None when it is gone."""
        found = self._request("GET", f"/posts/by_number/{topic_id}/{number}.json", missing_ok=True)
        return found if isinstance(found, dict) else None

    def _item(self, post: dict[str, Any], lookup: _PostLookup) -> InboxItem | None:
        author = str(post.get("username") or "")
        if not author or author.lower() == self._username.lower():
            return None
        number = post.get("reply_to_post_number")
        if number is None and int(post.get("post_number") or 1) > 1:
            number = 1  # a reply to the topic answers its first post
        parent = lookup.get(int(post["topic_id"]), int(number)) if number else None
        text = str(post.get("raw") or html_to_text(str(post.get("cooked") or "")))
        in_reply_to: str | None = None
        if parent is not None and str(parent.get("username")).lower() == self._username.lower():
            kind = InteractionKind.REPLY
            in_reply_to = str(parent["id"])
        elif f"@{self._username.lower()}" in text.lower():
            kind = InteractionKind.MENTION
        else:
            return None
        found = identity(IdentityKind.FORUM, f"{self._host}/{author}")
        interaction = InteractionRecord(
            occurred_at=_parse_time(str(post["created_at"])),
            kind=kind,
            direction=Direction.INBOUND,
            counterpart=(found,) if found else (),
            counterpart_name=str(post.get("name") or author),
            network=NetworkKind.DISCOURSE,
            summary=text[:300],
            external_id=f"discourse:{self._host}:post:{post['id']}",
        )
        return InboxItem(
            interaction=interaction, remote_id=str(post["id"]), in_reply_to=in_reply_to
        )


class _PostLookup:
    """Posts by (topic, number): from the pages already read, else one request each."""

    def __init__(self, connector: DiscourseConnector, posts: list[dict[str, Any]]) -> None:
        self._connector = connector
        self._known: dict[tuple[int, int], dict[str, Any] | None] = {
            (int(p["topic_id"]), int(p["post_number"])): p for p in posts
        }

    def get(self, topic_id: int, number: int) -> dict[str, Any] | None:
        key = (topic_id, number)
        if key not in self._known:
            self._known[key] = self._connector.post_by_number(topic_id, number)
        return self._known[key]


def _errors(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    errors = body.get("errors") if isinstance(body, dict) else None
    return "; ".join(str(e) for e in errors) if errors else response.reason_phrase


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)

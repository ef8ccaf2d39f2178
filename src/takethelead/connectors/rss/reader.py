"""Fetch a user-supplied feed URL safely and turn its entries into plain dataclasses."""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser
import httpx

from takethelead.connectors.base import Rejected
from takethelead.connectors.http import READ_SECONDS, http_client
from takethelead.connectors.httpx_errors import status_error, transport_error
from takethelead.connectors.markup import html_to_text

MAX_BYTES = 5_000_000
ACCEPT = "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.8"


@dataclass(frozen=True, slots=True)
class FeedItem:
    id: str
    title: str
    link: str
    published: datetime | None
    author: str
    summary: str  # plain text


@dataclass(frozen=True, slots=True)
class Feed:
    """A fetched feed; `not_modified` when the server answered 304 to our validators."""

    url: str
    title: str = ""
    link: str = ""
    items: list[FeedItem] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


class FeedReader:
    """Reads feeds from URLs a user typed: private addresses are refused unless allowed.

    Redirects are followed, and each hop is checked by the seam's guard.
    """

    def __init__(self, *, allow_private: bool = False, timeout: float = READ_SECONDS) -> None:
        self._client = http_client(
            allow_private=allow_private,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={"Accept": ACCEPT},
            follow_redirects=True,
        )

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Feed:
        """The feed at `url`; pass the validators of the last fetch to get `not_modified`."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return Feed(url=url, etag=etag, last_modified=last_modified, not_modified=True)
                if not response.is_success:
                    response.read()
                    raise status_error(response, "The feed's server", response.reason_phrase)
                body = _read_capped(response)
        except httpx.TransportError as error:
            raise transport_error(error, "the feed's server") from error
        return parse_feed(
            body,
            url=str(response.url),
            content_type=response.headers.get("Content-Type", ""),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )


def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BYTES:
            raise Rejected(f"The feed is larger than {MAX_BYTES // 1_000_000} MB.")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str = "",
    etag: str | None = None,
    last_modified: str | None = None,
) -> Feed:
    """Parse RSS or Atom bytes; Rejected when they hold no feed at all."""
    headers = {"content-type": content_type} if content_type else {}
    parsed: Any = feedparser.parse(body, response_headers=headers)
    meta = parsed.get("feed", {})
    if not parsed.get("entries") and not meta.get("title") and parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        raise Rejected(f"{url} is not an RSS or Atom feed: {problem}")
    items = [_item(entry) for entry in parsed.get("entries", [])]
    return Feed(
        url=url,
        title=str(meta.get("title", "")),
        link=str(meta.get("link", "")),
        items=items,
        etag=etag,
        last_modified=last_modified,
    )


def _item(entry: Any) -> FeedItem:
    link = str(entry.get("link", ""))
    moment: time.struct_time | None = entry.get("published_parsed") or entry.get("updated_parsed")
    published = datetime.fromtimestamp(calendar.timegm(moment), UTC) if moment is not None else None
    summary = entry.get("summary", "")
    return FeedItem(
        id=str(entry.get("id") or link),
        title=str(entry.get("title", "")),
        link=link,
        published=published,
        author=str(entry.get("author", "")),
        summary=html_to_text(str(summary)),
    )

"""Reading RSS and Atom feeds from a local web server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from takethelead.connectors.base import NeverSent, Rejected
from takethelead.connectors.http import AddressRefused
from takethelead.connectors.rss import FeedReader
from tests.servers.base import RunningServer


@pytest.fixture
def reader() -> Iterator[FeedReader]:
    feeds = FeedReader(allow_private=True, timeout=2.0)
    yield feeds
    feeds.close()


def test_an_rss_feed_becomes_items_with_plain_text_and_utc_dates(
    feed_server: RunningServer, reader: FeedReader
) -> None:
    feed = reader.fetch(f"{feed_server.url}/rss.xml")

    assert feed.title == "Ana Diaz \u2014 Notes"
    first, undated = feed.items
    assert first.id == "ana-note-42"
    assert first.title == "Three questions before a referral"
    assert first.link == "https://ana.example.com/notes/referral-questions"
    assert first.published == datetime(2024, 3, 5, 8, 30, tzinfo=UTC)
    assert first.author == "Ana Diaz"
    assert first.summary == "Ask who, why and when."
    assert (undated.id, undated.published) == ("https://ana.example.com/notes/undated", None)


def test_an_atom_feed_keeps_its_unicode(feed_server: RunningServer, reader: FeedReader) -> None:
    feed = reader.fetch(f"{feed_server.url}/atom.xml")
    [entry] = feed.items
    assert entry.title == "Caf\u00e9 meetup \U0001f389"
    assert entry.author == "Bo"
    assert entry.published == datetime(2024, 4, 1, 12, tzinfo=UTC)


def test_an_unchanged_feed_answers_not_modified(
    feed_server: RunningServer, reader: FeedReader
) -> None:
    first = reader.fetch(f"{feed_server.url}/rss.xml")
    again = reader.fetch(f"{feed_server.url}/rss.xml", etag=first.etag)
    assert first.etag
    assert again.not_modified
    assert again.items == []


def test_a_redirect_is_followed(feed_server: RunningServer, reader: FeedReader) -> None:
    feed = reader.fetch(f"{feed_server.url}/moved")
    assert feed.url.endswith("/rss.xml")
    assert len(feed.items) == 2


def test_a_web_page_is_not_a_feed(feed_server: RunningServer, reader: FeedReader) -> None:
    with pytest.raises(Rejected, match="is not an RSS or Atom feed"):
        reader.fetch(f"{feed_server.url}/not-a-feed.html")


def test_a_missing_feed_is_rejected(feed_server: RunningServer, reader: FeedReader) -> None:
    with pytest.raises(Rejected, match="404"):
        reader.fetch(f"{feed_server.url}/gone.xml")


def test_an_unreachable_feed_server_is_a_retryable_error(
    closed_port: int, reader: FeedReader
) -> None:
    with pytest.raises(NeverSent):
        reader.fetch(f"http://127.0.0.1:{closed_port}/rss.xml")


def test_a_user_supplied_local_address_is_refused(feed_server: RunningServer) -> None:
    reader = FeedReader()
    try:
        with pytest.raises(AddressRefused, match="private or local address"):
            reader.fetch(f"{feed_server.url}/rss.xml")
    finally:
        reader.close()
    assert feed_server.app.requests == []

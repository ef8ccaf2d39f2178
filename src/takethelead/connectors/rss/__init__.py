"""RSS and Atom feeds: read-only, fetched through the seam, parsed by feedparser."""

from takethelead.connectors.rss.reader import Feed, FeedItem, FeedReader

__all__ = ["Feed", "FeedItem", "FeedReader"]

"""Mastodon through Mastodon.py, with its requests session built by our HTTP seam."""

from takethelead.connectors.mastodon.connector import MastodonConnector

__all__ = ["MastodonConnector"]

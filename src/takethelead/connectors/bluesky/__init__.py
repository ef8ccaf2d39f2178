"""Bluesky through the atproto client, on an httpx transport from our seam."""

from takethelead.connectors.bluesky.connector import BlueskyConnector

__all__ = ["BlueskyConnector"]

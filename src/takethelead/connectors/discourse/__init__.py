"""Discourse forums over their REST API, with httpx from our seam."""

from takethelead.connectors.discourse.connector import DiscourseConnector

__all__ = ["DiscourseConnector"]

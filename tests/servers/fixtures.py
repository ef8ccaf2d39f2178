"""Pytest fixtures that start each fake network on a free port and stop it after the test."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.servers.base import RunningServer
from tests.servers.bluesky import BlueskyApp
from tests.servers.discourse import DiscourseApp
from tests.servers.feeds import FeedsApp
from tests.servers.mastodon import MastodonApp


@pytest.fixture
def mastodon_server() -> Iterator[RunningServer]:
    server = RunningServer(MastodonApp())
    yield server
    server.stop()


@pytest.fixture
def bluesky_server() -> Iterator[RunningServer]:
    server = RunningServer(BlueskyApp())
    yield server
    server.stop()


@pytest.fixture
def discourse_server() -> Iterator[RunningServer]:
    server = RunningServer(DiscourseApp())
    yield server
    server.stop()


@pytest.fixture
def feed_server() -> Iterator[RunningServer]:
    server = RunningServer(FeedsApp())
    yield server
    server.stop()


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

"""Fixtures for the delivery tests: the fake networks, and a workspace connected to them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from takethelead.services.core.store import Store, workspace_id  # noqa: E402
from takethelead.services.posting.connections import Secrets, connect_account, prepare  # noqa: E402
from tests.servers import bluesky, discourse, mastodon  # noqa: E402
from tests.servers.base import RunningServer  # noqa: E402
from tests.servers.bluesky import BlueskyApp  # noqa: E402
from tests.servers.discourse import DiscourseApp  # noqa: E402
from tests.servers.fixtures import (  # noqa: E402
    bluesky_server,
    discourse_server,
    mastodon_server,
)
from tests.servers.mastodon import MastodonApp  # noqa: E402

__all__ = ["bluesky_server", "connected", "discourse_server", "mastodon_server"]


@dataclass
class Connected:
    """A workspace with one account on each fake network."""

    store: Store
    workspace_id: int
    mastodon: RunningServer
    bluesky: RunningServer
    discourse: RunningServer

    @property
    def mastodon_app(self) -> MastodonApp:
        return cast(MastodonApp, self.mastodon.app)

    @property
    def bluesky_app(self) -> BlueskyApp:
        return cast(BlueskyApp, self.bluesky.app)

    @property
    def discourse_app(self) -> DiscourseApp:
        return cast(DiscourseApp, self.discourse.app)


def connect_all(store: Store, ws_name: str, urls: dict[str, str]) -> int:
    """Connect the default workspace to fake servers at `urls` (by network)."""
    secrets = Secrets.from_settings(store.settings)
    given = {
        "mastodon": prepare(
            "mastodon", base_url=urls["mastodon"], secret=mastodon.TOKEN, allow_private=True
        ),
        "bluesky": prepare(
            "bluesky",
            base_url=urls["bluesky"],
            secret=bluesky.PASSWORD,
            handle=bluesky.HANDLE,
            allow_private=True,
        ),
        "discourse": prepare(
            "discourse",
            base_url=urls["discourse"],
            secret=discourse.API_KEY,
            handle=discourse.USERNAME,
            allow_private=True,
        ),
    }
    with store.transaction() as session:
        ws = workspace_id(session, ws_name)
        for name in urls:
            connect_account(session, ws, secrets, given[name])
    return ws


@pytest.fixture
def connected(
    store: Store,
    mastodon_server: RunningServer,
    bluesky_server: RunningServer,
    discourse_server: RunningServer,
) -> Iterator[Connected]:
    urls = {
        "mastodon": mastodon_server.url,
        "bluesky": bluesky_server.url,
        "discourse": discourse_server.url,
    }
    ws = connect_all(store, "default", urls)
    yield Connected(store, ws, mastodon_server, bluesky_server, discourse_server)

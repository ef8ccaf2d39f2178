"""Fixtures for the connector tests: the fake networks of tests/servers.

`pytest_plugins` is only honoured in the root conftest (owned elsewhere), so the fixtures are
imported by name; the project root goes on sys.path so `tests.servers` imports the same way
under pytest as under `python -m tests.servers.<network>`.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.servers.fixtures import (  # noqa: E402
    bluesky_server,
    closed_port,
    discourse_server,
    feed_server,
    mastodon_server,
)

__all__ = ["bluesky_server", "closed_port", "discourse_server", "feed_server", "mastodon_server"]

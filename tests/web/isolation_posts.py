"""The isolation table's rows for the posts routes, and what workspace A holds for them.

tests/web/test_isolation.py joins these rows to its own: every route must be named in one.
Connecting an account asks the network first, so those rows talk to a fake Mastodon server
started once for the test process.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from takethelead.services.posting import posts
from takethelead.storage.tables import ConnectorAccount
from tests.servers.base import RunningServer
from tests.servers.mastodon import TOKEN, MastodonApp
from tests.web.conftest import World

_SERVERS: list[RunningServer] = []


def mastodon_url() -> str:
    """The fake Mastodon server's address (started on first use, stopped at exit)."""
    if not _SERVERS:
        server = RunningServer(MastodonApp())
        atexit.register(server.stop)
        _SERVERS.append(server)
    return _SERVERS[0].url


def _connect_form(_: World) -> dict[str, Any]:
    return {
        "data": {"network": "mastodon", "url": mastodon_url(), "secret": TOKEN,
                 "allow_private": "true"}
    }  # fmt: skip


def _connect_json(_: World) -> dict[str, Any]:
    return {
        "json": {"network": "mastodon", "url": mastodon_url(), "secret": TOKEN,
                 "allow_private": True}
    }  # fmt: skip


FUTURE = "2031-01-06T09:00"
# (method, path) → what to send; ids in paths come from World.ids (what seed returned).
ROUTES: dict[tuple[str, str], Callable[[World], dict[str, Any]]] = {
    ("GET", "/posts"): lambda w: {},
    ("GET", "/posts/calendar"): lambda w: {},
    ("GET", "/posts/new"): lambda w: {},
    ("POST", "/posts"): lambda w: {
        "data": {"text": "A post for later", "to": ["linkedin"], "when": "at", "at": FUTURE}
    },
    ("GET", "/posts/{post_id}"): lambda w: {},
    ("POST", "/posts/{post_id}/edit"): lambda w: {"data": {"text": "New words"}},
    ("POST", "/posts/{post_id}/done"): lambda w: {"data": {"network": "linkedin"}},
    ("POST", "/posts/{post_id}/schedule"): lambda w: {"data": {"when": "next"}},
    ("POST", "/posts/{post_id}/cancel"): lambda w: {"data": {}},
    ("GET", "/posts/accounts"): lambda w: {},
    ("POST", "/posts/accounts"): _connect_form,
    ("POST", "/posts/accounts/{account_id}/disconnect"): lambda w: {"data": {}},
    ("POST", "/posts/slots"): lambda w: {"data": {"network": "x", "slots": "mon 09:00"}},
    ("POST", "/posts/publish"): lambda w: {"data": {}},
    ("POST", "/posts/sync"): lambda w: {"data": {}},
    ("GET", "/api/posts"): lambda w: {},
    ("POST", "/api/posts"): lambda w: {
        "json": {"text": "A post for later", "to": ["linkedin"], "at": FUTURE + ":00+00:00"}
    },
    ("GET", "/api/posts/{post_id}"): lambda w: {},
    ("PATCH", "/api/posts/{post_id}"): lambda w: {"json": {"text": "New words"}},
    ("POST", "/api/posts/{post_id}/done"): lambda w: {"json": {"network": "linkedin"}},
    ("POST", "/api/posts/{post_id}/schedule"): lambda w: {"json": {"next_slot": True}},
    ("POST", "/api/posts/{post_id}/cancel"): lambda w: {},
    ("GET", "/api/queue"): lambda w: {"params": {"all": "true"}},
    ("GET", "/api/slots"): lambda w: {},
    ("PUT", "/api/slots"): lambda w: {"json": {"network": "x", "slots": "tue 10:00"}},
    ("GET", "/api/slots/free"): lambda w: {},
    ("GET", "/api/accounts"): lambda w: {},
    ("POST", "/api/accounts"): _connect_json,
    ("DELETE", "/api/accounts/{account_id}"): lambda w: {},
    ("POST", "/api/publish"): lambda w: {},
    ("POST", "/api/sync"): lambda w: {},
}
# Routes the owner test must not call (they end or delete what later routes act on).
ONE_SHOT: set[tuple[str, str]] = {
    ("POST", "/posts/{post_id}/cancel"),
    ("POST", "/api/posts/{post_id}/cancel"),
    # Only a draft can be scheduled, and A's post is scheduled already: tested on their own.
    ("POST", "/posts/{post_id}/schedule"),
    ("POST", "/api/posts/{post_id}/schedule"),
    ("POST", "/posts/accounts/{account_id}/disconnect"),
    ("DELETE", "/api/accounts/{account_id}"),
}


def seed(session: Session, workspace_id: int, person_id: int) -> dict[str, int]:
    """Rows of workspace A these routes name; returns the path ids, e.g. {"post_id": 3}."""
    # A paused Bluesky account: its deliveries wait, and no pass or sync ever contacts it.
    account = ConnectorAccount(
        workspace_id=workspace_id, kind="bluesky", base_url="https://bsky.invalid",
        handle="quetzalcoatl.bsky.social", secret="", status="paused",
        status_reason="Quetzalcoatl's token expired.",
    )  # fmt: skip
    session.add(account)
    session.flush()
    posts.set_slots(session, workspace_id, "bluesky", "mon-fri 09:00")
    now = datetime.now(UTC)
    # Three weekly occurrences, so marking LinkedIn done works for the page and the API.
    post_id = posts.create_post(
        session,
        workspace_id,
        posts.PostRequest(
            text="Aurelio Quetzalcoatl opens the Guild of Secret Hours",
            targets=["bluesky", "linkedin"],
            at=now + timedelta(days=3),
            every_days=7,
            repeat=3,
        ),
        now,
    )
    return {"post_id": post_id, "account_id": account.id}

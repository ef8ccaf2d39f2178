"""Bluesky sessions outlive a process: cron's `lead publish --once` logs in once, not each time."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from takethelead.domain.posting import DeliveryState
from takethelead.services.core.store import Store
from takethelead.services.posting.connections import Secrets
from takethelead.services.posting.delivery import publish_once
from takethelead.services.posting.posts import PostRequest, create_post
from takethelead.storage.tables import ConnectorAccount, Delivery
from tests.delivery.conftest import Connected


def _post(connected: Connected, text: str) -> None:
    with connected.store.transaction() as session:
        create_post(
            session,
            connected.workspace_id,
            PostRequest(text=text, targets=["bluesky"]),
            datetime.now(UTC),
        )


def _publish_in_a_new_process(connected: Connected) -> None:
    """What a cron run does: open the store afresh, publish once, close."""
    store = Store.open(connected.store.settings, migrate=False)
    try:
        publish_once(store)
    finally:
        store.close()


def _stored_session(connected: Connected) -> str | None:
    with connected.store.transaction() as session:
        account = session.scalars(
            select(ConnectorAccount).where(ConnectorAccount.kind == "bluesky")
        ).one()
        return account.session_secret


def test_two_publish_passes_in_two_store_openings_log_in_once(connected: Connected) -> None:
    before = connected.bluesky_app.state()["sessions_created"]  # the check when connecting
    _post(connected, "The first post of the week.")
    _publish_in_a_new_process(connected)
    _post(connected, "The second post of the week.")
    _publish_in_a_new_process(connected)
    assert connected.bluesky_app.state()["sessions_created"] == before + 1
    assert len(connected.bluesky_app.state()["posts"]) == 2
    stored = _stored_session(connected)
    assert stored is not None and "eyJ" not in stored  # encrypted at rest, no token in sight
    session_string = Secrets.from_settings(connected.store.settings).decrypt(stored)
    assert connected.bluesky_app.did in session_string


def test_a_revoked_stored_session_logs_in_again_and_keeps_posting(connected: Connected) -> None:
    _post(connected, "Before the session is revoked.")
    _publish_in_a_new_process(connected)
    first = _stored_session(connected)
    before = connected.bluesky_app.state()["sessions_created"]
    with connected.bluesky_app.lock:  # the server forgets every token it gave out
        connected.bluesky_app.access_tokens.clear()
        connected.bluesky_app.refresh_tokens.clear()
    _post(connected, "After the session is revoked.")
    _publish_in_a_new_process(connected)
    assert connected.bluesky_app.state()["sessions_created"] == before + 1
    with connected.store.transaction() as session:
        states = session.scalars(select(Delivery.state).order_by(Delivery.id)).all()
        status = session.scalars(
            select(ConnectorAccount.status).where(ConnectorAccount.kind == "bluesky")
        ).one()
    assert states == [DeliveryState.SENT, DeliveryState.SENT] and status == "active"
    assert _stored_session(connected) not in (None, first)

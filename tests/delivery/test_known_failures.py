"""The four known failures of the leading open-source scheduler, each tested here."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select, text

from takethelead.domain.posting import DeliveryState
from takethelead.jobs.publishing import register_publishing
from takethelead.jobs.queue import SQLITE_FILE, build_huey
from takethelead.services.core.store import Store
from takethelead.services.posting.connections import Secrets, connect_account, prepare
from takethelead.services.posting.delivery import DeliveryEngine, DeliveryPolicy
from takethelead.services.posting.posts import PostRequest, create_post, edit_post
from takethelead.storage import database
from takethelead.storage.tables import ConnectorAccount, Delivery
from tests.delivery.conftest import Connected
from tests.servers.base import RunningServer
from tests.servers.mastodon import MastodonApp

TEXT = "Three referrals this month came from one breakfast club. Here is why."


def _post(connected: Connected, *targets: str, at: datetime | None = None) -> int:
    with connected.store.transaction() as session:
        return create_post(
            session,
            connected.workspace_id,
            PostRequest(text=TEXT, targets=list(targets), at=at),
            datetime.now(UTC),
        )


def _pass(store: Store) -> None:
    engine = DeliveryEngine(store, DeliveryPolicy(request_timeout=3.0), worker="test")
    engine.run_pass()
    engine.close()


def _rows(store: Store) -> list[Delivery]:
    with store.transaction() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def test_a_post_queued_before_an_upgrade_is_sent_by_the_upgraded_worker(
    connected: Connected,
) -> None:
    _post(connected, "mastodon", "bluesky")
    settings = connected.store.settings
    connected.store.close()
    # The upgrade: schema migrated in place, the job queue's storage starts empty. Posts
    # live in the database, not in queued jobs, so nothing waits on a job that is gone.
    engine = database.make_engine(settings.database_url)
    database.upgrade(engine)
    engine.dispose()
    queue_file = settings.data_dir / SQLITE_FILE
    if queue_file.exists():
        os.remove(queue_file)
    huey = build_huey(settings, immediate=True)
    publishing = register_publishing(huey, settings)
    publishing.publish.call_local()
    publishing.close()
    store = Store.open(settings)
    assert [d.state for d in _rows(store)] == [DeliveryState.SENT, DeliveryState.SENT]
    store.close()


def test_reconnecting_one_account_never_overwrites_another_accounts_token(
    connected: Connected,
) -> None:
    other_app = MastodonApp(domain="other.example")
    other_app.token = "token-of-the-second-account"
    other = RunningServer(other_app)
    try:
        secrets = Secrets.from_settings(connected.store.settings)
        with connected.store.transaction() as session:
            connect_account(
                session,
                connected.workspace_id,
                secrets,
                prepare(
                    "mastodon",
                    base_url=other.url,
                    secret="token-of-the-second-account",
                    allow_private=True,
                ),
            )
        connected.mastodon_app.token = "a-fresh-token"
        with connected.store.transaction() as session:
            _, created = connect_account(
                session,
                connected.workspace_id,
                secrets,
                prepare(
                    "mastodon",
                    base_url=connected.mastodon.url,
                    secret="a-fresh-token",
                    allow_private=True,
                ),
            )
            accounts = list(
                session.scalars(
                    select(ConnectorAccount)
                    .where(ConnectorAccount.kind == "mastodon")
                    .order_by(ConnectorAccount.id)
                )
            )
        assert not created
        assert [secrets.decrypt(a.secret) for a in accounts] == [
            "a-fresh-token",
            "token-of-the-second-account",
        ]
    finally:
        other.stop()


def test_account_secrets_are_encrypted_at_rest_with_a_private_key_file(
    connected: Connected,
) -> None:
    with connected.store.engine.connect() as connection:
        stored = [
            row[0] for row in connection.execute(text("SELECT secret FROM connector_account"))
        ]
    assert stored
    assert all("mastodon-test-token" not in s and "discourse-test-key" not in s for s in stored)
    key_file = connected.store.settings.data_dir / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("network", "path", "fault"),
    [
        ("mastodon", "/api/v1/statuses", "server_error"),
        ("mastodon", "/api/v1/statuses", "rate_limit"),
        ("bluesky", "/xrpc/com.atproto.repo.createRecord", "rate_limit"),
        ("discourse", "/posts", "server_error"),
        ("discourse", "/posts", "server_error_with_body"),
    ],
)
def test_a_temporary_error_is_never_taken_for_a_dead_token(
    connected: Connected, network: str, path: str, fault: str
) -> None:
    server = {"mastodon": connected.mastodon, "bluesky": connected.bluesky}.get(
        network, connected.discourse
    )
    server.app.fail(fault, path=path)
    _post(connected, network)
    _pass(connected.store)
    with connected.store.transaction() as session:
        status = session.scalar(
            select(ConnectorAccount.status).where(ConnectorAccount.kind == network)
        )
    assert status == "active"
    assert _rows(connected.store)[0].state in (DeliveryState.QUEUED, DeliveryState.UNCONFIRMED)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=5)):
        _pass(connected.store)
        _pass(connected.store)
    assert _rows(connected.store)[0].state == DeliveryState.SENT
    assert len(server.app.state()["posts"]) == 1


def test_editing_a_sent_post_neither_restarts_nor_duplicates_it(connected: Connected) -> None:
    post_id = _post(connected, "mastodon", "bluesky")
    _pass(connected.store)
    before = [
        (d.id, d.idempotency_key, d.state, d.attempts, d.text) for d in _rows(connected.store)
    ]
    with connected.store.transaction() as session:
        change = edit_post(session, connected.workspace_id, post_id, "A corrected text, too late.")
    _pass(connected.store)
    after = [(d.id, d.idempotency_key, d.state, d.attempts, d.text) for d in _rows(connected.store)]
    assert change.changed == 0
    assert sorted(change.untouched) == [("bluesky", "sent"), ("mastodon", "sent")]
    assert after == before
    assert len(connected.mastodon_app.state()["posts"]) == 1
    assert len(connected.bluesky_app.state()["posts"]) == 1


def test_editing_a_post_being_sent_leaves_that_delivery_alone(connected: Connected) -> None:
    later = datetime.now(UTC) + timedelta(days=1)
    post_id = _post(connected, "mastodon", "discourse", at=later)
    sending = next(d for d in _rows(connected.store) if d.network == "mastodon")
    with connected.store.transaction() as session:
        session.execute(
            Delivery.__table__.update()  # type: ignore[attr-defined]
            .where(Delivery.id == sending.id)
            .values(state=DeliveryState.SENDING, claimed_by="another worker", version=7)
        )
        change = edit_post(
            session, connected.workspace_id, post_id, "New words for the waiting deliveries."
        )
    rows = {d.network: d for d in _rows(connected.store)}
    assert change.changed == 1
    assert rows["mastodon"].text == TEXT
    assert rows["mastodon"].version == 7
    assert rows["discourse"].text == "New words for the waiting deliveries."
    assert rows["discourse"].due_at == later.replace(microsecond=0)
    assert rows["discourse"].state == DeliveryState.QUEUED

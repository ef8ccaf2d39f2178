"""One unreadable account secret pauses that account alone; a rotated key publishes again."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update
from typer.testing import CliRunner

from takethelead.cli.app import app
from takethelead.config import Settings
from takethelead.domain.posting import DeliveryState
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.posting.connections import (
    Secrets,
    connect_account,
    prepare,
    rotate_secrets,
)
from takethelead.services.posting.delivery import DeliveryEngine, DeliveryPolicy, PassReport
from takethelead.services.posting.posts import PostRequest, create_post, list_queue
from takethelead.storage.tables import ConnectorAccount, Delivery
from tests.servers.base import RunningServer
from tests.servers.mastodon import TOKEN

POLICY = DeliveryPolicy(request_timeout=3.0)
TEXT = "Two workspaces, one key gone: the other one's posts still go out."
OLD_KEY = "the key this workspace was set up with, long enough to pass"
NEW_KEY = "a brand new key after the old one was thought leaked, also long"


def _connect(store: Store, name: str, url: str) -> int:
    given = prepare("mastodon", base_url=url, secret=TOKEN, allow_private=True)
    with store.transaction() as session:
        ws = workspace_id(session, name)
        connect_account(session, ws, Secrets.from_settings(store.settings), given)
    return ws


def _post(store: Store, ws: int) -> None:
    with store.transaction() as session:
        create_post(session, ws, PostRequest(text=TEXT, targets=["mastodon"]), datetime.now(UTC))


def _pass(store: Store) -> PassReport:
    engine = DeliveryEngine(store, POLICY, worker="test")
    try:
        return engine.run_pass()
    finally:
        engine.close()


def _states(store: Store, ws: int) -> list[str]:
    with store.transaction() as session:
        query = select(Delivery.state).where(Delivery.workspace_id == ws).order_by(Delivery.id)
        return list(session.scalars(query))


def _status(store: Store, ws: int) -> tuple[str, str]:
    with store.transaction() as session:
        account = session.scalars(
            select(ConnectorAccount).where(ConnectorAccount.workspace_id == ws)
        ).one()
        return account.status, account.status_reason


def test_an_undecryptable_secret_pauses_its_workspace_and_every_other_one_posts(
    store: Store, mastodon_server: RunningServer
) -> None:
    good = _connect(store, "good", mastodon_server.url)
    broken = _connect(store, "broken", mastodon_server.url)
    with store.transaction() as session:
        # Saved under a key this installation no longer has.
        stranger = Fernet(Fernet.generate_key()).encrypt(TOKEN.encode()).decode()
        session.execute(
            update(ConnectorAccount)
            .where(ConnectorAccount.workspace_id == broken)
            .values(secret=stranger)
        )
    _post(store, broken)
    _post(store, broken)
    _post(store, good)
    with store.transaction() as session:
        # One of the broken workspace's posts waits for reconciliation (tried two hours ago,
        # so the network is asked), the other to be sent.
        first = session.scalars(select(Delivery).where(Delivery.workspace_id == broken)).first()
        assert first is not None
        first.state = DeliveryState.UNCONFIRMED
        first.first_sent_at = first.claimed_at = datetime.now(UTC) - timedelta(hours=2)

    report = _pass(store)

    assert _states(store, good) == [DeliveryState.SENT]
    assert _states(store, broken) == [DeliveryState.UNCONFIRMED, DeliveryState.PAUSED]
    assert report.sent == 1
    status, reason = _status(store, broken)
    assert status == "paused"
    assert "cannot be decrypted" in reason
    with store.transaction() as session:
        notices = list_queue(session, broken, datetime.now(UTC)).notices
    assert any("paused" in n and "cannot be decrypted" in n for n in notices)
    assert len(mastodon_server.app.state()["posts"]) == 1


@pytest.mark.usefixtures("store")  # on PostgreSQL it empties the tables after
def test_a_rotated_key_publishes_with_only_the_new_key(
    settings: Settings, mastodon_server: RunningServer
) -> None:
    old = Store.open(dataclasses.replace(settings, secret_key=OLD_KEY))
    ws = _connect(old, "default", mastodon_server.url)
    _post(old, ws)
    old.close()

    # The key changed: the account cannot be read, so it is paused and its post waits.
    fresh = Store.open(dataclasses.replace(settings, secret_key=NEW_KEY))
    _pass(fresh)
    assert _status(fresh, ws)[0] == "paused"
    assert _states(fresh, ws) == [DeliveryState.PAUSED]

    with fresh.transaction() as session:
        done = rotate_secrets(session, Secrets.from_settings(fresh.settings, [OLD_KEY]))
    assert (done.rotated, done.unreadable) == (1, [])
    assert _status(fresh, ws) == ("active", "")

    report = _pass(fresh)  # only the new key from here on
    assert report.sent == 1
    assert _states(fresh, ws) == [DeliveryState.SENT]
    fresh.close()


@pytest.mark.usefixtures("store")  # on PostgreSQL it empties the tables after
def test_the_old_key_as_a_fallback_resumes_a_paused_account_by_itself(
    settings: Settings, mastodon_server: RunningServer
) -> None:
    old = Store.open(dataclasses.replace(settings, secret_key=OLD_KEY))
    ws = _connect(old, "default", mastodon_server.url)
    _post(old, ws)
    old.close()
    changed = Store.open(dataclasses.replace(settings, secret_key=NEW_KEY))
    _pass(changed)
    assert _status(changed, ws)[0] == "paused"
    changed.close()

    both = Store.open(dataclasses.replace(settings, secret_key=NEW_KEY, secret_key_old=OLD_KEY))
    report = _pass(both)

    assert report.resumed == 1
    assert _states(both, ws) == [DeliveryState.SENT]
    both.close()


@pytest.mark.usefixtures("store")  # on PostgreSQL it empties the tables after
def test_lead_secrets_rotate_reads_with_an_old_key_file(
    settings: Settings, mastodon_server: RunningServer, tmp_path: Path
) -> None:
    # Set up with the generated key file, then moved to LEAD_SECRET_KEY.
    first = Store.open(settings)
    ws = _connect(first, "default", mastodon_server.url)
    first.close()
    key_file = settings.data_dir / "secret.key"
    env = {
        "LEAD_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "LEAD_SECRET_KEY": NEW_KEY,
        "LEAD_ENV": "development",
        "LEAD_WORKSPACE": None,
    }
    runner = CliRunner()

    missing = runner.invoke(app, ["secrets", "rotate"], env=env)
    done = runner.invoke(app, ["secrets", "rotate", "--old-key-file", str(key_file)], env=env)

    assert missing.exit_code == 1
    assert "could not be read" in missing.output
    assert done.exit_code == 0, done.output
    assert "Re-encrypted 1 account secret" in done.output
    key_file.unlink()
    after = Store.open(dataclasses.replace(settings, secret_key=NEW_KEY))
    with after.transaction() as session:
        account = session.scalars(select(ConnectorAccount)).one()
        assert Secrets.from_settings(after.settings).decrypt(account.secret) == TOKEN
        assert account.workspace_id == ws
    after.close()

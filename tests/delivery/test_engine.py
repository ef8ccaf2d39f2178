"""The delivery engine against the fake networks: every outcome a post can have."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from takethelead.domain.posting import DeliveryState
from takethelead.services.posting.connections import build_connector
from takethelead.services.posting.delivery import DeliveryEngine, DeliveryPolicy
from takethelead.services.posting.posts import PostRequest, create_post, list_queue
from takethelead.storage.tables import ConnectorAccount, Delivery
from tests.delivery.conftest import Connected

POLICY = DeliveryPolicy(request_timeout=3.0)
TEXT = "Referrals grow from trust: here is how we keep track of them."


def _post(connected: Connected, *targets: str, text: str = TEXT) -> int:
    with connected.store.transaction() as session:
        return create_post(
            session,
            connected.workspace_id,
            PostRequest(text=text, targets=list(targets)),
            datetime.now(UTC),
        )


def _deliveries(connected: Connected) -> dict[str, Delivery]:
    with connected.store.transaction() as session:
        return {d.network: d for d in session.scalars(select(Delivery).order_by(Delivery.id))}


def _account(connected: Connected, kind: str) -> ConnectorAccount:
    with connected.store.transaction() as session:
        found = session.scalar(select(ConnectorAccount).where(ConnectorAccount.kind == kind))
        assert found is not None
        return found


def _pass(connected: Connected) -> None:
    engine = DeliveryEngine(connected.store, POLICY, worker="test")
    engine.run_pass()
    engine.close()


def test_a_post_goes_to_every_network_once_with_its_remote_id(connected: Connected) -> None:
    _post(connected, "mastodon", "bluesky", "discourse")
    _pass(connected)
    _pass(connected)
    sent = _deliveries(connected)
    assert {d.state for d in sent.values()} == {DeliveryState.SENT}
    assert [p["id"] for p in connected.mastodon_app.state()["posts"]] == [
        sent["mastodon"].remote_id
    ]
    assert [p["uri"] for p in connected.bluesky_app.state()["posts"]] == [sent["bluesky"].remote_id]
    assert len(connected.discourse_app.state()["posts"]) == 1


def test_a_reset_after_accepting_is_found_on_the_network_not_sent_again(
    connected: Connected,
) -> None:
    connected.mastodon_app.fail("reset", path="/api/v1/statuses")
    _post(connected, "mastodon")
    _pass(connected)
    assert _deliveries(connected)["mastodon"].state == DeliveryState.UNCONFIRMED
    _pass(connected)
    delivery = _deliveries(connected)["mastodon"]
    posts = connected.mastodon_app.state()["posts"]
    assert delivery.state == DeliveryState.SENT
    assert [p["id"] for p in posts] == [delivery.remote_id]


def test_a_server_error_is_retried_later_and_never_pauses_the_account(
    connected: Connected,
) -> None:
    connected.bluesky_app.fail("server_error", path="/xrpc/com.atproto.repo.createRecord")
    _post(connected, "bluesky")
    _pass(connected)
    waiting = _deliveries(connected)["bluesky"]
    assert waiting.state == DeliveryState.QUEUED
    assert waiting.next_attempt_at is not None
    assert waiting.next_attempt_at > datetime.now(UTC)
    assert _account(connected, "bluesky").status == "active"
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=2)):
        _pass(connected)
    assert _deliveries(connected)["bluesky"].state == DeliveryState.SENT
    assert len(connected.bluesky_app.state()["posts"]) == 1


def test_a_rate_limit_waits_for_the_networks_reset_and_never_pauses(
    connected: Connected,
) -> None:
    connected.discourse_app.fail("rate_limit", path="/posts", seconds=120)
    _post(connected, "discourse")
    _pass(connected)
    waiting = _deliveries(connected)["discourse"]
    account = _account(connected, "discourse")
    assert waiting.state == DeliveryState.QUEUED
    assert waiting.attempts == 0
    assert account.status == "active"
    assert account.hold_until is not None
    assert account.hold_until > datetime.now(UTC) + timedelta(seconds=100)
    _pass(connected)
    assert _deliveries(connected)["discourse"].state == DeliveryState.QUEUED
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=3)):
        _pass(connected)
    assert _deliveries(connected)["discourse"].state == DeliveryState.SENT


def test_a_refused_token_pauses_that_account_keeps_its_posts_and_tells_the_user(
    connected: Connected,
) -> None:
    connected.mastodon_app.token = "revoked"
    _post(connected, "mastodon", "bluesky")
    _post(connected, "mastodon", text="A second post that must wait for the new token too.")
    _pass(connected)
    states = [d.state for d in _deliveries_all(connected) if d.network == "mastodon"]
    assert states == [DeliveryState.PAUSED, DeliveryState.PAUSED]
    assert _deliveries(connected)["bluesky"].state == DeliveryState.SENT
    with connected.store.transaction() as session:
        queue = list_queue(session, connected.workspace_id, datetime.now(UTC))
    assert any("mastodon" in n and "paused" in n for n in queue.notices)


def _deliveries_all(connected: Connected) -> list[Delivery]:
    with connected.store.transaction() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def test_a_rejected_post_fails_with_the_networks_reason(connected: Connected) -> None:
    _post(connected, "discourse", text="Short title\nand a body long enough for the forum.")
    _pass(connected)
    failed = _deliveries(connected)["discourse"]
    assert failed.state == DeliveryState.FAILED
    assert "Title is too short" in failed.last_error


def test_a_worker_killed_after_the_network_accepted_is_reconciled_not_resent(
    connected: Connected,
) -> None:
    _post(connected, "bluesky")
    crashed = DeliveryEngine(connected.store, POLICY, worker="crashed")
    with connected.store.transaction() as session:
        due = session.scalars(select(Delivery)).one()
    claimed = crashed._claim(due)
    assert claimed is not None
    account = _account(connected, "bluesky")
    connector = build_connector(account, "abcd-efgh-ijkl-mnop", 3.0)
    accepted = connector.publish(claimed.text, claimed.key)  # then the worker dies
    _pass(connected)
    assert _deliveries(connected)["bluesky"].state == DeliveryState.SENDING
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=3)):
        _pass(connected)
    delivery = _deliveries(connected)["bluesky"]
    assert delivery.state == DeliveryState.SENT
    assert delivery.remote_id == accepted.remote_id
    assert len(connected.bluesky_app.state()["posts"]) == 1


def test_a_worker_killed_before_sending_is_sent_once_after_the_check(
    connected: Connected,
) -> None:
    _post(connected, "discourse")
    with connected.store.transaction() as session:
        due = session.scalars(select(Delivery)).one()
    assert DeliveryEngine(connected.store, POLICY, worker="crashed")._claim(due) is not None
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=3)):
        # The stale claim turns unconfirmed, is looked for on the forum, is not there (and
        # its settle time is long past), so it is sent again with the same key.
        _pass(connected)
    delivery = _deliveries(connected)["discourse"]
    assert delivery.state == DeliveryState.SENT
    assert delivery.idempotency_key == due.idempotency_key
    assert delivery.attempts == 2
    assert len(connected.discourse_app.state()["posts"]) == 1


def test_two_workers_never_claim_the_same_delivery(connected: Connected) -> None:
    _post(connected, "mastodon")
    with connected.store.transaction() as session:
        due = session.scalars(select(Delivery)).one()
    first = DeliveryEngine(connected.store, POLICY, worker="one")
    second = DeliveryEngine(connected.store, POLICY, worker="two")
    assert first._claim(due) is not None
    assert second._claim(due) is None


def test_a_short_rate_limit_holds_the_account_for_its_retry_after_not_the_whole_window(
    connected: Connected,
) -> None:
    # Retry-After: 10 inside Mastodon's five-minute window (X-RateLimit-Reset 300 s away).
    connected.mastodon_app.fail("rate_limit", path="/api/v1/statuses", seconds=10, window=300)
    _post(connected, "mastodon")
    _pass(connected)
    account = _account(connected, "mastodon")
    assert account.hold_until is not None
    assert account.hold_until <= datetime.now(UTC) + timedelta(seconds=11)
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=15)):
        _pass(connected)
    assert _deliveries(connected)["mastodon"].state == DeliveryState.SENT

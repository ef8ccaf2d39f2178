"""Reconciliation never confuses two posts: same words, contained words, recurring posts.

The scenario of the bug: post A is published; post B has the same text (or text contained
in A's) and gets a 500 the server did not act on. B must be sent once with a status of its
own, never marked sent with A's. Each case runs while the network still replays our key
(Mastodon's Idempotency-Key, an hour) and after it forgot it, when only the text can tell.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from takethelead.connectors.markup import comparable, html_to_text
from takethelead.domain.posting import AMBIGUOUS, DeliveryState
from takethelead.services.posting.delivery import DeliveryEngine, DeliveryPolicy, PassReport
from takethelead.services.posting.posts import PostRequest, create_post, list_queue
from takethelead.storage.tables import Delivery
from tests.delivery.conftest import Connected

POLICY = DeliveryPolicy(request_timeout=3.0)
STATUSES = "/api/v1/statuses"
LONG = "Referrals grow from trust, and from the small favours nobody writes down."
SHORT = "Referrals grow from trust"
# Past Mastodon's replay of the key: only the text can tell the posts apart.
FORGOTTEN = timedelta(hours=2)


def _post(connected: Connected, text: str, **options: object) -> int:
    with connected.store.transaction() as session:
        return create_post(
            session,
            connected.workspace_id,
            PostRequest(text=text, targets=["mastodon"], **options),  # type: ignore[arg-type]
            datetime.now(UTC),
        )


def _pass(connected: Connected, later: timedelta = timedelta(0)) -> PassReport:
    with time_machine.travel(datetime.now(UTC) + later, tick=True):
        engine = DeliveryEngine(connected.store, POLICY, worker="test")
        try:
            return engine.run_pass()
        finally:
            engine.close()


def _rows(connected: Connected) -> list[Delivery]:
    with connected.store.transaction() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def _assert_each_sent_once_with_its_own_status(connected: Connected) -> None:
    rows = _rows(connected)
    statuses = {p["id"]: p for p in connected.mastodon_app.state()["posts"]}
    assert [r.state for r in rows] == [DeliveryState.SENT] * len(rows)
    assert len({r.remote_id for r in rows}) == len(rows)  # no status holds two deliveries
    assert len(statuses) == len(rows)  # and none was posted twice
    for row in rows:
        status = statuses[row.remote_id]
        assert status["key"] == row.idempotency_key  # the status this delivery made
        assert comparable(html_to_text(status["content"])) == comparable(row.text)


@pytest.mark.parametrize("later", [timedelta(0), FORGOTTEN], ids=["key-replayed", "key-gone"])
def test_a_post_with_the_same_words_as_a_sent_one_is_never_marked_sent_with_its_status(
    connected: Connected, later: timedelta
) -> None:
    _post(connected, LONG)
    _pass(connected)
    connected.mastodon_app.fail("server_error_unacted", path=STATUSES)
    _post(connected, LONG)
    _pass(connected)
    assert _rows(connected)[1].state == DeliveryState.UNCONFIRMED
    assert len(connected.mastodon_app.state()["posts"]) == 1

    _pass(connected, later)

    _assert_each_sent_once_with_its_own_status(connected)


@pytest.mark.parametrize("later", [timedelta(0), FORGOTTEN], ids=["key-replayed", "key-gone"])
def test_a_post_whose_words_are_contained_in_a_sent_one_is_sent_on_its_own(
    connected: Connected, later: timedelta
) -> None:
    _post(connected, LONG)
    _pass(connected)
    connected.mastodon_app.fail("server_error_unacted", path=STATUSES)
    _post(connected, SHORT)
    _pass(connected)

    _pass(connected, later)

    _assert_each_sent_once_with_its_own_status(connected)
    assert [r.text for r in _rows(connected)] == [LONG, SHORT]


@pytest.mark.parametrize("later", [timedelta(0), FORGOTTEN], ids=["key-replayed", "key-gone"])
def test_occurrences_of_a_recurring_post_never_take_each_others_status(
    connected: Connected, later: timedelta
) -> None:
    connected.mastodon_app.fail("server_error_unacted", path=STATUSES)
    started = datetime.now(UTC) - timedelta(days=14)
    _post(connected, LONG, at=started, every_days=7, repeat=3)
    _pass(connected)
    states = sorted(r.state for r in _rows(connected))
    assert states == [DeliveryState.SENT, DeliveryState.SENT, DeliveryState.UNCONFIRMED]

    _pass(connected, later)

    _assert_each_sent_once_with_its_own_status(connected)
    assert sorted(r.occurrence for r in _rows(connected)) == [0, 1, 2]


def _two_unconfirmed_and_one_status(connected: Connected) -> None:
    # Both answered 500 with a page; the server made the status for one of them only.
    connected.mastodon_app.fail("server_error_with_body", path=STATUSES)
    connected.mastodon_app.fail("server_error_unacted", path=STATUSES)
    _post(connected, LONG)
    _post(connected, LONG)
    _pass(connected)
    assert [r.state for r in _rows(connected)] == [DeliveryState.UNCONFIRMED] * 2
    assert len(connected.mastodon_app.state()["posts"]) == 1


def test_two_unconfirmed_posts_with_one_status_are_flagged_and_the_user_told(
    connected: Connected,
) -> None:
    _two_unconfirmed_and_one_status(connected)

    report = _pass(connected, FORGOTTEN)

    rows = _rows(connected)
    assert report.ambiguous == 2
    assert [r.state for r in rows] == [DeliveryState.UNCONFIRMED] * 2
    assert all(r.remote_id is None and r.last_error.startswith(AMBIGUOUS) for r in rows)
    assert len(connected.mastodon_app.state()["posts"]) == 1  # nothing sent again either
    with connected.store.transaction() as session:
        notices = list_queue(session, connected.workspace_id, datetime.now(UTC)).notices
    assert any("same words" in n for n in notices)
    # A later pass does not ask the network again until the flag's re-check is due.
    assert _pass(connected, FORGOTTEN).ambiguous == 0


def test_two_unconfirmed_posts_with_one_status_are_told_apart_by_the_replayed_key(
    connected: Connected,
) -> None:
    _two_unconfirmed_and_one_status(connected)

    _pass(connected)

    _assert_each_sent_once_with_its_own_status(connected)


def test_a_status_of_ours_with_the_same_words_made_before_the_attempt_is_not_taken(
    connected: Connected,
) -> None:
    # Posted by hand (no delivery holds it) a day before: too old to be this attempt's.
    with time_machine.travel(datetime.now(UTC) - timedelta(days=1), tick=True):
        connected.mastodon_app._status(connected.mastodon_app.me, LONG, None)
    connected.mastodon_app.fail("server_error_unacted", path=STATUSES)
    _post(connected, LONG)
    _pass(connected)

    _pass(connected, FORGOTTEN)

    [row] = _rows(connected)
    made = {p["id"]: p["key"] for p in connected.mastodon_app.state()["posts"]}
    assert row.state == DeliveryState.SENT
    assert len(made) == 2
    assert made[str(row.remote_id)] == row.idempotency_key


def test_a_bluesky_post_stored_before_a_500_is_read_back_under_its_record_key(
    connected: Connected,
) -> None:
    connected.bluesky_app.fail("server_error_with_body", path="/xrpc/com.atproto.repo.createRecord")
    connected.bluesky_app.fail("reset", method="GET", path="/xrpc/com.atproto.repo.getRecord")
    with connected.store.transaction() as session:
        for _ in range(2):
            create_post(
                session,
                connected.workspace_id,
                PostRequest(text=LONG, targets=["bluesky"]),
                datetime.now(UTC),
            )
    _pass(connected)
    _pass(connected, timedelta(minutes=1))

    rows = _rows(connected)
    posts = {p["uri"]: p for p in connected.bluesky_app.state()["posts"]}
    assert [r.state for r in rows] == [DeliveryState.SENT] * 2
    assert sorted(posts) == sorted(str(r.remote_id) for r in rows)
    assert all(posts[str(r.remote_id)]["key"] == r.idempotency_key for r in rows)


def test_a_bluesky_request_that_lands_after_its_retry_makes_no_second_post(
    connected: Connected,
) -> None:
    # The first request sits in the PDS's queue past our timeout; reconciliation finds
    # nothing, the post is sent again, and then the first request is handled after all.
    hasty = DeliveryPolicy(request_timeout=0.5, settle={"bluesky": timedelta(0)})
    engine = DeliveryEngine(connected.store, hasty, worker="test")
    app = connected.bluesky_app
    app.fail("late", path="/xrpc/com.atproto.repo.createRecord", seconds=3.0)
    with connected.store.transaction() as session:
        create_post(
            session, connected.workspace_id, PostRequest(text=LONG, targets=["bluesky"]),
            datetime.now(UTC),
        )  # fmt: skip
    try:
        engine.run_pass()
        assert _rows(connected)[0].state == DeliveryState.UNCONFIRMED
        engine.run_pass()
        assert _rows(connected)[0].state == DeliveryState.SENT
    finally:
        engine.close()
    app.stopping.set()  # let the held request through now
    for _ in range(200):
        with app.lock:
            if app.late_handled:
                break
        time.sleep(0.01)
    assert app.late_handled == 1
    [row] = _rows(connected)
    assert [p["uri"] for p in app.state()["posts"]] == [row.remote_id]

"""Posts as a service: validation per network, slots, recurrence, edits, cancels, manual posts.

Runs on SQLite and, with LEAD_TEST_DATABASE_URL, on PostgreSQL. Manual networks (LinkedIn,
X) need no connection; a Bluesky account row stands for a connected one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from takethelead.config import Settings
from takethelead.domain.posting import DeliveryState
from takethelead.services.core.errors import ServiceError
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.posting.manual import due_manual_posts, mark_manual_posted
from takethelead.services.posting.posts import (
    PostRequest,
    cancel_post,
    create_post,
    edit_post,
    list_queue,
    schedule_draft,
    set_slots,
)
from takethelead.storage import database
from takethelead.storage.tables import ConnectorAccount, Delivery, Post

# A Wednesday morning, UTC.
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def ws(store: Store) -> int:
    with store.transaction() as session:
        found = workspace_id(session, "default")
        session.add(
            ConnectorAccount(
                workspace_id=found,
                kind="bluesky",
                base_url="https://bsky.social",
                handle="ana.bsky.social",
                secret="not used here",
            )
        )
    return found


def _create(store: Store, ws: int, request: PostRequest) -> int:
    with store.transaction() as session:
        return create_post(session, ws, request, NOW)


def _deliveries(store: Store, post_id: int) -> list[Delivery]:
    with store.transaction() as session:
        return list(
            session.scalars(
                select(Delivery)
                .where(Delivery.post_id == post_id)
                .order_by(Delivery.occurrence, Delivery.network)
            )
        )


def test_a_post_too_long_for_bluesky_is_refused_naming_bluesky_and_nothing_is_written(
    store: Store, ws: int
) -> None:
    too_long = "é" * 301
    with pytest.raises(ServiceError, match=r"^bluesky: The post is 301 characters long"):
        _create(store, ws, PostRequest(text=too_long, targets=["linkedin", "bluesky"]))
    with store.transaction() as session:
        assert session.scalars(select(Post)).all() == []


def test_graphemes_not_code_points_are_what_bluesky_counts(store: Store, ws: int) -> None:
    accented = "e\u0301"  # two code points, one grapheme
    post_id = _create(store, ws, PostRequest(text=accented * 300, targets=["bluesky"]))
    assert len(_deliveries(store, post_id)) == 1


def test_a_variant_carries_its_own_text_and_is_checked_against_its_network(
    store: Store, ws: int
) -> None:
    long_text = "A" * 400
    post_id = _create(
        store,
        ws,
        PostRequest(
            text=long_text, targets=["linkedin", "bluesky"], variants={"bluesky": "Short one."}
        ),
    )
    texts = {d.network: d.text for d in _deliveries(store, post_id)}
    assert texts == {"bluesky": "Short one.", "linkedin": long_text}


def test_a_network_without_an_account_is_named_in_the_error(store: Store, ws: int) -> None:
    with pytest.raises(ServiceError, match="mastodon: no account connected"):
        _create(store, ws, PostRequest(text="Hello", targets=["mastodon"]))


def test_the_next_free_slot_skips_slots_already_taken(store: Store, ws: int) -> None:
    with store.transaction() as session:
        set_slots(session, ws, "linkedin", "mon-fri 09:00,13:00")
    first = _create(store, ws, PostRequest(text="One", targets=["linkedin"], next_slot=True))
    second = _create(store, ws, PostRequest(text="Two", targets=["linkedin"], next_slot=True))
    due = [_deliveries(store, p)[0].due_at for p in (first, second)]
    assert due == [datetime(2026, 3, 4, 13, 0, tzinfo=UTC), datetime(2026, 3, 5, 9, 0, tzinfo=UTC)]


def test_next_slot_without_slots_says_how_to_set_them(store: Store, ws: int) -> None:
    with pytest.raises(ServiceError, match="linkedin: no posting slots; set them with lead slots"):
        _create(store, ws, PostRequest(text="One", targets=["linkedin"], next_slot=True))


def test_a_recurring_post_gets_one_delivery_per_occurrence_with_distinct_keys(
    store: Store, ws: int
) -> None:
    post_id = _create(
        store,
        ws,
        PostRequest(text="Office hours", targets=["linkedin", "x"], every_days=7, repeat=4, at=NOW),
    )
    rows = _deliveries(store, post_id)
    assert [(d.occurrence, d.network) for d in rows][:2] == [(0, "linkedin"), (0, "x")]
    assert len(rows) == 8
    assert [d.due_at for d in rows if d.network == "x"] == [
        NOW + timedelta(days=7 * n) for n in range(4)
    ]
    assert len({d.idempotency_key for d in rows}) == 8


def test_a_draft_has_no_deliveries_until_it_is_scheduled(store: Store, ws: int) -> None:
    post_id = _create(store, ws, PostRequest(text="Later", targets=["linkedin"], draft=True))
    assert _deliveries(store, post_id) == []
    with store.transaction() as session:
        schedule_draft(session, ws, post_id, NOW + timedelta(hours=1), False, NOW)
    assert [d.due_at for d in _deliveries(store, post_id)] == [NOW + timedelta(hours=1)]


def test_cancel_stops_waiting_deliveries_and_keeps_what_was_sent(store: Store, ws: int) -> None:
    post_id = _create(store, ws, PostRequest(text="Hello", targets=["linkedin", "x"], at=NOW))
    with store.transaction() as session:
        mark_manual_posted(session, ws, post_id, "x", "https://x.com/ana/status/1")
        change = cancel_post(session, ws, post_id)
    states = {d.network: d.state for d in _deliveries(store, post_id)}
    assert change.changed == 1
    assert change.untouched == [("x", "sent")]
    assert states == {"linkedin": DeliveryState.CANCELLED, "x": DeliveryState.SENT}


def test_an_edit_keeps_the_delivery_its_key_and_its_time(store: Store, ws: int) -> None:
    post_id = _create(store, ws, PostRequest(text="Draft words", targets=["linkedin"], at=NOW))
    before = _deliveries(store, post_id)[0]
    with store.transaction() as session:
        edit_post(session, ws, post_id, "Better words")
    after = _deliveries(store, post_id)[0]
    assert (after.id, after.idempotency_key, after.due_at, after.state) == (
        before.id,
        before.idempotency_key,
        before.due_at,
        DeliveryState.QUEUED,
    )
    assert after.text == "Better words"


def test_due_manual_posts_give_the_text_and_the_page_to_open(store: Store, ws: int) -> None:
    _create(store, ws, PostRequest(text="Hello & welcome", targets=["linkedin"], at=NOW))
    _create(store, ws, PostRequest(text="Next month", targets=["x"], at=NOW + timedelta(days=30)))
    with store.transaction() as session:
        due = due_manual_posts(session, ws, NOW)
        queue = list_queue(session, ws, NOW)
    assert [(m.network, m.text) for m in due] == [("linkedin", "Hello & welcome")]
    assert due[0].open_url.endswith("text=Hello%20%26%20welcome")
    assert len(queue.deliveries) == 2


def test_data_written_under_0004_survives_the_upgrade_to_0005_and_posts_can_follow(
    settings: Settings,
) -> None:
    engine = database.make_engine(settings.database_url)
    if database.current_revision(engine):
        database.downgrade(engine, "base")
    database.upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO workspace (name, is_demo, created_at) VALUES ('default', false, 0)")
        )
        ws = connection.execute(text("SELECT id FROM workspace")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO network (workspace_id, name, kind, url, created_at) "
                "VALUES (:ws, 'LinkedIn', 'linkedin', '', 0)"
            ),
            {"ws": ws},
        )
    database.upgrade(engine)
    store = Store(settings=settings, engine=engine, sessions=database.session_factory(engine))
    with store.transaction() as session:
        assert workspace_id(session, "default", create=False) == ws
        post_id = create_post(
            session, ws, PostRequest(text="After the upgrade", targets=["linkedin"]), NOW
        )
        names = session.execute(text("SELECT name FROM network")).scalars().all()
    assert names == ["LinkedIn"]
    assert [d.state for d in _deliveries(store, post_id)] == [DeliveryState.QUEUED]
    database.downgrade(engine, "base")
    engine.dispose()


def test_two_accounts_of_one_network_in_one_post_are_refused_not_dropped(
    store: Store, ws: int
) -> None:
    with store.transaction() as session:
        session.add(
            ConnectorAccount(
                workspace_id=ws,
                kind="bluesky",
                base_url="https://bsky.social",
                handle="studio.bsky.social",
                secret="not used here",
            )
        )
    request = PostRequest(
        text="Two hats", targets=["bluesky:ana.bsky.social", "bluesky:studio.bsky.social"]
    )
    with pytest.raises(ServiceError, match="one account per network in a post"):
        _create(store, ws, request)
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Post)) == 0

"""The weekly plan meets the posting queue: manual posts, the automation block, the notices.

Runs on SQLite and, with LEAD_TEST_DATABASE_URL, on PostgreSQL. LinkedIn and X need no
connection; a Bluesky account row stands for a connected network.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import delete, select, update

from takethelead.domain.posting import DeliveryState
from takethelead.services.core.errors import ServiceError
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.planning import actions as planactions
from takethelead.services.planning import weekly as planning
from takethelead.services.planning.digest import plan_markdown
from takethelead.services.planning.ics import parse_preferred_hours, plan_calendar
from takethelead.services.posting.manual import mark_manual_posted
from takethelead.services.posting.posts import PostRequest, create_post
from takethelead.storage.tables import (
    ConnectorAccount,
    Delivery,
    Interaction,
    Network,
    Person,
    Plan,
    PlanAutomatedOnly,
)

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday, ISO week 10
TEXT = "Three things I learnt from 40 client workshops: https://example.org/notes #coaching"


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ws(store: Store, clock: None) -> int:
    with store.transaction() as session:
        found = workspace_id(session, "posting")
        session.add(Person(workspace_id=found, full_name="Sam Me", is_me=True))
        session.add(Network(workspace_id=found, name="Bluesky", kind="bluesky"))
        session.add(
            ConnectorAccount(
                workspace_id=found,
                kind="bluesky",
                base_url="https://bsky.social",
                handle="sam.bsky.social",
                secret="not used here",
            )
        )
    return found


def _post(store: Store, ws: int, text: str, to: str, at: datetime) -> int:
    with store.transaction() as session:
        return create_post(session, ws, PostRequest(text=text, targets=[to], at=at), NOW)


def test_a_manual_post_due_this_week_becomes_an_action_with_its_text_and_link(
    store: Store, ws: int
) -> None:
    post = _post(store, ws, TEXT, "linkedin", NOW + timedelta(days=1))
    _post(store, ws, "Next week's post", "linkedin", NOW + timedelta(days=9))
    with store.transaction() as session:
        view = planning.make_plan(session, ws)
    manual = [i for i in view.items if i.kind == "manual-post"]
    assert len(manual) == 1  # the one due after Sunday waits for its week
    item = manual[0]
    assert item.title == "Post by hand on LinkedIn"
    assert item.reason == "due tomorrow on a network without automation: paste it by hand"
    assert item.post_id == post and item.post_text == TEXT
    assert item.open_url is not None
    assert item.open_url.startswith("https://www.linkedin.com/feed/?shareActive=true&text=")
    assert "Three%20things" in item.open_url


def test_the_text_is_ready_to_paste_in_markdown_and_in_the_calendar(store: Store, ws: int) -> None:
    tricky = "Code: ``x`` and *stars*\nSecond line"
    _post(store, ws, tricky, "x", NOW)
    with store.transaction() as session:
        view = planning.make_plan(session, ws)
    item = next(i for i in view.items if i.kind == "manual-post")
    markdown = plan_markdown(view)
    # Verbatim inside a fence longer than any run of backticks in the text.
    assert "   ```text\n   Code: ``x`` and *stars*\n   Second line\n   ```" in markdown
    assert f"[Open the page to post it]({item.open_url})" in markdown
    calendar = plan_calendar(view, parse_preferred_hours("mon-fri 09:00-17:00")).decode()
    unfolded = calendar.replace("\r\n ", "")
    assert "Text to paste:\\nCode: ``x`` and *stars*\\nSecond line" in unfolded
    assert "Open: https://x.com/intent/post?text=" in unfolded


def test_done_on_a_manual_post_marks_it_posted_with_its_address(store: Store, ws: int) -> None:
    post = _post(store, ws, TEXT, "linkedin", NOW - timedelta(hours=2))
    with store.transaction() as session:
        view = planning.make_plan(session, ws)
        number = next(i.number for i in view.items if i.kind == "manual-post")
        closed = planactions.mark_done(
            session, ws, number, url="https://www.linkedin.com/posts/sam-1"
        )
    assert closed.kind == "manual-post" and closed.status == "done"
    with store.transaction() as session:
        delivery = session.scalars(select(Delivery).where(Delivery.post_id == post)).one()
        assert delivery.state == DeliveryState.SENT
        assert delivery.remote_url == "https://www.linkedin.com/posts/sam-1"
        again = planning.make_plan(session, ws)  # regenerated: not proposed a second time
    assert [i.status for i in again.items if i.kind == "manual-post"] == ["done"]
    assert next(i for i in again.items if i.kind == "manual-post").post_text == TEXT


def test_a_post_marked_from_the_queue_first_is_done_in_the_plan_without_an_error(
    store: Store, ws: int
) -> None:
    post = _post(store, ws, TEXT, "linkedin", NOW)
    with store.transaction() as session:
        view = planning.make_plan(session, ws)
        number = next(i.number for i in view.items if i.kind == "manual-post")
        mark_manual_posted(session, ws, post, "linkedin")
        assert planactions.mark_done(session, ws, number).status == "done"


def test_an_address_is_refused_for_an_action_that_is_not_a_manual_post(
    store: Store, ws: int
) -> None:
    with store.transaction() as session:
        view = planning.make_plan(session, ws)
        number = next(i.number for i in view.items if i.kind == "automation")
        with pytest.raises(ServiceError, match="url: only for a manual post"):
            planactions.mark_done(session, ws, number, url="https://example.org")


def test_two_occurrences_of_one_recurring_post_are_two_actions_marked_in_due_order(
    store: Store, ws: int
) -> None:
    with store.transaction() as session:
        post = create_post(
            session,
            ws,
            PostRequest(text=TEXT, targets=["linkedin"], at=NOW, every_days=2, repeat=2),
            NOW,
        )
        view = planning.make_plan(session, ws)
        manual = [i for i in view.items if i.kind == "manual-post"]
        assert len(manual) == 2 and len({i.delivery_id for i in manual}) == 2
        later = max(manual, key=lambda i: i.delivery_id or 0)
        planactions.mark_done(session, ws, later.number)
        states = dict(
            session.execute(
                select(Delivery.id, Delivery.state).where(Delivery.post_id == post)
            ).all()
        )
    assert later.delivery_id is not None
    assert states[later.delivery_id] == DeliveryState.SENT
    assert sorted(states.values()) == [DeliveryState.QUEUED, DeliveryState.SENT]


def test_the_automation_block_counts_the_posts_scheduled_this_week(store: Store, ws: int) -> None:
    with store.transaction() as session:
        fallback = planning.make_plan(session, ws)
    block = next(i for i in fallback.items if i.kind == "automation")
    assert block.reason == (
        "nothing scheduled yet this week: schedule 3 posts to 1 network in one sitting "
        "(3 a week, your posts_per_week setting)"
    )
    assert block.minutes == 5 + 3 * 3
    for days in (1, 2, 3, 4):
        _post(store, ws, f"Post {days}", "bluesky", NOW + timedelta(days=days))
    _post(store, ws, "After Sunday", "bluesky", NOW + timedelta(days=6))  # next week
    with store.transaction() as session:
        counted = planning.make_plan(session, ws, seed=10)
    block = next(i for i in counted.items if i.kind == "automation")
    assert block.reason == (
        "4 posts are scheduled this week to 1 network: check them and fill the gaps in one sitting"
    )
    assert block.minutes == 5 + 3 * 4


def test_queue_notices_are_shown_under_the_plan(store: Store, ws: int) -> None:
    post = _post(store, ws, TEXT, "bluesky", NOW - timedelta(hours=1))
    with store.transaction() as session:
        session.execute(
            update(ConnectorAccount)
            .where(ConnectorAccount.workspace_id == ws)
            .values(status="paused", status_reason="The app password was revoked.")
        )
        session.execute(
            update(Delivery).where(Delivery.post_id == post).values(state="unconfirmed")
        )
        view = planning.make_plan(session, ws)
        shown = planning.current_plan(session, ws)
    assert view.notices == (
        "bluesky (sam.bsky.social) is paused: The app password was revoked. Its posts wait; "
        "reconnect with lead connect bluesky.",
        "1 post(s) may or may not have gone out; they are checked on the network before any retry.",
    )
    assert shown is not None and shown.notices == view.notices
    assert "- 1 post(s) may or may not have gone out" in plan_markdown(view)


def test_the_stored_plan_is_read_back_with_the_balance_it_was_built_with(
    store: Store, ws: int
) -> None:
    with store.transaction() as session:
        me = session.scalar(select(Person.id).where(Person.workspace_id == ws))
        assert me is not None
        ana = Person(workspace_id=ws, full_name="Ana")
        session.add(ana)
        session.flush()
        for days, automated in ((1, True), (2, True), (3, False), (40, True)):
            session.add(
                Interaction(
                    workspace_id=ws,
                    person_id=ana.id,
                    occurred_at=NOW - timedelta(days=days),
                    kind="mention",
                    direction="outbound",
                    automated=automated,
                    source="test",
                    external_id=f"ana-{days}",
                )
            )
        built = planning.make_plan(session, ws)
        read = planning.current_plan(session, ws)
    assert read is not None and read.balance == built.balance
    assert (built.balance.automated, built.balance.personal) == (2, 1)
    assert read.items == built.items


def test_a_plan_stored_without_its_balance_counts_it_from_the_last_30_days(
    store: Store, ws: int
) -> None:
    with store.transaction() as session:
        bob = Person(workspace_id=ws, full_name="Bob")
        session.add(bob)
        session.flush()
        for days in (1, 5, 31):
            session.add(
                Interaction(
                    workspace_id=ws,
                    person_id=bob.id,
                    occurred_at=NOW - timedelta(days=days),
                    kind="mention",
                    direction="outbound",
                    automated=True,
                    source="test",
                    external_id=f"bob-{days}",
                )
            )
        built = planning.make_plan(session, ws)
        # As a plan made before the balance was kept with it reads.
        session.execute(
            update(Plan)
            .where(Plan.id == built.plan_id)
            .values(balance_automated=None, balance_personal=None, balance_automated_only=None)
        )
        session.execute(delete(PlanAutomatedOnly).where(PlanAutomatedOnly.plan_id == built.plan_id))
        read = planning.current_plan(session, ws)
    assert read is not None and read.balance == built.balance
    assert read.balance.sentence == (
        "Last 30 days: 100% of your 2 touches were automated, 0% personal; "
        "1 relationship got only automated touches: Bob."
    )

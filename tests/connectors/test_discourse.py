"""The Discourse connector against a local forum speaking Discourse's REST API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from takethelead.connectors.base import (
    AuthExpired,
    NeverSent,
    RateLimited,
    Rejected,
    UnknownOutcome,
)
from takethelead.connectors.discourse import DiscourseConnector
from takethelead.connectors.http import AddressRefused
from takethelead.domain.records import IdentityKind, InteractionKind
from tests.servers.base import RunningServer
from tests.servers.discourse import API_KEY, USERNAME, DiscourseApp

POSTS = "/posts.json"
LONG_ENOUGH = "Looking for introductions to founders who need a coach."


@pytest.fixture
def forum(discourse_server: RunningServer) -> Iterator[DiscourseConnector]:
    connector = connect(discourse_server)
    yield connector
    connector.close()


def connect(server: RunningServer, timeout: float = 2.0, **options: int) -> DiscourseConnector:
    return DiscourseConnector(
        server.url, API_KEY, USERNAME, allow_private=True, timeout=timeout, **options
    )


def app_of(server: RunningServer) -> DiscourseApp:
    assert isinstance(server.app, DiscourseApp)
    return server.app


def test_publish_opens_a_topic_titled_by_the_first_line(
    discourse_server: RunningServer, forum: DiscourseConnector
) -> None:
    result = forum.publish("Who needs a coach this month?\n\n" + LONG_ENOUGH, "d1")

    [post] = app_of(discourse_server).own_posts()
    assert result.remote_id == str(post["id"])
    assert (
        result.url == f"{discourse_server.url}/t/who-needs-a-coach-this-month/{post['topic_id']}/1"
    )
    assert post["topic_title"] == "Who needs a coach this month?"
    assert "<!--" not in post["cooked"]


def test_publish_replies_in_a_configured_topic(discourse_server: RunningServer) -> None:
    topic = app_of(discourse_server).add_post(
        "sam", "Introduce yourself here, everyone!", title="Introductions thread"
    )
    forum = connect(discourse_server, topic_id=topic["topic_id"])
    try:
        result = forum.publish(LONG_ENOUGH, "d2")
    finally:
        forum.close()
    assert result.url.endswith(f"/{topic['topic_id']}/2")


def test_retry_with_the_same_key_creates_no_duplicate(
    discourse_server: RunningServer, forum: DiscourseConnector
) -> None:
    first = forum.publish(LONG_ENOUGH, "d3")
    second = forum.publish(LONG_ENOUGH, "d3")
    assert first == second
    assert len(app_of(discourse_server).own_posts()) == 1


def test_a_reset_after_accepting_is_unknown_and_reconcile_finds_the_post(
    discourse_server: RunningServer, forum: DiscourseConnector
) -> None:
    app_of(discourse_server).fail("reset", path=POSTS)
    with pytest.raises(UnknownOutcome):
        forum.publish(LONG_ENOUGH + " [ttl-4]", "d4")

    [found] = forum.posted_since(datetime.now(UTC) - timedelta(minutes=1))
    retried = forum.publish(LONG_ENOUGH + " [ttl-4]", "d4")

    assert (found.key, found.text) == ("d4", LONG_ENOUGH + " [ttl-4]")
    assert (found.remote_id, found.url) == (retried.remote_id, retried.url)
    assert len(app_of(discourse_server).own_posts()) == 1


def test_a_slow_answer_past_the_timeout_is_an_unknown_outcome(
    discourse_server: RunningServer,
) -> None:
    app_of(discourse_server).fail("slow", path=POSTS, seconds=1.5)
    forum = connect(discourse_server, timeout=0.3)
    try:
        with pytest.raises(UnknownOutcome):
            forum.publish(LONG_ENOUGH, "d5")
    finally:
        forum.close()


def test_a_refused_connection_never_sent_the_post(closed_port: int) -> None:
    forum = DiscourseConnector(
        f"http://127.0.0.1:{closed_port}", API_KEY, USERNAME, allow_private=True
    )
    with pytest.raises(NeverSent) as raised:
        forum.publish(LONG_ENOUGH, "d6")
    assert not isinstance(raised.value, UnknownOutcome)
    forum.close()


def test_a_rate_limit_carries_retry_after(
    discourse_server: RunningServer, forum: DiscourseConnector
) -> None:
    app_of(discourse_server).fail("rate_limit", path=POSTS, seconds=30)
    with pytest.raises(RateLimited) as raised:
        forum.publish(LONG_ENOUGH, "d7")
    reset_at = raised.value.reset_at
    assert reset_at is not None
    assert timedelta(seconds=25) < reset_at - datetime.now(UTC) <= timedelta(seconds=31)


def test_a_bad_api_key_is_an_expired_authorisation(discourse_server: RunningServer) -> None:
    forum = DiscourseConnector(discourse_server.url, "wrong", USERNAME, allow_private=True)
    try:
        with pytest.raises(AuthExpired, match="invalid"):
            forum.publish(LONG_ENOUGH, "d8")
    finally:
        forum.close()
    assert app_of(discourse_server).own_posts() == []


def test_server_errors_split_on_whether_a_body_came_back(
    discourse_server: RunningServer, forum: DiscourseConnector
) -> None:
    app_of(discourse_server).fail("server_error", path=POSTS)
    with pytest.raises(NeverSent):
        forum.publish(LONG_ENOUGH, "d9")
    app_of(discourse_server).fail("server_error_with_body", path=POSTS)
    with pytest.raises(UnknownOutcome):
        forum.publish(LONG_ENOUGH, "d10")


def test_a_refused_post_carries_the_forums_reasons(forum: DiscourseConnector) -> None:
    with pytest.raises(Rejected, match=r"Title is too short \(minimum is 15 characters\)"):
        forum.publish("Hi\n\n" + LONG_ENOUGH, "d11")


def test_a_private_address_is_refused_unless_allowed(discourse_server: RunningServer) -> None:
    forum = DiscourseConnector(discourse_server.url, API_KEY, USERNAME)
    try:
        with pytest.raises(AddressRefused):
            forum.publish(LONG_ENOUGH, "d12")
    finally:
        forum.close()
    assert app_of(discourse_server).requests == []


def test_the_inbox_finds_replies_to_our_posts_and_mentions(
    discourse_server: RunningServer, forum: DiscourseConnector
) -> None:
    app = app_of(discourse_server)
    ours = forum.publish("What makes a good referral?\n\n" + LONG_ENOUGH, "d13")
    topic = app.own_posts()[0]["topic_id"]
    app.add_post("ana", "A warm introduction with context.", topic_id=topic)
    app.add_post(
        "bo", "Agreed with Ana, and a follow-up call.", topic_id=topic, reply_to_post_number=2
    )
    app.add_post(
        "cy", "Direct reply to the first post here.", topic_id=topic, reply_to_post_number=1
    )
    elsewhere = app.add_post("di", "Unrelated topic opening post", title="Unrelated topic here")
    app.add_post("ed", "@lead you should meet Di about this", topic_id=elsewhere["topic_id"])

    page = forum.fetch_inbox(None)

    assert [i.interaction.kind for i in page.items] == [
        InteractionKind.REPLY,
        InteractionKind.REPLY,
        InteractionKind.MENTION,
    ]
    assert [i.in_reply_to for i in page.items] == [ours.remote_id, ours.remote_id, None]
    who = [i.interaction.counterpart[0] for i in page.items]
    assert [(c.kind, c.value) for c in who] == [
        (IdentityKind.FORUM, "127.0.0.1/ana"),
        (IdentityKind.FORUM, "127.0.0.1/cy"),
        (IdentityKind.FORUM, "127.0.0.1/ed"),
    ]


def test_the_inbox_reads_back_to_the_cursor_and_looks_up_older_parents(
    discourse_server: RunningServer, forum: DiscourseConnector
) -> None:
    app = app_of(discourse_server)
    ours = forum.publish("An older post of ours, far back.\n\n" + LONG_ENOUGH, "d14")
    topic = app.own_posts()[0]["topic_id"]
    first = forum.fetch_inbox(None)
    for n in range(60):
        app.add_post(
            f"filler{n}", "Busy forum chatter, nothing for us.", title=f"Filler topic {n:03}"
        )
    app.add_post(
        "late", "Replying to the old post at last.", topic_id=topic, reply_to_post_number=1
    )
    for n in range(60, 120):
        app.add_post(
            f"filler{n}", "Busy forum chatter, nothing for us.", title=f"Filler topic {n:03}"
        )

    second = forum.fetch_inbox(first.next_since)
    third = forum.fetch_inbox(second.next_since)

    assert first.items == []
    assert [(i.interaction.counterpart[0].value, i.in_reply_to) for i in second.items] == [
        ("127.0.0.1/late", ours.remote_id)
    ]
    assert third.items == []
    assert third.next_since == second.next_since

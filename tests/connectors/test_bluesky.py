"""The Bluesky connector against a local PDS speaking the XRPC methods atproto calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from takethelead.connectors.base import (
    AuthExpired,
    NeverSent,
    RateLimited,
    Rejected,
    UnknownOutcome,
)
from takethelead.connectors.bluesky import BlueskyConnector
from takethelead.connectors.bluesky.connector import KEY_FIELD
from takethelead.connectors.http import AddressRefused
from takethelead.domain.posting import record_key
from takethelead.domain.records import IdentityKind, InteractionKind
from tests.servers.base import RunningServer
from tests.servers.bluesky import HANDLE, PASSWORD, BlueskyApp


def connect(server: RunningServer, timeout: float = 2.0) -> BlueskyConnector:
    return BlueskyConnector(
        HANDLE, PASSWORD, base_url=server.url, allow_private=True, timeout=timeout
    )


def app_of(server: RunningServer) -> BlueskyApp:
    assert isinstance(server.app, BlueskyApp)
    return server.app


CREATE = "/xrpc/com.atproto.repo.createRecord"
STARTED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_publish_returns_the_at_uri_and_a_web_link(bluesky_server: RunningServer) -> None:
    result = connect(bluesky_server).publish("Hello @ana.example.com, see https://x.org", "p1")

    [post] = app_of(bluesky_server).own_posts()
    assert result.remote_id == post["uri"]
    assert result.url == f"https://bsky.app/profile/{HANDLE}/post/{post['uri'].rsplit('/', 1)[1]}"
    assert post["value"][KEY_FIELD] == "p1"
    features = [f["features"][0]["$type"] for f in post["value"]["facets"]]
    assert features == ["app.bsky.richtext.facet#mention", "app.bsky.richtext.facet#link"]


def test_the_session_is_created_once_and_reused(bluesky_server: RunningServer) -> None:
    bluesky = connect(bluesky_server)
    bluesky.publish("one", "p2")
    bluesky.publish("two", "p3")
    bluesky.fetch_inbox(None)
    assert app_of(bluesky_server).sessions_created == 1


def test_an_exported_session_logs_in_without_a_new_session(
    bluesky_server: RunningServer,
) -> None:
    saved = connect(bluesky_server).export_session()
    again = BlueskyConnector(
        HANDLE, "", base_url=bluesky_server.url, allow_private=True, session_string=saved
    )
    again.publish("from a saved session", "p4")
    assert app_of(bluesky_server).sessions_created == 1


def test_retry_with_the_same_key_creates_no_duplicate(bluesky_server: RunningServer) -> None:
    bluesky = connect(bluesky_server)
    first = bluesky.publish("Only once", "p5", first_attempt=True, started_at=STARTED)
    second = bluesky.publish("Only once", "p5", started_at=STARTED)
    assert first == second
    assert len(app_of(bluesky_server).own_posts()) == 1


def test_each_post_gets_a_record_key_of_its_own_that_is_a_tid(
    bluesky_server: RunningServer,
) -> None:
    bluesky = connect(bluesky_server)
    made = bluesky.publish("Keyed by us", "p5b", started_at=STARTED)
    other = bluesky.publish("Keyed by us", "p5c", started_at=STARTED)

    assert made.remote_id.rsplit("/", 1)[1] == record_key("p5b", STARTED)
    assert other.remote_id != made.remote_id
    assert len(record_key("p5b", STARTED)) == 13


def test_the_fake_pds_refuses_a_taken_record_key_as_the_reference_pds_does(
    bluesky_server: RunningServer,
) -> None:
    bluesky = connect(bluesky_server)
    bluesky.publish("First under the key", "p5d", started_at=STARTED)
    with pytest.raises(UnknownOutcome):  # 500 InternalServerError with a body
        bluesky._call(
            lambda: bluesky._client.app.bsky.feed.post.create(
                bluesky._login(),
                bluesky._client.app.bsky.feed.post.get(
                    bluesky._login(), record_key("p5d", STARTED)
                ).value,
                rkey=record_key("p5d", STARTED),
            )
        )
    assert len(app_of(bluesky_server).own_posts()) == 1


def test_a_reset_after_accepting_is_read_back_under_its_record_key(
    bluesky_server: RunningServer,
) -> None:
    app_of(bluesky_server).fail("reset", path=CREATE)
    bluesky = connect(bluesky_server)

    made = bluesky.publish("Did it go? [ttl-6]", "p6", first_attempt=True, started_at=STARTED)
    retried = bluesky.publish("Did it go? [ttl-6]", "p6", started_at=STARTED)
    [listed] = bluesky.posted_since(STARTED - timedelta(days=1))

    assert made == retried
    assert (listed.remote_id, listed.key) == (made.remote_id, "p6")
    assert listed.text == "Did it go? [ttl-6]"
    assert len(app_of(bluesky_server).own_posts()) == 1


def test_a_retry_after_an_unanswered_500_is_refused_by_the_key_and_read_back(
    bluesky_server: RunningServer,
) -> None:
    app_of(bluesky_server).fail("server_error_with_body", path=CREATE)
    bluesky = connect(bluesky_server)
    bluesky.export_session()
    app_of(bluesky_server).fail("reset", method="GET", path="/xrpc/com.atproto.repo.getRecord")

    with pytest.raises(UnknownOutcome):
        bluesky.publish("Stored, then a 500", "p6b", first_attempt=True, started_at=STARTED)
    retried = bluesky.publish("Stored, then a 500", "p6b", started_at=STARTED)

    [post] = app_of(bluesky_server).own_posts()
    assert retried.remote_id == post["uri"]


def test_a_record_key_holding_another_post_is_never_taken_for_this_one(
    bluesky_server: RunningServer,
) -> None:
    bluesky = connect(bluesky_server)
    bluesky.publish("Someone else's words", "p6c", started_at=STARTED)
    rkey = record_key("p6c", STARTED)
    with app_of(bluesky_server).lock:
        app_of(bluesky_server).records[0]["value"][KEY_FIELD] = "another-key"

    with pytest.raises(Rejected):
        bluesky.publish("Someone else's words", "p6c", started_at=STARTED)
    assert app_of(bluesky_server).own_posts()[0]["uri"].endswith(rkey)


def test_a_slow_answer_past_the_timeout_is_unknown_unless_the_record_is_there(
    bluesky_server: RunningServer,
) -> None:
    bluesky = connect(bluesky_server, timeout=0.3)
    bluesky.export_session()  # log in before the server turns slow
    app_of(bluesky_server).fail("slow", path=CREATE, seconds=1.5)
    app_of(bluesky_server).fail("reset", method="GET", path="/xrpc/com.atproto.repo.getRecord")
    with pytest.raises(UnknownOutcome):
        bluesky.publish("slowly", "p7", started_at=STARTED)
    # Stored meanwhile: the record under its key is read back, not posted again.
    app_of(bluesky_server).fail("slow", path=CREATE, seconds=1.5)
    found = bluesky.publish("slowly", "p7", started_at=STARTED)
    assert [p["uri"] for p in app_of(bluesky_server).own_posts()] == [found.remote_id]


def test_a_refused_connection_never_sent_the_post(closed_port: int) -> None:
    bluesky = BlueskyConnector(
        HANDLE, PASSWORD, base_url=f"http://127.0.0.1:{closed_port}", allow_private=True
    )
    with pytest.raises(NeverSent) as raised:
        bluesky.publish("nobody home", "p8")
    assert not isinstance(raised.value, UnknownOutcome)


def test_a_rate_limit_says_when_it_resets(bluesky_server: RunningServer) -> None:
    app_of(bluesky_server).fail("rate_limit", path=CREATE, seconds=600)
    with pytest.raises(RateLimited) as raised:
        connect(bluesky_server).publish("too fast", "p9")
    reset_at = raised.value.reset_at
    assert reset_at is not None
    assert timedelta(seconds=590) < reset_at - datetime.now(UTC) < timedelta(seconds=610)
    assert app_of(bluesky_server).own_posts() == []


def test_retry_after_wins_over_the_ratelimit_reset(bluesky_server: RunningServer) -> None:
    app_of(bluesky_server).fail("rate_limit", path=CREATE, seconds=10, window=3600)
    with pytest.raises(RateLimited) as raised:
        connect(bluesky_server).publish("too fast again", "p9b")
    reset_at = raised.value.reset_at
    assert reset_at is not None
    assert timedelta(seconds=5) < reset_at - datetime.now(UTC) <= timedelta(seconds=11)


def test_a_wrong_app_password_is_an_expired_authorisation(
    bluesky_server: RunningServer,
) -> None:
    bluesky = BlueskyConnector(HANDLE, "wrong", base_url=bluesky_server.url, allow_private=True)
    with pytest.raises(AuthExpired):
        bluesky.publish("never", "p10")


def test_a_revoked_token_pauses_instead_of_failing(bluesky_server: RunningServer) -> None:
    app_of(bluesky_server).fail("unauthorized", path=CREATE)
    with pytest.raises(AuthExpired):
        connect(bluesky_server).publish("token gone", "p11")
    assert app_of(bluesky_server).own_posts() == []


def test_server_errors_split_on_whether_a_body_came_back(bluesky_server: RunningServer) -> None:
    bluesky = connect(bluesky_server)
    app_of(bluesky_server).fail("server_error", path=CREATE)
    with pytest.raises(NeverSent):
        bluesky.publish("first try", "p12")
    app_of(bluesky_server).fail("server_error_unacted", path=CREATE)
    with pytest.raises(UnknownOutcome):
        bluesky.publish("second try", "p13")
    assert app_of(bluesky_server).own_posts() == []


def test_an_oversized_record_is_rejected_with_the_reason(bluesky_server: RunningServer) -> None:
    with pytest.raises(Rejected, match="InvalidRecord"):
        connect(bluesky_server).publish("\U0001f3f4\U000e0067" * 800, "p14")


def test_a_private_address_is_refused_unless_allowed(bluesky_server: RunningServer) -> None:
    bluesky = BlueskyConnector(HANDLE, PASSWORD, base_url=bluesky_server.url)
    with pytest.raises(AddressRefused):
        bluesky.publish("should not leave", "p15")
    assert app_of(bluesky_server).requests == []


def test_the_inbox_ties_replies_likes_reposts_and_quotes_to_our_post(
    bluesky_server: RunningServer,
) -> None:
    bluesky = connect(bluesky_server)
    ours = bluesky.publish("What is a good lead for you?", "p16")
    app = app_of(bluesky_server)
    app.notify("reply", "ana.example.com", ours.remote_id, "A founder who needs a coach")
    app.notify("like", "bo.example.com", ours.remote_id)
    app.notify("repost", "cy.example.com", ours.remote_id)
    app.notify("quote", "di.example.com", ours.remote_id, "Worth reading")
    app.notify("follow", "ed.example.com")
    app.notify("mention", "fa.example.com", None, "@lead.example.com meet Gil")

    page = bluesky.fetch_inbox(None)

    assert [i.interaction.kind for i in page.items] == [
        InteractionKind.REPLY,
        InteractionKind.REACTION,
        InteractionKind.REPOST,
        InteractionKind.COMMENT,
        InteractionKind.FOLLOW,
        InteractionKind.MENTION,
    ]
    assert [i.in_reply_to for i in page.items] == [ours.remote_id] * 4 + [None, None]
    first = page.items[0].interaction.counterpart[0]
    assert (first.kind, first.value) == (IdentityKind.BLUESKY, "ana.example.com")
    assert page.items[0].interaction.summary == "A founder who needs a coach"
    assert page.items[0].interaction.occurred_at.tzinfo is UTC


def test_the_inbox_reads_back_to_the_cursor_across_pages(bluesky_server: RunningServer) -> None:
    bluesky = connect(bluesky_server)
    app = app_of(bluesky_server)
    app.notify("follow", "first.example.com")
    first = bluesky.fetch_inbox(None)
    for n in range(120):
        app.notify("follow", f"user{n}.example.com")

    second = bluesky.fetch_inbox(first.next_since)
    third = bluesky.fetch_inbox(second.next_since)

    assert len(first.items) == 1
    handles = [i.interaction.counterpart[0].value for i in second.items]
    assert handles == [f"user{n}.example.com" for n in range(120)]
    assert third.items == []
    assert third.next_since == second.next_since

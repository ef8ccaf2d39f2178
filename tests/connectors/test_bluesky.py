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
    first = bluesky.publish("Only once", "p5")
    second = bluesky.publish("Only once", "p5")
    assert first == second
    assert len(app_of(bluesky_server).own_posts()) == 1


def test_a_reset_after_accepting_is_unknown_and_reconcile_finds_the_post(
    bluesky_server: RunningServer,
) -> None:
    app_of(bluesky_server).fail("reset", path=CREATE)
    bluesky = connect(bluesky_server)

    with pytest.raises(UnknownOutcome):
        bluesky.publish("Did it go? [ttl-6]", "p6")
    found = bluesky.find_recent("[ttl-6]")
    by_key = bluesky.find_recent("p6")
    retried = bluesky.publish("Did it go? [ttl-6]", "p6")

    assert found is not None
    assert found == by_key == retried
    assert len(app_of(bluesky_server).own_posts()) == 1


def test_a_slow_answer_past_the_timeout_is_an_unknown_outcome(
    bluesky_server: RunningServer,
) -> None:
    bluesky = connect(bluesky_server, timeout=0.3)
    bluesky.export_session()  # log in before the server turns slow
    app_of(bluesky_server).fail("slow", path=CREATE, seconds=1.5)
    with pytest.raises(UnknownOutcome):
        bluesky.publish("slowly", "p7")


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
    app_of(bluesky_server).fail("server_error_with_body", path=CREATE)
    with pytest.raises(UnknownOutcome):
        bluesky.publish("second try", "p13")


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

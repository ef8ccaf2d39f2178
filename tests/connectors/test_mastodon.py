"""The Mastodon connector against a local server speaking Mastodon's REST API."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from takethelead.connectors.base import (
    AuthExpired,
    NeverSent,
    RateLimited,
    Rejected,
    UnknownOutcome,
)
from takethelead.connectors.http import AddressRefused
from takethelead.connectors.mastodon import MastodonConnector
from takethelead.domain.records import Direction, IdentityKind, InteractionKind
from tests.servers.base import RunningServer
from tests.servers.mastodon import TOKEN, MastodonApp

ROOT = Path(__file__).resolve().parents[2]


def connect(server: RunningServer, timeout: float = 2.0) -> MastodonConnector:
    return MastodonConnector(server.url, TOKEN, allow_private=True, timeout=timeout)


def app_of(server: RunningServer) -> MastodonApp:
    assert isinstance(server.app, MastodonApp)
    return server.app


def test_publish_returns_the_status_id_and_link(mastodon_server: RunningServer) -> None:
    result = connect(mastodon_server).publish("Hello from Take the Lead", "post-1:mastodon")

    [status] = app_of(mastodon_server).own_statuses()
    assert result.remote_id == status["id"]
    assert result.url == status["url"]
    assert status["content"] == "<p>Hello from Take the Lead</p>"


def test_retry_with_the_same_key_creates_no_duplicate(mastodon_server: RunningServer) -> None:
    mastodon = connect(mastodon_server)
    first = mastodon.publish("Only once, please", "post-2:mastodon")
    second = mastodon.publish("Only once, please", "post-2:mastodon")

    assert first == second
    assert len(app_of(mastodon_server).own_statuses()) == 1


def test_different_keys_make_different_posts(mastodon_server: RunningServer) -> None:
    mastodon = connect(mastodon_server)
    mastodon.publish("Same words", "post-3:mastodon")
    mastodon.publish("Same words", "post-4:mastodon")
    assert len(app_of(mastodon_server).own_statuses()) == 2


def test_a_reset_after_the_server_accepted_is_an_unknown_outcome(
    mastodon_server: RunningServer,
) -> None:
    app_of(mastodon_server).fail("reset", path="/api/v1/statuses")
    mastodon = connect(mastodon_server)

    with pytest.raises(UnknownOutcome):
        mastodon.publish("Did this go out? [ttl-5]", "post-5:mastodon")

    assert len(app_of(mastodon_server).own_statuses()) == 1


def test_reconcile_finds_an_unconfirmed_post_and_the_retry_does_not_duplicate_it(
    mastodon_server: RunningServer,
) -> None:
    app_of(mastodon_server).fail("reset", path="/api/v1/statuses")
    mastodon = connect(mastodon_server)
    with pytest.raises(UnknownOutcome):
        mastodon.publish("Weekly note https://example.com/a [ttl-6]", "post-6:mastodon")

    [found] = mastodon.posted_since(datetime.now(UTC) - timedelta(minutes=1))
    retried = mastodon.publish("Weekly note https://example.com/a [ttl-6]", "post-6:mastodon")

    assert found.text == "Weekly note https://example.com/a [ttl-6]"
    assert found.key is None
    assert (found.remote_id, found.url) == (retried.remote_id, retried.url)
    assert len(app_of(mastodon_server).own_statuses()) == 1


def test_our_statuses_are_listed_back_to_a_moment_across_pages(
    mastodon_server: RunningServer,
) -> None:
    mastodon = connect(mastodon_server)
    for number in range(45):
        mastodon.publish(f"Status number {number}", f"post-7-{number}:mastodon")
    since = datetime.now(UTC) - timedelta(minutes=1)

    listed = mastodon.posted_since(since)

    assert [p.text for p in listed] == [f"Status number {n}" for n in reversed(range(45))]
    assert mastodon.posted_since(datetime.now(UTC) + timedelta(minutes=1)) == []


def test_a_slow_answer_past_the_timeout_is_an_unknown_outcome(
    mastodon_server: RunningServer,
) -> None:
    app_of(mastodon_server).fail("slow", path="/api/v1/statuses", seconds=1.5)

    with pytest.raises(UnknownOutcome):
        connect(mastodon_server, timeout=0.3).publish("Slowly [ttl-8]", "post-8:mastodon")

    listed = connect(mastodon_server).posted_since(datetime.now(UTC) - timedelta(minutes=1))
    assert [p.text for p in listed] == ["Slowly [ttl-8]"]


def test_a_refused_connection_never_sent_the_post(closed_port: int) -> None:
    mastodon = MastodonConnector(f"http://127.0.0.1:{closed_port}", TOKEN, allow_private=True)
    with pytest.raises(NeverSent) as raised:
        mastodon.publish("Nobody home", "post-9:mastodon")
    assert not isinstance(raised.value, UnknownOutcome)


def test_a_rate_limit_says_when_it_resets(mastodon_server: RunningServer) -> None:
    app_of(mastodon_server).fail("rate_limit", path="/api/v1/statuses", seconds=120)

    with pytest.raises(RateLimited) as raised:
        connect(mastodon_server).publish("Too soon", "post-10:mastodon")

    reset_at = raised.value.reset_at
    assert reset_at is not None
    assert timedelta(seconds=100) < reset_at - datetime.now(UTC) < timedelta(seconds=130)
    assert app_of(mastodon_server).own_statuses() == []


def test_retry_after_wins_over_the_end_of_the_rate_limit_window(
    mastodon_server: RunningServer,
) -> None:
    # A 10-second limit inside Mastodon's five-minute window: wait 10 s, not 5 minutes.
    app_of(mastodon_server).fail("rate_limit", path="/api/v1/statuses", seconds=10, window=300)

    with pytest.raises(RateLimited) as raised:
        connect(mastodon_server).publish("Too soon again", "post-10b:mastodon")

    reset_at = raised.value.reset_at
    assert reset_at is not None
    assert timedelta(seconds=5) < reset_at - datetime.now(UTC) <= timedelta(seconds=11)


def test_a_revoked_token_pauses_instead_of_failing(mastodon_server: RunningServer) -> None:
    app_of(mastodon_server).fail("unauthorized", path="/api/v1/statuses")

    with pytest.raises(AuthExpired):
        connect(mastodon_server).publish("Token gone", "post-11:mastodon")
    assert app_of(mastodon_server).own_statuses() == []


def test_a_wrong_token_is_an_expired_authorisation(mastodon_server: RunningServer) -> None:
    mastodon = MastodonConnector(mastodon_server.url, "wrong", allow_private=True)
    with pytest.raises(AuthExpired):
        mastodon.fetch_inbox(None)


def test_a_server_error_without_a_body_never_sent_the_post(
    mastodon_server: RunningServer,
) -> None:
    app_of(mastodon_server).fail("server_error", path="/api/v1/statuses")
    with pytest.raises(NeverSent):
        connect(mastodon_server).publish("Try later", "post-12:mastodon")


def test_a_server_error_with_a_body_is_an_unknown_outcome(
    mastodon_server: RunningServer,
) -> None:
    app_of(mastodon_server).fail("server_error_with_body", path="/api/v1/statuses")
    with pytest.raises(UnknownOutcome):
        connect(mastodon_server).publish("Maybe [ttl-13]", "post-13:mastodon")
    assert len(app_of(mastodon_server).own_statuses()) == 1


def test_a_post_over_the_server_limit_is_rejected_with_the_reason(
    mastodon_server: RunningServer,
) -> None:
    with pytest.raises(Rejected, match="character limit of 500 exceeded"):
        connect(mastodon_server).publish("a" * 501, "post-14:mastodon")


def test_the_servers_own_character_limit_is_read() -> None:
    server = RunningServer(MastodonApp(max_characters=1000))
    try:
        assert connect(server).max_characters() == 1000
    finally:
        server.stop()


def test_a_private_address_is_refused_unless_allowed(mastodon_server: RunningServer) -> None:
    mastodon = MastodonConnector(mastodon_server.url, TOKEN)
    with pytest.raises(AddressRefused):
        mastodon.publish("Should not leave", "post-15:mastodon")
    assert app_of(mastodon_server).requests == []


def test_the_inbox_reads_replies_reactions_and_follows_with_our_post_ids(
    mastodon_server: RunningServer,
) -> None:
    mastodon = connect(mastodon_server)
    ours = mastodon.publish("What does a good lead look like?", "post-16:mastodon")
    app = app_of(mastodon_server)
    app.notify("mention", "alice@remote.example", ours.remote_id, "Someone who needs a coach!")
    app.notify("favourite", "Bob@Other.Example", ours.remote_id)
    app.notify("reblog", "carol", ours.remote_id)
    app.notify("follow", "dave@remote.example")
    app.notify("mention", "erin@remote.example", None, "have you met Frank?")

    page = mastodon.fetch_inbox(None)

    kinds = [item.interaction.kind for item in page.items]
    assert kinds == [
        InteractionKind.REPLY,
        InteractionKind.REACTION,
        InteractionKind.REPOST,
        InteractionKind.FOLLOW,
        InteractionKind.MENTION,
    ]
    assert [item.in_reply_to for item in page.items] == [ours.remote_id] * 3 + [None, None]
    counterparts = [item.interaction.counterpart[0] for item in page.items]
    assert {c.kind for c in counterparts} == {IdentityKind.MASTODON}
    assert [c.value for c in counterparts] == [
        "alice@remote.example",
        "bob@other.example",
        "carol@127.0.0.1",
        "dave@remote.example",
        "erin@remote.example",
    ]
    reply = page.items[0].interaction
    assert reply.direction is Direction.INBOUND
    assert "Someone who needs a coach!" in reply.summary
    assert reply.occurred_at.tzinfo is UTC
    assert page.next_since == page.items[-1].remote_id


def test_the_inbox_pages_forward_without_gaps_or_repeats(mastodon_server: RunningServer) -> None:
    mastodon = connect(mastodon_server)
    app = app_of(mastodon_server)
    app.notify("follow", "first@remote.example")
    first = mastodon.fetch_inbox(None)
    for n in range(45):
        app.notify("follow", f"user{n}@remote.example")

    second = mastodon.fetch_inbox(first.next_since)
    third = mastodon.fetch_inbox(second.next_since)
    fourth = mastodon.fetch_inbox(third.next_since)

    assert len(first.items) == 1
    assert (len(second.items), second.has_more) == (40, True)
    assert (len(third.items), third.has_more) == (5, False)
    assert fourth.items == []
    assert fourth.next_since == third.next_since
    seen = [i.interaction.counterpart[0].value for i in second.items + third.items]
    assert seen == [f"user{n}@remote.example" for n in range(45)]


def test_a_server_in_another_process_is_driven_through_its_control_endpoint() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.servers.mastodon", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        control = {"kind": "reset", "path": "/api/v1/statuses"}
        httpx.post(f"{url}/_control/fault", json=control).raise_for_status()
        mastodon = MastodonConnector(url, TOKEN, allow_private=True)

        with pytest.raises(UnknownOutcome):
            mastodon.publish("Across processes [ttl-17]", "post-17:mastodon")
        again = mastodon.publish("Across processes [ttl-17]", "post-17:mastodon")

        state = json.loads(httpx.get(f"{url}/_control/state").text)
        assert [post["id"] for post in state["posts"]] == [again.remote_id]
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()

"""Inbox sync: responses on the three networks become interactions, once, tied to our posts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from takethelead.services.ingest.inbox import sync_inboxes
from takethelead.services.posting.delivery import DeliveryEngine, DeliveryPolicy
from takethelead.services.posting.posts import PostRequest, create_post
from takethelead.storage.tables import (
    ConnectorAccount,
    Delivery,
    Identity,
    Interaction,
    Person,
    PostResponse,
)
from tests.delivery.conftest import Connected


def _published(connected: Connected) -> dict[str, Delivery]:
    with connected.store.transaction() as session:
        create_post(
            session,
            connected.workspace_id,
            PostRequest(
                text="What makes a referral easy to give? Three things.",
                targets=["mastodon", "bluesky", "discourse"],
            ),
            datetime.now(UTC),
        )
    engine = DeliveryEngine(connected.store, DeliveryPolicy(request_timeout=3.0))
    engine.run_pass()
    engine.close()
    with connected.store.transaction() as session:
        return {d.network: d for d in session.scalars(select(Delivery))}


def _interactions(connected: Connected) -> list[tuple[str, str, str]]:
    with connected.store.transaction() as session:
        rows = session.execute(
            select(Interaction.source, Interaction.kind, Person.full_name)
            .join(Person, Person.id == Interaction.person_id)
            .order_by(Interaction.source, Interaction.kind, Person.full_name)
        )
        return [(r[0], r[1], r[2]) for r in rows]


def test_responses_on_every_network_become_inbound_interactions_tied_to_our_post(
    connected: Connected,
) -> None:
    ours = _published(connected)
    mastodon_id = str(ours["mastodon"].remote_id)
    connected.mastodon_app.notify("mention", "ana@remote.example", mastodon_id, "Great post")
    connected.mastodon_app.notify("favourite", "ben@remote.example", mastodon_id)
    connected.mastodon_app.notify("follow", "cleo@remote.example")
    connected.bluesky_app.notify("reply", "dora.example.com", ours["bluesky"].remote_id, "Yes!")
    connected.bluesky_app.notify("repost", "ema.example.com", ours["bluesky"].remote_id)
    topic = connected.discourse_app.own_posts()[0]["topic_id"]
    connected.discourse_app.add_post("fred", "Thanks, this helps our club a lot.", topic, 1)

    report = sync_inboxes(connected.store, connected.workspace_id, timeout=3.0)

    assert report.problems == []
    assert _interactions(connected) == [
        ("bluesky-inbox", "reply", "Dora"),
        ("bluesky-inbox", "repost", "Ema"),
        ("discourse-inbox", "reply", "Fred"),
        ("mastodon-inbox", "follow", "Cleo"),
        ("mastodon-inbox", "reaction", "Ben"),
        ("mastodon-inbox", "reply", "Ana"),
    ]
    with connected.store.transaction() as session:
        linked = session.scalars(select(PostResponse.post_id)).all()
        identities = set(session.execute(select(Identity.kind, Identity.value)).all())
        cursors = session.scalars(select(ConnectorAccount.inbox_cursor)).all()
    assert len(linked) == 5
    assert set(linked) == {ours["mastodon"].post_id}
    assert ("mastodon", "ana@remote.example") in identities
    assert ("bluesky", "dora.example.com") in identities
    assert all(cursors)


def test_a_second_sync_reads_only_what_is_new(connected: Connected) -> None:
    ours = _published(connected)
    connected.mastodon_app.notify("follow", "cleo@remote.example")
    sync_inboxes(connected.store, connected.workspace_id, timeout=3.0)
    sync_inboxes(connected.store, connected.workspace_id, timeout=3.0)
    assert len(_interactions(connected)) == 1
    connected.mastodon_app.notify("favourite", "cleo@remote.example", ours["mastodon"].remote_id)
    report = sync_inboxes(connected.store, connected.workspace_id, timeout=3.0)
    assert [n for label, n in report.stored.items() if label.startswith("mastodon:")] == [1]
    with connected.store.transaction() as session:
        people = session.scalars(select(Person.full_name)).all()
    assert people == ["Cleo"]


def test_a_refused_token_during_sync_pauses_the_account_and_says_so(
    connected: Connected,
) -> None:
    connected.bluesky_app.access_tokens.clear()
    connected.bluesky_app.refresh_tokens.clear()
    connected.bluesky_app.fail("unauthorized", method="POST", path="/xrpc/", times=None)
    report = sync_inboxes(connected.store, connected.workspace_id, timeout=3.0)
    with connected.store.transaction() as session:
        status = session.scalar(
            select(ConnectorAccount.status).where(ConnectorAccount.kind == "bluesky")
        )
    assert status == "paused"
    assert any("bluesky" in p and "paused" in p for p in report.problems)

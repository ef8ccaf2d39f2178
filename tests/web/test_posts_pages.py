"""The posts pages, signed in through the real form: queue, calendar, composer, a post's page,
accounts and slots. Workspace A holds a weekly post to a paused Bluesky account and LinkedIn
(tests/web/isolation_posts.py)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import func, select
from starlette.testclient import TestClient

from takethelead.services.core.store import Store
from takethelead.storage.tables import ConnectorAccount, Delivery, Post
from tests.servers.base import RunningServer
from tests.servers.fixtures import mastodon_server
from tests.servers.mastodon import TOKEN, MastodonApp
from tests.web.conftest import World, csrf_for

__all__ = ["mastodon_server"]


def _deliveries(store: Store, post_id: int) -> list[Delivery]:
    with store.transaction() as session:
        rows = session.scalars(
            select(Delivery).where(Delivery.post_id == post_id).order_by(Delivery.id)
        )
        found = list(rows)
        session.expunge_all()
    return found


def _post_count(store: Store) -> int:
    with store.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Post)) or 0)


def _new_post_id(answer_location: str) -> int:
    found = re.fullmatch(r"/posts/(\d+)\?saved=1", answer_location)
    assert found, answer_location
    return int(found.group(1))


def test_the_queue_shows_what_needs_attention_what_is_scheduled_and_the_notices(
    world: World, as_user: dict[str, TestClient]
) -> None:
    page = as_user["ana"].get("/posts")
    assert page.status_code == 200
    html = page.text
    attention = html.split('id="attention"')[1].split("<h2")[0]
    scheduled = html.split('id="scheduled"')[1].split("<h2")[0]
    # The paused Bluesky account holds its three occurrences; LinkedIn's wait to be pasted.
    assert attention.count('class="delivery state-paused"') == 3
    assert scheduled.count('class="delivery state-queued"') == 3
    assert "net-linkedin" in scheduled and "net-bluesky" not in scheduled
    assert "bluesky (quetzalcoatl.bsky.social) is paused: Quetzalcoatl&#39;s token expired." in html
    assert f'href="/posts/{world.ids["post_id"]}"' in html
    only_linkedin = as_user["ana"].get("/posts", params={"network": "linkedin"}).text
    assert "state-paused" not in only_linkedin and "state-queued" in only_linkedin


def test_an_empty_queue_and_calendar_say_what_to_do_next(as_user: dict[str, TestClient]) -> None:
    queue = as_user["bruno"].get("/posts").text
    assert "Nothing queued yet" in queue and 'href="/posts/accounts"' in queue
    calendar = as_user["bruno"].get("/posts/calendar").text
    assert "No posts in these weeks" in calendar and 'href="/posts/new"' in calendar
    accounts = as_user["bruno"].get("/posts/accounts").text
    assert "No account connected yet" in accounts and "No posting slots yet" in accounts


def test_the_composer_offers_accounts_manual_networks_and_the_next_free_slots(
    as_user: dict[str, TestClient],
) -> None:
    html = as_user["ana"].get("/posts/new").text
    for network in ("bluesky", "linkedin", "x", "facebook"):
        assert f'name="to" value="{network}"' in html
    assert 'data-counter-for="bluesky" data-limit="300"' in html
    assert 'data-counter-for="x" data-limit="280"' in html
    assert "quetzalcoatl.bsky.social" in html and ">paused<" in html
    slots = re.findall(r'name="when" value="slot:([^"]+)"', html)
    assert slots, "Bluesky has mon-fri 09:00 slots"
    moments = [datetime.fromisoformat(s) for s in slots]
    assert all(m.weekday() < 5 and (m.hour, m.minute) == (9, 0) for m in moments)
    assert moments == sorted(moments) and moments[0] > datetime.now().astimezone()
    assert 'value="at"' in html and 'type="datetime-local"' in html
    assert '<script src="/static/compose.js" defer></script>' in html


def test_a_post_scheduled_in_a_picked_slot_is_stored_queued_and_on_the_calendar(
    store: Store, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    slot = re.findall(r'name="when" value="(slot:[^"]+)"', ana.get("/posts/new").text)[1]
    moment = datetime.fromisoformat(slot.removeprefix("slot:"))
    answer = ana.post(
        "/posts",
        data={
            "csrf_token": csrf_for(ana),
            "text": "Office hours on Friday 🎉 https://example.org/office-hours",
            "to": ["bluesky", "linkedin"],
            "when": slot,
            "variant_linkedin": "Office hours on Friday, all welcome",
            "variant_x": "not chosen, so ignored",
        },
    )
    assert answer.status_code == 303
    post_id = _new_post_id(answer.headers["location"])
    rows = _deliveries(store, post_id)
    assert sorted((d.network, d.state) for d in rows) == [
        ("bluesky", "paused"),
        ("linkedin", "queued"),
    ]
    assert {d.due_at for d in rows} == {moment}
    assert {d.network: d.text for d in rows}["linkedin"] == "Office hours on Friday, all welcome"
    page = ana.get(answer.headers["location"]).text
    assert "Saved." in page and "Office hours on Friday 🎉" in page and "On linkedin" in page
    calendar = ana.get("/posts/calendar", params={"start": moment.date().isoformat()}).text
    day = calendar.split(f'<time datetime="{moment.isoformat()}">')
    assert len(day) == 2, "the post shows once, at its slot"
    assert f'href="/posts/{post_id}"' in calendar
    # The slot is taken now: the composer no longer offers it.
    assert slot not in ana.get("/posts/new").text


def test_a_post_too_long_for_bluesky_is_refused_naming_it_and_nothing_is_written(
    store: Store, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    before = _post_count(store)
    text = "🎉" * 301  # 301 graphemes, 1,204 bytes
    answer = ana.post(
        "/posts",
        data={"csrf_token": csrf_for(ana), "text": text, "to": ["bluesky", "x"], "when": "now"},
    )
    assert answer.status_code == 400
    assert (
        "bluesky: The post is 301 characters long; Bluesky allows 300 (1 too many)." in answer.text
    )
    # The form comes back as it was sent, with the server's counts.
    assert f">{text}</textarea>" in answer.text
    assert 'name="to" value="bluesky" data-network="bluesky" checked' in answer.text
    assert re.search(r'data-counter-for="bluesky"[^>]*>301 / 300<', answer.text)
    assert re.search(r'data-counter-for="x"[^>]*>602 / 280<', answer.text)
    assert _post_count(store) == before


def test_bad_fields_are_named_in_the_error(store: Store, as_user: dict[str, TestClient]) -> None:
    ana = as_user["ana"]
    csrf = csrf_for(ana)
    before = _post_count(store)
    late = ana.post("/posts", data={"csrf_token": csrf, "text": "Hi", "to": ["x"], "when": "at",
                                    "at": "someday"})  # fmt: skip
    assert late.status_code == 400 and "When: &#39;someday&#39;" in late.text
    nowhere = ana.post("/posts", data={"csrf_token": csrf, "text": "Hi", "when": "now"})
    assert nowhere.status_code == 400 and "Networks: expected at least one network" in nowhere.text
    unknown = ana.post("/posts", data={"csrf_token": csrf, "text": "Hi", "to": ["myspace"],
                                       "when": "now"})  # fmt: skip
    assert unknown.status_code == 400 and "Networks &#39;myspace&#39;: expected" in unknown.text
    link = "https://example.org/" + "a" * 300
    links = ana.post(
        "/posts", data={"csrf_token": csrf, "text": f"see {link}", "to": ["x"], "when": "soon"}
    )
    assert (
        links.status_code == 400 and "When: &#39;soon&#39; is not one of the choices" in links.text
    )
    # The link weighs 23 on X: 4 + 23.
    assert re.search(r'data-counter-for="x"[^>]*>27 / 280<', links.text)
    assert _post_count(store) == before


def test_edit_changes_the_waiting_deliveries_and_cancel_ends_them(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    post_id = world.ids["post_id"]
    csrf = csrf_for(ana)
    edited = ana.post(
        f"/posts/{post_id}/edit", data={"csrf_token": csrf, "text": "Doors open at 9"}
    )
    assert edited.status_code == 200
    assert "New text on 6 waiting delivery(ies)." in edited.text
    assert {d.text for d in _deliveries(store, post_id)} == {"Doors open at 9"}
    too_long = ana.post(f"/posts/{post_id}/edit", data={"csrf_token": csrf, "text": "é" * 301})
    assert too_long.status_code == 400 and "Bluesky allows 300" in too_long.text
    cancelled = ana.post(f"/posts/{post_id}/cancel", data={"csrf_token": csrf})
    assert cancelled.status_code == 200 and "Cancelled 6 delivery(ies)." in cancelled.text
    assert {d.state for d in _deliveries(store, post_id)} == {"cancelled"}
    assert "Cancel this post" not in cancelled.text
    assert f'href="/posts/{post_id}"' not in ana.get("/posts").text


def test_a_manual_network_occurrence_is_marked_posted_with_its_address(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    post_id = world.ids["post_id"]
    page = ana.get(f"/posts/{post_id}").text
    assert "Mark as posted on linkedin" in page
    done = ana.post(
        f"/posts/{post_id}/done",
        data={"csrf_token": csrf_for(ana), "network": "linkedin",
              "url": "https://www.linkedin.com/feed/update/1"},
    )  # fmt: skip
    assert done.status_code == 200 and "Marked as published on linkedin." in done.text
    linkedin = [d for d in _deliveries(store, post_id) if d.network == "linkedin"]
    assert [d.state for d in sorted(linkedin, key=lambda d: d.occurrence)] == [
        "sent",
        "queued",
        "queued",
    ]
    assert linkedin[0].remote_url == "https://www.linkedin.com/feed/update/1"
    wrong = ana.post(f"/posts/{post_id}/done", data={"csrf_token": csrf_for(ana), "network": "x"})
    assert wrong.status_code == 400 and "nothing queued for x" in wrong.text


def test_a_draft_is_kept_then_scheduled_at_a_chosen_time(
    store: Store, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    csrf = csrf_for(ana)
    answer = ana.post("/posts", data={"csrf_token": csrf, "text": "Maybe later", "to": ["x"],
                                      "draft": "true"})  # fmt: skip
    post_id = _new_post_id(answer.headers["location"])
    assert _deliveries(store, post_id) == []
    assert "Maybe later" in ana.get("/posts").text.split("Drafts")[1]
    assert "Schedule this draft" in ana.get(f"/posts/{post_id}").text
    when = (datetime.now() + timedelta(days=2)).replace(hour=14, minute=30, second=0, microsecond=0)
    scheduled = ana.post(
        f"/posts/{post_id}/schedule",
        data={"csrf_token": csrf, "when": "at", "at": f"{when:%Y-%m-%dT%H:%M}"},
    )
    assert scheduled.status_code == 200 and "Scheduled." in scheduled.text
    (delivery,) = _deliveries(store, post_id)
    assert (delivery.network, delivery.state) == ("x", "queued")
    assert delivery.due_at == when.astimezone()
    again = ana.post(f"/posts/{post_id}/schedule", data={"csrf_token": csrf, "when": "now"})
    assert again.status_code == 400 and "only a draft can be scheduled" in again.text


def test_an_account_is_connected_used_by_the_composer_and_disconnected(
    store: Store, world: World, as_user: dict[str, TestClient], mastodon_server: RunningServer
) -> None:
    ana = as_user["ana"]
    csrf = csrf_for(ana)
    app = cast(MastodonApp, mastodon_server.app)
    app.max_characters = 1000
    refused = ana.post("/posts/accounts", data={"csrf_token": csrf, "network": "mastodon",
                                               "url": mastodon_server.url, "secret": "wrong",
                                               "allow_private": "true"})  # fmt: skip
    assert refused.status_code == 400 and "mastodon: the network refused to connect" in refused.text
    no_token = ana.post("/posts/accounts", data={"csrf_token": csrf, "network": "mastodon",
                                                "url": mastodon_server.url})  # fmt: skip
    assert (
        no_token.status_code == 400 and "Access token: expected a non-empty value" in no_token.text
    )
    connected = ana.post("/posts/accounts", data={"csrf_token": csrf, "network": "mastodon",
                                                 "url": mastodon_server.url, "secret": TOKEN,
                                                 "allow_private": "true"})  # fmt: skip
    assert connected.status_code == 200 and "Connected mastodon account #" in connected.text
    with store.transaction() as session:
        account = session.scalars(
            select(ConnectorAccount).where(ConnectorAccount.workspace_id == world.a,
                                           ConnectorAccount.kind == "mastodon")
        ).one()  # fmt: skip
        account_id, max_length, secret = account.id, account.max_length, account.secret
    assert max_length == 1000 and TOKEN not in secret  # stored encrypted
    composer = ana.get("/posts/new").text
    assert 'data-counter-for="mastodon" data-limit="1000"' in composer
    # With nothing waiting on it, a disconnect removes the account.
    gone = ana.post(f"/posts/accounts/{account_id}/disconnect", data={"csrf_token": csrf})
    assert "disconnected and removed" in gone.text
    # The Bluesky account holds posts: they stay, paused, and the credentials are forgotten.
    bluesky = world.ids["account_id"]
    kept = ana.post(f"/posts/accounts/{bluesky}/disconnect", data={"csrf_token": csrf})
    assert "its 3 waiting post(s) are paused" in kept.text
    with store.transaction() as session:
        kinds = session.scalars(
            select(ConnectorAccount.kind).where(ConnectorAccount.workspace_id == world.a)
        ).all()
        row = session.get(ConnectorAccount, bluesky)
        assert row is not None and row.secret == "" and row.status == "paused"
    assert kinds == ["bluesky"]


def test_posting_slots_are_set_and_bad_ones_named(as_user: dict[str, TestClient]) -> None:
    ana = as_user["ana"]
    csrf = csrf_for(ana)
    bad = ana.post("/posts/slots", data={"csrf_token": csrf, "network": "x", "slots": "someday 9"})
    assert bad.status_code == 400 and "Posting slots: slots: &#39;someday&#39;" in bad.text
    good = ana.post("/posts/slots", data={"csrf_token": csrf, "network": "x",
                                          "slots": "tue,thu 08:30"})  # fmt: skip
    assert good.status_code == 200 and "x: posting slots tue 08:30, thu 08:30." in good.text
    composer = ana.get("/posts/new").text
    assert re.search(
        r'data-networks="x"><input type="radio" name="when" value="slot:[^"]+T08:30', composer
    )


def test_a_read_only_member_reads_posts_but_sees_no_write_forms(
    world: World, as_user: dict[str, TestClient]
) -> None:
    carla = as_user["carla"]
    post_id = world.ids["post_id"]
    for path in ("/posts", "/posts/calendar", "/posts/new", f"/posts/{post_id}", "/posts/accounts"):
        page = carla.get(path)
        assert page.status_code == 200, path
        assert 'method="post" action="/posts' not in page.text, path
    assert "only an owner can write" in carla.get("/posts/new").text
    assert (
        "Aurelio Quetzalcoatl opens the Guild of Secret Hours"
        in carla.get(f"/posts/{post_id}").text
    )


def test_the_calendar_pages_through_weeks_and_lists_each_day(
    world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    html = ana.get("/posts/calendar").text
    assert html.count('class="week"') == 5 and html.count('role="cell"') == 35
    assert html.count(f'href="/posts/{world.ids["post_id"]}"') == 3  # three weekly occurrences
    assert 'class="day today' in html
    later = re.search(r'href="/posts/calendar\?start=([\d-]+)" rel="next"', html)
    assert later is not None
    following = ana.get("/posts/calendar", params={"start": later.group(1)}).text
    assert "No posts in these weeks" in following
    bad = ana.get("/posts/calendar", params={"start": "yesterday"})
    assert bad.status_code == 400 and "start" in bad.text

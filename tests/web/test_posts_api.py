"""The posts API with a personal token: posts, the queue, slots, accounts, publish and sync,
against real databases and a fake Mastodon server that speaks its documented API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient

from takethelead.services.core.store import Store
from takethelead.storage.tables import Delivery, Interaction
from tests.servers.base import RunningServer
from tests.servers.fixtures import mastodon_server
from tests.servers.mastodon import TOKEN, MastodonApp
from tests.web.conftest import World

__all__ = ["mastodon_server"]


def api(app: FastAPI, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def _connect(client: TestClient, server: RunningServer) -> dict[str, Any]:
    answer = client.post(
        "/api/accounts",
        json={"network": "mastodon", "url": server.url, "secret": TOKEN, "allow_private": True},
    )
    assert answer.status_code in (200, 201), answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_post_is_created_read_listed_edited_and_cancelled(
    app: FastAPI, store: Store, world: World
) -> None:
    client = api(app, world.tokens["ana"])
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    created = client.post(
        "/api/posts",
        json={"text": "Long version for LinkedIn", "to": ["linkedin", "x"],
              "at": at.isoformat(), "variants": {"x": "Short for X"}},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    post = created.json()
    assert post["status"] == "scheduled" and post["networks"] == ["linkedin", "x"]
    assert post["variants"] == {"x": "Short for X"}
    texts = {d["network"]: (d["text"], d["state"]) for d in post["deliveries"]}
    assert texts == {"linkedin": ("Long version for LinkedIn", "queued"),
                     "x": ("Short for X", "queued")}  # fmt: skip
    assert {datetime.fromisoformat(d["due_at"]) for d in post["deliveries"]} == {at}
    url = f"/api/posts/{post['id']}"
    assert client.get(url).json() == post
    listed = client.get("/api/posts", params={"status": "scheduled"}).json()
    mine = next(p for p in listed if p["id"] == post["id"])
    assert mine["states"] == {"queued": 2} and datetime.fromisoformat(mine["next_due"]) == at
    edited = client.patch(url, json={"text": "Fixed typo"})
    assert edited.json() == {"post_id": post["id"], "changed": 1, "untouched": []}
    assert {d["network"]: d["text"] for d in client.get(url).json()["deliveries"]} == {
        "linkedin": "Fixed typo",
        "x": "Short for X",
    }
    cancelled = client.post(url + "/cancel")
    assert cancelled.json()["changed"] == 2
    with store.transaction() as session:
        states = session.scalars(select(Delivery.state).where(Delivery.post_id == post["id"]))
        assert set(states) == {"cancelled"}


def test_bad_posts_are_422_naming_the_field_and_write_nothing(app: FastAPI, world: World) -> None:
    client = api(app, world.tokens["ana"])
    before = client.get("/api/posts", params={"limit": 500}).json()
    too_long = client.post("/api/posts", json={"text": "🎉" * 301, "to": ["bluesky"]})
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["msg"] == (
        "bluesky: The post is 301 characters long; Bluesky allows 300 (1 too many)."
    )
    unknown = client.post("/api/posts", json={"text": "Hi", "to": ["myspace"]})
    assert unknown.json()["detail"][0]["msg"].startswith("to 'myspace': expected one or more of")
    missing = client.post("/api/posts", json={"text": "Hi"})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "to"]
    naive = client.post("/api/posts", json={"text": "Hi", "to": ["x"], "at": "2031-01-01T09:00"})
    assert naive.status_code == 422 and naive.json()["detail"][0]["loc"] == ["body", "at"]
    both = client.post(
        "/api/posts", json={"text": "Hi", "to": ["x"], "at": "2031-01-01T09:00Z", "next_slot": True}
    )
    assert both.json()["detail"][0]["msg"] == "at and next_slot: choose one"
    extra = client.post("/api/posts", json={"text": "Hi", "to": ["x"], "when": "now"})
    assert extra.status_code == 422 and extra.json()["detail"][0]["loc"] == ["body", "when"]
    assert client.get("/api/posts", params={"limit": 500}).json() == before


def test_a_draft_is_scheduled_in_the_next_free_slot(app: FastAPI, world: World) -> None:
    client = api(app, world.tokens["ana"])
    slots = client.put("/api/slots", json={"network": "x", "slots": "mon-fri 07:15"})
    assert slots.status_code == 200 and slots.json()["slots"][0] == "mon 07:15"
    free = client.get("/api/slots/free", params={"network": ["x"], "limit": 3}).json()
    assert len(free) == 3 and all(f["networks"] == ["x"] for f in free)
    draft = client.post("/api/posts", json={"text": "Later", "to": ["x"], "draft": True}).json()
    assert draft["status"] == "draft" and draft["deliveries"] == []
    scheduled = client.post(f"/api/posts/{draft['id']}/schedule", json={"next_slot": True})
    assert scheduled.status_code == 200
    (delivery,) = scheduled.json()["deliveries"]
    assert delivery["due_at"] == free[0]["at"]
    # That slot is taken now; the next one moves up.
    assert client.get("/api/slots/free", params={"network": ["x"]}).json()[0] == free[1]
    listed = {s["network"]: s for s in client.get("/api/slots").json()}
    assert listed["x"]["next_free"] == free[1]["at"]
    assert listed["bluesky"]["slots"][:2] == ["mon 09:00", "tue 09:00"]
    bad = client.put("/api/slots", json={"network": "x", "slots": "mon 25:00"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["msg"].startswith("slots 'mon 25:00': expected days then")


def test_the_queue_and_manual_posts(app: FastAPI, world: World) -> None:
    client = api(app, world.tokens["ana"])
    post_id = world.ids["post_id"]
    queue = client.get("/api/queue").json()
    assert any("quetzalcoatl.bsky.social) is paused" in n for n in queue["notices"])
    ours = [(d["network"], d["state"]) for d in queue["deliveries"] if d["post_id"] == post_id]
    assert sorted(ours) == [("bluesky", "paused")] * 3 + [("linkedin", "queued")] * 3
    done = client.post(
        f"/api/posts/{post_id}/done", json={"network": "linkedin", "url": "https://li.example/1"}
    )
    assert done.status_code == 200
    sent = [d for d in done.json()["deliveries"] if d["state"] == "sent"]
    assert [(d["network"], d["occurrence"], d["remote_url"]) for d in sent] == [
        ("linkedin", 0, "https://li.example/1")
    ]
    # Sent ones leave the default queue after a day; `all` keeps them.
    everything = client.get("/api/queue", params={"all": "true"}).json()["deliveries"]
    assert any(d["state"] == "sent" for d in everything)
    wrong = client.post(f"/api/posts/{post_id}/done", json={"network": "bluesky"})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "network"]


def test_another_workspace_gets_404_for_a_post_or_account_and_a_member_403(
    app: FastAPI, world: World
) -> None:
    bruno = api(app, world.tokens["bruno"])
    for method, path in (
        ("GET", f"/api/posts/{world.ids['post_id']}"),
        ("PATCH", f"/api/posts/{world.ids['post_id']}"),
        ("DELETE", f"/api/accounts/{world.ids['account_id']}"),
    ):
        answer = bruno.request(
            method, path, json={"text": "mine now"} if method == "PATCH" else None
        )
        assert answer.status_code == 404, (method, path)
        assert answer.json()["detail"] in (
            f"post #{world.ids['post_id']}: no such post",
            f"account #{world.ids['account_id']}: no such connected account",
        )
    carla = api(app, world.tokens["carla"])
    assert carla.get("/api/posts").status_code == 200
    refused = carla.post("/api/posts", json={"text": "Hi", "to": ["x"]})
    assert refused.status_code == 403 and "read-only member" in refused.json()["detail"]


def test_an_account_connects_publishes_a_due_post_and_syncs_its_inbox(
    app: FastAPI, store: Store, world: World, mastodon_server: RunningServer
) -> None:
    client = api(app, world.tokens["ana"])
    fake = cast(MastodonApp, mastodon_server.app)
    first = _connect(client, mastodon_server)
    assert first["created"] is True and first["account"]["status"] == "active"
    again = client.post(
        "/api/accounts",
        json={"network": "mastodon", "url": mastodon_server.url, "secret": TOKEN,
              "allow_private": True},
    )  # fmt: skip
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["account"]["id"] == first["account"]["id"]
    accounts = {a["kind"]: a for a in client.get("/api/accounts").json()}
    assert accounts["bluesky"]["status"] == "paused" and accounts["mastodon"]["status"] == "active"

    post = client.post(
        "/api/posts", json={"text": "Hello from the API https://example.org", "to": ["mastodon"]}
    ).json()
    queue = client.post("/api/publish")
    assert queue.status_code == 200
    (delivery,) = [d for d in queue.json()["deliveries"] if d["post_id"] == post["id"]]
    assert delivery["state"] == "sent" and delivery["remote_url"]
    (status,) = fake.own_statuses()
    assert "Hello from the API" in status["content"] and status["url"] == delivery["remote_url"]

    status_id = str(fake.own_statuses()[0]["id"])
    fake.notify("mention", "alice@remote.example", status_id=status_id, text="Congrats!")
    synced = client.post("/api/sync")
    assert synced.status_code == 200
    body = synced.json()
    assert sum(body["stored"].values()) == 1 and body["linked"] == 1 and body["problems"] == []
    with store.transaction() as session:
        summaries = session.scalars(
            select(Interaction.summary).where(Interaction.workspace_id == world.a)
        ).all()
    assert any("Congrats!" in s for s in summaries)

    bad = client.post("/api/accounts", json={"network": "mastodon", "secret": TOKEN})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["msg"].startswith("url: expected a web address")
    gone = client.delete(f"/api/accounts/{first['account']['id']}")
    # Its one post went out: nothing waits on it, so the account goes.
    assert gone.json() == {"account_id": first["account"]["id"], "removed": True, "waiting": 0}
    assert [a["kind"] for a in client.get("/api/accounts").json()] == ["bluesky"]


def test_the_openapi_document_describes_the_posts_routes(app: FastAPI) -> None:
    schema = TestClient(app).get("/api/openapi.json").json()
    paths = schema["paths"]
    for path, method in (
        ("/api/posts", "post"), ("/api/posts/{post_id}", "patch"), ("/api/queue", "get"),
        ("/api/slots", "put"), ("/api/accounts", "post"), ("/api/publish", "post"),
        ("/api/sync", "post"), ("/api/posts/{post_id}/cancel", "post"),
    ):  # fmt: skip
        assert "posts" in paths[path][method]["tags"], (path, method)
    assert "404" in paths["/api/posts/{post_id}"]["get"]["responses"]
    assert "PostCreate" in schema["components"]["schemas"]

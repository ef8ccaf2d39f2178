"""The API's remaining CLI capabilities: network ranking, merging people, the digest, users."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from starlette.testclient import TestClient

from takethelead.config import Settings
from takethelead.services.core.store import Store
from takethelead.services.networks import networks, timeentries
from takethelead.services.people import people
from takethelead.services.people.interactions import log_touch
from takethelead.services.relationships.scoring import rescore_all
from takethelead.web.app import create_app
from tests.web.conftest import PASSWORD, World, csrf_of, sign_in


def api(app: FastAPI, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_networks_are_ranked_by_responses_an_hour(app: FastAPI, store: Store, world: World) -> None:
    with store.transaction() as session:
        networks.add_network(session, world.a, "Quiet Forum", "forum")
        timeentries.record_time(session, world.a, "Guild of Secret Hours", 120, "", 9)
        timeentries.record_time(session, world.a, "Quiet Forum", 120, "", 0)
    ranked = api(app, world.tokens["carla"]).get("/api/networks/ranking").json()
    assert [n["name"] for n in ranked] == ["Guild of Secret Hours", "Quiet Forum"]
    first = ranked[0]
    assert first["low"] <= first["per_hour"] <= first["high"] and first["hours"] > 1.5
    assert first["sentence"]
    assert api(app, world.tokens["bruno"]).get("/api/networks/ranking").json() == []


def test_a_duplicate_is_merged_into_a_person(app: FastAPI, world: World) -> None:
    client = api(app, world.tokens["ana"])
    url = f"/api/people/{world.a_person}"
    merged = client.post(url + "/merge", json={"duplicate_id": world.ids["duplicate_id"]})
    assert merged.status_code == 200, merged.text
    assert merged.json()["removed_name"] == "Aurelio Q."
    assert merged.json()["moved"]["identity"] == 1
    values = [i["value"] for i in client.get(url).json()["identities"]]
    assert "aurelio@old.example" in values
    gone = client.get(f"/api/people/{world.ids['duplicate_id']}")
    assert gone.status_code == 404
    again = client.post(url + "/merge", json={"duplicate_id": world.ids["duplicate_id"]})
    assert again.status_code == 404
    assert client.post(url + "/merge", json={"duplicate_id": world.a_person}).status_code == 422


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_the_digest_is_read_and_sent_through_the_mail_server(
    settings: Settings, world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    app = create_app(dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{port}"))
    try:
        client = api(app, world.tokens["ana"])
        digest = client.get("/api/plan/digest").json()
        assert digest["recipient"] is None and digest["subject"].startswith("Your networking plan")
        assert digest["body"].startswith("# Week ") and "1. **" in digest["body"]
        refused = client.post("/api/plan/digest/send", json={})
        assert refused.status_code == 409 and "digest_email" in refused.text
        sent = client.post("/api/plan/digest/send", json={"to": "ana@example.org"})
        assert sent.status_code == 200, sent.text
        assert sent.json()["recipient"] == "ana@example.org"
        assert len(inbox.messages) == 1 and inbox.messages[0]["To"] == "ana@example.org"
        assert inbox.messages[0]["Subject"] == digest["subject"]
        assert client.get("/api/settings").json()["digest_email"] == "ana@example.org"
        member = api(app, world.tokens["carla"])
        assert member.post("/api/plan/digest/send", json={}).status_code == 403
    finally:
        app.state.store.close()


def test_an_owner_invites_a_member_who_sets_a_password_and_then_reads_only(
    app: FastAPI, world: World
) -> None:
    client = api(app, world.tokens["ana"])
    invited = client.post("/api/users", json={"email": "Erin@Example.org", "role": "member"})
    assert invited.status_code == 201, invited.text
    assert invited.json()["email"] == "erin@example.org"
    link = invited.json()["link"]
    assert link.startswith("http://testserver/invite/")
    listed = {u["email"] for u in client.get("/api/users").json()}
    assert "erin@example.org" not in listed  # not a member before she says yes
    joining = TestClient(app, follow_redirects=False)
    page = joining.get(link)
    csrf = csrf_of(page.text)
    answer = joining.post(link, data={"password": PASSWORD, "again": PASSWORD, "csrf_token": csrf})
    assert answer.status_code == 303, answer.text
    erin = sign_in(app, "erin@example.org")
    assert "read only" in erin.get("/").text
    twice = client.post("/api/users", json={"email": "erin@example.org"})
    assert twice.status_code == 409 and "member of" in twice.text
    bad = client.post("/api/users", json={"email": "x@example.org", "role": "boss"})
    assert bad.status_code == 422
    bruno = api(app, world.tokens["bruno"]).get("/api/users").json()
    assert [u["email"] for u in bruno] == ["bruno@example.org"]


def test_due_reads_the_nightly_strengths_and_agrees_with_a_fresh_scoring(
    app: FastAPI, store: Store, world: World
) -> None:
    with store.transaction() as session:
        late = people.add_person(session, world.a, "Lena Late", people.PersonInput(cadence_days=7))
        when = datetime.now(UTC) - timedelta(days=30)
        log_touch(session, world.a, "call", kind="call", person=f"#{late}", when=when)
        rescore_all(session, world.a)
    client = api(app, world.tokens["carla"])
    quick = client.get("/api/due", params={"limit": 50}).json()
    fresh = client.get("/api/due", params={"limit": 50, "fresh": "true"}).json()
    assert quick["total"] == fresh["total"] >= 1
    assert [p["person_id"] for p in quick["people"]] == [p["person_id"] for p in fresh["people"]]
    assert late in [p["person_id"] for p in quick["people"]]

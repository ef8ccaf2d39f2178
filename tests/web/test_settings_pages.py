"""The settings page and /api/settings: budget, preferred hours and the digest address."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.testclient import TestClient

from tests.web.conftest import World, csrf_for


def test_the_owner_changes_preferences_on_the_page(
    world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    page = ana.get("/settings").text
    assert 'value="mon-fri 08:00-09:00,12:30-13:30"' in page
    answer = ana.post(
        "/settings/preferences",
        data={
            "csrf_token": csrf_for(ana),
            "budget": "2h",
            "preferred_hours": "sat 10:00-12:00",
            "digest_email": "ana@example.org",
        },
    )
    assert answer.status_code == 303
    page = ana.get("/settings").text
    assert 'value="120"' in page and 'value="sat 10:00-12:00"' in page
    assert 'value="ana@example.org"' in page


def test_a_bad_field_is_shown_and_nothing_is_stored(
    world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    answer = ana.post(
        "/settings/preferences",
        data={"csrf_token": csrf_for(ana), "budget": "3h", "preferred_hours": "mon 9-10"},
    )
    assert answer.status_code == 400
    assert "preferred_hours &#39;mon 9-10&#39;: expected days and windows" in answer.text
    assert 'value="150"' in ana.get("/settings").text  # the budget was not stored either


def test_a_member_reads_the_preferences_without_a_form(
    world: World, as_user: dict[str, TestClient]
) -> None:
    page = as_user["carla"].get("/settings").text
    assert "mon-fri 08:00-09:00,12:30-13:30" in page
    assert 'action="/settings/preferences"' not in page


def test_the_api_reads_and_changes_preferences(app: FastAPI, world: World) -> None:
    client = TestClient(app, headers={"Authorization": f"Bearer {world.tokens['ana']}"})
    assert client.get("/api/settings").json()["preferred_hours"].startswith("mon-fri")
    changed = client.patch("/api/settings", json={"budget": 45, "digest_email": "a@b.org"})
    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        "budget_minutes": 45,
        "preferred_hours": "mon-fri 08:00-09:00,12:30-13:30",
        "digest_email": "a@b.org",
    }
    refused = client.patch("/api/settings", json={"budget": 5, "digest_email": ""})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"].startswith("budget '5': expected")
    assert client.get("/api/settings").json()["digest_email"] == "a@b.org"
    cleared = client.patch("/api/settings", json={"digest_email": ""})
    assert cleared.json()["digest_email"] is None
    members = TestClient(app, headers={"Authorization": f"Bearer {world.tokens['carla']}"})
    assert members.patch("/api/settings", json={"budget": 60}).status_code == 403

"""The JSON API with a personal token: people, networks, touches, the plan, import and export."""

from __future__ import annotations

import io
import json

from fastapi import FastAPI
from starlette.testclient import TestClient

from tests.web.conftest import World
from tests.web.test_pages import CONNECTIONS


def api(app: FastAPI, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_a_person_is_created_read_changed_tagged_and_deleted(app: FastAPI, world: World) -> None:
    client = api(app, world.tokens["ana"])
    created = client.post(
        "/api/people",
        json={"full_name": "Ines Silva", "identities": ["ines@example.org"], "tags": ["x"]},
    )
    assert created.status_code == 201
    person = created.json()
    assert person["identities"][0]["value"] == "ines@example.org"
    url = f"/api/people/{person['id']}"
    changed = client.patch(url, json={"offer": "Bookkeeping", "closeness": 4})
    assert changed.json()["offer"] == "Bookkeeping" and changed.json()["closeness"] == 4
    tags = client.post(url + "/tags", json={"add": ["client"], "remove": ["x"]}).json()
    assert tags == {"tags": ["client"]}
    found = client.get("/api/people", params={"q": "silva"}).json()
    assert [p["full_name"] for p in found] == ["Ines Silva"]
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_bad_input_is_422_naming_the_field_and_writes_nothing(app: FastAPI, world: World) -> None:
    client = api(app, world.tokens["ana"])
    before = len(client.get("/api/people", params={"limit": 500}).json())
    missing = client.post("/api/people", json={"company": "Acme"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "full_name"]
    rating = client.patch(f"/api/people/{world.a_person}", json={"closeness": 9})
    assert rating.status_code == 422 and rating.json()["detail"][0]["loc"][-1] == "closeness"
    identity = client.post("/api/people", json={"full_name": "X", "identities": ["???"]})
    assert identity.status_code == 422
    assert "identity '???'" in identity.json()["detail"][0]["msg"]
    assert len(client.get("/api/people", params={"limit": 500}).json()) == before


def test_networks_and_touches(app: FastAPI, world: World) -> None:
    client = api(app, world.tokens["ana"])
    network = client.post("/api/networks", json={"name": "Fediverse", "kind": "mastodon"})
    assert network.status_code == 201
    touch = client.post(
        "/api/interactions",
        json={"person_id": world.a_person, "summary": "replied to a toot", "kind": "reply",
              "network": "Fediverse"},
    )  # fmt: skip
    assert touch.status_code == 201
    names = {n["name"]: n["interactions"] for n in client.get("/api/networks").json()}
    assert names["Fediverse"] == 1
    timeline = client.get(f"/api/people/{world.a_person}").json()["timeline"]
    assert timeline[0]["summary"] == "replied to a toot"


def test_the_plan_is_read_and_its_actions_closed(app: FastAPI, world: World) -> None:
    client = api(app, world.tokens["ana"])
    plan = client.get("/api/plan").json()
    numbers = [i["number"] for i in plan["items"] if i["status"] == "open"]
    done = client.post(f"/api/plan/{numbers[0]}/done", json={"outcome": "meeting-booked"})
    assert done.json() == {
        "number": numbers[0], "kind": done.json()["kind"], "status": "done",
        "outcome": "meeting-booked",
    }  # fmt: skip
    assert client.post(f"/api/plan/{numbers[0]}/skip").status_code == 409  # done already
    assert client.post("/api/plan/999/done").status_code == 404
    bruno = api(app, world.tokens["bruno"])
    assert bruno.get("/api/plan").status_code == 404
    assert bruno.post("/api/plan", json={"budget_minutes": 60}).json()["budget_minutes"] == 60


def test_an_upload_is_imported_and_the_workspace_exported(app: FastAPI, world: World) -> None:
    client = api(app, world.tokens["ana"])
    file = ("Connections.csv", io.BytesIO(CONNECTIONS.encode()), "text/csv")
    summary = client.post("/api/import", files={"file": file}).json()
    assert summary["format"] == "linkedin-connections"
    assert summary["people"]["created"] == 2
    bad = client.post("/api/import", files={"file": ("x.txt", io.BytesIO(b"hello"), "text/plain")})
    assert bad.status_code == 422 and "cannot tell what export this is" in bad.text
    exported = client.get("/api/export", params={"format": "json"})
    assert "attachment" in exported.headers["content-disposition"]
    people = json.loads(exported.text)["tables"]["person"]
    names = {row[people["columns"].index("full_name")] for row in people["rows"]}
    assert {"Dana Okafor", "Emil Rossi", "Aurelio Quetzalcoatl"} <= names
    csv = client.get("/api/export", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")


def test_the_openapi_schema_describes_the_api_with_bearer_errors(app: FastAPI) -> None:
    schema = TestClient(app).get("/api/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/people", "/api/people/{person_id}", "/api/plan", "/api/import"} <= set(paths)
    assert not any(not p.startswith("/api/") for p in paths)  # pages stay out of the schema
    assert "401" in paths["/api/people"]["get"]["responses"]

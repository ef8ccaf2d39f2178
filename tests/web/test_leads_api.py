"""The leads part of the JSON API: every `lead leads / referrals / introduce / path / profile`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient

from takethelead.services.core.store import Store
from takethelead.storage.tables import Lead, LedgerEntry, Referral
from tests.web.conftest import World


def _api(app: FastAPI, world: World, user: str = "ana") -> TestClient:
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {world.tokens[user]}"
    return client


def test_a_lead_is_created_matched_and_passed_on(app: FastAPI, store: Store, world: World) -> None:
    api = _api(app, world)
    made = api.post("/api/leads", json={"text": "a bakery needs bookkeeping"})
    assert made.status_code == 201, made.text
    lead = made.json()
    assert lead["status"] == "open"
    got = api.get(f"/api/leads/{lead['id']}").json()
    assert (got["text"], got["status"]) == ("a bakery needs bookkeeping", "open")
    found = api.get(f"/api/leads/{lead['id']}/matches", params={"limit": 3}).json()
    assert found["matches"][0]["full_name"] == "Odile Brandt"
    assert found["matches"][0]["reasons"]
    passed = api.post(
        f"/api/leads/{lead['id']}/pass", json={"to_person_id": world.ids["other_person_id"]}
    )
    assert passed.status_code == 201
    assert passed.json()["lead_id"] == lead["id"]
    with store.transaction() as session:
        assert session.get(Lead, lead["id"]).status == "passed"  # type: ignore[union-attr]
        ledger = session.scalars(
            select(LedgerEntry).where(LedgerEntry.referral_id == passed.json()["id"])
        ).one()
        assert ledger.direction == "given"
    closed = api.patch(f"/api/leads/{lead['id']}", json={"status": "closed"})
    assert closed.json()["status"] == "closed"
    assert [x["id"] for x in api.get("/api/leads", params={"status": "closed"}).json()] == [
        lead["id"]
    ]


def test_a_lead_from_someone_of_another_workspace_is_not_found(app: FastAPI, world: World) -> None:
    api = _api(app, world)
    answer = api.post("/api/leads", json={"text": "x needs y", "from_person_id": world.b_person})
    assert answer.status_code == 404
    assert api.get("/api/leads/999999").status_code == 404


def test_bad_input_is_a_422_that_names_the_field(app: FastAPI, world: World) -> None:
    api = _api(app, world)
    answer = api.post(
        "/api/referrals", json={"direction": "given", "person_id": world.a_person, "value": -5}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == "value"
    blank = api.post("/api/leads", json={"text": "   "})
    assert blank.status_code == 422
    assert "lead: expected a few words" in blank.json()["detail"][0]["msg"]
    back = api.patch(f"/api/referrals/{world.ids['referral_id']}", json={"status": "met"})
    assert back.status_code == 200
    again = api.patch(f"/api/referrals/{world.ids['referral_id']}", json={"status": "given"})
    assert again.status_code == 409
    assert "cannot go back" in again.json()["detail"]


def test_referrals_are_recorded_updated_and_counted_in_the_funnel(
    app: FastAPI, store: Store, world: World
) -> None:
    api = _api(app, world)
    made = api.post(
        "/api/referrals",
        json={"direction": "received", "person_id": world.a_person, "note": "a client"},
    )
    assert made.status_code == 201
    won = api.patch(f"/api/referrals/{made.json()['id']}", json={"status": "won", "value": 800})
    body: dict[str, Any] = won.json()
    assert (body["status"], body["value"], body["thank_due"]) == ("won", 800.0, True)
    with store.transaction() as session:
        row = session.get(Referral, made.json()["id"])
        assert row is not None and row.status == "won"
    funnel = api.get("/api/referrals/funnel").json()
    received = {s["key"]: s["count"] for s in funnel["received"]["stages"]}
    # The seeded received referral (still given) and this won one.
    assert received == {"received": 2, "contacted": 1, "met": 1, "won": 1}
    assert funnel["received"]["won_value"] == 800.0
    given = {s["key"]: s["count"] for s in funnel["given"]["stages"]}
    assert (given["leads"], given["passed"], given["given"], given["won"]) == (1, 1, 1, 0)
    listed = api.get("/api/referrals", params={"direction": "received", "status": "won"}).json()
    assert [r["id"] for r in listed] == [made.json()["id"]]


def test_introductions_by_double_opt_in(app: FastAPI, world: World) -> None:
    api = _api(app, world)
    intro_id = world.ids["intro_id"]
    listed = api.get("/api/introductions").json()
    asked = next(i for i in listed if i["id"] == intro_id)
    assert asked["status"] == "asked" and len(asked["drafts"]) == 2
    half = api.post(f"/api/introductions/{intro_id}/accept", json={"side": "a"}).json()
    assert (half["status"], half["accepted_a"], half["drafts"]) == ("asked", True, [])
    made = api.post(f"/api/introductions/{intro_id}/accept", json={"side": "B"}).json()
    assert made["status"] == "made"
    assert "I'll let you take it from here" in made["drafts"][0]["body"]
    late = api.post(f"/api/introductions/{intro_id}/decline", json={"side": "b"})
    assert late.status_code == 409
    proposed = api.post(
        "/api/introductions",
        json={"person_a": world.a_person, "person_b": world.ids["other_person_id"],
              "reason": "both bake"},
    )  # fmt: skip
    assert proposed.status_code == 201
    no = api.post(f"/api/introductions/{proposed.json()['id']}/decline", json={"side": "a"})
    assert no.json()["status"] == "declined"
    assert api.post("/api/introductions/999999/accept", json={"side": "a"}).status_code == 404
    assert api.get("/api/introductions/candidates", params={"limit": 5}).status_code == 200


def test_paths_profile_and_referrers(app: FastAPI, world: World) -> None:
    api = _api(app, world)
    report = api.get(f"/api/paths/{world.a_person}").json()
    assert report["target"] == "Aurelio Quetzalcoatl"
    assert report["paths"][0]["hops"] == 1
    by_company = api.get("/api/paths", params={"to": "Quetzalcoatl Ltd", "company": True}).json()
    assert by_company["company"] == "Quetzalcoatl Ltd" and by_company["targets"] == 1
    assert api.get(f"/api/paths/{world.b_person}").status_code == 404
    assert api.get("/api/profile").json()["offer"] == ""
    assert api.get("/api/referrers").status_code == 409  # no lead profile yet: says so
    saved = api.put(
        "/api/profile",
        json={"offer": "Bread", "lead_profile_parts": {"who": "bakeries", "need": "bookkeeping"}},
    ).json()
    assert saved["lead_profile"] == "Bakeries who need bookkeeping."
    assert "A good lead for me: Bakeries who need bookkeeping." in saved["share_text"]
    found = api.get("/api/referrers", params={"limit": 3}).json()
    assert found["lead_profile"] == "Bakeries who need bookkeeping."
    assert found["matches"][0]["full_name"] == "Odile Brandt"


def test_the_openapi_schema_documents_the_leads_routes(app: FastAPI) -> None:
    schema = TestClient(app).get("/api/openapi.json").json()
    for path, method, tag in (
        ("/api/leads", "post", "leads"),
        ("/api/leads/{lead_id}/matches", "get", "leads"),
        ("/api/paths/{person_id}", "get", "paths"),
        ("/api/profile", "put", "profile"),
        ("/api/referrals/{referral_id}", "patch", "referrals"),
        ("/api/introductions/{intro_id}/accept", "post", "introductions"),
    ):
        operation = schema["paths"][path][method]
        assert tag in operation["tags"]
        assert "401" in operation["responses"]
    assert "404" in schema["paths"]["/api/leads/{lead_id}"]["get"]["responses"]
    assert "LeadOut" in schema["components"]["schemas"]

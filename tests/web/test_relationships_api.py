"""The relationship routes of the JSON API, as a client with a token uses them.

Workspace A (tests/web/conftest.py) holds Aurelio: three meetings 60 to 80 days ago, a
14-day rhythm of his own and a closeness of 4; isolation_relationships adds Ofelia and an
introduction Aurelio gave the user. Other areas seed rows of their own, so counts here are
read from the API rather than assumed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from tests.web.conftest import World


@pytest.fixture
def ana(app: FastAPI, world: World) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {world.tokens['ana']}"})


def problem(answer: Any) -> str:
    """The words of a 422 or 404, whatever its shape."""
    detail = answer.json()["detail"]
    if isinstance(detail, str):
        return detail
    return "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in detail)


def test_a_persons_strength_comes_with_its_reasons_and_its_last_year(
    ana: TestClient, world: World
) -> None:
    one = ana.get(f"/api/people/{world.a_person}/strength")
    assert one.status_code == 200, one.text
    view = one.json()
    assert 0 < view["score"] <= 1 and view["closeness"] == 4
    assert "3 of them meetings" in view["why"] and "you rated them 4 of 5" in view["why"]
    assert set(view["features"]) == {"recency", "intensity", "reciprocity", "duration"}

    history = ana.get(f"/api/people/{world.a_person}/strength/history", params={"months": 6})
    points = history.json()["points"]
    assert len(points) in (6, 7)  # six month ends, and now unless now is a month start
    assert points[-1]["score"] == pytest.approx(view["score"], abs=1e-6)
    recent = ana.get(f"/api/people/{world.a_person}").json()["interactions"]
    assert sum(p["touches"] for p in points) == recent  # all within the last six months
    assert history.json()["rated"] is True
    assert ana.get(f"/api/people/{world.a_person}/strength/history?months=0").status_code == 422


def test_the_strength_list_names_the_strongest_first_with_counts_per_label(
    ana: TestClient, world: World
) -> None:
    everyone = ana.get("/api/people", params={"limit": 500}).json()
    found = ana.get("/api/strength", params={"limit": 1}).json()
    assert found["weights"] == "default" and found["total"] == len(everyone)
    assert sum(found["by_label"].values()) == len(everyone)
    assert [p["full_name"] for p in found["people"]] == ["Aurelio Quetzalcoatl"]
    assert ana.get("/api/strength", params={"limit": 0}).status_code == 422


def test_a_rating_is_stored_and_counts_towards_fitting_the_model(
    ana: TestClient, world: World
) -> None:
    rated = ana.put(f"/api/people/{world.a_person}/rating", json={"rating": 2})
    assert rated.status_code == 200, rated.text
    assert rated.json() | {"needed": 0} == {
        "person_id": world.a_person,
        "full_name": "Aurelio Quetzalcoatl",
        "closeness": 2,
        "previous": 4,
        "ratings": 1,
        "needed": 0,
    }
    assert rated.json()["needed"] > 0
    assert ana.get(f"/api/people/{world.a_person}/strength").json()["closeness"] == 2
    model = ana.post("/api/strength/model").json()
    assert model["needed"] == rated.json()["needed"] and model["in_use"] == "default"
    bad = ana.put(f"/api/people/{world.a_person}/rating", json={"rating": 6})
    assert bad.status_code == 422 and "rating" in problem(bad)


def test_a_cadence_changes_when_someone_is_due(ana: TestClient) -> None:
    dora = ana.post("/api/people", json={"full_name": "Dora Due"}).json()["id"]
    long_ago = (datetime.now(UTC) - timedelta(days=100)).isoformat()
    touch = {"person_id": dora, "summary": "lunch", "kind": "meeting", "occurred_at": long_ago}
    assert ana.post("/api/interactions", json=touch).status_code == 201

    def due_for(rhythm: str) -> dict[str, Any] | None:
        set_ = ana.put(f"/api/people/{dora}/cadence", json={"cadence": rhythm})
        assert set_.status_code == 200, set_.text
        found = ana.get("/api/due", params={"limit": 500}).json()["people"]
        return next((p for p in found if p["person_id"] == dora), None)

    monthly = due_for("monthly")
    assert monthly is not None and monthly["own_cadence"] and monthly["cadence_days"] == 30
    assert monthly["overdue_days"] == pytest.approx(100 - 30, abs=1)
    assert due_for("45d") is not None
    assert due_for("yearly") is None
    near = ana.get(f"/api/people/{dora}/relationship").json()
    assert near["cadence_source"] == "yours" and near["cadence_days"] == 365
    assert near["overdue_days"] == pytest.approx(100 - 365, abs=1)
    assert near["days_since_contact"] == pytest.approx(100, abs=1)
    assert near["ledger"]["given"] == 0 and len(near["history"]["points"]) >= 12
    described = ana.put(f"/api/people/{dora}/cadence", json={"cadence": "never"}).json()
    assert described == {
        "person_id": dora,
        "full_name": "Dora Due",
        "cadence_days": 36_500,
        "described": "never (no reminders)",
    }

    bad = ana.put(f"/api/people/{dora}/cadence", json={"cadence": "sometimes"})
    assert bad.status_code == 422 and "cadence 'sometimes': expected weekly" in problem(bad)


def test_fading_ties_and_bridges_are_listed(ana: TestClient) -> None:
    found = ana.get("/api/fading", params={"days": 60})
    assert found.status_code == 200, found.text
    assert found.json()["days"] == 60 and found.json()["known_ties"] == 0
    assert ana.get("/api/fading", params={"days": 0}).status_code == 422


def test_ties_are_recorded_updated_and_inferred(ana: TestClient, world: World) -> None:
    other = world.ids["second_person_id"]
    first = ana.post("/api/ties", json={"person_a": other, "person_b": world.a_person})
    assert first.status_code == 200, first.text
    assert first.json()["created"] is True and first.json()["trust"] == 0.5
    again = ana.post(
        "/api/ties", json={"person_a": world.a_person, "person_b": other, "trust": 0.9}
    )
    assert again.json()["created"] is False and again.json()["trust"] == 0.9
    assert ana.get("/api/fading").json()["known_ties"] == 1

    stranger = ana.post("/api/ties", json={"person_a": world.b_person, "person_b": other})
    assert stranger.status_code == 404 and f"#{world.b_person}" in problem(stranger)
    same = ana.post("/api/ties", json={"person_a": other, "person_b": other})
    assert same.status_code == 422 and "two different people" in problem(same)

    inferred = ana.post("/api/ties/infer").json()
    assert inferred["manual_ties"] == 1 and inferred["meeting_ties"] == 0


def test_the_ledger_takes_entries_and_shows_the_balance(ana: TestClient, world: World) -> None:
    path = f"/api/people/{world.a_person}/ledger"
    before = ana.get(path).json()["standing"]
    added = ana.post(
        path,
        json={"direction": "given", "kind": "referral", "value": 1200, "note": "payroll client"},
    )
    assert added.status_code == 201, added.text
    assert added.json()["source"] == "ledger" and added.json()["value"] == 1200
    found = ana.get(path).json()
    newest = found["entries"][0]
    assert (newest["kind"], newest["note"]) == ("referral", "payroll client")  # newest first
    assert "met Ofelia through them" in [e["note"] for e in found["entries"]]
    standing = found["standing"]
    assert standing["given"] == before["given"] + 1
    assert standing["received"] == before["received"] >= 1
    assert standing["balance"] == pytest.approx(before["balance"] + 1.0)
    assert standing["value_given"] == before["value_given"] + 1200
    sides = ana.get("/api/ledger", params={"min_entries": 1}).json()
    assert sides["entries"] >= len(found["entries"])

    bad_kind = ana.post(path, json={"direction": "given", "kind": "bribe"})
    assert bad_kind.status_code == 422 and "kind" in problem(bad_kind)
    naive = ana.post(
        path,
        json={"direction": "given", "kind": "favour", "occurred_at": "2025-01-01T10:00:00"},
    )
    assert naive.status_code == 422 and "occurred_at" in problem(naive)
    assert ana.get(f"/api/people/{world.b_person}/ledger").status_code == 404


def test_the_report_overview_and_time_spent_answer_as_the_cli_does(
    ana: TestClient, world: World
) -> None:
    report = ana.get("/api/report", params={"months": 3}).json()
    assert len(report["months"]) == 4 and report["now"] == report["months"][-1]
    assert report["layer_names"][0] == "support clique"
    overview = ana.get("/api/overview").json()
    everyone = ana.get("/api/people", params={"limit": 500, "sort": "interactions"}).json()
    assert overview["people"] == len(everyone)
    assert overview["interactions"] == sum(p["interactions"] for p in everyone)
    assert "Guild of Secret Hours" in [n["name"] for n in overview["networks"]]

    spent = ana.post("/api/time", json={"network": f"#{world.ids['network_id']}", "minutes": 25})
    assert spent.status_code == 201, spent.text
    assert spent.json()["network"] == "Guild of Secret Hours"
    assert spent.json()["responses"] is None
    nowhere = ana.post("/api/time", json={"network": "#999999", "minutes": 25})
    assert nowhere.status_code == 404
    too_long = ana.post("/api/time", json={"network": "forum", "minutes": 2000})
    assert too_long.status_code == 422 and "minutes" in problem(too_long)


def test_a_person_of_another_workspace_is_not_found(ana: TestClient, world: World) -> None:
    for path in ("strength", "strength/history", "relationship", "ledger"):
        answer = ana.get(f"/api/people/{world.b_person}/{path}")
        assert answer.status_code == 404, path
        assert "Bianca" not in answer.text


def test_openapi_documents_the_relationship_routes_and_their_404s(ana: TestClient) -> None:
    spec = ana.get("/api/openapi.json").json()
    paths = spec["paths"]
    for path, method in (
        ("/api/strength", "get"),
        ("/api/people/{person_id}/strength/history", "get"),
        ("/api/people/{person_id}/rating", "put"),
        ("/api/people/{person_id}/ledger", "post"),
        ("/api/ties", "post"),
        ("/api/report", "get"),
        ("/api/time", "post"),
    ):
        operation = paths[path][method]
        assert operation["tags"] == ["relationships"], path
        assert "200" in operation["responses"] or "201" in operation["responses"]
    assert "404" in paths["/api/people/{person_id}/relationship"]["get"]["responses"]
    assert "StrengthHistoryOut" in spec["components"]["schemas"]

"""The API's contract at its edges: the wrong content type is 415, a malformed URL or a
loosely typed value is 422 naming the field, a refused state is 409, and every answer a
route gives is in the OpenAPI document with the shape it has."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from tests.web.conftest import World

# A body each route accepts as it is, so only the content type is wrong.
JSON_ROUTES = [
    ("post", "/api/people", {"full_name": "Nadia Novak"}),
    ("post", "/api/networks", {"name": "Local Guild", "kind": "forum"}),
    ("post", "/api/interactions", {"person_id": 1, "summary": "a call"}),
    ("patch", "/api/settings", {"budget": 120}),
    ("post", "/api/posts", {"text": "hello", "to": ["linkedin"], "draft": True}),
    ("post", "/api/leads", {"text": "Ana needs an accountant"}),
    ("post", "/api/time", {"network": "Guild of Secret Hours", "minutes": 30}),
]


def api(app: FastAPI, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def _openapi(app: FastAPI) -> dict[str, Any]:
    document: dict[str, Any] = TestClient(app).get("/api/openapi.json").json()
    return document


@pytest.mark.parametrize(("method", "path", "body"), JSON_ROUTES)
def test_json_sent_as_text_plain_is_415_naming_what_the_route_reads(
    app: FastAPI, world: World, method: str, path: str, body: dict[str, Any]
) -> None:
    client = api(app, world.tokens["ana"])
    answer = client.request(
        method, path, content=json.dumps(body), headers={"Content-Type": "text/plain"}
    )
    assert answer.status_code == 415, answer.text
    assert answer.json() == {
        "detail": "Content-Type: text/plain is not read here; send application/json"
    }
    assert answer.headers["accept"] == "application/json"
    # The same body as JSON goes through: only the type was wrong.
    assert client.request(method, path, json=body).status_code in (200, 201)


def test_a_form_or_a_body_without_a_content_type_is_415_on_a_json_route(
    app: FastAPI, world: World
) -> None:
    client = api(app, world.tokens["ana"])
    form = client.post("/api/networks", data={"name": "Local Guild", "kind": "forum"})
    assert form.status_code == 415
    assert "application/x-www-form-urlencoded" in form.json()["detail"]
    bare = client.post("/api/networks", content=b'{"name": "Local Guild", "kind": "forum"}')
    assert bare.status_code == 415
    assert bare.json()["detail"].startswith("Content-Type: none given")
    # No body at all on a route whose body is optional is still fine.
    assert client.post("/api/plan").status_code == 200


def test_json_sent_to_the_upload_route_is_415(app: FastAPI, world: World) -> None:
    answer = api(app, world.tokens["ana"]).post("/api/import", json={"file": "people.csv"})
    assert answer.status_code == 415
    assert "multipart/form-data" in answer.json()["detail"]


def test_every_route_that_reads_a_body_documents_400_413_415_and_422(app: FastAPI) -> None:
    paths = _openapi(app)["paths"]
    with_body = [
        (path, method, operation)
        for path, methods in paths.items()
        for method, operation in methods.items()
        if "requestBody" in operation
    ]
    assert len(with_body) >= 30
    for path, method, operation in with_body:
        for status in ("400", "413", "415", "422"):
            assert status in operation["responses"], (method, path, status)
        problem = operation["responses"]["415"]["content"]["application/json"]["schema"]
        assert problem == {"$ref": "#/components/schemas/Problem"}


def test_a_validation_error_is_documented_with_the_shape_it_has(app: FastAPI, world: World) -> None:
    document = _openapi(app)
    answer = document["paths"]["/api/people"]["post"]["responses"]["422"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationProblem"
    }
    sent = api(app, world.tokens["ana"]).post("/api/people", json={"full_name": ""})
    (problem,) = sent.json()["detail"]
    assert problem["loc"] == ["body", "full_name"] and problem["type"] and problem["msg"]


@pytest.mark.parametrize(
    "url",
    [
        "http://0177.0.0.1",  # octal: 127.0.0.1 to some parsers, a name to others
        "http://2130706433/",  # 127.0.0.1 as one number
        "http://0x7f.0.0.1",
        "ftp://files.example.org",
        "javascript:alert(1)",
        "https://",
        "http://user:secret@forum.example.org",
        "http://forum.example.org:99999",
        "http://forum example.org",
    ],
)
def test_a_malformed_url_is_422_naming_the_field_on_every_route_that_takes_one(
    app: FastAPI, world: World, url: str
) -> None:
    client = api(app, world.tokens["ana"])
    sent = [
        client.post("/api/networks", json={"name": "Local Guild", "kind": "forum", "url": url}),
        client.post(
            f"/api/posts/{world.ids['post_id']}/done", json={"network": "linkedin", "url": url}
        ),
        # Refused before any connection is tried: nothing leaves the machine.
        client.post(
            "/api/accounts",
            json={"network": "discourse", "url": url, "secret": "key", "handle": "ana"},
        ),
    ]
    for answer in sent:
        assert answer.status_code == 422, answer.text
        (problem,) = answer.json()["detail"]
        assert problem["loc"] == ["body", "url"]
        assert "expected a web address" in problem["msg"]


def test_a_good_url_is_kept_as_given(app: FastAPI, world: World) -> None:
    client = api(app, world.tokens["ana"])
    made = client.post(
        "/api/networks",
        json={"name": "Local Guild", "kind": "forum", "url": "https://forum.example.org/c/5"},
    )
    assert made.status_code == 201 and made.json()["url"] == "https://forum.example.org/c/5"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/people", {"full_name": "Nadia", "distrusted": 0}, "distrusted"),
        ("/api/people", {"full_name": "Nadia", "closeness": "4"}, "closeness"),
        ("/api/people", {"full_name": "Nadia", "closeness": 4.5}, "closeness"),
        ("/api/people", {"full_name": "Nadia", "closeness": True}, "closeness"),
        ("/api/people", {"full_name": "Nadia", "birthday": 19900101}, "birthday"),
        ("/api/people", {"full_name": 7}, "full_name"),
        ("/api/interactions", {"person_id": 1, "summary": "call", "occurred_at": 0}, "occurred_at"),
        (
            "/api/interactions",
            {"person_id": 1, "summary": "call", "occurred_at": "2026-03-01T09:00:00"},
            "occurred_at",
        ),
        ("/api/interactions", {"person_id": "1", "summary": "call"}, "person_id"),
        ("/api/time", {"network": "linkedin", "minutes": 5, "spent_at": 1700000000}, "spent_at"),
        ("/api/posts", {"text": "hi", "to": ["linkedin"], "draft": 0}, "draft"),
        ("/api/referrals", {"direction": "given", "person_id": 1, "value": "5"}, "value"),
        ("/api/referrals", {"direction": "given", "person_id": 1, "value": False}, "value"),
    ],
)
def test_a_value_of_the_wrong_type_is_422_not_coerced(
    app: FastAPI, world: World, path: str, body: dict[str, Any], field: str
) -> None:
    answer = api(app, world.tokens["ana"]).post(path, json=body)
    assert answer.status_code == 422, answer.text
    assert [p["loc"] for p in answer.json()["detail"]] == [["body", field]]


def test_a_whole_number_written_with_a_point_is_still_that_number(
    app: FastAPI, world: World
) -> None:
    # JSON has one kind of number (JSON Schema's "integer" includes 4.0): not a coercion.
    made = api(app, world.tokens["ana"]).post(
        "/api/people", json={"full_name": "Nadia Novak", "closeness": 4.0}
    )
    assert made.status_code == 201 and made.json()["closeness"] == 4


def test_the_same_touch_sent_twice_is_409_not_a_server_error(app: FastAPI, world: World) -> None:
    client = api(app, world.tokens["ana"])
    touch = {"person_id": world.a_person, "summary": "coffee", "occurred_at": "2026-03-01T09:00Z"}
    first = client.post("/api/interactions", json=touch)
    assert first.status_code == 201
    again = client.post("/api/interactions", json=touch)
    assert again.status_code == 409
    assert again.json() == {
        "detail": f"interaction #{first.json()['interaction_id']}: this touch is logged already"
    }


def test_a_refused_state_is_409_with_the_problem_shape(app: FastAPI, world: World) -> None:
    client = api(app, world.tokens["ana"])
    twice = client.post("/api/networks", json={"name": "Guild of Secret Hours", "kind": "forum"})
    assert twice.status_code == 409
    assert twice.json() == {"detail": "a network named 'Guild of Secret Hours' exists already"}
    documented = _openapi(app)["paths"]["/api/networks"]["post"]["responses"]
    assert "409" in documented


def test_a_method_the_path_does_not_have_is_405_naming_every_method_it_has(
    app: FastAPI, world: World
) -> None:
    client = api(app, world.tokens["ana"])
    options = client.options("/api/people")
    assert options.status_code == 405
    assert options.headers["allow"] == "GET, POST"
    person = client.put(f"/api/people/{world.a_person}", json={})
    assert person.status_code == 405 and person.headers["allow"] == "DELETE, GET, PATCH"
    # "funnel" is not a referral id: the path is the funnel's, which has only GET.
    funnel = client.patch("/api/referrals/funnel", json={"status": "met"})
    assert funnel.status_code == 405 and funnel.headers["allow"] == "GET"


def test_an_id_past_what_the_database_holds_is_422_not_a_server_error(
    app: FastAPI, world: World
) -> None:
    # PostgreSQL's INTEGER ends at 2**31 - 1: a larger id reached it as "out of range".
    client = api(app, world.tokens["ana"])
    assert client.get(f"/api/people/{2**31}").status_code == 422
    assert client.get(f"/api/people/{2**31 - 1}").status_code == 404
    assert client.get(f"/api/posts/{2**53}").status_code == 422
    merged = client.post(f"/api/people/{world.a_person}/merge", json={"duplicate_id": 2**31})
    assert merged.status_code == 422
    tie = client.post("/api/ties", json={"person_a": world.a_person, "person_b": 2**40})
    assert tie.status_code == 422


def test_you_are_not_a_contact_to_find_paths_to(app: FastAPI, world: World) -> None:
    client = api(app, world.tokens["ana"])
    me = client.put("/api/profile", json={"name": "Ana Owner", "offer": "bookkeeping"})
    assert me.status_code == 200
    answer = client.get(f"/api/paths/{me.json()['person_id']}")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "paths: this is you; paths lead from you to your contacts"}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_a_number_json_does_not_have_is_422_not_a_server_error(
    app: FastAPI, world: World, number: str
) -> None:
    body = f'{{"direction": "given", "person_id": {world.a_person}, "value": {number}}}'
    answer = api(app, world.tokens["ana"]).post(
        "/api/referrals", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert [p["loc"] for p in answer.json()["detail"]] == [["body", "value"]]


def test_a_name_several_people_share_is_409_listing_them(app: FastAPI, world: World) -> None:
    client = api(app, world.tokens["ana"])
    twin = client.post("/api/people", json={"full_name": "Aurelio Quetzalcoatl"}).json()["id"]
    answer = client.get("/api/paths", params={"to": "Aurelio Quetzalcoatl"})
    assert answer.status_code == 409
    assert f"#{world.a_person} Aurelio Quetzalcoatl" in answer.json()["detail"]
    assert f"#{twin} Aurelio Quetzalcoatl" in answer.json()["detail"]


@pytest.mark.parametrize("flag", ["1", "0", "yes", "on", "True"])
def test_a_yes_no_query_parameter_is_true_or_false_only(
    app: FastAPI, world: World, flag: str
) -> None:
    client = api(app, world.tokens["ana"])
    for path, name in (
        ("/api/due", "fresh"),
        ("/api/queue", "all"),
        ("/api/referrers", "semantic"),
    ):
        answer = client.get(path, params={name: flag})
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["detail"][0]["loc"] == ["query", name]
    assert client.get("/api/due", params={"fresh": "true"}).status_code == 200
    assert client.get("/api/queue", params={"all": "false"}).status_code == 200


def test_a_one_word_name_as_long_as_the_schema_allows_is_stored_whole(
    app: FastAPI, world: World
) -> None:
    # Its first-name part is longer than that column: PostgreSQL refused it with a 500.
    client = api(app, world.tokens["ana"])
    name = "0" * 300
    made = client.post("/api/people", json={"full_name": name})
    assert made.status_code == 201, made.text
    shown = client.get(f"/api/people/{made.json()['id']}")
    assert shown.json()["full_name"] == name


def test_editing_a_post_for_a_network_it_does_not_go_to_is_409_and_an_unknown_one_422(
    app: FastAPI, world: World
) -> None:
    client = api(app, world.tokens["ana"])
    made = client.post("/api/posts", json={"text": "hello", "to": ["linkedin"], "draft": True})
    assert made.status_code == 201, made.text
    post = made.json()["id"]
    elsewhere = client.patch(f"/api/posts/{post}", json={"text": "hi", "network": "bluesky"})
    assert elsewhere.status_code == 409, elsewhere.text
    assert "goes to linkedin" in elsewhere.json()["detail"]
    unknown = client.patch(f"/api/posts/{post}", json={"text": "hi", "network": "0"})
    assert unknown.status_code == 422

"""Every route of the app, tried by the wrong people: nobody sees or changes another's data.

The table below must name every route; a new route without an entry fails the first test,
so no route escapes these checks.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import select
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from takethelead.services.core.store import Store
from takethelead.storage.tables import Base, Membership
from tests.web.conftest import A_SECRETS, World, csrf_for, seeded_areas

Request = Callable[[World], dict[str, Any]]
CSV = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\nZed,Zu,,,,,\r\n"


def upload(_: World) -> dict[str, Any]:
    return {"files": {"file": ("Connections.csv", io.BytesIO(CSV.encode()), "text/csv")}}


# (method, path) → what to send; paths name workspace A's own people, actions and workspace.
ROUTES: dict[tuple[str, str], Request] = {
    ("GET", "/"): lambda w: {},
    ("POST", "/plan"): lambda w: {"data": {"budget": "2h"}},
    ("POST", "/plan/{number}/done"): lambda w: {"data": {"outcome": "responded"}},
    ("POST", "/plan/{number}/skip"): lambda w: {"data": {}},
    ("GET", "/people"): lambda w: {"params": {"q": "Quetzal"}},
    ("POST", "/people"): lambda w: {"data": {"full_name": "New Person"}},
    ("GET", "/people/{person_id}"): lambda w: {},
    ("POST", "/people/{person_id}/edit"): lambda w: {"data": {"full_name": "Renamed"}},
    ("POST", "/people/{person_id}/tags"): lambda w: {"data": {"add": "x", "remove": "client"}},
    ("POST", "/people/{person_id}/touch"): lambda w: {"data": {"summary": "hello"}},
    ("POST", "/people/{person_id}/delete"): lambda w: {"data": {}},
    ("GET", "/networks"): lambda w: {},
    ("POST", "/networks"): lambda w: {"data": {"name": "New net", "kind": "forum"}},
    ("GET", "/import"): lambda w: {},
    ("POST", "/import"): upload,
    ("GET", "/settings"): lambda w: {},
    ("POST", "/settings/budget"): lambda w: {"data": {"budget": "90"}},
    ("POST", "/settings/preferences"): lambda w: {
        "data": {"budget": "2h", "preferred_hours": "tue 09:00-10:00", "digest_email": ""}
    },
    ("GET", "/api/settings"): lambda w: {},
    ("GET", "/api/networks/ranking"): lambda w: {},
    ("POST", "/api/people/{person_id}/merge"): lambda w: {
        "json": {"duplicate_id": w.ids["duplicate_id"]}
    },
    ("GET", "/api/plan/digest"): lambda w: {},
    ("POST", "/api/plan/digest/send"): lambda w: {"json": {"to": "ana@example.org"}},
    ("GET", "/api/users"): lambda w: {},
    ("POST", "/api/users"): lambda w: {"json": {"email": "erin@example.org", "role": "member"}},
    ("PATCH", "/api/settings"): lambda w: {"json": {"preferred_hours": "sat 10:00-11:00"}},
    ("POST", "/settings/users"): lambda w: {"data": {"email": "dora@example.org", "role": "owner"}},
    ("POST", "/workspace"): lambda w: {"data": {"workspace_id": str(w.a)}},
    ("GET", "/api/people"): lambda w: {"params": {"q": "Quetzal"}},
    ("POST", "/api/people"): lambda w: {"json": {"full_name": "New Person"}},
    ("GET", "/api/people/{person_id}"): lambda w: {},
    ("PATCH", "/api/people/{person_id}"): lambda w: {"json": {"full_name": "Renamed"}},
    ("DELETE", "/api/people/{person_id}"): lambda w: {},
    ("POST", "/api/people/{person_id}/tags"): lambda w: {"json": {"remove": ["client"]}},
    ("GET", "/api/networks"): lambda w: {},
    ("POST", "/api/networks"): lambda w: {"json": {"name": "API net", "kind": "forum"}},
    ("POST", "/api/interactions"): lambda w: {"json": {"person_id": w.a_person, "summary": "hi"}},
    ("GET", "/api/plan"): lambda w: {},
    ("POST", "/api/plan"): lambda w: {"json": {"budget_minutes": 60}},
    ("POST", "/api/plan/{number}/done"): lambda w: {"json": {"outcome": "responded"}},
    ("POST", "/api/plan/{number}/skip"): lambda w: {"json": {}},
    ("POST", "/api/import"): upload,
    ("GET", "/api/export"): lambda w: {"params": {"format": "json"}},
}
for _area in seeded_areas():
    assert not set(ROUTES) & set(_area.ROUTES), f"{_area.__name__} repeats a route"
    ROUTES.update(_area.ROUTES)
ONE_SHOT = set().union(*(area.ONE_SHOT for area in seeded_areas()))
# Open to anyone, holding no workspace data.
PUBLIC = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/setup"),
    ("POST", "/setup"),
    ("GET", "/invite/{token}"),  # the link's token is the key: tests/web/test_invitations.py
    ("POST", "/invite/{token}"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/docs"),
    ("GET", "/api/docs/oauth2-redirect"),
    ("GET", "/static"),
}
# Changes the session, not the workspace: open to read-only members.
NOT_WRITES = {("POST", "/workspace")}.union(
    *(getattr(area, "NOT_WRITES", set()) for area in seeded_areas())
)


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route, included routers' routes too (paths as documented,
    without their convertors: /people/{person_id}, not /people/{person_id:int})."""
    found = set()
    for route in app.routes:
        if isinstance(route, Mount):
            found.add(("GET", route.path))
        elif isinstance(route, APIRoute | Route):
            found |= {(m, route.path_format) for m in route.methods or () if m != "HEAD"}
        else:
            # FastAPI keeps an included router as one route that lists its own routes.
            for inner in route.effective_route_contexts():  # type: ignore[attr-defined]
                found |= {(m, inner.path_format) for m in inner.methods or () if m != "HEAD"}
    return found


def path_of(template: str, world: World) -> str:
    return template.format(person_id=world.a_person, number=world.a_action, **world.ids)


def send(client: TestClient, method: str, path: str, world: World, token: str | None) -> Any:
    kwargs = ROUTES[(method, path)](world)
    url = path_of(path, world)
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.request(method, url, headers=headers, **kwargs)
    if method != "GET" and token:  # a signed-in browser sends its form token
        kwargs = dict(kwargs)
        kwargs["data"] = {**kwargs.get("data", {}), "csrf_token": token}
    return client.request(method, url, **kwargs)


def snapshot_of_a(store: Store, world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that belongs to workspace A, table by table."""
    rows = {}
    with store.transaction() as session:
        for table in Base.metadata.sorted_tables:
            if "workspace_id" in table.c:
                query = select(table).where(table.c.workspace_id == world.a)
                rows[table.name] = sorted(map(tuple, session.execute(query)), key=repr)
        memberships = select(Membership.user_id, Membership.role).where(
            Membership.workspace_id == world.a
        )
        rows["membership"] = sorted(map(tuple, session.execute(memberships)))
    return rows


def test_the_route_table_names_every_route_of_the_app(app: FastAPI) -> None:
    assert app_routes(app) == set(ROUTES) | PUBLIC


def test_anonymous_requests_get_the_sign_in_page_or_401_and_nothing_else(
    app: FastAPI, world: World
) -> None:
    client = TestClient(app, follow_redirects=False)
    for method, path in ROUTES:
        answer = send(client, method, path, world, token=None)
        if path.startswith("/api/"):
            assert answer.status_code == 401, (method, path, answer.text)
            assert answer.headers["www-authenticate"] == "Bearer"
        else:
            assert answer.status_code == 302, (method, path, answer.text)
            assert answer.headers["location"].startswith("/login"), (method, path)
        assert not any(secret in answer.text for secret in A_SECRETS), (method, path)


def test_a_wrong_or_made_up_token_gets_401(app: FastAPI, world: World) -> None:
    client = TestClient(app)
    for token in ("ttl_made-up", world.tokens["ana"] + "x", ""):
        answer = client.get("/api/people", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401


def test_bruno_can_neither_read_nor_change_anything_of_workspace_a(
    app: FastAPI, store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    before = snapshot_of_a(store, world)
    bruno = as_user["bruno"]
    csrf = csrf_for(bruno)
    # Routes naming an id first: plan actions are numbered per workspace, so once bruno
    # builds his own plan, "action 1" is rightly his.
    for method, path in sorted(ROUTES, key=lambda route: ("{" not in route[1], route)):
        token = world.tokens["bruno"] if path.startswith("/api/") else csrf
        answer = send(bruno, method, path, world, token)
        assert answer.status_code < 500, (method, path, answer.text)
        assert not any(secret in answer.text for secret in A_SECRETS), (method, path)
        if "{" in path or path in ("/workspace", "/api/interactions"):
            # Naming A's person, plan action or workspace: as if it did not exist.
            assert answer.status_code == 404, (method, path, answer.status_code)
    assert snapshot_of_a(store, world) == before


def test_carla_a_read_only_member_is_refused_every_write_and_changes_nothing(
    app: FastAPI, store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    before = snapshot_of_a(store, world)
    carla = as_user["carla"]
    csrf = csrf_for(carla)
    writes = [(m, p) for m, p in ROUTES if m != "GET" and (m, p) not in NOT_WRITES]
    assert len(writes) > 20
    for method, path in sorted(writes):
        token = world.tokens["carla"] if path.startswith("/api/") else csrf
        answer = send(carla, method, path, world, token)
        assert answer.status_code == 403, (method, path, answer.status_code, answer.text)
    assert snapshot_of_a(store, world) == before


def test_carla_reads_everything_of_workspace_a(
    app: FastAPI, world: World, as_user: dict[str, TestClient]
) -> None:
    carla = as_user["carla"]
    for method, path in sorted(ROUTES):
        if method != "GET":
            continue
        token = world.tokens["carla"] if path.startswith("/api/") else None
        answer = send(carla, method, path, world, token)
        assert answer.status_code == 200, (path, answer.text)
    assert "Aurelio Quetzalcoatl" in carla.get(f"/people/{world.a_person}").text
    assert "read only" in carla.get("/").text


def test_ana_the_owner_may_use_every_route_of_her_workspace(
    app: FastAPI, store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    csrf = csrf_for(ana)
    for method, path in ROUTES:
        if "delete" in path.lower() or method == "DELETE" or path == "/workspace":
            continue  # deleting her person would leave the next routes nothing to act on
        if (method, path) in ONE_SHOT:
            continue
        if path == "/api/plan/digest/send":
            continue  # needs a mail server: tests/web/test_api_more.py sends one
        if path.endswith(("/done", "/skip")):
            continue  # the one open action can be closed once: tested in test_plan_pages
        token = world.tokens["ana"] if path.startswith("/api/") else csrf
        answer = send(ana, method, path, world, token)
        assert answer.status_code in (200, 201, 204, 303), (method, path, answer.text)

"""Signing in: first-run setup, argon2 hashes, signed cookies, CSRF and the failure limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from fastapi import FastAPI
from sqlalchemy import func, select
from starlette.testclient import TestClient

from takethelead.services.core.store import Store
from takethelead.storage.tables import ApiToken, LoginAttempt, Membership, Person, User, Workspace
from tests.web.conftest import PASSWORD, World, csrf_for, csrf_of


def test_the_first_visit_sets_up_the_owner_and_their_workspace(app: FastAPI, store: Store) -> None:
    client = TestClient(app, follow_redirects=False)
    assert client.get("/").headers["location"] == "/setup"
    assert client.get("/login").headers["location"] == "/setup"
    csrf = csrf_of(client.get("/setup").text)
    answer = client.post(
        "/setup",
        data={
            "email": "Ana@Example.org",
            "password": PASSWORD,
            "workspace": "Ana's",
            "csrf_token": csrf,
        },
    )
    assert answer.status_code == 303
    assert "ana@example.org" in client.get("/").text
    with store.transaction() as session:
        role, name = session.execute(select(Membership.role, Workspace.name).join(Workspace)).one()
    assert (role, name) == ("owner", "Ana's")


def test_setup_is_closed_once_anyone_can_sign_in(app: FastAPI, store: Store, world: World) -> None:
    client = TestClient(app, follow_redirects=False)
    assert client.get("/setup").headers["location"] == "/login"
    csrf = csrf_of(client.get("/login").text)
    answer = client.post(
        "/setup", data={"email": "eve@example.org", "password": PASSWORD, "csrf_token": csrf}
    )
    assert answer.status_code == 400
    assert "has users already" in answer.text
    with store.transaction() as session:
        assert session.scalar(select(User.id).where(User.email == "eve@example.org")) is None


def test_a_short_password_is_refused_with_the_field_named(app: FastAPI) -> None:
    client = TestClient(app)
    csrf = csrf_of(client.get("/setup").text)
    answer = client.post(
        "/setup", data={"email": "ana@example.org", "password": "short", "csrf_token": csrf}
    )
    assert answer.status_code == 400
    assert "password: expected at least 10 characters" in answer.text


def test_passwords_are_stored_as_argon2id_hashes_and_tokens_as_sha256_digests(
    store: Store, world: World
) -> None:
    with store.transaction() as session:
        hashes = session.scalars(select(User.password_hash)).all()
        digests = session.scalars(select(ApiToken.digest)).all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)
    assert all(len(d) == 64 and d not in world.tokens.values() for d in digests)


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_over_https(
    app: FastAPI, world: World
) -> None:
    plain = TestClient(app).get("/login").headers["set-cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    secure = TestClient(app, base_url="https://testserver").get("/login").headers["set-cookie"]
    assert "Secure" in secure


def test_a_tampered_session_cookie_is_an_anonymous_visitor(
    app: FastAPI, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    cookie = ana.cookies["lead_session"]
    body, _, mac = cookie.partition(".")
    forged = TestClient(app, follow_redirects=False)
    forged.cookies.set("lead_session", body + "." + mac[::-1])
    assert forged.get("/").status_code == 302


def test_a_session_cookie_older_than_fourteen_days_is_an_anonymous_visitor(
    app: FastAPI, world: World, as_user: dict[str, TestClient]
) -> None:
    cookie = as_user["ana"].cookies["lead_session"]
    fresh = TestClient(app, follow_redirects=False)
    fresh.cookies.set("lead_session", cookie)
    assert fresh.get("/").status_code == 200
    stale = TestClient(app, follow_redirects=False)
    stale.cookies.set("lead_session", cookie)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=15), tick=False):
        assert stale.get("/").status_code == 302


def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    for data in ({"full_name": "Mallory"}, {"full_name": "Mallory", "csrf_token": "guess"}):
        answer = ana.post("/people", data=data)
        assert answer.status_code == 403
        assert "reload the page" in answer.text
    other = csrf_for(as_user["bruno"])  # a real token, of someone else's session
    assert (
        ana.post("/people", data={"full_name": "Mallory", "csrf_token": other}).status_code == 403
    )
    with store.transaction() as session:
        assert session.scalar(select(Person.id).where(Person.full_name == "Mallory")) is None


def test_htmx_sends_the_csrf_token_in_a_header(
    world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    answer = ana.post(
        "/people", data={"full_name": "Hedda"}, headers={"X-CSRF-Token": csrf_for(ana)}
    )
    assert answer.status_code == 303


def test_the_sign_in_form_itself_needs_its_csrf_token(app: FastAPI, world: World) -> None:
    client = TestClient(app)
    client.get("/login")
    answer = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    assert answer.status_code == 403


def test_five_failed_sign_ins_lock_that_address_from_that_client_for_fifteen_minutes(
    app: FastAPI, store: Store, world: World
) -> None:
    start = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        client = TestClient(app)
        csrf = csrf_of(client.get("/login").text)
        for _ in range(5):
            answer = client.post(
                "/login",
                data={"email": "ana@example.org", "password": "wrong guess 1", "csrf_token": csrf},
            )
            assert answer.status_code == 401
            assert "not recognised" in answer.text
        right = {"email": "ana@example.org", "password": PASSWORD, "csrf_token": csrf}
        locked = client.post("/login", data=right)
        assert locked.status_code == 429
        assert "too many failed sign-ins" in locked.text
        # Another client is not locked out by someone else's guesses.
        elsewhere = TestClient(app, client=("10.9.8.7", 4000), follow_redirects=False)
        other_csrf = csrf_of(elsewhere.get("/login").text)
        assert elsewhere.post("/login", data={**right, "csrf_token": other_csrf}).status_code == 303
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert client.post("/login", data=right, follow_redirects=False).status_code == 303
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 0


def test_signing_out_ends_the_session(world: World, as_user: dict[str, TestClient]) -> None:
    ana = as_user["ana"]
    assert ana.post("/logout", data={"csrf_token": csrf_for(ana)}).status_code == 303
    assert ana.get("/").status_code == 302


def test_a_removed_membership_ends_access_at_once(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    with store.transaction() as session:
        carla = session.scalar(select(User.id).where(User.email == "carla@example.org"))
        session.delete(session.get(Membership, (carla, world.a)))
    assert as_user["carla"].get("/").status_code == 302
    answer = TestClient(as_user["carla"].app).get(
        "/api/people", headers={"Authorization": f"Bearer {world.tokens['carla']}"}
    )
    assert answer.status_code == 401

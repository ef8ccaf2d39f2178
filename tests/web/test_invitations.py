"""Invitations: nobody joins a workspace, and no account gets a password, on another's say-so.

ana owns A, bruno owns B; victim@example.org is someone ana would like to take over.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from takethelead.cli.app import app as lead_app
from takethelead.services.core.store import Store
from takethelead.storage.tables import Invitation, Membership, User, Workspace
from tests.web.conftest import PASSWORD, World, csrf_for, csrf_of, sign_in

ANAS_CHOICE = "ana chose this one"
runner = CliRunner()


def api(app: FastAPI, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def try_sign_in(app: FastAPI, email: str, password: str) -> TestClient | None:
    client = TestClient(app, follow_redirects=False)
    csrf = csrf_of(client.get("/login").text)
    answer = client.post("/login", data={"email": email, "password": password, "csrf_token": csrf})
    return client if answer.status_code == 303 else None


def take_up(app: FastAPI, link: str, password: str) -> int:
    """Open an invitation link as a stranger and send a password; the answer's status."""
    client = TestClient(app, follow_redirects=False)
    page = client.get(link)
    if page.status_code != 200:
        return page.status_code
    data = {"password": password, "again": password, "csrf_token": csrf_of(page.text)}
    return client.post(link, data=data).status_code


def memberships_of(store: Store, email: str) -> set[tuple[str, str]]:
    with store.transaction() as session:
        rows = session.execute(
            select(Workspace.name, Membership.role)
            .join(Membership, Membership.workspace_id == Workspace.id)
            .join(User, User.id == Membership.user_id)
            .where(User.email == email)
        ).all()
    return {(name, role) for name, role in rows}


def test_the_takeover_through_a_pre_created_account_fails(
    app: FastAPI, store: Store, world: World, cli_env: dict[str, str | None], tmp_path: Path
) -> None:
    ana = api(app, world.tokens["ana"])
    # 1. ana tries to create the victim's account with a password of her choosing.
    made = ana.post(
        "/api/users",
        json={"email": "victim@example.org", "password": ANAS_CHOICE, "role": "member"},
    )
    assert made.status_code == 422, made.text
    with store.transaction() as session:
        assert session.scalar(select(User.id).where(User.email == "victim@example.org")) is None
    # She may invite the address; nobody is a member, and no account exists, until it is taken up.
    invited = ana.post("/api/users", json={"email": "victim@example.org", "role": "member"})
    assert invited.status_code == 201
    # 2. The administrator adds the real person to gamma, with the real person's password.
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    result = runner.invoke(lead_app, ["users", "add", "victim@example.org", "--workspace",
                                      "gamma", "--role", "owner", "--password-file", str(secret)],
                           env=cli_env)  # fmt: skip
    assert result.exit_code == 0, result.output
    with store.transaction() as session:
        gamma = session.scalar(select(Workspace.id).where(Workspace.name == "gamma"))
    # 3. ana signs in as the victim with her password: refused, and gamma stays closed to her.
    assert try_sign_in(app, "victim@example.org", ANAS_CHOICE) is None
    assert take_up(app, invited.json()["link"], ANAS_CHOICE) == 401
    assert memberships_of(store, "victim@example.org") == {("gamma", "owner")}
    as_ana = sign_in(app, "ana@example.org")
    switch = as_ana.post(
        "/workspace", data={"workspace_id": str(gamma), "csrf_token": csrf_for(as_ana)}
    )
    assert switch.status_code == 404
    # The real person signs in with their own password and owns gamma.
    victim = sign_in(app, "victim@example.org")
    assert "gamma" in victim.get("/").text


def test_an_owner_cannot_enrol_an_existing_user_without_their_acceptance(
    app: FastAPI, store: Store, world: World
) -> None:
    ana = api(app, world.tokens["ana"])
    invited = ana.post("/api/users", json={"email": "bruno@example.org", "role": "owner"})
    assert invited.status_code == 201, invited.text
    assert memberships_of(store, "bruno@example.org") == {("B", "owner")}
    assert "bruno@example.org" not in {u["email"] for u in ana.get("/api/users").json()}
    # The link does not let its holder set an existing account's password.
    assert take_up(app, invited.json()["link"], ANAS_CHOICE) == 401
    assert try_sign_in(app, "bruno@example.org", ANAS_CHOICE) is None
    assert try_sign_in(app, "bruno@example.org", PASSWORD) is not None
    # bruno sees the invitation and declines it: still only a member of B.
    bruno = api(app, world.tokens["bruno"])
    (waiting,) = bruno.get("/api/users/me/invitations").json()
    assert (waiting["workspace"], waiting["role"], waiting["invited_by"]) == (
        "A", "owner", "ana@example.org"
    )  # fmt: skip
    assert bruno.post(f"/api/users/me/invitations/{waiting['id']}/decline").status_code == 204
    assert bruno.get("/api/users/me/invitations").json() == []
    assert memberships_of(store, "bruno@example.org") == {("B", "owner")}
    assert take_up(app, invited.json()["link"], PASSWORD) == 404
    # Nobody else may answer someone's invitation.
    again = ana.post("/api/users", json={"email": "bruno@example.org", "role": "member"})
    number = again.json()["id"]
    carla = api(app, world.tokens["carla"])
    assert carla.post(f"/api/users/me/invitations/{number}/accept").status_code == 404
    assert memberships_of(store, "bruno@example.org") == {("B", "owner")}


def test_an_existing_user_accepts_after_signing_in_and_works_in_the_new_workspace(
    app: FastAPI, store: Store, world: World
) -> None:
    ana = api(app, world.tokens["ana"])
    assert ana.post("/api/users", json={"email": "bruno@example.org"}).status_code == 201
    bruno = TestClient(app, follow_redirects=False)
    csrf = csrf_of(bruno.get("/login").text)
    signed = bruno.post(
        "/login", data={"email": "bruno@example.org", "password": PASSWORD, "csrf_token": csrf}
    )
    assert signed.headers["location"] == "/invitations"  # answer them first
    page = bruno.get("/invitations").text
    assert "ana@example.org" in page and "A" in page
    (number,) = re.findall(r'action="/invitations/(\d+)/accept"', page)
    accepted = bruno.post(f"/invitations/{number}/accept", data={"csrf_token": csrf_for(bruno)})
    assert accepted.status_code == 303
    assert memberships_of(store, "bruno@example.org") == {("A", "member"), ("B", "owner")}
    assert "Aurelio Quetzalcoatl" in bruno.get(f"/people/{world.a_person}").text
    assert "read only" in bruno.get("/").text
    # Accepted once: the same invitation cannot be used again.
    again = bruno.post(f"/invitations/{number}/accept", data={"csrf_token": csrf_for(bruno)})
    assert again.status_code == 404


def test_someone_new_sets_their_own_password_through_the_link_once(
    app: FastAPI, store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    page = ana.post(
        "/settings/users", data={"csrf_token": csrf_for(ana), "email": "dora@example.org"}
    )
    (link,) = re.findall(r"<code>(http://testserver/invite/[^<]+)</code>", page.text)
    assert "dora@example.org" in ana.get("/settings").text  # listed as invited, not a user
    assert memberships_of(store, "dora@example.org") == set()
    stranger = TestClient(app, follow_redirects=False)
    form = stranger.get(link)
    assert form.status_code == 200 and form.headers["referrer-policy"] == "no-referrer"
    csrf = csrf_of(form.text)
    short = stranger.post(link, data={"password": "short", "again": "short", "csrf_token": csrf})
    assert short.status_code == 400 and "at least 10 characters" in short.text
    differ = stranger.post(
        link, data={"password": PASSWORD, "again": PASSWORD + "!", "csrf_token": csrf}
    )
    assert differ.status_code == 400 and "differ" in differ.text
    joined = stranger.post(link, data={"password": PASSWORD, "again": PASSWORD, "csrf_token": csrf})
    assert joined.status_code == 303
    assert "read only" in stranger.get("/").text
    assert memberships_of(store, "dora@example.org") == {("A", "member")}
    assert take_up(app, link, "another password here") == 404  # used once, then never again
    assert try_sign_in(app, "dora@example.org", PASSWORD) is not None
    with store.transaction() as session:
        digests = session.scalars(select(Invitation.digest)).all()
    assert all(link.rsplit("/", 1)[1] not in digest for digest in digests)


def test_an_invitation_expires_after_a_week_and_a_new_one_replaces_the_old_link(
    app: FastAPI, store: Store, world: World
) -> None:
    start = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        ana = api(app, world.tokens["ana"])
        first = ana.post("/api/users", json={"email": "erin@example.org"}).json()["link"]
        second = ana.post("/api/users", json={"email": "erin@example.org"}).json()
        assert TestClient(app).get(first).status_code == 404  # replaced
        assert [i["email"] for i in ana.get("/api/users/invitations").json()] == [
            "erin@example.org"
        ]
    with time_machine.travel(start + timedelta(days=8), tick=False):
        late = TestClient(app).get(second["link"])
        assert late.status_code == 404 and "expired on 2030-05-13" in late.text
        assert take_up(app, second["link"], PASSWORD) == 404
        assert api(app, world.tokens["ana"]).get("/api/users/invitations").json() == []
    assert memberships_of(store, "erin@example.org") == set()


def test_an_owner_withdraws_an_invitation_and_a_member_may_not(
    app: FastAPI, store: Store, world: World
) -> None:
    ana = api(app, world.tokens["ana"])
    sent = ana.post("/api/users", json={"email": "erin@example.org"}).json()
    carla = api(app, world.tokens["carla"])
    assert carla.delete(f"/api/users/invitations/{sent['id']}").status_code == 403
    assert api(app, world.tokens["bruno"]).delete(
        f"/api/users/invitations/{sent['id']}"
    ).status_code == 404  # fmt: skip
    assert ana.delete(f"/api/users/invitations/{sent['id']}").status_code == 204
    assert take_up(app, sent["link"], PASSWORD) == 404
    assert carla.post("/api/users", json={"email": "x@example.org"}).status_code == 403


def test_the_invitation_api_is_strict_about_its_body(app: FastAPI, world: World) -> None:
    ana = api(app, world.tokens["ana"])
    for body in ({"email": 5}, {"email": "e@example.org", "role": 1}, {"email": "e@example.org",
                 "extra": True}, {}):  # fmt: skip
        assert ana.post("/api/users", json=body).status_code == 422, body

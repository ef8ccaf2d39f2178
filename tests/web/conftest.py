"""Three named users on a real database: ana owns workspace A, bruno owns B, carla is a
read-only member of A. Clients sign in through the real sign-in form or send a real token."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from starlette.testclient import TestClient

from takethelead.config import Settings
from takethelead.services.auth import access, accounts
from takethelead.services.core.store import Store
from takethelead.services.networks import networks
from takethelead.services.people import interactions, people
from takethelead.services.planning import weekly as planning
from takethelead.web.app import create_app

PASSWORD = "correct horse battery staple"
# Words that appear only in workspace A: no answer to anyone else may contain them.
A_SECRETS = ("Aurelio", "Quetzalcoatl", "Guild of Secret Hours", "aurelio@a.example")


@dataclass(frozen=True)
class World:
    a: int  # workspace ids
    b: int
    a_person: int  # one of A's people
    a_action: int  # the number of an open action of A's plan
    b_person: int
    tokens: dict[str, str]  # by user name
    ids: dict[str, int]  # more of A's rows that routes name, by path parameter


@pytest.fixture
def app(settings: Settings, store: Store) -> Iterator[FastAPI]:
    # The fake network servers of the tests listen on 127.0.0.1.
    web = create_app(dataclasses.replace(settings, private_servers=True))
    yield web
    web.state.store.close()
    if not settings.is_sqlite:  # the shared fixture empties workspaces; users are ours
        with store.engine.begin() as connection:
            connection.execute(text("TRUNCATE app_user, login_attempt CASCADE"))


@pytest.fixture
def world(store: Store) -> World:
    with store.transaction() as session:
        ana = accounts.add_user(session, "ana@example.org", PASSWORD, "A", "owner")
        accounts.add_user(session, "bruno@example.org", PASSWORD, "B", "owner")
        accounts.add_user(session, "carla@example.org", PASSWORD, "A", "member")
        a = access.principal_for_token(
            session, accounts.issue_token(session, ana.email, "probe", "A")
        ).workspace_id
        b = session.execute(text("SELECT id FROM workspace WHERE name = 'B'")).scalar_one()
        networks.add_network(session, a, "Guild of Secret Hours", "forum")
        a_person = people.add_person(
            session,
            a,
            "Aurelio Quetzalcoatl",
            people.PersonInput(company="Quetzalcoatl Ltd", cadence_days=14, closeness=4),
            ["aurelio@a.example"],
            ["client"],
        )
        long_ago = datetime.now(UTC) - timedelta(days=60)
        for days in (0, 10, 20):
            interactions.log_touch(
                session, a, f"coffee {days}", kind="meeting", when=long_ago - timedelta(days=days),
                person=f"#{a_person}", network="Guild of Secret Hours",
            )  # fmt: skip
        plan = planning.make_plan(session, a)
        open_actions = [i.number for i in plan.items if i.status == "open"]
        assert open_actions, "workspace A needs an open plan action for the tests"
        ids: dict[str, int] = {
            "duplicate_id": people.add_person(
                session, a, "Aurelio Q.", identities=["aurelio@old.example"]
            )
        }
        for area in seeded_areas():
            ids.update(area.seed(session, a, a_person))
        b_person = people.add_person(session, b, "Bianca Borges")
        tokens = {
            name: accounts.issue_token(session, f"{name}@example.org", "tests")
            for name in ("ana", "bruno", "carla")
        }
    return World(a, b, a_person, open_actions[0], b_person, tokens, ids)


def seeded_areas() -> list[Any]:
    """The modules that add rows to workspace A for their routes (tests/web/isolation_*.py)."""
    from tests.web import isolation_leads, isolation_posts, isolation_relationships, isolation_users

    return [isolation_posts, isolation_leads, isolation_relationships, isolation_users]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found is not None, "every page carries its CSRF token"
    return found.group(1)


def csrf_for(client: TestClient) -> str:
    """The CSRF token of a signed-in client's session, as its pages carry it."""
    return csrf_of(client.get("/import").text)


def sign_in(app: FastAPI, email: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    csrf = csrf_of(client.get("/login").text)
    answer = client.post("/login", data={"email": email, "password": password, "csrf_token": csrf})
    assert answer.status_code == 303, answer.text
    return client


@pytest.fixture
def as_user(app: FastAPI, world: World) -> Iterator[dict[str, TestClient]]:
    clients = {name: sign_in(app, f"{name}@example.org") for name in ("ana", "bruno", "carla")}
    yield clients
    for client in clients.values():
        client.close()

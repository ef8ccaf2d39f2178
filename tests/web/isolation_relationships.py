"""The isolation table's rows for the relationships routes, and what workspace A holds for them.

tests/web/test_isolation.py joins these rows to its own: every route must be named in one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from takethelead.services.people import people
from takethelead.services.relationships import ledger
from takethelead.storage.tables import Network
from tests.web.conftest import World


def _tie(w: World) -> dict[str, Any]:
    return {"json": {"person_a": w.a_person, "person_b": w.ids["second_person_id"], "trust": 0.7}}


# (method, path) → what to send; ids in paths come from World.ids (what seed returned).
ROUTES: dict[tuple[str, str], Callable[[World], dict[str, Any]]] = {
    ("GET", "/people/{person_id}/strength"): lambda w: {},
    ("POST", "/people/{person_id}/notes"): lambda w: {"data": {"notes": "Likes trains"}},
    ("POST", "/people/{person_id}/profile"): lambda w: {
        "data": {"offer": "Tax advice", "lead_profile": "Agencies that grow"}
    },
    ("POST", "/people/{person_id}/cadence"): lambda w: {"data": {"cadence": "monthly"}},
    ("POST", "/people/{person_id}/rating"): lambda w: {"data": {"rating": "4"}},
    ("POST", "/people/{person_id}/ledger"): lambda w: {
        "data": {"direction": "given", "kind": "favour", "note": "lent a book"}
    },
    ("GET", "/api/strength"): lambda w: {"params": {"limit": 5}},
    ("POST", "/api/strength/model"): lambda w: {},
    ("GET", "/api/people/{person_id}/strength"): lambda w: {},
    ("GET", "/api/people/{person_id}/strength/history"): lambda w: {"params": {"months": 6}},
    ("GET", "/api/people/{person_id}/relationship"): lambda w: {},
    ("PUT", "/api/people/{person_id}/rating"): lambda w: {"json": {"rating": 4}},
    ("PUT", "/api/people/{person_id}/cadence"): lambda w: {"json": {"cadence": "monthly"}},
    ("GET", "/api/due"): lambda w: {},
    ("GET", "/api/fading"): lambda w: {"params": {"days": 60}},
    ("POST", "/api/ties"): _tie,
    ("POST", "/api/ties/infer"): lambda w: {},
    ("GET", "/api/people/{person_id}/ledger"): lambda w: {},
    ("POST", "/api/people/{person_id}/ledger"): lambda w: {
        "json": {"direction": "received", "kind": "referral", "value": 1200}
    },
    ("GET", "/api/ledger"): lambda w: {"params": {"min_entries": 1}},
    ("GET", "/api/report"): lambda w: {"params": {"months": 3}},
    ("GET", "/api/overview"): lambda w: {},
    ("POST", "/api/time"): lambda w: {
        "json": {"network": f"#{w.ids['network_id']}", "minutes": 25, "note": "threads"}
    },
}
# Routes the owner test must not call (they end or delete what later routes act on).
ONE_SHOT: set[tuple[str, str]] = set()


def seed(session: Session, workspace_id: int, person_id: int) -> dict[str, int]:
    """Rows of workspace A these routes name; returns the path ids, e.g. {"post_id": 3}."""
    other = people.add_person(session, workspace_id, "Ofelia Second")
    ledger.add_entry(
        session, workspace_id, person_id, "received", "introduction",
        note="met Ofelia through them", when=datetime.now(UTC) - timedelta(days=5),
    )  # fmt: skip
    network = session.scalar(select(Network.id).where(Network.workspace_id == workspace_id))
    assert network is not None, "workspace A has its network before the areas seed"
    return {"second_person_id": other, "network_id": network}

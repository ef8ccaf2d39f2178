"""The isolation table's rows for the leads routes, and what workspace A holds for them.

tests/web/test_isolation.py joins these rows to its own: every route must be named in one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from takethelead.services.leads import introductions, leads, referrals
from takethelead.services.people import people
from tests.web.conftest import World


def _pass(w: World) -> dict[str, Any]:
    return {"data": {"to": f"#{w.a_person}", "note": "over to you"}}


# (method, path) → what to send; ids in paths come from World.ids (what seed returned).
ROUTES: dict[tuple[str, str], Callable[[World], dict[str, Any]]] = {
    ("GET", "/leads"): lambda w: {"params": {"status": "open"}},
    ("POST", "/leads"): lambda w: {"data": {"text": "a café needs a new espresso machine"}},
    ("GET", "/leads/{lead_id}"): lambda w: {},
    ("POST", "/leads/{lead_id}/pass"): _pass,
    ("POST", "/leads/{lead_id}/status"): lambda w: {"data": {"status": "open"}},
    ("POST", "/profile"): lambda w: {"data": {"offer": "Espresso machines, serviced"}},
    ("GET", "/referrers"): lambda w: {},
    ("GET", "/referrals"): lambda w: {"params": {"direction": "given"}},
    ("POST", "/referrals"): lambda w: {
        "data": {"direction": "received", "person": f"#{w.a_person}", "value": "300"}
    },
    ("POST", "/referrals/{referral_id}"): lambda w: {"data": {"status": "contacted"}},
    ("GET", "/introductions"): lambda w: {},
    ("POST", "/introductions"): lambda w: {
        "data": {"first": f"#{w.a_person}", "second": f"#{w.ids['other_person_id']}"}
    },
    ("POST", "/introductions/{intro_id}/accept"): lambda w: {"data": {"side": "a"}},
    ("POST", "/introductions/{intro_id}/decline"): lambda w: {"data": {"side": "b"}},
    ("GET", "/paths/{person_id}"): lambda w: {},
    ("GET", "/api/leads"): lambda w: {"params": {"status": "open"}},
    ("POST", "/api/leads"): lambda w: {"json": {"text": "a bakery needs a bookkeeper"}},
    ("GET", "/api/leads/{lead_id}"): lambda w: {},
    ("PATCH", "/api/leads/{lead_id}"): lambda w: {"json": {"status": "open"}},
    ("GET", "/api/leads/{lead_id}/matches"): lambda w: {"params": {"limit": 3}},
    ("POST", "/api/leads/{lead_id}/pass"): lambda w: {"json": {"to_person_id": w.a_person}},
    ("GET", "/api/referrers"): lambda w: {"params": {"need": "bookkeeping for bakeries"}},
    ("GET", "/api/paths"): lambda w: {"params": {"to": f"#{w.a_person}"}},
    ("GET", "/api/paths/{person_id}"): lambda w: {},
    ("GET", "/api/profile"): lambda w: {},
    ("PUT", "/api/profile"): lambda w: {"json": {"offer": "Espresso machines, serviced"}},
    ("GET", "/api/referrals"): lambda w: {"params": {"direction": "given"}},
    ("POST", "/api/referrals"): lambda w: {
        "json": {"direction": "given", "person_id": w.a_person, "value": 120}
    },
    ("PATCH", "/api/referrals/{referral_id}"): lambda w: {"json": {"status": "contacted"}},
    ("GET", "/api/referrals/funnel"): lambda w: {},
    ("GET", "/api/introductions"): lambda w: {},
    ("GET", "/api/introductions/candidates"): lambda w: {"params": {"limit": 5}},
    ("POST", "/api/introductions"): lambda w: {
        "json": {"person_a": w.a_person, "person_b": w.ids["other_person_id"]}
    },
    ("POST", "/api/introductions/{intro_id}/accept"): lambda w: {"json": {"side": "a"}},
    ("POST", "/api/introductions/{intro_id}/decline"): lambda w: {"json": {"side": "b"}},
}
# Routes the owner test must not call (they end or delete what later routes act on).
ONE_SHOT: set[tuple[str, str]] = {
    ("POST", "/introductions/{intro_id}/decline"),
    ("POST", "/api/introductions/{intro_id}/decline"),
}


def seed(session: Session, workspace_id: int, person_id: int) -> dict[str, int]:
    """Rows of workspace A these routes name; returns the path ids, e.g. {"post_id": 3}."""
    other = people.add_person(
        session,
        workspace_id,
        "Odile Brandt",
        people.PersonInput(offer="Bookkeeping for bakeries", lead_profile="Quiet cafés"),
    )
    lead = leads.add_lead(session, workspace_id, "a bakery needs bookkeeping", f"#{other}")
    referral = leads.pass_lead(session, workspace_id, lead.id, f"#{person_id}")
    referrals.record_referral(session, workspace_id, "received", other, "a client", 500.0)
    intro = introductions.propose_introduction(
        session, workspace_id, f"#{person_id}", f"#{other}", "both love bread"
    )
    return {
        "lead_id": lead.id,
        "referral_id": referral.id,
        "intro_id": intro.id,
        "other_person_id": other,
    }

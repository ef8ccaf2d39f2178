"""The isolation table's rows for users and invitations, and what they name.

tests/web/test_isolation.py joins these rows to its own: every route must be named in one.
Workspace A has invited olga (no account yet); a workspace C, which nobody of the tests
owns, has invited ana, so ana may answer it and nobody else may.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from takethelead.services.auth import invitations
from takethelead.services.core.store import workspace_id
from tests.web.conftest import World

ROUTES: dict[tuple[str, str], Callable[[World], dict[str, Any]]] = {
    ("GET", "/invitations"): lambda w: {},
    ("POST", "/invitations/{invitation_id}/accept"): lambda w: {"data": {}},
    ("POST", "/invitations/{invitation_id}/decline"): lambda w: {"data": {}},
    ("GET", "/api/users/invitations"): lambda w: {},
    ("DELETE", "/api/users/invitations/{pending_id}"): lambda w: {},
    ("GET", "/api/users/me/invitations"): lambda w: {},
    ("POST", "/api/users/me/invitations/{invitation_id}/accept"): lambda w: {},
    ("POST", "/api/users/me/invitations/{invitation_id}/decline"): lambda w: {},
}
# Answering an invitation ends it: the owner test accepts it once, through the API (the
# page would move her session to C, and the routes after it name A's rows).
ONE_SHOT: set[tuple[str, str]] = {
    ("POST", "/invitations/{invitation_id}/accept"),
    ("POST", "/invitations/{invitation_id}/decline"),
    ("POST", "/api/users/me/invitations/{invitation_id}/decline"),
}
# A user's own answers, not changes to the workspace they act in: open to read-only members.
NOT_WRITES: set[tuple[str, str]] = {
    ("POST", "/invitations/{invitation_id}/accept"),
    ("POST", "/invitations/{invitation_id}/decline"),
    ("POST", "/api/users/me/invitations/{invitation_id}/accept"),
    ("POST", "/api/users/me/invitations/{invitation_id}/decline"),
}


def seed(session: Session, workspace: int, person_id: int) -> dict[str, int]:
    """Invitations these routes name: A's to olga, and C's to ana."""
    olga = invitations.invite(session, workspace, "olga@example.org", "member", None)
    elsewhere = workspace_id(session, "C")
    to_ana = invitations.invite(session, elsewhere, "ana@example.org", "member", None)
    return {"pending_id": olga.invitation.id, "invitation_id": to_ana.invitation.id}

"""The workspace's users, and invitations: owners invite, the invited accept or decline.

No route sets anyone's password: someone new chooses theirs through the invitation link,
and someone who has an account accepts with their own token or after signing in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from takethelead.services.auth import access, accounts, invitations
from takethelead.services.auth.access import Principal
from takethelead.web.api.schemas import Problem
from takethelead.web.deps import ApiReader, ApiWriter, RowId, StoreDep, api_principal

router = APIRouter(prefix="/users", tags=["users"])
ApiUser = Annotated[Principal, Depends(api_principal)]
MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such open invitation (for you, or here)"}
}
TAKEN: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "description": "That address is a member of this workspace already"}
}
# The addresses services/auth/accounts.py accepts, so that the schema says what is valid.
EMAIL_PATTERN = rf"^{accounts.EMAIL_PATTERN}$"


class UserOut(BaseModel):
    id: int
    email: str
    role: str


class InviteIn(BaseModel):
    """Whom to invite, and as what; the invited person sets their own password."""

    model_config = ConfigDict(strict=True, extra="forbid")

    email: str = Field(min_length=5, max_length=320, pattern=EMAIL_PATTERN)
    role: Literal["owner", "member"] = "member"


class InvitationOut(BaseModel):
    id: int
    email: str
    role: str
    workspace_id: int
    workspace: str
    invited_by: str | None = Field(description="The inviting owner's e-mail, if an owner")
    created_at: datetime
    expires_at: datetime


class InvitationLinkOut(InvitationOut):
    link: str = Field(
        description="The one-time link to hand to the invited person: someone new sets "
        "their password there; someone with an account signs in and accepts. Shown once."
    )


class MembershipOut(BaseModel):
    workspace_id: int
    workspace: str
    role: str


def _out(view: invitations.InvitationView) -> InvitationOut:
    return InvitationOut(
        id=view.id,
        email=view.email,
        role=view.role,
        workspace_id=view.workspace_id,
        workspace=view.workspace,
        invited_by=view.invited_by,
        created_at=view.created_at,
        expires_at=view.expires_at,
    )


@router.get("", response_model=list[UserOut])
def get_users(store: StoreDep, who: ApiReader) -> list[UserOut]:
    """The users of this workspace, owners first."""
    with access.reading(store, who) as db:
        found = accounts.members(db, who.workspace_id)
    return [UserOut(id=u.id, email=u.email, role=u.role) for u in found]


@router.post("", status_code=201, response_model=InvitationLinkOut, responses=TAKEN)
def invite_user(
    request: Request, store: StoreDep, who: ApiWriter, body: InviteIn
) -> InvitationLinkOut:
    """Invite someone to this workspace (a member reads; an owner may also change).

    Nobody becomes a member until they accept: someone new opens the link and sets their
    own password; someone with an account accepts after signing in. A password in the
    body is refused. Inviting the same address again replaces the earlier link.
    """
    with access.writing(store, who) as db:
        issued = invitations.invite(db, who.workspace_id, body.email, body.role, who.user_id)
    link = str(request.base_url).rstrip("/") + issued.path
    return InvitationLinkOut(**_out(issued.invitation).model_dump(), link=link)


@router.get("/invitations", response_model=list[InvitationOut])
def get_invitations(store: StoreDep, who: ApiReader) -> list[InvitationOut]:
    """This workspace's invitations nobody has answered yet (their links are never shown)."""
    with access.reading(store, who) as db:
        found = invitations.pending_in(db, who.workspace_id)
    return [_out(view) for view in found]


@router.delete("/invitations/{pending_id}", status_code=204, responses=MISSING)
def revoke_invitation(store: StoreDep, who: ApiWriter, pending_id: RowId) -> Response:
    """Withdraw an unanswered invitation of this workspace: its link stops working."""
    with access.writing(store, who) as db:
        invitations.revoke(db, who.workspace_id, pending_id)
    return Response(status_code=204)


@router.get("/me/invitations", response_model=list[InvitationOut])
def get_my_invitations(store: StoreDep, who: ApiUser) -> list[InvitationOut]:
    """The invitations waiting for your answer, to any workspace."""
    with store.transaction() as db:
        found = invitations.pending_for(db, who.user_id)
    return [_out(view) for view in found]


@router.post(
    "/me/invitations/{invitation_id}/accept", response_model=MembershipOut, responses=MISSING
)
def accept_invitation(store: StoreDep, who: ApiUser, invitation_id: RowId) -> MembershipOut:
    """Accept an invitation addressed to you: you become a member of its workspace."""
    with store.transaction() as db:
        joined = invitations.accept(db, who.user_id, invitation_id)
    return MembershipOut(
        workspace_id=joined.workspace_id, workspace=joined.workspace, role=joined.role
    )


@router.post("/me/invitations/{invitation_id}/decline", status_code=204, responses=MISSING)
def decline_invitation(store: StoreDep, who: ApiUser, invitation_id: RowId) -> Response:
    """Decline an invitation addressed to you: its link stops working."""
    with store.transaction() as db:
        invitations.decline(db, who.user_id, invitation_id)
    return Response(status_code=204)

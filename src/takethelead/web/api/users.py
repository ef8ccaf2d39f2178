"""The workspace's users: who may sign in, and as what (owners add them)."""

from __future__ import annotations

from fastapi import APIRouter

from takethelead.services import access, accounts
from takethelead.web.api.schemas import UserIn, UserOut
from takethelead.web.deps import ApiReader, ApiWriter, StoreDep

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=list[UserOut])
def get_users(store: StoreDep, who: ApiReader) -> list[UserOut]:
    """The users of this workspace, owners first."""
    with access.reading(store, who) as db:
        found = accounts.members(db, who.workspace_id)
    return [UserOut(id=u.id, email=u.email, role=u.role) for u in found]


@router.post("", status_code=201, response_model=UserOut)
def add_user(store: StoreDep, who: ApiWriter, body: UserIn) -> UserOut:
    """Let someone sign in to this workspace: a member reads, an owner may also change."""
    with access.writing(store, who) as db:
        added = accounts.add_user(db, body.email, body.password, who.workspace, body.role)
    return UserOut(id=added.id, email=added.email, role=added.role)

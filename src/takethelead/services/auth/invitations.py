"""Invitations: a role in a workspace offered to an e-mail address, taken up by its owner.

Nobody is put into a workspace, and no account gets a password, on someone else's say-so.
An owner invites an address; someone who already has an account accepts after signing in,
someone new opens the link and sets their own password. The link's token is shown once;
only its SHA-256 digest is kept.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session, aliased

from takethelead.services.auth.access import ROLES, Principal, principal, token_digest
from takethelead.services.auth.accounts import hash_password, normal_email
from takethelead.services.core.errors import Conflict, NotFound, ServiceError
from takethelead.storage.tables import Invitation, Membership, User, Workspace

VALID_FOR: Final = timedelta(days=7)
LINK_PATH: Final = "/invite/"


@dataclass(frozen=True, slots=True)
class InvitationView:
    id: int
    email: str
    role: str
    workspace_id: int
    workspace: str
    invited_by: str | None  # the inviting owner's e-mail, None when an administrator
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Issued:
    """A new invitation and the token of its link, which is shown only this once."""

    invitation: InvitationView
    token: str

    @property
    def path(self) -> str:
        return LINK_PATH + self.token


@dataclass(frozen=True, slots=True)
class LinkView:
    """What a link offers: the invitation, and whether its address has an account already."""

    invitation: InvitationView
    has_account: bool


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _views(session: Session, *where: ColumnElement[bool]) -> list[InvitationView]:
    inviter = aliased(User)
    rows = session.execute(
        select(
            Invitation.id,
            Invitation.email,
            Invitation.role,
            Workspace.id,
            Workspace.name,
            inviter.email,
            Invitation.created_at,
            Invitation.expires_at,
        )
        .join(Workspace, Workspace.id == Invitation.workspace_id)
        .outerjoin(inviter, inviter.id == Invitation.invited_by)
        .where(*where)
        .order_by(Invitation.created_at, Invitation.id)
    ).all()
    return [InvitationView(*row) for row in rows]


def _pending(moment: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Invitation.accepted_at.is_(None),
        Invitation.declined_at.is_(None),
        Invitation.expires_at > moment,
    )


def invite(
    session: Session,
    workspace_id: int,
    email: str,
    role: str,
    invited_by: int | None,
    now: datetime | None = None,
) -> Issued:
    """Invite an address to a workspace; a pending invitation for it gets a new link."""
    moment = _now(now)
    address = normal_email(email)
    if role not in ROLES:
        raise ServiceError(f"role {role!r}: expected owner or member")
    name = session.scalar(select(Workspace.name).where(Workspace.id == workspace_id))
    if name is None:
        raise NotFound(f"workspace #{workspace_id}: no such workspace")
    member = session.scalar(
        select(Membership.role)
        .join(User, User.id == Membership.user_id)
        .where(User.email == address, Membership.workspace_id == workspace_id)
    )
    if member is not None:
        raise Conflict(f"{address} is a member of {name!r} already")
    token = secrets.token_urlsafe(32)
    row = session.scalar(
        select(Invitation).where(
            Invitation.workspace_id == workspace_id, Invitation.email == address, *_pending(moment)
        )
    )
    if row is None:
        row = Invitation(workspace_id=workspace_id, email=address)
        session.add(row)
    # Inviting again replaces the old link: only the newest one works.
    row.role = role
    row.invited_by = invited_by
    row.digest = token_digest(token)
    row.created_at = moment
    row.expires_at = moment + VALID_FOR
    session.flush()
    (view,) = _views(session, Invitation.id == row.id)
    return Issued(view, token)


def pending_in(
    session: Session, workspace_id: int, now: datetime | None = None
) -> list[InvitationView]:
    """The workspace's invitations nobody has answered yet, oldest first."""
    return _views(session, Invitation.workspace_id == workspace_id, *_pending(_now(now)))


def pending_for(
    session: Session, user_id: int, now: datetime | None = None
) -> list[InvitationView]:
    """The invitations waiting for a user's answer, oldest first."""
    email = session.scalar(select(User.email).where(User.id == user_id))
    if email is None:
        return []
    return _views(session, Invitation.email == email, *_pending(_now(now)))


def every_pending(session: Session, now: datetime | None = None) -> list[InvitationView]:
    """Every unanswered invitation of the instance (for the administrator at the terminal)."""
    return _views(session, *_pending(_now(now)))


def _mine(session: Session, user_id: int, invitation_id: int, moment: datetime) -> Invitation:
    """The user's own invitation, still open; anyone else's is as if it did not exist."""
    email = session.scalar(select(User.email).where(User.id == user_id))
    row = session.get(Invitation, invitation_id)
    if row is None or email is None or row.email != email:
        raise NotFound(f"invitation #{invitation_id}: no such invitation for you")
    _check_open(row, moment)
    return row


def _check_open(row: Invitation, moment: datetime) -> None:
    if row.accepted_at is not None:
        raise NotFound(f"invitation #{row.id}: accepted already; it cannot be used again")
    if row.declined_at is not None:
        raise NotFound(f"invitation #{row.id}: declined; ask the owner for a new one")
    if row.expires_at <= moment:
        day = row.expires_at.date().isoformat()
        raise NotFound(f"invitation #{row.id}: expired on {day}; ask the owner for a new one")


def _claim(session: Session, row: Invitation, moment: datetime, created: bool) -> None:
    """Mark the invitation accepted, once: of two answers at the same moment one wins."""
    claimed = session.execute(
        update(Invitation)
        .where(Invitation.id == row.id, *_pending(moment))
        .values(accepted_at=moment, created_account=created)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(f"invitation #{row.id}: answered already; it cannot be used again")


def _join(session: Session, user_id: int, row: Invitation) -> Principal:
    if session.get(Membership, (user_id, row.workspace_id)) is None:
        session.add(Membership(user_id=user_id, workspace_id=row.workspace_id, role=row.role))
        session.flush()
    found = principal(session, user_id, row.workspace_id)
    assert found is not None
    return found


def accept(
    session: Session, user_id: int, invitation_id: int, now: datetime | None = None
) -> Principal:
    """The signed-in user takes up their invitation and becomes a member of its workspace."""
    moment = _now(now)
    row = _mine(session, user_id, invitation_id, moment)
    _claim(session, row, moment, created=False)
    return _join(session, user_id, row)


def decline(
    session: Session, user_id: int, invitation_id: int, now: datetime | None = None
) -> None:
    """The signed-in user turns their invitation down; its link stops working."""
    moment = _now(now)
    row = _mine(session, user_id, invitation_id, moment)
    answered = session.execute(
        update(Invitation)
        .where(Invitation.id == row.id, *_pending(moment))
        .values(declined_at=moment)
        .execution_options(synchronize_session=False)
    )
    if answered.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(f"invitation #{row.id}: answered already")


def revoke(session: Session, workspace_id: int, invitation_id: int) -> None:
    """Withdraw an unanswered invitation of the workspace; its link stops working."""
    row = session.get(Invitation, invitation_id)
    if row is None or row.workspace_id != workspace_id or row.accepted_at is not None:
        raise NotFound(f"invitation #{invitation_id}: no such open invitation in this workspace")
    session.delete(row)
    session.flush()


def _by_token(session: Session, token: str, moment: datetime) -> Invitation:
    row = session.scalar(select(Invitation).where(Invitation.digest == token_digest(token)))
    if row is None:
        raise NotFound("invitation: this link is not valid (it may have been replaced)")
    _check_open(row, moment)
    return row


def by_link(session: Session, token: str, now: datetime | None = None) -> LinkView:
    """What an invitation link offers, refused once it is used, declined or expired."""
    row = _by_token(session, token, _now(now))
    (view,) = _views(session, Invitation.id == row.id)
    exists = session.scalar(select(User.id).where(User.email == row.email)) is not None
    return LinkView(view, exists)


def join_with_password(
    session: Session, token: str, password: str, now: datetime | None = None
) -> Principal:
    """Someone new takes up their link: their account, with the password they chose.

    An address that has an account already is refused: the link never sets the password of
    an existing account (its owner accepts after signing in).
    """
    moment = _now(now)
    row = _by_token(session, token, moment)
    if session.scalar(select(User.id).where(User.email == row.email)) is not None:
        raise Conflict(f"{row.email} has an account already: sign in and accept the invitation")
    user = User(email=row.email, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    _claim(session, row, moment, created=True)
    return _join(session, user.id, row)


def accept_by_link(
    session: Session, token: str, user_id: int, now: datetime | None = None
) -> Principal:
    """The account the link names, having just proved its password, takes up the link."""
    moment = _now(now)
    row = _by_token(session, token, moment)
    email = session.scalar(select(User.email).where(User.id == user_id))
    if email != row.email:
        raise NotFound("invitation: this link is for another address")
    _claim(session, row, moment, created=False)
    return _join(session, user_id, row)


def account_origin(session: Session, email: str) -> str | None:
    """How an account came to be, when an invitation link made it (and so chose its password)."""
    row = session.execute(
        select(Invitation.accepted_at, Workspace.name, User.email)
        .join(Workspace, Workspace.id == Invitation.workspace_id)
        .outerjoin(User, User.id == Invitation.invited_by)
        .where(Invitation.email == normal_email(email), Invitation.created_account.is_(True))
    ).first()
    if row is None:
        return None
    accepted, workspace, inviter = row
    day = accepted.date().isoformat() if accepted else "?"
    return (
        f"made on {day} through an invitation link to {workspace!r}"
        f" from {inviter or 'an administrator'}"
    )

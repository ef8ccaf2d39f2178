"""Who may do what: a signed-in user acts in one workspace they are a member of.

Owners may read and change their workspace; members may only read it. Every web page and
API route reaches the database through `reading` or `writing`, so the workspace of the
membership scopes each query and the read-only rule cannot be forgotten by a route.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from takethelead.services.core.errors import ServiceError
from takethelead.services.core.store import Store
from takethelead.storage.tables import Membership, User, Workspace

OWNER: Final = "owner"
MEMBER: Final = "member"
ROLES: Final = (OWNER, MEMBER)


class Forbidden(ServiceError):
    """The signed-in user may not do this in this workspace."""


class Unauthenticated(ServiceError):
    """Nobody is signed in, or the credentials given are not valid."""


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in user acting in one workspace, with their role there."""

    user_id: int
    email: str
    workspace_id: int
    workspace: str
    role: str

    @property
    def can_write(self) -> bool:
        return self.role == OWNER


def check_write(principal: Principal) -> None:
    """Refuse a change to the workspace unless the user owns it."""
    if not principal.can_write:
        raise Forbidden(
            f"{principal.email} is a read-only member of {principal.workspace!r}: "
            "ask an owner to make this change"
        )


def principal(session: Session, user_id: int, workspace_id: int) -> Principal | None:
    """The user acting in the workspace, or None when they are not (or no longer) a member."""
    row = session.execute(
        select(User.email, Workspace.name, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(User.id == user_id, Membership.workspace_id == workspace_id)
    ).first()
    if row is None:
        return None
    email, name, role = row
    return Principal(user_id, email, workspace_id, name, role)


def workspaces_of(session: Session, user_id: int) -> list[Principal]:
    """Every workspace the user is a member of, by name."""
    rows = session.execute(
        select(User.email, Workspace.id, Workspace.name, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(User.id == user_id)
        .order_by(Workspace.name)
    ).all()
    return [Principal(user_id, email, ws, name, role) for email, ws, name, role in rows]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# One statement, built once: every API request runs it.
_TOKEN_PRINCIPAL: Final = text(
    "SELECT u.id, u.email, w.id, w.name, m.role FROM api_token t "
    "JOIN app_user u ON u.id = t.user_id "
    "JOIN membership m ON m.user_id = t.user_id AND m.workspace_id = t.workspace_id "
    "JOIN workspace w ON w.id = t.workspace_id WHERE t.digest = :digest"
)


def principal_for_token(session: Session, token: str) -> Principal:
    """Who a bearer token speaks for; unknown tokens and lost memberships are refused."""
    row = session.execute(_TOKEN_PRINCIPAL, {"digest": token_digest(token)}).first()
    if row is None:
        raise Unauthenticated("token: not recognised")
    user_id, email, workspace_id, workspace, role = row
    return Principal(int(user_id), str(email), int(workspace_id), str(workspace), str(role))


class TokenCaller:
    """An API request's bearer token. Whom it speaks for is read in the request's first
    transaction that needs it (`reading` checks it in its own), so a read is one
    transaction; an unknown token or a lost membership is Unauthenticated there."""

    __slots__ = ("_principal", "_store", "_token")

    def __init__(self, store: Store, token: str) -> None:
        self._store = store
        self._token = token
        self._principal: Principal | None = None

    def resolve(self, session: Session) -> Principal:
        if self._principal is None:
            self._principal = principal_for_token(session, self._token)
        return self._principal

    @property
    def principal(self) -> Principal:
        if self._principal is None:
            with self._store.transaction() as session:
                return self.resolve(session)
        return self._principal

    @property
    def user_id(self) -> int:
        return self.principal.user_id

    @property
    def email(self) -> str:
        return self.principal.email

    @property
    def workspace_id(self) -> int:
        return self.principal.workspace_id

    @property
    def workspace(self) -> str:
        return self.principal.workspace

    @property
    def role(self) -> str:
        return self.principal.role

    @property
    def can_write(self) -> bool:
        return self.principal.can_write


@contextmanager
def reading(store: Store, who: Principal | TokenCaller) -> Iterator[Session]:
    """One transaction for reading the principal's workspace (a token is checked in it)."""
    with store.transaction() as session:
        if isinstance(who, TokenCaller):
            who.resolve(session)
        yield session


@contextmanager
def writing(store: Store, who: Principal) -> Iterator[Session]:
    """One transaction for changing the principal's workspace; members are refused.

    The role is read again inside the transaction, so a membership taken away a moment ago
    no longer allows writes.
    """
    check_write(who)
    with store.transaction() as session:
        current = principal(session, who.user_id, who.workspace_id)
        if current is None:
            raise Forbidden(f"{who.email} is no longer a member of {who.workspace!r}")
        check_write(current)
        yield session

"""Accounts: users, their passwords (argon2), personal API tokens and signing in.

Sign-in attempts are rows (LoginAttempt), so the limit holds across every web process.
Only the administrator at the terminal sets a password for someone else (`lead users add`);
owners invite (services/auth/invitations.py) and people choose their own.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from takethelead.services.auth.access import (
    OWNER,
    ROLES,
    Principal,
    Unauthenticated,
    principal,
    token_digest,
)
from takethelead.services.core.errors import Conflict, NotFound, ServiceError
from takethelead.services.core.store import Store
from takethelead.storage.tables import ApiToken, LoginAttempt, Membership, User, Workspace

MIN_PASSWORD: Final = 10
MAX_FAILURES: Final = 5
FAILURE_WINDOW: Final = timedelta(minutes=15)
TOKEN_PREFIX: Final = "ttl_"
# Printable ASCII but "@" and space on each side of the "@", with a dot in the domain: the
# same in every regex dialect (\s is not), so the API schema publishes this very pattern.
EMAIL_PATTERN = r"[!-?A-~]+@[!-?A-~]+\.[!-?A-~]+"
_EMAIL = re.compile(rf"^{EMAIL_PATTERN}$")
_HASHER = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong address costs as long as a wrong
# password and timing does not tell which addresses have accounts.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


class RateLimited(ServiceError):
    """Too many failed sign-ins for this address from this client; try again later."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    email: str
    workspace: str
    role: str


def normal_email(raw: str) -> str:
    """An e-mail address, trimmed and lower-cased; anything else is refused."""
    email = raw.strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise ServiceError(f"email {raw!r}: expected an address like ana@example.org")
    return email


def hash_password(password: str) -> str:
    """An argon2id hash of a password long enough to be worth hashing."""
    if len(password) < MIN_PASSWORD:
        raise ServiceError(f"password: expected at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def has_users(session: Session) -> bool:
    """Whether anyone can sign in yet (the first visit sets up the owner otherwise)."""
    return session.scalar(select(User.id).limit(1)) is not None


def add_user(
    session: Session,
    email: str,
    password: str | None,
    workspace: str,
    role: str = OWNER,
    *,
    reset_password: bool = False,
) -> UserView:
    """Give a user a role in a workspace (created for an owner); for the trusted administrator.

    A new user gets the password given. An existing user keeps theirs unless
    `reset_password` is set: an account is never taken over by being added again. Owners in
    the web app and API invite instead (services/auth/invitations.py).
    """
    address = normal_email(email)
    if role not in ROLES:
        raise ServiceError(f"role {role!r}: expected owner or member")
    name = workspace.strip()
    if not name:
        raise ServiceError("workspace: expected a non-empty name")
    user = session.scalar(select(User).where(User.email == address))
    if user is None or reset_password:
        if password is None:
            raise ServiceError("password: expected one for a new account")
        hashed = hash_password(password)
    ws = session.scalar(select(Workspace.id).where(Workspace.name == name))
    if ws is None:
        if role != OWNER:
            raise NotFound(f"workspace {name!r}: no such workspace (an owner creates it)")
        row = Workspace(name=name, is_demo=False)
        session.add(row)
        session.flush()
        ws = row.id
    if user is None:
        user = User(email=address, password_hash=hashed)
        session.add(user)
        session.flush()
    elif reset_password:
        # Whoever knew the old password may have made tokens with it: they end too.
        user.password_hash = hashed
        session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    existing = session.get(Membership, (user.id, ws))
    if existing is not None:
        if reset_password:  # the new password was the point; the role stays as it was
            return UserView(user.id, address, name, existing.role)
        raise Conflict(f"{address} is a member of {name!r} already")
    session.add(Membership(user_id=user.id, workspace_id=ws, role=role))
    session.flush()
    return UserView(user.id, address, name, role)


def has_account(session: Session, email: str) -> bool:
    """Whether an address has an account already."""
    address = normal_email(email)
    return session.scalar(select(User.id).where(User.email == address)) is not None


def set_up_owner(session: Session, email: str, password: str, workspace: str) -> Principal:
    """The first user of an instance, owner of a new workspace; refused once anyone exists."""
    if has_users(session):
        raise ServiceError("setup: this instance has users already; sign in instead")
    view = add_user(session, email, password, workspace, OWNER)
    found = principal(session, view.id, _workspace_id(session, view.workspace))
    assert found is not None
    return found


def _workspace_id(session: Session, name: str) -> int:
    ws = session.scalar(select(Workspace.id).where(Workspace.name == name))
    if ws is None:
        raise NotFound(f"workspace {name!r}: no such workspace")
    return ws


def members(session: Session, workspace_id: int) -> list[UserView]:
    """The users of a workspace with their roles, owners first."""
    rows = session.execute(
        select(User.id, User.email, Workspace.name, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(Membership.workspace_id == workspace_id)
        .order_by(Membership.role.desc(), User.email)
    ).all()
    return [UserView(uid, email, ws, role) for uid, email, ws, role in rows]


def all_users(session: Session) -> list[UserView]:
    """Every membership of the instance (for the administrator at the terminal)."""
    rows = session.execute(
        select(User.id, User.email, Workspace.name, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .order_by(User.email, Workspace.name)
    ).all()
    return [UserView(uid, email, ws, role) for uid, email, ws, role in rows]


# One conditional statement takes an attempt's place in the limit, so that attempts
# arriving together cannot all read "four so far" before any of them is written down.
_RESERVE: Final = text(
    "INSERT INTO login_attempt (key, attempted_at) "
    "SELECT CAST(:key AS VARCHAR(400)), CAST(:now AS BIGINT) WHERE (SELECT count(*) "
    "FROM login_attempt WHERE key = CAST(:key AS VARCHAR(400)) AND attempted_at > :since) < :most"
)


def _reserve(session: Session, key: str, moment: datetime) -> None:
    """Count this attempt against the limit before the password is checked, or refuse it."""
    if session.get_bind().dialect.name == "postgresql":
        # READ COMMITTED lets two transactions count the same rows; a lock per key (held
        # until commit) puts attempts on one address and client in a line. SQLite needs
        # none: the statement opens the transaction and writers there go one at a time.
        lock = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": lock})
    since = moment - FAILURE_WINDOW
    taken = session.execute(
        _RESERVE,
        {
            "key": key,
            "now": int(moment.timestamp()),
            "since": int(since.timestamp()),
            "most": MAX_FAILURES,
        },
    )
    if taken.rowcount == 1:  # type: ignore[attr-defined]
        # Attempts past the window count no more: the key keeps only its recent ones.
        session.execute(
            delete(LoginAttempt).where(LoginAttempt.key == key, LoginAttempt.attempted_at <= since)
        )
        return
    oldest = session.scalar(
        select(func.min(LoginAttempt.attempted_at)).where(
            LoginAttempt.key == key, LoginAttempt.attempted_at > since
        )
    )
    wait = max(int(((oldest or moment) + FAILURE_WINDOW - moment).total_seconds()) + 1, 1)
    address = key.rpartition("|")[0]
    raise RateLimited(
        f"too many failed sign-ins for {address}: try again in {wait // 60 + 1} minutes",
        retry_after=wait,
    )


def authenticate(
    store: Store, email: str, password: str, client: str, now: datetime | None = None
) -> int | None:
    """The id of the user with this address and password, or None (counted for the limit).

    After MAX_FAILURES failures within FAILURE_WINDOW for the same address and client,
    even the right password is refused with RateLimited until the window has passed. The
    attempt is counted in its own transaction before the (slow) password check, so the
    limit holds for attempts made at the same moment, in any number of web processes.
    """
    moment = now or datetime.now(UTC)
    address = email.strip().lower()
    key = f"{address}|{client}"[:400]
    with store.transaction() as session:
        _reserve(session, key, moment)
        stored = session.scalar(select(User.password_hash).where(User.email == address))
    if not _verify(stored, password):
        return None
    with store.transaction() as session:
        user = session.scalar(select(User).where(User.email == address))
        if user is None or user.password_hash != stored:
            return None  # removed, or given a new password, meanwhile
        if _HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = _HASHER.hash(password)
        session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))
        return user.id


def sign_in(
    store: Store, email: str, password: str, client: str, now: datetime | None = None
) -> Principal | None:
    """Who signs in with this password, in their first workspace, or None (see authenticate)."""
    user_id = authenticate(store, email, password, client, now)
    if user_id is None:
        return None
    with store.transaction() as session:
        first = session.scalar(
            select(Membership.workspace_id)
            .join(Workspace, Workspace.id == Membership.workspace_id)
            .where(Membership.user_id == user_id)
            .order_by(Workspace.name)
            .limit(1)
        )
        found = principal(session, user_id, first) if first is not None else None
    if found is None:
        address = email.strip().lower()
        raise Unauthenticated(
            f"{address} is not a member of any workspace yet: open your invitation link"
        )
    return found


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def issue_token(session: Session, email: str, name: str, workspace: str | None = None) -> str:
    """A new personal API token for a user in a workspace; only its digest is kept."""
    address = normal_email(email)
    label = name.strip()
    if not label or len(label) > 100:
        raise ServiceError("name: expected a short label such as 'laptop'")
    user_id = session.scalar(select(User.id).where(User.email == address))
    if user_id is None:
        raise NotFound(f"no user {address}: add one with `lead users add {address}`")
    query = (
        select(Membership.workspace_id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(Membership.user_id == user_id)
        .order_by(Workspace.name)
    )
    if workspace is not None:
        query = query.where(Workspace.name == workspace)
    ws = session.scalar(query.limit(1))
    if ws is None:
        where = f"of {workspace!r}" if workspace else "of any workspace"
        raise NotFound(f"{address} is not a member {where}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user_id, workspace_id=ws, name=label, digest=token_digest(token)))
    session.flush()
    return token

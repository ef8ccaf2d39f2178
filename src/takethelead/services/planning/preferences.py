"""A workspace's preferences: the weekly budget, preferred hours and the digest address.

Each is a workspace setting; reading gives the default for one never set, and changing one
checks it first, so a bad value is refused naming its field and nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from takethelead.services.core import settings
from takethelead.services.core.errors import ServiceError
from takethelead.services.planning.ics import parse_preferred_hours
from takethelead.services.planning.weekly import parse_budget


@dataclass(frozen=True, slots=True)
class Preferences:
    budget_minutes: int
    preferred_hours: str  # 'mon-fri 08:00-09:00,12:30-13:30'
    digest_email: str | None


def read_preferences(session: Session, workspace_id: int) -> Preferences:
    """The workspace's preferences, with the defaults for those never set."""
    return Preferences(
        budget_minutes=settings.get(session, workspace_id, settings.BUDGET_MINUTES),
        preferred_hours=settings.get(session, workspace_id, settings.PREFERRED_HOURS),
        digest_email=settings.get(session, workspace_id, settings.DIGEST_EMAIL) or None,
    )


def check_email(address: str) -> str:
    """An address the digest can go to, or a ServiceError naming the field."""
    value = address.strip()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in value):
        raise ServiceError(f"digest_email {address!r}: expected an e-mail address")
    return value


def update_preferences(
    session: Session,
    workspace_id: int,
    *,
    budget: str | int | None = None,
    preferred_hours: str | None = None,
    digest_email: str | None = None,
) -> Preferences:
    """Change what is given (all checked before any is stored); '' clears the digest address."""
    minutes = None
    if budget is not None:
        minutes = parse_budget(str(budget))
    hours = None
    if preferred_hours is not None:
        parsed = parse_preferred_hours(preferred_hours)
        hours = _normalised(preferred_hours, parsed.days)
    address = None
    if digest_email is not None and digest_email.strip():
        address = check_email(digest_email)
    if minutes is not None:
        settings.put(session, workspace_id, settings.BUDGET_MINUTES, minutes)
    if hours is not None:
        settings.put(session, workspace_id, settings.PREFERRED_HOURS, hours)
    if digest_email is not None:
        settings.put(session, workspace_id, settings.DIGEST_EMAIL, address or "")
    session.flush()
    return read_preferences(session, workspace_id)


def _normalised(raw: str, days: tuple[int, ...]) -> str:
    """The hours as typed, lower-cased and with single spaces (already checked)."""
    if not days:
        raise ServiceError(f"preferred_hours {raw!r}: expected at least one day")
    return " ".join(raw.strip().lower().split())

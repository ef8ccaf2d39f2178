"""Your own offer and lead profile: what you do, what a good lead for you is, and how to say it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from takethelead.services.core.errors import ServiceError
from takethelead.services.people.people import name_parts, refresh_search_text
from takethelead.storage.tables import Person

DEFAULT_NAME = "Me"


@dataclass(frozen=True, slots=True)
class LeadProfileParts:
    """The answers to the profile questions; empty answers are left out."""

    who: str = ""  # who a good lead is ("owners of cafés and bakeries")
    need: str = ""  # what they need ("payroll and monthly bookkeeping")
    size: str = ""  # what size ("2 to 20 employees")
    signals: str = ""  # how to spot them ("just hired their first employee")


@dataclass(frozen=True, slots=True)
class MyProfile:
    person_id: int | None
    full_name: str
    offer: str
    lead_profile: str
    share_text: str  # a short text to send or post as it is


def compose_lead_profile(parts: LeadProfileParts) -> str:
    """One readable lead profile from the answers to the questions."""
    who, need = parts.who.strip().rstrip("."), parts.need.strip().rstrip(".")
    size, signals = parts.size.strip().rstrip("."), parts.signals.strip().rstrip(".")
    if not who and not need:
        raise ServiceError("lead profile: expected at least who a good lead is or what they need")
    sentence = who or "People"
    if need:
        sentence += f" who need {need}"
    if size:
        sentence += f" ({size})"
    sentence += "."
    if signals:
        sentence += f" Signals: {signals}."
    return sentence[0].upper() + sentence[1:]


def share_text(offer: str, lead_profile: str) -> str:
    """The profile as a short text anyone can pass on."""
    lines = []
    if offer:
        lines.append(f"What I do: {offer.strip().rstrip('.')}.")
    if lead_profile:
        lines.append(f"A good lead for me: {lead_profile.strip()}")
    if lines:
        lines.append("If you meet someone like that, I'd be glad of an introduction.")
    return "\n".join(lines)


def my_profile(session: Session, workspace_id: int) -> MyProfile:
    """Your offer, lead profile and the text to share (empty when not written yet)."""
    me = _me(session, workspace_id)
    if me is None:
        return MyProfile(None, "", "", "", "")
    return MyProfile(
        me.id, me.full_name, me.offer, me.lead_profile, share_text(me.offer, me.lead_profile)
    )


def set_my_profile(
    session: Session,
    workspace_id: int,
    offer: str | None = None,
    lead_profile: str | None = None,
    name: str | None = None,
) -> MyProfile:
    """Write your offer and lead profile (None keeps what is there); you are created if new."""
    if offer is not None and not offer.strip():
        raise ServiceError("offer: expected a few words about what you do")
    if lead_profile is not None and not lead_profile.strip():
        raise ServiceError("lead profile: expected a few words about who a good lead is")
    if name is not None and not name.strip():
        raise ServiceError("name: expected a non-empty name")
    me = _me(session, workspace_id)
    if me is None:
        full = (name or DEFAULT_NAME).strip()
        first, last = name_parts(full)
        me = Person(
            workspace_id=workspace_id, full_name=full, first_name=first, last_name=last, is_me=True
        )
        session.add(me)
    elif name is not None:
        me.full_name = name.strip()
    if offer is not None:
        me.offer = offer.strip()
    if lead_profile is not None:
        me.lead_profile = lead_profile.strip()
    session.flush()
    refresh_search_text(session, me)
    return my_profile(session, workspace_id)


def _me(session: Session, workspace_id: int) -> Person | None:
    return session.scalar(
        select(Person)
        .where(Person.workspace_id == workspace_id, Person.is_me.is_(True))
        .order_by(Person.id)
        .limit(1)
    )

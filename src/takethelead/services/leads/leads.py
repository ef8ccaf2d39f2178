"""Leads: someone needs a service; who could serve them, and passing the lead on.

Matching is BM25 over offers and lead profiles, with MiniLM embeddings fused by reciprocal
rank when the semantic extra is installed, re-ranked by tie strength, the best introduction
path and past referral success (see domain.matching). The reverse question, who is best
placed to refer the user, reads the user's own lead profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from takethelead.domain.matching import Embedder, suggest_providers, suggest_referrers
from takethelead.services.core.errors import Conflict, NotFound, ServiceError
from takethelead.services.leads.matchcache import match_context
from takethelead.services.leads.matching import Match
from takethelead.services.leads.referrals import ReferralView, record_referral
from takethelead.services.people.people import resolve_person
from takethelead.storage.tables import Lead, Person

LEAD_STATUSES: Final = ("open", "passed", "closed")
MAX_LIMIT: Final = 100


@dataclass(frozen=True, slots=True)
class LeadView:
    id: int
    text: str
    from_person_id: int | None
    from_person: str | None
    status: str  # open | passed | closed
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LeadMatches:
    """Who could serve a lead, best first, and how they were found."""

    lead: LeadView
    matches: tuple[Match, ...]
    semantic: bool  # embeddings were fused with BM25
    indexed: int  # people with words to match


@dataclass(frozen=True, slots=True)
class Referrers:
    """Who is best placed to refer leads like the user's lead profile (or a need) describes."""

    lead_profile: str
    matches: tuple[Match, ...]
    semantic: bool
    indexed: int


def add_lead(
    session: Session,
    workspace_id: int,
    text: str,
    from_person: str | None = None,
    now: datetime | None = None,
) -> LeadView:
    """Write down a lead, and who told you of it (often the person who has the need)."""
    if not text.strip():
        raise ServiceError("lead: expected a few words about who needs what")
    person_id = resolve_person(session, workspace_id, from_person) if from_person else None
    lead = Lead(
        workspace_id=workspace_id,
        text=text.strip(),
        from_person_id=person_id,
        status="open",
        created_at=now or datetime.now(UTC),
    )
    session.add(lead)
    session.flush()
    return _load(session, workspace_id, lead.id)


def list_leads(session: Session, workspace_id: int, status: str | None = None) -> list[LeadView]:
    """Leads of the workspace, newest first, optionally of one status."""
    query = _query(workspace_id).order_by(Lead.created_at.desc(), Lead.id.desc())
    if status is not None:
        if status not in LEAD_STATUSES:
            raise ServiceError(f"status {status!r}: expected open, passed or closed")
        query = query.where(Lead.status == status)
    return [_view(lead, name) for lead, name in session.execute(query)]


def match_lead(
    session: Session,
    workspace_id: int,
    lead_id: int,
    limit: int = 5,
    embedder: Embedder | None = None,
) -> LeadMatches:
    """The people best placed to serve a lead, each with the reasons in words."""
    _check_limit(limit)
    lead = _load(session, workspace_id, lead_id)
    context = match_context(session, workspace_id, embedder)
    skip = {c.person_id for c in context.contacts.values() if c.distrusted}
    if lead.from_person_id is not None:
        skip.add(lead.from_person_id)
    found = suggest_providers(
        context.index, lead.text, context.relationships("given"), limit=limit, exclude=skip
    )
    return LeadMatches(
        lead=lead,
        matches=tuple(context.view(s) for s in found),
        semantic=context.semantic,
        indexed=len(context.contacts),
    )


def get_lead(session: Session, workspace_id: int, lead_id: int) -> LeadView:
    """One lead of the workspace."""
    return _load(session, workspace_id, lead_id)


def set_lead_status(session: Session, workspace_id: int, lead_id: int, status: str) -> LeadView:
    """Close a lead (nobody to pass it to, or it was served) or open it again."""
    if status not in LEAD_STATUSES:
        raise ServiceError(f"status {status!r}: expected open, passed or closed")
    lead = session.get(Lead, lead_id)
    if lead is None or lead.workspace_id != workspace_id:
        raise NotFound(f"lead #{lead_id}: no such lead in this workspace")
    lead.status = status
    session.flush()
    return _load(session, workspace_id, lead_id)


def pass_lead(
    session: Session,
    workspace_id: int,
    lead_id: int,
    to_person: str,
    note: str = "",
    now: datetime | None = None,
) -> ReferralView:
    """Pass a lead to someone: a referral given (status given) and its ledger entry."""
    lead = session.get(Lead, lead_id)
    if lead is None or lead.workspace_id != workspace_id:
        raise NotFound(f"lead #{lead_id}: no such lead in this workspace")
    person_id = resolve_person(session, workspace_id, to_person)
    if person_id == lead.from_person_id:
        raise ServiceError(f"to: the lead came from #{person_id}; pass it to someone else")
    referral = record_referral(
        session, workspace_id, "given", person_id, note or lead.text, lead_id=lead.id, now=now
    )
    if lead.status == "open":
        lead.status = "passed"
    return referral


def find_referrers(
    session: Session,
    workspace_id: int,
    limit: int = 10,
    embedder: Embedder | None = None,
    need: str | None = None,
) -> Referrers:
    """The people best placed to refer leads like your lead profile (or the need) describes."""
    _check_limit(limit)
    if need is not None:
        if not need.strip():
            raise ServiceError("need: expected a few words about who needs what")
        profile: str | None = need.strip()
    else:
        profile = session.scalar(
            select(Person.lead_profile).where(
                Person.workspace_id == workspace_id, Person.is_me.is_(True)
            )
        )
    if not (profile or "").strip():
        raise Conflict("lead profile: yours is empty; write it with `lead profile`")
    assert profile is not None
    context = match_context(session, workspace_id, embedder)
    skip = {c.person_id for c in context.contacts.values() if c.distrusted}
    found = suggest_referrers(
        context.index, profile, context.relationships("received"), limit=limit, exclude=skip
    )
    return Referrers(
        lead_profile=profile,
        matches=tuple(context.view(s) for s in found),
        semantic=context.semantic,
        indexed=len(context.contacts),
    )


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ServiceError(f"limit: expected between 1 and {MAX_LIMIT}")


def _query(workspace_id: int) -> Select[Lead, str]:
    return (
        select(Lead, Person.full_name)
        .outerjoin(Person, Person.id == Lead.from_person_id)
        .where(Lead.workspace_id == workspace_id)
    )


def _load(session: Session, workspace_id: int, lead_id: int) -> LeadView:
    row = session.execute(_query(workspace_id).where(Lead.id == lead_id)).first()
    if row is None:
        raise NotFound(f"lead #{lead_id}: no such lead in this workspace")
    return _view(row[0], row[1])


def _view(lead: Lead, name: str | None) -> LeadView:
    return LeadView(
        id=lead.id,
        text=lead.text,
        from_person_id=lead.from_person_id,
        from_person=name,
        status=lead.status,
        created_at=lead.created_at,
    )

"""What lead matching reads from a workspace: profiles, tie strengths, paths and track records.

A person's offer is what they wrote; when they wrote none (most imported contacts), their
title and company stand in for it ("Bookkeeper at Pinecone Accounting"), derived here at
match time rather than stored, so that a guess never passes for the person's own words.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from takethelead.domain.matching import (
    Embedder,
    MatchIndex,
    Profile,
    Relationship,
    Suggestion,
    build_match_index,
)
from takethelead.services.leads.paths import TrustNetwork, best_path_trust

DERIVED_NOTE: Final = " (from their title)"


@dataclass(frozen=True, slots=True)
class Match:
    """Someone suggested for a lead (or as a referrer), with the reasons in words."""

    person_id: int
    full_name: str
    company: str
    title: str
    offer: str
    score: float
    relevance: float
    matched: tuple[str, ...]
    reasons: tuple[str, ...]
    why: str


@dataclass(frozen=True, slots=True)
class Contact:
    person_id: int
    full_name: str
    company: str
    title: str
    offer: str
    lead_profile: str
    derived: bool  # the offer stands in from title and company
    distrusted: bool


def offer_from_role(title: str, company: str) -> str:
    """An offer guessed from a title and company ("Bookkeeper at Acme"), or ""."""
    title, company = title.strip(), company.strip()
    if title and company:
        return f"{title} at {company}"
    return title


@dataclass(frozen=True)
class MatchContext:
    """The workspace's contacts indexed for matching, with their relationships to the user."""

    contacts: dict[int, Contact]
    index: MatchIndex
    network: TrustNetwork
    semantic: bool
    referrals: Mapping[str, Mapping[int, tuple[int, int]]]  # direction → person → (n, won)

    def relationships(self, direction: str) -> Mapping[int, Relationship]:
        """Strength, path trust and track record per person (referrals in that direction)."""
        return _Relationships(self, self.referrals.get(direction, {}))

    def view(self, suggestion: Suggestion) -> Match:
        contact = self.contacts[suggestion.person_id]
        reasons = suggestion.reasons
        if contact.derived and reasons:
            reasons = (reasons[0] + DERIVED_NOTE, *reasons[1:])
        return Match(
            person_id=contact.person_id,
            full_name=contact.full_name,
            company=contact.company,
            title=contact.title,
            offer=contact.offer,
            score=round(suggestion.score, 4),
            relevance=round(suggestion.relevance, 4),
            matched=suggestion.matched,
            reasons=reasons,
            why="; ".join(reasons),
        )


class _Relationships(Mapping[int, Relationship]):
    """Relationships computed on first read: path trust is worth finding only for the pool."""

    def __init__(self, context: MatchContext, history: Mapping[int, tuple[int, int]]) -> None:
        self.context = context
        self.history = history
        self.known: dict[int, Relationship] = {}

    def __getitem__(self, person_id: int) -> Relationship:
        if person_id not in self.context.contacts:
            raise KeyError(person_id)
        if person_id not in self.known:
            network = self.context.network
            referrals, won = self.history.get(person_id, (0, 0))
            self.known[person_id] = Relationship(
                strength=float(network.strength[network.node(person_id) - 1]),
                path_trust=best_path_trust(network, person_id),
                referrals=referrals,
                referrals_won=won,
            )
        return self.known[person_id]

    def __iter__(self) -> Iterator[int]:
        return iter(self.context.contacts)

    def __len__(self) -> int:
        return len(self.context.contacts)


def indexed_contacts(
    session: Session, workspace_id: int, embedder: Embedder | None = None
) -> tuple[dict[int, Contact], MatchIndex]:
    """Every contact with words to match (offer, lead profile, or title standing in), indexed."""
    rows = session.execute(
        text(
            "SELECT id, full_name, company, title, offer, lead_profile, distrusted FROM person "
            "WHERE workspace_id = :ws AND is_me = :no ORDER BY id"
        ),
        {"ws": workspace_id, "no": False},
    ).all()
    contacts: dict[int, Contact] = {}
    for pid, name, company, title, offer, lead_profile, distrusted in rows:
        written = (offer or "").strip()
        shown = written or offer_from_role(title or "", company or "")
        if not shown and not (lead_profile or "").strip():
            continue
        contacts[int(pid)] = Contact(
            int(pid),
            name,
            company or "",
            title or "",
            shown,
            lead_profile or "",
            derived=not written,
            distrusted=bool(distrusted),
        )
    index = build_match_index(
        (Profile(c.person_id, c.offer, c.lead_profile) for c in contacts.values()),
        embedder=embedder,
    )
    return contacts, index

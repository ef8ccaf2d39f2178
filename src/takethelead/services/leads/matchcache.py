"""The match context of a workspace, with its index and trust graph kept between requests.

Building a match context from scratch takes a second or more at 30,000 people.
Here the contacts and their BM25 index (with embedding rows when an embedder is given) and
the trust graph are kept in per-process caches (`services.workspacecache`) until people or
ties change; the referral record, small and changed by every referral, is read each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from takethelead.domain.matching import Embedder, MatchIndex
from takethelead.services.core.workspacecache import WorkspaceCache
from takethelead.services.leads.matching import Contact, MatchContext, indexed_contacts
from takethelead.services.leads.paths import trust_network
from takethelead.services.leads.referrals import referral_history

BM25_ONLY: Final = "bm25"


@dataclass(frozen=True, slots=True)
class IndexedContacts:
    """Contacts with words to match, and their index."""

    contacts: dict[int, Contact]
    index: MatchIndex


INDEXES: Final[WorkspaceCache[IndexedContacts]] = WorkspaceCache()


def match_context(
    session: Session, workspace_id: int, embedder: Embedder | None = None
) -> MatchContext:
    """What lead matching reads, built once per change of the workspace's people and ties."""
    network = trust_network(session, workspace_id)
    key = BM25_ONLY if embedder is None else getattr(embedder, "cache_key", None)
    if key is None:  # an embedder we cannot tell apart from another: build for this call only
        indexed = index_contacts(session, workspace_id, embedder)
    else:
        indexed = INDEXES.get(
            session, workspace_id, lambda: index_contacts(session, workspace_id, embedder), key
        )
    return MatchContext(
        contacts=indexed.contacts,
        index=indexed.index,
        network=network,
        semantic=embedder is not None,
        referrals=referral_history(session, workspace_id),
    )


def index_contacts(
    session: Session, workspace_id: int, embedder: Embedder | None = None
) -> IndexedContacts:
    """Every contact with words to match (offer, lead profile, or title standing in), indexed."""
    contacts, index = indexed_contacts(session, workspace_id, embedder)
    return IndexedContacts(contacts, index)

"""Who knows whom among the user's contacts: ties the user records and ties inferred.

Inference reads only evidence already in the workspace, and only co-presence:
- meeting: two contacts in the same calendar event, i.e. meeting interactions from the
  same source at the same instant with the same summary (an imported event gives one
  such interaction per participant);
- thread: two contacts on the same message, i.e. interactions from the same source whose
  external ids share the conversation part before the last "/" (the importers name each
  recipient's copy of a message "<message>/<recipient>").
Gatherings of more than MAX_GROUP contacts are passed over: sharing a conference or a
mailing list says little about whether two people know each other. Trust grows with the
number of shared gatherings. Inferred ties are rebuilt from scratch each time; ties the
user recorded (source "manual") are never touched.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from takethelead.services.core.errors import NotFound, ServiceError
from takethelead.storage.tables import Person, Tie

MANUAL: Final = "manual"
INFERRED: Final = ("meeting", "thread")
MAX_GROUP: Final = 12
DEFAULT_TRUST: Final = 0.5
# Each further shared gathering closes 40% of the remaining distance to full trust.
TRUST_STEP: Final = 0.4
MAX_INFERRED_TRUST: Final = 0.9


@dataclass(frozen=True, slots=True)
class TieView:
    person_a: int
    name_a: str
    person_b: int
    name_b: str
    trust: float
    source: str
    evidence: int
    created: bool  # False when an existing tie was updated


@dataclass(frozen=True, slots=True)
class InferredTies:
    """What a rebuild found: ties per source, gatherings read and passed over."""

    meeting_ties: int
    thread_ties: int
    meetings: int
    threads: int
    too_large: int
    manual_ties: int


@dataclass(frozen=True, slots=True)
class ContactEdges:
    """Contact-to-contact ties as index pairs into a sorted array of person ids."""

    src: NDArray[np.int64]
    dst: NDArray[np.int64]


def record_tie(
    session: Session, workspace_id: int, first: int, second: int, trust: float = DEFAULT_TRUST
) -> TieView:
    """Record that two contacts know each other (or change how much they trust each other)."""
    if not 0.0 < trust <= 1.0:
        raise ServiceError("trust: expected a number above 0 and at most 1")
    if first == second:
        raise ServiceError("knows: expected two different people")
    people = {
        p.id: p
        for p in session.scalars(
            select(Person).where(
                Person.workspace_id == workspace_id, Person.id.in_([first, second])
            )
        )
    }
    for pid in (first, second):
        if pid not in people:
            raise NotFound(f"knows: no person #{pid} in this workspace")
        if people[pid].is_me:
            raise NotFound(f"knows: #{pid} is not one of your contacts")
    a, b = sorted((first, second))
    tie = session.scalar(
        select(Tie).where(
            Tie.workspace_id == workspace_id,
            Tie.person_a == a,
            Tie.person_b == b,
            Tie.source == MANUAL,
        )
    )
    created = tie is None
    if tie is None:
        tie = Tie(workspace_id=workspace_id, person_a=a, person_b=b, source=MANUAL, evidence=1)
        session.add(tie)
    tie.trust = trust
    session.flush()
    return TieView(
        a, people[a].full_name, b, people[b].full_name, trust, MANUAL, tie.evidence, created
    )


def infer_ties(session: Session, workspace_id: int) -> InferredTies:
    """Rebuild the meeting and thread ties from interactions; manual ties stay as they are."""
    me = _owner_ids(session, workspace_id)
    meetings = session.execute(
        text(
            "SELECT source, occurred_at, summary, person_id FROM interaction "
            "WHERE workspace_id = :ws AND kind = 'meeting'"
        ),
        {"ws": workspace_id},
    )
    meeting_groups = _groups(((s, t, summary), p) for s, t, summary, p in meetings if p not in me)
    threads = session.execute(
        text(
            "SELECT source, external_id, person_id FROM interaction "
            "WHERE workspace_id = :ws AND kind <> 'meeting' AND external_id LIKE '%/%'"
        ),
        {"ws": workspace_id},
    )
    thread_groups = _groups(
        ((s, external.rsplit("/", 1)[0]), p) for s, external, p in threads if p not in me
    )
    session.execute(delete(Tie).where(Tie.workspace_id == workspace_id, Tie.source.in_(INFERRED)))
    counts: dict[str, int] = {}
    too_large = 0
    for source, groups in (("meeting", meeting_groups), ("thread", thread_groups)):
        pairs: dict[tuple[int, int], int] = defaultdict(int)
        for members in groups:
            if len(members) > MAX_GROUP:
                too_large += 1
                continue
            for a, b in itertools.combinations(sorted(members), 2):
                pairs[(a, b)] += 1
        if pairs:
            session.execute(
                insert(Tie),
                [
                    {
                        "workspace_id": workspace_id,
                        "person_a": a,
                        "person_b": b,
                        "trust": inferred_trust(n),
                        "source": source,
                        "evidence": n,
                    }
                    for (a, b), n in sorted(pairs.items())
                ],
            )
        counts[source] = len(pairs)
    manual = session.scalar(
        select(func.count()).where(Tie.workspace_id == workspace_id, Tie.source == MANUAL)
    )
    return InferredTies(
        meeting_ties=counts["meeting"],
        thread_ties=counts["thread"],
        meetings=sum(1 for g in meeting_groups if len(g) > 1),
        threads=sum(1 for g in thread_groups if len(g) > 1),
        too_large=too_large,
        manual_ties=int(manual or 0),
    )


def inferred_trust(evidence: int) -> float:
    """Trust from the number of shared gatherings: 0.4, 0.64, 0.78, … up to 0.9."""
    return min(MAX_INFERRED_TRUST, 1.0 - (1.0 - TRUST_STEP) ** evidence)


def contact_edges(session: Session, workspace_id: int, ids: NDArray[np.int64]) -> ContactEdges:
    """Every known contact-to-contact tie once, whatever its sources, between people in ids."""
    rows = session.execute(
        text("SELECT DISTINCT person_a, person_b FROM tie WHERE workspace_id = :ws"),
        {"ws": workspace_id},
    ).all()
    a = np.array([r[0] for r in rows], dtype=np.int64)
    b = np.array([r[1] for r in rows], dtype=np.int64)
    if not len(ids):
        return ContactEdges(np.zeros(0, np.int64), np.zeros(0, np.int64))
    ia = np.minimum(np.searchsorted(ids, a), len(ids) - 1)
    ib = np.minimum(np.searchsorted(ids, b), len(ids) - 1)
    known = (ids[ia] == a) & (ids[ib] == b)
    return ContactEdges(ia[known], ib[known])


def _owner_ids(session: Session, workspace_id: int) -> set[int]:
    return set(
        session.scalars(
            select(Person.id).where(Person.workspace_id == workspace_id, Person.is_me.is_(True))
        )
    )


def _groups(rows: Iterable[tuple[tuple[object, ...], int]]) -> list[set[int]]:
    members: dict[tuple[object, ...], set[int]] = defaultdict(set)
    for key, person in rows:
        members[key].add(person)
    return list(members.values())

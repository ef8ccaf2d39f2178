"""People ranked by how many interactions they have, or by their newest one.

The nightly tally (`tallies.refresh_tallies`) writes each person's count and newest time
with the last interaction id it saw. A page then reads the leaders off an index and adds
what came after that id, a short primary-key range, for the few people touched since:
exact, because interactions are only ever added, or deleted with their person. A merge or
a re-import that moves interactions between people recounts those people. Without fresh
counts the caller reads the interactions instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import Select, bindparam, func, select, text
from sqlalchemy.orm import Session

from takethelead.services.core import settings
from takethelead.storage.tables import Interaction, Person

COUNTS_KEY: Final = settings.PERSON_COUNTS.name
MANY_TOUCHED: Final = 2_000  # past this many people touched since, read everything instead

RankBy = Literal["interactions", "last-contact"]

_SINCE: Final = text(
    "SELECT person_id, count(*), max(occurred_at) FROM interaction "
    "WHERE id > :upto AND +workspace_id = :ws GROUP BY person_id"
)
_RECOUNT: Final = text(
    "UPDATE person SET "
    "touches = (SELECT count(*) FROM interaction i WHERE i.workspace_id = :ws "
    "AND i.person_id = person.id AND i.id <= :upto), "
    "last_touch_at = (SELECT max(i.occurred_at) FROM interaction i WHERE i.workspace_id = :ws "
    "AND i.person_id = person.id AND i.id <= :upto) "
    "WHERE workspace_id = :ws AND id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_COUNT_ALL: Final = text(
    "UPDATE person SET "
    "touches = (SELECT count(*) FROM interaction i WHERE i.workspace_id = :ws "
    "AND i.person_id = person.id), "
    "last_touch_at = (SELECT max(i.occurred_at) FROM interaction i WHERE i.workspace_id = :ws "
    "AND i.person_id = person.id) "
    "WHERE workspace_id = :ws"
)


def refresh_person_counts(session: Session, workspace_id: int, upto: int) -> None:
    """Count everyone's interactions afresh; `upto` is the newest interaction id counted.

    Run by the nightly tally, which holds writers off while it counts (see tallies).
    """
    session.execute(_COUNT_ALL, {"ws": workspace_id})
    _store(session, workspace_id, upto)


def recount_people(session: Session, workspace_id: int, person_ids: Iterable[int]) -> None:
    """Recount people whose interactions moved (a merge, a re-import that changed hands)."""
    upto = counted_upto(session, workspace_id)
    ids = sorted(set(person_ids))
    if upto is not None and ids:
        session.flush()
        session.execute(_RECOUNT, {"ws": workspace_id, "upto": upto, "ids": ids})


def counted_upto(session: Session, workspace_id: int) -> int | None:
    """The newest interaction id the stored counts include, or None without counts."""
    value = settings.get(session, workspace_id, settings.PERSON_COUNTS)
    return int(value["upto"]) if isinstance(value, dict) else None


def ranked_people(
    session: Session,
    workspace_id: int,
    eligible: Select[int],
    by: RankBy,
    offset: int,
    limit: int,
) -> list[int] | None:
    """A page of the eligible people, most interactions (or newest contact) first, ties by
    id, people never contacted last; None when there are no fresh counts to rank by."""
    upto = counted_upto(session, workspace_id)
    if upto is None:
        return None
    since = {
        int(pid): (int(n), int(last))
        for pid, n, last in session.execute(_SINCE, {"upto": upto, "ws": workspace_id})
    }
    if len(since) > MANY_TOUCHED:
        return None  # a big import since the tally: reading everything is as quick
    key = Person.touches.desc() if by == "interactions" else Person.last_touch_at.desc()
    leaders = (
        select(Person.id, Person.touches, Person.last_touch_at)
        .where(Person.id.in_(eligible.scalar_subquery()))
        .order_by(key.nulls_last(), Person.id)
        .limit(offset + limit)
    )
    rows = list(session.execute(leaders))
    if since:
        rows += session.execute(
            select(Person.id, Person.touches, Person.last_touch_at).where(
                Person.id.in_(sorted(since)), Person.id.in_(eligible.scalar_subquery())
            )
        )
    ranked: dict[int, tuple[int, int | None]] = {}
    for pid, touches, last in rows:
        n, newest = since.get(pid, (0, None))
        stored = int(last.timestamp()) if last is not None else None
        known = [t for t in (stored, newest) if t is not None]
        ranked[pid] = (int(touches) + n, max(known) if known else None)

    def order(pid: int) -> tuple[int, int, int]:
        count, newest = ranked[pid]
        if by == "interactions":
            return (-count, 0, pid)
        return (newest is None, -(newest or 0), pid)

    return sorted(ranked, key=order)[offset : offset + limit]


def count_ranked(
    session: Session,
    eligible: Select[int],
    sort: RankBy,
    workspace_id: int,
    page: tuple[int, int | None],
) -> list[int]:
    """A page of people by last contact or by interactions, most first, ties by id.

    One pass over the covering (workspace, person, time) index; people never contacted last.
    """
    offset, limit = page
    key = func.max(Interaction.occurred_at) if sort == "last-contact" else func.count()
    totals = (
        select(Interaction.person_id, key.label("k"))
        .where(Interaction.workspace_id == workspace_id)
        .group_by(Interaction.person_id)
        .subquery()
    )
    contacted = select(totals.c.person_id).join(Person, Person.id == totals.c.person_id)
    contacted = contacted.where(Person.id.in_(eligible.scalar_subquery()))
    ids = list(
        session.scalars(
            contacted.order_by(totals.c.k.desc(), totals.c.person_id).offset(offset).limit(limit)
        )
    )
    if limit is not None and len(ids) == limit:
        return ids
    before = session.scalar(select(func.count()).select_from(contacted.subquery())) or 0
    never = eligible.where(
        ~select(Interaction.id)
        .where(Interaction.workspace_id == workspace_id, Interaction.person_id == Person.id)
        .exists()
    )
    rest = never.order_by(Person.id).offset(max(0, offset - before))
    if limit is not None:
        rest = rest.limit(limit - len(ids))
    return ids + list(session.scalars(rest))


def by_last_contact(
    session: Session, workspace_id: int, eligible: set[int], wanted: int
) -> list[int] | None:
    """The first `wanted` people by last contact, newest first, ties by id; None: read all.

    Walks the (workspace, time) index from the newest interaction and stops once enough
    people are found, so the first pages cost a few hundred rows, not a million.
    """
    found: dict[int, datetime] = {}
    cutoff: datetime | None = None
    rows = session.execute(
        select(Interaction.person_id, Interaction.occurred_at)
        .where(Interaction.workspace_id == workspace_id)
        .order_by(Interaction.occurred_at.desc())
        .execution_options(stream_results=True, yield_per=500)
    )
    for person_id, at in rows:
        if cutoff is not None and at < cutoff:
            break
        if person_id in found or person_id not in eligible:
            continue
        found[person_id] = at
        if len(found) == wanted:
            # Keep reading while others share the last time: ties go by id.
            cutoff = at
    rows.close()
    if len(found) < wanted:
        return None  # people never contacted come last: `count_ranked` orders them
    ordered = sorted(found, key=lambda p: (-found[p].timestamp(), p))
    return ordered[:wanted]


def _store(session: Session, workspace_id: int, upto: int) -> None:
    settings.put(session, workspace_id, settings.PERSON_COUNTS, {"upto": upto})

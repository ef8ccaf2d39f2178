"""Merging two records of the same person: everything of one moves to the other.

Imports match people only on exact identities, so the same person can arrive twice ("Bob
Smith" from a vCard, "Robert Smith" from LinkedIn). Merging keeps the first and moves to it
every row that points at the second — found from the schema's foreign keys, so a table
added later is never left pointing at a deleted person.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from takethelead.services.core.errors import Conflict, NotFound, ServiceError
from takethelead.services.networks.tallies import forget_tallies
from takethelead.services.people.people import show_person
from takethelead.services.people.ranking import recount_people
from takethelead.services.people.searchtext import refresh_search_texts
from takethelead.services.relationships.scoring import rescore_people
from takethelead.storage.tables import Base, Introduction, Person, PersonTag, Tie, table_of

# Fields the kept record takes from the other one when its own are blank.
FILLED = ("company", "title", "offer", "lead_profile", "birthday", "connected_on", "closeness")


@dataclass(frozen=True, slots=True)
class MergeResult:
    kept_id: int
    kept_name: str
    removed_name: str
    moved: dict[str, int]  # table → rows now pointing at the kept person


def merge_people(session: Session, workspace_id: int, keep_id: int, other_id: int) -> MergeResult:
    """Move everything of `other_id` to `keep_id`, fill the kept one's gaps, delete the other."""
    if keep_id == other_id:
        raise ServiceError("merge: name two different people")
    keep = session.get(Person, keep_id)
    other = session.get(Person, other_id)
    for person, ref in ((keep, keep_id), (other, other_id)):
        if person is None or person.workspace_id != workspace_id:
            raise NotFound(f"merge: no person #{ref} in this workspace")
    assert keep is not None and other is not None
    if other.is_me:
        raise Conflict("merge: keep yourself: name your own record first")
    removed_name = other.full_name
    for name in FILLED:
        if getattr(keep, name) in (None, "") and getattr(other, name) not in (None, ""):
            setattr(keep, name, getattr(other, name))
    if other.notes and other.notes not in keep.notes:
        keep.notes = f"{keep.notes}\n{other.notes}".strip()
    keep.distrusted = keep.distrusted or other.distrusted
    session.flush()
    _drop_conflicts(session, workspace_id, keep_id, other_id)
    moved = _repoint(session, keep_id, other_id)
    session.execute(delete(Person).where(Person.id == other_id))
    session.flush()
    refresh_search_texts(session, workspace_id, {keep_id})
    rescore_people(session, workspace_id, [keep_id])
    recount_people(session, workspace_id, [keep_id])  # the duplicate's interactions moved
    forget_tallies(session, workspace_id)  # cached per-person lists named the removed record
    return MergeResult(keep_id, show_person(session, workspace_id, keep_id).full_name,
                       removed_name, moved)  # fmt: skip


def _drop_conflicts(session: Session, workspace_id: int, keep_id: int, other_id: int) -> None:
    """Rows that would collide or turn into a tie of someone with themselves."""
    kept_tags = select(PersonTag.tag).where(PersonTag.person_id == keep_id)
    session.execute(
        delete(PersonTag).where(PersonTag.person_id == other_id, PersonTag.tag.in_(kept_tags))
    )
    pair = or_(
        and_(Tie.person_a == keep_id, Tie.person_b == other_id),
        and_(Tie.person_a == other_id, Tie.person_b == keep_id),
    )
    session.execute(delete(Tie).where(Tie.workspace_id == workspace_id, pair))
    between = or_(
        and_(Introduction.person_a == keep_id, Introduction.person_b == other_id),
        and_(Introduction.person_a == other_id, Introduction.person_b == keep_id),
    )
    session.execute(delete(Introduction).where(Introduction.workspace_id == workspace_id, between))
    # A tie of the other with X that the kept person already has with X (same source).
    for tie in session.scalars(
        select(Tie).where(or_(Tie.person_a == other_id, Tie.person_b == other_id))
    ).all():
        friend = tie.person_b if tie.person_a == other_id else tie.person_a
        a, b = sorted((keep_id, friend))
        clash = session.scalar(
            select(func.count()).where(
                Tie.workspace_id == workspace_id,
                Tie.person_a == a,
                Tie.person_b == b,
                Tie.source == tie.source,
            )
        )
        if clash:
            session.delete(tie)
            continue
        tie.person_a, tie.person_b = a, b  # keep the person_a < person_b order
    session.flush()


def _repoint(session: Session, keep_id: int, other_id: int) -> dict[str, int]:
    """Every foreign key to person.id that names the other now names the kept person."""
    person = table_of(Person)
    moved: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        if table is person:
            continue
        for column in table.columns:
            if not any(fk.column is person.c.id for fk in column.foreign_keys):
                continue
            result = session.execute(
                update(table).where(column == other_id).values({column.name: keep_id})
            )
            count = int(result.rowcount or 0)  # type: ignore[attr-defined]
            if count:
                moved[table.name] = moved.get(table.name, 0) + count
    return moved

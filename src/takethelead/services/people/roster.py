"""The people list: search, filters (tag, layer, due, fading) and sorts, a page at a time.

Everything a page of fifty needs is read from the strength cache (`person.strength`) and
the indexes, never from every interaction: layers are the ranks of the 150 strongest
cached ties, "due" is `keepintouch.due_soon`, and "fading" is the nightly list of
`fadingcache` (a whole-workspace scoring takes seconds at a million interactions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal, get_args

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, aliased

from takethelead.domain.identities import fold
from takethelead.domain.layers import LAYER_NAMES, LAYER_SIZES, LIVE_FLOOR, OUTSIDE
from takethelead.services.core.errors import ServiceError
from takethelead.services.core.views import PersonSummary
from takethelead.services.people import people
from takethelead.services.people.ranking import by_last_contact, count_ranked, ranked_people
from takethelead.services.relationships.fadingcache import fading_people
from takethelead.services.relationships.keepintouch import due_soon
from takethelead.services.relationships.scoring import rescore_all, rescore_people
from takethelead.services.relationships.strength import OUTSIDE_NAME
from takethelead.storage.tables import Interaction, Person, PersonTag

SortKey = Literal["name", "strength", "last-contact", "layer", "interactions", "added"]
Show = Literal["everyone", "due", "fading"]
SORTS: Final[tuple[str, ...]] = get_args(SortKey)
SHOWS: Final[tuple[str, ...]] = get_args(Show)
LAYERS: Final = (*LAYER_NAMES, OUTSIDE_NAME)  # index: the layer code
FEW_RANKED: Final = 2_000  # fewer eligible people than this are ranked in Python
FEW_UNSCORED: Final = 500
# Counting a busy tie's 30,000 interactions walks 30,000 index entries; a page of the
# strongest ties would read a million. Past this many a row says "1000+".
COUNT_CAP: Final = 1_000  # fewer never-scored people than this are scored one by one
_WORD: Final = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class RosterRow:
    person: PersonSummary  # `interactions` stops counting at COUNT_CAP unless sorted by it
    counted_all: bool  # False: they have COUNT_CAP interactions or more
    strength: float | None  # cached
    layer: str
    layer_code: int
    overdue_days: float | None  # with show="due": how late (None: never in touch)


@dataclass(frozen=True, slots=True)
class Roster:
    rows: tuple[RosterRow, ...]
    more: bool  # another page follows
    fading_as_of: datetime | None = None  # with show="fading": when the ties were found
    fading_pending: bool = False  # with show="fading": the nightly list is not made yet


def _fill_cache(session: Session, workspace_id: int) -> None:
    """Score people never scored (just added or imported), so that every row has a layer."""
    unscored = list(
        session.scalars(
            select(Person.id)
            .where(
                Person.workspace_id == workspace_id,
                Person.is_me.is_(False),
                Person.strength.is_(None),
            )
            .limit(FEW_UNSCORED)
        )
    )
    if len(unscored) == FEW_UNSCORED:
        rescore_all(session, workspace_id)
    elif unscored:
        rescore_people(session, workspace_id, unscored)


def layered(session: Session, workspace_id: int) -> dict[int, int]:
    """Layer code of the 150 strongest cached ties (everyone else is outside), by person id."""
    rows = session.execute(
        select(Person.id, Person.strength)
        .where(Person.workspace_id == workspace_id, Person.is_me.is_(False))
        .order_by(Person.strength.desc().nulls_last(), Person.id)
        .limit(LAYER_SIZES[-1])
    ).all()
    codes = {}
    for rank, (pid, strength) in enumerate(rows):
        code = next(i for i, size in enumerate(LAYER_SIZES) if rank < size)
        codes[pid] = code if strength is not None and strength >= LIVE_FLOOR else OUTSIDE
    return {pid: code for pid, code in codes.items() if code != OUTSIDE}


def _matching(session: Session, workspace_id: int, q: str) -> Select[int]:
    terms = _WORD.findall(fold(q))
    if not terms:
        raise ServiceError("q: expected at least one word to look for")
    # The full-text match of `lead people search`, on SQLite and PostgreSQL alike.
    return people.matching_ids(session, workspace_id, terms)


def _order(sort: SortKey) -> list[ColumnElement[Any]]:
    by_id: ColumnElement[Any] = Person.__table__.c.id
    if sort == "strength":
        return [Person.strength.desc().nulls_last(), by_id]
    if sort == "added":
        return [by_id.desc()]
    return [func.lower(Person.full_name), by_id]


def _by_layer(
    session: Session, eligible: Select[int], layers: dict[int, int], limit: int, offset: int
) -> list[int]:
    """Inner layers first, by name within each; everyone outside them after, by name."""
    by_name = (func.lower(Person.full_name), Person.id)
    inner = list(session.scalars(eligible.where(Person.id.in_(list(layers))).order_by(*by_name)))
    inner.sort(key=lambda pid: layers[pid])  # stable: names stay in order within a layer
    ids = inner[offset : offset + limit]
    if len(ids) < limit:
        rest = eligible.where(Person.id.not_in(list(layers))).order_by(*by_name)
        rest = rest.offset(max(0, offset - len(inner))).limit(limit - len(ids))
        ids += list(session.scalars(rest))
    return ids


def _summaries(
    session: Session, workspace_id: int, ids: list[int]
) -> dict[int, tuple[PersonSummary, bool]]:
    """Rows for a page of people; interactions counted up to COUNT_CAP through the index."""
    if not ids:
        return {}
    found: dict[int, tuple[PersonSummary, bool]] = {}
    tags: dict[int, list[str]] = {}
    for pid, tag in session.execute(
        select(PersonTag.person_id, PersonTag.tag).where(PersonTag.person_id.in_(ids))
    ):
        tags.setdefault(pid, []).append(tag)
    mine = (Interaction.workspace_id == workspace_id) & (Interaction.person_id == Person.id)
    last = select(func.max(Interaction.occurred_at)).where(mine).scalar_subquery()
    # The time of their COUNT_CAP-th newest interaction: counting from there stops early.
    newer = aliased(Interaction)
    cap = (
        select(newer.occurred_at)
        .where(newer.workspace_id == workspace_id, newer.person_id == Person.id)
        .correlate(Person)
        .order_by(newer.occurred_at.desc())
        .offset(COUNT_CAP - 1)
        .limit(1)
        .scalar_subquery()
    )
    count = (
        select(func.count())
        .where(mine, Interaction.occurred_at >= func.coalesce(cap, 0))
        .scalar_subquery()
    )
    rows = session.execute(
        select(Person.id, Person.full_name, Person.company, Person.title, last, count).where(
            Person.workspace_id == workspace_id, Person.id.in_(ids)
        )
    )
    for pid, name, company, title, at, n in rows:
        summary = PersonSummary(
            id=pid,
            full_name=name,
            company=company,
            title=title,
            tags=tuple(sorted(tags.get(pid, []))),
            last_contact=at,
            interactions=min(int(n), COUNT_CAP),
        )
        found[pid] = (summary, int(n) < COUNT_CAP)
    return found


def _ranked(
    session: Session,
    workspace_id: int,
    eligible: Select[int],
    sort: Literal["last-contact", "interactions"],
    limit: int,
    offset: int,
) -> list[int]:
    """A page of the eligible by last contact or interactions, most first, ties by id."""
    ids = list(session.scalars(eligible.limit(FEW_RANKED + 1)))
    if len(ids) > FEW_RANKED:
        counted = ranked_people(session, workspace_id, eligible, sort, offset, limit)
        if counted is not None:
            return counted
        if sort == "last-contact" and offset + limit <= 5_000:
            # Walk back from the newest interaction until the page is full, as the plain
            # list does: a few hundred rows for the first pages instead of every one.
            wanted = set(session.scalars(eligible))
            found_ids = by_last_contact(session, workspace_id, wanted, offset + limit)
            if found_ids is not None:
                return found_ids[offset:]
        # One pass over the (workspace, person, time) index, as the people list does.
        return count_ranked(session, eligible, sort, workspace_id, (offset, limit))
    found = people.summaries(session, workspace_id, ids)
    never = float("-inf")
    if sort == "last-contact":
        found.sort(key=lambda p: (-(p.last_contact.timestamp() if p.last_contact else never), p.id))
    else:
        found.sort(key=lambda p: (-p.interactions, p.id))
    return [p.id for p in found[offset : offset + limit]]


def _check(layer: int | None, show: str, sort: str, limit: int, offset: int) -> None:
    if layer is not None and not 0 <= layer <= OUTSIDE:
        raise ServiceError(f"layer: expected 0 to {OUTSIDE} ({', '.join(LAYERS)})")
    if show not in SHOWS:
        raise ServiceError(f"show {show!r}: expected one of {', '.join(SHOWS)}")
    if sort not in SORTS:
        raise ServiceError(f"sort {sort!r}: expected one of {', '.join(SORTS)}")
    if not 1 <= limit <= 500 or offset < 0:
        raise ServiceError("limit: expected 1 to 500 people a page, from an offset of 0 or more")


@dataclass(slots=True)
class _Shown:
    """Who a `show` filter keeps, and what the page says about it."""

    chosen: list[int] | None = None  # None: everyone
    late: dict[int, float | None] = field(default_factory=dict)
    fading_as_of: datetime | None = None
    fading_pending: bool = False


def _shown(session: Session, workspace_id: int, show: Show, now: datetime | None) -> _Shown:
    if show == "due":
        overdue = due_soon(session, workspace_id, limit=100_000, now=now).people
        late = {d.person_id: d.overdue_days for d in overdue}
        return _Shown(chosen=[d.person_id for d in overdue], late=late)
    if show == "fading":
        chosen, as_of = fading_people(session, workspace_id, now)
        return _Shown(chosen=chosen, fading_as_of=as_of, fading_pending=as_of is None)
    return _Shown()


def _eligible(
    session: Session,
    workspace_id: int,
    layers: dict[int, int],
    *,
    q: str,
    tag: str,
    layer: int | None,
    chosen: list[int] | None,
) -> Select[int]:
    """The people the search and filters keep, unordered."""
    query = select(Person.id).where(Person.workspace_id == workspace_id, Person.is_me.is_(False))
    if tag:
        query = query.where(Person.id.in_(select(PersonTag.person_id).where(PersonTag.tag == tag)))
    if q.strip():
        matching = _matching(session, workspace_id, q).subquery().select()
        query = query.where(Person.id.in_(matching))
    if layer is not None and layer != OUTSIDE:
        query = query.where(Person.id.in_([p for p, c in layers.items() if c == layer]))
    elif layer == OUTSIDE:
        query = query.where(Person.id.not_in(list(layers)))
    if chosen is not None:
        query = query.where(Person.id.in_(chosen))
    return query


def _sorted_page(
    session: Session,
    workspace_id: int,
    query: Select[int],
    layers: dict[int, int],
    sort: SortKey,
    limit: int,
    offset: int,
) -> list[int]:
    """Up to `limit` ids of the eligible from `offset`, in the order asked."""
    if sort in ("last-contact", "interactions"):
        return _ranked(session, workspace_id, query, sort, limit, offset)
    if sort == "layer":
        return _by_layer(session, query, layers, limit, offset)
    return list(session.scalars(query.order_by(*_order(sort)).offset(offset).limit(limit)))


def roster(
    session: Session,
    workspace_id: int,
    *,
    q: str = "",
    tag: str = "",
    layer: int | None = None,
    show: Show = "everyone",
    sort: SortKey = "name",
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> Roster:
    """A page of people: searched, filtered and sorted; each with their cached strength."""
    _check(layer, show, sort, limit, offset)
    _fill_cache(session, workspace_id)
    layers = layered(session, workspace_id)
    plain = not q.strip() and layer is None and show == "everyone"
    shown = _Shown()
    if plain and sort in ("name", "last-contact", "interactions", "added"):
        # The people service has index walks for these orders; use them as they are.
        by: people.SortKey = sort
        found = people.list_people(session, workspace_id, tag or None, by, limit + 1, offset)
        ids = [p.id for p in found]
        summaries = {p.id: (p, True) for p in found}
    else:
        shown = _shown(session, workspace_id, show, now)
        query = _eligible(
            session, workspace_id, layers, q=q, tag=tag, layer=layer, chosen=shown.chosen
        )
        ids = _sorted_page(session, workspace_id, query, layers, sort, limit + 1, offset)
        summaries = _summaries(session, workspace_id, ids[:limit])
    page = ids[:limit]
    strengths = dict(
        session.execute(select(Person.id, Person.strength).where(Person.id.in_(page))).all()
    )
    rows = tuple(
        RosterRow(
            person=summaries[pid][0],
            counted_all=summaries[pid][1],
            strength=strengths.get(pid),
            layer=LAYERS[layers.get(pid, OUTSIDE)],
            layer_code=layers.get(pid, OUTSIDE),
            overdue_days=shown.late.get(pid),
        )
        for pid in page
        if pid in summaries
    )
    return Roster(
        rows=rows,
        more=len(ids) > limit,
        fading_as_of=shown.fading_as_of,
        fading_pending=shown.fading_pending,
    )

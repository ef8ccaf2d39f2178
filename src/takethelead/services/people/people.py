"""People: add, list, show, edit, remove, tag and search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final, Literal

from rapidfuzz import fuzz, process
from sqlalchemy import Select, bindparam, func, select, text
from sqlalchemy.orm import Session, selectinload

from takethelead.domain.identities import fold, identity
from takethelead.domain.records import IdentityKind
from takethelead.services.core.errors import Ambiguous, NotFound, ServiceError
from takethelead.services.core.views import (
    IdentityView,
    InteractionView,
    PersonDetail,
    PersonSummary,
)
from takethelead.services.networks.tallies import forget_tallies
from takethelead.services.people.ranking import by_last_contact, count_ranked, ranked_people
from takethelead.storage.tables import (
    Identity,
    Interaction,
    Network,
    Person,
    PersonTag,
    table_of,
)

_NON_WORD = re.compile(r"[^\w]+")
SortKey = Literal["name", "last-contact", "interactions", "added"]
EDITABLE = (
    "full_name",
    "first_name",
    "last_name",
    "company",
    "title",
    "notes",
    "offer",
    "lead_profile",
    "birthday",
    "closeness",
    "cadence_days",
    "distrusted",
)


@dataclass(frozen=True, slots=True)
class PersonInput:
    """What a user may set on a person; None leaves a field as it is."""

    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    title: str | None = None
    notes: str | None = None
    offer: str | None = None
    lead_profile: str | None = None
    birthday: date | None = None
    closeness: int | None = None
    cadence_days: int | None = None
    distrusted: bool | None = None


def search_text(person: Person, identities: list[str], tags: list[str]) -> str:
    """The folded text that full-text search reads for a person."""
    parts = [
        person.full_name,
        person.company,
        person.title,
        person.notes,
        person.offer,
        person.lead_profile,
        *identities,
        *tags,
    ]
    return search_words(*parts)


def search_words(*parts: str) -> str:
    """Folded words only: punctuation becomes space, so both databases split e-mails alike."""
    return _NON_WORD.sub(" ", fold(" ".join(p for p in parts if p))).strip()


def refresh_search_text(session: Session, person: Person) -> None:
    identities = [i.value for i in person.identities]
    tags = [t.tag for t in person.tags]
    person.search_text = search_text(person, identities, tags)


def parse_identity(raw: str) -> tuple[IdentityKind, str]:
    """`kind:value` or a bare value whose kind is guessed (e-mail, LinkedIn URL, handle)."""
    kind_name, sep, value = raw.partition(":")
    if sep and kind_name in {k.value for k in IdentityKind} and not raw.startswith("http"):
        record = identity(IdentityKind(kind_name), value)
        if record is None:
            raise ServiceError(f"identity {raw!r}: not a valid {kind_name}")
        return record.kind, record.value
    for kind in (IdentityKind.EMAIL, IdentityKind.LINKEDIN, IdentityKind.MASTODON):
        record = identity(kind, raw)
        if record is not None:
            return record.kind, record.value
    if raw.startswith("+") or raw.replace(" ", "").isdigit():
        record = identity(IdentityKind.PHONE, raw)
        if record is not None:
            return record.kind, record.value
    raise ServiceError(
        f"identity {raw!r}: expected an e-mail, a LinkedIn URL, a Mastodon address "
        "or kind:value (kinds: " + ", ".join(k.value for k in IdentityKind) + ")"
    )


def _check(values: PersonInput) -> None:
    if values.closeness is not None and not 1 <= values.closeness <= 5:
        raise ServiceError("closeness: expected a rating from 1 to 5")
    if values.cadence_days is not None and values.cadence_days < 1:
        raise ServiceError("cadence: expected at least one day")
    if values.full_name is not None and not values.full_name.strip():
        raise ServiceError("name: expected a non-empty name")


NAME_PART_LENGTH: Final = 200  # what person.first_name and person.last_name hold


def name_parts(full_name: str) -> tuple[str, str]:
    """First and last name split from a full name, each cut to what its column holds.

    The full name keeps every character (300); a single word longer than 200 would
    otherwise be refused by PostgreSQL, which checks lengths where SQLite does not.
    """
    first, _, last = full_name.partition(" ")
    return first[:NAME_PART_LENGTH], last[:NAME_PART_LENGTH]


def add_person(
    session: Session,
    workspace_id: int,
    full_name: str,
    values: PersonInput | None = None,
    identities: list[str] | None = None,
    tags: list[str] | None = None,
) -> int:
    """Create a person; identities that already belong to someone are refused."""
    values = values or PersonInput()
    _check(PersonInput(full_name=full_name))
    _check(values)
    person = Person(workspace_id=workspace_id, full_name=full_name.strip())
    person.first_name, person.last_name = name_parts(person.full_name)
    _apply(person, values)
    session.add(person)
    session.flush()
    for raw in identities or []:
        _attach_identity(session, workspace_id, person, raw)
    for tag in dict.fromkeys(t.strip() for t in tags or []):
        if tag:
            person.tags.append(PersonTag(tag=tag, workspace_id=workspace_id))
    session.flush()
    refresh_search_text(session, person)
    return person.id


def _apply(person: Person, values: PersonInput) -> None:
    for name in EDITABLE:
        value = getattr(values, name)
        if value is not None:
            setattr(person, name, value.strip() if isinstance(value, str) else value)


def _attach_identity(session: Session, workspace_id: int, person: Person, raw: str) -> None:
    kind, value = parse_identity(raw)
    owner = session.scalar(
        select(Identity.person_id).where(
            Identity.workspace_id == workspace_id, Identity.kind == kind, Identity.value == value
        )
    )
    if owner is not None and owner != person.id:
        raise ServiceError(f"identity {raw!r} already belongs to person #{owner}")
    if owner is None:
        person.identities.append(
            Identity(workspace_id=workspace_id, kind=kind.value, value=value, display=raw)
        )


def _load(session: Session, workspace_id: int, person_id: int) -> Person:
    person = session.scalar(
        select(Person)
        .where(Person.workspace_id == workspace_id, Person.id == person_id)
        .options(selectinload(Person.identities), selectinload(Person.tags))
    )
    if person is None:
        raise NotFound(f"no person #{person_id} in this workspace")
    return person


def edit_person(
    session: Session,
    workspace_id: int,
    person_id: int,
    values: PersonInput,
    add_identities: list[str] | None = None,
) -> None:
    """Change the given fields of a person."""
    _check(values)
    person = _load(session, workspace_id, person_id)
    _apply(person, values)
    for raw in add_identities or []:
        _attach_identity(session, workspace_id, person, raw)
    session.flush()
    refresh_search_text(session, person)


def remove_person(session: Session, workspace_id: int, person_id: int) -> str:
    """Delete a person with their identities, tags and interactions; returns the name."""
    person = _load(session, workspace_id, person_id)
    name = person.full_name
    session.delete(person)
    # Their interactions go with them: cached counts would overstate.
    forget_tallies(session, workspace_id)
    return name


def tag_person(
    session: Session, workspace_id: int, person_id: int, add: list[str], remove: list[str]
) -> tuple[str, ...]:
    """Add and remove tags; returns the tags the person has afterwards."""
    person = _load(session, workspace_id, person_id)
    have = {t.tag for t in person.tags}
    for tag in add:
        tag = tag.strip()
        if tag and tag not in have:
            person.tags.append(PersonTag(tag=tag, workspace_id=workspace_id))
            have.add(tag)
    person.tags = [t for t in person.tags if t.tag not in set(remove)]
    session.flush()
    refresh_search_text(session, person)
    return tuple(sorted(t.tag for t in person.tags))


def _people_query(workspace_id: int) -> Select[int]:
    return select(Person.id).where(Person.workspace_id == workspace_id, Person.is_me.is_(False))


# A page of people reads these three every time: statements built once.
_SUMMARY_ROWS: Final = text(
    "SELECT id, full_name, company, title FROM person WHERE id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_SUMMARY_TOTALS: Final = text(
    "SELECT person_id, max(occurred_at), count(*) FROM interaction "
    "WHERE workspace_id = :ws AND person_id IN :ids GROUP BY person_id"
).bindparams(bindparam("ids", expanding=True))
_SUMMARY_TAGS: Final = text(
    "SELECT person_id, tag FROM person_tag WHERE person_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def summaries(session: Session, workspace_id: int, ids: list[int]) -> list[PersonSummary]:
    """Summaries of the given people, in the given order.

    Totals are read for these people only, through the (person, time) index, so a page
    of fifty costs the same at a thousand interactions as at a million.
    """
    rows: dict[int, tuple[str, str, str]] = {}
    totals: dict[int, tuple[datetime | None, int]] = {}
    tags: dict[int, list[str]] = {}
    for start in range(0, len(ids), 900):  # SQLite caps bound parameters per statement
        chunk = ids[start : start + 900]
        for pid, name, company, title in session.execute(_SUMMARY_ROWS, {"ids": chunk}):
            rows[pid] = (name, company, title)
        for pid, last, count in session.execute(
            _SUMMARY_TOTALS, {"ws": workspace_id, "ids": chunk}
        ):
            totals[pid] = (datetime.fromtimestamp(int(last), UTC), int(count))
        for pid, tag in session.execute(_SUMMARY_TAGS, {"ids": chunk}):
            tags.setdefault(pid, []).append(tag)
    return [
        PersonSummary(
            id=pid,
            full_name=rows[pid][0],
            company=rows[pid][1],
            title=rows[pid][2],
            tags=tuple(sorted(tags.get(pid, []))),
            last_contact=totals.get(pid, (None, 0))[0],
            interactions=totals.get(pid, (None, 0))[1],
        )
        for pid in ids
        if pid in rows
    ]


def list_people(
    session: Session,
    workspace_id: int,
    tag: str | None = None,
    sort: SortKey = "name",
    limit: int | None = None,
    offset: int = 0,
) -> list[PersonSummary]:
    """People of the workspace, filtered by tag and sorted."""
    query = _people_query(workspace_id)
    if tag:
        query = query.where(Person.id.in_(select(PersonTag.person_id).where(PersonTag.tag == tag)))
    if sort in ("last-contact", "interactions") and limit is not None:
        counted = ranked_people(session, workspace_id, query, sort, offset, limit)
        if counted is not None:
            return summaries(session, workspace_id, counted)
    if sort == "last-contact" and limit is not None and offset + limit <= 5_000:
        eligible = set(session.scalars(query))
        ids = by_last_contact(session, workspace_id, eligible, offset + limit)
        if ids is not None:
            return summaries(session, workspace_id, ids[offset:])
    if sort in ("last-contact", "interactions"):
        ids = count_ranked(session, query, sort, workspace_id, (offset, limit))
        return summaries(session, workspace_id, ids)
    if sort == "added":
        query = query.order_by(Person.id.desc())
    else:
        query = query.order_by(func.lower(Person.full_name), Person.id)
    query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return summaries(session, workspace_id, list(session.scalars(query)))


_TOKEN = re.compile(r"\w+")


def matching_ids(session: Session, workspace_id: int, terms: list[str]) -> Select[int]:
    if session.get_bind().dialect.name == "sqlite":
        # Each term becomes a quoted prefix query, so user input never reaches FTS5 syntax.
        match = " AND ".join('"' + t.replace('"', '""') + '"*' for t in terms)
        fts = text("SELECT rowid FROM person_fts WHERE person_fts MATCH :q").bindparams(q=match)
        return select(Person.id).where(
            Person.workspace_id == workspace_id,
            Person.id.in_(fts.columns(rowid=Person.id.type).subquery().select()),
        )
    query = " & ".join(t + ":*" for t in terms)
    return select(Person.id).where(
        Person.workspace_id == workspace_id,
        func.to_tsvector("simple", Person.search_text).op("@@")(func.to_tsquery("simple", query)),
    )


def search_people(
    session: Session, workspace_id: int, query: str, limit: int = 50
) -> list[PersonSummary]:
    """People whose names, company, notes, offer or identities contain every word given."""
    terms = _TOKEN.findall(fold(query))
    if not terms:
        raise ServiceError("search: expected at least one word to look for")
    matching = matching_ids(session, workspace_id, terms)
    found = (
        _people_query(workspace_id)
        .where(Person.id.in_(matching.subquery().select()))
        .order_by(func.lower(Person.full_name), Person.id)
        .limit(limit)
    )
    return summaries(session, workspace_id, list(session.scalars(found)))


_P, _I, _N = table_of(Person), table_of(Interaction), table_of(Network)
_ID, _TAG = table_of(Identity), table_of(PersonTag)
# The person page and /api/people/{id} read these on every view: statements built once.
_DETAIL: Final = select(
    *(_P.c[name] for name in (
        "id", "full_name", "first_name", "last_name", "company", "title", "notes", "offer",
        "lead_profile", "birthday", "connected_on", "closeness", "cadence_days", "is_me",
        "distrusted",
    ))
).where(_P.c.workspace_id == bindparam("ws"), _P.c.id == bindparam("id"))  # fmt: skip
_DETAIL_TAGS: Final = select(_TAG.c.tag).where(_TAG.c.person_id == bindparam("id"))
_DETAIL_IDENTITIES: Final = select(_ID.c.kind, _ID.c.value, _ID.c.display).where(
    _ID.c.person_id == bindparam("id")
)
_DETAIL_COUNT: Final = select(func.count()).where(
    _I.c.workspace_id == bindparam("ws"), _I.c.person_id == bindparam("id")
)
_TIMELINE: Final = (
    select(
        _I.c.id, _I.c.occurred_at, _I.c.kind, _I.c.direction, _N.c.name, _I.c.summary,
        _I.c.automated, _I.c.minutes, _I.c.source,
    )
    .select_from(_I.outerjoin(_N, _N.c.id == _I.c.network_id))
    .where(_I.c.workspace_id == bindparam("ws"), _I.c.person_id == bindparam("id"))
    .order_by(_I.c.occurred_at.desc(), _I.c.id.desc())
    .limit(bindparam("n"))
)  # fmt: skip


def show_person(
    session: Session, workspace_id: int, person_id: int, timeline: int = 50
) -> PersonDetail:
    """Everything known about one person, with the newest interactions first."""
    keys = {"ws": workspace_id, "id": person_id}
    row = session.execute(_DETAIL, keys).first()
    if row is None:
        raise NotFound(f"no person #{person_id} in this workspace")
    tags = sorted(session.execute(_DETAIL_TAGS, keys).scalars())
    identities = sorted(tuple(r) for r in session.execute(_DETAIL_IDENTITIES, keys))
    count = session.execute(_DETAIL_COUNT, keys).scalar()
    rows = list(session.execute(_TIMELINE, keys | {"n": timeline})) if timeline else []
    return PersonDetail(
        id=row.id,
        full_name=row.full_name,
        first_name=row.first_name,
        last_name=row.last_name,
        company=row.company,
        title=row.title,
        notes=row.notes,
        offer=row.offer,
        lead_profile=row.lead_profile,
        birthday=row.birthday,
        connected_on=row.connected_on,
        closeness=row.closeness,
        cadence_days=row.cadence_days,
        is_me=bool(row.is_me),
        distrusted=bool(row.distrusted),
        tags=tuple(tags),
        identities=tuple(IdentityView(kind, value, display) for kind, value, display in identities),
        timeline=tuple(
            InteractionView(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8])
            for r in rows
        ),
        interactions=int(count or 0),
    )


def resolve_person(session: Session, workspace_id: int, name_or_id: str) -> int:
    """A person by `#id`, an identity, an exact name, or the best fuzzy match of a name.

    Several equally good matches raise Ambiguous with the candidates.
    """
    ref = name_or_id.strip()
    if re.fullmatch(r"#?\d+", ref):
        person_id = int(ref.lstrip("#"))
        _load(session, workspace_id, person_id)
        return person_id
    if "@" in ref or "linkedin.com" in ref or ":" in ref:
        try:
            kind, value = parse_identity(ref)
        except ServiceError:
            pass
        else:
            owner = session.scalar(
                select(Identity.person_id).where(
                    Identity.workspace_id == workspace_id,
                    Identity.kind == kind,
                    Identity.value == value,
                )
            )
            if owner is not None:
                return owner
    return find_in_text(session, workspace_id, ref)


def find_in_text(session: Session, workspace_id: int, phrase: str) -> int:
    """The person a phrase names ("coffee with Ana Díaz" → Ana Díaz), fuzzily."""
    rows = session.execute(
        select(Person.id, Person.full_name).where(
            Person.workspace_id == workspace_id, Person.is_me.is_(False)
        )
    ).all()
    if not rows:
        raise NotFound("there are no people yet: add one with `lead people add NAME`")
    folded_phrase = fold(phrase)
    names = {pid: fold(name) for pid, name in rows}
    exact = [pid for pid, name in names.items() if name == folded_phrase]
    if len(exact) == 1:
        return exact[0]
    words = set(re.findall(r"\w+", folded_phrase))
    contained = [
        pid for pid, name in names.items() if name and set(re.findall(r"\w+", name)) <= words
    ]
    if contained:
        longest = max(len(names[p]) for p in contained)
        contained = [p for p in contained if len(names[p]) == longest]
        if len(contained) == 1:
            return contained[0]
        raise _ambiguous(phrase, contained, dict(rows))
    # A surname or first name alone: the people sharing the most name words with the phrase.
    overlap = {
        pid: len({w for w in re.findall(r"\w+", name) if len(w) > 2} & words)
        for pid, name in names.items()
    }
    best_overlap = max(overlap.values(), default=0)
    if best_overlap:
        sharing = [pid for pid, n in overlap.items() if n == best_overlap]
        if len(sharing) == 1:
            return sharing[0]
        raise _ambiguous(phrase, sharing[:10], dict(rows))
    # Typos: the closest names by edit similarity.
    matches = process.extract(
        folded_phrase, names, scorer=fuzz.partial_token_ratio, limit=5, score_cutoff=80
    )
    if not matches:
        raise NotFound(f"nobody matches {phrase!r}: try `lead people search WORD`")
    best = matches[0][1]
    close = [m[2] for m in matches if m[1] >= best - 3]
    if len(close) == 1:
        return int(close[0])
    raise _ambiguous(phrase, [int(c) for c in close], dict(rows))


def _ambiguous(phrase: str, ids: list[int], names: dict[int, str]) -> Ambiguous:
    candidates = [(pid, names[pid]) for pid in ids]
    listed = "; ".join(f"#{pid} {name}" for pid, name in candidates)
    return Ambiguous(f"{phrase!r} matches several people: {listed}", candidates)

"""Introductions by double opt-in, and who in the network could help whom.

An introduction starts as a question to each side ("would you like to meet …?"); only when
both say yes does the user send the introduction itself. Once made, it is an introduction
given to both people in the ledger and an introduction touch with each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from takethelead.domain.matching import search_bm25
from takethelead.domain.text import tokenize, words
from takethelead.services.core.errors import Conflict, NotFound, ServiceError
from takethelead.services.core.workspacecache import WorkspaceCache
from takethelead.services.leads.matchcache import match_context
from takethelead.services.leads.matching import Contact
from takethelead.services.people.people import resolve_person
from takethelead.storage.tables import Interaction, Introduction, LedgerEntry, Person

# Needs read per call: the strongest ties' needs first, so the plan stays fast at 30,000.
MAX_NEEDS: Final = 300
PER_NEED: Final = 5
MIN_COVERAGE: Final = 0.3
MAX_CANDIDATES: Final = 100


@dataclass(frozen=True, slots=True)
class Draft:
    """A message for the user to send, as drafted."""

    to_person_id: int
    to: str
    body: str


@dataclass(frozen=True, slots=True)
class IntroductionView:
    id: int
    person_a: int
    name_a: str
    person_b: int
    name_b: str
    status: str  # asked → made (both said yes) | declined
    accepted_a: bool
    accepted_b: bool
    reason: str
    created_at: datetime
    drafts: tuple[Draft, ...]  # what to send now


@dataclass(frozen=True, slots=True)
class IntroCandidate:
    """Two people who could help each other: a's need matches b's offer."""

    person_a: int
    name_a: str
    person_b: int
    name_b: str
    score: float  # share of the need's words that the offer covers, in (0, 1]
    strength_a: float
    strength_b: float
    matched: tuple[str, ...]
    reason: str
    need: str = ""  # what a is looking for, as written (their lead profile or an open lead)
    offer: str = ""  # what b offers, as written (or from their title)


def propose_introduction(
    session: Session,
    workspace_id: int,
    first: str,
    second: str,
    reason: str = "",
    now: datetime | None = None,
) -> IntroductionView:
    """Start an introduction: a drafted question to each side, asking if they would like it."""
    a = _person(session, workspace_id, resolve_person(session, workspace_id, first))
    b = _person(session, workspace_id, resolve_person(session, workspace_id, second))
    if a.id == b.id:
        raise ServiceError("introduce: expected two different people")
    for person in (a, b):
        if person.distrusted:
            raise ServiceError(f"introduce: you marked {person.full_name} as distrusted")
    intro = Introduction(
        workspace_id=workspace_id,
        person_a=a.id,
        person_b=b.id,
        status="asked",
        reason=reason.strip(),
        created_at=now or datetime.now(UTC),
    )
    session.add(intro)
    session.flush()
    drafts = (_ask(a, b, intro.reason), _ask(b, a, intro.reason))
    return _view(intro, a, b, drafts)


def accept_introduction(
    session: Session, workspace_id: int, intro_id: int, side: str, now: datetime | None = None
) -> IntroductionView:
    """Record one side's yes; when both said yes, the introduction is drafted and counted."""
    intro, a, b = _load(session, workspace_id, intro_id)
    if intro.status in ("made", "declined"):
        raise Conflict(f"introduction #{intro_id} is already {intro.status}")
    if _side(session, workspace_id, intro, side) == "a":
        intro.accepted_a = True
    else:
        intro.accepted_b = True
    drafts: tuple[Draft, ...] = ()
    if intro.accepted_a and intro.accepted_b:
        intro.status = "made"
        moment = now or datetime.now(UTC)
        _count(session, workspace_id, intro, moment)
        body = _introduce(a, b, intro.reason)
        drafts = (Draft(a.id, a.full_name, body), Draft(b.id, b.full_name, body))
    session.flush()
    return _view(intro, a, b, drafts)


def decline_introduction(
    session: Session, workspace_id: int, intro_id: int, side: str
) -> IntroductionView:
    """Record one side's no: the introduction is not made and nothing is counted."""
    intro, a, b = _load(session, workspace_id, intro_id)
    if intro.status in ("made", "declined"):
        raise Conflict(f"introduction #{intro_id} is already {intro.status}")
    _side(session, workspace_id, intro, side)
    intro.status = "declined"
    session.flush()
    return _view(intro, a, b, ())


def list_introductions(
    session: Session, workspace_id: int, with_drafts: bool = False
) -> list[IntroductionView]:
    """Introductions of the workspace, newest first (with the messages still to send)."""
    intros = session.scalars(
        select(Introduction)
        .where(Introduction.workspace_id == workspace_id)
        .order_by(Introduction.created_at.desc(), Introduction.id.desc())
    ).all()
    ids = {p for i in intros for p in (i.person_a, i.person_b)}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    return [
        _view(
            i,
            people[i.person_a],
            people[i.person_b],
            _drafts(i, people[i.person_a], people[i.person_b]) if with_drafts else (),
        )
        for i in intros
    ]


def _drafts(intro: Introduction, a: Person, b: Person) -> tuple[Draft, ...]:
    """What is still to send: the question to whoever has not said yes, or the introduction."""
    if intro.status == "made":
        body = _introduce(a, b, intro.reason)
        return (Draft(a.id, a.full_name, body), Draft(b.id, b.full_name, body))
    if intro.status == "declined":
        return ()
    asks = []
    if not intro.accepted_a:
        asks.append(_ask(a, b, intro.reason))
    if not intro.accepted_b:
        asks.append(_ask(b, a, intro.reason))
    return tuple(asks)


def introduction_candidates(
    session: Session, workspace_id: int, limit: int = 20
) -> list[IntroCandidate]:
    """Pairs where one person's need (lead profile, open leads from them) matches another's offer.

    Pairs who already know each other (a tie) or were introduced before are left out, and so
    is anyone marked distrusted. Best match first; ties go to the stronger weaker tie.
    """
    if not 1 <= limit <= MAX_CANDIDATES:
        raise ServiceError(f"limit: expected between 1 and {MAX_CANDIDATES}")
    # Besides people and ties, the answer reads open leads and past introductions: their
    # small fingerprint tells the cached answers apart.
    changes = tuple(
        session.execute(
            text(
                "SELECT (SELECT count(*) FROM lead WHERE workspace_id = :ws), "
                "(SELECT max(id) FROM lead WHERE workspace_id = :ws), "
                "(SELECT sum(CASE WHEN status = 'open' THEN id ELSE 0 END) FROM lead "
                "WHERE workspace_id = :ws), "
                "(SELECT count(*) FROM introduction WHERE workspace_id = :ws), "
                "(SELECT max(id) FROM introduction WHERE workspace_id = :ws)"
            ),
            {"ws": workspace_id},
        ).one()
    )
    found = CANDIDATES.get(
        session, workspace_id, lambda: _candidates(session, workspace_id), changes
    )
    return list(found[:limit])


CANDIDATES: Final[WorkspaceCache[tuple[IntroCandidate, ...]]] = WorkspaceCache(size=16)


def _candidates(session: Session, workspace_id: int) -> tuple[IntroCandidate, ...]:
    context = match_context(session, workspace_id)
    network = context.network
    needs = _needs(session, workspace_id, context.contacts)
    strength = {
        int(pid): float(s) for pid, s in zip(network.person_ids, network.strength, strict=True)
    }
    needs.sort(key=lambda need: (-strength.get(need[0], 0.0), need[0]))
    known = _known_pairs(session, workspace_id)
    best: dict[tuple[int, int], IntroCandidate] = {}
    for person_a, need in needs[:MAX_NEEDS]:
        need_keys = set(tokenize(need))
        if not need_keys:
            continue
        for person_b, _ in search_bm25(context.index, need, PER_NEED + 1):
            offer = context.contacts[person_b]
            pair = (min(person_a, person_b), max(person_a, person_b))
            if person_b == person_a or offer.distrusted or pair in known:
                continue
            offer_keys = set(tokenize(offer.offer))
            shared = need_keys & offer_keys
            score = len(shared) / len(need_keys)
            if score < MIN_COVERAGE:
                continue
            found = IntroCandidate(
                person_a=person_a,
                name_a=context.contacts[person_a].full_name
                if person_a in context.contacts
                else network.names[network.node(person_a) - 1],
                person_b=person_b,
                name_b=offer.full_name,
                score=round(score, 4),
                strength_a=strength.get(person_a, 0.0),
                strength_b=strength.get(person_b, 0.0),
                matched=_shown(need, shared),
                reason="",
                need=need,
                offer=offer.offer,
            )
            kept = best.get(pair)
            if kept is None or _rank(found) < _rank(kept):
                best[pair] = found
    chosen = sorted(best.values(), key=_rank)[:MAX_CANDIDATES]
    return tuple(_with_reason(c, context.contacts[c.person_b]) for c in chosen)


def _rank(c: IntroCandidate) -> tuple[float, float, int, int]:
    return (-c.score, -min(c.strength_a, c.strength_b), c.person_a, c.person_b)


def _with_reason(c: IntroCandidate, offer: Contact) -> IntroCandidate:
    source = " (from their title)" if offer.derived else ""
    reason = (
        f"{c.name_a} is looking for what {c.name_b} offers: {short(offer.offer)}{source} "
        f"(matched: {', '.join(c.matched)})"
    )
    return replace(c, reason=reason)


def _needs(
    session: Session, workspace_id: int, contacts: dict[int, Contact]
) -> list[tuple[int, str]]:
    needs = [(c.person_id, c.lead_profile) for c in contacts.values() if c.lead_profile.strip()]
    rows = session.execute(
        text(
            "SELECT l.from_person_id, l.text FROM lead l JOIN person p ON p.id = l.from_person_id "
            "WHERE l.workspace_id = :ws AND l.status = 'open' AND p.is_me = :no "
            "AND p.distrusted = :no ORDER BY l.id"
        ),
        {"ws": workspace_id, "no": False},
    ).all()
    needs += [(int(pid), str(need)) for pid, need in rows]
    return [
        (pid, need) for pid, need in needs if not (pid in contacts and contacts[pid].distrusted)
    ]


def _known_pairs(session: Session, workspace_id: int) -> set[tuple[int, int]]:
    rows = session.execute(
        text(
            "SELECT person_a, person_b FROM tie WHERE workspace_id = :ws "
            "UNION SELECT person_a, person_b FROM introduction WHERE workspace_id = :ws"
        ),
        {"ws": workspace_id},
    ).all()
    return {(min(a, b), max(a, b)) for a, b in rows}


def _shown(need: str, shared: set[str], most: int = 5) -> tuple[str, ...]:
    shown: dict[str, str] = {}
    for key, word in words(need):
        if key in shared and key not in shown:
            shown[key] = word
    return tuple(shown.values())[:most]


def short(value: str, width: int = 60) -> str:
    """The text on one line, cut at a word to about `width` characters."""
    flat = " ".join(value.split()).rstrip(".;,:!")
    return flat if len(flat) <= width else flat[:width].rsplit(" ", 1)[0] + "…"


def _person(session: Session, workspace_id: int, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None or person.workspace_id != workspace_id or person.is_me:
        raise NotFound(f"person #{person_id}: not one of your contacts")
    return person


def _load(
    session: Session, workspace_id: int, intro_id: int
) -> tuple[Introduction, Person, Person]:
    intro = session.get(Introduction, intro_id)
    if intro is None or intro.workspace_id != workspace_id:
        raise NotFound(f"introduction #{intro_id}: no such introduction in this workspace")
    a = _person(session, workspace_id, intro.person_a)
    b = _person(session, workspace_id, intro.person_b)
    return intro, a, b


def _side(session: Session, workspace_id: int, intro: Introduction, side: str) -> str:
    """Which side ("a" or "b") a reply came from: A, B, or one of the two people by name."""
    named = side.strip().lower()
    if named in ("a", "b"):
        return named
    person_id = resolve_person(session, workspace_id, side)
    if person_id == intro.person_a:
        return "a"
    if person_id == intro.person_b:
        return "b"
    raise ServiceError(f"side {side!r}: expected A, B or one of the two people introduced")


def _count(session: Session, workspace_id: int, intro: Introduction, moment: datetime) -> None:
    for suffix, person_id in (("a", intro.person_a), ("b", intro.person_b)):
        session.add(
            LedgerEntry(
                workspace_id=workspace_id,
                person_id=person_id,
                direction="given",
                kind="introduction",
                occurred_at=moment,
                note=intro.reason or f"introduction #{intro.id}",
            )
        )
        session.add(
            Interaction(
                workspace_id=workspace_id,
                person_id=person_id,
                occurred_at=moment,
                kind="introduction",
                direction="outbound",
                automated=False,
                summary=intro.reason or f"introduction #{intro.id}",
                source="introduction",
                external_id=f"introduction-{intro.id}-{suffix}",
            )
        )


def _first(person: Person) -> str:
    return person.first_name or person.full_name


def _about(person: Person) -> str:
    said = person.offer.strip() or " at ".join(x for x in (person.title, person.company) if x)
    return f"{person.full_name} ({short(said, 90)})" if said else person.full_name


def _ask(to: Person, other: Person, reason: str) -> Draft:
    why = f" {reason.rstrip('.')}." if reason else ""
    body = (
        f"Hi {_first(to)}, I'd like to introduce you to {_about(other)}.{why} "
        "Would you like me to connect you? A yes or no is all I need."
    )
    return Draft(to.id, to.full_name, body)


def _introduce(a: Person, b: Person, reason: str) -> str:
    why = f" {reason.rstrip('.')}." if reason else ""
    return (
        f"Hi {_first(a)} and {_first(b)}, as promised: {_first(a)}, meet {_about(b)}; "
        f"{_first(b)}, meet {_about(a)}.{why} I'll let you take it from here."
    )


def _view(intro: Introduction, a: Person, b: Person, drafts: tuple[Draft, ...]) -> IntroductionView:
    return IntroductionView(
        id=intro.id,
        person_a=a.id,
        name_a=a.full_name,
        person_b=b.id,
        name_b=b.full_name,
        status=intro.status,
        accepted_a=intro.accepted_a,
        accepted_b=intro.accepted_b,
        reason=intro.reason,
        created_at=intro.created_at,
        drafts=drafts,
    )

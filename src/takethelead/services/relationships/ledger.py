"""The ledger: referrals, introductions and favours given and received, and the balance.

Two tables feed it. Ledger entries are what the user wrote down (`lead ledger add`, a plan
action). Referrals are followed on their own table; one that no ledger entry points at
still counts: a referral the user gave counts as given (its value once won), and one the
user received counts as received once it is won, with its value. A ledger entry linked
to a won referral takes the referral's value when it has none of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from takethelead.domain.reciprocity import (
    GIVEN,
    LEDGER_KINDS,
    LEDGER_WEIGHTS,
    RECEIVED,
    Ledger,
    balances,
    one_sided,
)
from takethelead.services.core.errors import NotFound, ServiceError
from takethelead.storage.tables import LedgerEntry, Person, Referral

KINDS: Final = tuple(k.value for k in LEDGER_KINDS)
DIRECTIONS: Final = ("given", "received")
_KIND_CODE: Final = {k: i for i, k in enumerate(KINDS)}


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One thing given or received; `source` says which table it came from."""

    person_id: int
    full_name: str
    direction: str  # given | received
    kind: str  # referral | introduction | favour
    occurred_at: datetime
    value: float | None
    note: str
    source: str  # ledger | referral


@dataclass(frozen=True, slots=True)
class Standing:
    """Give and take with one person: counts, known money value and the weighted balance."""

    person_id: int
    full_name: str
    given: int
    received: int
    value_given: float
    value_received: float
    balance: float  # weighted (referral 1, introduction 0.7, favour 0.4); > 0: you gave more


@dataclass(frozen=True, slots=True)
class PersonLedger:
    standing: Standing
    entries: tuple[LedgerLine, ...]  # newest first


@dataclass(frozen=True, slots=True)
class OneSidedLedger:
    """Relationships where one side does nearly all the giving, most lopsided first."""

    you_give: tuple[Standing, ...]
    you_take: tuple[Standing, ...]
    entries: int


def add_entry(
    session: Session,
    workspace_id: int,
    person_id: int,
    direction: str,
    kind: str,
    value: float | None = None,
    note: str = "",
    when: datetime | None = None,
) -> LedgerLine:
    """Write down something given to or received from a person."""
    if direction not in DIRECTIONS:
        raise ServiceError("direction: expected --gave or --received")
    if kind not in KINDS:
        raise ServiceError(f"kind {kind!r}: expected referral, introduction or favour")
    if value is not None and not (np.isfinite(value) and value >= 0):
        raise ServiceError("value: expected an amount of zero or more")
    moment = when or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ServiceError("when: expected a date or a time with a timezone")
    person = session.get(Person, person_id)
    if person is None or person.workspace_id != workspace_id:
        raise NotFound(f"person: no person #{person_id} in this workspace")
    if person.is_me:
        raise NotFound(f"person #{person_id}: not one of your contacts")
    entry = LedgerEntry(
        workspace_id=workspace_id,
        person_id=person_id,
        direction=direction,
        kind=kind,
        occurred_at=moment,
        value=value,
        note=note,
    )
    session.add(entry)
    session.flush()
    return LedgerLine(
        person_id, person.full_name, direction, kind, moment, value, note, source="ledger"
    )


def ledger_lines(
    session: Session, workspace_id: int, person_id: int | None = None
) -> list[LedgerLine]:
    """Every ledger line of the workspace (or of one person), oldest first."""
    entries = (
        select(
            LedgerEntry.person_id,
            Person.full_name,
            LedgerEntry.direction,
            LedgerEntry.kind,
            LedgerEntry.occurred_at,
            LedgerEntry.value,
            LedgerEntry.note,
            Referral.status,
            Referral.value,
        )
        .join(Person, Person.id == LedgerEntry.person_id)
        .outerjoin(Referral, Referral.id == LedgerEntry.referral_id)
        .where(LedgerEntry.workspace_id == workspace_id)
    )
    linked = select(LedgerEntry.referral_id).where(
        LedgerEntry.workspace_id == workspace_id, LedgerEntry.referral_id.is_not(None)
    )
    referrals = (
        select(
            Referral.person_id,
            Person.full_name,
            Referral.direction,
            Referral.status,
            Referral.created_at,
            Referral.updated_at,
            Referral.value,
            Referral.note,
        )
        .join(Person, Person.id == Referral.person_id)
        .where(Referral.workspace_id == workspace_id, Referral.id.not_in(linked))
    )
    if person_id is not None:
        entries = entries.where(LedgerEntry.person_id == person_id)
        referrals = referrals.where(Referral.person_id == person_id)
    lines = [
        LedgerLine(
            pid,
            name,
            direction,
            kind,
            at,
            value if value is not None or status != "won" else referral_value,
            note,
            "ledger",
        )
        for pid, name, direction, kind, at, value, note, status, referral_value in session.execute(
            entries
        )
        if kind in _KIND_CODE and direction in DIRECTIONS
    ]
    for pid, name, direction, status, created, updated, value, note in session.execute(referrals):
        won = status == "won"
        if direction == "given":
            kept = value if won else None
            lines.append(
                LedgerLine(pid, name, "given", "referral", created, kept, note, "referral")
            )
        elif direction == "received" and won:
            lines.append(
                LedgerLine(pid, name, "received", "referral", updated, value, note, "referral")
            )
    lines.sort(key=lambda line: (line.occurred_at, line.person_id))
    return lines


def ledger_arrays(lines: list[LedgerLine], ids: NDArray[np.int64]) -> Ledger:
    """The lines as the domain's arrays, person index into `ids` (sorted person ids)."""
    pid = np.array([line.person_id for line in lines], dtype=np.int64)
    index = np.searchsorted(ids, pid)
    known = index < len(ids)
    known[known] = ids[index[known]] == pid[known]
    return Ledger.from_arrays(
        index[known],
        np.array([line.occurred_at.timestamp() for line in lines], dtype=np.float64)[known],
        np.array([_KIND_CODE[line.kind] for line in lines], dtype=np.int8)[known],
        np.array([GIVEN if line.direction == "given" else RECEIVED for line in lines], np.int8)[
            known
        ],
        np.array([np.nan if line.value is None else line.value for line in lines], np.float64)[
            known
        ],
    )


def person_ledger(session: Session, workspace_id: int, person_id: int) -> PersonLedger:
    """One person's entries, newest first, and where the give and take stands."""
    name = session.scalar(
        select(Person.full_name).where(Person.workspace_id == workspace_id, Person.id == person_id)
    )
    if name is None:
        raise NotFound(f"person: no person #{person_id} in this workspace")
    lines = ledger_lines(session, workspace_id, person_id)
    return PersonLedger(standing=standing(person_id, name, lines), entries=tuple(reversed(lines)))


def standing(person_id: int, full_name: str, lines: list[LedgerLine]) -> Standing:
    """The balance of one person's lines."""
    mine = [line for line in lines if line.person_id == person_id]
    gave = [line for line in mine if line.direction == "given"]
    took = [line for line in mine if line.direction == "received"]

    def weight(chosen: list[LedgerLine]) -> float:
        return float(sum(LEDGER_WEIGHTS[_KIND_CODE[line.kind]] for line in chosen))

    def money(chosen: list[LedgerLine]) -> float:
        return float(sum(line.value or 0.0 for line in chosen))

    return Standing(
        person_id=person_id,
        full_name=full_name,
        given=len(gave),
        received=len(took),
        value_given=money(gave),
        value_received=money(took),
        balance=weight(gave) - weight(took),
    )


def one_sided_ledger(
    session: Session, workspace_id: int, min_entries: int = 3, share: float = 0.8
) -> OneSidedLedger:
    """Who you always give to and who always gives to you (at least min_entries lines)."""
    if min_entries < 1:
        raise ServiceError("min-entries: expected at least 1")
    lines = ledger_lines(session, workspace_id)
    names = {line.person_id: line.full_name for line in lines}
    ids = np.array(sorted(names), dtype=np.int64)
    balance = balances(ledger_arrays(lines, ids), len(ids))
    sides = one_sided(balance, min_entries=min_entries, share=share)

    def view(index: int) -> Standing:
        return Standing(
            person_id=int(ids[index]),
            full_name=names[int(ids[index])],
            given=int(balance.given_count[index]),
            received=int(balance.received_count[index]),
            value_given=float(balance.value_given[index]),
            value_received=float(balance.value_received[index]),
            balance=float(balance.balance[index]),
        )

    return OneSidedLedger(
        you_give=tuple(view(int(i)) for i in sides.you_give),
        you_take=tuple(view(int(i)) for i in sides.you_take),
        entries=len(lines),
    )

"""The ledger's give-and-take: balance per person and the one-sided relationships."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from takethelead.domain.records import Direction, InteractionKind

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

LEDGER_KINDS: tuple[InteractionKind, ...] = (
    InteractionKind.REFERRAL,
    InteractionKind.INTRODUCTION,
    InteractionKind.FAVOUR,
)
# A referral can be paid work; an introduction opens a door; a favour is smaller.
LEDGER_WEIGHTS: FloatArray = np.array([1.0, 0.7, 0.4])
GIVEN, RECEIVED = 1, 0  # the strength module's OUTBOUND / INBOUND codes, seen from the user


def ledger_kind_codes(kinds: list[InteractionKind]) -> NDArray[np.int8]:
    """Encode ledger kinds as codes (0 referral, 1 introduction, 2 favour)."""
    index = {k: i for i, k in enumerate(LEDGER_KINDS)}
    return np.array([index[k] for k in kinds], dtype=np.int8)


def ledger_direction_codes(directions: list[Direction]) -> NDArray[np.int8]:
    """Encode who gave: OUTBOUND (the user gave) is 1, INBOUND (the user received) is 0."""
    index = {Direction.INBOUND: RECEIVED, Direction.OUTBOUND: GIVEN}
    return np.array([index[d] for d in directions], dtype=np.int8)


@dataclass(frozen=True)
class Ledger:
    """Ledger entries as parallel arrays; value is NaN when unknown."""

    person: IntArray
    ts: FloatArray
    kind: NDArray[np.int8]
    given: NDArray[np.bool_]  # True: the user gave; False: the user received
    value: FloatArray

    @classmethod
    def from_arrays(
        cls,
        person: ArrayLike,
        ts: ArrayLike,
        kind: ArrayLike,
        direction: ArrayLike,
        value: ArrayLike | None = None,
    ) -> Ledger:
        """Build from array-likes; direction uses ledger_direction_codes."""
        p = np.asarray(person, dtype=np.int64)
        t = np.asarray(ts, dtype=np.float64)
        k = np.asarray(kind, dtype=np.int8)
        d = np.asarray(direction, dtype=np.int8)
        v = np.full(len(p), np.nan) if value is None else np.asarray(value, dtype=np.float64)
        if not len(p) == len(t) == len(k) == len(d) == len(v):
            raise ValueError("person, ts, kind, direction and value must have equal lengths")
        if len(k) and (k.min() < 0 or k.max() >= len(LEDGER_KINDS)):
            raise ValueError("ledger kind codes are 0 referral, 1 introduction, 2 favour")
        if len(d) and not np.isin(d, (GIVEN, RECEIVED)).all():
            raise ValueError("ledger direction codes are 1 given, 0 received")
        return cls(p, t, k, d == GIVEN, v)

    def __len__(self) -> int:
        return len(self.person)

    def upto(self, now: float) -> Ledger:
        """Entries at or before an instant."""
        m = self.ts <= now
        return Ledger(self.person[m], self.ts[m], self.kind[m], self.given[m], self.value[m])


@dataclass(frozen=True)
class Balance:
    """Per person: weighted give and take, counts, and known money value each way."""

    given: FloatArray
    received: FloatArray
    given_count: IntArray
    received_count: IntArray
    value_given: FloatArray
    value_received: FloatArray

    @property
    def balance(self) -> FloatArray:
        """Positive: the user has given more than received."""
        return self.given - self.received


def balances(ledger: Ledger, n_people: int) -> Balance:
    """Give-and-take per person from the ledger."""
    if len(ledger) and int(ledger.person.max()) >= n_people:
        raise ValueError("ledger person index beyond n_people")
    w = LEDGER_WEIGHTS[ledger.kind]
    value = np.nan_to_num(ledger.value)
    g, r = ledger.given, ~ledger.given
    p = ledger.person

    def per_person(mask: NDArray[np.bool_], amount: FloatArray | None) -> FloatArray:
        weights = None if amount is None else amount[mask]
        return np.bincount(p[mask], weights, minlength=n_people).astype(np.float64)

    return Balance(
        given=per_person(g, w),
        received=per_person(r, w),
        given_count=per_person(g, None).astype(np.int64),
        received_count=per_person(r, None).astype(np.int64),
        value_given=per_person(g, value),
        value_received=per_person(r, value),
    )


@dataclass(frozen=True)
class OneSided:
    """Relationships where one side does (nearly) all the giving."""

    you_give: IntArray  # you always give, they never return the favour
    you_take: IntArray  # they always give, you have not given back


def one_sided(balance: Balance, min_entries: int = 3, share: float = 0.8) -> OneSided:
    """People with at least min_entries ledger entries and one side's share >= `share`."""
    total = balance.given + balance.received
    entries = balance.given_count + balance.received_count
    enough = (entries >= min_entries) & (total > 0)
    given_share = np.divide(balance.given, total, out=np.zeros_like(total), where=total > 0)
    gives, takes = enough & (given_share >= share), enough & (given_share <= 1 - share)
    # Most lopsided first: the largest absolute balance.
    lop = np.abs(balance.balance)
    you_give, you_take = np.flatnonzero(gives), np.flatnonzero(takes)
    return OneSided(
        you_give[np.lexsort((you_give, -lop[you_give]))],
        you_take[np.lexsort((you_take, -lop[you_take]))],
    )

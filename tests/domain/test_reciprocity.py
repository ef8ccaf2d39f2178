"""The ledger's balance per person and the one-sided relationships, both ways."""

from __future__ import annotations

import numpy as np
import pytest

from takethelead.domain.reciprocity import (
    GIVEN,
    RECEIVED,
    Ledger,
    balances,
    ledger_direction_codes,
    ledger_kind_codes,
    one_sided,
)
from takethelead.domain.records import Direction, InteractionKind

REF, INTRO, FAVOUR = ledger_kind_codes(
    [InteractionKind.REFERRAL, InteractionKind.INTRODUCTION, InteractionKind.FAVOUR]
)


def ledger(rows: list[tuple[int, int, int, float]]) -> Ledger:
    return Ledger.from_arrays(
        person=[r[0] for r in rows],
        ts=np.arange(len(rows), dtype=float),
        kind=[r[1] for r in rows],
        direction=[r[2] for r in rows],
        value=[r[3] for r in rows],
    )


def test_balance_weighs_referrals_above_favours_and_sums_known_values() -> None:
    entries = ledger(
        [
            (0, REF, GIVEN, 1200.0),
            (0, FAVOUR, RECEIVED, np.nan),
            (1, INTRO, RECEIVED, np.nan),
        ]
    )
    b = balances(entries, 3)
    assert b.balance.tolist() == pytest.approx([0.6, -0.7, 0.0])
    assert b.value_given.tolist() == [1200.0, 0.0, 0.0]
    assert b.given_count.tolist() == [1, 0, 0]
    assert b.received_count.tolist() == [1, 1, 0]


def test_one_sided_relationships_are_found_both_ways() -> None:
    rows = [(0, REF, GIVEN, np.nan)] * 4  # you always give to 0
    rows += [(1, INTRO, RECEIVED, np.nan)] * 3  # you always take from 1
    rows += [(2, REF, GIVEN, np.nan), (2, REF, RECEIVED, np.nan), (2, FAVOUR, GIVEN, np.nan)]
    rows += [(3, REF, GIVEN, np.nan)] * 2  # too few entries to judge
    lopsided = one_sided(balances(ledger(rows), 4))
    assert lopsided.you_give.tolist() == [0]
    assert lopsided.you_take.tolist() == [1]


def test_directions_are_seen_from_the_user() -> None:
    codes = ledger_direction_codes([Direction.OUTBOUND, Direction.INBOUND])
    assert codes.tolist() == [GIVEN, RECEIVED]


def test_bad_ledger_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="ledger kind"):
        Ledger.from_arrays([0], [0.0], [5], [GIVEN])
    with pytest.raises(ValueError, match="direction"):
        Ledger.from_arrays([0], [0.0], [REF], [2])

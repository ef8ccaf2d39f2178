"""The network strength report, now and month by month."""

from __future__ import annotations

import math

from takethelead.domain.network_report import network_report
from takethelead.domain.reciprocity import GIVEN, RECEIVED, Ledger
from takethelead.domain.records import InteractionKind
from takethelead.domain.strength import DAY, KINDS, MUTUAL, OUTBOUND, Touches

NOW = 1_700_000_000.0
MEETING, MESSAGE = KINDS.index(InteractionKind.MEETING), KINDS.index(InteractionKind.MESSAGE)


def test_monthly_snapshots_follow_ties_reach_structure_and_referrals() -> None:
    # Person 0: weekly meetings for a year. Person 1: messages until 60 days ago.
    # Person 2: one message last week. Person 3: never touched, known to person 0.
    rows = [(0, d, MEETING, MUTUAL) for d in range(0, 365, 7)]
    rows += [(1, d, MESSAGE, OUTBOUND) for d in range(60, 200, 10)]
    rows += [(2, 7, MESSAGE, OUTBOUND)]
    touches = Touches.from_arrays(
        person=[r[0] for r in rows],
        ts=[NOW - r[1] * DAY for r in rows],
        kind=[r[2] for r in rows],
        direction=[r[3] for r in rows],
    )
    ledger = Ledger.from_arrays(
        person=[0, 0, 1],
        ts=[NOW - 10 * DAY, NOW - 40 * DAY, NOW - 5 * DAY],
        kind=[0, 0, 2],
        direction=[GIVEN, RECEIVED, GIVEN],
    )
    months = [NOW - 60 * DAY, NOW - 30 * DAY, NOW]
    before, middle, now = network_report(
        touches, 4, months, contact_src=[0, 0], contact_dst=[3, 1], ledger=ledger
    )
    assert now.live_ties == 3
    assert now.strong_ties == 1
    assert now.active_ties == 3
    assert now.layer_fill == (3, 0, 0, 0)
    assert now.two_hop_reach == 4  # 0, 1, 2 directly and 3 through 0
    # Ties: me-0, me-1, me-2 and 0-1 (0-3 is outside the ego network): 3 - 2*1/3.
    assert now.effective_size == 3 - 2 / 3
    assert now.referrals_out == 1 and now.referrals_in == 0
    assert middle.referrals_in == 1 and middle.referrals_out == 0
    assert now.reciprocity_balance == 0.4  # referral given and received, favour given
    assert before.live_ties == 2 and before.two_hop_reach == 3
    assert not math.isnan(before.constraint)


def test_a_network_with_no_live_ties_has_undefined_structure() -> None:
    empty = Touches.from_arrays([], [], [], [])
    (snapshot,) = network_report(empty, 2, [NOW])
    assert snapshot.live_ties == 0 and snapshot.two_hop_reach == 0
    assert math.isnan(snapshot.effective_size) and math.isnan(snapshot.constraint)

"""How strong the whole network is, now and month by month."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from takethelead.domain.egonet import ego_adjacency, structural_holes, two_hop_reach
from takethelead.domain.layers import LIVE_FLOOR, assign_layers, layer_fill
from takethelead.domain.reciprocity import LEDGER_KINDS, Ledger, balances
from takethelead.domain.records import InteractionKind
from takethelead.domain.strength import (
    DAY,
    DEFAULT_WEIGHTS,
    STRONG_FLOOR,
    Touches,
    Weights,
    tables_at,
)

ACTIVE_DAYS = 90.0  # a personal touch within a quarter keeps a tie active
FIRST_PERIOD_DAYS = 30.0  # referrals counted for the first instant, which has no predecessor
REFERRAL = LEDGER_KINDS.index(InteractionKind.REFERRAL)


@dataclass(frozen=True)
class NetworkSnapshot:
    """The network's strength at one instant."""

    at: float
    live_ties: int  # strength above the dormant floor
    strong_ties: int  # "close" or "inner circle"
    active_ties: int  # personal contact within ACTIVE_DAYS
    layer_fill: tuple[int, ...]  # people per Dunbar layer, innermost first
    two_hop_reach: int  # people reachable through live ties and their known contacts
    effective_size: float  # Burt, on the unweighted ego network of live ties; NaN if none
    constraint: float  # Burt; NaN if no live ties
    reciprocity_balance: float  # weighted given minus received, all time up to `at`
    referrals_out: int  # referrals the user gave during the period ending at `at`
    referrals_in: int  # referrals the user received during the period


def network_report(
    touches: Touches,
    n_people: int,
    instants: ArrayLike,
    contact_src: ArrayLike = (),
    contact_dst: ArrayLike = (),
    ledger: Ledger | None = None,
    ratings: ArrayLike | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[NetworkSnapshot]:
    """One snapshot per instant (ascending, e.g. month ends); edges are contact-to-contact."""
    when = np.asarray(instants, dtype=np.float64)
    if np.any(np.diff(when) < 0):
        raise ValueError("instants must be in ascending order")
    src = np.asarray(contact_src, dtype=np.int64)
    dst = np.asarray(contact_dst, dtype=np.int64)
    me = n_people  # the user is the extra node after every person
    entries = ledger if ledger is not None else Ledger.from_arrays([], [], [], [])
    referral_ts = np.sort(entries.ts[entries.kind == REFERRAL])
    referral_given = entries.given[entries.kind == REFERRAL][
        np.argsort(entries.ts[entries.kind == REFERRAL], kind="stable")
    ]
    snapshots = []
    for i, table in enumerate(tables_at(touches, when, n_people, ratings, weights)):
        now = float(when[i])
        live = table.score >= LIVE_FLOOR
        ego = ego_adjacency(live, src, dst, n_people)
        effective, constraint = structural_holes(ego, [me])
        start = when[i - 1] if i else now - FIRST_PERIOD_DAYS * DAY
        lo, hi = np.searchsorted(referral_ts, [start, now], side="right")
        period_given = referral_given[lo:hi]
        balance = balances(entries.upto(now), n_people).balance
        snapshots.append(
            NetworkSnapshot(
                at=now,
                live_ties=int(live.sum()),
                strong_ties=int(np.count_nonzero(table.score >= STRONG_FLOOR)),
                active_ties=int(np.count_nonzero(table.last_contact > now - ACTIVE_DAYS * DAY)),
                layer_fill=layer_fill(assign_layers(table.score)),
                two_hop_reach=int(two_hop_reach(ego, [me])[0]),
                effective_size=float(effective[0]),
                constraint=float(constraint[0]),
                reciprocity_balance=float(balance.sum()),
                referrals_out=int(period_given.sum()),
                referrals_in=int(len(period_given) - period_given.sum()),
            )
        )
    return snapshots

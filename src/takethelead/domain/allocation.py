"""Splitting the week's network minutes by Thompson sampling, with an exploration floor.

Every block of minutes is one Thompson decision: draw a responses-per-hour rate from each
network's posterior and give the block to the highest draw. The share a network gets is then
the probability that it is the best one, so certain winners get most of the time and
uncertain ones keep a little. Networks with too little recent evidence first get a floor of
a couple of short visits ("post a response or two; if you get responses, spend more time").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from takethelead.domain.usefulness import (
    EXPLORATION_VISIT_MINUTES,
    EXPLORATION_VISITS,
    MIN_EVIDENCE_HOURS,
    RatePosterior,
)

BLOCK_MINUTES_CHOICES = (5, 10)


@dataclass(frozen=True, slots=True)
class NetworkShare:
    """The minutes one network gets this week."""

    network_id: int
    minutes: int
    exploring: bool  # it got the exploration floor because its evidence is thin


@dataclass(frozen=True, slots=True)
class Allocation:
    """The week's network minutes, one share per network in ascending id order."""

    shares: tuple[NetworkShare, ...]
    unallocated: int  # minutes left over because they do not fill a whole block

    def minutes_of(self, network_id: int) -> int:
        """Minutes given to one network (0 when it is unknown)."""
        return next((s.minutes for s in self.shares if s.network_id == network_id), 0)

    @property
    def total(self) -> int:
        """Minutes given out."""
        return sum(s.minutes for s in self.shares)


def allocate_minutes(
    posteriors: Mapping[int, RatePosterior],
    total_minutes: int,
    rng: np.random.Generator,
    *,
    block_minutes: int = 10,
    floor_visits: int = EXPLORATION_VISITS,
    visit_minutes: int = EXPLORATION_VISIT_MINUTES,
    min_evidence_hours: float = MIN_EVIDENCE_HOURS,
) -> Allocation:
    """Split `total_minutes` between networks; the same seed gives the same split."""
    if block_minutes not in BLOCK_MINUTES_CHOICES:
        raise ValueError(f"blocks are 5 or 10 minutes, got {block_minutes}")
    if total_minutes < 0:
        raise ValueError(f"minutes cannot be negative, got {total_minutes}")
    # Sorting by id makes the result independent of the mapping's order.
    ids = sorted(posteriors)
    if not ids:
        return Allocation(shares=(), unallocated=total_minutes)
    minutes = dict.fromkeys(ids, 0)
    exploring: set[int] = set()
    remaining = total_minutes

    # Thinnest evidence first, so a short week still tries the least-known network.
    thin = sorted(
        (i for i in ids if not posteriors[i].has_evidence(min_evidence_hours)),
        key=lambda i: (posteriors[i].hours, i),
    )
    for network in thin:
        visits = min(floor_visits, remaining // visit_minutes)
        if visits <= 0:
            break
        minutes[network] += visits * visit_minutes
        remaining -= visits * visit_minutes
        exploring.add(network)

    blocks = remaining // block_minutes
    if blocks > 0:
        shape = np.array([posteriors[i].shape for i in ids])[:, None]
        scale = 1.0 / np.array([posteriors[i].rate for i in ids])[:, None]
        draws = rng.gamma(shape, scale, size=(len(ids), blocks))
        # argmax takes the first of equal draws, i.e. the lowest id: ties break stably.
        wins = np.bincount(np.argmax(draws, axis=0), minlength=len(ids))
        for network, won in zip(ids, wins.tolist(), strict=True):
            minutes[network] += won * block_minutes
        remaining -= blocks * block_minutes

    shares = tuple(NetworkShare(i, minutes[i], i in exploring) for i in ids)
    return Allocation(shares=shares, unallocated=remaining)

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from takethelead.domain.allocation import allocate_minutes
from takethelead.domain.usefulness import RatePosterior, TimeEntry, network_posterior


def _posterior(hours: float, responses: float) -> RatePosterior:
    return network_posterior([TimeEntry(0, hours * 60, responses)], current_week=0)


posteriors_strategy = st.dictionaries(
    st.integers(0, 50),
    st.builds(_posterior, st.floats(0, 20), st.floats(0, 100)),
    min_size=1,
    max_size=8,
)


def test_a_clearly_better_network_gets_most_of_the_minutes() -> None:
    posteriors = {1: _posterior(10, 80), 2: _posterior(10, 10)}
    allocation = allocate_minutes(posteriors, 60, np.random.default_rng(1))
    assert allocation.minutes_of(1) == 60
    assert allocation.minutes_of(2) == 0
    assert allocation.unallocated == 0


def test_an_under_evidenced_network_gets_two_ten_minute_visits_first() -> None:
    posteriors = {1: _posterior(10, 80), 7: network_posterior([], current_week=0)}
    allocation = allocate_minutes(posteriors, 60, np.random.default_rng(1))
    share = next(s for s in allocation.shares if s.network_id == 7)
    assert share.exploring
    assert share.minutes >= 20
    assert allocation.total == 60


def test_a_short_week_explores_the_least_known_network_first() -> None:
    posteriors = {
        1: network_posterior([TimeEntry(0, 10, 1)], current_week=0),
        2: network_posterior([], current_week=0),
    }
    allocation = allocate_minutes(posteriors, 20, np.random.default_rng(0))
    assert allocation.minutes_of(2) == 20
    assert allocation.minutes_of(1) == 0


def test_minutes_that_do_not_fill_a_block_are_left_unallocated() -> None:
    allocation = allocate_minutes(
        {1: _posterior(5, 20)}, 47, np.random.default_rng(0), block_minutes=5
    )
    assert allocation.total == 45
    assert allocation.unallocated == 2


def test_blocks_other_than_five_or_ten_minutes_are_refused() -> None:
    with pytest.raises(ValueError, match="5 or 10"):
        allocate_minutes({1: _posterior(1, 1)}, 60, np.random.default_rng(0), block_minutes=15)


def test_no_networks_leaves_every_minute_unallocated() -> None:
    allocation = allocate_minutes({}, 60, np.random.default_rng(0))
    assert allocation.shares == ()
    assert allocation.unallocated == 60


@given(posteriors=posteriors_strategy, total=st.integers(0, 240), block=st.sampled_from([5, 10]))
def test_allocation_never_exceeds_the_minutes_and_uses_whole_blocks(
    posteriors: dict[int, RatePosterior], total: int, block: int
) -> None:
    allocation = allocate_minutes(posteriors, total, np.random.default_rng(3), block_minutes=block)
    assert allocation.total + allocation.unallocated == total
    assert allocation.unallocated >= 0
    assert all(s.minutes % 5 == 0 and s.minutes >= 0 for s in allocation.shares)
    assert [s.network_id for s in allocation.shares] == sorted(posteriors)


@given(posteriors=posteriors_strategy, total=st.integers(0, 240), seed=st.integers(0, 2**32))
def test_allocation_is_deterministic_for_a_seed_whatever_the_mapping_order(
    posteriors: dict[int, RatePosterior], total: int, seed: int
) -> None:
    reversed_order = dict(reversed(list(posteriors.items())))
    first = allocate_minutes(posteriors, total, np.random.default_rng(seed))
    second = allocate_minutes(reversed_order, total, np.random.default_rng(seed))
    assert first == second


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32), quiet_after=st.integers(2, 5))
def test_a_network_that_stops_answering_loses_minutes_to_one_that_answers(
    seed: int, quiet_after: int
) -> None:
    rng = np.random.default_rng(seed)
    history: dict[int, list[TimeEntry]] = {1: [], 2: []}
    rates = {1: 8.0, 2: 4.0}  # responses an hour; network 1 falls silent later
    # Responses are their expectation, so only Thompson sampling is random here.
    minutes_of_1 = []
    for week in range(16):
        if week == quiet_after:
            rates[1] = 0.0
        posteriors = {n: network_posterior(history[n], current_week=week) for n in history}
        allocation = allocate_minutes(posteriors, 60, rng)
        minutes_of_1.append(allocation.minutes_of(1))
        for n in history:
            spent = allocation.minutes_of(n)
            history[n].append(TimeEntry(week, spent, rates[n] * spent / 60))
    assert sum(minutes_of_1[-4:]) < sum(minutes_of_1[quiet_after - 2 : quiet_after])
    assert sum(minutes_of_1[-4:]) < 4 * 60 / 2  # the one that answers now gets most

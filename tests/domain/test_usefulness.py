from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from takethelead.domain.usefulness import (
    OUTCOME_WEIGHTS,
    GammaPrior,
    Outcome,
    OutcomeEvent,
    TimeEntry,
    attribute_responses,
    evidence_sentence,
    network_posterior,
    rate_posterior,
    week_index,
)

DAY = 86_400.0


def test_outcome_weights_rank_referrals_over_meetings_over_conversations_over_responses() -> None:
    weights = [OUTCOME_WEIGHTS[k] for k in Outcome]
    assert weights == [1.0, 2.0, 5.0, 10.0]


def test_the_prior_alone_is_weak_and_shows_as_too_little_evidence() -> None:
    posterior = network_posterior([], current_week=10)
    assert posterior.hours == 0
    assert not posterior.has_evidence()
    low, high = posterior.interval()
    assert high / max(low, 1e-9) > 100
    assert evidence_sentence("Facebook group", posterior) == (
        "Facebook group: too little evidence — try two 10-minute visits"
    )


def test_six_hours_of_answers_reads_as_rate_interval_and_hours() -> None:
    entries = [TimeEntry(week=10, minutes=60, responses=5) for _ in range(6)]
    posterior = network_posterior(entries, current_week=10)
    low, high = posterior.interval()
    assert low < posterior.mean < high
    sentence = evidence_sentence("Mastodon", posterior)
    assert (
        sentence
        == f"Mastodon: {posterior.mean:.1f} responses an hour ({low:.1f}–{high:.1f}) over 6 h"
    )
    assert posterior.mean == pytest.approx((0.5 + 30) / (0.25 + 6))


def test_short_evidence_is_told_in_minutes() -> None:
    posterior = network_posterior([TimeEntry(week=3, minutes=40, responses=2)], current_week=3)
    assert evidence_sentence("Bluesky", posterior).endswith("over 40 min")


def test_meetings_and_referrals_count_as_several_responses() -> None:
    entries = [TimeEntry(week=1, minutes=60, responses=1)]
    plain = network_posterior(entries, current_week=1)
    richer = network_posterior(
        entries,
        current_week=1,
        outcomes=[OutcomeEvent(1, Outcome.MEETING), OutcomeEvent(1, Outcome.REFERRAL)],
    )
    assert richer.outcomes == plain.outcomes + 15


def test_old_weeks_are_discounted_on_both_time_and_responses() -> None:
    posterior = rate_posterior([0], [60], [0], [4], current_week=2, discount=0.9)
    assert posterior.hours == pytest.approx(0.81)
    assert posterior.outcomes == pytest.approx(4 * 0.81)


def test_a_network_that_stopped_answering_drifts_down_week_by_week() -> None:
    early = [TimeEntry(week=w, minutes=60, responses=6) for w in range(4)]
    late = [TimeEntry(week=w, minutes=60, responses=0) for w in range(4, 8)]
    before = network_posterior(early, current_week=3)
    after = network_posterior(early + late, current_week=7)
    undiscounted = network_posterior(early + late, current_week=7, discount=1.0)
    assert after.mean < undiscounted.mean < before.mean


def test_week_index_runs_monday_to_sunday() -> None:
    monday = week_index(datetime(2024, 6, 3, 0, 0, tzinfo=UTC))
    sunday = week_index(datetime(2024, 6, 9, 23, 59, tzinfo=UTC))
    next_monday = week_index(datetime(2024, 6, 10, tzinfo=UTC))
    assert monday == sunday == next_monday - 1


def test_bad_evidence_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        rate_posterior([0], [-5], [], [], current_week=0)
    with pytest.raises(ValueError, match="discount"):
        rate_posterior([], [], [], [], current_week=0, discount=0.0)
    with pytest.raises(ValueError, match="positive"):
        GammaPrior(shape=0)


@given(
    weeks=st.lists(st.integers(0, 20), min_size=1, max_size=8),
    responses=st.floats(0.5, 50),
    week=st.integers(0, 20),
    minutes=st.floats(0, 120),
)
def test_adding_evidence_of_responses_raises_the_posterior_mean(
    weeks: list[int], responses: float, week: int, minutes: float
) -> None:
    entries = [TimeEntry(week=w, minutes=30, responses=1) for w in weeks]
    base = network_posterior(entries, current_week=20)
    more = network_posterior([*entries, TimeEntry(week, 0, responses)], current_week=20)
    assert more.mean > base.mean
    # Time that brings no responses can only lower it.
    quiet = network_posterior([*entries, TimeEntry(week, minutes + 1, 0)], current_week=20)
    assert quiet.mean < base.mean


def test_inbound_interactions_answer_the_latest_entry_within_three_days() -> None:
    attribution = attribute_responses(
        entry_networks=[1, 1, 2],
        entry_times=[0.0, 5 * DAY, 0.0],
        entry_explicit=[False, False, False],
        inbound_networks=[1, 1, 1, 2, 1],
        inbound_times=[1 * DAY, 5.5 * DAY, 8 * DAY, 2 * DAY, 4 * DAY],
    )
    assert attribution.entry_of_inbound.tolist() == [0, 1, 1, 2, -1]
    assert attribution.responses.tolist() == [1, 2, 1]


def test_an_entry_with_explicit_responses_absorbs_its_window_without_double_counting() -> None:
    attribution = attribute_responses(
        entry_networks=[1, 1],
        entry_times=[0.0, 1 * DAY],
        entry_explicit=[False, True],
        inbound_networks=[1, 1],
        inbound_times=[0.5 * DAY, 2 * DAY],
    )
    assert attribution.entry_of_inbound.tolist() == [0, -1]
    assert attribution.responses.tolist() == [1, 0]


def test_inbound_on_another_network_or_before_any_entry_is_not_attributed() -> None:
    attribution = attribute_responses([1], [10 * DAY], [False], [2, 1], [11 * DAY, 9 * DAY])
    assert attribution.entry_of_inbound.tolist() == [-1, -1]
    assert attribution.responses.tolist() == [0]


@given(
    entries=st.lists(
        st.tuples(st.integers(0, 3), st.floats(0, 30), st.booleans()), min_size=0, max_size=20
    ),
    inbound=st.lists(st.tuples(st.integers(0, 3), st.floats(0, 40)), min_size=0, max_size=40),
    window=st.floats(0.5, 7),
)
def test_each_inbound_interaction_is_attributed_at_most_once_to_the_latest_eligible_entry(
    entries: list[tuple[int, float, bool]], inbound: list[tuple[int, float]], window: float
) -> None:
    e_net = np.array([e[0] for e in entries], dtype=np.int64)
    e_time = np.array([e[1] * DAY for e in entries])
    explicit = np.array([e[2] for e in entries], dtype=bool)
    i_net = np.array([i[0] for i in inbound], dtype=np.int64)
    i_time = np.array([i[1] * DAY for i in inbound])
    result = attribute_responses(e_net, e_time, explicit, i_net, i_time, window_days=window)
    assert result.responses.sum() == (result.entry_of_inbound >= 0).sum()
    for k, owner in enumerate(result.entry_of_inbound.tolist()):
        before = [j for j in range(len(entries)) if e_net[j] == i_net[k] and e_time[j] <= i_time[k]]
        if not before:
            assert owner == -1
            continue
        latest = max(e_time[j] for j in before)
        if owner >= 0:
            assert e_net[owner] == i_net[k] and not explicit[owner]
            assert e_time[owner] == latest
            assert i_time[k] - e_time[owner] <= window * DAY
        else:
            ties = [j for j in before if e_time[j] == latest]
            assert i_time[k] - latest > window * DAY or explicit[max(ties)]

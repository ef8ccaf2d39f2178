"""Tie strength: scores, labels, explanations, history, and the properties it must keep."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from takethelead.domain.records import Direction, InteractionKind
from takethelead.domain.strength import (
    DAY,
    INBOUND,
    KINDS,
    LABELS,
    MUTUAL,
    OUTBOUND,
    Touches,
    Weights,
    direction_codes,
    explain,
    kind_codes,
    label_codes,
    score_all,
    strength_at,
    tables_at,
)

NOW = 1_700_000_000.0
MEETING, MESSAGE, REACTION = (
    KINDS.index(InteractionKind.MEETING),
    KINDS.index(InteractionKind.MESSAGE),
    KINDS.index(InteractionKind.REACTION),
)
FITTED = Weights(3.0, 2.0, 1.0, 0.5, cutpoints=(-1.0, 0.5, 2.0, 3.5))

Touch = tuple[int, float, int, int, bool]
touch = st.tuples(
    st.integers(0, 2),
    st.floats(0, 800),  # days before NOW
    st.integers(0, len(KINDS) - 1),
    st.integers(0, 2),
    st.booleans(),
)
histories = st.lists(touch, max_size=25)
weight_sets = st.sampled_from([Weights(), FITTED])
ratings_or_none = st.one_of(
    st.none(), st.lists(st.sampled_from([np.nan, 1, 3, 5]), min_size=3, max_size=3)
)


def touches_of(rows: Sequence[Touch]) -> Touches:
    return Touches.from_arrays(
        person=[r[0] for r in rows],
        ts=[NOW - r[1] * DAY for r in rows],
        kind=[r[2] for r in rows],
        direction=[r[3] for r in rows],
        automated=[r[4] for r in rows],
    )


def scores(rows: Sequence[Touch], now: float = NOW, **kwargs: object) -> np.ndarray:
    return score_all(touches_of(rows), now, 3, **kwargs).score  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(histories, touch, weight_sets, ratings_or_none)
def test_more_interaction_never_lowers_strength(
    history: list[Touch], extra: Touch, weights: Weights, ratings: list[float] | None
) -> None:
    before = scores(history, weights=weights, ratings=ratings)
    after = scores([*history, extra], weights=weights, ratings=ratings)
    assert (after >= before - 1e-12).all()


@settings(max_examples=150, deadline=None)
@given(histories, st.floats(0, 1000), weight_sets)
def test_time_passing_without_contact_never_raises_strength(
    history: list[Touch], days_later: float, weights: Weights
) -> None:
    later = scores(history, NOW + days_later * DAY, weights=weights)
    assert (later <= scores(history, weights=weights) + 1e-12).all()


@settings(max_examples=150, deadline=None)
@given(histories, touch, weight_sets)
def test_a_reciprocated_touch_counts_at_least_as_much_as_a_one_sided_one(
    history: list[Touch], extra: Touch, weights: Weights
) -> None:
    mutual = (extra[0], extra[1], extra[2], MUTUAL, extra[4])
    for one_way in (INBOUND, OUTBOUND):
        one_sided = (extra[0], extra[1], extra[2], one_way, extra[4])
        with_mutual = scores([*history, mutual], weights=weights)
        assert (with_mutual >= scores([*history, one_sided], weights=weights) - 1e-12).all()


@settings(max_examples=150, deadline=None)
@given(histories, touch, weight_sets)
def test_an_automated_touch_counts_less_than_a_personal_one(
    history: list[Touch], extra: Touch, weights: Weights
) -> None:
    automated = (extra[0], extra[1], MESSAGE, extra[3], True)
    personal = (extra[0], extra[1], MESSAGE, extra[3], False)
    auto_scores = scores([*history, automated], weights=weights)
    assert (auto_scores <= scores([*history, personal], weights=weights) + 1e-12).all()
    # On a blank slate the difference is strict.
    assert (
        scores([automated], weights=weights)[extra[0]]
        < scores([personal], weights=weights)[extra[0]]
    )


def test_scores_stay_within_zero_and_one_and_nobody_touched_is_dormant() -> None:
    rows = [(0, d, MEETING, MUTUAL, False) for d in range(0, 400, 7)]
    table = score_all(touches_of(rows), NOW, 3, ratings=[5, np.nan, 1])
    assert ((table.score >= 0) & (table.score <= 1)).all()
    assert table.score[1] == 0.0
    assert table.labels()[1] == "dormant"
    assert table.labels()[0] == "inner circle"


def test_a_closeness_rating_moves_the_score_towards_it() -> None:
    rows = [(0, 30.0, MESSAGE, OUTBOUND, False), (1, 30.0, MESSAGE, OUTBOUND, False)]
    table = score_all(touches_of(rows), NOW, 3, ratings=[5, 1, np.nan])
    plain = score_all(touches_of(rows), NOW, 3)
    assert table.score[0] > plain.score[0] > table.score[1]


def test_ratings_outside_one_to_five_are_refused() -> None:
    with pytest.raises(ValueError, match="1 to 5"):
        score_all(touches_of([]), NOW, 3, ratings=[0, np.nan, np.nan])


def test_touches_after_now_are_ignored() -> None:
    rows = [(0, 10.0, MEETING, MUTUAL, False)]
    future = [*rows, (0, -5.0, MEETING, MUTUAL, False)]
    assert scores(future) == pytest.approx(scores(rows))


def test_labels_follow_the_score_floors() -> None:
    codes = label_codes(np.array([0.95, 0.8, 0.6, 0.3, 0.06, 0.01, 0.0]))
    assert [LABELS[c] for c in codes] == [
        "inner circle",
        "inner circle",
        "close",
        "active",
        "acquaintance",
        "dormant",
        "dormant",
    ]


def test_history_in_one_sweep_equals_scoring_each_instant() -> None:
    rng = np.random.default_rng(1)
    n = 500
    touches = Touches.from_arrays(
        person=rng.integers(0, 40, n),
        ts=NOW - rng.uniform(0, 700, n) * DAY,
        kind=rng.integers(0, len(KINDS), n),
        direction=rng.integers(0, 3, n),
        automated=rng.random(n) < 0.2,
    )
    instants = [NOW, NOW - 400 * DAY, NOW - 30 * DAY, NOW - 800 * DAY]
    history = strength_at(touches, instants, 40)
    for row, instant in zip(history, instants, strict=True):
        np.testing.assert_allclose(row, score_all(touches, instant, 40).score, atol=1e-12)


def test_explanation_names_recency_touches_meetings_and_who_started() -> None:
    rows = [(0, 94.0, MESSAGE, INBOUND, False)]
    rows += [(0, 60.0 + 5 * i, MEETING, OUTBOUND, False) for i in range(3)]
    rows += [(0, 10.0 + 3 * i, MESSAGE, OUTBOUND, False) for i in range(8)]
    rows += [(0, 500.0, MESSAGE, INBOUND, False), (0, 3.0, REACTION, OUTBOUND, True)]
    touches = touches_of(rows)
    table = score_all(touches, NOW, 3)
    sentence = explain(touches, 0, table, rating=4)
    assert "last two-way contact 94 days ago; 12 touches this year, 3 of them meetings" in sentence
    assert "you started 11 of 12" in sentence
    assert "you rated them 4 of 5" in sentence
    assert "1 automated touch" in sentence
    assert sentence.startswith(f"{table.labels()[0]} ({table.score[0]:.2f}): ")


def test_explanation_without_any_exchange_says_so() -> None:
    touches = touches_of([(1, 5.0, MESSAGE, OUTBOUND, False)])
    table = score_all(touches, NOW, 3)
    assert "no two-way contact yet; last touch 5 days ago" in explain(touches, 1, table)
    assert "no personal contact yet" in explain(touches, 2, table)


def test_codes_come_from_the_record_enums() -> None:
    assert kind_codes([InteractionKind.MEETING]).tolist() == [MEETING]
    assert direction_codes([Direction.INBOUND, Direction.OUTBOUND, Direction.MUTUAL]).tolist() == [
        INBOUND,
        OUTBOUND,
        MUTUAL,
    ]


def test_bad_arrays_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="equal lengths"):
        Touches.from_arrays([0, 1], [NOW], [0], [0])
    with pytest.raises(ValueError, match="direction codes"):
        Touches.from_arrays([0], [NOW], [0], [3])
    with pytest.raises(ValueError, match="n_people"):
        score_all(touches_of([(2, 1.0, 0, 0, False)]), NOW, 2)


def test_weights_must_be_non_negative_shares() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        Weights(recency=-0.1, intensity=0.9, reciprocity=0.1, duration=0.1)
    with pytest.raises(ValueError, match="add up to 1"):
        Weights(recency=0.5, intensity=0.5, reciprocity=0.5, duration=0.5)
    with pytest.raises(ValueError, match="cutpoints"):
        Weights(1.0, 1.0, 1.0, 1.0, cutpoints=(1.0, 0.0, 2.0, 3.0))


def test_tables_come_back_in_the_order_asked() -> None:
    touches = touches_of([(0, 10.0, MEETING, MUTUAL, False)])
    late, early = tables_at(touches, [NOW, NOW - 20 * DAY], 3)
    assert late.now == NOW and early.now == NOW - 20 * DAY
    assert early.score[0] == 0.0 < late.score[0]

"""Dunbar layers, keep-in-touch cadence and the overdue list."""

from __future__ import annotations

import numpy as np
import pytest

from takethelead.domain.layers import (
    DAY,
    OUTSIDE,
    assign_layers,
    cadence_days,
    layer_fill,
    overdue,
)

NOW = 1_700_000_000.0


def test_layers_hold_5_15_50_150_people_by_strength_rank() -> None:
    score = np.linspace(1.0, 0.06, 200)
    layer = assign_layers(score)
    assert layer_fill(layer) == (5, 10, 35, 100)
    assert (layer[:5] == 0).all() and (layer[150:] == OUTSIDE).all()


def test_dormant_ties_take_no_place_in_a_layer() -> None:
    layer = assign_layers([0.5, 0.01, 0.3, 0.0])
    assert layer.tolist() == [0, OUTSIDE, 0, OUTSIDE]


def test_equal_scores_keep_person_order() -> None:
    layer = assign_layers([0.5] * 7)
    assert layer.tolist() == [0, 0, 0, 0, 0, 1, 1]


def test_cadence_comes_from_the_layer_unless_overridden() -> None:
    days = cadence_days([0, 1, 2, 3, OUTSIDE], overrides=[np.nan, 7, np.nan, np.inf, np.nan])
    assert days.tolist() == [14, 7, 90, np.inf, np.inf]
    with pytest.raises(ValueError, match="positive"):
        cadence_days([0], overrides=[0])


def test_overdue_lists_inner_layers_first_then_stronger_ties() -> None:
    last = NOW - np.array([20, 40, 100, 10, 200, np.inf]) * DAY
    layer = [0, 1, 2, 0, OUTSIDE, 3]
    score = [0.6, 0.5, 0.3, 0.7, 0.01, 0.1]
    due = overdue(last, layer, NOW, score)
    assert [d.person for d in due] == [0, 1, 2, 5]
    assert due[0].overdue_days == pytest.approx(6.0)
    assert due[-1].days_since == np.inf  # never contacted, yet in a layer


def test_an_override_can_make_someone_due_sooner() -> None:
    last = NOW - np.array([10.0]) * DAY
    assert overdue(last, [0], NOW, [0.9]) == []
    assert [d.person for d in overdue(last, [0], NOW, [0.9], overrides=[7])] == [0]

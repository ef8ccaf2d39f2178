"""Fitting strength weights to the user's closeness ratings and checking them honestly."""

from __future__ import annotations

import numpy as np
import pytest

from takethelead.domain.strength import DEFAULT_WEIGHTS, behaviour_score
from takethelead.domain.strength_fit import compare_fit, fit_weights, weights_for


def rated_people(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Ratings that follow duration and reciprocity, which the defaults barely weigh."""
    rng = np.random.default_rng(seed)
    features = rng.random((n, 4))
    latent = 4 * features[:, 3] + 2 * features[:, 2] + rng.normal(0, 0.4, n)
    ratings = np.clip(np.round(1 + latent * 4 / 6), 1, 5)
    return features, ratings


def test_fitted_weights_are_non_negative_and_learn_what_the_ratings_follow() -> None:
    features, ratings = rated_people(200)
    weights = fit_weights(features, ratings)
    assert weights.duration > weights.reciprocity > max(weights.recency, weights.intensity)
    assert min(weights.vector()) >= 0
    assert list(weights.cutpoints) == sorted(weights.cutpoints)
    score = behaviour_score(features, weights)
    assert ((score >= 0) & (score <= 1)).all()


def test_fewer_than_twenty_ratings_keep_the_default_weights() -> None:
    features, ratings = rated_people(30)
    ratings[19:] = np.nan
    assert weights_for(features, ratings) == DEFAULT_WEIGHTS
    with pytest.raises(ValueError, match="at least 20"):
        fit_weights(features, ratings)
    ratings[19] = 3
    assert weights_for(features, ratings).cutpoints


def test_cross_validation_shows_the_fit_beating_defaults_that_ignore_the_signal() -> None:
    features, ratings = rated_people(120)
    check = compare_fit(features, ratings)
    assert check.n_ratings == 120 and check.folds == 5
    assert check.fitted_accuracy > check.default_accuracy
    assert check.fitted_mae < check.default_mae


def test_ratings_must_be_whole_numbers_from_one_to_five() -> None:
    features, ratings = rated_people(25)
    ratings[0] = 3.5
    with pytest.raises(ValueError, match="whole numbers"):
        fit_weights(features, ratings)

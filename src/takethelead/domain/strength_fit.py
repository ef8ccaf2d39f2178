"""Fitting tie-strength weights to the user's own closeness ratings, and checking the fit.

The model is a proportional-odds (ordinal logistic) regression of the 1-5 rating on the
four behavioural features, with non-negative weights so that more contact can never
lower a score, and an L2 penalty so that a few dozen ratings cannot run away with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import expit

from takethelead.domain.strength import (
    DEFAULT_WEIGHTS,
    FEATURES,
    STRONG_FLOOR,
    Weights,
    behaviour_score,
)

FloatArray = NDArray[np.float64]

MIN_RATINGS = 20
STRONG_RATING = 4  # Gilbert & Karahalios' strong/weak split on a 1-5 closeness scale
STRONG_SCORE = STRONG_FLOOR  # "close" or above, about a rating of 3.5


def _rated(features: ArrayLike, ratings: ArrayLike) -> tuple[FloatArray, FloatArray]:
    f = np.asarray(features, dtype=np.float64)
    r = np.asarray(ratings, dtype=np.float64)
    if f.ndim != 2 or f.shape[1] != len(FEATURES) or len(f) != len(r):
        raise ValueError(f"features must be (n, {len(FEATURES)}) with one rating per row")
    keep = np.isfinite(r)
    r = r[keep]
    if ((r < 1) | (r > 5) | (r != np.round(r))).any():
        raise ValueError("closeness ratings are whole numbers from 1 to 5")
    return f[keep], r


def _unpack(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    k = len(FEATURES)
    return x[:k], x[k] + np.concatenate(([0.0], np.cumsum(np.exp(x[k + 1 :]))))


def _objective(x: FloatArray, f: FloatArray, r: FloatArray, l2: float) -> float:
    w, cut = _unpack(x)
    below = expit(cut[None, :] - (f @ w)[:, None])  # P(rating <= k) for k = 1..4
    cdf = np.column_stack((np.zeros(len(f)), below, np.ones(len(f))))
    level = r.astype(np.int64)
    p = cdf[np.arange(len(f)), level] - cdf[np.arange(len(f)), level - 1]
    # The small pull on the cutpoints keeps them finite when a rating level is never used.
    penalty = 0.5 * l2 * float(w @ w) + 0.005 * float(x[len(FEATURES) :] @ x[len(FEATURES) :])
    return float(-np.log(np.maximum(p, 1e-12)).sum()) + penalty


def fit_weights(features: ArrayLike, ratings: ArrayLike, l2: float = 1.0) -> Weights:
    """Ordinal-logistic weights fitted to ratings (NaN rows are unrated and skipped)."""
    f, r = _rated(features, ratings)
    if len(r) < MIN_RATINGS:
        raise ValueError(f"fitting needs at least {MIN_RATINGS} ratings, got {len(r)}")
    k = len(FEATURES)
    start = np.concatenate((np.ones(k), [-1.5], np.zeros(3)))
    bounds = [(0.0, None)] * k + [(None, None)] * 4
    result = minimize(_objective, start, args=(f, r, l2), method="L-BFGS-B", bounds=bounds)
    w, cut = _unpack(result.x)
    return Weights(
        recency=float(w[0]),
        intensity=float(w[1]),
        reciprocity=float(w[2]),
        duration=float(w[3]),
        cutpoints=tuple(float(c) for c in cut),
        rating_share=DEFAULT_WEIGHTS.rating_share,
    )


def weights_for(features: ArrayLike, ratings: ArrayLike | None) -> Weights:
    """Fitted weights once there are enough ratings, the defaults before that."""
    if ratings is None:
        return DEFAULT_WEIGHTS
    _, r = _rated(features, ratings)
    return fit_weights(features, ratings) if len(r) >= MIN_RATINGS else DEFAULT_WEIGHTS


@dataclass(frozen=True)
class FitComparison:
    """Cross-validated strong/weak accuracy and rating error, fitted against default."""

    n_ratings: int
    folds: int
    fitted_accuracy: float
    default_accuracy: float
    fitted_mae: float  # mean absolute error in rating points (1-5 scale)
    default_mae: float


def compare_fit(
    features: ArrayLike, ratings: ArrayLike, folds: int = 5, seed: int = 0
) -> FitComparison:
    """K-fold comparison of fitted weights against DEFAULT_WEIGHTS on held-out ratings."""
    f, r = _rated(features, ratings)
    if len(r) < max(MIN_RATINGS, folds):
        raise ValueError(f"comparing needs at least {max(MIN_RATINGS, folds)} ratings")
    order = np.random.default_rng(seed).permutation(len(r))
    fitted = np.empty(len(r))
    for held in np.array_split(order, folds):
        train = np.setdiff1d(order, held)
        # A small training fold may fall under MIN_RATINGS; fit anyway, it is only a check.
        weights = fit_weights(f[train], r[train]) if len(train) >= MIN_RATINGS else None
        fitted[held] = behaviour_score(f[held], weights or DEFAULT_WEIGHTS)
    default = behaviour_score(f, DEFAULT_WEIGHTS)
    strong = r >= STRONG_RATING
    return FitComparison(
        n_ratings=len(r),
        folds=folds,
        fitted_accuracy=float(np.mean((fitted >= STRONG_SCORE) == strong)),
        default_accuracy=float(np.mean((default >= STRONG_SCORE) == strong)),
        fitted_mae=float(np.mean(np.abs(1 + 4 * fitted - r))),
        default_mae=float(np.mean(np.abs(1 + 4 * default - r))),
    )

"""Fading ties: the relationships that lost the most strength over a recent window."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from takethelead.domain.strength import DAY, DEFAULT_WEIGHTS, Touches, Weights, tables_at


@dataclass(frozen=True)
class Fade:
    """A relationship whose strength dropped between two instants."""

    person: int
    before: float
    now: float

    @property
    def drop(self) -> float:
        """Strength lost over the window."""
        return self.before - self.now


def fading_ties(
    touches: Touches,
    now: float,
    n_people: int,
    *,
    window_days: float = 90.0,
    min_drop: float = 0.05,
    limit: int = 20,
    ratings: ArrayLike | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[Fade]:
    """People losing the most strength over the last window_days, biggest loss first."""
    before, after = tables_at(touches, [now - window_days * DAY, now], n_people, ratings, weights)
    drop = before.score - after.score
    who = np.flatnonzero(drop >= min_drop)
    order = np.lexsort((who, -before.score[who], -drop[who]))[:limit]
    return [Fade(int(i), float(before.score[i]), float(after.score[i])) for i in who[order]]

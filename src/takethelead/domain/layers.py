"""Dunbar layers by strength rank, keep-in-touch cadence per layer, and who is overdue."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

DAY = 86_400.0
LAYER_SIZES: tuple[int, ...] = (5, 15, 50, 150)  # cumulative, after Dunbar
LAYER_NAMES: tuple[str, ...] = ("support clique", "sympathy group", "close network", "network")
CADENCE_DAYS: tuple[float, ...] = (14.0, 30.0, 90.0, 180.0)
OUTSIDE = len(LAYER_SIZES)  # the layer code of people beyond the last layer
LIVE_FLOOR = 0.05  # below this a tie is dormant and takes no place in a layer


def assign_layers(
    score: ArrayLike, sizes: tuple[int, ...] = LAYER_SIZES, floor: float = LIVE_FLOOR
) -> IntArray:
    """Layer code (0 = innermost, OUTSIDE = none) of each person by strength rank."""
    s = np.asarray(score, dtype=np.float64)
    if any(b <= a for a, b in itertools.pairwise(sizes)):
        raise ValueError("layer sizes are cumulative and must increase")
    # Highest score first; equal scores keep person order so layers are deterministic.
    order = np.lexsort((np.arange(len(s)), -s))
    rank = np.empty(len(s), dtype=np.int64)
    rank[order] = np.arange(len(s))
    layer = np.searchsorted(np.asarray(sizes), rank, side="right").astype(np.int64)
    layer[s < floor] = len(sizes)
    return layer


def layer_fill(layer: ArrayLike, sizes: tuple[int, ...] = LAYER_SIZES) -> tuple[int, ...]:
    """How many people sit in each layer (not cumulative)."""
    counts = np.bincount(np.asarray(layer, dtype=np.int64), minlength=len(sizes) + 1)
    return tuple(int(c) for c in counts[: len(sizes)])


def cadence_days(
    layer: ArrayLike,
    overrides: ArrayLike | None = None,
    cadence: tuple[float, ...] = CADENCE_DAYS,
) -> FloatArray:
    """Days allowed between contacts per person: the override if set, else the layer's."""
    codes = np.asarray(layer, dtype=np.int64)
    table = np.append(np.asarray(cadence, dtype=np.float64), np.inf)  # outside: never due
    days = table[codes]
    if overrides is not None:
        own = np.asarray(overrides, dtype=np.float64)
        if own.shape != days.shape:
            raise ValueError("overrides must have one entry per person (NaN for the default)")
        if (own[np.isfinite(own)] <= 0).any():
            raise ValueError("a keep-in-touch cadence must be a positive number of days")
        days = np.where(np.isnan(own), days, own)  # +inf switches reminders off
    return days


@dataclass(frozen=True)
class Due:
    """Someone to get back in touch with."""

    person: int
    layer: int
    days_since: float  # inf when there was never personal contact
    cadence_days: float
    overdue_days: float


def overdue(
    last_contact: ArrayLike,
    layer: ArrayLike,
    now: float,
    score: ArrayLike,
    overrides: ArrayLike | None = None,
    cadence: tuple[float, ...] = CADENCE_DAYS,
) -> list[Due]:
    """People whose cadence has run out, most important first (inner layer, then strength)."""
    last = np.asarray(last_contact, dtype=np.float64)
    codes = np.asarray(layer, dtype=np.int64)
    strength = np.asarray(score, dtype=np.float64)
    allowed = cadence_days(codes, overrides, cadence)
    since = (now - last) / DAY  # -inf last contact gives +inf days
    late = np.isfinite(allowed) & (since > allowed)
    who = np.flatnonzero(late)
    order = np.lexsort((who, -since[who] / allowed[who], -strength[who], codes[who]))
    return [
        Due(int(i), int(codes[i]), float(since[i]), float(allowed[i]), float(since[i] - allowed[i]))
        for i in who[order]
    ]

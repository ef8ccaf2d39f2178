"""Tie strength: how strong each relationship is, why, and how it changed over time.

Everything works on parallel arrays (one row per interaction) so that a million touches
for thirty thousand people score in well under a second: sums are `np.bincount`, latest
and earliest contacts are `np.maximum.at` / `np.minimum.at`, and no loop runs per person.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from takethelead.domain.records import Direction, InteractionKind

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

DAY = 86_400.0
YEAR_DAYS = 365.0

# Depth of a touch: a meeting says far more about a relationship than a like does.
KIND_WEIGHTS: dict[InteractionKind, float] = {
    InteractionKind.MEETING: 1.0,
    InteractionKind.CALL: 0.7,
    InteractionKind.INTRODUCTION: 0.7,
    InteractionKind.REFERRAL: 0.7,
    InteractionKind.MESSAGE: 0.5,
    InteractionKind.EMAIL: 0.5,
    InteractionKind.FAVOUR: 0.5,
    InteractionKind.REPLY: 0.3,
    InteractionKind.COMMENT: 0.3,
    InteractionKind.MENTION: 0.3,
    InteractionKind.REACTION: 0.1,
    InteractionKind.REPOST: 0.1,
    InteractionKind.FOLLOW: 0.1,
    InteractionKind.CONNECTION: 0.1,
    InteractionKind.NOTE: 0.0,  # the user's own note reaches nobody
}
KINDS: tuple[InteractionKind, ...] = tuple(InteractionKind)
KIND_WEIGHT_BY_CODE: FloatArray = np.array([KIND_WEIGHTS[k] for k in KINDS], dtype=np.float64)
DIRECTIONS: tuple[Direction, ...] = (Direction.INBOUND, Direction.OUTBOUND, Direction.MUTUAL)
INBOUND, OUTBOUND, MUTUAL = 0, 1, 2

AUTOMATED_FACTOR = 0.05  # a scheduled post or auto-greeting is barely a touch
CONTACT_MIN_WEIGHT = 0.3  # replies and deeper count as "being in contact"; likes do not
INTENSITY_HALF_LIFE_DAYS = 90.0
RECENCY_HALF_LIFE_DAYS = 60.0
ONE_SIDED_RECENCY = 0.9  # an unanswered touch keeps a tie almost as fresh as an exchange
DURATION_HALF_DAYS = 365.0
INTENSITY_SCALE = 5.0  # a meeting a month for a year (about 4.8 decayed) gives about 0.6
RECIPROCITY_SCALE = 3.0  # three meeting-equivalents started by the quieter side: about 0.63

FEATURES: tuple[str, ...] = ("recency", "intensity", "reciprocity", "duration")
LABELS: tuple[str, ...] = ("inner circle", "close", "active", "acquaintance", "dormant")
LABEL_FLOORS: FloatArray = np.array([0.8, 0.6, 0.3, 0.05, -np.inf])
STRONG_FLOOR = 0.6  # "close" or "inner circle": about a 3.5 of 5 rating


def kind_codes(kinds: Iterable[InteractionKind]) -> NDArray[np.int8]:
    """Encode interaction kinds as the small integer codes the array functions take."""
    index = {k: i for i, k in enumerate(KINDS)}
    return np.array([index[k] for k in kinds], dtype=np.int8)


def direction_codes(directions: Iterable[Direction]) -> NDArray[np.int8]:
    """Encode directions as codes: 0 inbound, 1 outbound, 2 mutual."""
    index = {d: i for i, d in enumerate(DIRECTIONS)}
    return np.array([index[d] for d in directions], dtype=np.int8)


@dataclass(frozen=True)
class Touches:
    """Interactions as parallel arrays: who (person index), when (unix seconds), kind, etc."""

    person: IntArray
    ts: FloatArray
    kind: NDArray[np.int8]
    direction: NDArray[np.int8]
    automated: BoolArray

    @classmethod
    def from_arrays(
        cls,
        person: ArrayLike,
        ts: ArrayLike,
        kind: ArrayLike,
        direction: ArrayLike,
        automated: ArrayLike | None = None,
    ) -> Touches:
        """Build from any array-likes, checking that lengths and codes agree."""
        p = np.asarray(person, dtype=np.int64)
        t = np.asarray(ts, dtype=np.float64)
        k = np.asarray(kind, dtype=np.int8)
        d = np.asarray(direction, dtype=np.int8)
        a = np.zeros(len(p), bool) if automated is None else np.asarray(automated, bool)
        if not len(p) == len(t) == len(k) == len(d) == len(a):
            raise ValueError("person, ts, kind, direction and automated must have equal lengths")
        if len(p) and (p.min() < 0 or k.min() < 0 or k.max() >= len(KINDS)):
            raise ValueError("person indexes must be >= 0 and kind codes within KINDS")
        if len(d) and (d.min() < 0 or d.max() > MUTUAL):
            raise ValueError("direction codes must be 0 (in), 1 (out) or 2 (mutual)")
        if not np.isfinite(t).all():
            raise ValueError("timestamps must be finite")
        return cls(p, t, k, d, a)

    def __len__(self) -> int:
        return len(self.person)

    def select(self, mask: BoolArray | IntArray) -> Touches:
        """The touches picked by a boolean mask or an index array."""
        return Touches(
            self.person[mask],
            self.ts[mask],
            self.kind[mask],
            self.direction[mask],
            self.automated[mask],
        )

    def weight(self) -> FloatArray:
        """Depth weight of each touch, automated ones shrunk to almost nothing."""
        w = KIND_WEIGHT_BY_CODE[self.kind]
        return np.where(self.automated, w * AUTOMATED_FACTOR, w)

    def is_contact(self) -> BoolArray:
        """Touches that count as personal contact (for recency and duration)."""
        return (~self.automated) & (KIND_WEIGHT_BY_CODE[self.kind] >= CONTACT_MIN_WEIGHT)


@dataclass(frozen=True)
class Weights:
    """How features become a score; readable as "how much each feature matters".

    Without cutpoints the behavioural score is the weighted mean of the features (weights
    are shares). With cutpoints (a fitted ordinal model) the weights are log-odds per unit
    of feature and the score is the expected closeness rating rescaled to [0, 1].
    """

    # Recency leads: days since last contact is the best behavioural predictor in Gilbert &
    # Karahalios (2009), and on CollegeMsg (bench/strength_collegemsg.py) shares that lean
    # on intensity, reciprocity or duration predict continued contact worse than recency.
    recency: float = 0.6
    intensity: float = 0.2
    reciprocity: float = 0.1
    duration: float = 0.1
    cutpoints: tuple[float, ...] = ()
    rating_share: float = 0.5  # the user's own rating, when given, is half the score

    def __post_init__(self) -> None:
        w = self.vector()
        if (w < 0).any() or not np.isfinite(w).all():
            raise ValueError("feature weights must be finite and >= 0 (more contact never hurts)")
        if not self.cutpoints and not np.isclose(w.sum(), 1.0):
            raise ValueError("feature shares must add up to 1")
        if self.cutpoints and (len(self.cutpoints) != 4 or np.any(np.diff(self.cutpoints) <= 0)):
            raise ValueError("an ordinal model needs 4 increasing cutpoints")
        if not 0.0 <= self.rating_share <= 1.0:
            raise ValueError("rating_share must be within [0, 1]")

    def vector(self) -> FloatArray:
        """The feature weights in FEATURES order."""
        return np.array([self.recency, self.intensity, self.reciprocity, self.duration])


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class StrengthTable:
    """Scores and the features behind them, one entry per person index."""

    now: float
    score: FloatArray
    features: FloatArray  # shape (n_people, 4) in FEATURES order
    last_two_way: FloatArray  # unix seconds; -inf when both sides never reached out
    last_contact: FloatArray  # latest personal touch either way; -inf when none
    first_contact: FloatArray  # +inf when none
    intensity: FloatArray  # decayed depth-weighted touches
    reciprocated: FloatArray  # decayed weight of touches started by the quieter side

    def label_codes(self) -> NDArray[np.intp]:
        """Index into LABELS for each person."""
        return label_codes(self.score)

    def labels(self) -> list[str]:
        """The label of each person in words."""
        return [LABELS[c] for c in self.label_codes()]


def label_codes(score: FloatArray) -> NDArray[np.intp]:
    """Index into LABELS for each score."""
    return np.searchsorted(-LABEL_FLOORS, -np.asarray(score), side="left")


@dataclass
class _Accumulator:
    """Running per-person sums that can be moved forward in time without rescanning."""

    n: int
    t: float = -np.inf
    total: FloatArray = field(init=False)
    started_in: FloatArray = field(init=False)
    started_out: FloatArray = field(init=False)
    last_in: FloatArray = field(init=False)
    last_out: FloatArray = field(init=False)
    first: FloatArray = field(init=False)
    last: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        self.total = np.zeros(self.n)
        self.started_in = np.zeros(self.n)
        self.started_out = np.zeros(self.n)
        self.last_in = np.full(self.n, -np.inf)
        self.last_out = np.full(self.n, -np.inf)
        self.first = np.full(self.n, np.inf)
        self.last = np.full(self.n, -np.inf)

    def advance(self, batch: Touches, t: float) -> None:
        """Decay everything to instant t, then add the batch (all touches at or before t)."""
        if np.isfinite(self.t):
            factor = np.exp2(-(t - self.t) / (INTENSITY_HALF_LIFE_DAYS * DAY))
            self.total *= factor
            self.started_in *= factor
            self.started_out *= factor
        self.t = t
        if not len(batch):
            return
        p, n = batch.person, self.n
        w = batch.weight() * np.exp2((batch.ts - t) / (INTENSITY_HALF_LIFE_DAYS * DAY))
        d = batch.direction
        self.total += np.bincount(p, w, minlength=n)
        came_in, went_out = d != OUTBOUND, d != INBOUND  # a mutual touch counts both ways
        self.started_in += np.bincount(p[came_in], w[came_in], minlength=n)
        self.started_out += np.bincount(p[went_out], w[went_out], minlength=n)
        contact = batch.is_contact()
        for side, mask in ((self.last_in, came_in & contact), (self.last_out, went_out & contact)):
            np.maximum.at(side, p[mask], batch.ts[mask])
        np.maximum.at(self.last, p[contact], batch.ts[contact])
        np.minimum.at(self.first, p[contact], batch.ts[contact])

    def table(self, ratings: FloatArray | None, weights: Weights) -> StrengthTable:
        """Features and scores at the accumulator's instant."""
        last_two_way = np.minimum(self.last_in, self.last_out)
        reciprocated = np.minimum(self.started_in, self.started_out)
        span_days = np.maximum(self.last - self.first, 0.0) / DAY
        half_life = RECENCY_HALF_LIFE_DAYS * DAY
        recency = np.maximum(
            np.exp2(-(self.t - last_two_way) / half_life),
            ONE_SIDED_RECENCY * np.exp2(-(self.t - self.last) / half_life),
        )
        features = np.column_stack(
            (
                recency,
                -np.expm1(-self.total / INTENSITY_SCALE),
                -np.expm1(-reciprocated / RECIPROCITY_SCALE),
                -np.expm1(-span_days * np.log(2.0) / DURATION_HALF_DAYS),
            )
        )
        return StrengthTable(
            now=self.t,
            score=combine(features, ratings, weights),
            features=features,
            last_two_way=last_two_way,
            last_contact=self.last.copy(),
            first_contact=self.first.copy(),
            intensity=self.total.copy(),
            reciprocated=reciprocated,
        )


def behaviour_score(features: FloatArray, weights: Weights = DEFAULT_WEIGHTS) -> FloatArray:
    """Score from features alone (no rating): weighted mean, or expected rating if fitted."""
    eta = features @ weights.vector()
    if not weights.cutpoints:
        return np.clip(eta, 0.0, 1.0)
    cut = np.asarray(weights.cutpoints)
    return np.asarray(expit(eta[:, None] - cut[None, :]).mean(axis=1), dtype=np.float64)


def combine(
    features: FloatArray, ratings: ArrayLike | None, weights: Weights = DEFAULT_WEIGHTS
) -> FloatArray:
    """Final score: behaviour, blended with the user's 1-5 closeness rating where given."""
    score = behaviour_score(features, weights)
    if ratings is None:
        return score
    r = np.asarray(ratings, dtype=np.float64)
    if r.shape != score.shape:
        raise ValueError("ratings must have one entry per person (NaN when unrated)")
    rated = np.isfinite(r)
    if ((r[rated] < 1) | (r[rated] > 5)).any():
        raise ValueError("closeness ratings run from 1 to 5")
    share = weights.rating_share
    blended = (1.0 - share) * score + share * (r - 1.0) / 4.0
    return np.where(rated, blended, score)


def score_all(
    touches: Touches,
    now: float,
    n_people: int,
    ratings: ArrayLike | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> StrengthTable:
    """Strength of every person at instant `now` from the touches up to then."""
    _check_people(touches, n_people)
    acc = _Accumulator(n_people)
    acc.advance(touches.select(touches.ts <= now), float(now))
    return acc.table(_ratings(ratings), weights)


def strength_at(
    touches: Touches,
    instants: Sequence[float] | FloatArray,
    n_people: int,
    ratings: ArrayLike | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> FloatArray:
    """Scores at each instant, shape (len(instants), n_people); one pass over the touches."""
    return np.stack([t.score for t in tables_at(touches, instants, n_people, ratings, weights)])


def tables_at(
    touches: Touches,
    instants: Sequence[float] | FloatArray,
    n_people: int,
    ratings: ArrayLike | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[StrengthTable]:
    """A StrengthTable per instant (in the order given), sharing one sweep through time."""
    _check_people(touches, n_people)
    when = np.asarray(instants, dtype=np.float64)
    order = np.argsort(when, kind="stable")
    by_time = np.argsort(touches.ts, kind="stable")
    sorted_ts = touches.ts[by_time]
    r = _ratings(ratings)
    acc = _Accumulator(n_people)
    done = 0
    tables: list[StrengthTable | None] = [None] * len(when)
    for i in order:
        upto = int(np.searchsorted(sorted_ts, when[i], side="right"))
        acc.advance(touches.select(by_time[done:upto]), float(when[i]))
        done = upto
        tables[i] = acc.table(r, weights)
    return [t for t in tables if t is not None]


def explain(
    touches: Touches, person: int, table: StrengthTable, rating: float | None = None
) -> str:
    """Why this person's score is what it is, in one sentence."""
    mine = touches.select((touches.person == person) & (touches.ts <= table.now))
    parts: list[str] = []
    two_way = table.last_two_way[person]
    if np.isfinite(two_way):
        parts.append(f"last two-way contact {_days(table.now - two_way)}")
    elif np.isfinite(table.last_contact[person]):
        parts.append(
            f"no two-way contact yet; last touch {_days(table.now - table.last_contact[person])}"
        )
    else:
        parts.append("no personal contact yet")
    recent = mine.select((mine.ts > table.now - YEAR_DAYS * DAY) & ~mine.automated)
    meetings = int(np.count_nonzero(recent.kind == KINDS.index(InteractionKind.MEETING)))
    touched = f"{_plural(len(recent), 'touch', 'touches')} this year"
    parts.append(touched + (f", {meetings} of them meetings" if meetings else ""))
    one_sided = recent.direction != MUTUAL
    if one_sided.any():
        started = int(np.count_nonzero(recent.direction == OUTBOUND))
        parts.append(f"you started {started} of {int(np.count_nonzero(one_sided))}")
    if rating is not None and np.isfinite(rating):
        parts.append(f"you rated them {rating:g} of 5")
    automated = int(np.count_nonzero(mine.automated))
    if automated:
        parts.append(f"{_plural(automated, 'automated touch', 'automated touches')} (count little)")
    label = LABELS[int(label_codes(table.score[person : person + 1])[0])]
    return f"{label} ({table.score[person]:.2f}): " + "; ".join(parts)


def _days(seconds: float) -> str:
    days = int(seconds // DAY)
    return "today" if days == 0 else f"{_plural(days, 'day', 'days')} ago"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _ratings(ratings: ArrayLike | None) -> FloatArray | None:
    return None if ratings is None else np.asarray(ratings, dtype=np.float64)


def _check_people(touches: Touches, n_people: int) -> None:
    if len(touches) and int(touches.person.max()) >= n_people:
        raise ValueError(f"person index {int(touches.person.max())} >= n_people {n_people}")

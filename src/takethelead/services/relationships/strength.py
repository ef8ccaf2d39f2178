"""Tie strength for a real workspace: scores with reasons, closeness ratings, fitted weights.

Scores are computed from the interactions (the truth), not read from the `person.strength`
cache, so that what the user reads here is never a day old. Once the user has rated enough
people, `fit_model` fits the weights to their ratings and stores them in the workspace
setting "strength_weights"; every score in this module (and the fading, due and report
services) uses them from then on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from takethelead.domain.layers import LAYER_NAMES, OUTSIDE, assign_layers, cadence_days
from takethelead.domain.strength import (
    DAY,
    FEATURES,
    LABELS,
    StrengthTable,
    Touches,
    Weights,
    explain,
    label_codes,
    score_all,
)
from takethelead.domain.strength_fit import MIN_RATINGS, compare_fit, fit_weights
from takethelead.services.core import settings
from takethelead.services.core.errors import NotFound, ServiceError
from takethelead.services.relationships.activity import Activity, load_touches
from takethelead.services.relationships.ledger import Standing, ledger_lines, standing
from takethelead.services.relationships.scoring import (
    DIRECTION_CODE,
    KIND_CODE,
    rescore_people,
    score_workspace,
)
from takethelead.services.relationships.weights import current_weights
from takethelead.storage.tables import Person

# The cadence column holds whole days; "never" is stored as a century so that every reader
# (the plan too) treats it as never due without a special value that could break them.
NEVER_DAYS: Final = 36_500
OUTSIDE_NAME: Final = "beyond your 150"

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class StrengthView:
    """One relationship's strength, its label and the reasons in one sentence."""

    person_id: int
    full_name: str
    score: float
    label: str
    why: str
    closeness: int | None
    last_contact: datetime | None
    last_two_way: datetime | None
    features: dict[str, float]


@dataclass(frozen=True, slots=True)
class StrengthList:
    weights: str  # "default" or "fitted"
    people: tuple[StrengthView, ...]  # strongest first
    total: int
    by_label: dict[str, int]


@dataclass(frozen=True, slots=True)
class RatingView:
    person_id: int
    full_name: str
    closeness: int
    previous: int | None
    ratings: int  # people rated in the workspace
    needed: int  # more ratings before weights can be fitted (0: enough)


@dataclass(frozen=True, slots=True)
class ModelReport:
    """A fit of the weights to the user's ratings, checked on held-out ratings."""

    ratings: int
    needed: int
    folds: int
    fitted_accuracy: float | None  # strong/weak accuracy of the fitted model, cross-validated
    default_accuracy: float | None
    fitted_mae: float | None  # mean error in rating points
    default_mae: float | None
    in_use: str  # "fitted" or "default": what scores use from now on
    weights: dict[str, float]


@dataclass(frozen=True, slots=True)
class RelationshipView:
    """Strength, layer, keep-in-touch rhythm and give-and-take with one person."""

    strength: StrengthView
    layer: str
    layer_code: int
    cadence_days: float | None  # None: never due
    cadence_source: str  # layer | yours | never
    days_since_contact: float | None
    overdue_days: float | None  # > 0: overdue by that much; < 0: due in that many days
    ledger: Standing


@dataclass(frozen=True)
class Scored:
    """Everyone's strength now, with layers and cadences, for the services that rank people."""

    activity: Activity
    table: StrengthTable
    fitted: bool
    layer: IntArray
    cadence: FloatArray  # inf: never due
    weights: Weights

    def explain(self, index: int) -> str:
        """The reasons behind one person's score (the sentence after the label)."""
        touches = self.activity.touches
        own = touches.select(np.flatnonzero(touches.person == index))
        rating = float(self.activity.people.closeness[index])
        return _reasons(explain(own, index, self.table, rating))

    def view(self, index: int, why: str) -> StrengthView:
        people = self.activity.people
        rating = people.closeness[index]
        return _view(
            int(people.ids[index]),
            people.names[index],
            self.table,
            index,
            why,
            None if np.isnan(rating) else int(rating),
        )


def cadence_overrides(raw: FloatArray) -> FloatArray:
    """Per-person cadence from the column: NaN keeps the layer's, NEVER_DAYS means never."""
    return np.where(raw >= NEVER_DAYS, np.inf, raw)


def scored(session: Session, workspace_id: int, now: datetime | None = None) -> Scored:
    """Score every relationship in the workspace at `now` with the workspace's weights."""
    moment = now or datetime.now(UTC)
    activity, table, weights, fitted = score_workspace(session, workspace_id, moment)
    layer = assign_layers(table.score)
    cadence = cadence_days(layer, cadence_overrides(activity.people.cadence_days))
    return Scored(activity, table, fitted, layer, cadence, weights)


def contact(session: Session, workspace_id: int, person_id: int, field: str = "person") -> Person:
    """A contact of the workspace (not the owner), or a clear error naming the field."""
    person = session.get(Person, person_id)
    if person is None or person.workspace_id != workspace_id:
        raise NotFound(f"{field}: no person #{person_id} in this workspace")
    if person.is_me:
        raise NotFound(f"{field}: #{person_id} is you, not one of your contacts")
    return person


def strength_of(
    session: Session, workspace_id: int, person_id: int, now: datetime | None = None
) -> StrengthView:
    """One relationship's strength and why, from that person's interactions alone."""
    moment = now or datetime.now(UTC)
    person = contact(session, workspace_id, person_id)
    weights, _ = current_weights(session, workspace_id)
    rows = session.execute(
        text(
            "SELECT occurred_at, kind, direction, automated FROM interaction "
            "WHERE workspace_id = :ws AND person_id = :pid AND occurred_at <= :until"
        ),
        {"ws": workspace_id, "pid": person_id, "until": int(moment.timestamp())},
    ).all()
    touches = Touches.from_arrays(
        person=np.zeros(len(rows), dtype=np.int64),
        ts=np.array([r[0] for r in rows], dtype=np.float64),
        kind=np.array([KIND_CODE[r[1]] for r in rows], dtype=np.int8),
        direction=np.array([DIRECTION_CODE[r[2]] for r in rows], dtype=np.int8),
        automated=np.array([bool(r[3]) for r in rows], dtype=np.bool_),
    )
    rating = np.nan if person.closeness is None else float(person.closeness)
    table = score_all(touches, moment.timestamp(), 1, ratings=[rating], weights=weights)
    why = _reasons(explain(touches, 0, table, rating))
    return _view(person.id, person.full_name, table, 0, why, person.closeness)


def strength_list(
    session: Session, workspace_id: int, limit: int = 20, now: datetime | None = None
) -> StrengthList:
    """Everyone's strength, strongest first, with reasons for the first `limit`."""
    if limit < 1:
        raise ServiceError("limit: expected at least 1")
    state = scored(session, workspace_id, now)
    score = state.table.score
    order = np.lexsort((state.activity.people.ids, -score))[:limit]
    codes = state.table.label_codes()
    counts = np.bincount(codes, minlength=len(LABELS))
    return StrengthList(
        weights="fitted" if state.fitted else "default",
        people=tuple(state.view(int(i), state.explain(int(i))) for i in order),
        total=len(score),
        by_label={label: int(counts[i]) for i, label in enumerate(LABELS)},
    )


def rate(session: Session, workspace_id: int, person_id: int, rating: int) -> RatingView:
    """Set how close the user feels to someone, 1 (barely) to 5 (very close)."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ServiceError(f"rating {rating!r}: expected a whole number from 1 to 5")
    person = contact(session, workspace_id, person_id)
    previous = person.closeness
    person.closeness = rating
    session.flush()
    # The plan reads the strength cache; keep this person's entry in step with the rating.
    rescore_people(session, workspace_id, [person_id])
    ratings = _ratings_count(session, workspace_id)
    return RatingView(
        person.id, person.full_name, rating, previous, ratings, max(MIN_RATINGS - ratings, 0)
    )


def fit_model(session: Session, workspace_id: int, now: datetime | None = None) -> ModelReport:
    """Fit weights to the ratings; keep them when they predict held-out ratings no worse."""
    moment = now or datetime.now(UTC)
    activity = load_touches(session, workspace_id, moment)
    # Features do not depend on the weights; the default table is only read for them.
    table = score_all(activity.touches, moment.timestamp(), len(activity.people))
    ratings = activity.people.closeness
    rated = int(np.isfinite(ratings).sum())
    if rated < MIN_RATINGS:
        weights, fitted = current_weights(session, workspace_id)
        return ModelReport(
            ratings=rated,
            needed=MIN_RATINGS - rated,
            folds=0,
            fitted_accuracy=None,
            default_accuracy=None,
            fitted_mae=None,
            default_mae=None,
            in_use="fitted" if fitted else "default",
            weights=_weights_dict(weights),
        )
    check = compare_fit(table.features, ratings)
    weights = fit_weights(table.features, ratings)
    keep = check.fitted_accuracy >= check.default_accuracy
    if keep:
        stored = {
            **_weights_dict(weights),
            "cutpoints": list(weights.cutpoints),
            "rating_share": weights.rating_share,
            "ratings": rated,
            "fitted_at": moment.isoformat(),
        }
        settings.put(session, workspace_id, settings.STRENGTH_WEIGHTS, stored)
    else:
        settings.clear(session, workspace_id, settings.STRENGTH_WEIGHTS)
    session.flush()
    return ModelReport(
        ratings=rated,
        needed=0,
        folds=check.folds,
        fitted_accuracy=check.fitted_accuracy,
        default_accuracy=check.default_accuracy,
        fitted_mae=check.fitted_mae,
        default_mae=check.default_mae,
        in_use="fitted" if keep else "default",
        weights=_weights_dict(weights),
    )


def relationship_of(
    session: Session, workspace_id: int, person_id: int, now: datetime | None = None
) -> RelationshipView:
    """What `lead people show` adds: strength and why, layer, cadence, overdue, ledger."""
    moment = now or datetime.now(UTC)
    person = contact(session, workspace_id, person_id)
    state = scored(session, workspace_id, moment)
    index = int(np.searchsorted(state.activity.people.ids, person_id))
    layer = int(state.layer[index])
    allowed = float(state.cadence[index])
    last = float(state.table.last_contact[index])
    since = (moment.timestamp() - last) / DAY if np.isfinite(last) else None
    if person.cadence_days is None:
        source = "layer"
    else:
        source = "never" if person.cadence_days >= NEVER_DAYS else "yours"
    overdue = None
    if np.isfinite(allowed):
        overdue = (since if since is not None else np.inf) - allowed
    return RelationshipView(
        strength=state.view(index, state.explain(index)),
        layer=LAYER_NAMES[layer] if layer != OUTSIDE else OUTSIDE_NAME,
        layer_code=layer,
        cadence_days=allowed if np.isfinite(allowed) else None,
        cadence_source="never" if not np.isfinite(allowed) and source == "layer" else source,
        days_since_contact=since,
        overdue_days=None if overdue is None or not np.isfinite(overdue) else float(overdue),
        ledger=standing(
            person_id, person.full_name, ledger_lines(session, workspace_id, person_id)
        ),
    )


def _ratings_count(session: Session, workspace_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                Person.workspace_id == workspace_id,
                Person.is_me.is_(False),
                Person.closeness.is_not(None),
            )
        )
        or 0
    )


def _reasons(sentence: str) -> str:
    # explain() opens with "label (score): "; the views carry label and score separately.
    return sentence.split(": ", 1)[1]


def _moment(ts: float) -> datetime | None:
    return datetime.fromtimestamp(ts, UTC) if np.isfinite(ts) else None


def _view(
    person_id: int,
    name: str,
    table: StrengthTable,
    index: int,
    why: str,
    closeness: int | None,
) -> StrengthView:
    return StrengthView(
        person_id=person_id,
        full_name=name,
        score=float(table.score[index]),
        label=LABELS[int(label_codes(table.score[index : index + 1])[0])],
        why=why,
        closeness=closeness,
        last_contact=_moment(float(table.last_contact[index])),
        last_two_way=_moment(float(table.last_two_way[index])),
        features={f: float(table.features[index, i]) for i, f in enumerate(FEATURES)},
    )


def _weights_dict(weights: Weights) -> dict[str, float]:
    return {name: float(w) for name, w in zip(FEATURES, weights.vector(), strict=True)}

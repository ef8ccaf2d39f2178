"""The tie-strength weights a workspace uses: fitted to the user's ratings, or the defaults."""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from takethelead.domain.strength import DEFAULT_WEIGHTS, FEATURES, Weights
from takethelead.services.core import settings
from takethelead.services.core.errors import ServiceError

WEIGHTS_KEY: Final = settings.STRENGTH_WEIGHTS.name


def current_weights(session: Session, workspace_id: int) -> tuple[Weights, bool]:
    """The weights scores use, and whether they were fitted: fitted ones when stored."""
    stored = settings.get(session, workspace_id, settings.STRENGTH_WEIGHTS)
    if stored is None:
        return DEFAULT_WEIGHTS, False
    try:
        weights = Weights(
            **{name: float(stored[name]) for name in FEATURES},
            cutpoints=tuple(float(c) for c in stored["cutpoints"]),
            rating_share=float(stored["rating_share"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ServiceError(
            f"setting {WEIGHTS_KEY}: unreadable fitted weights ({exc}); "
            "fit them again with `lead strength --model`"
        ) from exc
    return weights, True

"""The tie-strength weights a workspace uses: fitted to the user's ratings, or the defaults."""

from __future__ import annotations

import json
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from takethelead.domain.strength import DEFAULT_WEIGHTS, FEATURES, Weights
from takethelead.services.core.errors import ServiceError
from takethelead.storage.tables import Setting

WEIGHTS_KEY: Final = "strength_weights"


def current_weights(session: Session, workspace_id: int) -> tuple[Weights, bool]:
    """The weights scores use, and whether they were fitted: fitted ones when stored."""
    raw = session.scalar(
        select(Setting.value).where(
            Setting.workspace_id == workspace_id, Setting.key == WEIGHTS_KEY
        )
    )
    if raw is None:
        return DEFAULT_WEIGHTS, False
    try:
        stored = json.loads(raw)
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

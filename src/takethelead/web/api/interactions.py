"""Interactions: log a touch with someone."""

from __future__ import annotations

from fastapi import APIRouter

from takethelead.services.auth import access
from takethelead.services.people.interactions import log_touch
from takethelead.web.api.schemas import Problem, TouchCreate, TouchOut
from takethelead.web.deps import ApiWriter, StoreDep

router = APIRouter(prefix="/interactions", tags=["interactions"])


@router.post(
    "",
    status_code=201,
    response_model=TouchOut,
    responses={
        404: {"model": Problem, "description": "No such person or network"},
        409: {"model": Problem, "description": "This very touch is logged already"},
    },
)
def create_touch(store: StoreDep, who: ApiWriter, body: TouchCreate) -> TouchOut:
    """Record one interaction with a person (by id), now unless `occurred_at` is given."""
    with access.writing(store, who) as db:
        person_id, touch_id = log_touch(
            db,
            who.workspace_id,
            body.summary,
            kind=body.kind,
            minutes=body.minutes,
            network=body.network,
            when=body.occurred_at,
            direction=body.direction,
            person=f"#{body.person_id}",
        )
    return TouchOut(person_id=person_id, interaction_id=touch_id)

"""The workspace's preferences: weekly budget, preferred hours, digest address."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from takethelead.services.auth import access
from takethelead.services.planning.preferences import read_preferences, update_preferences
from takethelead.web.api.schemas import PreferencesIn, PreferencesOut
from takethelead.web.deps import ApiReader, ApiWriter, StoreDep

router = APIRouter(prefix="/settings", tags=["settings"])


@router.get("", response_model=PreferencesOut)
def get_settings(store: StoreDep, who: ApiReader) -> PreferencesOut:
    with access.reading(store, who) as db:
        return PreferencesOut.model_validate(asdict(read_preferences(db, who.workspace_id)))


@router.patch("", response_model=PreferencesOut)
def change_settings(store: StoreDep, who: ApiWriter, body: PreferencesIn) -> PreferencesOut:
    """Change the fields given; each is checked before any is stored."""
    with access.writing(store, who) as db:
        changed = update_preferences(
            db,
            who.workspace_id,
            budget=body.budget,
            preferred_hours=body.preferred_hours,
            digest_email=body.digest_email,
        )
    return PreferencesOut.model_validate(asdict(changed))

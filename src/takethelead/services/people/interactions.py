"""Logging a touch in one line."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from takethelead.domain.records import Direction, InteractionKind
from takethelead.services.core.errors import Conflict, ServiceError
from takethelead.services.networks.networks import resolve_network
from takethelead.services.people.people import find_in_text, resolve_person
from takethelead.storage.tables import Interaction

# Kinds that happen together are mutual; the rest default to the user reaching out.
MUTUAL_KINDS = {InteractionKind.MEETING, InteractionKind.CALL}


def parse_interaction_kind(raw: str) -> InteractionKind:
    try:
        return InteractionKind(raw.strip().lower())
    except ValueError:
        kinds = ", ".join(k.value for k in InteractionKind)
        raise ServiceError(f"kind {raw!r}: expected one of {kinds}") from None


def parse_direction(raw: str) -> Direction:
    try:
        return Direction(raw.strip().lower())
    except ValueError:
        raise ServiceError(f"direction {raw!r}: expected inbound, outbound or mutual") from None


def log_touch(
    session: Session,
    workspace_id: int,
    phrase: str,
    kind: str = "message",
    minutes: int | None = None,
    network: str | None = None,
    when: datetime | None = None,
    direction: str | None = None,
    person: str | None = None,
    automated: bool = False,
) -> tuple[int, int]:
    """Record one interaction; the person is named in the phrase or given. Returns ids."""
    interaction_kind = parse_interaction_kind(kind)
    if minutes is not None and minutes < 0:
        raise ServiceError("minutes: expected zero or more")
    if direction is not None:
        touch_direction = parse_direction(direction)
    elif interaction_kind in MUTUAL_KINDS:
        touch_direction = Direction.MUTUAL
    else:
        touch_direction = Direction.OUTBOUND
    person_id = (
        resolve_person(session, workspace_id, person)
        if person
        else find_in_text(session, workspace_id, phrase)
    )
    network_id = resolve_network(session, workspace_id, network) if network else None
    occurred = when or datetime.now(UTC)
    if occurred.tzinfo is None:
        raise ServiceError("when: expected a time with a timezone")
    key = f"{person_id}|{occurred.isoformat()}|{interaction_kind}|{phrase}"
    external_id = hashlib.sha256(key.encode()).hexdigest()[:32]
    logged = session.scalar(
        select(Interaction.id).where(
            Interaction.workspace_id == workspace_id,
            Interaction.source == "manual",
            Interaction.external_id == external_id,
        )
    )
    if logged is not None:  # the same touch sent twice: a retry, not a second meeting
        raise Conflict(f"interaction #{logged}: this touch is logged already")
    touch = Interaction(
        workspace_id=workspace_id,
        person_id=person_id,
        network_id=network_id,
        occurred_at=occurred,
        kind=interaction_kind.value,
        direction=touch_direction.value,
        automated=automated,
        minutes=minutes,
        summary=phrase,
        source="manual",
        external_id=external_id,
    )
    session.add(touch)
    session.flush()
    return person_id, touch.id

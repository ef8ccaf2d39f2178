"""A workspace's settings: every key of the key-value table, with its type and its default.

This module is the only code that reads and writes the `setting` table. A value is stored as
JSON; reading one never set, or one of another type, gives the key's default.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from takethelead.domain.planner import DEFAULT_BUDGET_MINUTES
from takethelead.storage.tables import Setting

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Key(Generic[T]):
    """A setting's key, and how its stored JSON reads as a value of its type."""

    name: str
    default: T
    parse: Callable[[object, T], T]  # (stored JSON, default) -> value


def _whole(raw: object, default: int) -> int:
    # A number typed as text in an old workspace still counts.
    return int(raw) if isinstance(raw, int | str) else default


def _count(raw: object, default: int) -> int:
    return int(raw) if isinstance(raw, int) else default


def _words(raw: object, default: str) -> str:
    return raw if isinstance(raw, str) and raw else default


def _json(raw: object, default: object) -> object:
    return default if raw is None else raw


DEFAULT_PREFERRED_HOURS: Final = "mon-fri 08:00-09:00,12:30-13:30"
DEFAULT_POSTS_PER_WEEK: Final = 3

# Preferences the user sets.
BUDGET_MINUTES: Final = Key("budget_minutes", DEFAULT_BUDGET_MINUTES, _whole)
PREFERRED_HOURS: Final = Key("preferred_hours", DEFAULT_PREFERRED_HOURS, _words)
DIGEST_EMAIL: Final = Key("digest_email", "", _words)  # "" when no digest is sent
POSTS_PER_WEEK: Final = Key("posts_per_week", DEFAULT_POSTS_PER_WEEK, _count)
# Fitted tie-strength weights: None while the defaults are used.
STRENGTH_WEIGHTS: Final[Key[Any]] = Key("strength_weights", None, _json)
# Caches rebuilt by the nightly job (None until then); their modules read their shape.
TALLIES: Final[Key[Any]] = Key("interaction_tallies", None, _json)
PERSON_COUNTS: Final[Key[Any]] = Key("person_counts", None, _json)
FADING: Final[Key[Any]] = Key("fading_ties", None, _json)
EVIDENCE: Final[Key[Any]] = Key("network_evidence", None, _json)

# Read on every page: one statement built once, past the session's identity map.
_VALUE: Final = text('SELECT value FROM setting WHERE workspace_id = :ws AND "key" = :key')


def get(session: Session, workspace_id: int, key: Key[T]) -> T:
    """The workspace's value for `key`, or its default when unset or not of its type."""
    raw = session.execute(_VALUE, {"ws": workspace_id, "key": key.name}).scalar()
    return key.default if raw is None else key.parse(json.loads(raw), key.default)


def is_set(session: Session, workspace_id: int, key: Key[T]) -> bool:
    """Whether the workspace has a value for `key`."""
    return session.execute(_VALUE, {"ws": workspace_id, "key": key.name}).first() is not None


def put(session: Session, workspace_id: int, key: Key[T], value: T) -> None:
    """Set the workspace's value for `key`."""
    row = session.get(Setting, (workspace_id, key.name))
    if row is None:
        session.add(Setting(workspace_id=workspace_id, key=key.name, value=json.dumps(value)))
    else:
        row.value = json.dumps(value)


def clear(session: Session, workspace_id: int, key: Key[T]) -> None:
    """Remove the workspace's value for `key`: reads give the default again."""
    session.execute(
        delete(Setting).where(Setting.workspace_id == workspace_id, Setting.key == key.name)
    )


def workspaces_with(session: Session, key: Key[T]) -> list[int]:
    """The workspaces that have a value for `key`, in id order."""
    query = select(Setting.workspace_id).where(Setting.key == key.name)
    return list(session.scalars(query.order_by(Setting.workspace_id)))

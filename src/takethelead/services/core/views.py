"""Plain views that services return and the CLI, the web pages and the API render."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class IdentityView:
    kind: str
    value: str
    display: str


@dataclass(frozen=True, slots=True)
class InteractionView:
    id: int
    occurred_at: datetime
    kind: str
    direction: str
    network: str | None
    summary: str
    automated: bool
    minutes: int | None
    source: str


@dataclass(frozen=True, slots=True)
class PersonSummary:
    id: int
    full_name: str
    company: str
    title: str
    tags: tuple[str, ...]
    last_contact: datetime | None
    interactions: int


@dataclass(frozen=True, slots=True)
class PersonDetail:
    id: int
    full_name: str
    first_name: str
    last_name: str
    company: str
    title: str
    notes: str
    offer: str
    lead_profile: str
    birthday: date | None
    connected_on: date | None
    closeness: int | None
    cadence_days: int | None
    is_me: bool
    distrusted: bool
    tags: tuple[str, ...]
    identities: tuple[IdentityView, ...]
    timeline: tuple[InteractionView, ...]
    interactions: int = 0
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NetworkView:
    id: int
    name: str
    kind: str
    url: str
    interactions: int
    minutes_spent: int

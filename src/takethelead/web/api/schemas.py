"""The API's own types: what clients send and receive (separate from tables and views)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, Strict

from takethelead.domain.records import InteractionKind, NetworkKind
from takethelead.web.api.fields import (
    Day,
    Email,
    EmailOrNone,
    Moment,
    RequestBody,
    RowRef,
    WebAddressOrNone,
)

Text = Field(default=None, max_length=20000)


class Problem(BaseModel):
    detail: str


def conflict(why: str) -> dict[int | str, dict[str, object]]:
    """The 409 a route answers when the thing's present state refuses the request."""
    return {409: {"model": Problem, "description": why}}


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description='Where: ["body", "field"], ["query", "name"]…')
    msg: str
    type: str


class ValidationProblem(BaseModel):
    detail: list[FieldProblem]


class PersonOut(BaseModel):
    id: int
    full_name: str
    company: str
    title: str
    tags: list[str]
    last_contact: datetime | None
    interactions: int


class IdentityOut(BaseModel):
    kind: str
    value: str
    display: str


class InteractionOut(BaseModel):
    id: int
    occurred_at: datetime
    kind: str
    direction: str
    network: str | None
    summary: str
    automated: bool
    minutes: int | None
    source: str


class PersonDetailOut(BaseModel):
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
    tags: list[str]
    identities: list[IdentityOut]
    timeline: list[InteractionOut]
    interactions: int


class PersonFields(RequestBody):
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    company: str | None = Field(default=None, max_length=300)
    title: str | None = Field(default=None, max_length=300)
    notes: str | None = Text
    offer: str | None = Text
    lead_profile: str | None = Text
    birthday: Day | None = None
    closeness: int | None = Field(default=None, ge=1, le=5)
    cadence_days: int | None = Field(default=None, ge=1, le=3650)
    distrusted: bool | None = None


class PersonCreate(PersonFields):
    full_name: str = Field(min_length=1, max_length=300)
    identities: list[str] = Field(default_factory=list, max_length=50)
    tags: list[str] = Field(default_factory=list, max_length=50)


class PersonPatch(PersonFields):
    full_name: str | None = Field(default=None, min_length=1, max_length=300)
    add_identities: list[str] = Field(default_factory=list, max_length=50)


class TagChange(RequestBody):
    add: list[str] = Field(default_factory=list, max_length=50)
    remove: list[str] = Field(default_factory=list, max_length=50)


class Tags(BaseModel):
    tags: list[str]


class NetworkOut(BaseModel):
    id: int
    name: str
    kind: str
    url: str
    interactions: int
    minutes_spent: int


class NetworkCreate(RequestBody):
    name: str = Field(min_length=1, max_length=200)
    kind: Annotated[NetworkKind, Strict(False)] = Field(examples=["linkedin", "in-person"])
    url: WebAddressOrNone = ""


class TouchCreate(RequestBody):
    person_id: RowRef
    summary: str = Field(min_length=1, max_length=2000)
    kind: Annotated[InteractionKind, Strict(False)] = InteractionKind.MESSAGE
    direction: Literal["inbound", "outbound", "mutual"] | None = None
    minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    network: str | None = Field(default=None, max_length=200)
    occurred_at: Moment | None = None


class TouchOut(BaseModel):
    person_id: int
    interaction_id: int


class PlanItemOut(BaseModel):
    number: int
    kind: str
    title: str
    minutes: int
    reason: str
    status: str
    outcome: str | None
    person_id: int | None
    other_person_id: int | None
    network_id: int | None


class PlanOut(BaseModel):
    week_start: date
    week: int
    budget_minutes: int
    minutes: int
    items: list[PlanItemOut]
    balance: str


class PlanBuild(RequestBody):
    budget_minutes: int | None = Field(default=None, ge=15, le=24 * 60)


class DoneIn(RequestBody):
    outcome: Literal["responded", "meeting-booked", "referral-given", "referral-received",
                     "no-answer"] | None = None  # fmt: skip
    responses: int | None = Field(default=None, ge=0, le=100_000)


class SkipIn(RequestBody):
    reason: str = Field(default="", max_length=500)


class ClosedOut(BaseModel):
    number: int
    kind: str
    status: str
    outcome: str | None


class TallyOut(BaseModel):
    created: int
    updated: int
    unchanged: int


class ImportOut(BaseModel):
    format: str
    people: TallyOut
    identities: TallyOut
    interactions: TallyOut
    skipped: dict[str, int]


class PreferencesOut(BaseModel):
    budget_minutes: int
    preferred_hours: str
    digest_email: str | None


class PreferencesIn(RequestBody):
    """Only what is given changes; an empty digest_email stops the digest."""

    budget: str | int | None = Field(default=None, examples=["2h", 150])
    preferred_hours: str | None = Field(
        default=None, max_length=200, examples=["mon-fri 08:00-09:00,12:30-13:30"]
    )
    digest_email: EmailOrNone | None = Field(default=None, description="Empty: no digest")


class NetworkRankOut(BaseModel):
    """A network's usefulness: response equivalents per hour spent there, with its 90% interval."""

    network_id: int
    name: str
    kind: str
    per_hour: float
    low: float
    high: float
    hours: float
    responses: float
    has_evidence: bool
    sentence: str


class MergeIn(RequestBody):
    duplicate_id: RowRef = Field(description="The record folded in and removed")


class MergeOut(BaseModel):
    kept_id: int
    kept_name: str
    removed_name: str
    moved: dict[str, int]


class DigestOut(BaseModel):
    recipient: str | None
    subject: str
    body: str


class DigestSend(RequestBody):
    to: Email | None = Field(default=None, description="Remembered as digest_email")


class DigestSent(BaseModel):
    recipient: str
    message_id: str


class UserOut(BaseModel):
    id: int
    email: str
    role: str

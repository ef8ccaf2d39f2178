"""What the relationship routes of the API send and receive: strength, keeping in touch,
who knows whom, the ledger, the network report, the overview and time spent."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from takethelead.web.api.fields import Checked, Moment, RequestBody, RowRef


class StrengthOut(BaseModel):
    person_id: int
    full_name: str
    score: float = Field(description="Tie strength from 0 (none) to 1")
    label: str = Field(examples=["inner circle", "close", "active", "acquaintance", "dormant"])
    why: str = Field(description="The reasons behind the score, in words")
    closeness: int | None = Field(description="Your own rating, 1 to 5, if given")
    last_contact: datetime | None
    last_two_way: datetime | None
    features: dict[str, float] = Field(description="recency, intensity, reciprocity, duration")


class StrengthListOut(BaseModel):
    weights: Literal["default", "fitted"]
    total: int
    by_label: dict[str, int]
    people: list[StrengthOut] = Field(description="Strongest first")


class StrengthPointOut(BaseModel):
    at: datetime
    score: float
    label: str
    touches: int = Field(description="Interactions in the month ending here")


class StrengthHistoryOut(BaseModel):
    person_id: int
    full_name: str
    weights: Literal["default", "fitted"]
    rated: bool = Field(description="Their closeness rating is blended into every point")
    points: list[StrengthPointOut] = Field(description="Oldest first; the last one is now")


class ModelOut(BaseModel):
    ratings: int
    needed: int = Field(description="More ratings before weights can be fitted (0: enough)")
    folds: int
    fitted_accuracy: float | None
    default_accuracy: float | None
    fitted_mae: float | None
    default_mae: float | None
    in_use: Literal["default", "fitted"]
    weights: dict[str, float]


CADENCE = (
    r"weekly|fortnightly|monthly|quarterly|yearly|never|default"
    r"|(?:[1-9][0-9]{0,2}|[12][0-9]{3}|3[0-5][0-9]{2}|36[0-4][0-9]|3650)d"
)
CADENCE_RULE = (
    "weekly, fortnightly, monthly, quarterly, yearly, never, default or a number of days "
    "like 45d (1 to 3650)"
)


class RatingIn(RequestBody):
    rating: int = Field(ge=1, le=5, description="How close you feel: 1 (barely) to 5 (very)")


class RatingOut(BaseModel):
    person_id: int
    full_name: str
    closeness: int
    previous: int | None
    ratings: int = Field(description="People rated in the workspace")
    needed: int = Field(description="More ratings before weights can be fitted")


class CadenceIn(RequestBody):
    cadence: Annotated[str, Checked(CADENCE, CADENCE_RULE)] = Field(
        min_length=1,
        max_length=20,
        examples=["monthly"],
        description="weekly, fortnightly, monthly, quarterly, yearly, never, default or 45d",
    )


class CadenceOut(BaseModel):
    person_id: int
    full_name: str
    cadence_days: int | None = Field(description="None: their layer's; 36500: never")
    described: str


class DueOut(BaseModel):
    person_id: int
    full_name: str
    layer: str
    layer_code: int
    strength: float
    days_since: float | None = Field(description="None: never in personal contact")
    cadence_days: float
    overdue_days: float | None
    own_cadence: bool


class DueListOut(BaseModel):
    total: int
    layer_cadence: dict[str, float]
    people: list[DueOut] = Field(description="Inner layers first, then by strength")


class FadeOut(BaseModel):
    strength: StrengthOut
    before: float
    drop: float
    bridge: bool


class BridgeOut(BaseModel):
    strength: StrengthOut
    unique_reach: int
    overlap: float
    fading: bool


class FadingOut(BaseModel):
    days: int
    fading: list[FadeOut] = Field(description="Biggest loss first")
    bridges: list[BridgeOut]
    known_ties: int


class StandingOut(BaseModel):
    person_id: int
    full_name: str
    given: int
    received: int
    value_given: float
    value_received: float
    balance: float = Field(description="Weighted; above 0: you gave more")


class RelationshipOut(BaseModel):
    strength: StrengthOut
    history: StrengthHistoryOut
    layer: str
    layer_code: int = Field(description="0 innermost to 4 (beyond your 150)")
    rank: int
    people: int
    cadence_days: float | None = Field(description="None: never due")
    cadence_source: Literal["layer", "yours", "never"]
    days_since_contact: float | None
    overdue_days: float | None = Field(description="Above 0: overdue; below 0: due in")
    ledger: StandingOut


class TieIn(RequestBody):
    person_a: RowRef
    person_b: RowRef
    trust: float = Field(default=0.5, gt=0, le=1)


class TieOut(BaseModel):
    person_a: int
    name_a: str
    person_b: int
    name_b: str
    trust: float
    source: str
    evidence: int
    created: bool = Field(description="False when an existing tie was updated")


class InferredTiesOut(BaseModel):
    meeting_ties: int
    thread_ties: int
    meetings: int
    threads: int
    too_large: int
    manual_ties: int


class LedgerIn(RequestBody):
    direction: Literal["given", "received"]
    kind: Literal["referral", "introduction", "favour"]
    value: float | None = Field(default=None, ge=0, le=1e12)
    note: str = Field(default="", max_length=2000)
    occurred_at: Moment | None = Field(default=None, description="Now when left out")


class LedgerLineOut(BaseModel):
    person_id: int
    full_name: str
    direction: Literal["given", "received"]
    kind: str
    occurred_at: datetime
    value: float | None
    note: str
    source: Literal["ledger", "referral"]


class PersonLedgerOut(BaseModel):
    standing: StandingOut
    entries: list[LedgerLineOut] = Field(description="Newest first")


class OneSidedOut(BaseModel):
    you_give: list[StandingOut]
    you_take: list[StandingOut]
    entries: int


class SnapshotOut(BaseModel):
    at: datetime
    live_ties: int
    strong_ties: int
    active_ties: int
    layer_fill: list[int]
    two_hop_reach: int
    effective_size: float | None
    constraint: float | None
    reciprocity_balance: float
    referrals_in: int
    referrals_out: int


class ReportOut(BaseModel):
    now: SnapshotOut
    months: list[SnapshotOut] = Field(description="Oldest first; the last one is now")
    layer_sizes: list[int]
    layer_names: list[str]
    referrals_in_year: int
    referrals_out_year: int
    known_ties: int
    weights: Literal["default", "fitted"]


class NetworkActivityOut(BaseModel):
    name: str
    touches_90d: int
    inbound_90d: int


class QuietOut(BaseModel):
    person_id: int
    full_name: str
    touches: int
    last_contact: datetime


class OverviewOut(BaseModel):
    people: int
    interactions: int
    networks: list[NetworkActivityOut]
    quiet: list[QuietOut]
    first: datetime | None
    last: datetime | None


class TimeIn(RequestBody):
    network: str = Field(
        min_length=1, max_length=200, description="Its name, #id or kind", examples=["linkedin"]
    )
    minutes: int = Field(ge=1, le=24 * 60)
    note: str = Field(default="", max_length=2000)
    responses: int | None = Field(
        default=None, ge=0, le=100_000, description="Left out: counted from what comes in"
    )
    spent_at: Moment | None = Field(default=None, description="Now when left out")


class TimeEntryOut(BaseModel):
    id: int
    network: str
    spent_at: datetime
    minutes: int
    responses: int | None
    note: str

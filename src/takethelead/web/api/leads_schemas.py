"""The API's types for leads, referrals, introductions, paths and your profile."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from takethelead.web.api.fields import RequestBody, RowRef


class LeadOut(BaseModel):
    id: int
    text: str
    from_person_id: int | None
    from_person: str | None
    status: Literal["open", "passed", "closed"]
    created_at: datetime


class LeadCreate(RequestBody):
    text: str = Field(min_length=1, max_length=5000, description="Who needs what")
    from_person_id: RowRef | None = Field(
        default=None, description="Who told you (often who has the need)"
    )


class LeadPatch(RequestBody):
    status: Literal["open", "passed", "closed"]


class MatchOut(BaseModel):
    person_id: int
    full_name: str
    company: str
    title: str
    offer: str
    score: float
    relevance: float
    matched: list[str]
    reasons: list[str]
    why: str


class LeadMatchesOut(BaseModel):
    lead: LeadOut
    matches: list[MatchOut]
    semantic: bool = Field(description="MiniLM embeddings were fused with BM25")
    indexed: int = Field(description="People with words to match")


class ReferrersOut(BaseModel):
    lead_profile: str = Field(description="The text matched: your lead profile, or the need")
    matches: list[MatchOut]
    semantic: bool
    indexed: int


class PassIn(RequestBody):
    to_person_id: RowRef
    note: str = Field(default="", max_length=5000, description="Default: the lead's text")


class ReferralOut(BaseModel):
    id: int
    direction: Literal["given", "received"]
    person_id: int
    person: str
    status: Literal["given", "contacted", "met", "won", "lost"]
    value: float | None
    note: str
    thanked: bool
    thank_due: bool
    lead_id: int | None
    created_at: datetime
    updated_at: datetime


class ReferralCreate(RequestBody):
    direction: Literal["given", "received"] = Field(
        description="given: you referred business to them; received: they referred you"
    )
    person_id: RowRef
    note: str = Field(default="", max_length=5000)
    value: float | None = Field(default=None, ge=0, le=1e15, allow_inf_nan=False)


class ReferralPatch(RequestBody):
    status: Literal["given", "contacted", "met", "won", "lost"]
    value: float | None = Field(default=None, ge=0, le=1e15, allow_inf_nan=False)


class FunnelStageOut(BaseModel):
    key: str
    label: str
    count: int


class FunnelOut(BaseModel):
    direction: Literal["given", "received"]
    stages: list[FunnelStageOut]
    lost: int
    won_value: float


class ReferralFunnelOut(BaseModel):
    given: FunnelOut
    received: FunnelOut


class DraftOut(BaseModel):
    to_person_id: int
    to: str
    body: str


class IntroductionOut(BaseModel):
    id: int
    person_a: int
    name_a: str
    person_b: int
    name_b: str
    status: str = Field(description="asked → made (both said yes) | declined")
    accepted_a: bool
    accepted_b: bool
    reason: str
    created_at: datetime
    drafts: list[DraftOut] = Field(description="The messages to send now")


class IntroductionCreate(RequestBody):
    person_a: RowRef
    person_b: RowRef
    reason: str = Field(default="", max_length=2000)


class SideIn(RequestBody):
    side: Literal["a", "b", "A", "B"] = Field(description="Whose answer: person A or person B")


class IntroCandidateOut(BaseModel):
    person_a: int
    name_a: str
    person_b: int
    name_b: str
    score: float
    strength_a: float
    strength_b: float
    matched: list[str]
    reason: str


class PathStepOut(BaseModel):
    person_id: int
    full_name: str
    trust: float
    why: str


class IntroPathOut(BaseModel):
    target_id: int
    target: str
    trust: float
    weakest: float
    hops: int
    ask_id: int
    ask: str
    steps: list[PathStepOut]
    explanation: str


class PathReportOut(BaseModel):
    query: str
    target: str
    company: str | None
    targets: int
    paths: list[IntroPathOut]
    widest: IntroPathOut | None
    distrusted_avoided: int


class ProfileOut(BaseModel):
    person_id: int | None
    full_name: str
    offer: str
    lead_profile: str
    share_text: str


class LeadProfileParts(RequestBody):
    who: str = Field(default="", max_length=1000, description="Who a good lead is")
    need: str = Field(default="", max_length=1000, description="What they need")
    size: str = Field(default="", max_length=500, description="What size")
    signals: str = Field(default="", max_length=1000, description="How to spot them")


class ProfileIn(RequestBody):
    offer: str | None = Field(default=None, min_length=1, max_length=5000)
    lead_profile: str | None = Field(default=None, min_length=1, max_length=5000)
    lead_profile_parts: LeadProfileParts | None = Field(
        default=None, description="Answers composed into the lead profile (instead of it)"
    )
    name: str | None = Field(default=None, min_length=1, max_length=300)

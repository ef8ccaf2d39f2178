"""The API's types for posts, slots and connected accounts (separate from tables and views)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from takethelead.web.api.fields import Checked, Moment, RequestBody, WebAddress, WebAddressOrNone

NETWORKS = r"(?:mastodon|bluesky|discourse|linkedin|x|facebook)"
# A network, or one account of it: "mastodon", "mastodon:ana@social.example".
Target = Annotated[
    str,
    Checked(
        rf"{NETWORKS}(?::[!-~]+)?",
        "one or more of mastodon, bluesky, discourse, linkedin, x, facebook"
        ' (a network, or "network:handle" for one of its accounts)',
    ),
    StringConstraints(min_length=1, max_length=320),
]
_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)"
_DAYS = rf"(?:daily|{_DAY}(?:-{_DAY})?(?:,{_DAY}(?:-{_DAY})?)*)"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_GROUP = rf"{_DAYS} {_TIME}(?:,{_TIME})*"
SLOTS = rf"{_GROUP}(?:; ?{_GROUP})*"
SLOTS_RULE = "days then 24-hour times, as 'mon-fri 09:00,13:00; sat 10:00'"
Kind = Annotated[str, StringConstraints(min_length=1, max_length=20)]
PostText = Annotated[str, StringConstraints(min_length=1, max_length=100_000)]


class DeliveryOut(BaseModel):
    id: int
    post_id: int
    network: str
    occurrence: int
    due_at: datetime
    state: str = Field(
        description="queued, sending, sent, unconfirmed, failed, paused or cancelled"
    )
    attempts: int
    text: str
    remote_url: str | None
    last_error: str


class PostOut(BaseModel):
    id: int
    text: str
    status: str = Field(description="draft, scheduled or cancelled")
    networks: list[str]
    variants: dict[str, str]
    starts_at: datetime | None
    every_days: int | None
    repeat: int | None
    created_at: datetime
    deliveries: list[DeliveryOut]


class PostSummaryOut(BaseModel):
    id: int
    text: str
    status: str
    networks: list[str]
    next_due: datetime | None = Field(description="The earliest delivery still to go out")
    states: dict[str, int] = Field(description="How many deliveries are in each state")
    created_at: datetime


class PostCreate(RequestBody):
    text: str = Field(min_length=1, max_length=100_000)
    to: list[Target] = Field(
        min_length=1,
        max_length=20,
        description='Networks: "mastodon", "bluesky", "discourse", "linkedin", "x", "facebook";'
        ' "mastodon:handle" picks one of several accounts',
        examples=[["mastodon", "bluesky"]],
    )
    at: Moment | None = Field(
        default=None, description="When, with its offset; neither `at` nor `next_slot`: now"
    )
    next_slot: bool = Field(default=False, description="Each network's next free posting slot")
    draft: bool = Field(default=False, description="Keep as a draft; nothing is sent")
    variants: dict[Kind, PostText] = Field(
        default_factory=dict,
        max_length=20,
        description='Per-network text, e.g. {"bluesky": "shorter text"}',
    )
    every_days: int | None = Field(default=None, ge=1, le=3660, description="Recur every N days")
    repeat: int | None = Field(
        default=None, ge=1, le=1000, description="How many times in all (with every_days)"
    )


class PostEdit(RequestBody):
    text: str = Field(min_length=1, max_length=100_000)
    network: Literal["mastodon", "bluesky", "discourse", "linkedin", "x", "facebook"] | None = (
        Field(default=None, description="Change only this network's text")
    )


class DraftSchedule(RequestBody):
    at: Moment | None = None
    next_slot: bool = False


class ManualDone(RequestBody):
    network: Literal["linkedin", "x", "facebook"]
    url: WebAddressOrNone = Field(default="", description="Where you published it")


class Untouched(BaseModel):
    network: str
    state: str


class ChangeOut(BaseModel):
    post_id: int
    changed: int = Field(description="Deliveries changed (only those not yet claimed)")
    untouched: list[Untouched] = Field(description="Deliveries already sending or finished")


class QueueOut(BaseModel):
    deliveries: list[DeliveryOut]
    notices: list[str]


class SlotsOut(BaseModel):
    network: str
    slots: list[str] = Field(examples=[["mon 09:00", "tue 09:00"]])
    next_free: datetime | None


class SlotsSet(RequestBody):
    network: Literal["mastodon", "bluesky", "discourse", "linkedin", "x", "facebook"]
    slots: Annotated[str, Checked(SLOTS, SLOTS_RULE)] = Field(
        min_length=1,
        max_length=1000,
        examples=["mon-fri 09:00,13:00; sat 10:00"],
        description="Days (mon … sun, ranges, lists or daily), a space, then 24-hour times",
    )


class FreeSlotOut(BaseModel):
    at: datetime
    networks: list[str]


class AccountOut(BaseModel):
    id: int
    kind: str
    base_url: str
    handle: str
    status: str = Field(description="active or paused")
    status_reason: str
    inbox_synced_at: datetime | None


class AccountConnect(RequestBody):
    network: Literal["mastodon", "bluesky", "discourse"]
    url: WebAddress | None = Field(
        default=None,
        description="Mastodon server, Discourse forum, or Bluesky PDS (default bsky.social)",
    )
    secret: str = Field(
        min_length=1,
        max_length=2000,
        description="Mastodon access token, Bluesky app password, or Discourse API key",
    )
    handle: str = Field(
        default="",
        max_length=300,
        description="Bluesky handle, or the Discourse username the key acts as",
    )
    allow_private: bool = Field(
        default=False, description="Allow a server on a private or loopback address"
    )


class AccountConnected(BaseModel):
    account: AccountOut
    created: bool = Field(description="False when an existing account got new credentials")


class DisconnectOut(BaseModel):
    account_id: int
    removed: bool = Field(description="True when nothing waited on it and it is gone")
    waiting: int = Field(description="Posts kept paused until a reconnect or a cancel")


class SyncOut(BaseModel):
    stored: dict[str, int] = Field(description="New responses per account")
    linked: int = Field(description="Responses tied to one of your posts")
    problems: list[str]

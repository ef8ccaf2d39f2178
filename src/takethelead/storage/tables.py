"""Database tables. Every row belongs to exactly one workspace."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from takethelead.storage.types import EpochSeconds

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: type[Base]) -> Table:
    """The Core table behind a mapped class, for fast bulk statements."""
    return cast(Table, model.__table__)


class Workspace(Base):
    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)


class Person(Base):
    __tablename__ = "person"
    # Lists sort by name: the first page is read off this index, not sorted from every row.
    # Counts and the strongest ties (layers) read the strength index; own cadences theirs.
    __table_args__ = (
        Index("ix_person_name", "workspace_id", text("lower(full_name)"), "id"),
        Index("ix_person_strength", "workspace_id", "is_me", "strength"),
        Index("ix_person_cadence", "workspace_id", "cadence_days"),
        Index("ix_person_touches", "workspace_id", "touches"),
        Index("ix_person_last_touch", "workspace_id", "last_touch_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    full_name: Mapped[str] = mapped_column(String(300))
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    company: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    offer: Mapped[str] = mapped_column(Text, default="")
    lead_profile: Mapped[str] = mapped_column(Text, default="")
    birthday: Mapped[date | None] = mapped_column(Date, nullable=True)
    connected_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closeness: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cadence_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_me: Mapped[bool] = mapped_column(Boolean, default=False)
    # Interactions and the newest one's time, up to the nightly tally's last interaction id
    # (services.ranking adds the rest): people lists sort by them.
    touches: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_touch_at: Mapped[datetime | None] = mapped_column(EpochSeconds, nullable=True)
    # Tie strength as last scored (a cache: interactions are the truth), for fast lists and plans.
    strength: Mapped[float | None] = mapped_column(Float, nullable=True)
    distrusted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Folded (lower-case, accent-free) names, company, title, notes and offer: what search reads.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow, onupdate=utcnow)

    identities: Mapped[list[Identity]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )
    tags: Mapped[list[PersonTag]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class Identity(Base):
    __tablename__ = "identity"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(500))
    display: Mapped[str] = mapped_column(String(500), default="")

    person: Mapped[Person] = relationship(back_populates="identities")


class PersonTag(Base):
    __tablename__ = "person_tag"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(100), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )


class Network(Base):
    __tablename__ = "network"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)


class Interaction(Base):
    __tablename__ = "interaction"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source", "external_id"),
        # Covering: one person's relationship is read from the index alone.
        Index(
            "ix_interaction_person_time",
            "workspace_id",
            "person_id",
            "occurred_at",
            "id",
            "kind",
            "direction",
            "automated",
        ),
        Index("ix_interaction_time", "workspace_id", "occurred_at"),
        Index(
            "ix_interaction_network_time", "workspace_id", "network_id", "occurred_at", "direction"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("network.id", ondelete="SET NULL"), nullable=True
    )
    occurred_at: Mapped[datetime] = mapped_column(EpochSeconds)
    kind: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(10))
    automated: Mapped[bool] = mapped_column(Boolean, default=False)
    minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    # Where it came from ("linkedin-messages", "manual", …) and its id there:
    # re-imports match on them.
    source: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(200))


class TimeEntry(Base):
    __tablename__ = "time_entry"
    __table_args__ = (Index("ix_time_entry_network", "workspace_id", "network_id", "spent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    spent_at: Mapped[datetime] = mapped_column(EpochSeconds)
    minutes: Mapped[int] = mapped_column(Integer)
    responses: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class Setting(Base):
    __tablename__ = "setting"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON


class ImportRun(Base):
    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    format: Mapped[str] = mapped_column(String(40))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)


class Tie(Base):
    """A known tie between two of the user's contacts (person_a < person_b)."""

    __tablename__ = "tie"
    __table_args__ = (
        UniqueConstraint("workspace_id", "person_a", "person_b", "source"),
        Index("ix_tie_b", "workspace_id", "person_b"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    person_a: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    person_b: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    # How much person_a and person_b trust each other, in (0, 1].
    trust: Mapped[float] = mapped_column(Float, default=0.5)
    # "manual" (lead knows A B), "meeting", "thread", "mention": where the evidence came from.
    source: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)


class LedgerEntry(Base):
    """A referral, introduction or favour given to or received from a person."""

    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_person", "workspace_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(10))  # given | received
    kind: Mapped[str] = mapped_column(String(20))  # referral | introduction | favour
    occurred_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referral.id", ondelete="SET NULL"), nullable=True
    )


class Lead(Base):
    """Someone who needs a service, as the user heard of it."""

    __tablename__ = "lead"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    from_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | passed | closed
    created_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)


class Referral(Base):
    """A lead passed from one person to another, followed until won or lost."""

    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_status", "workspace_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("lead.id", ondelete="SET NULL"), nullable=True
    )
    # given: the user referred business to person_id; received: person_id referred the user.
    direction: Mapped[str] = mapped_column(String(10))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    # given → contacted → met → won | lost
    status: Mapped[str] = mapped_column(String(12), default="given")
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    thanked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow, onupdate=utcnow)


class Introduction(Base):
    """Two people the user connects, by double opt-in."""

    __tablename__ = "introduction"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    person_a: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    person_b: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    # proposed → asked → accepted (both said yes) → made | declined
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    accepted_a: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_b: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)


class Plan(Base):
    """One week's plan as it was proposed."""

    __tablename__ = "plan"
    __table_args__ = (Index("ix_plan_week", "workspace_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    budget_minutes: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)
    # Last month's touches when the plan was made; None for plans made before they were kept.
    balance_automated: Mapped[int | None] = mapped_column(Integer, nullable=True)
    balance_personal: Mapped[int | None] = mapped_column(Integer, nullable=True)
    balance_automated_only: Mapped[int | None] = mapped_column(Integer, nullable=True)

    actions: Mapped[list[PlanAction]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="PlanAction.position"
    )


class PlanAction(Base):
    """One action of a plan: minutes, who or where, why, and what came of it."""

    __tablename__ = "plan_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float, default=0.0)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), nullable=True
    )
    other_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), nullable=True
    )
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("network.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | done | skipped
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(EpochSeconds, nullable=True)
    # The occurrence a manual-post action stands for; gone from the queue, the action says so.
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("delivery.id", ondelete="SET NULL"), nullable=True
    )


class PlanAutomatedOnly(Base):
    """One of the first few people who got only automated touches, as a plan's balance names."""

    __tablename__ = "plan_automated_only"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )


class SourceRecord(Base):
    """What one source last said about one person, so re-imports apply only its changes.

    Without it two sources that spell a company differently would overwrite each other on
    every import, and a re-import would undo the user's own edits.
    """

    __tablename__ = "source_record"
    __table_args__ = (UniqueConstraint("workspace_id", "source", "record_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(40))
    record_key: Mapped[str] = mapped_column(String(600))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    fields: Mapped[str] = mapped_column(Text)  # JSON: field → value as the source gave it


class User(Base):
    """Someone who signs in to the web app; workspaces are reached through memberships."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)


class Membership(Base):
    """A user's role in a workspace: owner (may change anything) or member (read only)."""

    __tablename__ = "membership"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(10))  # owner | member


class ApiToken(Base):
    """A personal API token; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(EpochSeconds, nullable=True)


class LoginAttempt(Base):
    """Failed sign-ins, for rate limiting across every web process."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_key", "key", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400))  # the e-mail and the client address
    attempted_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)


class Invitation(Base):
    """An offer of a role in a workspace to an e-mail address, taken up only by its owner.

    Only the SHA-256 digest of the link's token is kept. An existing user accepts after
    signing in; someone new sets their own password through the link.
    """

    __tablename__ = "invitation"
    __table_args__ = (Index("ix_invitation_email", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(10))  # owner | member
    invited_by: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(EpochSeconds)
    accepted_at: Mapped[datetime | None] = mapped_column(EpochSeconds, nullable=True)
    declined_at: Mapped[datetime | None] = mapped_column(EpochSeconds, nullable=True)
    # True when accepting it created the account: its password was set through the link.
    created_account: Mapped[bool] = mapped_column(Boolean, default=False)


class ConnectorAccount(Base):
    """A live network account: where it is, who it is, and its secret encrypted at rest."""

    __tablename__ = "connector_account"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "base_url", "handle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # mastodon | bluesky | discourse
    base_url: Mapped[str] = mapped_column(String(500))
    handle: Mapped[str] = mapped_column(String(300))  # acct@server, handle, or forum username
    secret: Mapped[str] = mapped_column(Text)  # Fernet token of the access token / key
    session_secret: Mapped[str | None] = mapped_column(Text, nullable=True)  # Bluesky session
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)
    max_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | paused
    status_reason: Mapped[str] = mapped_column(Text, default="")
    hold_until: Mapped[datetime | None] = mapped_column(EpochSeconds, nullable=True)
    inbox_cursor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    inbox_synced_at: Mapped[datetime | None] = mapped_column(EpochSeconds, nullable=True)
    created_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow, onupdate=utcnow)


class Post(Base):
    """Broadcast content: text, when, and how often it recurs."""

    __tablename__ = "post"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    # draft | scheduled | cancelled
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    starts_at: Mapped[datetime | None] = mapped_column(EpochSeconds, nullable=True)
    every_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    repeat: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: until cancelled
    occurrences: Mapped[int] = mapped_column(Integer, default=0)  # occurrences scheduled so far
    networks: Mapped[str] = mapped_column(Text, default="")  # JSON list of network targets
    created_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(EpochSeconds, default=utcnow, onupdate=utcnow)


class PostVariant(Base):
    """The text a post carries on one network, when it differs from the post's own."""

    __tablename__ = "post_variant"
    __table_args__ = (UniqueConstraint("post_id", "network"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)


class Delivery(Base):
    """One occurrence of a post on one network, moved through its states by claims."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        UniqueConstraint("post_id", "network", "occurrence"),
        Index("ix_delivery_due", "state", "due_at"),
        Index("ix_delivery_workspace", "workspace_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("connector_account.id", ondelete="SET NULL"), nullable=True
    )
    occurrence: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(EpochSeconds)
    # queued | sending | sent | unconfirmed | failed | paused | cancelled
    state: Mapped[str] = mapped_column(String(12), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    idempotency_key: Mapped[str] = mapped_column(String(80))
    remote_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    remote_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(EpochSeconds, nullable=True)
    first_sent_at: Mapped[datetime | None] = mapped_column(EpochSeconds, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(EpochSeconds, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(EpochSeconds, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class PostingSlot(Base):
    """A weekly time at which a network gets posts: weekday (0 = Monday) and minute of day."""

    __tablename__ = "posting_slot"
    __table_args__ = (UniqueConstraint("workspace_id", "network", "weekday", "minute"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(20))
    weekday: Mapped[int] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)


class PostResponse(Base):
    """An inbound interaction that answers one of our posts (reply, like, repost)."""

    __tablename__ = "post_response"

    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interaction.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("delivery.id", ondelete="SET NULL"), nullable=True
    )

"""The records that importers produce and services store.

They are plain, frozen dataclasses so that parsers stay pure (no database) and the
import service can check them, de-duplicate them and write them in one transaction.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

ME_TAG = "me"  # a PersonRecord with this tag describes the workspace's owner


class NetworkKind(enum.StrEnum):
    LINKEDIN = "linkedin"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    DISCOURSE = "discourse"
    X = "x"
    FACEBOOK = "facebook"
    FORUM = "forum"
    EMAIL = "email"
    IN_PERSON = "in-person"
    OTHER = "other"


class IdentityKind(enum.StrEnum):
    """How a person is recognised on a channel; values are normalised (see identities.py)."""

    EMAIL = "email"
    PHONE = "phone"
    LINKEDIN = "linkedin"  # profile URL path, e.g. "in/ana-diaz"
    MASTODON = "mastodon"  # "user@server"
    BLUESKY = "bluesky"  # handle, e.g. "ana.bsky.social"
    X = "x"  # screen name without "@"
    X_ID = "x_id"  # numeric account id (X archives list follows by id only)
    FORUM = "forum"  # "forum-host/username"
    WEBSITE = "website"


class InteractionKind(enum.StrEnum):
    MEETING = "meeting"
    CALL = "call"
    MESSAGE = "message"
    EMAIL = "email"
    REPLY = "reply"
    MENTION = "mention"
    COMMENT = "comment"
    REACTION = "reaction"
    REPOST = "repost"
    FOLLOW = "follow"
    CONNECTION = "connection"  # an accepted or sent invitation to connect
    INTRODUCTION = "introduction"
    REFERRAL = "referral"
    FAVOUR = "favour"
    NOTE = "note"


class Direction(enum.StrEnum):
    INBOUND = "inbound"  # they reached me
    OUTBOUND = "outbound"  # I reached them
    MUTUAL = "mutual"  # both at once: a meeting, a call


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    kind: IdentityKind
    value: str  # normalised, the key that makes two records one person
    display: str = ""  # as written in the source, for showing


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person as one source describes them."""

    full_name: str
    identities: tuple[IdentityRecord, ...] = ()
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    title: str = ""
    notes: str = ""
    offer: str = ""
    birthday: date | None = None
    tags: tuple[str, ...] = ()
    network: NetworkKind | None = None  # where this source knows them from
    connected_on: date | None = None
    line: int = 0  # where the record starts in its file, for messages


@dataclass(frozen=True, slots=True)
class InteractionRecord:
    """One touch with one person, found by one of their identities (or by name)."""

    occurred_at: datetime  # timezone-aware, UTC
    kind: InteractionKind
    direction: Direction
    counterpart: tuple[IdentityRecord, ...]  # identities of the other person
    counterpart_name: str = ""
    network: NetworkKind | None = None
    summary: str = ""
    external_id: str = ""  # stable id within its source: re-imports match on it
    automated: bool = False
    minutes: int | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """A row that is well-formed but carries nothing to store, with the reason."""

    line: int
    reason: str


ParsedItem = PersonRecord | InteractionRecord | SkippedRecord


@dataclass(frozen=True, slots=True)
class OwnerHints:
    """What a parser needs to know about the user to tell direction (mbox, X, iCal)."""

    emails: frozenset[str] = field(default_factory=frozenset)
    names: frozenset[str] = field(default_factory=frozenset)
    handles: frozenset[str] = field(default_factory=frozenset)


class ParseError(ValueError):
    """Bad input: names the file, the line and what was expected."""

    def __init__(self, path: str, line: int | None, expected: str) -> None:
        self.path = path
        self.line = line
        self.expected = expected
        where = f"{path}, line {line}" if line else path
        super().__init__(f"{where}: {expected}")

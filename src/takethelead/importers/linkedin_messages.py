"""LinkedIn `messages.csv`: one interaction per counterpart per message."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from takethelead.domain.identities import fold, identity
from takethelead.domain.records import (
    ME_TAG,
    Direction,
    IdentityKind,
    IdentityRecord,
    InteractionKind,
    InteractionRecord,
    NetworkKind,
    OwnerHints,
    ParsedItem,
    ParseError,
    PersonRecord,
    SkippedRecord,
)
from takethelead.importers.csvtable import Row, rows
from takethelead.importers.dates import parse_export_datetime
from takethelead.importers.interactions import stable_id, summary
from takethelead.importers.people import Announced, unique

EXPECTED_HEADER = (
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,"
    "RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER"
)
_URL_SEPARATORS = re.compile(r"[\s,;]+")
_SKIPPED_FOLDERS = {"spam", "draft", "drafts"}
# LinkedIn shows deleted and hidden accounts under this name, with no profile URL.
_ANONYMOUS = "linkedin member"


def _is_header(keys: set[str]) -> bool:
    return {"conversation id", "from", "sender profile url", "date", "content"} <= keys


@dataclass(frozen=True, slots=True)
class _Party:
    name: str
    identities: tuple[IdentityRecord, ...]

    @property
    def url(self) -> str:
        """The normalised profile path, or "" when the export has none."""
        return self.identities[0].value if self.identities else ""


def _recipients(row: Row) -> list[_Party]:
    urls = [u for u in _URL_SEPARATORS.split(row.get("recipient profile urls")) if u]
    names_cell = row.get("to").strip()
    names = [n.strip() for n in names_cell.split(",")]
    # Names may hold commas themselves: pair them with URLs only when the counts agree.
    if len(urls) <= 1:
        names = [names_cell]
    elif len(names) != len(urls):
        names = [""] * len(urls)
    return [
        _Party(name, unique([identity(IdentityKind.LINKEDIN, url)]))
        for name, url in zip(names, urls or [""], strict=False)
    ]


def _sender(row: Row) -> _Party:
    found = identity(IdentityKind.LINKEDIN, row.get("sender profile url"))
    return _Party(row.get("from").strip(), unique([found]))


def infer_owner(path: Path) -> set[str]:
    """The profile present in the most messages: the person who exported them."""
    counts: Counter[str] = Counter()
    for row in rows(path, _is_header, EXPECTED_HEADER):
        # Ordered, not a set: ties go to the first seen (the sender), the same on every run.
        parties = dict.fromkeys(p.url for p in [_sender(row), *_recipients(row)] if p.url)
        counts.update(parties.keys())
    if not counts:
        return set()
    return {counts.most_common(1)[0][0]}


class _Owner:
    """Who the owner is: their profile URLs (given or inferred) and names."""

    def __init__(self, path: Path, owner: OwnerHints) -> None:
        self.urls = {
            found.value
            for handle in owner.handles
            if (found := identity(IdentityKind.LINKEDIN, handle)) is not None
        }
        self.inferred = not self.urls
        if self.inferred:
            self.urls = infer_owner(path)
        self.names = {fold(name) for name in owner.names}

    def is_owner(self, party: _Party) -> bool:
        if party.url:
            return party.url in self.urls
        return bool(party.name) and fold(party.name) in self.names

    def profile(self, sender: _Party, line: int) -> PersonRecord | None:
        """The owner's own profile, once, when it was inferred: the next import needs no pass."""
        if not (self.inferred and sender.identities and sender.name):
            return None
        self.inferred = False
        return PersonRecord(
            full_name=sender.name,
            identities=sender.identities,
            tags=(ME_TAG,),
            network=NetworkKind.LINKEDIN,
            line=line,
        )


def _skip_reason(row: Row) -> str:
    if row.get("is message draft").strip().lower() in ("yes", "true", "1"):
        return "draft message, never sent"
    folder = row.get("folder").strip().lower()
    if folder in _SKIPPED_FOLDERS:
        return f"message in the {folder.upper()} folder"
    return ""


def _occurred_at(path: Path, row: Row) -> datetime:
    raw_date = row.get("date")
    occurred_at = parse_export_datetime(raw_date)
    if occurred_at is None:
        raise ParseError(
            str(path),
            row.line,
            f"expected a DATE like '2023-05-01 14:22:10 UTC', found {raw_date!r}",
        )
    return occurred_at


def _known(parties: list[_Party]) -> list[_Party]:
    return [p for p in parties if p.url or (p.name and p.name.lower() != _ANONYMOUS)]


def _messages(
    row: Row,
    sender: _Party,
    direction: Direction,
    counterparts: list[_Party],
    occurred_at: datetime,
    announced: Announced,
) -> Iterator[ParsedItem]:
    subject = row.get("subject")
    content = row.get("content")
    text = f"{subject}\n{content}" if subject.strip() else content
    message_id = stable_id(
        row.get("conversation id"), row.get("date").strip(), sender.url or sender.name, content
    )
    for party in counterparts:
        person = PersonRecord(
            full_name=party.name or party.url,
            identities=party.identities,
            network=NetworkKind.LINKEDIN,
            line=row.line,
        )
        if announced.first_time(person):
            yield person
        yield InteractionRecord(
            occurred_at=occurred_at,
            kind=InteractionKind.MESSAGE,
            direction=direction,
            counterpart=party.identities,
            counterpart_name=party.name,
            network=NetworkKind.LINKEDIN,
            summary=summary(text),
            external_id=f"{message_id}/{party.url or party.name}",
            line=row.line,
        )


def parse(path: Path, owner: OwnerHints) -> Iterator[ParsedItem]:
    """Yield counterpart people and one MESSAGE per counterpart per message."""
    me = _Owner(path, owner)
    announced = Announced()
    for row in rows(path, _is_header, EXPECTED_HEADER):
        reason = _skip_reason(row)
        if reason:
            yield SkippedRecord(row.line, reason)
            continue
        occurred_at = _occurred_at(path, row)
        sender = _sender(row)
        if me.is_owner(sender):
            if (profile := me.profile(sender, row.line)) is not None:
                yield profile
            direction = Direction.OUTBOUND
            counterparts = [p for p in _recipients(row) if not me.is_owner(p)]
        else:
            direction, counterparts = Direction.INBOUND, [sender]
        counterparts = _known(counterparts)
        if not counterparts:
            yield SkippedRecord(row.line, "message with no counterpart known by URL or name")
            continue
        yield from _messages(row, sender, direction, counterparts, occurred_at, announced)

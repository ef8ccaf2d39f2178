"""mbox mailboxes (Gmail Takeout): e-mails to and from the owner, message by message."""

from __future__ import annotations

import mailbox
from array import array
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from takethelead.domain.identities import normalise_email
from takethelead.domain.records import (
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
from takethelead.importers.interactions import stable_id, summary
from takethelead.importers.people import Announced
from takethelead.importers.textfile import MAX_LINE_BYTES, too_long

# Headers beyond this size are cut: a runaway header section must not fill memory.
_HEADER_LIMIT = 1024 * 1024
_SKIPPED_LABELS = {"spam", "trash"}
_BULK_PRECEDENCE = {"bulk", "list", "junk"}


def _text(value: object) -> str:
    """A header as readable text: RFC 2047 words decoded, stray 8-bit bytes repaired."""
    if value is None:
        return ""
    raw = str(value)
    try:
        text = str(make_header(decode_header(raw)))
    except (MessageError, UnicodeError, LookupError, ValueError):
        text = raw
    # compat32 keeps undecodable bytes as surrogates; turn them into replacement characters.
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _addresses(message: Message, *names: str) -> list[tuple[str, str]]:
    """(display name, normalised address) pairs from the given headers."""
    raw = [str(v) for name in names for v in message.get_all(name, [])]
    pairs = []
    for display, address in getaddresses(raw):
        email = normalise_email(_text(address))
        if email:
            pairs.append((_text(display).strip().strip('"'), email))
    return pairs


def _check_start(path: Path) -> None:
    with path.open("rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        raise ParseError(str(path), None, "empty file")
    if b"\x00" in head:
        raise ParseError(str(path), None, f"binary file (NUL byte at offset {head.index(0)})")
    stripped = head.lstrip(b"\r\n")
    if not stripped.startswith(b"From "):
        line = head[: len(head) - len(stripped)].count(b"\n") + 1
        raise ParseError(str(path), line, "expected an mbox 'From ' line at the start")


def _from_lines(path: Path) -> array[int]:
    """The line of each message's "From " line, the rule mailbox.mbox splits messages by.

    Read before mailbox.mbox sees the file: it reads whole lines, however long they are.
    """
    found = array("Q")
    with path.open("rb") as handle:
        number = 0
        while line := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(line) > MAX_LINE_BYTES:
                raise ParseError(str(path), number, too_long("a line"))
            if line.startswith(b"From "):
                found.append(number)
    return found


def _messages(path: Path) -> Iterator[tuple[int, Message]]:
    _check_start(path)
    starts = _from_lines(path)
    box = mailbox.mbox(path, create=False)
    parser = BytesHeaderParser(policy=compat32)
    try:
        for key, line in zip(box.iterkeys(), starts, strict=False):
            with box.get_file(key) as handle:
                header = bytearray()
                for raw in handle:
                    if raw in (b"\n", b"\r\n") or len(header) > _HEADER_LIMIT:
                        break
                    header += raw
            yield line, parser.parsebytes(bytes(header))
    finally:
        box.close()


def infer_owner(path: Path) -> set[str]:
    """The address present in the most messages: the mailbox's owner."""
    counts: Counter[str] = Counter()
    for _, message in _messages(path):
        headers = ("From", "To", "Cc", "Delivered-To")
        # Ordered, not a set: ties go to the first seen (the sender), the same on every run.
        counts.update(dict.fromkeys(email for _, email in _addresses(message, *headers)).keys())
    return {counts.most_common(1)[0][0]} if counts else set()


def _sent_at(message: Message) -> datetime | None:
    try:
        moment = parsedate_to_datetime(_text(message.get("Date")))
    except (TypeError, ValueError, IndexError):
        return None
    # "-0000" means the zone is unknown: take the time as UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _why_skipped(message: Message, inbound: bool) -> str:
    labels = {label.strip().lower() for label in _text(message.get("X-Gmail-Labels")).split(",")}
    if labels & _SKIPPED_LABELS:
        return "message in Gmail's Spam or Trash"
    precedence = _text(message.get("Precedence")).strip().lower()
    auto = _text(message.get("Auto-Submitted")).strip().lower()
    if inbound and (
        message.get("List-Id") or precedence in _BULK_PRECEDENCE or auto not in ("", "no")
    ):
        return "mailing-list or automated message"
    return ""


_Parties = list[tuple[str, str]]


def _direction(message: Message, mine: set[str]) -> tuple[Direction, _Parties] | None:
    """Whether the owner sent or received the message, and the counterparts; None if neither."""
    senders = _addresses(message, "From")
    recipients = _addresses(message, "To", "Cc", "Bcc")
    if senders and senders[0][1] in mine:
        return Direction.OUTBOUND, [p for p in recipients if p[1] not in mine]
    if {e for _, e in [*recipients, *_addresses(message, "Delivered-To")]} & mine:
        return Direction.INBOUND, senders[:1]
    return None


def _skip_reason(
    message: Message, direction: Direction, parties: _Parties, sent_at: datetime | None
) -> str:
    reason = _why_skipped(message, direction is Direction.INBOUND)
    if not reason and not parties:
        reason = "message with no one but the owner"
    if not reason and sent_at is None:
        reason = "message without a readable Date header"
    return reason


def _emails(
    line: int,
    message: Message,
    direction: Direction,
    parties: _Parties,
    sent_at: datetime,
    announced: Announced,
) -> Iterator[ParsedItem]:
    """One interaction per address, named by its first display name."""
    senders = _addresses(message, "From")
    subject = _text(message.get("Subject"))
    message_id = _text(message.get("Message-ID")).strip().strip("<>")
    base = message_id or stable_id(sent_at.isoformat(), senders[0][1] if senders else "", subject)
    named: dict[str, str] = {}
    for name, email in parties:
        named.setdefault(email, name)
    for email, name in named.items():
        contact = (IdentityRecord(IdentityKind.EMAIL, email, email),)
        person = PersonRecord(full_name=name or email, identities=contact, line=line)
        if announced.first_time(person):
            yield person
        yield InteractionRecord(
            occurred_at=sent_at,
            kind=InteractionKind.EMAIL,
            direction=direction,
            counterpart=contact,
            counterpart_name=name,
            network=NetworkKind.EMAIL,
            summary=summary(subject),
            external_id=f"{base}/{email}",
            line=line,
        )


def parse(path: Path, owner: OwnerHints) -> Iterator[ParsedItem]:
    """Yield counterpart people and an EMAIL interaction per counterpart of the owner's mail."""
    mine = {e for raw in owner.emails if (e := normalise_email(raw))} or infer_owner(path)
    announced = Announced()
    for line, message in _messages(path):
        found = _direction(message, mine)
        if found is None:
            yield SkippedRecord(line, "message neither from nor to the owner")
            continue
        direction, parties = found
        sent_at = _sent_at(message)
        reason = _skip_reason(message, direction, parties, sent_at)
        if reason or sent_at is None:
            yield SkippedRecord(line, reason)
            continue
        yield from _emails(line, message, direction, parties, sent_at, announced)

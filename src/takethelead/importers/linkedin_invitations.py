"""LinkedIn `Invitations.csv`: one CONNECTION interaction per invitation sent or received."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from takethelead.domain.identities import identity
from takethelead.domain.records import (
    Direction,
    IdentityKind,
    InteractionKind,
    InteractionRecord,
    NetworkKind,
    OwnerHints,
    ParsedItem,
    ParseError,
    PersonRecord,
    SkippedRecord,
)
from takethelead.importers.csvtable import rows
from takethelead.importers.dates import parse_export_datetime
from takethelead.importers.interactions import stable_id, summary
from takethelead.importers.people import unique

EXPECTED_HEADER = "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl"
_DIRECTIONS = {"incoming": Direction.INBOUND, "outgoing": Direction.OUTBOUND}


def _is_header(keys: set[str]) -> bool:
    return {"from", "to", "sent at", "direction"} <= keys


def parse(path: Path, owner: OwnerHints) -> Iterator[ParsedItem]:
    """Yield the other person and a CONNECTION interaction per invitation."""
    for row in rows(path, _is_header, EXPECTED_HEADER):
        raw_direction = row.get("direction").strip()
        direction = _DIRECTIONS.get(raw_direction.lower())
        if direction is None:
            raise ParseError(
                str(path),
                row.line,
                f"expected Direction INCOMING or OUTGOING, found {raw_direction!r}",
            )
        raw_sent = row.get("sent at")
        sent_at = parse_export_datetime(raw_sent)
        if sent_at is None:
            raise ParseError(
                str(path), row.line, f"expected Sent At like '1/15/24, 2:40 PM', found {raw_sent!r}"
            )
        # The other person is the inviter of what came in and the invitee of what went out.
        if direction is Direction.INBOUND:
            name, url = row.get("from").strip(), row.get("inviterprofileurl")
        else:
            name, url = row.get("to").strip(), row.get("inviteeprofileurl")
        identities = unique([identity(IdentityKind.LINKEDIN, url)])
        if not name and not identities:
            yield SkippedRecord(row.line, "invitation without the other person's name or URL")
            continue
        key = identities[0].value if identities else name
        yield PersonRecord(
            full_name=name or key,
            identities=identities,
            network=NetworkKind.LINKEDIN,
            line=row.line,
        )
        yield InteractionRecord(
            occurred_at=sent_at,
            kind=InteractionKind.CONNECTION,
            direction=direction,
            counterpart=identities,
            counterpart_name=name,
            network=NetworkKind.LINKEDIN,
            summary=summary(row.get("message")),
            external_id=stable_id(direction.value, key, sent_at.isoformat()),
            line=row.line,
        )

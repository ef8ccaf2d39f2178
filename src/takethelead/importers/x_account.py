"""X archive `data/account.js`: the owner's own account, as a person tagged "me"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from takethelead.domain.identities import identity
from takethelead.domain.records import (
    ME_TAG,
    IdentityKind,
    NetworkKind,
    OwnerHints,
    ParsedItem,
    ParseError,
    PersonRecord,
    SkippedRecord,
)
from takethelead.importers.people import unique
from takethelead.importers.ytd import items


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def parse(path: Path, owner: OwnerHints) -> Iterator[ParsedItem]:
    """Yield the owner's account as a PersonRecord tagged "me" (X handle, X id, e-mail)."""
    for line, element in items(path, ("account",)):
        account = element.get("account") if isinstance(element, dict) else None
        if not isinstance(account, dict):
            raise ParseError(str(path), line, 'expected {"account": {"accountId", "username", …}}')
        username = _text(account.get("username"))
        identities = unique(
            [
                identity(IdentityKind.X, username),
                identity(IdentityKind.X_ID, _text(account.get("accountId"))),
                identity(IdentityKind.EMAIL, _text(account.get("email"))),
            ]
        )
        if not identities:
            yield SkippedRecord(line, "account without a username or id")
            continue
        yield PersonRecord(
            full_name=_text(account.get("accountDisplayName")).strip()
            or username
            or identities[0].value,
            identities=identities,
            tags=(ME_TAG,),
            network=NetworkKind.X,
            line=line,
        )

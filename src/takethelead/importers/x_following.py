"""X archive `data/following.js` (or `follower.js`): accounts known by id only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from takethelead.domain.identities import identity
from takethelead.domain.records import (
    IdentityKind,
    NetworkKind,
    OwnerHints,
    ParsedItem,
    ParseError,
    PersonRecord,
)
from takethelead.importers.ytd import items


def parse(path: Path, owner: OwnerHints) -> Iterator[ParsedItem]:
    """Yield a PersonRecord with an X_ID identity per followed (or following) account."""
    for line, element in items(path, ("following", "follower")):
        entry = None
        if isinstance(element, dict):
            entry = element.get("following", element.get("follower"))
        account_id = entry.get("accountId") if isinstance(entry, dict) else None
        found = identity(IdentityKind.X_ID, account_id) if isinstance(account_id, str) else None
        if found is None:
            raise ParseError(str(path), line, 'expected {"following": {"accountId": "…"}}')
        yield PersonRecord(
            # The archive holds no handle or name: the id is all there is to show.
            full_name=f"X account {found.value}",
            identities=(found,),
            network=NetworkKind.X,
            line=line,
        )

"""Mastodon `following_accounts.csv`: one person per followed account."""

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
from takethelead.importers.csvtable import records, rows

EXPECTED_HEADER = "Account address,Show boosts,Notify on new posts,Languages"


def _is_header(keys: set[str]) -> bool:
    return "account address" in keys


def _has_header(path: Path) -> bool:
    # The oldest exports are bare lists of addresses, with no header at all.
    for _, cells in records(path):
        if cells:
            return "account address" in {c.strip().lower() for c in cells}
    return True


def _addresses(path: Path) -> Iterator[tuple[int, str]]:
    if _has_header(path):
        for row in rows(path, _is_header, EXPECTED_HEADER):
            yield row.line, row.get("account address")
        return
    for line, cells in records(path):
        if cells and cells[0].strip():
            yield line, cells[0]


def parse(path: Path, owner: OwnerHints) -> Iterator[ParsedItem]:
    """Yield a PersonRecord, named by its address, per followed account."""
    for line, address in _addresses(path):
        found = identity(IdentityKind.MASTODON, address)
        if found is None:
            raise ParseError(
                str(path),
                line,
                f"expected an account address like 'alice@mastodon.social', found {address!r}",
            )
        yield PersonRecord(
            full_name=found.value,
            identities=(found,),
            network=NetworkKind.MASTODON,
            line=line,
        )

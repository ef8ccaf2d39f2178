"""LinkedIn `Connections.csv`: one person per connection."""

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
    SkippedRecord,
)
from takethelead.importers.csvtable import rows
from takethelead.importers.dates import parse_day_month_year
from takethelead.importers.people import unique

EXPECTED_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"


def _is_header(keys: set[str]) -> bool:
    return {"first name", "last name", "connected on"} <= keys


def parse(path: Path, owner: OwnerHints) -> Iterator[ParsedItem]:
    """Yield a PersonRecord per connection; the preamble before the header is skipped."""
    for row in rows(path, _is_header, EXPECTED_HEADER):
        first = row.get("first name").strip()
        last = row.get("last name").strip()
        url = row.get("url").strip()
        email = row.get("email address").strip()
        identities = unique(
            [identity(IdentityKind.LINKEDIN, url), identity(IdentityKind.EMAIL, email)]
        )
        name = f"{first} {last}".strip()
        if not name and not identities:
            yield SkippedRecord(row.line, "connection without a name, profile URL or e-mail")
            continue
        raw_date = row.get("connected on").strip()
        connected_on = parse_day_month_year(raw_date) if raw_date else None
        if raw_date and connected_on is None:
            raise ParseError(
                str(path),
                row.line,
                f"expected a date like '15 Mar 2024' in Connected On, found {raw_date!r}",
            )
        yield PersonRecord(
            # A hidden name still needs a label: the profile path or e-mail stands in.
            full_name=name or identities[0].value,
            identities=identities,
            first_name=first,
            last_name=last,
            company=row.get("company").strip(),
            title=row.get("position").strip(),
            network=NetworkKind.LINKEDIN,
            connected_on=connected_on,
            line=row.line,
        )

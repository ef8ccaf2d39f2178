"""Google Contacts CSV, current and legacy headers: one person per contact."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from takethelead.domain.identities import identity, identity_from_url
from takethelead.domain.records import (
    IdentityKind,
    IdentityRecord,
    OwnerHints,
    ParsedItem,
    PersonRecord,
    SkippedRecord,
)
from takethelead.importers.csvtable import Row, rows
from takethelead.importers.people import unique

EXPECTED_HEADER = (
    "First Name,Middle Name,Last Name,…,Labels,E-mail 1 - Label,E-mail 1 - Value,… "
    "(or the legacy Name,Given Name,Additional Name,Family Name,…)"
)
_SEPARATOR = " ::: "
# Groups every contact is in, which say nothing about the person.
_SYSTEM_LABELS = {"mycontacts", "my contacts", "starred"}
_GROUP = re.compile(r"^(e-mail|phone|website) (\d+) - value$")
_FULL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH_DAY = re.compile(r"^--(\d{2})-?(\d{2})$")


def _is_header(keys: set[str]) -> bool:
    current = {"first name", "last name", "labels"} <= keys
    legacy = {"given name", "family name", "group membership"} <= keys
    return current or legacy


def values(cell: str) -> list[str]:
    """The values of a multi-valued cell, without the `* ` primary marker."""
    return [v.strip().removeprefix("* ").strip() for v in cell.split(_SEPARATOR) if v.strip()]


def _labels(row: Row) -> tuple[str, ...]:
    tags = []
    for value in values(row.get("labels", "group membership")):
        if value.lower() not in _SYSTEM_LABELS and value not in tags:
            tags.append(value)
    return tuple(tags)


def _identities(row: Row) -> tuple[IdentityRecord, ...]:
    found: list[IdentityRecord | None] = []
    # Map every numbered group by its header name: how many exist depends on the data.
    for key, cell in row.cells.items():
        match = _GROUP.match(key)
        if not match:
            continue
        for value in values(cell):
            if match[1] == "e-mail":
                found.append(identity(IdentityKind.EMAIL, value))
            elif match[1] == "phone":
                found.append(identity(IdentityKind.PHONE, value))
            else:
                found.append(identity_from_url(value))
    return unique(found)


def _birthday(raw: str) -> tuple[date | None, str]:
    """The birthday as a date, or None plus a note when it lacks a year or is free text."""
    raw = raw.strip()
    if not raw:
        return None, ""
    match = _FULL_DATE.match(raw)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])), ""
        except ValueError:
            pass
    if _MONTH_DAY.match(raw):
        return None, f"Birthday: {raw} (no year)"
    return None, f"Birthday: {raw}"


def _names(row: Row) -> tuple[str, str, str]:
    first = row.get("first name", "given name").strip()
    last = row.get("last name", "family name").strip()
    middle = row.get("middle name", "additional name").strip()
    full = row.get("name").strip() or " ".join(p for p in (first, middle, last) if p)
    return full or row.get("file as").strip() or row.get("nickname").strip(), first, last


def parse(path: Path, owner: OwnerHints) -> Iterator[ParsedItem]:
    """Yield a PersonRecord per contact with its e-mails, phones, websites and labels."""
    for row in rows(path, _is_header, EXPECTED_HEADER):
        full, first, last = _names(row)
        identities = _identities(row)
        company = next(iter(values(row.get("organization name", "organization 1 - name"))), "")
        if not full and not identities and not company:
            yield SkippedRecord(row.line, "contact without a name, e-mail, phone or website")
            continue
        birthday, birthday_note = _birthday(row.get("birthday"))
        notes = "\n".join(n for n in (row.get("notes"), birthday_note) if n)
        yield PersonRecord(
            full_name=full or company or identities[0].display,
            identities=identities,
            first_name=first,
            last_name=last,
            company=company,
            title=next(iter(values(row.get("organization title", "organization 1 - title"))), ""),
            notes=notes,
            birthday=birthday,
            tags=_labels(row),
            line=row.line,
        )

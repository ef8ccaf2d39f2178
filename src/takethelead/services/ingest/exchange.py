"""Export a workspace (JSON, CSV, vCard 4.0) and bring a JSON export back in."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from takethelead.domain.records import ParseError
from takethelead.importers import detect
from takethelead.importers.archive import unpacked
from takethelead.importers.vcard_writer import Card, write_cards
from takethelead.services.core.errors import ServiceError
from takethelead.services.ingest.exportv1 import tables_from_v1
from takethelead.services.ingest.imports import ImportSummary, import_file
from takethelead.services.ingest.restoration import Restored, restore_tables
from takethelead.services.ingest.snapshot import FORMAT_MARK, VERSION, write_snapshot
from takethelead.storage.tables import Identity, Person, PersonTag

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A CSV cell that a spreadsheet will never run as a formula."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _people(
    session: Session, workspace_id: int
) -> Iterator[tuple[Person, list[Identity], list[str]]]:
    people = session.scalars(
        select(Person).where(Person.workspace_id == workspace_id).order_by(Person.id)
    ).all()
    identities: dict[int, list[Identity]] = {}
    for ident in session.scalars(
        select(Identity).where(Identity.workspace_id == workspace_id).order_by(Identity.id)
    ):
        identities.setdefault(ident.person_id, []).append(ident)
    tags: dict[int, list[str]] = {}
    for pid, tag in session.execute(
        select(PersonTag.person_id, PersonTag.tag).where(PersonTag.workspace_id == workspace_id)
    ):
        tags.setdefault(pid, []).append(tag)
    for person in people:
        yield person, identities.get(person.id, []), sorted(tags.get(person.id, []))


def export_json(session: Session, workspace_id: int, out: TextIO) -> int:
    """Write every table of the workspace as JSON (see services/ingest/snapshot.py); returns the
    people written. The same data always gives the same bytes."""
    return write_snapshot(session, workspace_id, out).get("person", 0)


def export_csv(session: Session, workspace_id: int, out: TextIO) -> int:
    """People as CSV, with formula-like cells neutralised for spreadsheets."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "Name",
            "Company",
            "Title",
            "Emails",
            "Phones",
            "LinkedIn",
            "Handles",
            "Tags",
            "Offer",
            "Lead profile",
            "Notes",
        ]
    )
    count = 0
    for person, identities, tags in _people(session, workspace_id):
        if person.is_me:
            continue
        by_kind: dict[str, list[str]] = {}
        for ident in identities:
            by_kind.setdefault(ident.kind, []).append(ident.display or ident.value)
        handles = [
            f"{k}:{v}"
            for k, values in by_kind.items()
            if k not in ("email", "phone", "linkedin")
            for v in values
        ]
        cells = [
            person.full_name,
            person.company,
            person.title,
            " ; ".join(by_kind.get("email", [])),
            " ; ".join(by_kind.get("phone", [])),
            " ; ".join(by_kind.get("linkedin", [])),
            " ; ".join(handles),
            " ; ".join(tags),
            person.offer,
            person.lead_profile,
            person.notes,
        ]
        writer.writerow([neutralise(c) for c in cells])
        count += 1
    return count


def export_vcard(session: Session, workspace_id: int, out: TextIO) -> int:
    """People as vCard 4.0 (RFC 6350)."""
    cards = (
        Card(
            full_name=person.full_name,
            first_name=person.first_name,
            last_name=person.last_name,
            company=person.company,
            title=person.title,
            birthday=person.birthday,
            identities=tuple((ident.kind, ident.value) for ident in identities),
            tags=tuple(tags),
            notes=person.notes,
            offer=person.offer,
        )
        for person, identities, tags in _people(session, workspace_id)
        if not person.is_me
    )
    return write_cards(cards, out)


def is_json_export(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(200)
    return head.lstrip().startswith(b"{") and FORMAT_MARK.encode() in head


def import_json(
    session: Session, workspace_id: int, path: Path, accounts: bool = False
) -> ImportSummary:
    """Bring a JSON export in: every table, ids remapped, rows already here kept as they are.

    Users, their roles and tokens come in only with `accounts` (the command line): through
    the web an owner could otherwise enrol or plant accounts.
    """
    restored = load_json(session, workspace_id, path, accounts)
    summary = ImportSummary(path=str(path), format="takethelead-json")
    for tally, table in (
        (summary.people, "person"),
        (summary.identities, "identity"),
        (summary.interactions, "interaction"),
    ):
        counts = restored.tallies[table]
        tally.created, tally.updated = counts.created, counts.updated
        tally.unchanged = counts.matched
    summary.skipped.update(restored.skipped)
    return summary


def load_json(session: Session, workspace_id: int, path: Path, accounts: bool) -> Restored:
    """Import a JSON export (version 1 or 2) and say what became of every row."""
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except UnicodeDecodeError as exc:
        raise ParseError(str(path), None, f"expected UTF-8 JSON ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise ParseError(str(path), exc.lineno, f"invalid JSON: {exc.msg}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT_MARK:
        raise ParseError(
            str(path), 1, f'expected a Take the Lead export ("format": "{FORMAT_MARK}")'
        )
    version = data.get("version")
    if version not in (1, VERSION):
        raise ParseError(str(path), 1, f"expected export version 1 or {VERSION}")
    try:
        tables = tables_from_v1(data) if version == 1 else data["tables"]
        if not isinstance(tables, dict):
            raise TypeError("tables: expected an object")
        return restore_tables(session, workspace_id, tables, accounts)
    except ServiceError as exc:
        raise ParseError(str(path), None, str(exc)) from exc
    except (IntegrityError, DataError) as exc:  # what the checks above let through
        raise ParseError(str(path), None, f"a record does not fit: {exc.orig}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise ParseError(str(path), None, f"malformed export record: {exc!r}") from exc


def export_text(session: Session, workspace_id: int, format_name: str) -> str:
    """A whole export as one string (for small workspaces and tests)."""
    buffer = io.StringIO()
    {"json": export_json, "csv": export_csv, "vcard": export_vcard}[format_name](
        session, workspace_id, buffer
    )
    return buffer.getvalue()


def import_any(
    session: Session,
    workspace_id: int,
    path: Path,
    format_name: str | None = None,
    progress: Callable[[int], None] | None = None,
    accounts: bool = False,
) -> ImportSummary:
    """Import any supported file, our own JSON export included (its users only with
    `accounts`)."""
    if format_name == "takethelead-json" or (
        format_name is None and path.is_file() and is_json_export(path)
    ):
        return import_json(session, workspace_id, path, accounts)
    return import_file(session, workspace_id, path, format_name, progress)


# Within an export bundle, people come before what refers to them, and an X archive's
# account before its tweets (so the owner is known).
_BUNDLE_ORDER = (
    "x-account",
    "linkedin-connections",
    "google-contacts",
    "vcard",
    "mastodon-following",
    "x-following",
    "linkedin-invitations",
    "linkedin-messages",
    "x-tweets",
    "mbox",
    "icalendar",
)


def bundle_members(folder: Path) -> list[tuple[Path, str]]:
    """The files of an unpacked export that we can read, in the order to import them."""
    found: list[tuple[Path, str]] = []
    for candidate in sorted(p for p in folder.rglob("*") if p.is_file()):
        if candidate.name.startswith("."):
            continue
        if is_json_export(candidate):
            found.append((candidate, "takethelead-json"))
            continue
        format_name = detect(candidate)
        if format_name is not None:
            found.append((candidate, format_name))
    rank = {name: i for i, name in enumerate(("takethelead-json", *_BUNDLE_ORDER))}
    return sorted(found, key=lambda item: (rank.get(item[1], len(rank)), str(item[0])))


def import_path(
    session: Session,
    workspace_id: int,
    path: Path,
    format_name: str | None = None,
    progress: Callable[[int], None] | None = None,
    accounts: bool = False,
) -> list[ImportSummary]:
    """Import a file, a folder, or a .zip export (LinkedIn, X): all of it or nothing."""
    if path.is_dir():
        return _import_folder(session, workspace_id, path, path, accounts)
    if path.is_file() and format_name is None and zipfile.is_zipfile(path):
        with unpacked(path) as folder:
            return _import_folder(session, workspace_id, folder, path, accounts)
    return [import_any(session, workspace_id, path, format_name, progress, accounts)]


def _import_folder(
    session: Session, workspace_id: int, folder: Path, shown: Path, accounts: bool
) -> list[ImportSummary]:
    members = bundle_members(folder)
    if not members:
        raise ServiceError(f"{shown}: no export file we can read was found inside")
    summaries = []
    for member, format_name in members:
        summary = import_any(session, workspace_id, member, format_name, accounts=accounts)
        summary.path = str(shown / member.relative_to(folder)) if shown != folder else str(member)
        summaries.append(summary)
    return summaries

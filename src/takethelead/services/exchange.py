"""Export a workspace (JSON, CSV, vCard 4.0) and bring a JSON export back in."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from takethelead.domain.identities import fold
from takethelead.domain.records import ParseError
from takethelead.importers import detect
from takethelead.importers.archive import unpacked
from takethelead.services.errors import ServiceError
from takethelead.services.imports import ImportSummary, import_file, refresh_search_texts
from takethelead.services.networks import parse_kind
from takethelead.storage.tables import (
    Identity,
    Interaction,
    Network,
    Person,
    PersonTag,
    TimeEntry,
)

FORMAT_MARK = "takethelead-export"
VERSION = 1
PERSON_COLUMNS = (
    "full_name",
    "first_name",
    "last_name",
    "company",
    "title",
    "notes",
    "offer",
    "lead_profile",
    "closeness",
    "cadence_days",
    "is_me",
    "distrusted",
)
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
    """Write the whole workspace as JSON, one record a line; returns the people written."""
    out.write(f'{{"format": "{FORMAT_MARK}", "version": {VERSION},\n"networks": [\n')
    networks = session.scalars(
        select(Network).where(Network.workspace_id == workspace_id).order_by(Network.id)
    ).all()
    _write_rows(out, ({"id": n.id, "name": n.name, "kind": n.kind, "url": n.url} for n in networks))
    out.write('],\n"people": [\n')
    count = 0

    def people_rows() -> Iterator[dict[str, Any]]:
        nonlocal count
        for person, identities, tags in _people(session, workspace_id):
            count += 1
            row: dict[str, Any] = {"id": person.id}
            row.update({c: getattr(person, c) for c in PERSON_COLUMNS})
            row["birthday"] = person.birthday.isoformat() if person.birthday else None
            row["connected_on"] = person.connected_on.isoformat() if person.connected_on else None
            row["identities"] = [
                {"kind": i.kind, "value": i.value, "display": i.display} for i in identities
            ]
            row["tags"] = tags
            yield row

    _write_rows(out, people_rows())
    out.write('],\n"interactions": [\n')
    rows = session.execute(
        select(Interaction)
        .where(Interaction.workspace_id == workspace_id)
        .order_by(Interaction.id)
        .execution_options(yield_per=5000)
    ).scalars()
    _write_rows(
        out,
        (
            {
                "person": i.person_id,
                "network": i.network_id,
                "occurred_at": i.occurred_at.isoformat(),
                "kind": i.kind,
                "direction": i.direction,
                "automated": i.automated,
                "minutes": i.minutes,
                "summary": i.summary,
                "source": i.source,
                "external_id": i.external_id,
            }
            for i in rows
        ),
    )
    out.write('],\n"time_entries": [\n')
    entries = session.scalars(
        select(TimeEntry).where(TimeEntry.workspace_id == workspace_id).order_by(TimeEntry.id)
    ).all()
    _write_rows(
        out,
        (
            {
                "network": t.network_id,
                "spent_at": t.spent_at.isoformat(),
                "minutes": t.minutes,
                "responses": t.responses,
                "note": t.note,
            }
            for t in entries
        ),
    )
    out.write("]}\n")
    return count


def _write_rows(out: TextIO, rows: Iterator[dict[str, Any]]) -> None:
    first = True
    for row in rows:
        if not first:
            out.write(",\n")
        out.write(json.dumps(row, ensure_ascii=False))
        first = False
    out.write("\n")


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


def _vcard_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode()) > limit:
            out.append(current)
            current = " " + char
            limit = 75
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def export_vcard(session: Session, workspace_id: int, out: TextIO) -> int:
    """People as vCard 4.0 (RFC 6350)."""
    count = 0
    for person, identities, tags in _people(session, workspace_id):
        if person.is_me:
            continue
        lines = ["BEGIN:VCARD", "VERSION:4.0", f"FN:{_vcard_escape(person.full_name)}"]
        lines.append(f"N:{_vcard_escape(person.last_name)};{_vcard_escape(person.first_name)};;;")
        if person.company:
            lines.append(f"ORG:{_vcard_escape(person.company)}")
        if person.title:
            lines.append(f"TITLE:{_vcard_escape(person.title)}")
        if person.birthday:
            lines.append(f"BDAY:{person.birthday:%Y%m%d}")
        for ident in identities:
            if ident.kind == "email":
                lines.append(f"EMAIL:{ident.value}")
            elif ident.kind == "phone":
                lines.append(f"TEL;VALUE=uri:tel:{ident.value}")
            elif ident.kind == "linkedin":
                lines.append(f"URL;TYPE=linkedin:https://www.linkedin.com/{ident.value}")
            elif ident.kind == "website":
                lines.append(f"URL:{ident.value}")
            else:
                lines.append(f"X-SOCIALPROFILE;TYPE={ident.kind}:{_vcard_escape(ident.value)}")
        if tags:
            lines.append("CATEGORIES:" + ",".join(_vcard_escape(t) for t in tags))
        note = "\n".join(x for x in (person.notes, person.offer and f"Offer: {person.offer}") if x)
        if note:
            lines.append(f"NOTE:{_vcard_escape(note)}")
        lines.append("END:VCARD")
        out.write("\r\n".join(_fold(line) for line in lines) + "\r\n")
        count += 1
    return count


def is_json_export(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(200)
    return head.lstrip().startswith(b"{") and FORMAT_MARK.encode() in head


def import_json(session: Session, workspace_id: int, path: Path) -> ImportSummary:
    """Bring a JSON export back: people matched by identity, interactions by source id."""
    summary = ImportSummary(path=str(path), format="takethelead-json")
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
    if data.get("version") != VERSION:
        raise ParseError(str(path), 1, f"expected export version {VERSION}")
    try:
        _restore(session, workspace_id, data, summary)
    except (KeyError, TypeError, ValueError) as exc:
        raise ParseError(str(path), None, f"malformed export record: {exc!r}") from exc
    return summary


def _restore(
    session: Session, workspace_id: int, data: dict[str, Any], summary: ImportSummary
) -> None:
    networks: dict[int, int] = {}
    existing_networks = {
        n.name: n.id
        for n in session.scalars(select(Network).where(Network.workspace_id == workspace_id))
    }
    for row in data["networks"]:
        if row["name"] in existing_networks:
            networks[row["id"]] = existing_networks[row["name"]]
            continue
        network = Network(
            workspace_id=workspace_id,
            name=row["name"],
            kind=parse_kind(row["kind"]).value,
            url=row.get("url", ""),
        )
        session.add(network)
        session.flush()
        networks[row["id"]] = network.id
    by_identity = {
        (k, v): pid
        for k, v, pid in session.execute(
            select(Identity.kind, Identity.value, Identity.person_id).where(
                Identity.workspace_id == workspace_id
            )
        )
    }
    by_name: dict[tuple[str, str], list[int]] = {}
    for pid, name, company in session.execute(
        select(Person.id, Person.full_name, Person.company).where(
            Person.workspace_id == workspace_id
        )
    ):
        by_name.setdefault((fold(name), fold(company)), []).append(pid)
    people: dict[int, int] = {}
    dirty: set[int] = set()
    for row in data["people"]:
        found = next(
            (
                by_identity[(i["kind"], i["value"])]
                for i in row["identities"]
                if (i["kind"], i["value"]) in by_identity
            ),
            None,
        )
        if found is None:
            same = by_name.get((fold(row["full_name"]), fold(row["company"])), [])
            found = same[0] if len(same) == 1 else None
        values = {c: row[c] for c in PERSON_COLUMNS}
        values["birthday"] = date.fromisoformat(row["birthday"]) if row["birthday"] else None
        values["connected_on"] = (
            date.fromisoformat(row["connected_on"]) if row["connected_on"] else None
        )
        if found is None:
            person = Person(workspace_id=workspace_id, **values)
            session.add(person)
            session.flush()
            summary.people.created += 1
        else:
            person = session.get_one(Person, found)
            changed = {k: v for k, v in values.items() if getattr(person, k) != v}
            for k, v in changed.items():
                setattr(person, k, v)
            if changed:
                summary.people.updated += 1
            else:
                summary.people.unchanged += 1
        people[row["id"]] = person.id
        dirty.add(person.id)
        for ident in row["identities"]:
            key = (ident["kind"], ident["value"])
            if key in by_identity:
                summary.identities.unchanged += 1
                continue
            session.add(
                Identity(
                    workspace_id=workspace_id,
                    person_id=person.id,
                    kind=key[0],
                    value=key[1],
                    display=ident.get("display", ""),
                )
            )
            by_identity[key] = person.id
            summary.identities.created += 1
        have = set(session.scalars(select(PersonTag.tag).where(PersonTag.person_id == person.id)))
        for tag in row["tags"]:
            if tag not in have:
                session.add(PersonTag(person_id=person.id, tag=tag, workspace_id=workspace_id))
    session.flush()
    seen = {
        (s, e)
        for s, e in session.execute(
            select(Interaction.source, Interaction.external_id).where(
                Interaction.workspace_id == workspace_id
            )
        )
    }
    batch: list[dict[str, Any]] = []
    for row in data["interactions"]:
        if (row["source"], row["external_id"]) in seen:
            summary.interactions.unchanged += 1
            continue
        seen.add((row["source"], row["external_id"]))
        batch.append(
            {
                "workspace_id": workspace_id,
                "person_id": people[row["person"]],
                "network_id": networks.get(row["network"]) if row["network"] else None,
                "occurred_at": datetime.fromisoformat(row["occurred_at"]).astimezone(UTC),
                "kind": row["kind"],
                "direction": row["direction"],
                "automated": bool(row["automated"]),
                "minutes": row["minutes"],
                "summary": row["summary"],
                "source": row["source"],
                "external_id": row["external_id"],
            }
        )
        summary.interactions.created += 1
    if batch:
        session.execute(insert(Interaction), batch)
    known_entries = {
        (n, int(t.timestamp()), m)
        for n, t, m in session.execute(
            select(TimeEntry.network_id, TimeEntry.spent_at, TimeEntry.minutes).where(
                TimeEntry.workspace_id == workspace_id
            )
        )
    }
    for row in data.get("time_entries", []):
        spent_at = datetime.fromisoformat(row["spent_at"]).astimezone(UTC)
        network_id = networks[row["network"]]
        if (network_id, int(spent_at.timestamp()), row["minutes"]) in known_entries:
            continue
        session.add(
            TimeEntry(
                workspace_id=workspace_id,
                network_id=network_id,
                spent_at=spent_at,
                minutes=row["minutes"],
                responses=row["responses"],
                note=row["note"],
            )
        )
    session.flush()
    refresh_search_texts(session, workspace_id, dirty)


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
) -> ImportSummary:
    """Import any supported file, our own JSON export included."""
    if format_name == "takethelead-json" or (
        format_name is None and path.is_file() and is_json_export(path)
    ):
        return import_json(session, workspace_id, path)
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
) -> list[ImportSummary]:
    """Import a file, a folder, or a .zip export (LinkedIn, X): all of it or nothing."""
    if path.is_dir():
        return _import_folder(session, workspace_id, path, path)
    if path.is_file() and format_name is None and zipfile.is_zipfile(path):
        with unpacked(path) as folder:
            return _import_folder(session, workspace_id, folder, path)
    return [import_any(session, workspace_id, path, format_name, progress)]


def _import_folder(
    session: Session, workspace_id: int, folder: Path, shown: Path
) -> list[ImportSummary]:
    members = bundle_members(folder)
    if not members:
        raise ServiceError(f"{shown}: no export file we can read was found inside")
    summaries = []
    for member, format_name in members:
        summary = import_any(session, workspace_id, member, format_name)
        summary.path = str(shown / member.relative_to(folder)) if shown != folder else str(member)
        summaries.append(summary)
    return summaries

"""Importing an export file: atomic, idempotent, streamed, with a summary.

The parser yields records; this service matches each person to who is already known by
an exact identity (same e-mail, profile URL or handle), writes in batches, and rolls the
whole import back on the first parse error so that nothing is half-written.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from takethelead.domain.identities import fold
from takethelead.domain.records import (
    IdentityKind,
    IdentityRecord,
    InteractionRecord,
    NetworkKind,
    OwnerHints,
    ParsedItem,
    PersonRecord,
    SkippedRecord,
)
from takethelead.importers import FORMATS, detect
from takethelead.services.core.errors import ServiceError
from takethelead.services.networks.networks import default_network
from takethelead.services.networks.tallies import forget_recent
from takethelead.services.people.people import NAME_PART_LENGTH, name_parts
from takethelead.services.people.searchtext import refresh_search_texts
from takethelead.storage.tables import (
    Identity,
    ImportRun,
    Interaction,
    Person,
    PersonTag,
    SourceRecord,
    table_of,
)

BATCH = 2000
# Fields a source may fill or change; a blank value in a source never erases what is known,
# and names already known are kept.
PERSON_FIELDS = ("full_name", "first_name", "last_name", "company", "title", "notes", "offer")


@dataclass(slots=True)
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(slots=True)
class ImportSummary:
    path: str
    format: str
    people: Tally = field(default_factory=Tally)
    identities: Tally = field(default_factory=Tally)
    interactions: Tally = field(default_factory=Tally)
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def changed_anything(self) -> bool:
        return any(
            t.created or t.updated for t in (self.people, self.identities, self.interactions)
        )


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def choose_format(path: Path, format_name: str | None) -> str:
    """The parser for a file: the one named, or the one its content shows."""
    if not path.is_file():
        raise ServiceError(f"{path}: no such file")
    if format_name:
        if format_name not in FORMATS:
            raise ServiceError(
                f"format {format_name!r}: expected one of " + ", ".join(sorted(FORMATS))
            )
        return format_name
    found = detect(path)
    if found is None:
        raise ServiceError(
            f"{path}: cannot tell what export this is; name it: lead import FORMAT PATH "
            "(formats: " + ", ".join(sorted(FORMATS)) + ")"
        )
    return found


class _Writer:
    """Buffers new rows and matches records to stored people within one transaction.

    New people get a negative temporary id until their batch is inserted; every lookup
    goes through `resolve`, so records can match people that are not written yet.
    """

    def __init__(
        self, session: Session, workspace_id: int, source: str, summary: ImportSummary
    ) -> None:
        self.session = session
        self.workspace_id = workspace_id
        self.source = source
        self.summary = summary
        self.by_identity: dict[tuple[str, str], int] = {
            (kind, value): pid
            for kind, value, pid in session.execute(
                select(Identity.kind, Identity.value, Identity.person_id).where(
                    Identity.workspace_id == workspace_id
                )
            )
        }
        self.people: dict[int, dict[str, Any]] = {}
        for row in session.execute(
            select(
                Person.id,
                Person.connected_on,
                Person.birthday,
                *(getattr(Person, f) for f in PERSON_FIELDS),
            ).where(Person.workspace_id == workspace_id)
        ):
            names = ("connected_on", "birthday", *PERSON_FIELDS)
            self.people[row[0]] = dict(zip(names, row[1:], strict=True))
        self.by_name: dict[str, int] = {}
        self.tags: set[tuple[int, str]] = {
            (pid, tag)
            for pid, tag in session.execute(
                select(PersonTag.person_id, PersonTag.tag).where(
                    PersonTag.workspace_id == workspace_id
                )
            )
        }
        # Kept as the JSON text stored: most records come back unchanged, and comparing text
        # costs far less memory than holding every record decoded.
        self.records: dict[str, str] = {
            key: fields
            for key, fields in session.execute(
                select(SourceRecord.record_key, SourceRecord.fields).where(
                    SourceRecord.workspace_id == workspace_id, SourceRecord.source == source
                )
            )
        }
        self.networks: dict[NetworkKind, int] = {}
        self.me_id = session.scalar(
            select(Person.id).where(Person.workspace_id == workspace_id, Person.is_me.is_(True))
        )
        self.real: dict[int, int] = {}  # temporary id → stored id
        self.temp_count = 0
        self.pending_people: list[dict[str, Any]] = []
        self.pending_identities: list[dict[str, Any]] = []
        self.pending_tags: list[dict[str, Any]] = []
        self.pending_records: list[dict[str, Any]] = []
        # New or changed interactions of this batch by external id, checked against the
        # database a batch at a time: memory stays bounded however long the file.
        self.pending_interactions: dict[str, tuple[dict[str, Any], tuple[Any, ...]]] = {}
        self.dirty: set[int] = set()

    def resolve(self, person_id: int) -> int:
        return self.real.get(person_id, person_id)

    def network(self, kind: NetworkKind | None) -> int | None:
        if kind is None:
            return None
        if kind not in self.networks:
            self.networks[kind] = default_network(self.session, self.workspace_id, kind)
        return self.networks[kind]

    def match(self, identities: Iterable[IdentityRecord]) -> int | None:
        for ident in identities:
            found = self.by_identity.get((ident.kind.value, ident.value))
            if found is not None:
                return self.resolve(found)
        return None

    def add_identities(self, person_id: int, identities: Iterable[IdentityRecord]) -> None:
        for ident in identities:
            key = (ident.kind.value, ident.value)
            owner = self.by_identity.get(key)
            if owner is not None:
                if self.resolve(owner) == person_id:
                    self.summary.identities.unchanged += 1
                continue  # belongs to someone else: never steal an identity
            self.by_identity[key] = person_id
            self.pending_identities.append(
                {
                    "workspace_id": self.workspace_id,
                    "person_id": person_id,
                    "kind": key[0],
                    "value": key[1],
                    "display": ident.display[:500],
                }
            )
            self.summary.identities.created += 1
            self.dirty.add(person_id)

    def person(self, record: PersonRecord) -> int:
        is_me = "me" in record.tags
        me = self.resolve(self.me_id) if self.me_id is not None else None
        person_id = me if is_me and me is not None else self.match(record.identities)
        wanted: dict[str, Any] = {f: getattr(record, f) for f in PERSON_FIELDS}
        if record.connected_on:
            wanted["connected_on"] = record.connected_on
        if record.birthday:
            wanted["birthday"] = record.birthday
        key = record_key(record)
        said = {f: str(v) for f, v in wanted.items() if v}
        said_text = json.dumps(said, sort_keys=True, ensure_ascii=False)
        stored = self.records.get(key)
        same = stored == said_text
        previous = None if stored is None else said if same else json.loads(stored)
        if person_id is None:
            person_id = self.create(record, wanted, is_me)
        else:
            self.change(person_id, wanted, previous, is_me)
        if not same:
            self.remember(key, person_id, said_text, stored is None)
        self.add_identities(person_id, record.identities)
        for tag in record.tags:
            if tag != "me" and (person_id, tag) not in self.tags:
                self.tags.add((person_id, tag))
                self.pending_tags.append(
                    {"person_id": person_id, "tag": tag, "workspace_id": self.workspace_id}
                )
                self.dirty.add(person_id)
        if record.full_name:
            self.by_name.setdefault(fold(record.full_name), person_id)
        if len(self.pending_people) >= BATCH:
            self.flush_people()
        return person_id

    def create(self, record: PersonRecord, wanted: dict[str, Any], is_me: bool) -> int:
        first, last = record.first_name, record.last_name
        if not first and not last:
            first, last = name_parts(record.full_name)
        first, last = first[:NAME_PART_LENGTH], last[:NAME_PART_LENGTH]
        values = {**wanted, "first_name": first, "last_name": last}
        self.temp_count += 1
        temp = -self.temp_count
        self.pending_people.append(
            {
                "workspace_id": self.workspace_id,
                **{f: values.get(f, "") for f in PERSON_FIELDS},
                "birthday": record.birthday,
                "connected_on": record.connected_on,
                "is_me": is_me,
                "search_text": "",
            }
        )
        self.people[temp] = dict(values)
        self.summary.people.created += 1
        self.dirty.add(temp)
        if is_me:
            self.me_id = temp
        return temp

    def change(
        self,
        person_id: int,
        wanted: dict[str, Any],
        previous: dict[str, str] | None,
        is_me: bool,
    ) -> None:
        known = self.people.setdefault(person_id, {})
        if previous is None:
            # First word from this source about someone known: fill gaps only.
            changes = {f: v for f, v in wanted.items() if v and not known.get(f)}
        else:
            # Apply what this source changed since it last spoke, nothing else, so other
            # sources and the user's own edits are never overwritten.
            changes = {
                f: v
                for f, v in wanted.items()
                if v and previous.get(f) != str(v) and known.get(f) != v
            }
        if is_me and not known.get("is_me"):
            changes["is_me"] = True
        if not changes:
            self.summary.people.unchanged += 1
            return
        known.update(changes)
        self.summary.people.updated += 1
        self.dirty.add(person_id)
        if person_id < 0:  # not written yet: the pending row takes the change
            self.pending_people[-person_id - 1 - self.flushed_people].update(changes)
            return
        self.session.execute(update(Person).where(Person.id == person_id).values(**changes))

    @property
    def flushed_people(self) -> int:
        return self.temp_count - len(self.pending_people)

    def remember(self, key: str, person_id: int, fields: str, new: bool) -> None:
        """Keep what the source said this time (as JSON), to compare with on the next import."""
        self.records[key] = fields
        if new:
            self.pending_records.append(
                {
                    "workspace_id": self.workspace_id,
                    "source": self.source,
                    "record_key": key,
                    "person_id": person_id,
                    "fields": fields,
                }
            )
            return
        self.flush_people()
        self.session.execute(
            update(SourceRecord)
            .where(
                SourceRecord.workspace_id == self.workspace_id,
                SourceRecord.source == self.source,
                SourceRecord.record_key == key,
            )
            .values(fields=fields, person_id=self.resolve(person_id))
        )

    def flush_people(self) -> None:
        """Write the buffered people, then their identities, tags and source records."""
        if self.pending_people:
            first_temp = -(self.flushed_people + 1)
            table = table_of(Person)
            ids = self.session.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True),
                self.pending_people,
            ).scalars()
            for offset, real in enumerate(ids):
                temp = first_temp - offset
                self.real[temp] = real
                self.people[real] = self.people.pop(temp)
            self.pending_people = []
        for rows, model in (
            (self.pending_identities, Identity),
            (self.pending_tags, PersonTag),
            (self.pending_records, SourceRecord),
        ):
            if rows:
                for row in rows:
                    row["person_id"] = self.resolve(row["person_id"])
                self.session.execute(insert(table_of(model)), rows)
                rows.clear()

    def interaction(self, record: InteractionRecord) -> None:
        person_id = self.match(record.counterpart)
        if person_id is None and record.counterpart_name:
            named = self.by_name.get(fold(record.counterpart_name))
            person_id = None if named is None else self.resolve(named)
        if person_id is None:
            if not record.counterpart and not record.counterpart_name:
                self.summary.skipped["no one to attach the interaction to"] += 1
                return
            name = (
                record.counterpart_name
                or record.counterpart[0].display
                or record.counterpart[0].value
            )
            person_id = self.person(
                PersonRecord(full_name=name, identities=record.counterpart, network=record.network)
            )
        me = self.resolve(self.me_id) if self.me_id is not None else None
        if person_id == me:
            self.summary.skipped["interaction with yourself"] += 1
            return
        fingerprint = (
            person_id,
            int(record.occurred_at.timestamp()),
            record.kind.value,
            record.direction.value,
            summary_hash(record.summary),
        )
        row = {
            "workspace_id": self.workspace_id,
            "person_id": person_id,
            "network_id": self.network(record.network),
            "occurred_at": int(record.occurred_at.timestamp()),
            "kind": record.kind.value,
            "direction": record.direction.value,
            "automated": record.automated,
            "minutes": record.minutes,
            "summary": record.summary,
            "source": self.source,
            "external_id": record.external_id,
        }
        earlier = self.pending_interactions.get(record.external_id)
        if earlier is not None and earlier[1] == fingerprint:
            self.summary.interactions.unchanged += 1  # the same record twice in one file
            return
        self.pending_interactions[record.external_id] = (row, fingerprint)
        if len(self.pending_interactions) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write buffered people, then this batch of interactions: new, changed or neither."""
        self.flush_people()
        if not self.pending_interactions:
            return
        stored: dict[str, tuple[int, tuple[Any, ...]]] = {}
        external_ids = list(self.pending_interactions)
        for start in range(0, len(external_ids), 900):
            for iid, ext, pid, at, kind, direction, text_ in self.session.execute(
                select(
                    Interaction.id,
                    Interaction.external_id,
                    Interaction.person_id,
                    Interaction.occurred_at,
                    Interaction.kind,
                    Interaction.direction,
                    Interaction.summary,
                ).where(
                    Interaction.workspace_id == self.workspace_id,
                    Interaction.source == self.source,
                    Interaction.external_id.in_(external_ids[start : start + 900]),
                )
            ):
                fingerprint = (pid, int(at.timestamp()), kind, direction, summary_hash(text_))
                stored[ext] = (iid, fingerprint)
        inserts = []
        moved = False
        for ext, (row, wanted) in self.pending_interactions.items():
            row["person_id"] = self.resolve(row["person_id"])
            wanted = (row["person_id"], *wanted[1:])
            if ext not in stored:
                inserts.append(row)
                self.summary.interactions.created += 1
                continue
            interaction_id, before = stored[ext]
            if before == wanted:
                self.summary.interactions.unchanged += 1
                continue
            self.session.execute(
                update(Interaction)
                .where(Interaction.id == interaction_id)
                .values(
                    person_id=row["person_id"],
                    occurred_at=row["occurred_at"],
                    kind=row["kind"],
                    direction=row["direction"],
                    summary=row["summary"],
                )
            )
            self.summary.interactions.updated += 1
            moved = True
        if moved:
            forget_recent(self.session, self.workspace_id)  # per-day counts may have shifted
        if inserts:
            self.session.execute(insert(table_of(Interaction)), inserts)
        self.pending_interactions = {}

    def finish(self) -> None:
        self.flush()
        refresh_search_texts(self.session, self.workspace_id, {self.resolve(p) for p in self.dirty})


def record_key(record: PersonRecord) -> str:
    """How a source names a record across its exports: its first identity, else the name."""
    if record.identities:
        first = record.identities[0]
        return f"{first.kind.value}:{first.value}"[:600]
    return "name:" + fold(record.full_name)[:590]


def summary_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def owner_hints(session: Session, workspace_id: int) -> OwnerHints:
    """What the workspace knows of its owner, for parsers that must tell direction."""
    me = session.scalar(
        select(Person).where(Person.workspace_id == workspace_id, Person.is_me.is_(True))
    )
    if me is None:
        return OwnerHints()
    identities = session.execute(
        select(Identity.kind, Identity.value).where(Identity.person_id == me.id)
    ).all()
    return OwnerHints(
        emails=frozenset(v for k, v in identities if k == IdentityKind.EMAIL.value),
        names=frozenset({me.full_name}),
        handles=frozenset(v for k, v in identities if k != IdentityKind.EMAIL.value),
    )


def import_file(
    session: Session,
    workspace_id: int,
    path: Path,
    format_name: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import one export file into a workspace, atomically; the caller owns the transaction."""
    chosen = choose_format(path, format_name)
    parser = FORMATS[chosen]
    summary = ImportSummary(path=str(path), format=chosen)
    writer = _Writer(session, workspace_id, chosen, summary)
    items: Iterable[ParsedItem] = parser(path, owner_hints(session, workspace_id))
    for item in items:
        if isinstance(item, PersonRecord):
            writer.person(item)
        elif isinstance(item, InteractionRecord):
            writer.interaction(item)
        elif isinstance(item, SkippedRecord):
            summary.skipped[item.reason] += 1
        if progress is not None:
            progress(item.line)
    writer.finish()
    session.add(
        ImportRun(
            workspace_id=workspace_id,
            format=chosen,
            path=str(path),
            sha256=file_digest(path),
            created=summary.people.created + summary.interactions.created,
            updated=summary.people.updated + summary.interactions.updated,
            unchanged=summary.people.unchanged + summary.interactions.unchanged,
            skipped=summary.skipped_total,
        )
    )
    return summary

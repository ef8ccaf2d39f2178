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

from sqlalchemy import bindparam, insert, select, update
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
from takethelead.services.errors import ServiceError
from takethelead.services.networks import default_network
from takethelead.services.people import search_text
from takethelead.storage.tables import (
    Identity,
    ImportRun,
    Interaction,
    Person,
    PersonTag,
    SourceRecord,
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
    """Buffers new rows and matches records to stored people within one transaction."""

    def __init__(self, session: Session, workspace_id: int, source: str, summary: ImportSummary):
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
                Person.id, Person.connected_on, *(getattr(Person, f) for f in PERSON_FIELDS)
            ).where(Person.workspace_id == workspace_id)
        ):
            values = dict(zip(("connected_on", *PERSON_FIELDS), row[1:], strict=True))
            self.people[row[0]] = values
        self.by_name: dict[str, int] = {}
        self.tags: set[tuple[int, str]] = {
            (pid, tag)
            for pid, tag in session.execute(
                select(PersonTag.person_id, PersonTag.tag).where(
                    PersonTag.workspace_id == workspace_id
                )
            )
        }
        self.seen_interactions: dict[str, tuple[int, tuple[Any, ...]]] = {
            ext: (iid, (pid, int(at.timestamp()), kind, direction, summary_hash(summary)))
            for iid, ext, pid, at, kind, direction, summary in session.execute(
                select(
                    Interaction.id,
                    Interaction.external_id,
                    Interaction.person_id,
                    Interaction.occurred_at,
                    Interaction.kind,
                    Interaction.direction,
                    Interaction.summary,
                ).where(Interaction.workspace_id == workspace_id, Interaction.source == source)
            )
        }
        self.records: dict[str, dict[str, str]] = {
            record_key_: json.loads(fields)
            for record_key_, fields in session.execute(
                select(SourceRecord.record_key, SourceRecord.fields).where(
                    SourceRecord.workspace_id == workspace_id, SourceRecord.source == source
                )
            )
        }
        self.networks: dict[NetworkKind, int] = {}
        self.new_interactions: list[dict[str, Any]] = []
        self.dirty: set[int] = set()
        self.me_id = session.scalar(
            select(Person.id).where(Person.workspace_id == workspace_id, Person.is_me.is_(True))
        )

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
                return found
        return None

    def add_identities(self, person_id: int, identities: Iterable[IdentityRecord]) -> None:
        rows = []
        for ident in identities:
            key = (ident.kind.value, ident.value)
            if key in self.by_identity:
                if self.by_identity[key] == person_id:
                    self.summary.identities.unchanged += 1
                continue  # belongs to someone else: never steal an identity
            self.by_identity[key] = person_id
            rows.append(
                {
                    "workspace_id": self.workspace_id,
                    "person_id": person_id,
                    "kind": ident.kind.value,
                    "value": ident.value,
                    "display": ident.display[:500],
                }
            )
        if rows:
            self.session.execute(insert(Identity), rows)
            self.summary.identities.created += len(rows)
            self.dirty.add(person_id)

    def person(self, record: PersonRecord) -> int:
        is_me = "me" in record.tags
        person_id = (
            self.me_id if is_me and self.me_id is not None else self.match(record.identities)
        )
        wanted: dict[str, Any] = {f: getattr(record, f) for f in PERSON_FIELDS}
        if record.connected_on:
            wanted["connected_on"] = record.connected_on
        if record.birthday:
            wanted["birthday"] = record.birthday
        key = record_key(record)
        said = {f: str(v) for f, v in wanted.items() if v}
        previous = self.records.get(key)
        if person_id is None:
            first, last = record.first_name, record.last_name
            if not first and not last:
                first, _, last = record.full_name.partition(" ")
            values = {**wanted, "first_name": first, "last_name": last}
            person_id = self.session.execute(
                insert(Person).returning(Person.id),
                {
                    "workspace_id": self.workspace_id,
                    **{f: values.get(f, "") for f in PERSON_FIELDS},
                    "birthday": record.birthday,
                    "connected_on": record.connected_on,
                    "is_me": is_me,
                    "search_text": "",
                },
            ).scalar_one()
            self.people[person_id] = dict(values)
            self.summary.people.created += 1
            self.dirty.add(person_id)
            if is_me:
                self.me_id = person_id
        else:
            known = self.people.setdefault(person_id, {})
            if previous is None:
                # First word from this source about someone known: fill gaps only.
                changes = {f: v for f, v in wanted.items() if v and not known.get(f)}
            else:
                # Apply what this source changed since it last spoke, nothing else, so
                # other sources and the user's own edits are never overwritten.
                changes = {
                    f: v
                    for f, v in wanted.items()
                    if v and previous.get(f) != str(v) and known.get(f) != v
                }
            if is_me and not known.get("is_me"):
                changes["is_me"] = True
            if changes:
                self.session.execute(update(Person).where(Person.id == person_id).values(**changes))
                known.update(changes)
                self.summary.people.updated += 1
                self.dirty.add(person_id)
            else:
                self.summary.people.unchanged += 1
        if previous != said:
            self.remember(key, person_id, said, previous is None)
        self.add_identities(person_id, record.identities)
        tag_rows = [
            {"person_id": person_id, "tag": t, "workspace_id": self.workspace_id}
            for t in record.tags
            if t != "me" and (person_id, t) not in self.tags
        ]
        if tag_rows:
            self.session.execute(insert(PersonTag), tag_rows)
            self.tags.update((person_id, t) for t in record.tags if t != "me")
            self.dirty.add(person_id)
        if record.full_name:
            self.by_name.setdefault(fold(record.full_name), person_id)
        return person_id

    def interaction(self, record: InteractionRecord) -> None:
        person_id = self.match(record.counterpart)
        if person_id is None and record.counterpart_name:
            person_id = self.by_name.get(fold(record.counterpart_name))
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
        if person_id == self.me_id:
            self.summary.skipped["interaction with yourself"] += 1
            return
        fingerprint = (
            person_id,
            int(record.occurred_at.timestamp()),
            record.kind.value,
            record.direction.value,
            summary_hash(record.summary),
        )
        seen = self.seen_interactions.get(record.external_id)
        if seen is not None:
            interaction_id, before = seen
            if before == fingerprint:
                self.summary.interactions.unchanged += 1
                return
            self.flush()
            self.session.execute(
                update(Interaction)
                .where(Interaction.id == interaction_id)
                .values(
                    person_id=person_id,
                    occurred_at=record.occurred_at,
                    kind=record.kind.value,
                    direction=record.direction.value,
                    summary=record.summary,
                )
            )
            self.seen_interactions[record.external_id] = (interaction_id, fingerprint)
            self.summary.interactions.updated += 1
            return
        self.seen_interactions[record.external_id] = (-1, fingerprint)
        self.new_interactions.append(
            {
                "workspace_id": self.workspace_id,
                "person_id": person_id,
                "network_id": self.network(record.network),
                "occurred_at": record.occurred_at,
                "kind": record.kind.value,
                "direction": record.direction.value,
                "automated": record.automated,
                "minutes": record.minutes,
                "summary": record.summary,
                "source": self.source,
                "external_id": record.external_id,
            }
        )
        self.summary.interactions.created += 1
        if len(self.new_interactions) >= BATCH:
            self.flush()

    def remember(self, key: str, person_id: int, said: dict[str, str], new: bool) -> None:
        """Keep what the source said this time, to compare with on the next import."""
        fields = json.dumps(said, sort_keys=True, ensure_ascii=False)
        if new:
            self.session.execute(
                insert(SourceRecord),
                {
                    "workspace_id": self.workspace_id,
                    "source": self.source,
                    "record_key": key,
                    "person_id": person_id,
                    "fields": fields,
                },
            )
        else:
            self.session.execute(
                update(SourceRecord)
                .where(
                    SourceRecord.workspace_id == self.workspace_id,
                    SourceRecord.source == self.source,
                    SourceRecord.record_key == key,
                )
                .values(fields=fields, person_id=person_id)
            )
        self.records[key] = said

    def flush(self) -> None:
        if self.new_interactions:
            self.session.execute(insert(Interaction), self.new_interactions)
            self.new_interactions = []

    def finish(self) -> None:
        self.flush()
        refresh_search_texts(self.session, self.workspace_id, self.dirty)


def record_key(record: PersonRecord) -> str:
    """How a source names a record across its exports: its first identity, else the name."""
    if record.identities:
        first = record.identities[0]
        return f"{first.kind.value}:{first.value}"[:600]
    return "name:" + fold(record.full_name)[:590]


def summary_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def refresh_search_texts(session: Session, workspace_id: int, person_ids: set[int]) -> None:
    """Recompute the folded search text of the given people in batches."""
    ids = sorted(person_ids)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        idents: dict[int, list[str]] = {}
        for pid, value in session.execute(
            select(Identity.person_id, Identity.value).where(Identity.person_id.in_(chunk))
        ):
            idents.setdefault(pid, []).append(value)
        tags: dict[int, list[str]] = {}
        for pid, tag in session.execute(
            select(PersonTag.person_id, PersonTag.tag).where(PersonTag.person_id.in_(chunk))
        ):
            tags.setdefault(pid, []).append(tag)
        people = session.scalars(select(Person).where(Person.id.in_(chunk))).all()
        params = [
            {"pid": p.id, "text": search_text(p, idents.get(p.id, []), tags.get(p.id, []))}
            for p in people
        ]
        if params:
            session.connection().execute(
                update(Person.__table__)  # type: ignore[arg-type]
                .where(Person.__table__.c.id == bindparam("pid"))
                .values(search_text=bindparam("text")),
                params,
            )


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

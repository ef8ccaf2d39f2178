"""Bring an export's tables into a workspace: ids remapped, rows already there matched.

Every table is handled the same way, in foreign-key order: a row's references are remapped
to the ids its parents got here; a row already in the workspace (by the table's unique key,
or, for tables without one, by every column) is kept as it is; the rest are inserted. People
are matched as every import matches them: by an identity, else by a unique name and company.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import Table, insert, literal, select, tuple_
from sqlalchemy.orm import Session

from takethelead.domain.identities import fold
from takethelead.domain.posting import idempotency_key
from takethelead.services.ingest import snapshot, snapshotrows
from takethelead.services.ingest.snapshotrows import RowError
from takethelead.services.networks.networks import parse_kind
from takethelead.services.networks.tallies import forget_recent
from takethelead.services.people.searchtext import refresh_search_texts
from takethelead.storage.tables import Base, Identity, Person

Row = dict[str, Any]
# Columns of a person the user edits: what a re-import of a matched person brings over.
PERSON_FIELDS: Final = (
    "full_name",
    "first_name",
    "last_name",
    "company",
    "title",
    "notes",
    "offer",
    "lead_profile",
    "birthday",
    "connected_on",
    "closeness",
    "cadence_days",
    "is_me",
    "distrusted",
)
_BATCH: Final = 2000
ONLY_TRUSTED: Final = "users, roles and tokens (imported by the command line only)"


@dataclass(slots=True)
class TableTally:
    created: int = 0
    matched: int = 0
    updated: int = 0
    skipped: int = 0


@dataclass(slots=True)
class Restored:
    """What an import did: the new id of every row (per table) and counts per table."""

    trusted: bool = False  # imported by whoever holds the database (the command line)
    ids: dict[str, dict[int, int]] = field(default_factory=dict)
    tallies: dict[str, TableTally] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    # Tables some of whose rows were left out: rows referring to those are left out too.
    dropped: set[str] = field(default_factory=set)
    created_people: set[int] = field(default_factory=set)  # ... with their search text


def restore_tables(
    session: Session, workspace_id: int, tables: dict[str, Any], accounts: bool
) -> Restored:
    """Import decoded export tables into a workspace; users and tokens only when `accounts`."""
    restored = Restored(trusted=accounts)
    account_tables = snapshot.account_tables()
    unknown = sorted(set(tables) - {t.name for t in snapshot.exported_tables()})
    if unknown:
        raise RowError(f"tables {unknown}: unknown here (an export from a newer version?)")
    for table in snapshot.exported_tables():
        restored.ids[table.name] = {}
        tally = restored.tallies.setdefault(table.name, TableTally())
        rows = snapshotrows.decoded(table, tables.pop(table.name, None))  # the raw one freed
        if table.name in account_tables and not accounts:
            restored.dropped.add(table.name)
            if rows:
                restored.skipped[ONLY_TRUSTED] += len(rows)
            continue
        ready = _remapped(table, rows, workspace_id, restored)
        tally.skipped += len(rows) - len(ready)
        if tally.skipped:
            restored.dropped.add(table.name)
        if table.name == "person":
            _people(session, workspace_id, ready, tables, restored)
        else:
            _generic(session, table, workspace_id, ready, restored)
    # A person's search text comes with the export; those matched here (or from an export
    # without it) have it worked out again.
    touched = set(restored.ids["person"].values()) - restored.created_people
    if restored.tallies["interaction"].created:
        forget_recent(session, workspace_id)  # per-day counts may have shifted
    session.flush()
    refresh_search_texts(session, workspace_id, touched)
    return restored


def _remapped(table: Table, rows: list[Row], workspace_id: int, restored: Restored) -> list[Row]:
    """Rows with their references pointing at ids here; rows whose parent is gone dropped."""
    out: list[Row] = []
    references = [
        (fk.parent.name, fk.column.table.name, fk.parent.nullable) for fk in table.foreign_keys
    ]
    scoped = "workspace_id" in table.c
    for row in rows:
        if scoped:
            row["workspace_id"] = workspace_id
        keep = True
        for column, parent, nullable in references:
            if parent == "workspace" or row.get(column) is None:
                continue
            new = restored.ids[parent].get(row[column])
            if new is None and not nullable:
                if parent not in restored.dropped:
                    raise RowError(f"{table.name}: {column} {row[column]} is not in the export")
                keep = False
                break
            row[column] = new
        if keep:
            prepared = _PREPARE.get(table.name, _same)(row, restored)
            if prepared is not None:
                out.append(prepared)
    return out


def _generic(
    session: Session, table: Table, workspace_id: int, rows: list[Row], restored: Restored
) -> None:
    ids = restored.ids[table.name]
    unique = snapshotrows.match_key(table)
    key = unique or _content_key(rows)
    existing = _existing(session, table, workspace_id, key, rows)
    fresh, again = _sort_out(table, rows, key, unique is not None, existing, restored)
    fresh = _without_clashes(session, table, workspace_id, fresh, restored)
    restored.tallies[table.name].created += len(fresh)
    _insert(session, table, fresh, ids)
    for old, earlier in again:
        if earlier in ids:
            ids[old] = ids[earlier]


def _sort_out(
    table: Table,
    rows: list[Row],
    key: tuple[str, ...],
    unique: bool,
    existing: dict[tuple[Any, ...], list[int]],
    restored: Restored,
) -> tuple[list[tuple[int | None, Row]], list[tuple[int, int]]]:
    """Rows already here (their ids noted), and the rest: to insert, or again in the file
    (as (old id, old id of its first copy))."""
    tally, ids = restored.tallies[table.name], restored.ids[table.name]
    surrogate = snapshotrows.surrogate_id(table)
    fresh: list[tuple[int | None, Row]] = []
    first_in_file: dict[tuple[Any, ...], int | None] = {}
    again: list[tuple[int, int]] = []
    for row in rows:
        old = row.pop("id", None) if surrogate else None
        values = tuple(row.get(c) for c in key)
        found = existing.get(values)
        if found or (unique and values in first_in_file):
            tally.matched += 1
            # Without a unique key two equal rows are two rows: each matches one of ours.
            new = found[0] if unique and found else found.pop(0) if found else None
            earlier = first_in_file.get(values)
            if old is not None and new is not None:
                ids[old] = new
            elif old is not None and earlier is not None:
                again.append((old, earlier))
            continue
        first_in_file[values] = old
        fresh.append((old, row))
    return fresh, again


def _insert(
    session: Session, table: Table, fresh: list[tuple[int | None, Row]], ids: dict[int, int]
) -> None:
    """Insert in batches; a generated id is noted against the row's id in the export."""
    surrogate = snapshotrows.surrogate_id(table)
    for start in range(0, len(fresh), _BATCH):
        chunk = fresh[start : start + _BATCH]
        if not surrogate:
            session.execute(insert(table), [row for _, row in chunk])
            continue
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        new_ids = session.execute(statement, [row for _, row in chunk]).scalars().all()
        for (old, _), new in zip(chunk, new_ids, strict=True):
            if old is not None:
                ids[old] = new


def _content_key(rows: list[Row]) -> tuple[str, ...]:
    """For a table without a unique key: every column the export gives, but the id."""
    return tuple(sorted(k for k in rows[0] if k != "id")) if rows else ()


def _existing(
    session: Session, table: Table, workspace_id: int, key: tuple[str, ...], rows: list[Row]
) -> dict[tuple[Any, ...], list[int]]:
    """The rows already here, by match key: their ids (0 for tables without an id)."""
    if not rows:
        return {}
    surrogate = snapshotrows.surrogate_id(table)
    id_column = table.c.id if surrogate else literal(0)
    query = select(id_column, *(table.c[n] for n in key))
    if "workspace_id" in table.c:
        query = query.where(table.c.workspace_id == workspace_id)
    else:  # users are shared by every workspace: look up those the file names
        wanted = sorted({tuple(r[n] for n in key) for r in rows})
        query = query.where(tuple_(*(table.c[n] for n in key)).in_(wanted))
    found: dict[tuple[Any, ...], list[int]] = {}
    for db_row in session.execute(query):
        found.setdefault(tuple(db_row[1:]), []).append(int(db_row[0]))
    return found


def _without_clashes(
    session: Session,
    table: Table,
    workspace_id: int,
    fresh: list[tuple[int | None, Row]],
    restored: Restored,
) -> list[tuple[int | None, Row]]:
    """Rows whose value of a database-wide unique column is free (another workspace holds
    it when the export is imported next to its source): a delivery takes a new key, a token
    or invitation is dropped (its owner makes a new one)."""
    for column in snapshotrows.global_unique(table):
        values = [row[column] for _, row in fresh]
        taken: set[Any] = set()
        for start in range(0, len(values), _BATCH):
            chunk = values[start : start + _BATCH]
            taken.update(session.scalars(select(table.c[column]).where(table.c[column].in_(chunk))))
        kept: list[tuple[int | None, Row]] = []
        for old, row in fresh:
            if row[column] not in taken:
                taken.add(row[column])  # a second row of the file with it clashes too
                kept.append((old, row))
            elif table.name == "delivery":
                row[column] = f"{row[column][:40]}-{workspace_id}-{old}"
                kept.append((old, row))
            else:
                restored.tallies[table.name].skipped += 1
                restored.dropped.add(table.name)
                restored.skipped[f"{table.name} whose {column} another workspace holds"] += 1
        fresh = kept
    return fresh


def _people(
    session: Session,
    workspace_id: int,
    rows: list[Row],
    tables: dict[str, Any],
    restored: Restored,
) -> None:
    """People: matched by an identity, else by a unique name and company, else created."""
    tally = restored.tallies["person"]
    ids = restored.ids["person"]
    person_table = Base.metadata.tables["person"]
    by_identity = {
        (k, v): pid
        for k, v, pid in session.execute(
            select(Identity.kind, Identity.value, Identity.person_id).where(
                Identity.workspace_id == workspace_id
            )
        )
    }
    by_name: dict[tuple[str, str], list[int]] = {}
    me: int | None = None
    for pid, name, company, is_me in session.execute(
        select(Person.id, Person.full_name, Person.company, Person.is_me).where(
            Person.workspace_id == workspace_id
        )
    ):
        by_name.setdefault((fold(name), fold(company)), []).append(pid)
        me = pid if is_me else me
    identities: dict[int, list[tuple[str, str]]] = {}
    for row in snapshotrows.decoded(Identity.__table__, tables.get("identity")):  # type: ignore[arg-type]
        identities.setdefault(row["person_id"], []).append((row["kind"], row["value"]))
    fresh: list[tuple[int, Row]] = []
    for row in rows:
        old = row.pop("id")
        found = next(
            (by_identity[i] for i in identities.get(old, []) if i in by_identity),
            me if row.get("is_me") else None,
        )
        if found is None:
            same = by_name.get((fold(row["full_name"]), fold(row.get("company", ""))), [])
            found = same[0] if len(same) == 1 else None
        if found is None:
            fresh.append((old, row))
            continue
        ids[old] = found
        person = session.get_one(Person, found)
        changed = {k: row[k] for k in PERSON_FIELDS if k in row and getattr(person, k) != row[k]}
        for name, value in changed.items():
            setattr(person, name, value)
        if changed:
            tally.updated += 1
        else:
            tally.matched += 1
    tally.created += len(fresh)
    statement = insert(person_table).returning(person_table.c.id, sort_by_parameter_order=True)
    for start in range(0, len(fresh), _BATCH):
        chunk = fresh[start : start + _BATCH]
        new_ids = session.execute(statement, [row for _, row in chunk]).scalars().all()
        ids.update({old: new for (old, _), new in zip(chunk, new_ids, strict=True)})
        if all("search_text" in row for _, row in chunk):
            restored.created_people.update(new_ids)
    session.flush()


def _same(row: Row, restored: Restored) -> Row | None:
    return row


def _tie(row: Row, restored: Restored) -> Row | None:
    # A tie is stored with the lower person id first; new ids may have swapped the order.
    if row["person_a"] > row["person_b"]:
        row["person_a"], row["person_b"] = row["person_b"], row["person_a"]
    return row


def _account(row: Row, restored: Restored) -> Row | None:
    # Its secret is not in an export: paused, with the way out, until connected again.
    row["secret"] = ""
    row["session_secret"] = None
    row["status"] = "paused"
    row["status_reason"] = "connect the account again: an export does not carry its secret"
    if not restored.trusted:
        # Private servers are the administrator's call (LEAD_PRIVATE_SERVERS or the command
        # line), never a file's: a planted flag would let the worker call internal hosts.
        row["allow_private"] = False
    return row


def _network(row: Row, restored: Restored) -> Row | None:
    if "kind" in row:
        row["kind"] = parse_kind(row["kind"]).value  # the planner reads it as a NetworkKind
    return row


def _user(row: Row, restored: Restored) -> Row | None:
    row["password_hash"] = NO_PASSWORD
    return row


def _delivery(row: Row, restored: Restored) -> Row | None:
    row.setdefault(
        "idempotency_key",
        idempotency_key(row["workspace_id"], row["post_id"], row["network"], row["occurrence"]),
    )
    return row


def _setting(row: Row, restored: Restored) -> Row | None:
    if row["key"] in snapshot.CACHE_SETTINGS:
        return None
    return snapshotrows.remap_setting(row)


# No argon2 hash looks like this, so no password signs in until one is set again.
NO_PASSWORD: Final = "!no password: imported from an export"

_PREPARE: Final[dict[str, Callable[[Row, Restored], Row | None]]] = {
    "tie": _tie,
    "network": _network,
    "connector_account": _account,
    "app_user": _user,
    "delivery": _delivery,
    "setting": _setting,
}

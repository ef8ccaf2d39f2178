"""Which tables a workspace export carries, how their values are written, and the writer.

The export is generic over the table metadata: every table keyed by workspace is written,
with the users it refers to, so a table added later is exported without a change here. What
is left out is listed below with the reason, and in the export's header.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, Final, TextIO

from sqlalchemy import Boolean, Date, Float, Integer, String, Table, Text, select, text, union
from sqlalchemy.orm import Session

from takethelead.services.networks.tallies import TALLIES_KEY
from takethelead.services.networks.timeentries import EVIDENCE_KEY
from takethelead.services.people.ranking import COUNTS_KEY
from takethelead.services.relationships.fadingcache import FADING_KEY
from takethelead.storage.tables import Base, Workspace
from takethelead.storage.types import EpochSeconds

FORMAT_MARK: Final = "takethelead-export"
VERSION: Final = 2
USERS: Final = "app_user"

# Tables not in an export, and why. A test fails when a table is neither exported nor here.
NOT_EXPORTED: Final = {
    # The export is imported into a workspace the importer chooses; its name and flags are
    # in the header for the reader.
    "workspace": "the workspace itself: an export goes into the workspace you import it into",
    # Failed sign-ins kept for 15 minutes for rate limiting: about no workspace, and stale.
    "login_attempt": "failed sign-ins, kept briefly for rate limiting",
}

# Columns left out as secrets. An export is a file people download (any member may, through
# the API), mail and keep; a backup (`lead backup`) keeps these with the key files.
SECRET_COLUMNS: Final = {
    # Useless without the key file, and no business of another installation.
    "connector_account.secret": "account secret, encrypted at rest: connect the account again",
    "connector_account.session_secret": "Bluesky session, encrypted at rest",
    # argon2 slows cracking but does not stop a weak password being found from its hash;
    # and a hash in a file could give an account a password its owner never chose.
    "app_user.password_hash": "password hash: an imported user sets a password again",
}
# Token and invitation digests stay: a SHA-256 digest of a random 256-bit token cannot be
# turned back into the token, and with them tokens and links keep working after a move.
# Users, roles and tokens are imported only from the command line (see restoration.py).

# Settings that are caches (rebuilt by the nightly job, read live until then). They hold ids
# that mean nothing in another database.
CACHE_SETTINGS: Final = frozenset({TALLIES_KEY, COUNTS_KEY, FADING_KEY, EVIDENCE_KEY})


def exported_tables() -> list[Table]:
    """The tables an export carries, parents before the rows that refer to them."""
    tables = [t for t in Base.metadata.sorted_tables if t.name not in NOT_EXPORTED]
    for table in tables:
        if "workspace_id" not in table.c and table.name != USERS:
            raise RuntimeError(f"table {table.name}: not keyed by workspace nor left out")
    # Settings last: they may hold ids of any other table.
    return sorted(tables, key=lambda t: t.name == "setting")


def account_tables() -> frozenset[str]:
    """Users and every table referring to them: sign-in matters, imported only when trusted."""
    names = {USERS}
    for table in Base.metadata.sorted_tables:
        if any(fk.column.table.name == USERS for fk in table.foreign_keys):
            names.add(table.name)
    return frozenset(names)


def exported_columns(table: Table) -> list[str]:
    """A table's columns as written: no workspace id (implied) and no secrets."""
    return [
        c.name
        for c in table.columns
        if c.name != "workspace_id" and f"{table.name}.{c.name}" not in SECRET_COLUMNS
    ]


def encode(value: object) -> object:
    """A column value as JSON: times as ISO 8601 with their offset, dates as ISO dates."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _time(value: object, column_type: object) -> object:
    if not isinstance(value, str):
        raise ValueError("expected a time like 2026-03-04T10:00:00+00:00")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("expected a time with its UTC offset")
    return moment


def _date(value: object, column_type: object) -> object:
    if not isinstance(value, str):
        raise ValueError("expected a date like 2026-03-04")
    return date.fromisoformat(value)


def _boolean(value: object, column_type: object) -> object:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _whole(value: object, column_type: object) -> object:
    # Booleans are ints to Python; 2**63 and more fit no database column.
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 1 << 63:
        raise ValueError("expected a whole number")
    return value


def _number(value: object, column_type: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    return float(value)


def _text(value: object, column_type: object) -> object:
    if not isinstance(value, str):
        raise ValueError("expected text")
    length = getattr(column_type, "length", None)
    if length is not None and len(value) > length:
        raise ValueError(f"expected at most {length} characters")
    return value


# By column type, the most specific first.
_DECODERS: Final = (
    (EpochSeconds, _time),
    (Date, _date),
    (Boolean, _boolean),
    (Integer, _whole),
    (Float, _number),
    (String, _text),
    (Text, _text),
)


def decode(column_type: object, value: object) -> object:
    """A JSON value back as the column's Python value; ValueError names what was expected."""
    if value is None:
        return None
    for kind, decoder in _DECODERS:
        if isinstance(column_type, kind):
            return decoder(value, column_type)
    raise ValueError(f"a column of type {column_type} cannot be imported")


def schema_revision(session: Session) -> str | None:
    """The schema revision of the database (Alembic's)."""
    return session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _rows(session: Session, table: Table, workspace_id: int) -> Iterator[list[object]]:
    columns = [table.c[name] for name in exported_columns(table)]
    query = select(*columns).order_by(*table.primary_key.columns)
    if "workspace_id" in table.c:
        query = query.where(table.c.workspace_id == workspace_id)
        if table.name == "setting":
            query = query.where(table.c.key.not_in(sorted(CACHE_SETTINGS)))
    else:  # the users: those with a role or anything else in this workspace
        query = query.where(table.c.id.in_(_users_of(workspace_id)))
    result = session.execute(query.execution_options(yield_per=5000))
    for row in result:
        yield [encode(value) for value in row]


def _users_of(workspace_id: int) -> Any:
    picks = [
        select(fk.parent).where(fk.parent.table.c.workspace_id == workspace_id)
        for table in Base.metadata.sorted_tables
        if "workspace_id" in table.c
        for fk in table.foreign_keys
        if fk.column.table.name == USERS
    ]
    return union(*picks).scalar_subquery() if len(picks) > 1 else picks[0].scalar_subquery()


def header(session: Session, workspace_id: int) -> dict[str, object]:
    """What the export says about itself: format, schema, workspace and what it leaves out."""
    workspace = session.get_one(Workspace, workspace_id)
    left_out: dict[str, str] = dict(SECRET_COLUMNS)
    left_out.update({f"setting.{key}": "a cache, rebuilt nightly" for key in CACHE_SETTINGS})
    left_out.update({name: why for name, why in NOT_EXPORTED.items()})
    return {
        "format": FORMAT_MARK,
        "version": VERSION,
        "schema": schema_revision(session),
        "workspace": {
            "name": workspace.name,
            "is_demo": workspace.is_demo,
            "created_at": encode(workspace.created_at),
        },
        "left_out": dict(sorted(left_out.items())),
    }


def write_snapshot(session: Session, workspace_id: int, out: TextIO) -> dict[str, int]:
    """Write every exported table of the workspace; returns the rows written per table.

    The same data gives the same bytes: tables in a fixed order, rows by primary key.
    """
    out.write("{")
    for key, value in header(session, workspace_id).items():
        out.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    out.write('"tables": {\n')
    counts: dict[str, int] = {}
    tables = exported_tables()
    for index, table in enumerate(tables):
        columns = json.dumps(exported_columns(table))
        out.write(f'{json.dumps(table.name)}: {{"columns": {columns}, "rows": [\n')
        count = 0
        for row in _rows(session, table, workspace_id):
            if count:
                out.write(",\n")
            out.write(json.dumps(row, ensure_ascii=False))
            count += 1
        counts[table.name] = count
        out.write("\n]}" + (",\n" if index < len(tables) - 1 else "\n"))
    out.write("}}\n")
    return counts

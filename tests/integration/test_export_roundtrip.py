"""The JSON export carries every table a workspace owns, and an import brings all of it back.

A full workspace is exported, imported into a fresh database (SQLite, and PostgreSQL when
LEAD_TEST_DATABASE_URL is set) and compared table by table, every column, through the ids
the import gave. Secrets are the only thing left out, and the header says so.
"""

from __future__ import annotations

import io
import json
import os
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, create_engine, func, select, text, union
from sqlalchemy.orm import Session

from takethelead.config import Settings
from takethelead.domain.records import ParseError
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.ingest import snapshot
from takethelead.services.ingest.exchange import export_json, import_json, load_json
from takethelead.services.ingest.restoration import NO_PASSWORD
from takethelead.services.posting.connections import Secrets
from takethelead.storage.tables import (
    ApiToken,
    Base,
    ConnectorAccount,
    Identity,
    Interaction,
    Invitation,
    Membership,
    Person,
    PersonTag,
    TimeEntry,
    User,
    Workspace,
)
from tests.integration.workspace_builder import SECRET, build_full_workspace, empty_tables

SERVER = os.environ.get("LEAD_TEST_DATABASE_URL")
TARGETS = ["sqlite", *(["postgresql"] if SERVER else [])]


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Any]:
    """Makes stores on new, empty databases of a kind; closes and drops them after."""
    made: list[tuple[Store, str | None]] = []

    def make(kind: str) -> tuple[Store, Settings]:
        env = {"LEAD_DATA_DIR": str(tmp_path / f"data-{len(made)}"), "LEAD_ENV": "development"}
        name = None
        if kind == "postgresql":
            assert SERVER
            name = f"lead_test_{uuid.uuid4().hex[:12]}"
            admin = create_engine(SERVER.replace("postgresql://", "postgresql+psycopg://", 1))
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            env["DATABASE_URL"] = SERVER.rsplit("/", 1)[0] + "/" + name
        settings = Settings.from_env(env)
        store = Store.open(settings)
        made.append((store, name))
        return store, settings

    yield make
    for store, name in made:
        store.close()
        if name and SERVER:
            admin = create_engine(SERVER.replace("postgresql://", "postgresql+psycopg://", 1))
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def _export(store: Store, ws: int, path: Path) -> bytes:
    with store.transaction() as session, path.open("w", encoding="utf-8") as out:
        export_json(session, ws, out)
    return path.read_bytes()


def _users_of(ws: int) -> Any:
    return union(
        select(Membership.user_id).where(Membership.workspace_id == ws),
        select(ApiToken.user_id).where(ApiToken.workspace_id == ws),
        select(Invitation.invited_by).where(Invitation.workspace_id == ws),
    ).scalar_subquery()


def _rows(session: Session, table: Table, ws: int) -> list[dict[str, Any]]:
    query = select(table)
    if "workspace_id" in table.c:
        query = query.where(table.c.workspace_id == ws)
    else:
        query = query.where(table.c.id.in_(_users_of(ws)))
    rows = [dict(r._mapping) for r in session.execute(query)]
    if table.name == "setting":
        rows = [r for r in rows if r["key"] not in snapshot.CACHE_SETTINGS]
    return rows


def _expected(
    table: Table, row: dict[str, Any], ids: dict[str, dict[int, int]], ws: int
) -> dict[str, Any]:
    """A source row as it should read in the target: every id through the import's map."""
    out = dict(row)
    if "workspace_id" in out:
        out["workspace_id"] = ws
    if "id" in out and table.name in ids and [c.name for c in table.primary_key] == ["id"]:
        out["id"] = ids[table.name][row["id"]]
    for fk in table.foreign_keys:
        column, parent = fk.parent.name, fk.column.table.name
        if parent != "workspace" and out[column] is not None:
            out[column] = ids[parent][out[column]]
    if table.name == "setting" and out["key"].startswith("plan-balance:"):
        plan = int(out["key"].split(":")[1])
        value = json.loads(out["value"])
        value[3] = [ids["person"][p] for p in value[3]]
        out["key"], out["value"] = f"plan-balance:{ids['plan'][plan]}", json.dumps(value)
    if table.name == "setting" and out["key"].startswith("plan-posts:"):
        plan = int(out["key"].split(":")[1])
        value = {
            str(ids["plan_action"][int(a)]): ids["delivery"][d]
            for a, d in json.loads(out["value"]).items()
        }
        out["key"], out["value"] = f"plan-posts:{ids['plan'][plan]}", json.dumps(value)
    if table.name == "tie":
        out["person_a"], out["person_b"] = sorted((out["person_a"], out["person_b"]))
    return out


# Columns the import sets on purpose: the secrets it was not given, and so the pause.
CHANGED = {
    "connector_account": ("secret", "session_secret", "status", "status_reason"),
    "app_user": ("password_hash",),
}


def _comparable(rows: list[dict[str, Any]], table: str) -> list[str]:
    for row in rows:
        for column in CHANGED.get(table, ()):
            row.pop(column)
    return sorted(json.dumps(r, default=str, sort_keys=True) for r in rows)


def _assert_same_workspace(
    source: Store, ws: int, target: Store, target_ws: int, ids: dict[str, dict[int, int]]
) -> None:
    with source.transaction() as a, target.transaction() as b:
        for table in snapshot.exported_tables():
            before = [_expected(table, r, ids, target_ws) for r in _rows(a, table, ws)]
            after = _rows(b, table, target_ws)
            assert before, f"the full workspace has no {table.name} row"
            left, right = _comparable(after, table.name), _comparable(before, table.name)
            assert left == right, "\n".join([table.name, *sorted(set(left) ^ set(right))[:2]])


@pytest.mark.parametrize("kind", TARGETS)
def test_a_full_workspace_comes_back_table_by_table_in_a_fresh_database(
    store: Store, settings: Settings, fresh_database: Any, tmp_path: Path, kind: str
) -> None:
    ws = build_full_workspace(store, settings)
    with store.transaction() as session:
        assert empty_tables(session, ws) == []  # every table is put to the test
    export = tmp_path / "demo.json"
    _export(store, ws, export)
    target, _ = fresh_database(kind)
    with target.transaction() as session:
        target_ws = workspace_id(session, "moved")
        restored = load_json(session, target_ws, export, accounts=True)
    _assert_same_workspace(store, ws, target, target_ws, restored.ids)
    with target.transaction() as session:
        accounts = session.scalars(select(ConnectorAccount)).all()
        assert {a.status for a in accounts} == {"paused"}
        assert all(
            a.secret == "" and "connect the account again" in a.status_reason for a in accounts
        )
        assert set(session.scalars(select(User.password_hash))) == {NO_PASSWORD}


def test_a_second_import_of_the_same_export_changes_nothing(
    store: Store, settings: Settings, fresh_database: Any, tmp_path: Path
) -> None:
    ws = build_full_workspace(store, settings)
    export = tmp_path / "demo.json"
    _export(store, ws, export)
    target, _ = fresh_database("sqlite")
    with target.transaction() as session:
        target_ws = workspace_id(session, "moved")
        load_json(session, target_ws, export, accounts=True)
    counts = _counts(target)
    with target.transaction() as session:
        again = load_json(session, target_ws, export, accounts=True)
    assert _counts(target) == counts
    assert all(t.created == 0 for t in again.tallies.values())


def _counts(store: Store) -> dict[str, int]:
    with store.transaction() as session:
        return {
            t.name: int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
        }


def test_a_copy_next_to_its_source_gets_its_own_delivery_keys_and_leaves_tokens_behind(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    ws = build_full_workspace(store, settings)
    export = tmp_path / "demo.json"
    _export(store, ws, export)
    with store.transaction() as session:
        copy = workspace_id(session, "copy")
        summary = import_json(session, copy, export, accounts=True)
        tokens = session.scalar(select(func.count()).where(ApiToken.workspace_id == copy))
    assert tokens == 0
    assert summary.skipped["api_token whose digest another workspace holds"] == 1
    with store.transaction() as session:
        people = session.scalar(select(func.count()).where(Person.workspace_id == ws))
    assert summary.people.created == people
    first = _export(store, ws, tmp_path / "again.json")
    assert first == export.read_bytes()  # the source is untouched


def test_users_and_tokens_come_in_only_when_trusted(
    store: Store, settings: Settings, fresh_database: Any, tmp_path: Path
) -> None:
    ws = build_full_workspace(store, settings)
    export = tmp_path / "demo.json"
    _export(store, ws, export)
    target, _ = fresh_database("sqlite")
    with target.transaction() as session:
        summary = import_json(session, workspace_id(session, "web"), export)  # as the web does
        assert session.scalars(select(User)).all() == []
        assert session.scalars(select(Membership)).all() == []
    assert summary.skipped["users, roles and tokens (imported by the command line only)"] >= 5


def test_a_password_hash_smuggled_into_an_export_is_not_taken(store: Store, tmp_path: Path) -> None:
    planted = {
        "format": "takethelead-export",
        "version": 2,
        "tables": {
            "app_user": {
                "columns": ["id", "email", "password_hash", "created_at"],
                "rows": [[7, "victim@example.org", "$argon2id$v=19$chosen", None]],
            },
            "membership": {"columns": ["user_id", "role"], "rows": [[7, "owner"]]},
        },
    }
    path = tmp_path / "planted.json"
    path.write_text(json.dumps(planted), encoding="utf-8")
    with (
        pytest.raises(ParseError, match="app_user: row 1, created_at: expected a value"),
        store.transaction() as session,
    ):
        import_json(session, workspace_id(session, "x"), path, accounts=True)
    planted["tables"]["app_user"]["rows"][0][3] = "2026-03-04T10:00:00+00:00"  # type: ignore[index]
    path.write_text(json.dumps(planted), encoding="utf-8")
    with store.transaction() as session:
        import_json(session, workspace_id(session, "x"), path, accounts=True)
        assert session.scalars(select(User.password_hash)).one() == NO_PASSWORD


def test_every_table_is_exported_or_left_out_with_a_reason() -> None:
    exported = {t.name for t in snapshot.exported_tables()}
    for table in Base.metadata.sorted_tables:
        assert (table.name in exported) != (table.name in snapshot.NOT_EXPORTED), table.name
        if table.name in exported:
            written = set(snapshot.exported_columns(table))
            left = {c.name for c in table.columns} - written
            assert left <= {"workspace_id"} | {
                k.split(".")[1] for k in snapshot.SECRET_COLUMNS if k.startswith(table.name + ".")
            }


def test_the_export_header_names_what_it_leaves_out(store: Store, settings: Settings) -> None:
    ws = build_full_workspace(store, settings)
    out = io.StringIO()
    with store.transaction() as session:
        export_json(session, ws, out)
    data = json.loads(out.getvalue())
    assert data["version"] == 2 and data["schema"]
    assert set(data["left_out"]) >= {
        "connector_account.secret",
        "connector_account.session_secret",
        "app_user.password_hash",
        "setting.person_counts",
    }
    assert "password_hash" not in data["tables"]["app_user"]["columns"]
    assert _no_secret_in(out.getvalue())


def _no_secret_in(body: str) -> bool:
    return SECRET not in body and "gAAAAA" not in body  # Fernet tokens start so


def test_the_export_is_the_same_bytes_every_time(store: Store, settings: Settings) -> None:
    ws = build_full_workspace(store, settings)
    texts = []
    for _ in range(2):
        out = io.StringIO()
        with store.transaction() as session:
            export_json(session, ws, out)
        texts.append(out.getvalue())
    assert texts[0] == texts[1]


def test_an_export_of_version_1_still_imports(store: Store, tmp_path: Path) -> None:
    old = {
        "format": "takethelead-export",
        "version": 1,
        "networks": [{"id": 3, "name": "LinkedIn", "kind": "linkedin", "url": ""}],
        "people": [
            {
                "id": 9,
                "full_name": "Ana Díaz",
                "first_name": "Ana",
                "last_name": "Díaz",
                "company": "Acme",
                "title": "",
                "notes": "met at BNI",
                "offer": "",
                "lead_profile": "",
                "closeness": 4,
                "cadence_days": None,
                "is_me": False,
                "distrusted": False,
                "birthday": "1990-05-01",
                "connected_on": None,
                "identities": [{"kind": "email", "value": "ana@example.org", "display": ""}],
                "tags": ["clients"],
            }
        ],
        "interactions": [
            {
                "person": 9,
                "network": 3,
                "occurred_at": "2026-01-05T09:00:00+00:00",
                "kind": "message",
                "direction": "inbound",
                "automated": False,
                "minutes": None,
                "summary": "hello",
                "source": "linkedin-messages",
                "external_id": "m1",
            }
        ],
        "time_entries": [
            {
                "network": 3,
                "spent_at": "2026-01-05T09:00:00+00:00",
                "minutes": 30,
                "responses": 2,
                "note": "",
            }
        ],
    }
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    for _ in range(2):  # the second time changes nothing
        with store.transaction() as session:
            ws = workspace_id(session, "old")
            import_json(session, ws, path)
    with store.transaction() as session:
        person = session.scalars(select(Person)).one()
        assert (person.full_name, person.closeness, str(person.birthday)) == (
            "Ana Díaz",
            4,
            "1990-05-01",
        )
        assert "met at bni" in person.search_text
        assert session.scalars(select(Identity.value)).all() == ["ana@example.org"]
        assert session.scalars(select(PersonTag.tag)).all() == ["clients"]
        assert session.scalars(select(Interaction.summary)).all() == ["hello"]
        assert session.scalars(select(TimeEntry.minutes)).all() == [30]


@pytest.mark.skipif(not SERVER, reason="moves to PostgreSQL: needs LEAD_TEST_DATABASE_URL")
def test_a_workspace_moves_from_sqlite_to_postgresql_through_json(
    fresh_database: Any, tmp_path: Path
) -> None:
    source, source_settings = fresh_database("sqlite")
    ws = build_full_workspace(source, source_settings)
    export = tmp_path / "demo.json"
    _export(source, ws, export)
    target, _ = fresh_database("postgresql")
    with target.transaction() as session:
        target_ws = workspace_id(session, "demo")
        restored = load_json(session, target_ws, export, accounts=True)
    _assert_same_workspace(source, ws, target, target_ws, restored.ids)
    # The moved workspace reads the same: its export differs only in the ids it was given.
    moved = _export(target, target_ws, tmp_path / "moved.json")
    assert json.loads(moved)["tables"].keys() == json.loads(export.read_bytes())["tables"].keys()


def test_account_secrets_left_out_are_not_needed_to_read_the_rest(
    store: Store, settings: Settings
) -> None:
    # The export never holds a Fernet token, yet the key still reads the source's secrets.
    ws = build_full_workspace(store, settings)
    with store.transaction() as session:
        account = session.scalars(
            select(ConnectorAccount).where(
                ConnectorAccount.workspace_id == ws, ConnectorAccount.kind == "mastodon"
            )
        ).one()
        assert Secrets.from_settings(settings).decrypt(account.secret).startswith("mastodon")


MUTATIONS: list[object] = [
    10**19,
    None,
    True,
    0,
    -1,
    1.5,
    "",
    "x" * 400,
    "2026-01-01T00:00:00",
    [],
    {},
    "é",
]


def test_a_mutated_export_is_refused_with_a_clear_error_or_imported_whole(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    ws = build_full_workspace(store, settings)
    out = io.StringIO()
    with store.transaction() as session:
        export_json(session, ws, out)
    base = out.getvalue()
    rng = random.Random(19)
    path = tmp_path / "mutated.json"
    for n in range(60):
        data = json.loads(base)
        tables = data["tables"]
        name = rng.choice(sorted(t for t in tables if tables[t]["rows"]))
        row = rng.choice(tables[name]["rows"])
        index = rng.randrange(len(row))
        value = row[index]
        if isinstance(value, int) and not isinstance(value, bool) and rng.random() < 0.5:
            row[index] = value + rng.choice([1, -1, 1000])  # an id pointing elsewhere
        else:
            row[index] = rng.choice(MUTATIONS)
        path.write_text(json.dumps(data), encoding="utf-8")
        before = _counts(store)
        try:
            with store.transaction() as session:
                import_json(session, workspace_id(session, f"try-{n}"), path, accounts=True)
        except ParseError as exc:
            assert str(path) in str(exc)
            after = _counts(store)
            assert after == {**before, "workspace": after["workspace"]}  # nothing half-written


def test_an_export_imported_through_the_web_cannot_open_private_servers(
    store: Store, tmp_path: Path
) -> None:
    planted = {
        "format": "takethelead-export",
        "version": 2,
        "tables": {
            "connector_account": {
                "columns": ["id", "kind", "base_url", "handle", "allow_private"],
                "rows": [[1, "mastodon", "http://169.254.169.254", "x@y", True]],
            }
        },
    }
    path = tmp_path / "planted.json"
    path.write_text(json.dumps(planted), encoding="utf-8")
    for trusted in (False, True):
        with store.transaction() as session:
            import_json(session, workspace_id(session, f"w{trusted}"), path, accounts=trusted)
    with store.transaction() as session:
        rows = session.execute(
            select(Workspace.name, ConnectorAccount.allow_private, ConnectorAccount.status)
            .join(Workspace, Workspace.id == ConnectorAccount.workspace_id)
            .order_by(Workspace.name)
        ).all()
    assert [tuple(r) for r in rows] == [("wFalse", False, "paused"), ("wTrue", True, "paused")]

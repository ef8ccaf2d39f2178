"""Backups: one private archive, restored into an empty data dir, exported byte for byte alike.

On SQLite (the online backup API) and, with LEAD_TEST_DATABASE_URL, on PostgreSQL (pg_dump
and pg_restore into a database of the test's own).
"""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import create_engine, func, select, text

from takethelead.config import Settings
from takethelead.services.core.errors import ServiceError
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.ingest.backup import create_backup, restore_backup
from takethelead.services.ingest.exchange import export_json
from takethelead.services.posting.connections import Secrets
from takethelead.storage import database
from takethelead.storage.tables import ConnectorAccount, Interaction, Person, Workspace
from takethelead.web.sessions import secret_key
from tests.integration.workspace_builder import SECRET, build_full_workspace


@pytest.fixture
def installations(tmp_path: Path, server_database_url: str | None) -> Iterator[Any]:
    """Makes settings for new, empty installations of the same kind as the test database."""
    made: list[str] = []

    def make(label: str) -> Settings:
        env = {"LEAD_DATA_DIR": str(tmp_path / label), "LEAD_ENV": "development"}
        if server_database_url:
            name = f"lead_restore_{uuid.uuid4().hex[:12]}"
            admin = create_engine(server_database_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            made.append(name)
            env["DATABASE_URL"] = server_database_url.rsplit("/", 1)[0] + "/" + name
        return Settings.from_env(env)

    yield make
    if server_database_url:
        admin = create_engine(server_database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def elsewhere(installations: Any) -> Settings:
    """A second, empty installation of the same kind as the test database."""
    return cast(Settings, installations("elsewhere"))


def _export(settings: Settings, name: str = "demo") -> str:
    store = Store.open(settings)
    try:
        with store.transaction() as session:
            out = io.StringIO()
            export_json(session, workspace_id(session, name, create=False), out)
            return out.getvalue()
    finally:
        store.close()


def _keys(settings: Settings) -> None:
    """Make the data dir's key files, as connecting an account and serving pages do."""
    Secrets.from_settings(settings)
    secret_key(settings)


def test_backup_restore_then_export_gives_the_same_bytes(
    store: Store, settings: Settings, elsewhere: Settings, tmp_path: Path
) -> None:
    _keys(settings)
    build_full_workspace(store, settings)
    before = _export(settings)
    archive = tmp_path / "lead.backup"
    info = create_backup(settings, archive)
    assert info.key_files == ("secret.key", "web-secret.key")
    restored = restore_backup(elsewhere, archive)
    assert restored.schema_after == info.schema
    assert _export(elsewhere) == before
    # The key files came too: the account secret encrypted before reads after.
    copy = Store.open(elsewhere)
    try:
        with copy.transaction() as session:
            token = session.scalars(
                select(ConnectorAccount.secret).where(ConnectorAccount.kind == "mastodon")
            ).one()
        assert Secrets.from_settings(elsewhere).decrypt(token) == SECRET
    finally:
        copy.close()
    assert secret_key(elsewhere) == secret_key(settings)


def test_the_archive_is_private_and_says_what_it_holds(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    _keys(settings)
    archive = tmp_path / "lead.backup"
    archive.write_text("an older backup")
    archive.chmod(0o644)
    info = create_backup(settings, archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    kind = "sqlite" if settings.is_sqlite else "postgresql"
    dump = "database.sqlite" if settings.is_sqlite else "database.pgdump"
    assert names == ["manifest.json", dump, "keys/secret.key", "keys/web-secret.key"]
    assert manifest["format"] == "takethelead-backup" and manifest["version"] == 1
    assert manifest["database"] == kind and manifest["schema"] == info.schema
    assert manifest["schema"] == database.head_revision(store.engine)
    assert [p.name for p in tmp_path.iterdir()] == ["data", "lead.backup"]  # no partial left


def test_restore_refuses_a_database_that_holds_data_unless_forced(
    store: Store, settings: Settings, elsewhere: Settings, tmp_path: Path
) -> None:
    build_full_workspace(store, settings)
    archive = tmp_path / "lead.backup"
    create_backup(settings, archive)
    other = Store.open(elsewhere)
    with other.transaction() as session:
        session.add(Workspace(name="precious"))
    other.close()
    with pytest.raises(ServiceError, match=r"already holds data.*--force"):
        restore_backup(elsewhere, archive)
    assert _names(elsewhere) == ["precious"]
    restore_backup(elsewhere, archive, force=True)
    assert _names(elsewhere) == ["demo"]


def _names(settings: Settings) -> list[str]:
    store = Store.open(settings)
    try:
        with store.transaction() as session:
            return list(session.scalars(select(Workspace.name).order_by(Workspace.name)))
    finally:
        store.close()


def test_an_empty_migrated_database_takes_a_restore(
    store: Store, settings: Settings, elsewhere: Settings, tmp_path: Path
) -> None:
    build_full_workspace(store, settings)
    archive = tmp_path / "lead.backup"
    create_backup(settings, archive)
    Store.open(elsewhere).close()  # `lead db upgrade` ran there: tables, no rows
    restore_backup(elsewhere, archive)
    assert _export(elsewhere) == _export(settings)


def test_a_backup_of_an_older_schema_is_migrated_to_the_newest_on_restore(
    installations: Any, elsewhere: Settings, tmp_path: Path
) -> None:
    settings = installations("old")
    engine = database.make_engine(settings.database_url)
    database.upgrade(engine, "0008")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO workspace (name, is_demo, created_at) VALUES ('old', false, 0)")
        )
    engine.dispose()
    archive = tmp_path / "old.backup"
    assert create_backup(settings, archive).schema == "0008"
    restored = restore_backup(elsewhere, archive)
    assert restored.schema_before == "0008"
    engine = database.make_engine(elsewhere.database_url)
    try:
        assert restored.schema_after == database.head_revision(engine)
        assert database.current_revision(engine) == database.head_revision(engine)
    finally:
        engine.dispose()
    assert _names(elsewhere) == ["old"]


def test_a_backup_of_another_kind_of_database_is_refused_naming_the_way_to_move(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    archive = tmp_path / "lead.backup"
    create_backup(settings, archive)
    other = Settings.from_env(
        {
            "LEAD_DATA_DIR": str(tmp_path / "other"),
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"
            if settings.is_sqlite
            else f"sqlite:///{tmp_path / 'other' / 'lead.db'}",
        }
    )
    with pytest.raises(ServiceError, match=r"cannot be restored into.*lead export and lead import"):
        restore_backup(other, archive)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not an archive", "not a readable backup"),
        (None, "not a Take the Lead backup"),
    ],
)
def test_a_file_that_is_not_a_backup_is_refused_and_nothing_is_written(
    elsewhere: Settings, tmp_path: Path, content: bytes | None, message: str
) -> None:
    archive = tmp_path / "x.backup"
    if content is None:
        with tarfile.open(archive, "w:gz") as tar:
            body = b'{"format": "something else"}'
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    else:
        archive.write_bytes(content)
    with pytest.raises(ServiceError, match=message):
        restore_backup(elsewhere, archive)
    assert not elsewhere.data_dir.exists()


def test_a_backup_taken_while_the_database_is_written_is_consistent(
    store: Store, settings: Settings, elsewhere: Settings, tmp_path: Path
) -> None:
    # Each transaction adds a person and their interaction: a snapshot holds both or neither.
    with store.transaction() as session:
        ws = workspace_id(session, "demo")
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            with store.transaction() as session:
                person = Person(workspace_id=ws, full_name=f"P{n}")
                session.add(person)
                session.flush()
                session.add(
                    Interaction(
                        workspace_id=ws,
                        person_id=person.id,
                        occurred_at=person.created_at,
                        kind="message",
                        direction="inbound",
                        source="test",
                        external_id=str(n),
                    )
                )

    writer = threading.Thread(target=write)
    writer.start()
    try:
        archives = [tmp_path / f"b{i}.backup" for i in range(3)]
        for archive in archives:
            create_backup(settings, archive)
    finally:
        stop.set()
        writer.join()
    restore_backup(elsewhere, archives[-1])
    copy = Store.open(elsewhere)
    try:
        with copy.transaction() as session:
            people = session.scalar(select(func.count()).select_from(Person))
            touches = session.scalar(select(func.count()).select_from(Interaction))
        assert people == touches and (people or 0) > 0
    finally:
        copy.close()


def test_restored_files_are_private(
    store: Store, settings: Settings, elsewhere: Settings, tmp_path: Path
) -> None:
    _keys(settings)
    archive = tmp_path / "lead.backup"
    create_backup(settings, archive)
    restore_backup(elsewhere, archive)
    assert stat.S_IMODE(elsewhere.data_dir.stat().st_mode) == 0o700
    for name in os.listdir(elsewhere.data_dir):
        assert stat.S_IMODE((elsewhere.data_dir / name).stat().st_mode) == 0o600, name

"""Backups: one archive with a consistent copy of the database and the data dir's key files.

SQLite is copied with its online backup API (a consistent snapshot while others write);
PostgreSQL with pg_dump's custom format. The key files (the account secrets' Fernet key, the
session signing key) go with it: without them the copied account secrets cannot be read.
The archive holds secrets, so it is written with mode 0600, under a temporary name first.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from sqlalchemy import Connection, create_engine, make_url, text

from takethelead.config import Settings
from takethelead.services.core.errors import ServiceError
from takethelead.services.core.store import Store
from takethelead.storage import database
from takethelead.storage.tables import Base

FORMAT: Final = "takethelead-backup"
VERSION: Final = 1
MANIFEST: Final = "manifest.json"
SQLITE_MEMBER: Final = "database.sqlite"
PG_MEMBER: Final = "database.pgdump"
KEYS: Final = "keys/"
# Key files live at the top of the data dir and end in .key (secret.key, web-secret.key).
_KEY_NAME: Final = re.compile(r"^[A-Za-z0-9_.-]+\.key$")


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    database: str  # sqlite | postgresql
    schema: str | None
    key_files: tuple[str, ...]
    created_at: str


def create_backup(settings: Settings, target: Path) -> BackupInfo:
    """Write a backup of the database and key files to `target` (replaced only when done)."""
    target = target.expanduser()
    if target.is_dir():
        raise ServiceError(f"{target}: is a folder; give a file name such as lead.backup")
    if not target.parent.is_dir():
        raise ServiceError(f"{target.parent}: no such folder")
    kind = "sqlite" if settings.is_sqlite else "postgresql"
    keys = _key_files(settings.data_dir)
    # The copy is made beside the archive: the same disk, and no small /tmp filled.
    with tempfile.TemporaryDirectory(prefix=".lead-backup-", dir=target.parent) as work:
        if settings.is_sqlite:
            source = _sqlite_path(settings)
            if not source.is_file():
                raise ServiceError(f"{source}: no database to back up")
            dump = Path(work) / SQLITE_MEMBER
            _sqlite_copy(source, dump)
            schema = _sqlite_revision(dump)
        else:
            dump = Path(work) / PG_MEMBER
            schema = _pg_dump(settings.database_url, dump)
        created = datetime.now(UTC).replace(microsecond=0).isoformat()
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "database": kind,
            "schema": schema,
            "created_at": created,
            "key_files": [k.name for k in keys],
            "secret_key_from_environment": bool(settings.secret_key),
        }
        _write_archive(target, manifest, dump, keys)
    return BackupInfo(target, kind, schema, tuple(k.name for k in keys), created)


def _key_files(data_dir: Path) -> list[Path]:
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.iterdir() if p.is_file() and _KEY_NAME.match(p.name))


def _sqlite_path(settings: Settings) -> Path:
    raw = make_url(settings.database_url).database
    if not raw or raw == ":memory:":
        raise ServiceError("DATABASE_URL: an in-memory database cannot be backed up")
    return Path(raw)


def _sqlite_copy(source: Path, into: Path) -> None:
    """A consistent copy while other processes read and write (SQLite's backup API)."""
    src = sqlite3.connect(_read_only(source), uri=True, timeout=30)
    dst = sqlite3.connect(into)
    try:
        src.backup(dst)
        # One self-contained file: the copy carries no write-ahead log beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise ServiceError(f"{source}: cannot be copied ({exc})") from exc
    finally:
        dst.close()
        src.close()


def _read_only(path: Path) -> str:
    """A URI that opens a SQLite file read-only, whatever characters its name holds."""
    return path.resolve().as_uri() + "?mode=ro"


def _sqlite_revision(path: Path) -> str | None:
    with sqlite3.connect(path) as connection:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            return None
    connection.close()
    return str(row[0]) if row else None


def libpq_url(database_url: str) -> tuple[str, dict[str, str]]:
    """The database as pg_dump and pg_restore take it, and the environment with its password
    (kept off the command line, where every user of the host could read it)."""
    url = make_url(database_url)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _major(version: str) -> int:
    found = re.search(r"(\d+)", version)
    return int(found.group(1)) if found else 0


def pg_tool(name: str, database_url: str) -> str:
    """The path of pg_dump or pg_restore, refused when older than the server."""
    found = shutil.which(name)
    if found is None:
        raise ServiceError(f"{name}: not found; install PostgreSQL's client tools")
    try:
        out = subprocess.run([found, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ServiceError(f"{name}: cannot run it ({exc})") from exc
    tool = _major(out.stdout.replace("(PostgreSQL)", ""))  # "pg_dump (PostgreSQL) 15.2 …"
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            server = int(str(connection.execute(text("SHOW server_version_num")).scalar()))
    finally:
        engine.dispose()
    if tool < server // 10000:
        raise ServiceError(
            f"{name} {tool} is older than the server ({server // 10000}): install the client "
            f"tools of PostgreSQL {server // 10000} or newer"
        )
    return found


def _pg_dump(database_url: str, into: Path) -> str | None:
    tool = pg_tool("pg_dump", database_url)
    url, env = libpq_url(database_url)
    result = subprocess.run(
        [tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={into}", url],
        capture_output=True,
        text=True,
        env=env,
    )
    if result.returncode != 0:
        raise ServiceError(f"pg_dump failed: {result.stderr.strip()}")
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def _write_archive(target: Path, manifest: dict[str, object], dump: Path, keys: list[Path]) -> None:
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # even over a leftover partial file of other rights
    try:
        with os.fdopen(descriptor, "wb") as handle:
            with tarfile.open(fileobj=handle, mode="w:gz", compresslevel=6) as tar:
                body = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode = len(body), 0o600
                info.mtime = int(datetime.now(UTC).timestamp())
                tar.addfile(info, io.BytesIO(body))
                tar.add(dump, arcname=dump.name, recursive=False, filter=_private)
                for key in keys:
                    tar.add(key, arcname=KEYS + key.name, recursive=False, filter=_private)
            handle.flush()
            os.fsync(handle.fileno())  # on disk before it takes the name
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


@dataclass(frozen=True, slots=True)
class RestoreInfo:
    database: str
    schema_before: str | None
    schema_after: str | None
    key_files: tuple[str, ...]
    created_at: str


def restore_backup(settings: Settings, archive: Path, force: bool = False) -> RestoreInfo:
    """Restore a backup into the configured data dir and database, then migrate it to the
    newest schema. A database that holds data is replaced only with `force`."""
    mine = "sqlite" if settings.is_sqlite else "postgresql"
    with tempfile.TemporaryDirectory(prefix="lead-restore-") as work:
        manifest, members = _read_archive(archive, Path(work))
        kind = str(manifest["database"])
        if kind != mine:
            raise ServiceError(
                f"{archive}: a {kind} backup cannot be restored into {mine}; restore it into "
                f"{kind}, then move workspaces with lead export and lead import"
            )
        if not force and _holds_data(settings):
            where = _sqlite_path(settings) if settings.is_sqlite else "the PostgreSQL database"
            raise ServiceError(
                f"{where} already holds data; restore into an empty data dir and database, "
                "or give --force to replace it"
            )
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if settings.is_sqlite:
            _sqlite_restore(members[SQLITE_MEMBER], _sqlite_path(settings))
        else:
            _pg_restore(members[PG_MEMBER], settings.database_url)
        keys = sorted(name for name in members if name.startswith(KEYS))
        for name in keys:
            _put_private(members[name], settings.data_dir / name[len(KEYS) :])
    before, after = _migrate(settings)
    return RestoreInfo(
        kind, before, after, tuple(k[len(KEYS) :] for k in keys), str(manifest["created_at"])
    )


def _read_archive(archive: Path, into: Path) -> tuple[dict[str, object], dict[str, Path]]:
    """The manifest and the files of a backup, unpacked into a folder; nothing else."""
    members: dict[str, Path] = {}
    manifest: object = None
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for info in tar:
                name = info.name
                allowed = name in (MANIFEST, SQLITE_MEMBER, PG_MEMBER) or (
                    name.startswith(KEYS) and _KEY_NAME.match(name[len(KEYS) :]) is not None
                )
                if not allowed or not info.isfile():
                    raise ServiceError(f"{archive}: unexpected member {name!r} in a backup")
                source = tar.extractfile(info)
                if source is None:
                    raise ServiceError(f"{archive}: member {name!r} cannot be read")
                if name == MANIFEST:
                    manifest = json.loads(source.read(1 << 20))
                    continue
                target = into / f"member-{len(members)}"
                with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
                members[name] = target
    except FileNotFoundError:
        raise ServiceError(f"{archive}: no such file") from None
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise ServiceError(f"{archive}: not a readable backup ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ServiceError(f"{archive}: not a Take the Lead backup (no manifest)")
    if manifest.get("version") != VERSION:
        raise ServiceError(f"{archive}: backup format {manifest.get('version')!r}, expected 1")
    dump = {"sqlite": SQLITE_MEMBER, "postgresql": PG_MEMBER}.get(str(manifest.get("database")))
    if dump is None or dump not in members:
        raise ServiceError(f"{archive}: the backup holds no database copy")
    return manifest, members


def _holds_data(settings: Settings) -> bool:
    """Whether any of our tables in the target database has a row."""
    if settings.is_sqlite:
        path = _sqlite_path(settings)
        if not path.exists() or path.stat().st_size == 0:
            return False
        engine = create_engine(
            "sqlite://", creator=lambda: sqlite3.connect(_read_only(path), uri=True)
        )
    else:
        engine = create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            # Our tables only: SQLite's full-text index keeps rows of its own in empty ones.
            ours = set(Base.metadata.tables)
            tables = [n for n in _table_names(connection, settings.is_sqlite) if n in ours]
            return any(
                connection.execute(text(f'SELECT 1 FROM "{n}" LIMIT 1')).first() is not None
                for n in tables
            )
    finally:
        engine.dispose()


def _table_names(connection: Connection, sqlite: bool) -> list[str]:
    if sqlite:
        query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    else:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    return [str(n) for n in connection.execute(text(query)).scalars()]


def _sqlite_restore(copy: Path, target: Path) -> None:
    """Copy the backup into the target through the backup API: readers never see half a
    file, and a write-ahead log left beside the target is taken care of by SQLite."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))
    src = sqlite3.connect(_read_only(copy), uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    except sqlite3.Error as exc:
        raise ServiceError(f"{target}: cannot be restored ({exc})") from exc
    finally:
        dst.close()
        src.close()


def _pg_restore(dump: Path, database_url: str) -> None:
    """Restore a dump into a database with no data (or whose data --force gave up)."""
    tool = pg_tool("pg_restore", database_url)
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            # Tables of an empty schema made earlier (lead db upgrade, perhaps at a newer
            # revision than the backup's) would clash with the dump's or with the migration.
            names = _table_names(connection, sqlite=False)
            if names:
                quoted = ", ".join(f'"{n}"' for n in names)
                connection.execute(text(f"DROP TABLE IF EXISTS {quoted} CASCADE"))
    finally:
        engine.dispose()
    url, env = libpq_url(database_url)
    command = [tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    result = subprocess.run(
        [*command, f"--dbname={url}", str(dump)], capture_output=True, text=True, env=env
    )
    if result.returncode != 0:
        raise ServiceError(f"pg_restore failed: {result.stderr.strip()}")


def _put_private(source: Path, target: Path) -> None:
    partial = target.with_name(f".{target.name}.partial")
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(source.read_bytes())
    partial.replace(target)


def _migrate(settings: Settings) -> tuple[str | None, str | None]:
    """Bring a restored database to the newest schema: (revision before, after)."""
    store = Store.open(settings, migrate=False)
    try:
        before = database.current_revision(store.engine)
        database.ensure_schema(store.engine)
        return before, database.current_revision(store.engine)
    finally:
        store.close()

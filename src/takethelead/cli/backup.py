"""`lead backup` and `lead restore`: the whole installation in one file and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from takethelead.cli.state import console, friendly
from takethelead.config import Settings
from takethelead.services.ingest.backup import create_backup, restore_backup


@friendly
def backup(
    file: Annotated[Path, typer.Argument(help="The archive to write (mode 0600).")],
) -> None:
    """Back up the database and the data dir's key files to one archive.

    SQLite is copied with its online backup API (safe while the server and workers run);
    PostgreSQL with pg_dump. The archive holds secrets: keep it as safe as the data dir.

    Example: lead backup ~/backups/lead-2026-12-01.tar.gz
    """
    settings = Settings.from_env()
    info = create_backup(settings, file)
    keys = ", ".join(info.key_files) or "no key files"
    console.print(
        f"Backed up the {info.database} database (schema {info.schema}) and {keys} to {info.path}",
        highlight=False,
    )
    if settings.secret_key:
        console.print("LEAD_SECRET_KEY is set: keep it as well; the backup holds no copy of it.")


@friendly
def restore(
    file: Annotated[Path, typer.Argument(help="An archive written by lead backup.")],
    force: Annotated[
        bool, typer.Option(help="Replace a database that already holds data.")
    ] = False,
) -> None:
    """Restore a backup into an empty data dir and database, then bring its schema up to date.

    Stop the server and workers first. Use the same kind of database the backup came from
    (to move between SQLite and PostgreSQL, use lead export and lead import).

    Example: LEAD_DATA_DIR=/srv/lead lead restore lead-2026-12-01.tar.gz
    """
    settings = Settings.from_env()
    info = restore_backup(settings, file, force=force)
    migrated = (
        f", migrated from {info.schema_before} to {info.schema_after}"
        if info.schema_before != info.schema_after
        else f" (schema {info.schema_after})"
    )
    keys = ", ".join(info.key_files) or "no key files"
    console.print(
        f"Restored the {info.database} backup of {info.created_at} with {keys}{migrated}",
        highlight=False,
    )

"""The data directory is 0700 and the SQLite files 0600, whatever the umask says."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from takethelead.config import Settings
from takethelead.jobs.queue import SQLITE_FILE, build_huey
from takethelead.services.core.store import Store, workspace_id


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run_lead(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEAD_DATA_DIR": str(data_dir), "LEAD_ENV": "development"}
    env.pop("DATABASE_URL", None)
    lead = Path(sys.executable).with_name("lead")
    return subprocess.run(
        [str(lead), *args],
        env=env, capture_output=True, text=True, timeout=120, check=True,
        umask=0o022,  # the usual umask, which makes new files 0644
    )  # fmt: skip


def test_a_fresh_data_dir_is_0700_and_the_database_0600_after_a_real_command(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "fresh" / "takethelead"
    run_lead(data_dir, "people", "add", "Ana Example", "-i", "ana@example.org")
    assert mode(data_dir) == 0o700
    database = data_dir / "lead.db"
    assert mode(database) == 0o600
    companions = [p for p in data_dir.iterdir() if p.name.startswith("lead.db-")]
    for path in companions:
        assert mode(path) == 0o600, path
    readable = [p.name for p in data_dir.iterdir() if mode(p) & 0o077]
    assert readable == []


def test_an_existing_database_open_to_others_is_tightened_on_open(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = tmp_path / "old"
    run_lead(data_dir, "people", "add", "Ana Example")
    os.chmod(data_dir, 0o755)
    os.chmod(data_dir / "lead.db", 0o644)  # what earlier versions left behind
    settings = Settings.from_env({"LEAD_DATA_DIR": str(data_dir), "LEAD_ENV": "development"})
    with caplog.at_level(logging.WARNING, logger="takethelead.storage.files"):
        store = Store.open(settings)
        store.close()
    assert mode(data_dir) == 0o700
    assert mode(data_dir / "lead.db") == 0o600
    assert "open to other users (mode 644); set to 600" in caplog.text


def test_the_wal_and_shm_files_of_an_open_database_and_the_queue_are_0600(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"LEAD_DATA_DIR": str(tmp_path / "open"), "LEAD_ENV": "development"}
    )
    previous = os.umask(0o022)
    try:
        store = Store.open(settings)
        try:
            with store.transaction() as session:
                workspace_id(session, "files")
            database = settings.data_dir / "lead.db"
            for suffix in ("-wal", "-shm"):  # they exist while a connection is open
                assert mode(database.with_name("lead.db" + suffix)) == 0o600
        finally:
            store.close()
        build_huey(settings)
        assert mode(settings.data_dir / SQLITE_FILE) == 0o600
    finally:
        os.umask(previous)
    assert mode(settings.data_dir) == 0o700

"""Shared fixtures: a real database for every test that needs one.

SQLite by default (a fresh file per test). With LEAD_TEST_DATABASE_URL pointing at a
PostgreSQL server, the same tests run there, each run in a database of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from takethelead.config import Settings
from takethelead.services.core.store import Store
from takethelead.storage.tables import Base


@pytest.fixture(scope="session")
def server_database_url() -> Iterator[str | None]:
    """A database of this run's own on the PostgreSQL server, when one is configured."""
    base = os.environ.get("LEAD_TEST_DATABASE_URL")
    if not base:
        yield None
        return
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"lead_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, server_database_url: str | None) -> Settings:
    env = {"LEAD_DATA_DIR": str(tmp_path / "data"), "LEAD_ENV": "development"}
    if server_database_url:
        env["DATABASE_URL"] = server_database_url
    return Settings.from_env(env)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """An opened, migrated database; on PostgreSQL every table is emptied afterwards."""
    opened = Store.open(settings)
    yield opened
    if not settings.is_sqlite:
        # Every table emptied and its ids restarted, so each test starts as on a new server.
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with opened.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    opened.close()


@pytest.fixture
def cli_env(settings: Settings, store: Store) -> dict[str, str | None]:
    """Environment for running the `lead` command against the test database (emptied after)."""
    return {
        "LEAD_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "LEAD_WORKSPACE": None,
        "COLUMNS": "200",
    }

"""The task queue: huey on SQLite in the data directory by default, on Redis with REDIS_URL."""

from __future__ import annotations

from typing import Final

from huey import Huey, RedisHuey, SqliteHuey

from takethelead.config import Settings
from takethelead.storage.files import private_dir, private_sqlite

QUEUE_NAME: Final = "takethelead"
SQLITE_FILE: Final = "jobs.db"


def build_huey(settings: Settings, *, immediate: bool = False, name: str = QUEUE_NAME) -> Huey:
    """The queue the settings name; `immediate` runs tasks in-process (tests, one-off CLI runs).

    One person needs no server: the queue is a SQLite file next to the database. An
    organisation sets REDIS_URL and runs as many `lead worker` processes as it likes.
    """
    if settings.redis_url:
        return RedisHuey(name, url=settings.redis_url, immediate=immediate, utc=True)
    private_dir(settings.data_dir)
    if not immediate:  # queued tasks carry their arguments: only the owner reads them
        private_sqlite(settings.data_dir / SQLITE_FILE)
    return SqliteHuey(
        name,
        filename=str(settings.data_dir / SQLITE_FILE),
        immediate=immediate,
        utc=True,
    )

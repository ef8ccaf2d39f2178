"""Inbox sync on the queue: every 15 minutes, new responses from every connected account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huey import Huey, crontab

from takethelead.config import Settings
from takethelead.services.core.store import Store
from takethelead.services.ingest.inbox import SyncReport, sync_inboxes


def sync_all(settings: Settings) -> SyncReport:
    """Sync the inbox of every active account of every workspace."""
    store = Store.open(settings)
    try:
        return sync_inboxes(store)
    finally:
        store.close()


def register_inbox(huey: Huey, settings: Settings) -> Callable[..., Any]:
    """Put the 15-minute inbox task on `huey`; returns the task."""

    @huey.periodic_task(crontab(minute="*/15"), name="sync-inboxes")  # type: ignore[untyped-decorator]
    def sync() -> int:
        return sum(sync_all(settings).stored.values())

    return sync  # type: ignore[no-any-return]

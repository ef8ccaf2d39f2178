"""Periodic work: the weekly digest (Monday 07:00 local time) and the daily rescore.

`register_tasks` puts the tasks on a queue built by `jobs.queue.build_huey`; `lead worker`
runs its consumer. The schedules are checked against local time, whatever the queue's
internal clock, because "Monday morning" is the user's Monday morning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from huey import Huey

from takethelead.config import Settings
from takethelead.services.core.errors import ServiceError
from takethelead.services.core.store import Store
from takethelead.services.networks.tallies import refresh_tallies
from takethelead.services.networks.timeentries import refresh_evidence
from takethelead.services.planning.digest import compose_digest, digest_workspaces, send_digest
from takethelead.services.relationships.fadingcache import refresh_fading
from takethelead.services.relationships.scoring import rescore_all, workspace_ids

log = logging.getLogger(__name__)

DIGEST_WEEKDAY: Final = 0  # Monday
DIGEST_TIME: Final = (7, 0)
RESCORE_TIME: Final = (3, 30)


def local(moment: datetime) -> datetime:
    """A huey timestamp (naive UTC when the queue runs on UTC) in local time."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone()


def digest_due(moment: datetime) -> bool:
    """Monday 07:00 local time."""
    at = local(moment)
    return at.weekday() == DIGEST_WEEKDAY and (at.hour, at.minute) == DIGEST_TIME


def rescore_due(moment: datetime) -> bool:
    """Every day at 03:30 local time, when nobody is planning."""
    at = local(moment)
    return (at.hour, at.minute) == RESCORE_TIME


def send_weekly_digests(settings: Settings, now: datetime | None = None) -> int:
    """Send every workspace with a `digest_email` its plan; returns how many were sent."""
    store = Store.open(settings)
    sent = 0
    try:
        with store.transaction() as session:
            targets = digest_workspaces(session)
        for workspace_id in targets:
            try:
                with store.transaction() as session:
                    digest = compose_digest(session, workspace_id, now=now)
                send_digest(digest, settings.smtp_url)
                sent += 1
            except ServiceError:
                # One bad address or a down server must not stop the other workspaces.
                log.exception("weekly digest of workspace %s not sent", workspace_id)
    finally:
        store.close()
    return sent


def rescore_everything(settings: Settings, now: datetime | None = None) -> int:
    """Refresh the tie-strength, network-evidence, tally and fading caches of every workspace."""
    store = Store.open(settings)
    total = 0
    try:
        with store.transaction() as session:
            targets = workspace_ids(session)
        for workspace_id in targets:
            with store.transaction() as session:
                total += rescore_all(session, workspace_id, now)
                refresh_evidence(session, workspace_id, now)
            with store.transaction() as session:
                refresh_tallies(session, workspace_id, now)
            with store.transaction() as session:
                refresh_fading(session, workspace_id, now)
    finally:
        store.close()
    return total


@dataclass(frozen=True)
class Tasks:
    """The registered tasks; call one to enqueue it (`tasks.rescore()`)."""

    huey: Huey
    weekly_digest: Callable[..., Any]
    rescore: Callable[..., Any]


def register_tasks(huey: Huey, settings: Settings) -> Tasks:
    """Put the periodic tasks on `huey`, working on the database the settings name."""

    @huey.periodic_task(digest_due, name="weekly-digest", retries=2, retry_delay=300)  # type: ignore[untyped-decorator]
    def weekly_digest() -> int:
        return send_weekly_digests(settings)

    @huey.periodic_task(rescore_due, name="daily-rescore")  # type: ignore[untyped-decorator]
    def rescore() -> int:
        return rescore_everything(settings)

    return Tasks(huey=huey, weekly_digest=weekly_digest, rescore=rescore)

"""`lead worker`: run the task queue (weekly digest, daily rescore, and what others add)."""

from __future__ import annotations

from typing import Annotated

import typer
from huey.consumer import Consumer

from takethelead.cli.state import STATE, console, friendly
from takethelead.jobs.inbox import register_inbox
from takethelead.jobs.publishing import register_publishing
from takethelead.jobs.queue import build_huey
from takethelead.jobs.tasks import register_tasks


@friendly
def worker(
    workers: Annotated[int, typer.Option(help="Worker threads.")] = 1,
) -> None:
    """Run the queue consumer until interrupted.

    SQLite queue in the data directory by default; set REDIS_URL to share one queue between
    machines.  Example: lead worker --workers 2
    """
    STATE.open()
    settings = STATE.settings
    assert settings is not None
    huey = build_huey(settings)
    register_tasks(huey, settings)
    register_publishing(huey, settings)
    register_inbox(huey, settings)
    where = "Redis" if settings.redis_url else f"{settings.data_dir / 'jobs.db'}"
    console.print(
        f"Worker on {where}: weekly digest Monday 07:00, rescore daily 03:30, "
        "due posts every minute, inboxes every 15 minutes"
    )
    Consumer(huey, workers=workers, worker_type="thread", periodic=True).run()

"""The queue and its periodic tasks: built from settings, scheduled in local time, working."""

from __future__ import annotations

import dataclasses
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select

from takethelead.config import Settings
from takethelead.jobs.queue import build_huey
from takethelead.jobs.tasks import (
    digest_due,
    register_tasks,
    rescore_due,
    rescore_everything,
    send_weekly_digests,
)
from takethelead.services.core import settings as stored
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.demo import build_demo
from takethelead.services.networks.tallies import TALLIES_KEY, tallies
from takethelead.services.relationships.fadingcache import fading_now
from takethelead.storage.tables import Person, Setting

MONDAY = datetime(2026, 3, 2, 7, 0)  # local


def as_utc(local: datetime) -> datetime:
    """A local wall-clock time as huey sees it: naive UTC."""
    return local.astimezone().astimezone(UTC).replace(tzinfo=None)


def test_the_digest_is_due_on_monday_at_seven_local_time() -> None:
    assert digest_due(as_utc(MONDAY))
    assert not digest_due(as_utc(MONDAY.replace(minute=1)))
    assert not digest_due(as_utc(MONDAY.replace(day=3)))


def test_the_rescore_is_due_every_night() -> None:
    assert rescore_due(as_utc(datetime(2026, 3, 5, 3, 30)))
    assert not rescore_due(as_utc(datetime(2026, 3, 5, 7, 0)))


def test_without_redis_the_queue_is_a_sqlite_file_in_the_data_directory(
    settings: Settings,
) -> None:
    huey = build_huey(dataclasses.replace(settings, redis_url=None))
    assert isinstance(huey, SqliteHuey)
    assert (settings.data_dir / "jobs.db").exists()


@pytest.fixture
def demo_store(store: Store) -> Iterator[Store]:
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=UTC), tick=False):
        with store.transaction() as session:
            build_demo(session, people=40, interactions=500)
        yield store


def test_the_rescore_task_fills_the_strength_cache(settings: Settings, demo_store: Store) -> None:
    huey = build_huey(dataclasses.replace(settings, redis_url=None), immediate=True)
    tasks = register_tasks(huey, settings)
    tasks.rescore()  # periodic tasks keep no result: what they did is in the database
    with demo_store.transaction() as session:
        strengths = session.scalars(select(Person.strength).where(Person.is_me.is_(False))).all()
    assert len(strengths) == 40 and all(s is not None and 0 <= s <= 1 for s in strengths)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def test_the_weekly_digest_goes_to_every_workspace_that_asked(
    settings: Settings, demo_store: Store
) -> None:
    with demo_store.transaction() as session:
        stored.put(session, workspace_id(session, "demo"), stored.DIGEST_EMAIL, "sam@example.org")
        workspace_id(session, "quiet")  # no address: no digest
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{port}")
        assert send_weekly_digests(smtp, now=datetime(2026, 3, 2, 7, 0, tzinfo=UTC)) == 1
    finally:
        controller.stop()
    (message,) = inbox.messages
    assert message["To"] == "sam@example.org"
    assert message["Subject"].startswith("Your networking plan for week 10")


def test_a_failing_mail_server_is_logged_not_raised(
    settings: Settings, demo_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    with demo_store.transaction() as session:
        stored.put(session, workspace_id(session, "demo"), stored.DIGEST_EMAIL, "sam@example.org")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])  # nobody listens there
    smtp = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{port}")
    assert send_weekly_digests(smtp) == 0
    assert "weekly digest of workspace" in caplog.text


def test_rescoring_visits_every_workspace(settings: Settings, demo_store: Store) -> None:
    assert rescore_everything(settings) == 40


def test_rescoring_caches_the_interaction_tallies(settings: Settings, demo_store: Store) -> None:
    with demo_store.transaction() as session:
        live = tallies(session, workspace_id(session, "demo"))
    rescore_everything(settings)
    with demo_store.transaction() as session:
        ws = workspace_id(session, "demo")
        assert session.get(Setting, (ws, TALLIES_KEY)) is not None
        assert tallies(session, ws) == live
        fading = fading_now(session, ws)
        assert fading is not None and fading.cached


@pytest.mark.redis
def test_with_redis_the_tasks_go_through_redis(settings: Settings, demo_store: Store) -> None:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set")
    huey = build_huey(dataclasses.replace(settings, redis_url=url), name="takethelead-test")
    assert isinstance(huey, RedisHuey)
    huey.flush()
    tasks = register_tasks(huey, settings)
    tasks.rescore()
    assert huey.pending_count() == 1
    task = huey.dequeue()
    assert task is not None
    huey.execute(task)
    huey.flush()
    with demo_store.transaction() as session:
        strengths = session.scalars(select(Person.strength).where(Person.is_me.is_(False))).all()
    assert len(strengths) == 40 and None not in strengths

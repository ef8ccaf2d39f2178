"""`lead plan`, `done`, `skip`, `spent`, `networks` and `digest` from the terminal."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, time
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from icalendar import Calendar
from sqlalchemy import func, select
from typer.testing import CliRunner

from takethelead.cli.app import app
from takethelead.config import Settings
from takethelead.services.core.store import Store
from takethelead.storage.tables import Plan, Setting, TimeEntry

runner = CliRunner()
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
WINDOWS = ((time(8, 0), time(9, 0)), (time(12, 30), time(13, 30)))


def lead(env: dict[str, str | None], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


@pytest.fixture
def demo(cli_env: dict[str, str | None]) -> Iterator[dict[str, str | None]]:
    """A small demo workspace at a fixed moment, selected for every command."""
    with time_machine.travel(NOW, tick=False):
        code, out = lead(cli_env, "demo", "--people", "60", "--interactions", "900")
        assert code == 0, out
        yield {**cli_env, "LEAD_WORKSPACE": "demo"}


def count(settings: Settings, table: Any) -> int:
    store = Store.open(settings, migrate=False)
    try:
        with store.transaction() as session:
            return int(session.scalar(select(func.count()).select_from(table)) or 0)
    finally:
        store.close()


def test_the_demo_ends_with_a_plan_within_budget_that_says_why(
    cli_env: dict[str, str | None],
) -> None:
    with time_machine.travel(NOW, tick=False):
        code, out = lead(cli_env, "demo", "--people", "60", "--interactions", "900")
        assert code == 0, out
        assert "Your plan for week 10" in out
        view = json.loads(lead(cli_env, "-w", "demo", "plan", "--json")[1])
    assert view["minutes"] <= view["budget_minutes"] == 150
    assert all(item["reason"] and item["title"] for item in view["items"])
    kinds = {item["kind"] for item in view["items"]}
    assert {"automation", "network", "reply", "thank"} <= kinds
    assert view["balance"]["sentence"].startswith("Last 30 days:")


def test_lead_alone_shows_the_plan(demo: dict[str, str | None]) -> None:
    code, out = lead(demo)
    assert code == 0, out
    assert "Your plan for week 10" in out and "Mark one: lead done N" in out


def test_an_empty_workspace_is_told_what_to_do(cli_env: dict[str, str | None]) -> None:
    code, out = lead(cli_env)
    assert code == 0 and "Nothing to plan yet" in out


def test_a_bad_budget_is_refused_and_nothing_is_written(
    demo: dict[str, str | None], settings: Settings
) -> None:
    plans = count(settings, Plan)
    code, out = lead(demo, "plan", "--budget", "2x")
    assert code == 1
    assert out.strip().splitlines() == [
        "error: budget '2x': expected minutes like 150, 90m, 2h or 1h30m"
    ]
    assert count(settings, Plan) == plans


def test_a_budget_in_hours_is_kept_for_the_next_weeks(demo: dict[str, str | None]) -> None:
    view = json.loads(lead(demo, "plan", "--budget", "1h30m", "--json")[1])
    assert view["budget_minutes"] == 90 and view["minutes"] <= 90
    assert json.loads(lead(demo, "plan", "--new", "--json")[1])["budget_minutes"] == 90


def test_done_and_skip_close_actions_and_refuse_unknown_numbers(
    demo: dict[str, str | None], settings: Settings
) -> None:
    view = json.loads(lead(demo, "plan", "--json")[1])
    reply = next(i for i in view["items"] if i["kind"] == "reply")
    code, out = lead(demo, "done", str(reply["number"]), "--outcome", "responded")
    assert code == 0, out
    assert lead(demo, "skip", "1", "--reason", "busy")[0] == 0
    code, out = lead(demo, "done", "99")
    assert code == 1 and "action 99: not in this week's plan" in out
    code, out = lead(demo, "done", str(reply["number"]))
    assert code == 1 and "already done" in out
    code, out = lead(demo, "done", "2", "--outcome", "maybe")
    assert code == 1 and "outcome 'maybe': expected one of responded" in out
    after = json.loads(lead(demo, "plan", "--json")[1])
    status = {i["number"]: i["status"] for i in after["items"]}
    assert status[reply["number"]] == "done" and status[1] == "skipped"


def test_a_done_network_block_records_its_time_and_responses(
    demo: dict[str, str | None], settings: Settings
) -> None:
    view = json.loads(lead(demo, "plan", "--json")[1])
    block = next(i for i in view["items"] if i["kind"] == "network")
    entries = count(settings, TimeEntry)
    code, out = lead(demo, "done", str(block["number"]), "--responses", "4", "--json")
    assert code == 0, out
    assert count(settings, TimeEntry) == entries + 1


def test_spent_records_time_and_unknown_networks_are_named(
    demo: dict[str, str | None], settings: Settings
) -> None:
    entries = count(settings, TimeEntry)
    code, out = lead(demo, "spent", "linkedin", "25m", "answered three threads", "--responses", "4")
    assert code == 0, out
    assert "Recorded 25 min on LinkedIn, 4 responses" in out
    code, out = lead(demo, "spent", "Myspace", "25m")
    assert code == 1 and "no network 'Myspace'" in out
    code, out = lead(demo, "spent", "linkedin", "soon")
    assert code == 1 and "duration 'soon'" in out
    assert count(settings, TimeEntry) == entries + 1


def test_networks_alone_ranks_them_in_words_and_the_subcommands_still_work(
    demo: dict[str, str | None],
) -> None:
    code, out = lead(demo, "networks")
    assert code == 0, out
    assert "responses an hour (" in out and "Tuesday breakfast club:" in out
    ranked = json.loads(lead(demo, "networks", "--json")[1])
    assert [n["mean"] for n in ranked] == sorted((n["mean"] for n in ranked), reverse=True)
    assert len(json.loads(lead(demo, "networks", "list", "--json")[1])) == 5


def test_the_plan_reads_as_markdown(demo: dict[str, str | None]) -> None:
    code, out = lead(demo, "plan", "--markdown")
    assert code == 0, out
    assert out.startswith("# Week 10 (from Monday 02 March 2026)")
    assert "1. **Schedule the week's posts** — " in out


def test_the_calendar_has_one_event_per_block_within_the_preferred_hours(
    demo: dict[str, str | None], tmp_path: Path
) -> None:
    target = tmp_path / "week.ics"
    code, out = lead(demo, "plan", "--ics", str(target))
    assert code == 0, out
    calendar = Calendar.from_ical(target.read_bytes())
    events = list(calendar.walk("VEVENT"))
    view = json.loads(lead(demo, "plan", "--json")[1])
    numbers = {int(str(e["SUMMARY"]).split(".")[0]) for e in events}
    assert numbers == {i["number"] for i in view["items"]}
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start.weekday() < 5 and start.date() == end.date()
        assert any(a <= start.time() and end.time() <= b for a, b in WINDOWS)
    assert len({e["UID"] for e in events}) == len(events)


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port: the controller connects to it to start
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_the_digest_is_mailed_to_the_address_given(
    demo: dict[str, str | None], settings: Settings, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    env = {**demo, "LEAD_SMTP_URL": f"smtp://127.0.0.1:{port}"}
    code, out = lead(env, "digest", "--to", "sam@example.org")
    assert code == 0, out
    (message,) = inbox.messages
    assert message["To"] == "sam@example.org"
    assert message["Subject"].startswith("Your networking plan for week 10:")
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "waiting for an answer" in body.decode() and "Last 30 days:" in body.decode()
    assert lead(env, "digest", "--send")[0] == 0
    assert len(inbox.messages) == 2


def test_the_digest_without_an_address_or_server_says_what_is_missing(
    demo: dict[str, str | None], settings: Settings
) -> None:
    code, out = lead(demo, "digest", "--send")
    assert code == 1 and "digest_email: not set" in out
    code, out = lead({**demo, "LEAD_SMTP_URL": None}, "digest", "--to", "sam@example.org")
    assert code == 1 and "LEAD_SMTP_URL: not set" in out
    assert count(settings, Setting) >= 1


def test_a_manual_post_is_in_the_plan_ready_to_paste_and_done_marks_it_posted(
    demo: dict[str, str | None], settings: Settings
) -> None:
    text = "Five questions to ask before hiring a coach #coaching"
    with time_machine.travel(NOW, tick=False):
        code, out = lead(demo, "post", text, "--to", "linkedin", "--at", "2026-03-05 09:00")
        assert code == 0, out
        code, out = lead(demo, "plan", "--new")
        assert code == 0, out
        assert "Ready to paste" in out and text in out
        assert "https://www.linkedin.com/feed/?shareActive=true&text=Five%20questions" in out
        view = json.loads(lead(demo, "plan", "--json")[1])
        item = next(i for i in view["items"] if i["kind"] == "manual-post")
        assert item["post_text"] == text and item["title"] == "Post by hand on LinkedIn"
        assert "Text to paste" not in lead(demo, "plan", "--markdown")[1]  # the fence says it
        assert f"   {text}" in lead(demo, "plan", "--markdown")[1]
        address = "https://www.linkedin.com/posts/me-1"
        code, out = lead(demo, "done", str(item["number"]), "--url", address)
        assert code == 0 and "Done:" in out and "manual-post" in out
        code, out = lead(demo, "done", "1", "--url", address)
        assert code != 0 and "only for a manual post" in out
        queue = json.loads(lead(demo, "queue", "--all", "--json")[1])
    sent = [d for d in queue["deliveries"] if d["network"] == "linkedin"]
    assert [(d["state"], d["remote_url"]) for d in sent] == [("sent", address)]

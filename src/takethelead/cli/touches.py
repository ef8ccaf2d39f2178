"""`lead log`: one interaction in one line."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from takethelead.cli.state import STATE, console, escape, fail, friendly
from takethelead.services.core.errors import Ambiguous
from takethelead.services.people.interactions import log_touch


def parse_when(raw: str | None, now: datetime | None = None) -> datetime | None:
    """`2024-05-01`, `2024-05-01 14:30`, `yesterday`, `3d` (days ago) or `2h` (hours ago)."""
    if raw is None:
        return None
    now = now or datetime.now(UTC)
    text = raw.strip().lower()
    if text in {"now", "today"}:
        return now
    if text == "yesterday":
        return now - timedelta(days=1)
    units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    if text[:-1].isdigit() and text[-1] in units:
        return now - timedelta(**{units[text[-1]]: int(text[:-1])})
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        fail(f"--when {raw!r}: expected YYYY-MM-DD[ HH:MM], yesterday, or 3d / 2h ago")
    return moment if moment.tzinfo else moment.astimezone(UTC)


@friendly
def log(
    phrase: Annotated[str, typer.Argument(help="What happened, naming the person.")],
    kind: Annotated[
        str,
        typer.Option(help="meeting, call, message, email, reply, comment, introduction, …"),
    ] = "message",
    minutes: Annotated[int | None, typer.Option(help="How long it took.")] = None,
    network: Annotated[str | None, typer.Option(help="Where it happened.")] = None,
    when: Annotated[str | None, typer.Option(help="When: 2024-05-01, yesterday, 3d.")] = None,
    direction: Annotated[
        str | None, typer.Option(help="inbound, outbound or mutual (guessed from the kind).")
    ] = None,
    person: Annotated[
        str | None, typer.Option(help="Who, if the phrase does not say (name, #id).")
    ] = None,
) -> None:
    """Log a touch.  Example: lead log "coffee with Ana Díaz" --kind meeting --minutes 45"""
    moment = parse_when(when)
    try:
        _log(phrase, kind, minutes, network, moment, direction, person)
    except Ambiguous as exc:
        if not sys.stdin.isatty():
            fail(f"{exc} — say which with --person '#ID'")
        console.print(f"{escape(str(exc))}")
        for index, (pid, name) in enumerate(exc.candidates, 1):
            console.print(f"  {index}. #{pid} {escape(name)}")
        choice = typer.prompt("Which one", type=int)
        if not 1 <= choice <= len(exc.candidates):
            fail("no such choice")
        _log(phrase, kind, minutes, network, moment, direction, f"#{exc.candidates[choice - 1][0]}")


def _log(
    phrase: str,
    kind: str,
    minutes: int | None,
    network: str | None,
    moment: datetime | None,
    direction: str | None,
    person: str | None,
) -> None:
    with STATE.transaction() as (session, ws):
        person_id, _ = log_touch(
            session, ws, phrase, kind, minutes, network, moment, direction, person
        )
    console.print(f"Logged {kind} with #{person_id}: {escape(phrase)}")

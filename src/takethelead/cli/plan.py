"""`lead plan`, `lead done`, `lead skip`, `lead spent` and `lead digest`: the weekly loop."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from takethelead.cli.state import STATE, console, escape, friendly, print_json
from takethelead.services.core import settings
from takethelead.services.networks import timeentries
from takethelead.services.planning import actions as planactions
from takethelead.services.planning import weekly as planning
from takethelead.services.planning.digest import compose_digest, plan_markdown, send_digest
from takethelead.services.planning.ics import parse_preferred_hours, plan_calendar

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
STATUS_MARK = {"open": "", "done": "[green]✓ done[/]", "skipped": "[dim]skipped[/]"}


def render_plan(view: planning.PlanView) -> None:
    """The plan in the terminal: one numbered line per action with its reason."""
    console.print(
        f"[bold]Your plan for week {view.week}[/] (from {view.week_start:%a %d %b}): "
        f"{view.minutes} of {view.budget_minutes} minutes",
        highlight=False,
    )
    table = Table(header_style="bold", show_lines=False, pad_edge=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("Min", justify="right")
    table.add_column("What")
    table.add_column("Why")
    for item in view.items:
        mark = STATUS_MARK[item.status]
        outcome = f" ({escape(item.outcome)})" if item.outcome else ""
        table.add_row(
            str(item.number),
            str(item.minutes),
            escape(item.title) + (f" {mark}{outcome}" if mark else ""),
            escape(item.reason),
        )
    console.print(table)
    for item in view.items:
        if item.post_text is None or item.status != "open":
            continue
        # Outside the table, unwrapped and without markup, so that it copies as it is.
        console.print(
            f"[bold]{item.number}. Ready to paste[/] — open {escape(item.open_url or '')}"
        )
        console.print(item.post_text, markup=False, highlight=False, soft_wrap=True)
    console.print(escape(view.balance.sentence), highlight=False)
    for notice in view.notices:
        console.print(f"[yellow]![/] {escape(notice)}", highlight=False)
    console.print(
        "[dim]Mark one: lead done N --outcome responded · lead done N --url URL (a manual post)"
        " · lead skip N[/]"
    )


@friendly
def show_plan() -> None:
    """This week's plan (computed on first use), for `lead` alone and the demo."""
    with STATE.transaction() as (session, ws):
        view = planning.plan_for_week(session, ws)
    if not view.items:
        console.print(
            "Nothing to plan yet. Import an export (`lead import Connections.csv`), add "
            "someone (`lead people add NAME`), add a network, or try `lead demo`."
        )
        return
    render_plan(view)


@friendly
def plan(
    budget: Annotated[
        str | None,
        typer.Option(help="Minutes this week: 150, 90m or 2h (remembered for next weeks)."),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the ISO week number).")] = None,
    new: Annotated[
        bool, typer.Option("--new", help="Recompute this week's plan (keeps done and skipped).")
    ] = False,
    fresh: Annotated[
        bool, typer.Option(help="Rescore every tie from its interactions first.")
    ] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Markdown output.")] = False,
    ics: Annotated[
        Path | None, typer.Option(help="Also write the plan to this iCalendar file.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """This week's plan within your time budget, each action with its reason.

    The plan is computed once a week and kept; --new (or a new --budget or --seed)
    recomputes it, keeping what is done or skipped.

    Example: lead plan --budget 2h --ics week.ics
    """
    minutes = planning.parse_budget(budget) if budget is not None else None
    with STATE.transaction() as (session, ws):
        if new or fresh or minutes is not None or seed is not None:
            view = planning.make_plan(session, ws, budget=minutes, seed=seed, fresh=fresh)
        else:
            view = planning.plan_for_week(session, ws)
        hours = settings.get(session, ws, settings.PREFERRED_HOURS)
        calendar = plan_calendar(view, parse_preferred_hours(hours)) if ics is not None else None
    if ics is not None and calendar is not None:
        partial = ics.with_name(ics.name + ".partial")
        partial.write_bytes(calendar)
        partial.replace(ics)
    if as_json:
        print_json(view)
    elif markdown:
        console.print(plan_markdown(view), markup=False, highlight=False, soft_wrap=True)
    else:
        render_plan(view)
        if ics is not None:
            console.print(f"Wrote the plan's events to {ics}", highlight=False)


@friendly
def done(
    number: Annotated[int, typer.Argument(help="The action's number in this week's plan.")],
    outcome: Annotated[
        str | None,
        typer.Option(
            help="responded, meeting-booked, referral-given, referral-received or no-answer."
        ),
    ] = None,
    responses: Annotated[
        int | None, typer.Option(help="For a network block: how many responses it brought.")
    ] = None,
    url: Annotated[
        str, typer.Option(help="For a manual post: the address of the post you published.")
    ] = "",
    as_json: JsonOption = False,
) -> None:
    """Mark an action done; a manual post is marked posted.  Example: lead done 3 --url URL"""
    with STATE.transaction() as (session, ws):
        closed = planactions.mark_done(session, ws, number, outcome, responses, url=url)
    if as_json:
        print_json(closed)
        return
    said = f" ({closed.outcome})" if closed.outcome else ""
    console.print(f"Done: {closed.number}. {closed.kind}{said}", highlight=False)


@friendly
def skip(
    number: Annotated[int, typer.Argument(help="The action's number in this week's plan.")],
    reason: Annotated[str, typer.Option(help="Why, for your own record.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Skip an action this week.  Example: lead skip 4 --reason "on holiday" """
    with STATE.transaction() as (session, ws):
        closed = planactions.mark_skipped(session, ws, number, reason)
    if as_json:
        print_json(closed)
    else:
        console.print(f"Skipped: {closed.number}. {closed.kind}", highlight=False)


@friendly
def spent(
    network: Annotated[str, typer.Argument(help="The network: its name, #id or kind.")],
    duration: Annotated[str, typer.Argument(help="How long: 25m, 1h, 1h30m or 25.")],
    note: Annotated[str, typer.Argument(help="What you did.")] = "",
    responses: Annotated[
        int | None,
        typer.Option(help="Responses it brought (default: counted from inbound touches)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record time on a network.  Example: lead spent linkedin 25m "answered three threads" """
    minutes = timeentries.parse_minutes(duration, "duration")
    with STATE.transaction() as (session, ws):
        entry = timeentries.record_time(session, ws, network, minutes, note, responses)
    if as_json:
        print_json(entry)
        return
    counted = (
        f", {entry.responses} responses"
        if entry.responses is not None
        else "; responses will be counted from what comes in over the next 3 days"
    )
    console.print(f"Recorded {entry.minutes} min on {escape(entry.network)}{counted}")


@friendly
def digest(
    send: Annotated[bool, typer.Option("--send", help="Send it to the digest address.")] = False,
    to: Annotated[
        str | None, typer.Option(help="Send it to this address (remembered as digest_email).")
    ] = None,
) -> None:
    """The weekly digest e-mail (this week's plan); without --send or --to, print it.

    The SMTP server comes from LEAD_SMTP_URL (smtp://host:port).
    Example: lead digest --to me@example.org
    """
    with STATE.transaction() as (session, ws):
        if not send and to is None:
            view = planning.plan_for_week(session, ws)
            console.print(plan_markdown(view), markup=False, highlight=False, soft_wrap=True)
            return
        composed = compose_digest(session, ws, to)
    store = STATE.open()
    send_digest(composed, store.settings.smtp_url)
    console.print(f"Sent the digest to {escape(composed.recipient)}", highlight=False)

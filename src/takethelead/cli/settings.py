"""`lead settings`: the workspace's weekly budget, preferred hours and digest address."""

from __future__ import annotations

from typing import Annotated

import typer

from takethelead.cli.state import STATE, console, escape, friendly, print_json
from takethelead.services.planning.preferences import read_preferences, update_preferences


@friendly
def settings(
    budget: Annotated[
        str | None, typer.Option(help="Weekly time budget: 2h, 90m or 150 (minutes).")
    ] = None,
    hours: Annotated[
        str | None,
        typer.Option(
            "--hours",
            help="Preferred hours for plan actions, e.g. 'mon-fri 08:00-09:00,12:30-13:30'.",
        ),
    ] = None,
    digest_email: Annotated[
        str | None,
        typer.Option("--digest-email", help="Where the weekly digest goes ('' for nowhere)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show the workspace's preferences, or change those given.

    Example: lead settings --budget 2h --hours "mon,wed,fri 12:30-13:30"
    """
    with STATE.transaction() as (session, ws):
        if budget is None and hours is None and digest_email is None:
            current = read_preferences(session, ws)
        else:
            current = update_preferences(
                session, ws, budget=budget, preferred_hours=hours, digest_email=digest_email
            )
    if as_json:
        print_json(current)
        return
    console.print(f"Weekly time budget: {current.budget_minutes} minutes", highlight=False)
    console.print(f"Preferred hours:    {escape(current.preferred_hours)}", highlight=False)
    console.print(
        f"Weekly digest to:   {escape(current.digest_email or 'nobody')}", highlight=False
    )

"""`lead networks …`: the places where networking happens."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from takethelead.cli.state import STATE, console, escape, friendly, print_json
from takethelead.services.networks import networks as service
from takethelead.services.networks.timeentries import rank_networks

app = typer.Typer(help="Networks: LinkedIn, a Mastodon server, a forum, a breakfast club…")


@app.callback(invoke_without_command=True)
@friendly
def ranking(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Networks ranked by responses an hour, with the evidence in words.

    Example: lead networks          (lead networks add / list manage them)
    """
    if ctx.invoked_subcommand is not None:
        return
    with STATE.transaction() as (session, ws):
        ranked = rank_networks(session, ws)
    if as_json:
        print_json(ranked)
        return
    if not ranked:
        console.print("No networks yet: `lead networks add NAME --kind KIND`.")
        return
    console.print("[bold]Networks by responses an hour[/] (90% interval; recent weeks count more)")
    for n in ranked:
        console.print(f"  {escape(n.sentence)}", highlight=False)
    console.print('[dim]Record time: lead spent NETWORK 25m "what you did" --responses 4[/]')


@app.command("add")
@friendly
def add(
    name: Annotated[str, typer.Argument(help="A name, e.g. 'Tuesday breakfast club'.")],
    kind: Annotated[
        str,
        typer.Option(
            help="linkedin, mastodon, bluesky, discourse, x, facebook, forum, email, "
            "in-person or other."
        ),
    ] = "other",
    url: Annotated[str, typer.Option(help="Where it lives, if anywhere.")] = "",
) -> None:
    """Add a network.  Example: lead networks add "BNI Lisbon" --kind in-person"""
    with STATE.transaction() as (session, ws):
        network_id = service.add_network(session, ws, name, kind, url)
    console.print(f"Added network #{network_id} {escape(name)}")


@app.command("list")
@friendly
def list_(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List networks with their interactions and minutes spent."""
    with STATE.transaction() as (session, ws):
        found = service.list_networks(session, ws)
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("No networks yet: `lead networks add NAME --kind KIND`, or import a file.")
        return
    table = Table(header_style="bold")
    for column in ("#", "Network", "Kind", "Interactions", "Minutes spent"):
        table.add_column(column)
    for n in found:
        table.add_row(str(n.id), escape(n.name), n.kind, str(n.interactions), str(n.minutes_spent))
    console.print(table)

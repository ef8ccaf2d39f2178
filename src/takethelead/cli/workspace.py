"""`lead demo`, `lead export`, `lead db` and the overview."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from takethelead.cli.plan import show_plan
from takethelead.cli.state import STATE, ago, console, escape, fail, friendly, print_json
from takethelead.config import Settings
from takethelead.services.demo import DEMO_WORKSPACE, build_demo
from takethelead.services.ingest import exchange
from takethelead.services.relationships.overview import overview
from takethelead.storage import database

db_app = typer.Typer(help="The database: create or upgrade its schema.")


def show_overview(as_json: bool = False) -> None:
    """An overview of the network: people, activity by network, well-known people gone quiet."""
    with STATE.transaction() as (session, ws):
        view = overview(session, ws)
    if as_json:
        print_json(view)
        return
    if view.people == 0:
        console.print(
            "No people yet. Import an export (`lead import Connections.csv`), add someone "
            "(`lead people add NAME`), or try `lead demo`."
        )
        return
    span = (
        f" from {view.first:%Y-%m-%d} to {view.last:%Y-%m-%d}" if view.first and view.last else ""
    )
    console.print(f"[bold]{view.people} people[/], {view.interactions} interactions{span}")
    if view.networks:
        console.print("Last 90 days by network:")
        for n in view.networks:
            console.print(
                f"  {escape(n.name):30} {n.touches_90d:>5} touches, {n.inbound_90d} inbound"
            )
    if view.quiet:
        console.print("Well-known people gone quiet:")
        for q in view.quiet:
            console.print(
                f"  #{q.person_id} {escape(q.full_name)} — {q.touches} touches, "
                f"last {ago(q.last_contact)}"
            )


@friendly
def demo(
    people: Annotated[int, typer.Option(help="How many people.")] = 300,
    interactions: Annotated[int, typer.Option(help="How many interactions.")] = 6000,
    seed: Annotated[int, typer.Option(help="The same seed builds the same workspace.")] = 7,
    force: Annotated[
        bool, typer.Option(help="Replace the workspace even if it holds real data.")
    ] = False,
) -> None:
    """Build a realistic demo workspace (a coach's year) and show the weekly loop on it.

    It goes into the workspace `demo` (or the one named with --workspace) and never
    replaces a workspace that holds real data unless --force is given.

    Example: lead demo            (benchmarks: lead demo --people 30000 --interactions 1000000)
    """
    if STATE.workspace == "default" and "workspace" not in STATE.extra:
        STATE.workspace = DEMO_WORKSPACE
    with STATE.open().transaction() as session:
        summary = build_demo(
            session,
            STATE.workspace,
            people=people,
            interactions=interactions,
            seed=seed,
            force=force,
        )
    console.print(
        f"Built the demo workspace [bold]{summary.workspace}[/]: {summary.people} people, "
        f"{summary.interactions} interactions on {summary.networks} networks, "
        f"{summary.time_entries} time entries, in {summary.seconds:.1f} s."
    )
    show_plan()
    console.print(
        f"\nExplore it: lead --workspace {summary.workspace} people list --sort last-contact"
    )


@friendly
def export(
    format_name: Annotated[str, typer.Option("--format", help="json, csv or vcard.")] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """Export the workspace: JSON (every table, re-importable), CSV of people, or vCard 4.0.

    The JSON export moves a workspace to another database (SQLite or PostgreSQL) with
    lead import; it leaves out secrets (account secrets, password hashes), named in its
    header. For a full copy of the installation use lead backup.

    Example: lead -w demo export --format json -o demo.json
    """
    writers = {
        "json": exchange.export_json,
        "csv": exchange.export_csv,
        "vcard": exchange.export_vcard,
    }
    if format_name not in writers:
        fail(f"--format {format_name!r}: expected json, csv or vcard")
    with STATE.transaction() as (session, ws):
        if output is None:
            writers[format_name](session, ws, sys.stdout)
            return
        partial = output.with_name(output.name + ".partial")
        newline = "" if format_name in ("csv", "vcard") else None
        with partial.open("w", encoding="utf-8", newline=newline) as handle:
            count = writers[format_name](session, ws, handle)
        partial.replace(output)  # a failed export never leaves a half-written file behind
    console.print(f"Wrote {count} people to {output}", highlight=False)


@db_app.command("upgrade")
@friendly
def db_upgrade() -> None:
    """Create the database or bring its schema to the newest version."""
    store = STATE.open()
    console.print(f"Schema at revision {database.current_revision(store.engine)}")


@db_app.command("current")
@friendly
def db_current() -> None:
    """Show the schema revision of the database."""
    settings = Settings.from_env()
    engine = database.make_engine(settings.database_url)
    console.print(
        f"{settings.database_url}: revision {database.current_revision(engine)} "
        f"(newest {database.head_revision(engine)})"
    )

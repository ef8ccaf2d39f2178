"""`lead import`: bring in export files."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from takethelead.cli.state import STATE, console, escape, friendly, print_json
from takethelead.importers import FORMATS
from takethelead.services.ingest.exchange import import_path
from takethelead.services.ingest.imports import ImportSummary

PROGRESS_FROM_BYTES = 2 << 20  # show a progress bar for files over 2 MiB


def count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
    return lines + 1


def render_summary(summary: ImportSummary) -> None:
    console.print(f"Imported {escape(summary.path)} as [bold]{summary.format}[/]")
    for label, tally in (
        ("people", summary.people),
        ("identities", summary.identities),
        ("interactions", summary.interactions),
    ):
        console.print(
            f"  {label:13} {tally.created:>7} created {tally.updated:>7} updated "
            f"{tally.unchanged:>7} unchanged"
        )
    console.print(f"  {'skipped':13} {summary.skipped_total:>7}")
    for reason, count in summary.skipped.most_common():
        console.print(f"    {count:>7}  {escape(reason)}")


@friendly
def import_(
    first: Annotated[str, typer.Argument(help="FORMAT then PATH, or just PATH to detect it.")],
    second: Annotated[str | None, typer.Argument(show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import an export file, atomically; re-importing the same file changes nothing.

    Formats: linkedin-connections, linkedin-messages, linkedin-invitations, google-contacts,
    vcard, mastodon-following, x-account, x-tweets, x-following, mbox, icalendar, takethelead-json.

    PATH may be a folder or a .zip export (LinkedIn, X): every file in it that we can read is
    imported, all or nothing.

    Example: lead import ~/Downloads/Connections.csv
    """
    format_name, path = (first, Path(second)) if second is not None else (None, Path(first))
    if (
        format_name is not None
        and format_name not in FORMATS
        and format_name != "takethelead-json"
        and Path(first).exists()
    ):
        format_name, path = None, Path(first)
    is_zip = path.is_file() and zipfile.is_zipfile(path)
    big = (
        not is_zip and path.is_file() and path.stat().st_size > PROGRESS_FROM_BYTES and not as_json
    )
    with STATE.transaction() as (session, ws):
        if big:
            total = count_lines(path)
            with Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            ) as bar:
                task = bar.add_task(f"Reading {path.name}", total=total)
                summaries = import_path(
                    session,
                    ws,
                    path,
                    format_name,
                    lambda line: bar.update(task, completed=line),
                    accounts=True,  # whoever runs the command holds the database
                )
                bar.update(task, description="Saving")
        else:
            summaries = import_path(session, ws, path, format_name, accounts=True)
    if as_json:
        rendered = [
            {
                "path": summary.path,
                "format": summary.format,
                "people": summary.people,
                "identities": summary.identities,
                "interactions": summary.interactions,
                "skipped": dict(summary.skipped),
            }
            for summary in summaries
        ]
        print_json(
            rendered[0] if len(rendered) == 1 and not path.is_dir() and not is_zip else rendered
        )
    else:
        for summary in summaries:
            render_summary(summary)

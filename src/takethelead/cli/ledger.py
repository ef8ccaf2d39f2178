"""`lead ledger`: referrals, introductions and favours given and received."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.table import Table

from takethelead.cli.state import STATE, console, escape, fail, friendly, print_json
from takethelead.services.people.people import resolve_person
from takethelead.services.relationships import ledger as service

KIND_HELP = "referral, introduction or favour"


def _when(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        moment = datetime.fromisoformat(raw)
    except ValueError:
        fail(f"--when {raw!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def _standing_table(title: str, rows: tuple[service.Standing, ...]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("#", justify="right", style="dim")
    table.add_column("Name")
    table.add_column("Gave", justify="right")
    table.add_column("Received", justify="right")
    table.add_column("Balance", justify="right")
    table.add_column("Value in / out", justify="right")
    for s in rows:
        table.add_row(
            str(s.person_id),
            escape(s.full_name),
            str(s.given),
            str(s.received),
            f"{s.balance:+.1f}",
            f"{s.value_received:,.0f} / {s.value_given:,.0f}",
        )
    return table


@friendly
def ledger(
    words: Annotated[
        list[str] | None,
        typer.Argument(help="`add NAME` to write an entry, NAME to see one person, or nothing."),
    ] = None,
    gave: Annotated[str | None, typer.Option("--gave", help=f"What you gave: {KIND_HELP}.")] = None,
    received: Annotated[
        str | None, typer.Option("--received", help=f"What you received: {KIND_HELP}.")
    ] = None,
    value: Annotated[float | None, typer.Option(help="Money value, e.g. a won referral.")] = None,
    note: Annotated[str, typer.Option(help="A few words to remember it by.")] = "",
    when: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: now).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Give and take: write it down, see it per person, find the one-sided relationships.

    Examples: lead ledger add "Ana Díaz" --received referral --value 1200 --note "payroll client"
    · lead ledger "Ana Díaz" · lead ledger
    """
    args = words or []
    adding = bool(args) and args[0] == "add"
    if not adding and (gave or received or value is not None or note or when):
        fail("--gave/--received/--value/--note/--when: only with `lead ledger add NAME`")
    if adding:
        if len(args) < 2:
            fail("ledger add: expected the name of who you gave to or received from")
        if (gave is None) == (received is None):
            fail("ledger add: expected one of --gave KIND or --received KIND")
        direction, kind = ("given", gave) if gave is not None else ("received", received)
        assert kind is not None
        moment = _when(when)
        with STATE.transaction() as (session, ws):
            person = resolve_person(session, ws, " ".join(args[1:]))
            line = service.add_entry(session, ws, person, direction, kind, value, note, moment)
        if as_json:
            print_json(line)
        else:
            worth = f" worth {_money(line.value)}" if line.value is not None else ""
            thing = ("an " if line.kind == "introduction" else "a ") + line.kind
            name = escape(line.full_name)
            deed = (
                f"gave {name} {thing}" if direction == "given" else f"received {thing} from {name}"
            )
            console.print(f"Noted: you {deed}{worth} on {line.occurred_at:%Y-%m-%d}.")
    elif args:
        with STATE.transaction() as (session, ws):
            found = service.person_ledger(session, ws, resolve_person(session, ws, " ".join(args)))
        _render_person(found, as_json)
    else:
        with STATE.transaction() as (session, ws):
            sides = service.one_sided_ledger(session, ws)
        _render_sides(sides, as_json)


def _render_person(found: service.PersonLedger, as_json: bool) -> None:
    if as_json:
        print_json(found)
        return
    s = found.standing
    console.print(f"[bold]{escape(s.full_name)}[/]  [dim]#{s.person_id}[/]")
    if not found.entries:
        console.print("Nothing on the ledger yet: `lead ledger add NAME --gave favour`.")
        return
    lean = "you gave more" if s.balance > 0 else "they gave more" if s.balance < 0 else "even"
    console.print(
        f"Gave {s.given}, received {s.received}: balance {s.balance:+.1f} ({lean}); "
        f"value received {s.value_received:,.0f}, given {s.value_given:,.0f}"
    )
    table = Table(header_style="bold")
    table.add_column("When")
    table.add_column("")
    table.add_column("Kind")
    table.add_column("Value", justify="right")
    table.add_column("Note")
    for line in found.entries:
        table.add_row(
            f"{line.occurred_at:%Y-%m-%d}",
            "gave" if line.direction == "given" else "received",
            line.kind,
            _money(line.value),
            escape(line.note),
        )
    console.print(table)


def _render_sides(sides: service.OneSidedLedger, as_json: bool) -> None:
    if as_json:
        print_json(sides)
        return
    if not sides.entries:
        console.print(
            "The ledger is empty: `lead ledger add NAME --gave referral` or "
            "`--received introduction` writes the first entry."
        )
        return
    if not sides.you_give and not sides.you_take:
        console.print(f"{sides.entries} ledger entries and no one-sided relationship.")
        return
    if sides.you_take:
        console.print(_standing_table("They always give, you have not given back", sides.you_take))
    if sides.you_give:
        console.print(_standing_table("You always give, they have not given back", sides.you_give))

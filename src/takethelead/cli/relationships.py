"""`lead strength`, `rate`, `due`, `cadence`, `fading` and `knows`: relationship intelligence."""

from __future__ import annotations

import math
from typing import Annotated

import typer
from rich.table import Table

from takethelead.cli.state import STATE, console, escape, fail, friendly, print_json
from takethelead.services.people.people import resolve_person
from takethelead.services.relationships import contact_ties as ties
from takethelead.services.relationships import keepintouch
from takethelead.services.relationships import strength as relationships
from takethelead.services.relationships.strength import ModelReport, RelationshipView, StrengthView

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
LimitOption = Annotated[int, typer.Option(help="How many people to show.")]


def _days(days: float | None) -> str:
    if days is None:
        return "never"
    whole = int(days)
    return "today" if whole == 0 else f"{whole} day{'s' if whole != 1 else ''} ago"


def _whole_days(days: float) -> str:
    whole = max(1, math.ceil(days))
    return f"{whole} day{'s' if whole != 1 else ''}"


def _strength_line(view: StrengthView) -> str:
    return f"{view.score:.2f} [bold]{view.label}[/] — {escape(view.why)}"


@friendly
def strength(
    person: Annotated[
        str | None, typer.Argument(help="Name, #id or identity; everyone when left out.")
    ] = None,
    limit: LimitOption = 20,
    model: Annotated[
        bool,
        typer.Option("--model", help="Fit the weights to your closeness ratings (20 or more)."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """How strong your relationships are, and why.

    Examples: lead strength "Ana Díaz" · lead strength --limit 10 · lead strength --model
    """
    if model and person is not None:
        fail("--model: fits the weights for everyone; leave out the name")
    with STATE.transaction() as (session, ws):
        if model:
            report = relationships.fit_model(session, ws)
        elif person is not None:
            one = relationships.strength_of(session, ws, resolve_person(session, ws, person))
        else:
            everyone = relationships.strength_list(session, ws, limit=limit)
    if model:
        if as_json:
            print_json(report)
        else:
            _render_model(report)
    elif person is not None:
        if as_json:
            print_json(one)
        else:
            console.print(f"[bold]{escape(one.full_name)}[/]  [dim]#{one.person_id}[/]")
            console.print(_strength_line(one))
    elif as_json:
        print_json(everyone)
    elif not everyone.total:
        console.print("No people yet. Import an export with `lead import FILE` or try `lead demo`.")
    else:
        counts = ", ".join(f"{n} {label}" for label, n in everyone.by_label.items() if n)
        console.print(f"{everyone.total} people: {counts} ({everyone.weights} weights)")
        table = Table(header_style="bold")
        table.add_column("#", justify="right", style="dim")
        table.add_column("Name")
        table.add_column("Strength", justify="right")
        table.add_column("Label")
        table.add_column("Why")
        for view in everyone.people:
            table.add_row(
                str(view.person_id),
                escape(view.full_name),
                f"{view.score:.2f}",
                view.label,
                escape(view.why),
            )
        console.print(table)


def _render_model(report: ModelReport) -> None:
    if report.needed:
        console.print(
            f"{report.ratings} closeness rating{'s' if report.ratings != 1 else ''} so far: "
            f"rate {report.needed} more {'person' if report.needed == 1 else 'people'} "
            "(`lead rate NAME 1-5`) to fit the weights to you. "
            f"Scores use the {report.in_use} weights."
        )
        return
    assert report.fitted_accuracy is not None and report.default_accuracy is not None
    assert report.fitted_mae is not None and report.default_mae is not None
    console.print(
        f"Fitted to {report.ratings} ratings, checked by {report.folds}-fold cross-validation:"
    )
    console.print(
        f"  strong/weak accuracy   fitted {report.fitted_accuracy:.0%}   "
        f"default {report.default_accuracy:.0%}"
    )
    console.print(
        f"  mean rating error      fitted {report.fitted_mae:.2f}   "
        f"default {report.default_mae:.2f}"
    )
    weights = ", ".join(f"{name} {w:.2f}" for name, w in report.weights.items())
    if report.in_use == "fitted":
        console.print(f"Scores now use the fitted weights ({weights}).")
    else:
        console.print(
            "The fitted weights did worse on held-out ratings: scores keep the default weights."
        )


@friendly
def rate(
    person: Annotated[str, typer.Argument(help="Name, #id or identity.")],
    rating: Annotated[int, typer.Argument(help="How close you are: 1 (barely) to 5 (very).")],
    as_json: JsonOption = False,
) -> None:
    """Rate how close you feel to someone; ratings are the best signal of tie strength.

    Example: lead rate "Ana Díaz" 4
    """
    with STATE.transaction() as (session, ws):
        view = relationships.rate(session, ws, resolve_person(session, ws, person), rating)
    if as_json:
        print_json(view)
        return
    was = f" (was {view.previous})" if view.previous is not None else ""
    more = (
        f"; {view.needed} more to fit the weights to you"
        if view.needed
        else "; enough to fit the weights to you: `lead strength --model`"
    )
    console.print(
        f"{escape(view.full_name)}: closeness {view.closeness}/5{was}. "
        f"{view.ratings} {'person' if view.ratings == 1 else 'people'} rated{more}."
    )


@friendly
def due(limit: LimitOption = 20, as_json: JsonOption = False) -> None:
    """Who is overdue for contact by their Dunbar layer's rhythm, most important first.

    Layers of 5, 15, 50 and 150 by strength; every 14, 30, 90 and 180 days unless you set
    a person's own rhythm with `lead cadence`. Example: lead due --limit 10
    """
    with STATE.transaction() as (session, ws):
        found = keepintouch.due(session, ws, limit=limit)
    if as_json:
        print_json(found)
        return
    if not found.total:
        console.print("Nobody is overdue: everyone heard from you within their rhythm.")
        return
    table = Table(header_style="bold", title=f"{found.total} overdue", title_justify="left")
    table.add_column("#", justify="right", style="dim")
    table.add_column("Name")
    table.add_column("Layer")
    table.add_column("Last contact")
    table.add_column("Rhythm", justify="right")
    table.add_column("Overdue by", justify="right")
    for p in found.people:
        rhythm = f"{p.cadence_days:.0f} days" + (" (yours)" if p.own_cadence else "")
        late = "never in touch" if p.overdue_days is None else _whole_days(p.overdue_days)
        table.add_row(
            str(p.person_id), escape(p.full_name), p.layer, _days(p.days_since), rhythm, late
        )
    console.print(table)
    if found.total > len(found.people):
        console.print(f"[dim]Showing {len(found.people)} of {found.total}: --limit for more.[/]")
    console.print("[dim]Change someone's rhythm: lead cadence NAME monthly|weekly|never|45d[/]")


@friendly
def cadence(
    person: Annotated[str, typer.Argument(help="Name, #id or identity.")],
    rhythm: Annotated[
        str,
        typer.Argument(
            help="weekly, fortnightly, monthly, quarterly, yearly, never, default or Nd (45d)."
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Set how often to keep in touch with someone.  Example: lead cadence "Ana Díaz" monthly"""
    with STATE.transaction() as (session, ws):
        view = keepintouch.set_cadence(session, ws, resolve_person(session, ws, person), rhythm)
    if as_json:
        print_json(view)
    else:
        console.print(f"{escape(view.full_name)}: keep in touch {view.described}.")


@friendly
def fading(
    days: Annotated[int, typer.Option(help="Compare with this many days ago.")] = 90,
    limit: LimitOption = 20,
    as_json: JsonOption = False,
) -> None:
    """Relationships losing the most strength, and weak ties worth keeping because they bridge.

    Example: lead fading --days 60
    """
    with STATE.transaction() as (session, ws):
        report = keepintouch.fading(session, ws, days=days, limit=limit)
    if as_json:
        print_json(report)
        return
    if report.fading:
        table = Table(
            header_style="bold",
            title_justify="left",
            title=f"Losing strength over the last {report.days} days",
        )
        table.add_column("#", justify="right", style="dim")
        table.add_column("Name")
        table.add_column("Was", justify="right")
        table.add_column("Now", justify="right")
        table.add_column("Why")
        for f in report.fading:
            name = escape(f.strength.full_name) + (" [cyan](bridge)[/]" if f.bridge else "")
            table.add_row(
                str(f.strength.person_id),
                name,
                f"{f.before:.2f}",
                f"{f.strength.score:.2f}",
                escape(f.strength.why),
            )
        console.print(table)
    else:
        console.print(f"No relationship lost noticeable strength over the last {report.days} days.")
    if report.bridges:
        table = Table(
            header_style="bold",
            title_justify="left",
            title=f"Weak ties that bridge (from {report.known_ties} known ties "
            "between your contacts)",
        )
        table.add_column("#", justify="right", style="dim")
        table.add_column("Name")
        table.add_column("Strength", justify="right")
        table.add_column("Only through them", justify="right")
        table.add_column("Overlap", justify="right")
        for b in report.bridges:
            name = escape(b.strength.full_name) + (" [yellow](fading)[/]" if b.fading else "")
            table.add_row(
                str(b.strength.person_id),
                name,
                f"{b.strength.score:.2f}",
                str(b.unique_reach),
                f"{b.overlap:.0%}",
            )
        console.print(table)
    elif not report.known_ties:
        console.print(
            "[dim]Bridges need ties between your contacts: `lead knows A B`, "
            "or `lead knows --infer` from shared meetings and threads.[/]"
        )


@friendly
def knows(
    first: Annotated[str | None, typer.Argument(help="Name, #id or identity.")] = None,
    second: Annotated[str | None, typer.Argument(help="Who they know.")] = None,
    trust: Annotated[
        float, typer.Option(help="How much they trust each other, above 0 up to 1.")
    ] = ties.DEFAULT_TRUST,
    infer: Annotated[
        bool,
        typer.Option("--infer", help="Rebuild ties from shared meetings and message threads."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Record that two of your contacts know each other, or infer who knows whom.

    Examples: lead knows "Ana Díaz" "Bruno Okafor" --trust 0.8 · lead knows --infer
    """
    if infer == (first is not None or second is not None):
        fail("knows: name two people, or pass --infer alone")
    if not infer and (first is None or second is None):
        fail("knows: expected two people")
    with STATE.transaction() as (session, ws):
        if infer:
            found = ties.infer_ties(session, ws)
        else:
            assert first is not None and second is not None
            a = resolve_person(session, ws, first)
            tie = ties.record_tie(session, ws, a, resolve_person(session, ws, second), trust)
    if infer:
        if as_json:
            print_json(found)
        else:
            console.print(
                f"{found.meeting_ties} ties from {found.meetings} shared meetings, "
                f"{found.thread_ties} from {found.threads} shared threads "
                f"({found.too_large} gatherings over {ties.MAX_GROUP} people passed over); "
                f"{found.manual_ties} ties you recorded kept as they are."
            )
    elif as_json:
        print_json(tie)
    else:
        verb = "know each other" if tie.created else "know each other (updated)"
        console.print(f"{escape(tie.name_a)} and {escape(tie.name_b)} {verb}, trust {tie.trust:g}.")


def render_relationship(view: RelationshipView) -> None:
    """The relationship lines of `lead people show`."""
    console.print("Strength: " + _strength_line(view.strength))
    rhythm = (
        "no reminders"
        if view.cadence_days is None
        else f"every {view.cadence_days:.0f} days"
        + (" (yours)" if view.cadence_source == "yours" else "")
    )
    console.print(f"Layer: {view.layer}; keep in touch: {rhythm}")
    if view.overdue_days is not None:
        state = (
            f"[red]overdue by {view.overdue_days:.0f} days[/]"
            if view.overdue_days > 0
            else f"due in {-view.overdue_days:.0f} days"
        )
        console.print(f"Last contact: {_days(view.days_since_contact)}; {state}")
    else:
        console.print(f"Last contact: {_days(view.days_since_contact)}")
    ledger = view.ledger
    if ledger.given or ledger.received:
        lean = "you gave more" if ledger.balance > 0 else "they gave more"
        lean = "even" if ledger.balance == 0 else lean
        console.print(
            f"Give and take: gave {ledger.given}, received {ledger.received} "
            f"(balance {ledger.balance:+.1f}, {lean})"
        )
    else:
        console.print("Give and take: nothing on the ledger yet")

"""`lead referrals …` and `lead introduce …`: referrals followed, introductions by opt-in."""

from __future__ import annotations

from typing import Annotated

import typer

from takethelead.cli.state import STATE, console, escape, fail, friendly, print_json
from takethelead.services.leads import introductions as intros
from takethelead.services.leads import referrals as service
from takethelead.services.leads.introductions import IntroductionView
from takethelead.services.leads.referrals import ReferralView
from takethelead.services.people.people import resolve_person

app = typer.Typer(help="Referrals given and received, followed until won or lost.")

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def render_referral(r: ReferralView) -> None:
    arrow = "to" if r.direction == "given" else "from"
    value = f"  {r.value:,.0f}" if r.value is not None else ""
    due = "  [yellow]thank-you due[/]" if r.thank_due else ""
    note = f"  [dim]{escape(r.note[:70])}[/]" if r.note else ""
    console.print(
        f"  [dim]#{r.id}[/] {r.created_at:%Y-%m-%d} {r.direction:8} {arrow:4} "
        f"{escape(r.person)}  [bold]{r.status}[/]{value}{due}{note}",
        highlight=False,
    )


@app.callback(invoke_without_command=True)
@friendly
def list_(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="given, contacted, met, won or lost.")] = None,
    direction: Annotated[str | None, typer.Option(help="given or received.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List referrals with their status, newest first.  Example: lead referrals --status won"""
    if ctx.invoked_subcommand is not None:
        return
    with STATE.transaction() as (session, ws):
        found = service.list_referrals(session, ws, status, direction)
    if as_json:
        print_json(found)
        return
    if not found:
        console.print('No referrals yet: lead referrals add --to NAME "what you passed on"')
        return
    for referral in found:
        render_referral(referral)


@app.command("add")
@friendly
def add(
    note: Annotated[str, typer.Argument(help="What the referral is about.")] = "",
    to: Annotated[str | None, typer.Option("--to", help="You referred business to them.")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="They referred you.")] = None,
    value: Annotated[float | None, typer.Option(help="What it is worth, when known.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Record a referral given (--to) or received (--from).

    Example: lead referrals add --from "Ana Díaz" "her neighbour needs a coach" --value 900
    """
    if (to is None) == (from_ is None):
        fail("--to/--from: expected exactly one of --to NAME (given) or --from NAME (received)")
    direction = "given" if to is not None else "received"
    who = to if to is not None else from_
    assert who is not None
    with STATE.transaction() as (session, ws):
        person_id = resolve_person(session, ws, who)
        referral = service.record_referral(session, ws, direction, person_id, note, value)
    if as_json:
        print_json(referral)
    else:
        console.print(f"Recorded referral #{referral.id}:")
        render_referral(referral)


@app.command("update")
@friendly
def update(
    referral_id: Annotated[int, typer.Argument(help="The referral's number.")],
    status: Annotated[str, typer.Argument(help="contacted, met, won or lost.")],
    value: Annotated[float | None, typer.Option(help="What it is worth (when won).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Move a referral on.  Example: lead referrals update 4 won --value 1200"""
    with STATE.transaction() as (session, ws):
        referral = service.update_referral(session, ws, referral_id, status.lower(), value)
    if as_json:
        print_json(referral)
        return
    render_referral(referral)
    if referral.thank_due:
        console.print(
            f"A thank-you to {escape(referral.person)} is due: the weekly plan will propose it.",
            highlight=False,
        )


def render_introduction(intro: IntroductionView) -> None:
    said = {True: "yes", False: "waiting"}
    console.print(
        f"  [dim]#{intro.id}[/] {escape(intro.name_a)} (A: {said[intro.accepted_a]}) ↔ "
        f"{escape(intro.name_b)} (B: {said[intro.accepted_b]})  [bold]{intro.status}[/]"
        + (f"  [dim]{escape(intro.reason)}[/]" if intro.reason else ""),
        highlight=False,
    )
    for draft in intro.drafts:
        console.print(f"\n[bold]To {escape(draft.to)}[/]:", highlight=False)
        console.print(escape(draft.body), highlight=False)


@friendly
def introduce(
    people: Annotated[
        list[str] | None,
        typer.Argument(help="A B to introduce; or: accept ID A|B; decline ID A|B; list."),
    ] = None,
    reason: Annotated[str, typer.Option(help="Why they should meet.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Introduce two people by double opt-in: each side is asked first.

    Examples: lead introduce "Ana Díaz" "Bruno Costa" --reason "both serve bakeries"
              lead introduce accept 3 A        lead introduce accept 3 "Bruno Costa"
              lead introduce list
    """
    args = people or ["list"]
    verb = args[0].lower()
    with STATE.transaction() as (session, ws):
        if verb == "list" and len(args) == 1:
            found: IntroductionView | list[IntroductionView] = intros.list_introductions(
                session, ws
            )
        elif verb in ("accept", "decline") and len(args) == 3:
            if not args[1].lstrip("#").isdigit():
                fail(f"introduction {args[1]!r}: expected its number")
            number = int(args[1].lstrip("#"))
            if verb == "accept":
                found = intros.accept_introduction(session, ws, number, args[2])
            else:
                found = intros.decline_introduction(session, ws, number, args[2])
        elif len(args) == 2 and verb not in ("accept", "decline", "list"):
            found = intros.propose_introduction(session, ws, args[0], args[1], reason)
        else:
            fail("introduce: expected A B, accept ID A|B, decline ID A|B, or list")
    if as_json:
        print_json(found)
        return
    if isinstance(found, list):
        if not found:
            console.print('No introductions yet: lead introduce A B --reason "…"')
        for intro in found:
            render_introduction(intro)
        return
    render_introduction(found)
    if found.status == "asked" and found.drafts:
        console.print(
            f"\n[dim]When they answer: lead introduce accept {found.id} A (or B)[/]",
            highlight=False,
        )
    elif found.status == "asked":
        console.print("[dim]Waiting for the other side.[/]")
    elif found.status == "made":
        console.print("\n[dim]Both said yes: counted as introductions given in the ledger.[/]")

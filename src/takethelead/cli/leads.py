"""`lead leads …`, `lead referrers`, `lead path` and `lead profile`: leads and who can help."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from takethelead.cli.state import STATE, console, escape, fail, friendly, print_json
from takethelead.domain.matching import Embedder
from takethelead.services.leads import leads as service
from takethelead.services.leads.embeddings import load_embedder, missing_packages
from takethelead.services.leads.matching import Match
from takethelead.services.leads.paths import IntroPath, PathReport, find_paths
from takethelead.services.leads.profile import (
    LeadProfileParts,
    MyProfile,
    compose_lead_profile,
    my_profile,
    set_my_profile,
)

app = typer.Typer(help="Leads: who needs what, who could serve them, passing them on.")

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
SemanticOption = Annotated[
    bool | None,
    typer.Option(
        "--semantic/--no-semantic",
        help="Fuse MiniLM embeddings with BM25 (default: when the semantic extra is installed).",
    ),
]
LimitOption = Annotated[int, typer.Option("--limit", "-n", help="How many suggestions.")]


def embedder(semantic: bool | None) -> Embedder | None:
    """The embedder the user asked for: none, MiniLM, or MiniLM when installed."""
    if semantic is False:
        return None
    found = load_embedder(STATE.open().settings.data_dir / "cache")
    if found is None and semantic:
        fail(
            "--semantic: the semantic extra is not installed "
            f"(missing: {', '.join(missing_packages())}); pip install 'takethelead[semantic]'"
        )
    return found


def render_matches(matches: tuple[Match, ...], semantic: bool, indexed: int) -> None:
    how = "BM25 + MiniLM" if semantic else "BM25"
    if not matches:
        console.print(f"Nobody's offer matches yet ({indexed} people with an offer; {how}).")
        return
    for rank, m in enumerate(matches, start=1):
        role = " · ".join(x for x in (m.title, m.company) if x)
        console.print(
            f"  {rank}. [bold]{escape(m.full_name)}[/] [dim]#{m.person_id}[/]"
            + (f"  {escape(role)}" if role else "")
            + f"  [cyan]{m.score:.2f}[/]",
            highlight=False,
        )
        console.print(f"     {escape(m.why)}", highlight=False)
    console.print(f"[dim]{indexed} people with an offer, ranked by {how}[/]", highlight=False)


@app.callback(invoke_without_command=True)
@friendly
def list_(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="open, passed or closed.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List leads, newest first.  Example: lead leads --status open"""
    if ctx.invoked_subcommand is not None:
        return
    with STATE.transaction() as (session, ws):
        found = service.list_leads(session, ws, status)
    if as_json:
        print_json(found)
        return
    if not found:
        console.print('No leads yet: lead leads add "who needs what" --from NAME')
        return
    for lead in found:
        source = f" (from {escape(lead.from_person)})" if lead.from_person else ""
        console.print(
            f"  [dim]#{lead.id}[/] {lead.created_at:%Y-%m-%d} [{_status_style(lead.status)}]"
            f"{lead.status}[/]  {escape(lead.text)}{source}",
            highlight=False,
        )


def _status_style(status: str) -> str:
    return {"open": "green", "passed": "cyan", "won": "green", "lost": "red"}.get(status, "dim")


@app.command("add")
@friendly
def add(
    text: Annotated[str, typer.Argument(help="Who needs what, in your words.")],
    from_person: Annotated[
        str | None, typer.Option("--from", help="Who told you (name, #id or identity).")
    ] = None,
    match: Annotated[bool, typer.Option("--match/--no-match", help="Show matches now.")] = True,
    limit: LimitOption = 5,
    semantic: SemanticOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write down a lead and see who could serve it.

    Example: lead leads add "Maria's bakery needs a bookkeeper who knows payroll" --from Maria
    """
    chosen = embedder(semantic) if match else None
    with STATE.transaction() as (session, ws):
        lead = service.add_lead(session, ws, text, from_person)
        found = service.match_lead(session, ws, lead.id, limit, chosen) if match else None
    if as_json:
        print_json({"lead": lead, "matches": found})
        return
    console.print(f"Added lead #{lead.id}: {escape(lead.text)}", highlight=False)
    if found is not None:
        console.print("[bold]Who could serve it[/]")
        render_matches(found.matches, found.semantic, found.indexed)
        console.print(f"[dim]Pass it on: lead leads pass {lead.id} --to NAME[/]")


@app.command("match")
@friendly
def match(
    lead_id: Annotated[int, typer.Argument(help="The lead's number.")],
    limit: LimitOption = 5,
    semantic: SemanticOption = None,
    as_json: JsonOption = False,
) -> None:
    """Who could serve a lead, and why.  Example: lead leads match 3"""
    chosen = embedder(semantic)
    with STATE.transaction() as (session, ws):
        found = service.match_lead(session, ws, lead_id, limit, chosen)
    if as_json:
        print_json(found)
        return
    console.print(f"[bold]Lead #{lead_id}[/]: {escape(found.lead.text)}", highlight=False)
    render_matches(found.matches, found.semantic, found.indexed)


@app.command("pass")
@friendly
def pass_(
    lead_id: Annotated[int, typer.Argument(help="The lead's number.")],
    to: Annotated[str, typer.Option("--to", help="Who gets the lead (name, #id or identity).")],
    note: Annotated[str, typer.Option(help="A note (default: the lead's text).")] = "",
    as_json: JsonOption = False,
) -> None:
    """Pass a lead on: a referral given, in the ledger.  Example: lead leads pass 3 --to Ana"""
    with STATE.transaction() as (session, ws):
        referral = service.pass_lead(session, ws, lead_id, to, note)
    if as_json:
        print_json(referral)
        return
    console.print(
        f"Referral #{referral.id}: lead #{lead_id} passed to {escape(referral.person)} "
        f"(status {referral.status}). Follow it: lead referrals update {referral.id} contacted",
        highlight=False,
    )


@friendly
def referrers(
    limit: LimitOption = 10,
    semantic: SemanticOption = None,
    as_json: JsonOption = False,
) -> None:
    """Who is best placed to refer leads like your lead profile describes.

    Example: lead referrers --limit 5
    """
    chosen = embedder(semantic)
    with STATE.transaction() as (session, ws):
        found = service.find_referrers(session, ws, limit, chosen)
    if as_json:
        print_json(found)
        return
    console.print(f"[bold]Your lead profile[/]: {escape(found.lead_profile)}", highlight=False)
    console.print("[bold]Best placed to refer you[/]")
    render_matches(found.matches, found.semantic, found.indexed)


def render_path(path: IntroPath, number: int | None = None) -> None:
    label = f"{number}." if number is not None else "widest:"
    console.print(
        f"  {label} to [bold]{escape(path.target)}[/] — trust {path.trust:.2f}, "
        f"{path.hops} hop{'s' if path.hops > 1 else ''}, weakest link {path.weakest:.2f}",
        highlight=False,
    )
    console.print(f"     {escape(path.explanation)}", highlight=False)


def render_paths(report: PathReport) -> None:
    target = f"anyone at {report.company} ({report.targets} people)" if report.company else None
    console.print(f"[bold]Paths to {escape(target or report.target)}[/]", highlight=False)
    if not report.paths:
        console.print("  No path of up to 3 hops through people you trust.")
    for number, path in enumerate(report.paths, start=1):
        render_path(path, number)
    if report.widest is not None:
        render_path(report.widest)
    if report.distrusted_avoided:
        console.print(
            f"[dim]{report.distrusted_avoided} people marked distrusted are never asked "
            "to pass a request on.[/]"
        )


@friendly
def path(
    target: Annotated[str, typer.Argument(help="A person (name, #id, identity) or a company.")],
    top: Annotated[int, typer.Option("--top", "-k", help="How many paths.")] = 5,
    company: Annotated[
        bool, typer.Option("--company", help="Treat the target as a company name.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Trusted introduction paths to a person or a company: who to ask, and why they'd vouch.

    Example: lead path "Ana Díaz"        lead path "Greenleaf Bakery"
    """
    with STATE.transaction() as (session, ws):
        report = find_paths(session, ws, target, top, company)
    if as_json:
        print_json(report)
    else:
        render_paths(report)


def render_profile(profile: MyProfile) -> None:
    if not profile.offer and not profile.lead_profile:
        console.print("No profile yet: lead profile --offer '…' --lead-profile '…' (or answer")
        console.print("the questions: lead profile --interactive).")
        return
    console.print("[bold]Share this[/]:")
    console.print(escape(profile.share_text), highlight=False)


@friendly
def profile(
    offer: Annotated[str | None, typer.Option(help="What you do, in a sentence.")] = None,
    lead_profile: Annotated[
        str | None, typer.Option("--lead-profile", help="Who a good lead for you is.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Your name (when you are new here).")] = None,
    interactive: Annotated[
        bool | None,
        typer.Option(
            "--interactive/--no-interactive", help="Ask the questions (default: on a TTY)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Write your offer and lead profile, and get a short text to share.

    Example: lead profile --offer "Payroll and bookkeeping for small shops" \\
             --lead-profile "Cafés and bakeries with 2-20 staff hiring their first employee"
    """
    flags = offer is not None or lead_profile is not None or name is not None
    ask = interactive if interactive is not None else (not flags and sys.stdin.isatty())
    if ask:
        offer = typer.prompt("What do you do (your offer, one sentence)?", default=offer or "")
        parts = LeadProfileParts(
            who=typer.prompt("Who is a good lead for you?", default=""),
            need=typer.prompt("What do they need?", default=""),
            size=typer.prompt("What size (people, revenue, budget)?", default=""),
            signals=typer.prompt("What signals tell you they need it now?", default=""),
        )
        lead_profile = compose_lead_profile(parts)
        offer = offer or None
    with STATE.transaction() as (session, ws):
        result = (
            set_my_profile(session, ws, offer, lead_profile, name)
            if ask or flags
            else my_profile(session, ws)
        )
    if as_json:
        print_json(result)
    else:
        render_profile(result)

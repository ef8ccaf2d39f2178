"""`lead people …`: add, list, show, edit, rm, tag, search."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from takethelead.cli.relationships import render_relationship
from takethelead.cli.state import STATE, ago, console, escape, fail, friendly, print_json
from takethelead.services.core.views import PersonDetail, PersonSummary
from takethelead.services.people import people as service
from takethelead.services.people.merging import merge_people
from takethelead.services.relationships.strength import relationship_of

app = typer.Typer(help="Everyone you know: add, list, show, edit, remove, tag and search people.")

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _birthday(raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        fail(f"--birthday {raw!r}: expected YYYY-MM-DD")


def summary_table(people: list[PersonSummary], title: str) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("#", justify="right", style="dim")
    table.add_column("Name")
    table.add_column("Company / title")
    table.add_column("Tags", style="cyan")
    table.add_column("Last contact")
    table.add_column("Touches", justify="right")
    for p in people:
        role = " · ".join(x for x in (p.company, p.title) if x)
        table.add_row(
            str(p.id),
            escape(p.full_name),
            escape(role),
            escape(", ".join(p.tags)),
            ago(p.last_contact),
            str(p.interactions),
        )
    return table


@app.command("add")
@friendly
def add(
    name: Annotated[str, typer.Argument(help="Full name.")],
    identity: Annotated[
        list[str] | None,
        typer.Option("--identity", "-i", help="E-mail, profile URL, handle or kind:value."),
    ] = None,
    company: Annotated[str | None, typer.Option(help="Where they work.")] = None,
    title: Annotated[str | None, typer.Option(help="Their role.")] = None,
    notes: Annotated[str | None, typer.Option(help="Free notes.")] = None,
    offer: Annotated[str | None, typer.Option(help="What they do, what they offer.")] = None,
    lead_profile: Annotated[
        str | None, typer.Option("--lead-profile", help="What a good lead for them looks like.")
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="A tag (repeatable).")
    ] = None,
    birthday: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a person.  Example: lead people add "Ana Díaz" -i ana@example.org --company Acme"""
    values = service.PersonInput(
        company=company,
        title=title,
        notes=notes,
        offer=offer,
        lead_profile=lead_profile,
        birthday=_birthday(birthday),
    )
    with STATE.transaction() as (session, ws):
        person_id = service.add_person(session, ws, name, values, identity or [], tag or [])
    if as_json:
        print_json({"id": person_id, "full_name": name})
    else:
        console.print(f"Added #{person_id} {escape(name)}")


@app.command("list")
@friendly
def list_(
    tag: Annotated[str | None, typer.Option(help="Only people with this tag.")] = None,
    sort: Annotated[str, typer.Option(help="name, last-contact, interactions or added.")] = "name",
    limit: Annotated[int, typer.Option(help="How many to show.")] = 50,
    offset: Annotated[int, typer.Option(help="How many to pass over first.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """List people.  Example: lead people list --tag client --sort last-contact"""
    if sort not in ("name", "last-contact", "interactions", "added"):
        fail(f"--sort {sort!r}: expected name, last-contact, interactions or added")
    with STATE.transaction() as (session, ws):
        found = service.list_people(session, ws, tag=tag, sort=sort, limit=limit, offset=offset)  # type: ignore[arg-type]
    if as_json:
        print_json(found)
    elif not found:
        console.print("No people yet. Add one with `lead people add NAME` or `lead import FILE`.")
    else:
        console.print(summary_table(found, f"{len(found)} people"))


@app.command("search")
@friendly
def search(
    query: Annotated[str, typer.Argument(help="Words to find in names, companies, notes, offers.")],
    limit: Annotated[int, typer.Option(help="How many to show.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Search people, ignoring case and accents.  Example: lead people search "diaz acme" """
    with STATE.transaction() as (session, ws):
        found = service.search_people(session, ws, query, limit=limit)
    if as_json:
        print_json(found)
    elif not found:
        console.print(f"Nobody matches {escape(query)!r}.")
    else:
        console.print(summary_table(found, f"{len(found)} matching {escape(query)!r}"))


def render_detail(person: PersonDetail) -> None:
    console.print(f"[bold]{escape(person.full_name)}[/]  [dim]#{person.id}[/]")
    role = " · ".join(x for x in (person.title, person.company) if x)
    if role:
        console.print(escape(role))
    if person.tags:
        console.print("Tags: [cyan]" + escape(", ".join(person.tags)) + "[/]")
    for label, value in (
        ("Offer", person.offer),
        ("Lead profile", person.lead_profile),
        ("Notes", person.notes),
    ):
        if value:
            console.print(f"{label}: {escape(value)}")
    if person.closeness is not None:
        console.print(f"Your closeness rating: {person.closeness}/5")
    if person.cadence_days is not None:
        console.print(f"Keep in touch every {person.cadence_days} days")
    for key, extra in person.extra.items():
        console.print(f"{key}: {escape(str(extra))}")
    if person.identities:
        console.print("Identities:")
        for ident in person.identities:
            console.print(f"  {ident.kind:9} {escape(ident.display or ident.value)}")
    console.print(f"Interactions: {person.interactions}")
    for touch in person.timeline:
        where = f" on {escape(touch.network)}" if touch.network else ""
        auto = " (automated)" if touch.automated else ""
        console.print(
            f"  {touch.occurred_at:%Y-%m-%d}  {touch.kind} {touch.direction}{where}{auto}"
            f"  [dim]{escape(touch.summary[:80])}[/]"
        )


@app.command("show")
@friendly
def show(
    person: Annotated[str, typer.Argument(help="Name, #id or identity.")],
    timeline: Annotated[int, typer.Option(help="How many interactions to show.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Show a person: identities, offer, lead profile, notes, tags and timeline."""
    with STATE.transaction() as (session, ws):
        person_id = service.resolve_person(session, ws, person)
        detail = service.show_person(session, ws, person_id, timeline=timeline)
        relationship = None if detail.is_me else relationship_of(session, ws, person_id)
    if as_json:
        extra = {**detail.extra, "relationship": relationship}
        print_json(replace(detail, extra=extra) if relationship else detail)
    else:
        render_detail(detail)
        if relationship is not None:
            render_relationship(relationship)


@app.command("edit")
@friendly
def edit(
    person: Annotated[str, typer.Argument(help="Name, #id or identity.")],
    name: Annotated[str | None, typer.Option(help="New full name.")] = None,
    company: Annotated[str | None, typer.Option()] = None,
    title: Annotated[str | None, typer.Option()] = None,
    notes: Annotated[str | None, typer.Option()] = None,
    offer: Annotated[str | None, typer.Option(help="What they do, what they offer.")] = None,
    lead_profile: Annotated[
        str | None, typer.Option("--lead-profile", help="What a good lead for them looks like.")
    ] = None,
    birthday: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    identity: Annotated[
        list[str] | None, typer.Option("--identity", "-i", help="Add an identity.")
    ] = None,
    distrusted: Annotated[
        bool | None,
        typer.Option("--distrusted/--trusted", help="Never route introductions through them."),
    ] = None,
) -> None:
    """Change a person.  Example: lead people edit "Ana Díaz" --offer "payroll bookkeeping" """
    values = service.PersonInput(
        full_name=name,
        company=company,
        title=title,
        notes=notes,
        offer=offer,
        lead_profile=lead_profile,
        birthday=_birthday(birthday),
        distrusted=distrusted,
    )
    with STATE.transaction() as (session, ws):
        person_id = service.resolve_person(session, ws, person)
        service.edit_person(session, ws, person_id, values, identity or [])
    console.print(f"Updated #{person_id}")


@app.command("rm")
@friendly
def remove(
    person: Annotated[str, typer.Argument(help="Name, #id or identity.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Remove a person with their identities and interactions."""
    with STATE.transaction() as (session, ws):
        person_id = service.resolve_person(session, ws, person)
        detail = service.show_person(session, ws, person_id, timeline=0)
        if not yes and not typer.confirm(
            f"Remove #{person_id} {detail.full_name} and {detail.interactions} interactions?"
        ):
            raise typer.Exit(1)
        name = service.remove_person(session, ws, person_id)
    console.print(f"Removed #{person_id} {escape(name)}")


@app.command("tag")
@friendly
def tag(
    person: Annotated[str, typer.Argument(help="Name, #id or identity.")],
    tags: Annotated[list[str] | None, typer.Argument(help="Tags to add.")] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", "-r", help="A tag to remove (repeatable).")
    ] = None,
) -> None:
    """Tag a person.  Example: lead people tag "Ana Díaz" client referrer --remove prospect"""
    with STATE.transaction() as (session, ws):
        person_id = service.resolve_person(session, ws, person)
        now = service.tag_person(session, ws, person_id, tags or [], remove or [])
    console.print(f"#{person_id} tags: {escape(', '.join(now)) or '(none)'}")


@app.command("merge")
@friendly
def merge(
    keep: Annotated[str, typer.Argument(help="The record to keep (name, #id or identity).")],
    other: Annotated[str, typer.Argument(help="The duplicate to fold into it.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Merge a duplicate into a person: identities, tags, interactions, ledger and ties move.

    Example: lead people merge "Robert Smith" "Bob Smith"
    """
    with STATE.transaction() as (session, ws):
        keep_id = service.resolve_person(session, ws, keep)
        other_id = service.resolve_person(session, ws, other)
        if not yes and not as_json:
            kept = service.show_person(session, ws, keep_id, timeline=0)
            folded = service.show_person(session, ws, other_id, timeline=0)
            if not typer.confirm(
                f"Fold #{other_id} {folded.full_name} ({folded.interactions} interactions) "
                f"into #{keep_id} {kept.full_name}?"
            ):
                raise typer.Exit(1)
        result = merge_people(session, ws, keep_id, other_id)
    if as_json:
        print_json(result)
        return
    moved = ", ".join(f"{count} {table}" for table, count in sorted(result.moved.items()))
    console.print(
        f"Merged {escape(result.removed_name)} into #{result.kept_id} "
        f"{escape(result.kept_name)}" + (f" (moved {moved})" if moved else "")
    )

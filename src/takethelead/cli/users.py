"""`lead users …`: accounts for the web app, and personal API tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from takethelead.cli.state import STATE, console, escape, fail, friendly, print_json
from takethelead.services.auth import accounts, invitations
from takethelead.services.auth.access import OWNER, ROLES
from takethelead.services.core.store import workspace_id

app = typer.Typer(help="Who may sign in to the web app, and their API tokens.")


def _password(password_file: Path | None) -> str:
    if password_file is not None:
        try:
            return password_file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            fail(f"--password-file {password_file}: {exc.strerror}")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@app.command("add")
@friendly
def add(
    email: Annotated[str, typer.Argument(help="The address they sign in with.")],
    workspace: Annotated[
        str, typer.Option("--workspace", help="Workspace (created for an owner).")
    ] = "default",
    role: Annotated[str, typer.Option(help="owner (read/write) or member (read only).")] = OWNER,
    password_file: Annotated[
        Path | None, typer.Option("--password-file", help="Read the password from a file.")
    ] = None,
    reset_password: Annotated[
        bool,
        typer.Option(
            "--reset-password", help="Give an existing account a new password (ends its tokens)."
        ),
    ] = False,
    keep_password: Annotated[
        bool,
        typer.Option(
            "--keep-password",
            help="Add an account made through an invitation link as it is (you know its "
            "owner opened that link).",
        ),
    ] = False,
) -> None:
    """Add a user to a workspace.  Example: lead users add ana@example.org --role owner

    A new user gets the password you type (or --password-file). A user who exists already
    keeps their own password, unless --reset-password is given. An account made through an
    invitation link is added only with --reset-password or --keep-password: whoever opened
    the link chose its password, and that may not have been the address's owner.
    """
    if role not in ROLES:
        fail(f"--role {role!r}: expected owner or member")
    store = STATE.open()
    with store.transaction() as session:
        exists = accounts.has_account(session, email)
        origin = invitations.account_origin(session, email) if exists else None
    if exists:
        console.print(f"{escape(email.strip().lower())} has an account already", highlight=False)
        if origin is not None:
            console.print(
                f"  it was {escape(origin)}: whoever held that link chose its password",
                highlight=False,
            )
            if not (reset_password or keep_password):
                fail(
                    "not added: run again with --reset-password to give it a password you "
                    "choose, or --keep-password if you know its owner opened that link "
                    "(or send them an invitation: lead users invite)"
                )
    password = _password(password_file) if not exists or reset_password else None
    with store.transaction() as session:
        user = accounts.add_user(
            session, email, password, workspace, role, reset_password=reset_password
        )
    if exists:
        said = "a new password (their API tokens ended)" if reset_password else "password unchanged"
        console.print(f"  {said}", highlight=False)
    console.print(
        f"{escape(user.email)} is now {user.role} of {escape(user.workspace)}", highlight=False
    )


@app.command("invite")
@friendly
def invite(
    email: Annotated[str, typer.Argument(help="The address to invite.")],
    workspace: Annotated[str, typer.Option("--workspace", help="An existing workspace.")],
    role: Annotated[str, typer.Option(help="owner (read/write) or member (read only).")] = OWNER,
    base_url: Annotated[
        str, typer.Option("--base-url", help="Where the web app is reached, for the link.")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Print an invitation link, once: they set their own password there, or accept it.

    Example: lead users invite ana@example.org --workspace A --role member
    """
    if role not in ROLES:
        fail(f"--role {role!r}: expected owner or member")
    with STATE.open().transaction() as session:
        issued = invitations.invite(
            session, workspace_id(session, workspace, create=False), email, role, None
        )
    sent = issued.invitation
    console.print(
        f"Invited {escape(sent.email)} to {escape(sent.workspace)} as {sent.role}, "
        f"until {sent.expires_at.date().isoformat()}; send them this link:",
        highlight=False,
    )
    typer.echo(base_url.rstrip("/") + issued.path)


@app.command("invitations")
@friendly
def list_invitations(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Invitations nobody has answered yet.  Example: lead users invitations"""
    with STATE.open().transaction() as session:
        pending = invitations.every_pending(session)
    if as_json:
        print_json(pending)
        return
    if not pending:
        console.print("No open invitations: `lead users invite EMAIL --workspace NAME`.")
        return
    table = Table(header_style="bold")
    for column in ("#", "Email", "Workspace", "Role", "From", "Until"):
        table.add_column(column)
    for i in pending:
        sender = escape(i.invited_by or "administrator")
        until = i.expires_at.date().isoformat()
        table.add_row(str(i.id), escape(i.email), escape(i.workspace), i.role, sender, until)
    console.print(table)


@app.command("list")
@friendly
def list_users(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every user and their workspaces.  Example: lead users list"""
    with STATE.open().transaction() as session:
        users = accounts.all_users(session)
    if as_json:
        print_json(users)
        return
    if not users:
        console.print("No users yet: `lead users add EMAIL`, or open `lead serve` to set up.")
        return
    table = Table(header_style="bold")
    for column in ("Email", "Workspace", "Role"):
        table.add_column(column)
    for user in users:
        table.add_row(escape(user.email), escape(user.workspace), user.role)
    console.print(table)


@app.command("token")
@friendly
def token(
    email: Annotated[str, typer.Argument(help="Whose token.")],
    name: Annotated[str, typer.Option("--name", help="A label, e.g. laptop.")],
    workspace: Annotated[
        str | None, typer.Option("--workspace", help="Workspace (default: their first).")
    ] = None,
) -> None:
    """Print a new API token, once; only its digest is kept.

    Example: lead users token ana@example.org --name laptop
    Use it as: curl -H "Authorization: Bearer TOKEN" http://127.0.0.1:8000/api/people
    """
    with STATE.open().transaction() as session:
        issued = accounts.issue_token(session, email, name, workspace)
    typer.echo(issued)

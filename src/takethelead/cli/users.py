"""`lead users …`: accounts for the web app, and personal API tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from takethelead.cli.state import STATE, console, escape, fail, friendly, print_json
from takethelead.services import accounts
from takethelead.services.access import OWNER, ROLES

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
) -> None:
    """Add a user to a workspace.  Example: lead users add ana@example.org --role owner"""
    if role not in ROLES:
        fail(f"--role {role!r}: expected owner or member")
    password = _password(password_file)
    with STATE.open().transaction() as session:
        user = accounts.add_user(session, email, password, workspace, role)
    console.print(
        f"{escape(user.email)} is now {user.role} of {escape(user.workspace)}", highlight=False
    )


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

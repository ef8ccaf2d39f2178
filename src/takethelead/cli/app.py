"""The `lead` command: every capability of Take the Lead from the terminal.

Commands are imported only when they run: `lead people search` should not pay for the
Bluesky client, the web framework and the plotting library. `lead --help` loads them all.
"""

from __future__ import annotations

import importlib
from typing import Annotated, Any

import typer
import typer.main

# Typer carries its own copy of click; its group and command types are the ones to extend.
from typer._click.core import Command, Context
from typer.core import TyperGroup

from takethelead.cli.state import STATE

# name → (module, attribute): a Typer app (a group of sub-commands) or a command function.
COMMANDS: dict[str, tuple[str, str]] = {
    "plan": ("takethelead.cli.plan", "plan"),
    "done": ("takethelead.cli.plan", "done"),
    "skip": ("takethelead.cli.plan", "skip"),
    "spent": ("takethelead.cli.plan", "spent"),
    "networks": ("takethelead.cli.networks", "app"),
    "people": ("takethelead.cli.people", "app"),
    "log": ("takethelead.cli.touches", "log"),
    "import": ("takethelead.cli.imports", "import_"),
    "export": ("takethelead.cli.workspace", "export"),
    "demo": ("takethelead.cli.workspace", "demo"),
    "overview": ("takethelead.cli.workspace", "show_overview"),
    "strength": ("takethelead.cli.relationships", "strength"),
    "rate": ("takethelead.cli.relationships", "rate"),
    "due": ("takethelead.cli.relationships", "due"),
    "cadence": ("takethelead.cli.relationships", "cadence"),
    "fading": ("takethelead.cli.relationships", "fading"),
    "knows": ("takethelead.cli.relationships", "knows"),
    "ledger": ("takethelead.cli.ledger", "ledger"),
    "report": ("takethelead.cli.report", "report"),
    "leads": ("takethelead.cli.leads", "app"),
    "referrers": ("takethelead.cli.leads", "referrers"),
    "path": ("takethelead.cli.leads", "path"),
    "profile": ("takethelead.cli.leads", "profile"),
    "referrals": ("takethelead.cli.referrals", "app"),
    "introduce": ("takethelead.cli.referrals", "introduce"),
    "post": ("takethelead.cli.posts", "post"),
    "queue": ("takethelead.cli.posts", "queue"),
    "slots": ("takethelead.cli.posts", "slots"),
    "connect": ("takethelead.cli.posts", "connect"),
    "publish": ("takethelead.cli.posts", "publish"),
    "sync": ("takethelead.cli.posts", "sync"),
    "digest": ("takethelead.cli.plan", "digest"),
    "worker": ("takethelead.cli.worker", "worker"),
    "serve": ("takethelead.cli.serve", "serve"),
    "users": ("takethelead.cli.users", "app"),
    "settings": ("takethelead.cli.settings", "settings"),
    "db": ("takethelead.cli.workspace", "db_app"),
    "backup": ("takethelead.cli.backup", "backup"),
    "restore": ("takethelead.cli.backup", "restore"),
    "secrets": ("takethelead.cli.secrets", "app"),
}


def load_command(name: str) -> Command:
    """The click command for a name, importing its module now."""
    module, attribute = COMMANDS[name]
    target: Any = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):
        command = typer.main.get_command(target)
    else:
        single = typer.Typer(rich_markup_mode=None)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in COMMANDS:
            return None
        return load_command(cmd_name)


app = typer.Typer(
    cls=LazyGroup,
    help="Take the Lead: turn two hours a week of networking into relationships and referrals.",
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    workspace_name: Annotated[
        str | None,
        typer.Option(
            "--workspace",
            "-w",
            envvar="LEAD_WORKSPACE",
            help="Workspace to use (default: 'default'; the demo builds 'demo').",
        ),
    ] = None,
) -> None:
    """With no command, show this week's plan."""
    STATE.reset(workspace_name)
    if ctx.invoked_subcommand is None:
        from takethelead.cli.plan import show_plan  # only when no command is given

        show_plan()


def main() -> None:
    app()

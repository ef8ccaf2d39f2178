"""The `lead` command: every capability of Take the Lead from the terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from takethelead.cli import imports as import_command
from takethelead.cli import leads as lead_commands
from takethelead.cli import ledger as ledger_command
from takethelead.cli import networks, people, serve, touches, users, workspace
from takethelead.cli import plan as plan_command
from takethelead.cli import posts as post_commands
from takethelead.cli import referrals as referral_commands
from takethelead.cli import relationships as relationship_commands
from takethelead.cli import report as report_command
from takethelead.cli import worker as worker_command
from takethelead.cli.state import STATE

app = typer.Typer(
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
        plan_command.show_plan()


app.add_typer(people.app, name="people")
app.add_typer(networks.app, name="networks")
app.add_typer(workspace.db_app, name="db")
app.add_typer(users.app, name="users")
app.command("log")(touches.log)
app.command("import")(import_command.import_)
app.command("export")(workspace.export)
app.command("demo")(workspace.demo)
app.command("overview")(workspace.show_overview)
app.command("plan")(plan_command.plan)
app.command("done")(plan_command.done)
app.command("skip")(plan_command.skip)
app.command("spent")(plan_command.spent)
app.command("digest")(plan_command.digest)
app.command("worker")(worker_command.worker)
app.command("post")(post_commands.post)
app.command("queue")(post_commands.queue)
app.command("slots")(post_commands.slots)
app.command("connect")(post_commands.connect)
app.command("publish")(post_commands.publish)
app.command("sync")(post_commands.sync)
app.command("serve")(serve.serve)
app.command("strength")(relationship_commands.strength)
app.command("rate")(relationship_commands.rate)
app.command("due")(relationship_commands.due)
app.command("cadence")(relationship_commands.cadence)
app.command("fading")(relationship_commands.fading)
app.command("knows")(relationship_commands.knows)
app.command("ledger")(ledger_command.ledger)
app.command("report")(report_command.report)

app.add_typer(lead_commands.app, name="leads")
app.add_typer(referral_commands.app, name="referrals")
app.command("referrers")(lead_commands.referrers)
app.command("path")(lead_commands.path)
app.command("profile")(lead_commands.profile)
app.command("introduce")(referral_commands.introduce)


def main() -> None:
    app()

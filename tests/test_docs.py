"""Every command explains itself, and the README names every top-level command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main
from typer._click.core import Context

from takethelead.cli.app import app

README = Path(__file__).resolve().parents[1] / "README.md"


def commands() -> list[tuple[str, Any]]:
    """Every command and sub-command by its full name ("people add")."""
    found: list[tuple[str, Any]] = []

    def walk(prefix: str, command: Any) -> None:
        if not hasattr(command, "list_commands"):
            return
        context = Context(command)
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            full = f"{prefix} {name}".strip()
            found.append((full, sub))
            walk(full, sub)

    walk("", typer.main.get_command(app))
    return found


def test_the_command_tree_is_found() -> None:
    names = [name for name, _ in commands()]
    assert {"people", "people add", "import", "demo", "plan"} <= set(names)


def test_every_command_has_help_text() -> None:
    missing = [name for name, command in commands() if not (command.help or "").strip()]
    assert missing == []


def test_the_readme_names_every_top_level_command() -> None:
    text = README.read_text(encoding="utf-8")
    top = [name for name, _ in commands() if " " not in name]
    missing = [name for name in top if not re.search(rf"`lead {re.escape(name)}\b", text)]
    assert missing == []

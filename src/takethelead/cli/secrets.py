"""`lead secrets …`: the key that encrypts connected accounts' secrets at rest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from takethelead.cli.state import STATE, console, fail, friendly
from takethelead.services.posting.connections import Secrets, rotate_secrets

app = typer.Typer(help="The key that encrypts connected accounts' secrets.")


@app.callback()
def secrets() -> None:
    """The key that encrypts connected accounts' secrets.  Example: lead secrets rotate"""


@app.command("rotate")
@friendly
def rotate(
    old_key_file: Annotated[
        list[Path] | None,
        typer.Option(
            "--old-key-file",
            help="A file holding an earlier LEAD_SECRET_KEY, or an earlier secret.key.",
        ),
    ] = None,
) -> None:
    """Re-encrypt every account secret with the current key, reading with older keys.

    Example: LEAD_SECRET_KEY_FILE=new.key lead secrets rotate --old-key-file old.key

    Each secret is read with the current key, then LEAD_SECRET_KEY_OLD, then each
    --old-key-file, and written back encrypted with the current key only. Accounts paused
    because their secret could not be read resume at once; the old key is not needed after.
    """
    old: list[str] = []
    for path in old_key_file or []:
        try:
            old.append(path.read_text(encoding="utf-8").strip())
        except OSError as exc:
            fail(f"--old-key-file {path}: {exc.strerror}")
    store = STATE.open()
    secrets = Secrets.from_settings(store.settings, old)
    with store.transaction() as session:
        done = rotate_secrets(session, secrets)
    console.print(f"Re-encrypted {done.rotated} account secret(s) with the current key.")
    if done.resumed:
        console.print(f"Resumed {len(done.resumed)} paused account(s); their posts are queued.")
    if done.unreadable:
        ids = ", ".join(f"#{n}" for n in done.unreadable)
        console.print(
            f"{len(done.unreadable)} account(s) ({ids}) could not be read with any key given: "
            "give the key they were saved with (--old-key-file), or connect them again.",
            highlight=False,
        )
        raise typer.Exit(1)

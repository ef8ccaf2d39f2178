"""The `lead` command: a thin Typer layer over the services."""

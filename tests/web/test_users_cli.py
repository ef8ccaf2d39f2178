"""`lead users`: accounts and tokens from the terminal, for the web app and the API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.testclient import TestClient
from typer.testing import CliRunner

from takethelead.cli.app import app as lead_app
from tests.web.conftest import PASSWORD

runner = CliRunner()


def lead(env: dict[str, str | None], *args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(lead_app, list(args), env=env, input=input)
    return result.exit_code, result.output


def test_users_are_added_listed_and_given_a_token_that_the_api_accepts(
    cli_env: dict[str, str | None], tmp_path: Path, app: FastAPI
) -> None:
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    code, out = lead(cli_env, "users", "add", "ana@example.org", "--workspace", "A",
                     "--password-file", str(secret))  # fmt: skip
    assert code == 0 and "ana@example.org is now owner of A" in out
    code, out = lead(cli_env, "users", "add", "carla@example.org", "--workspace", "A",
                     "--role", "member", input=f"{PASSWORD}\n{PASSWORD}\n")  # fmt: skip
    assert code == 0, out
    code, out = lead(cli_env, "users", "list")
    assert "carla@example.org" in out and "member" in out
    code, token = lead(cli_env, "users", "token", "carla@example.org", "--name", "laptop")
    assert code == 0 and token.startswith("ttl_")
    client = TestClient(app, headers={"Authorization": f"Bearer {token.strip()}"})
    assert client.get("/api/people").status_code == 200
    assert client.post("/api/people", json={"full_name": "Nope"}).status_code == 403


def test_a_member_of_a_missing_workspace_and_a_bad_role_are_refused(
    cli_env: dict[str, str | None], tmp_path: Path
) -> None:
    secret = tmp_path / "password"
    secret.write_text(PASSWORD)
    code, out = lead(cli_env, "users", "add", "x@example.org", "--workspace", "Nowhere",
                     "--role", "member", "--password-file", str(secret))  # fmt: skip
    assert code == 1 and "no such workspace" in out
    code, out = lead(cli_env, "users", "add", "x@example.org", "--role", "admin",
                     "--password-file", str(secret))  # fmt: skip
    assert code == 1 and "expected owner or member" in out

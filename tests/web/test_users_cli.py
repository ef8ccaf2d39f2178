"""`lead users`: accounts and tokens from the terminal, for the web app and the API."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from starlette.testclient import TestClient
from typer.testing import CliRunner

from takethelead.cli.app import app as lead_app
from tests.web.conftest import PASSWORD, csrf_of, sign_in

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


def test_adding_an_existing_user_says_so_and_leaves_their_password_alone(
    cli_env: dict[str, str | None], tmp_path: Path, app: FastAPI
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.write_text(PASSWORD)
    second.write_text("a password someone else chose")
    code, out = lead(cli_env, "users", "add", "ana@example.org", "--workspace", "A",
                     "--password-file", str(first))  # fmt: skip
    assert code == 0, out
    code, out = lead(cli_env, "users", "add", "ana@example.org", "--workspace", "gamma",
                     "--password-file", str(second))  # fmt: skip
    assert code == 0, out
    assert "ana@example.org has an account already" in out
    assert "password unchanged" in out and "ana@example.org is now owner of gamma" in out
    assert sign_in(app, "ana@example.org", PASSWORD)
    refused = TestClient(app)
    csrf = csrf_of(refused.get("/login").text)
    answer = refused.post("/login", data={"email": "ana@example.org", "csrf_token": csrf,
                                          "password": "a password someone else chose"})  # fmt: skip
    assert answer.status_code == 401


def test_reset_password_gives_an_existing_user_a_new_one_and_ends_their_tokens(
    cli_env: dict[str, str | None], tmp_path: Path, app: FastAPI
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.write_text(PASSWORD)
    second.write_text("the new password, reset")
    lead(cli_env, "users", "add", "ana@example.org", "--workspace", "A", "--password-file",
         str(first))  # fmt: skip
    _, token = lead(cli_env, "users", "token", "ana@example.org", "--name", "laptop")
    code, out = lead(cli_env, "users", "add", "ana@example.org", "--workspace", "A",
                     "--reset-password", "--password-file", str(second))  # fmt: skip
    assert code == 0, out
    assert "a new password (their API tokens ended)" in out
    assert sign_in(app, "ana@example.org", "the new password, reset")
    client = TestClient(app, headers={"Authorization": f"Bearer {token.strip()}"})
    assert client.get("/api/people").status_code == 401


def test_invite_prints_a_link_once_and_invitations_lists_what_is_open(
    cli_env: dict[str, str | None], tmp_path: Path, app: FastAPI
) -> None:
    secret = tmp_path / "password"
    secret.write_text(PASSWORD)
    lead(cli_env, "users", "add", "ana@example.org", "--workspace", "A", "--password-file",
         str(secret))  # fmt: skip
    code, out = lead(cli_env, "users", "invite", "Dora@Example.org", "--workspace", "A",
                     "--role", "member", "--base-url", "https://lead.example.org/")  # fmt: skip
    assert code == 0, out
    (link,) = re.findall(r"https://lead\.example\.org/invite/\S+", out)
    code, out = lead(cli_env, "users", "invitations")
    assert "dora@example.org" in out and "administrator" in out
    assert link.rsplit("/", 1)[1] not in out
    path = link.removeprefix("https://lead.example.org")
    stranger = TestClient(app, follow_redirects=False)
    csrf = csrf_of(stranger.get(path).text)
    joined = stranger.post(path, data={"password": PASSWORD, "again": PASSWORD, "csrf_token": csrf})
    assert joined.status_code == 303
    code, out = lead(cli_env, "users", "invitations")
    assert "No open invitations" in out
    # An account made through a link is not added elsewhere as it is: whoever opened the link
    # (an owner of A, perhaps) chose its password.
    code, out = lead(cli_env, "users", "add", "dora@example.org", "--workspace", "gamma")
    assert code == 1, out
    assert "through an invitation link to 'A' from an administrator" in out
    assert "--reset-password" in out and "--keep-password" in out
    code, out = lead(cli_env, "users", "list")
    assert "gamma" not in out
    code, out = lead(cli_env, "users", "add", "dora@example.org", "--workspace", "gamma",
                     "--keep-password")  # fmt: skip
    assert code == 0, out
    assert "password unchanged" in out and "owner of gamma" in out
    code, out = lead(cli_env, "users", "invite", "x@example.org", "--workspace", "Nowhere")
    assert code == 1 and "no workspace named 'Nowhere'" in out

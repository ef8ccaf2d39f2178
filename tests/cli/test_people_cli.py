"""The `lead` command as a user types it, on a real SQLite file (or PostgreSQL in CI)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from takethelead.cli.app import app

runner = CliRunner()


def lead(env: dict[str, str | None], *args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env, input=input)
    return result.exit_code, result.output


def test_people_can_be_added_listed_shown_and_searched(cli_env: dict[str, str | None]) -> None:
    code, out = lead(
        cli_env,
        "people",
        "add",
        "Ana Díaz",
        "-i",
        "ana@example.org",
        "--company",
        "Acme",
        "--offer",
        "payroll bookkeeping",
        "-t",
        "client",
    )
    assert code == 0, out
    assert "Added #" in out
    code, out = lead(cli_env, "people", "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [p["full_name"] for p in listed] == ["Ana Díaz"]
    assert listed[0]["tags"] == ["client"]
    code, out = lead(cli_env, "people", "search", "DIAZ", "--json")
    assert [p["full_name"] for p in json.loads(out)] == ["Ana Díaz"]
    code, out = lead(cli_env, "people", "show", "ana@example.org", "--json")
    shown = json.loads(out)
    assert shown["offer"] == "payroll bookkeeping"
    assert shown["identities"] == [
        {"kind": "email", "value": "ana@example.org", "display": "ana@example.org"}
    ]


def test_a_touch_is_logged_in_one_line(cli_env: dict[str, str | None]) -> None:
    lead(cli_env, "people", "add", "Ana Díaz")
    code, out = lead(
        cli_env,
        "log",
        "coffee with Ana Díaz",
        "--kind",
        "meeting",
        "--minutes",
        "45",
        "--network",
        "in-person",
        "--when",
        "2025-03-01 10:00",
    )
    assert code == 0, out
    code, out = lead(cli_env, "people", "show", "Ana Díaz", "--json")
    timeline = json.loads(out)["timeline"]
    assert len(timeline) == 1
    assert timeline[0]["kind"] == "meeting"
    assert timeline[0]["minutes"] == 45
    assert timeline[0]["occurred_at"].startswith("2025-03-01")


def test_an_ambiguous_touch_fails_clearly_when_nobody_can_answer(
    cli_env: dict[str, str | None],
) -> None:
    lead(cli_env, "people", "add", "Ana Díaz")
    lead(cli_env, "people", "add", "Bruno Díaz")
    code, out = lead(cli_env, "log", "call with Díaz", "--kind", "call")
    assert code == 1
    assert "matches several people" in out
    assert "Ana Díaz" in out and "Bruno Díaz" in out
    code, out = lead(cli_env, "people", "show", "Ana Díaz", "--json")
    assert json.loads(out)["interactions"] == 0


def test_an_unknown_kind_names_the_accepted_ones(cli_env: dict[str, str | None]) -> None:
    lead(cli_env, "people", "add", "Ana Díaz")
    code, out = lead(cli_env, "log", "coffee with Ana", "--kind", "brunch")
    assert code == 1
    assert "expected one of meeting, call" in out


def test_people_are_edited_tagged_and_removed(cli_env: dict[str, str | None]) -> None:
    lead(cli_env, "people", "add", "Ana Díaz")
    assert lead(cli_env, "people", "edit", "Ana", "--title", "CFO", "--distrusted")[0] == 0
    code, out = lead(cli_env, "people", "tag", "Ana", "vip", "client")
    assert "client, vip" in out
    lead(cli_env, "people", "tag", "Ana", "--remove", "vip")
    shown = json.loads(lead(cli_env, "people", "show", "Ana", "--json")[1])
    assert (shown["title"], shown["distrusted"], shown["tags"]) == ("CFO", True, ["client"])
    code, out = lead(cli_env, "people", "rm", "Ana", "--yes")
    assert code == 0
    assert json.loads(lead(cli_env, "people", "list", "--json")[1]) == []


def test_markup_in_a_name_is_printed_not_interpreted(cli_env: dict[str, str | None]) -> None:
    lead(cli_env, "people", "add", "[bold]Eve[/bold] <script>")
    code, out = lead(cli_env, "people", "list")
    assert code == 0
    assert "[bold]Eve[/bold] <script>" in out


def test_networks_are_added_and_listed(cli_env: dict[str, str | None]) -> None:
    assert lead(cli_env, "networks", "add", "BNI Lisbon", "--kind", "in-person")[0] == 0
    code, out = lead(cli_env, "networks", "add", "Weird", "--kind", "myspace")
    assert code == 1 and "expected one of linkedin" in out
    listed = json.loads(lead(cli_env, "networks", "list", "--json")[1])
    assert [(n["name"], n["kind"]) for n in listed] == [("BNI Lisbon", "in-person")]


def test_workspaces_are_chosen_with_an_option(cli_env: dict[str, str | None]) -> None:
    lead(cli_env, "--workspace", "club", "people", "add", "Ana Díaz")
    assert json.loads(lead(cli_env, "people", "list", "--json")[1]) == []
    club = json.loads(lead(cli_env, "-w", "club", "people", "list", "--json")[1])
    assert [p["full_name"] for p in club] == ["Ana Díaz"]


def test_a_duplicate_is_merged_from_the_command_line(cli_env: dict[str, str | None]) -> None:
    lead(cli_env, "people", "add", "Robert Smith", "-i", "https://www.linkedin.com/in/rsmith")
    lead(cli_env, "people", "add", "Bob Smith", "-i", "bob@smith.example")
    code, out = lead(cli_env, "people", "merge", "Robert Smith", "Bob Smith", "--yes")
    assert code == 0, out
    assert "Merged Bob Smith into" in out
    listed = json.loads(lead(cli_env, "people", "list", "--json")[1])
    assert [p["full_name"] for p in listed] == ["Robert Smith"]
    code, out = lead(cli_env, "people", "merge", "Robert Smith", "Robert Smith", "--yes")
    assert code == 1 and "two different people" in out

"""`lead demo` and `lead export`: a realistic workspace and the ways out of it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from takethelead.cli.app import app

runner = CliRunner()


def lead(env: dict[str, str | None], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_the_demo_builds_a_realistic_workspace_and_shows_it(cli_env: dict[str, str | None]) -> None:
    code, out = lead(cli_env, "demo")
    assert code == 0, out
    assert "300 people" in out
    people = json.loads(
        lead(cli_env, "-w", "demo", "people", "list", "--limit", "1000", "--json")[1]
    )
    assert len(people) == 300
    assert sum(p["interactions"] for p in people) >= 6000
    assert json.loads(lead(cli_env, "people", "list", "--json")[1]) == []


def test_the_demo_is_the_same_for_the_same_seed(cli_env: dict[str, str | None]) -> None:
    lead(cli_env, "demo", "--people", "40", "--interactions", "400")
    first = lead(cli_env, "-w", "demo", "people", "list", "--limit", "100", "--json")[1]
    lead(cli_env, "demo", "--people", "40", "--interactions", "400")
    again = lead(cli_env, "-w", "demo", "people", "list", "--limit", "100", "--json")[1]
    strip = lambda out: [(p["full_name"], p["interactions"]) for p in json.loads(out)]  # noqa: E731
    assert strip(first) == strip(again)


def test_the_demo_never_replaces_a_workspace_with_real_data(cli_env: dict[str, str | None]) -> None:
    lead(cli_env, "-w", "mine", "people", "add", "Ana Díaz")
    code, out = lead(cli_env, "-w", "mine", "demo")
    assert code == 1
    assert "not a demo" in out
    assert len(json.loads(lead(cli_env, "-w", "mine", "people", "list", "--json")[1])) == 1


def test_a_json_export_round_trips_through_import(
    cli_env: dict[str, str | None], tmp_path: Path
) -> None:
    lead(cli_env, "demo", "--people", "30", "--interactions", "200")
    target = tmp_path / "export.json"
    code, out = lead(cli_env, "-w", "demo", "export", "--format", "json", "-o", str(target))
    assert code == 0, out
    code, out = lead(cli_env, "-w", "copy", "import", str(target), "--json")
    assert code == 0, out
    summary = json.loads(out)
    assert summary["people"]["created"] == 31  # 30 people and the owner
    assert summary["interactions"]["created"] >= 200
    original = json.loads(
        lead(cli_env, "-w", "demo", "people", "list", "--limit", "99", "--json")[1]
    )
    copied = json.loads(lead(cli_env, "-w", "copy", "people", "list", "--limit", "99", "--json")[1])
    assert [(p["full_name"], p["interactions"]) for p in original] == [
        (p["full_name"], p["interactions"]) for p in copied
    ]
    again = json.loads(lead(cli_env, "-w", "copy", "import", str(target), "--json")[1])
    assert again["people"]["created"] == 0
    assert again["interactions"]["created"] == 0


def test_a_csv_export_neutralises_formulas(cli_env: dict[str, str | None], tmp_path: Path) -> None:
    lead(cli_env, "people", "add", '=HYPERLINK("http://evil")', "--notes", "+1 call me")
    target = tmp_path / "people.csv"
    assert lead(cli_env, "export", "--format", "csv", "-o", str(target))[0] == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0]["Name"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["Notes"] == "'+1 call me"


def test_a_vcard_export_is_version_4_with_folded_lines(
    cli_env: dict[str, str | None], tmp_path: Path
) -> None:
    lead(
        cli_env,
        "people",
        "add",
        "Ana Díaz",
        "-i",
        "ana@example.org",
        "--company",
        "Acme; Co",
        "--notes",
        "x" * 200,
    )
    target = tmp_path / "people.vcf"
    assert lead(cli_env, "export", "--format", "vcard", "-o", str(target))[0] == 0
    raw = target.read_bytes()
    text = raw.decode("utf-8")
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana Díaz\r\n")
    assert "ORG:Acme\\; Co\r\n" in text
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert "EMAIL:ana@example.org" in text


def test_an_unknown_export_format_is_refused(
    cli_env: dict[str, str | None], tmp_path: Path
) -> None:
    target = tmp_path / "x.out"
    code, out = lead(cli_env, "export", "--format", "xml", "-o", str(target))
    assert code == 1 and "expected json, csv or vcard" in out
    assert not target.exists()

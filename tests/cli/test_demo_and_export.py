"""`lead demo` and `lead export`: a realistic workspace and the ways out of it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from takethelead.cli.app import app
from takethelead.config import Settings
from takethelead.services.core.store import Store, workspace_id
from takethelead.storage.tables import Base, PlanAction

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

    def strip(out: str) -> list[tuple[str, int]]:
        return [(p["full_name"], p["interactions"]) for p in json.loads(out)]

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


def _counts(store: Store, workspace: str) -> dict[str, int]:
    with store.transaction() as session:
        ws = workspace_id(session, workspace, create=False)
        return {
            t.name: int(
                session.scalar(select(func.count()).select_from(t).where(t.c.workspace_id == ws))
                or 0
            )
            for t in Base.metadata.sorted_tables
            if "workspace_id" in t.c
        }


def test_a_json_export_keeps_posts_slots_plans_leads_referrals_ties_and_users(
    cli_env: dict[str, str | None], store: Store, tmp_path: Path
) -> None:
    lead(cli_env, "demo", "--people", "30", "--interactions", "200")
    steps = [
        ("post", "Office hours", "--to", "linkedin", "--at", "tomorrow 9:00", "--every", "7d"),
        ("post", "An idea", "--to", "x", "--draft"),
        ("slots", "linkedin", "tue 08:30"),
        ("plan",),
        ("done", "1", "--outcome", "responded"),
        ("skip", "2"),
    ]
    for step in steps:
        code, out = lead(cli_env, "-w", "demo", *step)
        assert code == 0, (step, out)
    password = tmp_path / "password"
    password.write_text("a long enough password\n")
    add = ["users", "add", "ana@example.org", "--workspace", "demo"]
    code, out = lead(cli_env, *add, "--password-file", str(password))
    assert code == 0, out
    target = tmp_path / "export.json"
    assert lead(cli_env, "-w", "demo", "export", "-o", str(target))[0] == 0
    code, out = lead(cli_env, "-w", "copy", "import", str(target))
    assert code == 0, out
    before, after = _counts(store, "demo"), _counts(store, "copy")
    for table in ("post", "delivery", "posting_slot", "plan", "plan_action", "lead", "referral"):
        assert after[table] == before[table] > 0, table
    for table in ("ledger_entry", "tie", "membership"):
        assert after[table] == before[table] > 0, table
    with store.transaction() as session:
        copy = workspace_id(session, "copy", create=False)
        outcomes = session.execute(
            select(PlanAction.status, func.count())
            .where(PlanAction.workspace_id == copy, PlanAction.status != "open")
            .group_by(PlanAction.status)
        ).all()
    assert sorted(outcomes) == [("done", 1), ("skipped", 1)]


def test_backup_and_restore_from_the_command_line(
    cli_env: dict[str, str | None], settings: Settings, tmp_path: Path
) -> None:
    lead(cli_env, "demo", "--people", "20", "--interactions", "100")
    archive = tmp_path / "lead.backup"
    code, out = lead(cli_env, "backup", str(archive))
    assert code == 0, out
    assert f"to {archive}" in out.replace("\n", " ")
    code, out = lead(cli_env, "restore", str(archive))
    assert code == 1 and "already holds data" in out and "--force" in out
    if settings.is_sqlite:  # PostgreSQL restores are tested in tests/integration/test_backup.py
        fresh = {**cli_env, "LEAD_DATA_DIR": str(tmp_path / "fresh"), "DATABASE_URL": None}
        code, out = lead(fresh, "restore", str(archive))
        assert code == 0, out
        exported = [lead(env, "-w", "demo", "export")[1] for env in (cli_env, fresh)]
        assert exported[0] == exported[1]

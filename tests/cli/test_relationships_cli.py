"""`lead strength`, `rate`, `due`, `cadence`, `fading`, `knows`, `ledger`, `report` and the
relationship lines of `lead people show`, on the demo workspace."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select
from typer.testing import CliRunner

from takethelead.cli.app import app
from takethelead.cli.report import sparkline
from takethelead.config import Settings
from takethelead.services.core.store import Store
from takethelead.storage.tables import LedgerEntry, Person, Tie

runner = CliRunner()
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
Env = dict[str, str | None]


def lead(env: Env, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def lead_json(env: Env, *args: str) -> Any:
    code, out = lead(env, *args, "--json")
    assert code == 0, out
    return json.loads(out)


@pytest.fixture
def demo(cli_env: Env) -> Iterator[Env]:
    """A small demo workspace at a fixed moment, selected for every command."""
    with time_machine.travel(NOW, tick=False):
        code, out = lead(cli_env, "demo", "--people", "60", "--interactions", "1200")
        assert code == 0, out
        yield {**cli_env, "LEAD_WORKSPACE": "demo"}


def some(env: Env, n: int) -> list[str]:
    """`#id` references to n demo people (ids differ between databases)."""
    ranked = lead_json(env, "strength", "--limit", "60")["people"]
    return [f"#{p['person_id']}" for p in ranked[10 : 10 + n]]


def scalar(settings: Settings, statement: Any) -> Any:
    store = Store.open(settings, migrate=False)
    try:
        with store.transaction() as session:
            return session.scalar(statement)
    finally:
        store.close()


def test_everyone_is_listed_strongest_first_with_the_reason(demo: Env) -> None:
    found = lead_json(demo, "strength", "--limit", "5")
    scores = [p["score"] for p in found["people"]]
    assert len(scores) == 5 and scores == sorted(scores, reverse=True)
    assert found["total"] == 60 and sum(found["by_label"].values()) == 60
    assert all(p["why"].startswith(("last two-way contact", "no ")) for p in found["people"])
    code, out = lead(demo, "strength", "--limit", "3")
    assert code == 0 and "60 people:" in out and "(default weights)" in out


def test_one_strength_shows_score_label_and_sentence(demo: Env) -> None:
    top = lead_json(demo, "strength", "--limit", "1")["people"][0]
    code, out = lead(demo, "strength", f"#{top['person_id']}")
    assert code == 0, out
    assert f"{top['score']:.2f} {top['label']} — {top['why'][:40]}" in out.replace("\n", " ")
    one = lead_json(demo, "strength", f"#{top['person_id']}")
    assert one["score"] == pytest.approx(top["score"]) and one["why"] == top["why"]


def test_an_unknown_person_is_one_error_line(demo: Env) -> None:
    code, out = lead(demo, "strength", "Zzyzx Qwerty")
    assert code == 1 and out.strip().startswith("error: nobody matches 'Zzyzx Qwerty'")
    assert len(out.strip().splitlines()) == 1


def test_a_rating_of_seven_is_refused_and_nothing_is_written(demo: Env, settings: Settings) -> None:
    (person,) = some(demo, 1)
    code, out = lead(demo, "rate", person, "7")
    assert code == 1
    assert out.strip() == "error: rating 7: expected a whole number from 1 to 5"
    rated = select(func.count()).select_from(Person).where(Person.closeness.is_not(None))
    assert scalar(settings, rated) == 0


def test_the_model_asks_for_more_ratings_then_fits_and_reports_accuracy(demo: Env) -> None:
    code, out = lead(demo, "strength", "--model")
    assert code == 0 and "0 closeness ratings so far: rate 20 more people" in out
    ranked = lead_json(demo, "strength", "--limit", "60")["people"]
    # Rate like a person would: the ties with the most going on feel closest.
    for position, person in enumerate(ranked[:24]):
        rating = 5 - position * 5 // 24
        code, out = lead(demo, "rate", f"#{person['person_id']}", str(rating))
        assert code == 0, out
    assert "24 people rated; enough to fit the weights" in out
    report = lead_json(demo, "strength", "--model")
    assert report["ratings"] == 24 and report["needed"] == 0 and report["folds"] == 5
    assert 0.0 <= report["fitted_accuracy"] <= 1.0 and 0.0 <= report["default_accuracy"] <= 1.0
    in_use = lead_json(demo, "strength", "--limit", "1")
    assert in_use["weights"] == report["in_use"]
    code, out = lead(demo, "strength", "--model")
    assert "Fitted to 24 ratings, checked by 5-fold cross-validation" in out
    assert "strong/weak accuracy" in out


def test_due_lists_overdue_people_most_important_first(demo: Env) -> None:
    found = lead_json(demo, "due", "--limit", "100")
    assert found["total"] == len(found["people"]) > 0
    codes = [p["layer_code"] for p in found["people"]]
    assert codes == sorted(codes)
    assert all(p["overdue_days"] is None or p["overdue_days"] > 0 for p in found["people"])
    code, out = lead(demo, "due", "--limit", "3")
    assert code == 0 and f"{found['total']} overdue" in out and "Rhythm" in out


def test_a_cadence_of_never_takes_someone_off_the_due_list(demo: Env) -> None:
    first = lead_json(demo, "due")["people"][0]
    code, out = lead(demo, "cadence", f"#{first['person_id']}", "never")
    assert code == 0 and "keep in touch never (no reminders)" in out
    ids = [p["person_id"] for p in lead_json(demo, "due", "--limit", "100")["people"]]
    assert first["person_id"] not in ids
    code, out = lead(demo, "cadence", f"#{first['person_id']}", "monthly")
    assert code == 0 and "keep in touch monthly." in out


def test_an_unknown_cadence_word_is_refused_by_name(demo: Env, settings: Settings) -> None:
    (person,) = some(demo, 1)
    code, out = lead(demo, "cadence", person, "sometimes")
    assert code == 1 and out.startswith("error: cadence 'sometimes': expected weekly")
    cadence = select(Person.cadence_days).where(Person.id == int(person[1:]))
    assert scalar(settings, cadence) is None


def test_fading_lists_ties_losing_strength_and_weak_bridges(demo: Env) -> None:
    found = lead_json(demo, "fading", "--days", "90")
    assert found["days"] == 90 and found["fading"]
    drops = [f["drop"] for f in found["fading"]]
    assert drops == sorted(drops, reverse=True) and min(drops) >= 0.05
    assert found["known_ties"] > 0
    assert all(0.05 <= b["strength"]["score"] < 0.6 for b in found["bridges"])
    code, out = lead(demo, "fading")
    assert code == 0 and "Losing strength over the last 90 days" in out


def test_knows_records_a_tie_and_infer_keeps_it(demo: Env, settings: Settings) -> None:
    first, second = some(demo, 2)
    tie = lead_json(demo, "knows", first, second, "--trust", "0.8")
    assert (tie["trust"], tie["source"]) == (0.8, "manual")
    inferred = lead_json(demo, "knows", "--infer")
    assert inferred["manual_ties"] >= 1
    manual = select(Tie.trust).where(
        Tie.person_a == min(tie["person_a"], tie["person_b"]),
        Tie.person_b == max(tie["person_a"], tie["person_b"]),
        Tie.source == "manual",
    )
    assert scalar(settings, manual) == 0.8
    code, out = lead(demo, "knows", first)
    assert code == 1 and "knows: expected two people" in out
    code, out = lead(demo, "knows", first, second, "--trust", "2")
    assert code == 1 and "trust: expected a number above 0 and at most 1" in out


def test_the_ledger_is_written_read_and_shows_one_sided_relationships(
    demo: Env, settings: Settings
) -> None:
    (person,) = some(demo, 1)
    pid = int(person[1:])
    before = scalar(settings, select(func.count()).select_from(LedgerEntry))
    for _ in range(3):
        code, out = lead(
            demo,
            "ledger",
            "add",
            person,
            "--gave",
            "referral",
            "--value",
            "1200",
            "--note",
            "web client",
            "--when",
            "2026-02-01",
        )
        assert code == 0, out
    assert "Noted: you gave" in out and "a referral worth 1,200 on 2026-02-01" in out
    mine = lead_json(demo, "ledger", person)
    assert mine["standing"]["given"] >= 3 and mine["standing"]["value_given"] >= 3600
    sides = lead_json(demo, "ledger")
    assert pid in [s["person_id"] for s in sides["you_give"]]
    assert sides["you_take"], "the demo has people who keep giving"
    code, out = lead(demo, "ledger")
    assert "You always give, they have not given back" in out
    assert "They always give, you have not given back" in out
    code, out = lead(demo, "ledger", "add", person, "--gave", "gift")
    assert code == 1 and "kind 'gift': expected referral, introduction or favour" in out
    code, out = lead(demo, "ledger", "add", person, "--gave", "favour", "--when", "yesterday")
    assert code == 1 and "--when 'yesterday': expected YYYY-MM-DD" in out
    code, out = lead(demo, "ledger", "add", person, "--gave", "favour", "--received", "favour")
    assert code == 1 and "one of --gave KIND or --received KIND" in out
    assert scalar(settings, select(func.count()).select_from(LedgerEntry)) == before + 3


def test_the_report_shows_sparklines_and_a_year_of_months(demo: Env) -> None:
    found = lead_json(demo, "report")
    assert len(found["months"]) == 13 and found["now"] == found["months"][-1]
    assert found["now"]["strong_ties"] > 0 and found["now"]["two_hop_reach"] > 0
    code, out = lead(demo, "report")
    assert code == 0 and "Strong ties" in out and "Dunbar layers: support clique" in out
    assert any(ch in out for ch in "▁▂▃▄▅▆▇█")


@pytest.mark.parametrize("name", ["network.png", "network.svg"])
def test_the_report_draws_a_chart_file(demo: Env, tmp_path: Path, name: str) -> None:
    code, out = lead(demo, "report", "--chart", str(tmp_path / name))
    assert code == 0, out
    data = (tmp_path / name).read_bytes()
    if name.endswith(".png"):
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
    else:
        assert b"<svg" in data[:1000]
    assert "Chart written to" in out


def test_a_chart_with_another_suffix_is_refused_and_no_file_is_left(
    demo: Env, tmp_path: Path
) -> None:
    code, out = lead(demo, "report", "--chart", str(tmp_path / "network.jpg"))
    assert code == 1 and "expected a file name ending in .png or .svg" in out
    assert not (tmp_path / "network.jpg").exists()


def test_people_show_includes_strength_layer_cadence_and_the_ledger(demo: Env) -> None:
    (person,) = some(demo, 1)
    code, out = lead(demo, "people", "show", person, "--timeline", "1")
    assert code == 0, out
    assert "Strength: " in out and "Layer: " in out and "keep in touch" in out
    assert "Give and take:" in out
    shown = lead_json(demo, "people", "show", person, "--timeline", "1")
    relationship = shown["extra"]["relationship"]
    assert relationship["strength"]["person_id"] == int(person[1:])
    assert set(relationship) >= {"layer", "cadence_days", "overdue_days", "ledger"}


def test_sparklines_span_lowest_to_highest_and_leave_gaps_blank() -> None:
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert sparkline([3, None, 3]) == "▁ ▁"
    assert sparkline([]) == ""

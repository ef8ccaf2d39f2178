"""`lead settings`: the preferences shown, changed, refused when wrong, and used by the plan."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path

from icalendar import Calendar

from tests.cli.test_plan_cli import demo, lead

__all__ = ["demo"]


def test_defaults_are_shown_until_changed(demo: dict[str, str | None]) -> None:
    code, out = lead(demo, "settings", "--json")
    assert code == 0, out
    assert json.loads(out) == {
        "budget_minutes": 150,
        "preferred_hours": "mon-fri 08:00-09:00,12:30-13:30",
        "digest_email": None,
    }


def test_changed_preferences_are_kept_and_the_calendar_uses_the_hours(
    demo: dict[str, str | None], tmp_path: Path
) -> None:
    code, out = lead(
        demo, "settings", "--budget", "1h", "--hours", "Tue,Thu  18:00-19:30",
        "--digest-email", "me@example.org",
    )  # fmt: skip
    assert code == 0, out
    assert "Preferred hours:    tue,thu 18:00-19:30" in out
    assert "60 minutes" in out and "me@example.org" in out
    target = tmp_path / "week.ics"
    code, out = lead(demo, "plan", "--new", "--ics", str(target))
    assert code == 0, out
    events = list(Calendar.from_ical(target.read_bytes()).walk("VEVENT"))
    assert events
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start.weekday() in (1, 3)
        assert time(18, 0) <= start.time() and end.time() <= time(19, 30)
    assert json.loads(lead(demo, "plan", "--json")[1])["budget_minutes"] == 60


def test_a_bad_value_names_its_field_and_changes_nothing(demo: dict[str, str | None]) -> None:
    code, out = lead(demo, "settings", "--budget", "90", "--hours", "someday 25:00-26:00")
    assert code != 0
    assert "preferred_hours 'someday 25:00-26:00'" in out
    code, out = lead(demo, "settings", "--digest-email", "not an address")
    assert code != 0 and "digest_email" in out
    assert json.loads(lead(demo, "settings", "--json")[1])["budget_minutes"] == 150

"""iCalendar: meetings with every other participant, time zones, all-day and recurring events."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from takethelead.domain.records import Direction, InteractionKind, OwnerHints
from takethelead.importers.icalrecurrence import OCCURRENCE_CAP
from tests.importers.conftest import Run, run

MAYA = OwnerHints(emails=frozenset({"maya@lead.example"}))


def test_events_become_mutual_meetings_with_each_other_participant(parse_fixture: Run) -> None:
    parsed = parse_fixture("icalendar", "ical/calendar.ics")
    assert len(parsed.interactions) == 6
    assert [p.full_name for p in parsed.people] == ["Díaz, Ana", "Bob O'Neil", "Carl Chen"]
    assert all(i.kind is InteractionKind.MEETING for i in parsed.interactions)
    assert all(i.direction is Direction.MUTUAL for i in parsed.interactions)
    coffee = parsed.interactions[0]
    assert coffee.counterpart_name == "Díaz, Ana"
    assert coffee.occurred_at == datetime(2024, 3, 10, 8, 0, tzinfo=UTC)
    assert coffee.minutes == 60
    assert coffee.summary == "Coffee <b>chat</b>, Madrid"
    assert coffee.external_id == "e1@google.com/2024-03-10T08:00:00+00:00/ana@acme.example"


def test_all_day_events_start_at_midnight_utc_without_minutes(parse_fixture: Run) -> None:
    fair = parse_fixture("icalendar", "ical/calendar.ics").interactions[1]
    assert fair.occurred_at == datetime(2024, 3, 20, tzinfo=UTC)
    assert fair.minutes is None


def test_recurrences_expand_without_excluded_and_moved_occurrences(parse_fixture: Run) -> None:
    parsed = parse_fixture("icalendar", "ical/calendar.ics", MAYA)
    carl = [i for i in parsed.interactions if i.counterpart_name == "Carl Chen"]
    assert [(i.occurred_at.date().isoformat(), i.minutes) for i in carl] == [
        ("2024-04-10", 30),
        ("2024-04-01", 30),
        ("2024-04-22", 30),
        ("2024-04-29", 30),
    ]
    assert len({i.external_id for i in parsed.interactions}) == len(parsed.interactions)


def test_cancelled_private_and_declined_events_are_skipped(parse_fixture: Run) -> None:
    parsed = parse_fixture("icalendar", "ical/calendar.ics")
    assert [s.reason for s in parsed.skipped] == [
        "cancelled event",
        "event with no one but the owner",
        "event the owner declined",
    ]


def test_a_zone_defined_only_in_the_file_converts_to_utc(parse_fixture: Run) -> None:
    parsed = parse_fixture("icalendar", "ical/outlook.ics", MAYA)
    (meeting,) = parsed.interactions
    assert meeting.occurred_at == datetime(2024, 7, 15, 18, 0, tzinfo=UTC)
    assert meeting.counterpart_name == "Eve Stone"


def test_without_a_clear_owner_every_participant_is_a_counterpart(parse_fixture: Run) -> None:
    parsed = parse_fixture("icalendar", "ical/outlook.ics")
    assert {i.counterpart[0].value for i in parsed.interactions} == {
        "eve@stone.example",
        "maya@lead.example",
    }


def test_unbounded_recurrences_stop_at_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "daily.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:d1\n"
        "DTSTART;TZID=America/New_York:20240101T090000\nDURATION:PT15M\nRRULE:FREQ=DAILY\n"
        "ATTENDEE:mailto:bob@example.com\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    parsed = run("icalendar", path, MAYA)
    assert len(parsed.interactions) == OCCURRENCE_CAP
    starts = [i.occurred_at for i in parsed.interactions]
    # 09:00 in New York stays 09:00 local across the DST change in March.
    assert starts[0] == datetime(2024, 1, 1, 14, 0, tzinfo=UTC)
    assert starts[-1] == datetime(2024, 7, 18, 13, 0, tzinfo=UTC)


def test_recurrences_stop_a_year_after_the_latest_single_event(tmp_path: Path) -> None:
    path = tmp_path / "weekly.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\n"
        "BEGIN:VEVENT\nUID:w1\nDTSTART;VALUE=DATE:20200106\nRRULE:FREQ=MONTHLY;UNTIL=20300101\n"
        "ATTENDEE:mailto:bob@example.com\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:s1\nDTSTART:20200301T100000Z\n"
        "ATTENDEE:mailto:bob@example.com\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    parsed = run("icalendar", path, MAYA)
    monthly = [i for i in parsed.interactions if i.external_id.startswith("w1/")]
    assert monthly[0].occurred_at == datetime(2020, 1, 6, tzinfo=UTC)
    assert monthly[-1].occurred_at == datetime(2021, 2, 6, tzinfo=UTC)
    assert len(monthly) == 14


def test_a_recurrence_period_in_rdate_is_a_meeting_at_the_period_start(tmp_path: Path) -> None:
    path = tmp_path / "periods.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:p1\n"
        "DTSTART:20240105T100000Z\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;COUNT=2\n"
        "RDATE;VALUE=PERIOD:20240120T150000Z/PT2H,20240125T080000Z/20240125T090000Z\n"
        "ATTENDEE:mailto:bob@example.com\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    parsed = run("icalendar", path, MAYA)
    assert [i.occurred_at for i in parsed.interactions] == [
        datetime(2024, 1, 5, 10, 0, tzinfo=UTC),
        datetime(2024, 1, 12, 10, 0, tzinfo=UTC),
        datetime(2024, 1, 20, 15, 0, tzinfo=UTC),
        datetime(2024, 1, 25, 8, 0, tzinfo=UTC),
    ]


def test_an_event_with_only_rdates_meets_on_each_of_them(tmp_path: Path) -> None:
    path = tmp_path / "rdates.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:r1\n"
        "DTSTART:20240105T100000Z\nRDATE:20240110T100000Z,20240117T100000Z\n"
        "ATTENDEE:mailto:bob@example.com\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    parsed = run("icalendar", path, MAYA)
    assert [i.occurred_at.day for i in parsed.interactions] == [5, 10, 17]


def test_a_weekly_meeting_in_a_zone_only_the_file_defines_keeps_its_local_hour(
    tmp_path: Path,
) -> None:
    fixture = (Path(__file__).parent / "fixtures" / "ical" / "outlook.ics").read_text()
    zone = fixture[fixture.index("BEGIN:VTIMEZONE") : fixture.index("END:VTIMEZONE") + 13]
    path = tmp_path / "custom-zone.ics"
    path.write_text(
        f"BEGIN:VCALENDAR\nVERSION:2.0\n{zone}\nBEGIN:VEVENT\nUID:z1\n"
        "DTSTART;TZID=Customized Time Zone:20240301T090000\nRRULE:FREQ=WEEKLY;COUNT=3\n"
        "ATTENDEE:mailto:bob@example.com\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    parsed = run("icalendar", path, MAYA)
    # 09:00 at UTC-5, then at UTC-4 once daylight time starts on 10 March.
    assert [i.occurred_at.hour for i in parsed.interactions] == [14, 14, 13]


def test_an_rdate_before_the_series_start_is_a_meeting_too(tmp_path: Path) -> None:
    path = tmp_path / "early.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:e1\n"
        "DTSTART;VALUE=DATE:20240110\nRRULE:FREQ=DAILY;COUNT=2\nRDATE;VALUE=DATE:20240102\n"
        "ATTENDEE:mailto:bob@example.com\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:f1\nDTSTART:20240110T090000\nRDATE:20240103T090000\n"
        "ATTENDEE:mailto:bob@example.com\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    parsed = run("icalendar", path, MAYA)
    assert sorted((i.external_id[:2], i.occurred_at.day) for i in parsed.interactions) == [
        ("e1", 2),
        ("e1", 10),
        ("e1", 11),
        ("f1", 3),
        ("f1", 10),
    ]


def test_a_series_from_before_1970_expands(tmp_path: Path) -> None:
    path = tmp_path / "old.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:o1\nDTSTART:19600105T100000Z\n"
        "RRULE:FREQ=MONTHLY;COUNT=3\nATTENDEE:mailto:bob@example.com\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    parsed = run("icalendar", path, MAYA)
    assert [i.occurred_at.date().isoformat() for i in parsed.interactions] == [
        "1960-01-05",
        "1960-02-05",
        "1960-03-05",
    ]

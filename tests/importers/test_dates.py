"""Date formats of exports, parsed without the locale."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from takethelead.importers.dates import (
    parse_day_month_year,
    parse_export_datetime,
    parse_twitter_datetime,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 Mar 2024", date(2024, 3, 15)),
        ("5 Sept 2021", date(2021, 9, 5)),
        ("15-Mar-24", date(2024, 3, 15)),
        ("2024-03-15", date(2024, 3, 15)),
        ("31 Feb 2024", None),
        ("15 Foo 2024", None),
        ("yesterday", None),
    ],
)
def test_connected_on_dates_are_read_in_the_formats_linkedin_has_used(
    text: str, expected: date | None
) -> None:
    assert parse_day_month_year(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1/15/24, 2:40 PM", datetime(2024, 1, 15, 14, 40, tzinfo=UTC)),
        ("1/15/24, 12:05 AM", datetime(2024, 1, 15, 0, 5, tzinfo=UTC)),
        ("12/1/2023, 12:30 PM", datetime(2023, 12, 1, 12, 30, tzinfo=UTC)),
        ("3/2/2024, 9:05\u202fAM", datetime(2024, 3, 2, 9, 5, tzinfo=UTC)),
        ("3/2/24 17:45", datetime(2024, 3, 2, 17, 45, tzinfo=UTC)),
        ("2023-05-01 14:22:10 UTC", datetime(2023, 5, 1, 14, 22, 10, tzinfo=UTC)),
        ("2023-05-01T14:22:10+02:00", datetime(2023, 5, 1, 12, 22, 10, tzinfo=UTC)),
        ("13/45/24, 2:40 PM", None),
        ("1/15/24, 14:40 PM", None),
        ("soon", None),
    ],
)
def test_invitation_and_message_times_accept_several_formats_as_utc(
    text: str, expected: datetime | None
) -> None:
    assert parse_export_datetime(text) == expected


def test_twitter_created_at_is_converted_to_utc() -> None:
    assert parse_twitter_datetime("Sun Feb 19 08:00:00 +0100 2023") == datetime(
        2023, 2, 19, 7, 0, tzinfo=UTC
    )
    assert parse_twitter_datetime("Sun Feb 30 08:00:00 +0100 2023") is None
    assert parse_twitter_datetime("2023-02-19") is None

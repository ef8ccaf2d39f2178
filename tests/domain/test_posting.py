"""Schedule parsing, posting slots, idempotency keys and backoff (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from takethelead.domain.posting import (
    ScheduleError,
    Slot,
    backoff,
    idempotency_key,
    next_free_slot,
    parse_every,
    parse_slots,
    parse_when,
)

WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tue 09:00", datetime(2026, 3, 10, 9, 0, tzinfo=UTC)),
        ("wed 11:30", datetime(2026, 3, 4, 11, 30, tzinfo=UTC)),
        ("wed 09:00", datetime(2026, 3, 11, 9, 0, tzinfo=UTC)),
        ("Thursday 8", datetime(2026, 3, 5, 8, 0, tzinfo=UTC)),
        ("tomorrow 07:15", datetime(2026, 3, 5, 7, 15, tzinfo=UTC)),
        ("09:00", datetime(2026, 3, 5, 9, 0, tzinfo=UTC)),
        ("2026-12-01 09:00", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("2026-12-01T09:00:00+01:00", datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
    ],
)
def test_times_are_read_as_the_next_such_moment(text: str, expected: datetime) -> None:
    assert parse_when(text, WEDNESDAY) == expected


@pytest.mark.parametrize("text", ["", "someday 09:00", "tue 25:00", "tue 9 am", "tue 09:61"])
def test_unreadable_times_say_what_was_expected(text: str) -> None:
    with pytest.raises(ScheduleError, match="expected"):
        parse_when(text, WEDNESDAY)


def test_slot_lists_expand_day_ranges_and_times() -> None:
    slots = parse_slots("mon-wed 09:00,13:00; sat 10:00")
    assert [s.label() for s in slots] == [
        "mon 09:00", "mon 13:00", "tue 09:00", "tue 13:00", "wed 09:00", "wed 13:00",
        "sat 10:00",
    ]  # fmt: skip


def test_a_range_may_wrap_around_the_week() -> None:
    assert {s.weekday for s in parse_slots("fri-mon 08:00")} == {4, 5, 6, 0}


def test_intervals_are_days_or_weeks() -> None:
    assert (parse_every("7d"), parse_every("2w"), parse_every("3")) == (7, 14, 3)
    with pytest.raises(ScheduleError):
        parse_every("0d")


def test_the_key_depends_only_on_workspace_post_network_and_occurrence() -> None:
    key = idempotency_key(1, 42, "mastodon", 0)
    assert key == idempotency_key(1, 42, "mastodon", 0)
    others = {
        idempotency_key(2, 42, "mastodon", 0),
        idempotency_key(1, 43, "mastodon", 0),
        idempotency_key(1, 42, "bluesky", 0),
        idempotency_key(1, 42, "mastodon", 1),
    }
    assert key not in others
    assert len(others) == 4


def test_backoff_doubles_up_to_its_cap() -> None:
    base, cap = timedelta(seconds=30), timedelta(minutes=5)
    waits = [backoff(n, base, cap).total_seconds() for n in range(1, 7)]
    assert waits == [30, 60, 120, 240, 300, 300]


@given(
    st.sets(st.tuples(st.integers(0, 6), st.integers(0, 1439)), min_size=1, max_size=10),
    st.integers(0, 30),
    st.integers(0, 7 * 24 * 60),
)
def test_the_next_free_slot_is_a_later_untaken_slot(
    raw: set[tuple[int, int]], taken_count: int, offset: int
) -> None:
    slots = [Slot(d, m) for d, m in raw]
    after = WEDNESDAY + timedelta(minutes=offset)
    taken: list[datetime] = []
    for _ in range(taken_count):
        found = next_free_slot(slots, taken, after)
        assert found is not None
        taken.append(found)
    chosen = next_free_slot(slots, taken, after)
    assert chosen is not None
    assert chosen > after
    assert chosen not in taken
    assert Slot(chosen.weekday(), chosen.hour * 60 + chosen.minute) in slots

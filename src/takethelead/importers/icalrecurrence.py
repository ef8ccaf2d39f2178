"""A recurring event's occurrence starts (UTC), expanded by recurring-ical-events."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import recurring_ical_events

# Occurrences per recurring event, at most; the time horizon is set by the caller.
OCCURRENCE_CAP = 200
_RDATE_REACH = timedelta(days=36525)


def as_utc(moment: date | datetime, zone: tzinfo | None = None) -> datetime:
    """A DTSTART-like value in UTC: dates at 00:00, floating times in `zone` (else UTC)."""
    if not isinstance(moment, datetime):
        return datetime.combine(moment, time(), tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or UTC)
    return moment.astimezone(UTC)


def _windows(start: date) -> Iterator[tuple[date, date]]:
    """A century up to the start (an RDATE may come before DTSTART), then spans from the
    start on, doubling from a day, until dates run out."""
    with contextlib.suppress(OverflowError):
        yield start - _RDATE_REACH, start
    low, span = start, timedelta(days=1)
    while True:
        try:
            high = low + span
            yield low, high
            low, span = high, span * 2
        except OverflowError:
            return


def occurrences(
    component: Any, zone: tzinfo | None, excluded: set[datetime], horizon: datetime
) -> Iterator[datetime]:
    """Occurrence starts in UTC from RRULE, RDATE (dates and periods) less EXDATE, in order.

    Stops at the cap and the horizon. Raises ValueError for a rule that cannot be read.
    """
    # The series of this one component: moved occurrences are the caller's `excluded`. The
    # library expands in the event's wall time, so 09:00 stays 09:00 across DST changes; a
    # zone that only the file defines comes back floating and is applied here.
    series = recurring_ical_events.Series([recurring_ical_events.EventAdapter(component)])
    produced = 0
    seen: set[datetime] = set()
    # Asked span by span, so an unbounded or minutely rule costs no more than the cap.
    for low, high in _windows(component.decoded("DTSTART")):
        if as_utc(low, zone) > horizon:
            return
        for occurrence in sorted(series.between(low, high)):
            utc = as_utc(occurrence.start, zone)
            if utc > horizon or produced >= OCCURRENCE_CAP:
                return
            if utc in excluded or utc in seen:
                continue
            seen.add(utc)
            produced += 1
            yield utc


def horizon_after(latest: datetime | None, start: datetime) -> datetime:
    """Recurrences stop a year after the latest single event (or after their own start)."""
    return max(latest or start, start) + timedelta(days=365)

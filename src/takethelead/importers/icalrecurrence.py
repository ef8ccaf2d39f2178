"""Expanding a recurring event's RRULE / RDATE / EXDATE into occurrence starts (UTC)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from dateutil.rrule import rrulestr

# Occurrences per recurring event, at most; the time horizon is set by the caller.
OCCURRENCE_CAP = 200
_UNTIL = re.compile(r"UNTIL=(\d{8})(T\d{6})?(Z?)", re.IGNORECASE)


def as_utc(moment: date | datetime, zone: tzinfo | None = None) -> datetime:
    """A DTSTART-like value in UTC: dates at 00:00, floating times in `zone` (else UTC)."""
    if not isinstance(moment, datetime):
        return datetime.combine(moment, time(), tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or UTC)
    return moment.astimezone(UTC)


def _fit_until(rule: str, start: datetime) -> str:
    """Make UNTIL agree with DTSTART as dateutil demands: UTC when DTSTART has a zone."""

    def replace(match: re.Match[str]) -> str:
        day, clock, zulu = match[1], match[2] or "", match[3]
        if start.tzinfo is None:
            return f"UNTIL={day}{clock}"
        if zulu:
            return match[0]
        local = datetime.strptime(day + (clock or "T235959"), "%Y%m%dT%H%M%S")
        until = local.replace(tzinfo=start.tzinfo).astimezone(UTC)
        return f"UNTIL={until:%Y%m%dT%H%M%S}Z"

    return _UNTIL.sub(replace, rule)


def occurrences(
    start: date | datetime,
    zone: tzinfo | None,
    rules: list[str],
    extra: list[date | datetime],
    excluded: set[datetime],
    horizon: datetime,
) -> Iterator[datetime]:
    """Occurrence starts in UTC, in order per rule, up to the cap and the horizon.

    Raises ValueError for a rule dateutil cannot read.
    """
    # Expand in local wall time so that a 09:00 meeting stays at 09:00 across DST changes.
    if isinstance(start, datetime):
        local = start if start.tzinfo is not None else start.replace(tzinfo=zone)
    else:
        local = datetime.combine(start, time())
    produced = 0
    seen: set[datetime] = set()
    for rule in rules:
        expansion = rrulestr(_fit_until(rule, local), dtstart=local)
        for moment in expansion:
            utc = as_utc(moment, zone)
            if utc > horizon or produced >= OCCURRENCE_CAP:
                break
            if utc in excluded or utc in seen:
                continue
            seen.add(utc)
            produced += 1
            yield utc
    for added in extra:
        utc = as_utc(added, zone)
        fresh = utc not in excluded and utc not in seen
        if fresh and utc <= horizon and produced < OCCURRENCE_CAP:
            seen.add(utc)
            produced += 1
            yield utc


def horizon_after(latest: datetime | None, start: datetime) -> datetime:
    """Recurrences stop a year after the latest single event (or after their own start)."""
    return max(latest or start, start) + timedelta(days=365)

"""The week's plan as calendar events, inside the user's preferred hours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final

from icalendar import Calendar, Event

from takethelead.services.core import settings
from takethelead.services.core.errors import ServiceError
from takethelead.services.planning.weekly import PlanItem, PlanView

DEFAULT_PREFERRED_HOURS: Final = settings.DEFAULT_PREFERRED_HOURS
DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True, slots=True)
class PreferredHours:
    days: tuple[int, ...]  # 0 = Monday
    windows: tuple[tuple[time, time], ...]


def parse_preferred_hours(raw: str) -> PreferredHours:
    """'mon-fri 08:00-09:00,12:30-13:30' (days as a range or a comma list, then windows)."""
    error = ServiceError(
        f"preferred_hours {raw!r}: expected days and windows like {DEFAULT_PREFERRED_HOURS!r}"
    )
    parts = raw.strip().lower().split()
    if len(parts) != 2:
        raise error
    day_part, window_part = parts
    days: list[int] = []
    for chunk in day_part.split(","):
        first, _, last = chunk.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise error
        start, end = DAYS.index(first), DAYS.index(last or first)
        if end < start:
            raise error
        days.extend(range(start, end + 1))
    windows = []
    for chunk in window_part.split(","):
        found = _WINDOW.match(chunk)
        if found is None:
            raise error
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise error
        begin, finish = time(h1, m1), time(h2, m2)
        if finish <= begin:
            raise error
        windows.append((begin, finish))
    return PreferredHours(tuple(sorted(set(days))), tuple(sorted(windows)))


def plan_calendar(view: PlanView, hours: PreferredHours) -> bytes:
    """An iCalendar file with one event per open action (split across windows if long).

    Times are floating (no time zone): "08:00" means 08:00 wherever the user is that week.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Take the Lead//weekly plan//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Take the Lead — week {view.week}")
    slots = _slots(view, hours)
    stamp = datetime.combine(view.week_start, time(0, 0))
    for item in (i for i in view.items if i.status == "open"):
        left = item.minutes
        pieces: list[tuple[datetime, datetime]] = []
        while left > 0:
            if not slots:
                raise ServiceError(
                    "preferred_hours: the week's windows are too short for the plan; "
                    "add days or longer windows"
                )
            begin, end = slots[0]
            take = min(left, int((end - begin).total_seconds() // 60))
            pieces.append((begin, begin + timedelta(minutes=take)))
            left -= take
            if begin + timedelta(minutes=take) >= end:
                slots.pop(0)
            else:
                slots[0] = (begin + timedelta(minutes=take), end)
        for part, (begin, end) in enumerate(pieces, start=1):
            event = Event()
            suffix = f" (part {part} of {len(pieces)})" if len(pieces) > 1 else ""
            event.add("uid", f"plan-{view.plan_id}-action-{item.number}-{part}@takethelead")
            event.add("dtstamp", stamp)
            event.add("dtstart", begin)
            event.add("dtend", end)
            event.add("summary", f"{item.number}. {item.title}{suffix}")
            event.add("description", _description(item))
            calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical


def _slots(view: PlanView, hours: PreferredHours) -> list[tuple[datetime, datetime]]:
    slots = []
    for day in hours.days:
        date = view.week_start + timedelta(days=day)
        for begin, end in hours.windows:
            slots.append((datetime.combine(date, begin), datetime.combine(date, end)))
    return slots


def _description(item: PlanItem) -> str:
    said = f"{item.reason}\n{item.minutes} min · mark it with: lead done {item.number}"
    if item.post_text is None:
        return said
    return f"{said}\n\nText to paste:\n{item.post_text}\n\nOpen: {item.open_url or ''}"

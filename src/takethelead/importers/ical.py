"""iCalendar (.ics): every attended VEVENT occurrence is a MEETING with each other participant."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import icalendar

from takethelead.domain.identities import normalise_email
from takethelead.domain.records import (
    Direction,
    IdentityKind,
    IdentityRecord,
    InteractionKind,
    InteractionRecord,
    OwnerHints,
    ParsedItem,
    ParseError,
    PersonRecord,
    SkippedRecord,
)
from takethelead.importers.icalrecurrence import as_utc, horizon_after, occurrences
from takethelead.importers.icalstream import Block, blocks
from takethelead.importers.interactions import stable_id, summary
from takethelead.importers.people import Announced

# The icalendar package reports broken input with any of these, depending on where it breaks.
_LIBRARY_ERRORS = (ValueError, KeyError, IndexError, TypeError, AttributeError)
_NOT_PEOPLE = {"ROOM", "RESOURCE"}


@dataclass(frozen=True, slots=True)
class _Participant:
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class _Event:
    line: int
    uid: str
    start: date | datetime
    zone: tzinfo | None  # the zone of a TZID that only the file's VTIMEZONE defines
    minutes: int | None
    title: str
    participants: tuple[_Participant, ...]
    owner_declined: bool
    component: Any


def _listed(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _participants(component: Any, mine: set[str]) -> tuple[tuple[_Participant, ...], bool]:
    found: dict[str, _Participant] = {}
    declined = False
    for address in _listed(component.get("ORGANIZER")) + _listed(component.get("ATTENDEE")):
        params = getattr(address, "params", {})
        email = normalise_email(str(address)) or ""
        name = str(params.get("CN", "")).strip()
        if str(params.get("CUTYPE", "")).upper() in _NOT_PEOPLE:
            continue
        if str(params.get("PARTSTAT", "")).upper() == "DECLINED":
            declined = declined or email in mine
            continue
        if email in mine or not (email or name):
            continue
        found.setdefault(email or name, _Participant(email, name))
    return tuple(found.values()), declined


def _moment(
    component: Any, name: str, zones: dict[str, tzinfo], path: Path, line: int
) -> date | None:
    """A date or date-time property, with a zone the file itself defines applied."""
    prop = component.get(name)
    if prop is None:
        return None
    value: object = component.decoded(name)
    if not isinstance(value, date):
        raise ParseError(
            str(path), line, f"expected a date or date-time in {name}, found {value!r}"
        )
    tzid = str(getattr(prop, "params", {}).get("TZID", ""))
    if isinstance(value, datetime) and value.tzinfo is None and tzid in zones:
        value = value.replace(tzinfo=zones[tzid])
    return value


def _component(block: Block, path: Path) -> Any:
    try:
        return icalendar.Event.from_ical(block.text)
    except _LIBRARY_ERRORS as error:
        raise ParseError(str(path), block.line, f"invalid VEVENT: {error}") from None


def _event(
    component: Any, line: int, zones: dict[str, tzinfo], mine: set[str], path: Path
) -> _Event | str:
    """The event, or the reason it carries no meeting."""
    if str(component.get("STATUS", "")).upper() == "CANCELLED":
        return "cancelled event"
    start = _moment(component, "DTSTART", zones, path, line)
    if not isinstance(start, date):
        raise ParseError(str(path), line, "VEVENT without DTSTART")
    end = _moment(component, "DTEND", zones, path, line)
    if end is None and "DURATION" in component:
        duration = component.decoded("DURATION")
        end = start + duration if isinstance(duration, timedelta) else None
    minutes = None
    if isinstance(start, datetime) and isinstance(end, datetime):
        minutes = max(0, int((as_utc(end) - as_utc(start)).total_seconds() // 60))
    participants, declined = _participants(component, mine)
    zone = start.tzinfo if isinstance(start, datetime) else None
    title = str(component.get("SUMMARY", ""))
    uid = str(component.get("UID", "")) or stable_id(str(start), title)
    return _Event(line, uid, start, zone, minutes, title, participants, declined, component)


def infer_owner(path: Path) -> set[str]:
    """The calendar's address (X-WR-CALNAME) or the one in most events, when clear."""
    counts: Counter[str] = Counter()
    events = 0
    for item in blocks(path):
        if isinstance(item, tuple):
            found = normalise_email(item[1]) if item[0] == "X-WR-CALNAME" else None
            if found:
                return {found}
        elif item.name == "VEVENT" and (emails := item.participant_emails()):
            events += 1
            counts.update(emails)
    ranked = counts.most_common(2)
    # Only a clear favourite is the owner; a tie or a minority leaves everyone a counterpart.
    if ranked and ranked[0][1] * 2 > events and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return {ranked[0][0]}
    return set()


def _records(event: _Event, start: datetime, announced: Announced) -> Iterator[ParsedItem]:
    for person in event.participants:
        contact: tuple[IdentityRecord, ...] = ()
        if person.email:
            contact = (IdentityRecord(IdentityKind.EMAIL, person.email, person.email),)
        record = PersonRecord(
            full_name=person.name or person.email, identities=contact, line=event.line
        )
        if announced.first_time(record):
            yield record
        yield InteractionRecord(
            occurred_at=start,
            kind=InteractionKind.MEETING,
            direction=Direction.MUTUAL,
            counterpart=contact,
            counterpart_name=person.name,
            summary=summary(event.title),
            external_id=f"{event.uid}/{start.isoformat()}/{person.email or person.name}",
            minutes=event.minutes if isinstance(event.start, datetime) else None,
            line=event.line,
        )


def parse(path: Path, owner: OwnerHints) -> Iterator[ParsedItem]:
    """Yield participants and one MEETING per participant per occurrence; recurrences last."""
    mine = {e for raw in owner.emails if (e := normalise_email(raw))} or infer_owner(path)
    zones: dict[str, tzinfo] = {}
    announced = Announced()
    recurring: list[_Event] = []
    overridden: set[tuple[str, datetime]] = set()
    latest: datetime | None = None
    for item in blocks(path):
        if isinstance(item, tuple):
            continue
        if item.name == "VTIMEZONE":
            try:
                timezone = icalendar.Timezone.from_ical(item.text)
                if isinstance(timezone, icalendar.Timezone):
                    # A zone defined only here (not in the tz database) is used as the file says.
                    zones[str(timezone.get("TZID", ""))] = timezone.to_tz(lookup_tzid=False)
            except _LIBRARY_ERRORS as error:
                raise ParseError(str(path), item.line, f"invalid VTIMEZONE: {error}") from None
            continue
        if item.name != "VEVENT":
            continue
        component = _component(item, path)
        if "RECURRENCE-ID" in component:
            # A moved or cancelled occurrence replaces the one its series would produce.
            moved = _moment(component, "RECURRENCE-ID", zones, path, item.line)
            if moved is not None:
                overridden.add((str(component.get("UID", "")), as_utc(moved)))
        event = _event(component, item.line, zones, mine, path)
        if isinstance(event, str):
            yield SkippedRecord(item.line, event)
        elif ("RRULE" in component or "RDATE" in component) and "RECURRENCE-ID" not in component:
            recurring.append(event)
        else:
            start = as_utc(event.start, event.zone)
            latest = max(latest or start, start)
            yield from _single(event, start, announced)
    for event in recurring:
        yield from _expand(event, zones, overridden, latest, announced, path)


def _single(event: _Event, start: datetime, announced: Announced) -> Iterator[ParsedItem]:
    if event.owner_declined:
        yield SkippedRecord(event.line, "event the owner declined")
    elif not event.participants:
        yield SkippedRecord(event.line, "event with no one but the owner")
    else:
        yield from _records(event, start, announced)


def _expand(
    event: _Event,
    zones: dict[str, tzinfo],
    overridden: set[tuple[str, datetime]],
    latest: datetime | None,
    announced: Announced,
    path: Path,
) -> Iterator[ParsedItem]:
    excluded = {moment for uid, moment in overridden if uid == event.uid}
    try:
        horizon = horizon_after(latest, as_utc(event.start, event.zone))
        starts = list(occurrences(event.component, event.zone, excluded, horizon))
    except (ValueError, TypeError, OverflowError) as error:
        raise ParseError(str(path), event.line, f"unreadable RRULE: {error}") from None
    for start in starts:
        yield from _single(event, start, announced)

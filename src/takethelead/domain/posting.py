"""Scheduling posts: when a post goes out, posting slots, idempotency keys and backoff.

Pure functions over aware datetimes; "local" is whatever timezone the caller's `now` carries.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LONG_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DeliveryState(enum.StrEnum):
    """Where one delivery stands.

    queued → sending (claimed) → sent | unconfirmed | failed | queued (retry) | paused;
    unconfirmed → sent (found on the network) | queued (provably absent, same key);
    unconfirmed stays unconfirmed, flagged with `AMBIGUOUS`, when several of our posts
    could be the one on the network: the user is told, nothing is guessed;
    paused → queued (account reconnected); queued | paused → cancelled.
    """

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    UNCONFIRMED = "unconfirmed"
    FAILED = "failed"
    PAUSED = "paused"
    CANCELLED = "cancelled"


# A delivery in these states has not been claimed: edits and cancels may still change it.
UNCLAIMED = (DeliveryState.QUEUED, DeliveryState.PAUSED)
# The reason an unconfirmed delivery carries when reconciliation cannot tell it from another.
AMBIGUOUS = "Several posts of yours with these words could be the one on the network"


@dataclass(frozen=True, slots=True)
class Listed:
    """A post the network holds, as reconciliation compares it (text already normalised)."""

    remote_id: str
    created_at: datetime
    text: str
    key: str | None


@dataclass(frozen=True, slots=True)
class Attempted:
    """A delivery that may have made a post: its key, normalised text and first attempt."""

    id: int
    key: str
    text: str
    started: datetime


class Verdict(enum.Enum):
    FOUND = "found"
    ABSENT = "absent"
    AMBIGUOUS = "ambiguous"


def match_posted(
    wanted: Attempted,
    listed: Iterable[Listed],
    claimed: set[str],
    others: Iterable[Attempted],
    margin: timedelta,
    by_key: bool,
) -> tuple[Verdict, Listed | None]:
    """Which listed post, if any, is the one `wanted` made; never a guess.

    A candidate was created after `wanted`'s first attempt (less the clock margin) and is
    no delivery's post yet (`claimed`). By key where the network keeps ours. By text only
    when the whole normalised text is equal, and only when no other delivery (`others`, any
    that may have posted and not yet recorded it) with the same words could have made it:
    otherwise AMBIGUOUS.
    """
    start = wanted.started - margin
    fresh = [p for p in listed if p.remote_id not in claimed and p.created_at >= start]
    if by_key:
        mine = sorted((p for p in fresh if p.key == wanted.key), key=lambda p: p.created_at)
        return (Verdict.FOUND, mine[0]) if mine else (Verdict.ABSENT, None)
    same = [p for p in fresh if p.text == wanted.text]
    if not same:
        return Verdict.ABSENT, None
    rivals = [
        o
        for o in others
        if o.id != wanted.id
        and o.text == wanted.text
        and any(p.created_at >= o.started - margin for p in same)
    ]
    if len(same) == 1 and not rivals:
        return Verdict.FOUND, same[0]
    return Verdict.AMBIGUOUS, None


class ScheduleError(ValueError):
    """A time, slot list or interval that cannot be read; the message says what was expected."""


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    """A weekly posting time: weekday 0 (Monday) to 6 and minute of the day."""

    weekday: int
    minute: int

    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.minute // 60:02d}:{self.minute % 60:02d}"


def _weekday(word: str) -> int:
    lowered = word.lower()
    for index, (short, long) in enumerate(zip(WEEKDAYS, _LONG_WEEKDAYS, strict=True)):
        if lowered in (short, long):
            return index
    raise ScheduleError(f"{word!r}: expected a weekday (mon … sun)")


def _clock(word: str) -> int:
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", word.strip())
    if not match:
        raise ScheduleError(f"{word!r}: expected a time like 09:00")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise ScheduleError(f"{word!r}: expected a time between 00:00 and 23:59")
    return hour * 60 + minute


def parse_when(text: str, now: datetime) -> datetime:
    """A moment from "tue 09:00", "tomorrow 9:30", "09:00", "2026-12-01 09:00" or ISO 8601.

    A weekday or a bare time means the next such moment after `now`, in now's timezone.
    """
    raw = text.strip()
    if not raw:
        raise ScheduleError("expected a time such as 'tue 09:00' or '2026-12-01 09:00'")
    if raw.lower() == "now":
        return now
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is not None:
        return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)
    words = raw.split()
    if len(words) == 1:
        words = ["", words[0]]
    if len(words) != 2:
        raise ScheduleError(f"{raw!r}: expected 'tue 09:00', 'tomorrow 09:00' or a date")
    day_word, clock_word = words
    minute = _clock(clock_word)
    at = time(minute // 60, minute % 60)
    today = now.date()
    if day_word.lower() == "today":
        return _combine(today, at, now)
    if day_word.lower() == "tomorrow":
        return _combine(today + timedelta(days=1), at, now)
    if day_word:
        ahead = (_weekday(day_word) - today.weekday()) % 7
        candidate = _combine(today + timedelta(days=ahead), at, now)
        return candidate if candidate > now else candidate + timedelta(days=7)
    candidate = _combine(today, at, now)
    return candidate if candidate > now else candidate + timedelta(days=1)


def _combine(day: date, at: time, now: datetime) -> datetime:
    return datetime.combine(day, at, tzinfo=now.tzinfo)


def parse_slots(text: str) -> list[Slot]:
    """Slots from "mon-fri 09:00,13:00; sat 10:00" (ranges and lists of days and times)."""
    slots: set[Slot] = set()
    for part in re.split(r"[;\n]", text):
        if not part.strip():
            continue
        words = part.split(None, 1)
        if len(words) != 2:
            raise ScheduleError(f"{part.strip()!r}: expected days then times, as 'mon-fri 09:00'")
        days = _days(words[0])
        minutes = [_clock(w) for w in words[1].split(",") if w.strip()]
        if not minutes:
            raise ScheduleError(f"{part.strip()!r}: expected at least one time")
        slots.update(Slot(d, m) for d in days for m in minutes)
    if not slots:
        raise ScheduleError("expected slots such as 'mon-fri 09:00,13:00'")
    return sorted(slots)


def _days(word: str) -> list[int]:
    lowered = word.lower()
    if lowered in ("daily", "every", "all"):
        return list(range(7))
    days: list[int] = []
    for piece in lowered.split(","):
        if "-" in piece:
            first, last = (_weekday(w) for w in piece.split("-", 1))
            span = (last - first) % 7
            days.extend((first + i) % 7 for i in range(span + 1))
        else:
            days.append(_weekday(piece))
    return days


def slot_times(slots: Iterable[Slot], after: datetime, weeks: int = 8) -> list[datetime]:
    """Every slot moment strictly after `after`, in its timezone, for the coming weeks."""
    chosen = sorted(set(slots))
    moments: list[datetime] = []
    start = after.date()
    for offset in range(weeks * 7 + 1):
        day = start + timedelta(days=offset)
        for slot in chosen:
            if slot.weekday == day.weekday():
                moment = _combine(day, time(slot.minute // 60, slot.minute % 60), after)
                if moment > after:
                    moments.append(moment)
    return moments


def next_free_slot(
    slots: Iterable[Slot], taken: Iterable[datetime], after: datetime
) -> datetime | None:
    """The first slot moment after `after` that no other post holds; None without slots."""
    chosen = set(slots)
    if not chosen:
        return None
    busy = {int(t.timestamp()) for t in taken}
    weeks = 8 + len(busy) // len(chosen)  # enough weeks to get past every taken slot
    for moment in slot_times(chosen, after, weeks):
        if int(moment.timestamp()) not in busy:
            return moment
    return None


def parse_every(text: str) -> int:
    """Days between occurrences from "7d", "2w" or "7"."""
    match = re.fullmatch(r"\s*(\d+)\s*([dw]?)\s*", text.lower())
    if not match or int(match.group(1)) == 0:
        raise ScheduleError(f"{text!r}: expected an interval such as 7d or 2w")
    days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
    return days


def idempotency_key(workspace_id: int, post_id: int, network: str, occurrence: int) -> str:
    """The same key for the same (post, network, occurrence), whoever computes it, forever."""
    digest = hashlib.sha256(f"{workspace_id}:{post_id}:{network}:{occurrence}".encode()).hexdigest()
    return f"lead-{digest[:32]}"


_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def record_key(idempotency_key: str, started_at: datetime) -> str:
    """A Bluesky record key (a TID) that is the same for the same key and first attempt.

    app.bsky.feed.post records are keyed by TID (13 base32-sortable characters: 53 bits of
    microseconds, 10 of clock id). The second of the first attempt keeps it near the real
    time; the microseconds and clock id come from the key's hash, so two posts started in
    the same second still get different keys.
    """
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode("utf-8")).digest()[:8], "big")
    micros = int(started_at.timestamp()) * 1_000_000 + digest % 1_000_000
    clock = (digest // 1_000_000) % 1024
    value = ((micros & ((1 << 53) - 1)) << 10) | clock
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def backoff(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    """Wait before retry number `attempts` (1, 2, …): base doubling each time, at most cap."""
    factor: int = 2 ** max(0, min(attempts - 1, 30))
    wait: timedelta = base * factor
    return min(wait, cap)

"""Date formats found in exports, parsed without the locale (strptime's %b follows it)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}

_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*\.?[ -](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SLASHED = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$"
)
_ISO_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?"
    r"\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2})?$"
)
_TWITTER = re.compile(
    r"^[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{4}) (\d{4})$"
)


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _zone(text: str | None) -> timezone:
    if not text or text in ("UTC", "GMT", "Z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(sign * offset)


def parse_day_month_year(text: str) -> date | None:
    """`15 Mar 2024`, `15-Mar-24` or `2024-03-15`, else None."""
    text = text.strip()
    match = _DAY_MONTH_YEAR.match(text)
    try:
        if match:
            month = MONTHS.get(match[2].lower())
            if month is None:
                return None
            return date(_year(match[3]), month, int(match[1]))
        match = _ISO_DATE.match(text)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None


def parse_export_datetime(text: str) -> datetime | None:
    """`2023-05-01 14:22:10 UTC`, `1/15/24, 2:40 PM` (US order) and kin, as UTC; else None.

    Exports without a zone are taken as UTC: LinkedIn writes its times in UTC.
    """
    # Newer exports format times with ICU, which puts a narrow no-break space before AM/PM.
    text = text.replace("\u202f", " ").replace("\xa0", " ").strip()
    try:
        match = _ISO_DATETIME.match(text)
        if match:
            moment = datetime(
                int(match[1]),
                int(match[2]),
                int(match[3]),
                int(match[4]),
                int(match[5]),
                int(match[6] or 0),
                tzinfo=_zone(match[7]),
            )
            return moment.astimezone(UTC)
        match = _SLASHED.match(text)
        if match:
            hour = int(match[4])
            meridiem = (match[7] or "").lower()
            if meridiem and not 1 <= hour <= 12:
                return None
            if meridiem == "pm" and hour != 12:
                hour += 12
            elif meridiem == "am" and hour == 12:
                hour = 0
            return datetime(
                _year(match[3]),
                int(match[1]),
                int(match[2]),
                hour,
                int(match[5]),
                int(match[6] or 0),
                tzinfo=UTC,
            )
    except ValueError:
        return None
    return None


def parse_twitter_datetime(text: str) -> datetime | None:
    """`Sat Feb 18 12:33:11 +0000 2023` as UTC, else None."""
    match = _TWITTER.match(text.strip())
    if not match:
        return None
    month = MONTHS.get(match[1].lower())
    if month is None:
        return None
    try:
        moment = datetime(
            int(match[7]),
            month,
            int(match[2]),
            int(match[3]),
            int(match[4]),
            int(match[5]),
            tzinfo=_zone(match[6]),
        )
    except ValueError:
        return None
    return moment.astimezone(UTC)

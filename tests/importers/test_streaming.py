"""Parsers stream: memory stays flat however large the export is."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from takethelead.domain.records import InteractionRecord, OwnerHints, ParsedItem, PersonRecord
from takethelead.importers import ical, linkedin_connections

ROWS = 200_000
# Far below the file's 17 MB: a row, the reader's buffers and the bounded LRU cache of
# domain.identities.identity() (most of it), never the rows already read.
PEAK_LIMIT = 2_000_000


def write_connections(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(
            'Notes:\r\n"When exporting your connection data, some e-mails are missing."\r\n\r\n'
        )
        handle.write("First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n")
        for n in range(rows):
            handle.write(
                f'Ana{n},Díaz,https://www.linkedin.com/in/ana-diaz-{n},,"Acme, Inc.",'
                f"Head of Growth,15 Mar 2024\r\n"
            )


def traced_peak(items: Iterator[ParsedItem], count: int) -> int:
    """Peak memory allocated while taking the next `count` items (tracing is slow: a window)."""
    tracemalloc.start()
    try:
        for _ in range(count):
            assert isinstance(next(items), PersonRecord)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_connections_file_is_parsed_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    write_connections(path, ROWS)
    assert path.stat().st_size > 15_000_000
    items = linkedin_connections.parse(path, OwnerHints())
    # The first window covers opening the file and finding the header: nothing is read ahead.
    opening = traced_peak(items, 2_000)
    for _ in range(ROWS // 2):
        next(items)
    # A window in the middle: rows already yielded are not kept.
    middle = traced_peak(items, 20_000)
    last_line = 0
    for item in items:
        last_line = item.line
    assert last_line == ROWS + 4
    assert opening < PEAK_LIMIT
    assert middle < PEAK_LIMIT


EVENTS = 12_000
# Far below the file's 3 MB (about 30 kB is measured): one VEVENT and its parse.
ICS_PEAK_LIMIT = 500_000


def write_calendar(path: Path, events: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Take the Lead//test//EN\r\n")
        for n in range(events):
            day = 1 + n % 28
            handle.write(
                f"BEGIN:VEVENT\r\nUID:event-{n}@lead.example\r\n"
                f"DTSTART:202403{day:02d}T090000Z\r\nDTEND:202403{day:02d}T100000Z\r\n"
                f"SUMMARY:Weekly sync number {n} about the roadmap\r\n"
                "ORGANIZER;CN=Maya:mailto:maya@lead.example\r\n"
                "ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@example.com\r\nEND:VEVENT\r\n"
            )
        handle.write("END:VCALENDAR\r\n")


def traced_meetings_peak(items: Iterator[ParsedItem], count: int) -> int:
    """Peak memory allocated while taking the next `count` meetings."""
    tracemalloc.start()
    try:
        for _ in range(count):
            assert isinstance(next(items), InteractionRecord)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_calendar_is_read_one_event_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "calendar.ics"
    write_calendar(path, EVENTS)
    assert path.stat().st_size > 3_000_000
    items = ical.parse(path, OwnerHints(emails=frozenset({"maya@lead.example"})))
    assert isinstance(next(items), PersonRecord)  # Bob, announced once
    opening = traced_meetings_peak(items, 200)
    for _ in range(EVENTS // 2):
        next(items)
    # A window in the middle: events already yielded are not kept.
    middle = traced_meetings_peak(items, 1_000)
    rest = sum(1 for _ in items)
    assert 1 + 200 + EVENTS // 2 + 1_000 + rest == EVENTS + 1
    assert opening < ICS_PEAK_LIMIT
    assert middle < ICS_PEAK_LIMIT

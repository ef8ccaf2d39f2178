"""Every text reader refuses an overlong line without holding it, and a file of NUL bytes as
binary after reading a little of it."""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from takethelead.domain.records import OwnerHints, ParseError, PersonRecord
from takethelead.importers import FORMATS
from takethelead.importers.textfile import MAX_LINE_BYTES, MAX_RECORD_CHARS

MIB = 1 << 20
LONG = 32 * MIB  # a line far past the 1 MiB cap
PEAK_LIMIT = 8 * MIB  # a few of the cap's buffers, never the whole line

# Per format: a file name, what comes before the long line, and its line number.
STARTS: dict[str, tuple[str, bytes, int]] = {
    "linkedin-connections": (
        "Connections.csv",
        b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n",
        2,
    ),
    "linkedin-messages": (
        "messages.csv",
        b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,CONTENT\r\n",
        2,
    ),
    "linkedin-invitations": (
        "Invitations.csv",
        b"From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\r\n",
        2,
    ),
    "google-contacts": ("contacts.csv", b"First Name,Last Name,Labels\r\n", 2),
    "mastodon-following": ("following_accounts.csv", b"Account address\n", 2),
    "vcard": ("contacts.vcf", b"BEGIN:VCARD\r\nVERSION:4.0\r\n", 3),
    "icalendar": ("calendar.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", 3),
    "x-tweets": ("tweets.js", b"window.YTD.tweets.part0 = [\n", 2),
    "x-following": ("following.js", b"window.YTD.following.part0 = [\n", 2),
    "x-account": ("account.js", b"window.YTD.account.part0 = [\n", 2),
    "mbox": ("mail.mbox", b"From a@example.org Mon Jan  1 00:00:00 2024\nSubject: hi\n", 3),
}


def _parse_all(name: str, path: Path) -> Callable[[], object]:
    return lambda: list(FORMATS[name](path, OwnerHints()))


def test_every_format_has_a_long_line_case() -> None:
    assert set(STARTS) == set(FORMATS)


@pytest.mark.parametrize("name", sorted(STARTS))
def test_a_line_past_the_cap_is_refused_naming_the_file_and_line_without_reading_it_whole(
    tmp_path: Path, name: str
) -> None:
    file_name, start, line = STARTS[name]
    path = tmp_path / file_name
    with path.open("wb") as out:
        out.write(start)
        for _ in range(LONG // MIB):
            out.write(b"a" * MIB)
        out.write(b"\n")
    tracemalloc.start()
    try:
        with pytest.raises(ParseError) as refused:
            _parse_all(name, path)()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.path == str(path)
    assert refused.value.line == line
    assert "a line longer than 1 MiB" in str(refused.value)
    assert peak < PEAK_LIMIT  # the refusal read the cap, not the 32 MiB line


def test_a_line_exactly_at_the_cap_is_read(tmp_path: Path) -> None:
    path = tmp_path / "contacts.vcf"
    note = b"NOTE:" + b"n" * (MAX_LINE_BYTES - 7) + b"\r\n"
    assert len(note) == MAX_LINE_BYTES
    path.write_bytes(b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana\r\n" + note + b"END:VCARD\r\n")
    (person,) = list(FORMATS["vcard"](path, OwnerHints()))
    assert isinstance(person, PersonRecord)
    assert len(person.notes) == MAX_LINE_BYTES - 7


@pytest.mark.parametrize("name", sorted(STARTS))
def test_a_file_of_nul_bytes_is_refused_as_binary_after_reading_a_little(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / STARTS[name][0]
    with path.open("wb") as out:  # sparse: 1 GiB of NUL bytes that take no disk
        out.truncate(1 << 30)
    tracemalloc.start()
    try:
        with pytest.raises(ParseError, match="binary file"):
            _parse_all(name, path)()
        assert tracemalloc.get_traced_memory()[1] < PEAK_LIMIT
    finally:
        tracemalloc.stop()
    assert os.stat(path).st_size == 1 << 30


def test_a_vcard_value_folded_past_the_record_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "contacts.vcf"
    fold = b" " + b"n" * 1000 + b"\r\n"
    with path.open("wb") as out:
        out.write(b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Big\r\nNOTE:start\r\n")
        for _ in range(MAX_RECORD_CHARS // 1000 + 10):
            out.write(fold)
        out.write(b"END:VCARD\r\n")
    with pytest.raises(ParseError, match="a folded line longer than 16 MiB") as refused:
        list(FORMATS["vcard"](path, OwnerHints()))
    assert refused.value.line == 4


def test_a_vcard_of_many_lines_past_the_record_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "contacts.vcf"
    with path.open("wb") as out:
        out.write(b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Big\r\n")
        for _ in range(MAX_RECORD_CHARS // 1000 + 10):
            out.write(b"NOTE:" + b"n" * 1000 + b"\r\n")
        out.write(b"END:VCARD\r\n")
    with pytest.raises(ParseError, match="a vCard longer than 16 MiB") as refused:
        list(FORMATS["vcard"](path, OwnerHints()))
    assert refused.value.line == 1


def test_a_calendar_event_past_the_record_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "calendar.ics"
    with path.open("wb") as out:
        out.write(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\n")
        for _ in range(MAX_RECORD_CHARS // 1000 + 10):
            out.write(b"COMMENT:" + b"c" * 1000 + b"\r\n")
        out.write(b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    with pytest.raises(ParseError, match="the VEVENT longer than 16 MiB") as refused:
        list(FORMATS["icalendar"](path, OwnerHints()))
    assert refused.value.line == 3

"""Bad input raises ParseError naming the line and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from takethelead.domain.records import OwnerHints, ParseError
from takethelead.importers import FORMATS

CONNECTIONS_HEADER = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
MESSAGES_HEADER = (
    b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
    b"DATE,SUBJECT,CONTENT,FOLDER\n"
)
INVITATIONS_HEADER = b"From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"
CALENDAR = b"BEGIN:VCALENDAR\nVERSION:2.0\n"

CASES = [
    # (format, content, line, expected words)
    ("linkedin-connections", b"", None, "empty file"),
    ("linkedin-connections", b" \r\n\r\n", None, "empty file"),
    ("vcard", b"\xef\xbb\xbf", None, "empty file"),
    ("linkedin-connections", b"Notes:\nhello\x00world\n", 2, "binary file (NUL byte at offset 12)"),
    (
        "linkedin-connections",
        b"Notes:\n" + CONNECTIONS_HEADER + b"Ana,D\xedaz,,,,,15 Mar 2024\r\n",
        3,
        "file is not UTF-8 text (byte 0xed at offset 82)",
    ),
    (
        "linkedin-connections",
        b'Notes:\n"When exporting"\n\nFirst,Last\nAna,Diaz\n',
        5,
        "expected the header 'First Name,Last Name,URL,Email Address,Company,Position,"
        "Connected On' before line 6",
    ),
    (
        "linkedin-connections",
        CONNECTIONS_HEADER + b'Ana,Diaz,,,"Acme\r\nInc,Head,15 Mar 2024\r\n',
        2,
        "unclosed quote starting at line 2",
    ),
    (
        "linkedin-connections",
        CONNECTIONS_HEADER + b"Ana,Diaz,,,Acme,Head,15 Mar 2024\r\nBob,Smith,,\r\n",
        3,
        "expected 7 fields as in the header, found 4 (truncated row)",
    ),
    (
        "linkedin-connections",
        CONNECTIONS_HEADER + b"Ana,Diaz,,,Acme,Head,15 Mar 2024,extra\r\n",
        2,
        "expected 7 fields as in the header, found 8",
    ),
    (
        "linkedin-connections",
        CONNECTIONS_HEADER + b'Ana,Diaz,,,"Acme"x,Head,15 Mar 2024\r\n',
        2,
        "expected ',' right after a closing quote",
    ),
    (
        "linkedin-connections",
        CONNECTIONS_HEADER + b"Ana,Diaz,,,Acme,Head,last spring\r\n",
        2,
        "expected a date like '15 Mar 2024' in Connected On, found 'last spring'",
    ),
    (
        "linkedin-messages",
        MESSAGES_HEADER + b"c1,,Ana,,Maya,,yesterday,,hi,INBOX\n",
        2,
        "expected a DATE like '2023-05-01 14:22:10 UTC', found 'yesterday'",
    ),
    (
        "linkedin-invitations",
        INVITATIONS_HEADER + b'Ana,Maya,"1/15/24, 2:40 PM",,SIDEWAYS,,\n',
        2,
        "expected Direction INCOMING or OUTGOING, found 'SIDEWAYS'",
    ),
    (
        "linkedin-invitations",
        INVITATIONS_HEADER + b"Ana,Maya,someday,,INCOMING,,\n",
        2,
        "expected Sent At like '1/15/24, 2:40 PM', found 'someday'",
    ),
    (
        "mastodon-following",
        b"Account address,Show boosts\nnot an address,true\n",
        2,
        "expected an account address like 'alice@mastodon.social', found 'not an address'",
    ),
    (
        "google-contacts",
        b"Name,Phone\nAna,1\n",
        2,
        "expected the header 'First Name,Middle Name,Last Name,",
    ),
    ("vcard", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\n", 1, "vCard without END:VCARD"),
    (
        "vcard",
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nBEGIN:VCARD\nVERSION:3.0\nFN:Bob\nEND:VCARD\n",
        1,
        "vCard without END:VCARD",
    ),
    ("vcard", b"FN:Ana\n", 1, "expected BEGIN:VCARD, found 'FN:Ana'"),
    ("vcard", b"END:VCARD\n", 1, "END:VCARD without BEGIN:VCARD"),
    ("vcard", b"BEGIN:VCARD\nFN:Ana\nEND:VCARD\n", 1, "vCard without VERSION"),
    ("vcard", b"BEGIN:VCARD\nVERSION:5.0\nFN:Ana\nEND:VCARD\n", 2, "expected VERSION:3.0 or 4.0"),
    ("vcard", b"BEGIN:VCARD\nVERSION:4.0\nFN Ana\nEND:VCARD\n", 3, "expected 'NAME:value'"),
    ("vcard", b"BEGIN:VCARD\nVERSION:4.0\nF N:Ana\nEND:VCARD\n", 3, "expected a property name"),
    ("x-tweets", b"var tweets = [];", 1, "expected 'window.YTD.tweets.part0 = [' at the start"),
    (
        "x-tweets",
        b"window.YTD.account.part0 = []",
        1,
        "expected 'window.YTD.tweets.part0 = [', found 'window.YTD.account.part0 = ['",
    ),
    (
        "x-tweets",
        b'window.YTD.tweets.part0 = [\n  {"tweet": {"id_str": "1",\n   "full_text": oops}}\n]',
        3,
        "invalid JSON after the 'window.YTD.tweets.part0 =' prefix: Expecting value",
    ),
    (
        "x-tweets",
        b'window.YTD.tweets.part0 = [\n  {"tweet": {"id_str": "1"',
        2,
        "invalid JSON after the 'window.YTD.tweets.part0 =' prefix",
    ),
    ("x-tweets", b"window.YTD.tweets.part0 = [\n", 2, "array without its closing ']'"),
    (
        "x-account",
        b'window.YTD.account.part0 = [ {"account": {"username": "a"}}\n {} ]',
        2,
        "expected ',' or ']' in the array, found '{'",
    ),
    ("x-tweets", b"window.YTD.tweets.part0 = [ ]\nalert(1)", 2, "expected nothing after the array"),
    ("x-tweets", b"window.YTD.tweets.part0 = [ 42 ]", 1, 'expected {"tweet": {"id_str"'),
    (
        "x-tweets",
        b'window.YTD.tweets.part0 = [\n{"tweet": {"id_str": "1", "created_at": "now"}}]',
        2,
        "expected created_at like 'Sat Feb 18 12:33:11 +0000 2023', found 'now'",
    ),
    ("x-account", b"window.YTD.account.part0 = [ [] ]", 1, 'expected {"account": {"accountId"'),
    ("x-following", b'window.YTD.following.part0 = [ {"following": {}} ]', 1, "accountId"),
    ("mbox", b"", None, "empty file"),
    ("mbox", b"\n\nSubject: hello\n\nbody\n", 3, "expected an mbox 'From ' line at the start"),
    ("mbox", b"From x\n\x00\x01\x02", None, "binary file (NUL byte at offset 7)"),
    ("icalendar", b"BEGIN:VCARD\nEND:VCARD\n", 1, "expected BEGIN:VCALENDAR, found 'BEGIN:VCARD'"),
    ("icalendar", CALENDAR + b"BEGIN:VEVENT\nUID:1\n", 3, "VEVENT without END:VEVENT"),
    (
        "icalendar",
        CALENDAR + b"BEGIN:VEVENT\nUID:1\nEND:VTODO\nEND:VCALENDAR\n",
        5,
        "expected END:VEVENT (BEGIN at line 3), found END:VTODO",
    ),
    (
        "icalendar",
        CALENDAR + b"BEGIN:VEVENT\nUID:1\nDTSTART:20240101T100000Z\nEND:VEVENT\n",
        1,
        "VCALENDAR without END:VCALENDAR",
    ),
    (
        "icalendar",
        CALENDAR + b"BEGIN:VEVENT\nUID:1\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
        3,
        "VEVENT without DTSTART",
    ),
    (
        "icalendar",
        CALENDAR + b"BEGIN:VEVENT\nUID:1\nDTSTART:tomorrow\nEND:VEVENT\nEND:VCALENDAR\n",
        3,
        "expected a date or date-time in DTSTART, found 'tomorrow'",
    ),
    (
        "icalendar",
        CALENDAR
        + b"BEGIN:VEVENT\nUID:1\nDTSTART:20240101T100000Z\nRRULE:FREQ=SOMETIMES\n"
        + b"ATTENDEE:mailto:a@b.example\nEND:VEVENT\nEND:VCALENDAR\n",
        3,
        "unreadable RRULE",
    ),
    ("icalendar", CALENDAR + b"no colon here\nEND:VCALENDAR\n", 3, "expected 'NAME:value'"),
]


@pytest.mark.parametrize(
    ("key", "content", "line", "expected"),
    CASES,
    ids=[f"{c[0]}-{c[3][:40]}" for c in CASES],
)
def test_bad_input_raises_parse_error_naming_the_line_and_what_was_expected(
    tmp_path: Path, key: str, content: bytes, line: int | None, expected: str
) -> None:
    path = tmp_path / "export"
    path.write_bytes(content)
    with pytest.raises(ParseError) as raised:
        list(FORMATS[key](path, OwnerHints(emails=frozenset({"maya@lead.example"}))))
    assert raised.value.line == line
    assert expected in raised.value.expected
    assert str(path) in str(raised.value)


def test_parse_error_message_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    path.write_bytes(CONNECTIONS_HEADER + b"Bob,Smith,,\r\n")
    with pytest.raises(ParseError, match=r"Connections\.csv, line 2: expected 7 fields"):
        list(FORMATS["linkedin-connections"](path, OwnerHints()))

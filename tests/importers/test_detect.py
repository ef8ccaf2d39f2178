"""Telling the format of a file from its head, with its name as a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from takethelead.importers import FORMATS, detect
from tests.importers.conftest import FIXTURES

EXPECTED = {
    "linkedin/Connections.csv": "linkedin-connections",
    "linkedin/Connections_old.csv": "linkedin-connections",
    "linkedin/messages.csv": "linkedin-messages",
    "linkedin/messages_drafts.csv": "linkedin-messages",
    "linkedin/Invitations.csv": "linkedin-invitations",
    "google/contacts.csv": "google-contacts",
    "google/contacts_legacy.csv": "google-contacts",
    "vcard/apple30.vcf": "vcard",
    "vcard/contacts40.vcf": "vcard",
    "mastodon/following_accounts.csv": "mastodon-following",
    "mastodon/following_accounts_old.csv": "mastodon-following",
    "x/account.js": "x-account",
    "x/tweets.js": "x-tweets",
    "x_old/tweet.js": "x-tweets",
    "x/following.js": "x-following",
    "x/follower.js": "x-following",
    "mbox/gmail.mbox": "mbox",
    "ical/calendar.ics": "icalendar",
    "ical/outlook.ics": "icalendar",
}


def test_every_format_key_is_registered() -> None:
    assert sorted(FORMATS) == sorted(
        [
            "linkedin-connections",
            "linkedin-messages",
            "linkedin-invitations",
            "google-contacts",
            "vcard",
            "mastodon-following",
            "x-account",
            "x-tweets",
            "x-following",
            "mbox",
            "icalendar",
        ]
    )


@pytest.mark.parametrize(("name", "key"), sorted(EXPECTED.items()))
def test_every_fixture_is_detected_from_its_content(tmp_path: Path, name: str, key: str) -> None:
    assert detect(FIXTURES / name) == key
    # The content decides, whatever the file is called.
    renamed = tmp_path / "download.bin"
    renamed.write_bytes((FIXTURES / name).read_bytes())
    assert detect(renamed) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Connections.csv", "linkedin-connections"),
        ("following_accounts.csv", "mastodon-following"),
        ("contacts.vcf", "vcard"),
        ("Calendar.ICS", "icalendar"),
        ("All mail Including Spam and Trash.mbox", "mbox"),
        ("tweets.js", "x-tweets"),
        ("notes.txt", None),
    ],
)
def test_the_name_decides_when_the_content_says_nothing(
    tmp_path: Path, name: str, key: str | None
) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert detect(path) == key


def test_unknown_content_and_missing_files_are_none(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"id,amount\n1,2\n")
    assert detect(path) is None
    assert detect(tmp_path / "missing.csv") is None
    other = tmp_path / "like.js"
    other.write_bytes(b"window.YTD.like.part0 = []")
    assert detect(other) is None

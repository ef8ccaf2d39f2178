"""Telling which export a file is, from its first bytes and, failing that, its name."""

from __future__ import annotations

import re
from pathlib import Path

from takethelead.importers.textfile import head

_YTD = re.compile(r"^window\.YTD\.([A-Za-z0-9_]+)\.part\d+\s*=")
_YTD_FORMATS = {
    "account": "x-account",
    "tweets": "x-tweets",
    "tweet": "x-tweets",
    "following": "x-following",
    "follower": "x-following",
}
# Header cells that together identify a CSV export, checked in this order.
_CSV_HEADERS = (
    ("linkedin-messages", ("conversation id", "sender profile url")),
    ("linkedin-connections", ("first name", "last name", "connected on")),
    ("linkedin-invitations", ("from", "to", "sent at", "direction")),
    ("mastodon-following", ("account address",)),
    ("google-contacts", ("first name", "last name", "labels")),
    ("google-contacts", ("given name", "family name", "group membership")),
)
_NAMES = {
    "connections.csv": "linkedin-connections",
    "messages.csv": "linkedin-messages",
    "invitations.csv": "linkedin-invitations",
    "following_accounts.csv": "mastodon-following",
    "contacts.csv": "google-contacts",
    "account.js": "x-account",
    "tweets.js": "x-tweets",
    "tweet.js": "x-tweets",
    "following.js": "x-following",
    "follower.js": "x-following",
}
_SUFFIXES = {
    ".vcf": "vcard",
    ".vcard": "vcard",
    ".ics": "icalendar",
    ".ical": "icalendar",
    ".ifb": "icalendar",
    ".mbox": "mbox",
}
_SNIFFED_LINES = 25


def _by_content(text: str) -> str | None:
    stripped = text.lstrip()
    ytd = _YTD.match(stripped)
    if ytd:
        return _YTD_FORMATS.get(ytd[1])
    upper = stripped[:20].upper()
    if upper.startswith("BEGIN:VCARD"):
        return "vcard"
    if upper.startswith("BEGIN:VCALENDAR"):
        return "icalendar"
    if text.lstrip("\r\n").startswith("From "):
        return "mbox"
    for line in text.splitlines()[:_SNIFFED_LINES]:
        cells = {cell.strip().strip('"').strip().lower() for cell in line.split(",")}
        for key, needed in _CSV_HEADERS:
            if set(needed) <= cells:
                return key
    return None


def _by_name(name: str) -> str | None:
    lowered = name.lower()
    if lowered in _NAMES:
        return _NAMES[lowered]
    return _SUFFIXES.get(Path(lowered).suffix)


def detect(path: Path) -> str | None:
    """The FORMATS key for a file, sniffed from its head, else guessed from its name; or None."""
    try:
        text = head(path)
    except OSError:
        return None
    return _by_content(text) or _by_name(path.name)

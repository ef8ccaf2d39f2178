"""Import parsers: each reads one export format and yields domain records, with no database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from takethelead.domain.records import OwnerHints, ParsedItem
from takethelead.importers import (
    google_contacts,
    ical,
    linkedin_connections,
    linkedin_invitations,
    linkedin_messages,
    mastodon_following,
    mbox,
    vcard,
    x_account,
    x_following,
    x_tweets,
)
from takethelead.importers.detect import detect

Parser = Callable[[Path, OwnerHints], Iterator[ParsedItem]]

FORMATS: dict[str, Parser] = {
    "linkedin-connections": linkedin_connections.parse,
    "linkedin-messages": linkedin_messages.parse,
    "linkedin-invitations": linkedin_invitations.parse,
    "google-contacts": google_contacts.parse,
    "vcard": vcard.parse,
    "mastodon-following": mastodon_following.parse,
    "x-account": x_account.parse,
    "x-tweets": x_tweets.parse,
    "x-following": x_following.parse,
    "mbox": mbox.parse,
    "icalendar": ical.parse,
}

__all__ = ["FORMATS", "Parser", "detect"]

"""vCard 3.0 and 4.0 (and plain 2.1): one person per card, read card by card."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from takethelead.domain.identities import identity, identity_from_url
from takethelead.domain.records import (
    IdentityKind,
    IdentityRecord,
    OwnerHints,
    ParsedItem,
    ParseError,
    PersonRecord,
    SkippedRecord,
)
from takethelead.importers.contentlines import ContentLine, content_lines, split_escaped, unescape
from takethelead.importers.people import unique
from takethelead.importers.textfile import MAX_RECORD_CHARS, too_long

_VERSIONS = {"2.1", "3.0", "4.0"}
_SERVICES = {
    "linkedin": IdentityKind.LINKEDIN,
    "twitter": IdentityKind.X,
    "x": IdentityKind.X,
    "mastodon": IdentityKind.MASTODON,
    "bluesky": IdentityKind.BLUESKY,
}
_BDAY = re.compile(r"^(\d{4}|--)-?(\d{2})-?(\d{2})(?:T.*)?$")


def _service_identity(prop: ContentLine, value: str) -> IdentityRecord | None:
    """An identity from a social profile or IM entry, by its service type or its URL."""
    services = prop.param("TYPE") + prop.param("X-SERVICE-TYPE")
    kind = next((_SERVICES[s] for s in services if s in _SERVICES), None)
    from_url = identity_from_url(value) if value.startswith(("http://", "https://")) else None
    if from_url is not None and (kind is None or from_url.kind == kind):
        return from_url
    if kind is None:
        return None
    # Apple writes the account in X-USER and a placeholder URL such as "x-apple:%40ana".
    user = next(iter(prop.params.get("X-USER", [])), "") or value.split(":", 1)[-1]
    return identity(kind, user)


def _birthday(prop: ContentLine) -> tuple[date | None, str]:
    raw = unescape(prop.value).strip()
    match = _BDAY.match(raw)
    if match is None or "text" in prop.param("VALUE"):
        return None, f"Birthday: {raw}"
    # Apple marks a birthday without a year by writing a placeholder year in a parameter.
    omitted = prop.params.get("X-APPLE-OMIT-YEAR", [])
    if match[1] == "--" or match[1] in omitted:
        return None, f"Birthday: --{match[2]}-{match[3]} (no year)"
    try:
        return date(int(match[1]), int(match[2]), int(match[3])), ""
    except ValueError:
        return None, f"Birthday: {raw}"


@dataclass(slots=True)
class _Card:
    """What the properties of one card said so far."""

    labels: dict[str, str]
    fn: str = ""
    given: str = ""
    family: str = ""
    nickname: str = ""
    company: str = ""
    title: str = ""
    birthday: date | None = None
    notes: list[str] = field(default_factory=list)
    # What has no field of its own is kept after the card's own notes, so nothing is lost.
    extras: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    found: list[IdentityRecord | None] = field(default_factory=list)


def _fn(card: _Card, prop: ContentLine, value: str) -> None:
    card.fn = card.fn or value


def _n(card: _Card, prop: ContentLine, value: str) -> None:
    parts = [*split_escaped(prop.value, ";"), "", ""]
    card.family, card.given = parts[0].strip(), parts[1].strip()


def _nickname(card: _Card, prop: ContentLine, value: str) -> None:
    card.nickname = card.nickname or split_escaped(prop.value, ",")[0].strip()


def _org(card: _Card, prop: ContentLine, value: str) -> None:
    card.company = card.company or split_escaped(prop.value, ";")[0].strip()


def _title(card: _Card, prop: ContentLine, value: str) -> None:
    card.title = card.title or value


def _note(card: _Card, prop: ContentLine, value: str) -> None:
    card.notes.append(unescape(prop.value))


def _categories(card: _Card, prop: ContentLine, value: str) -> None:
    card.tags += [t.strip() for t in split_escaped(prop.value, ",") if t.strip()]


def _bday(card: _Card, prop: ContentLine, value: str) -> None:
    card.birthday, note = _birthday(prop)
    card.extras += [note] if note else []


def _email(card: _Card, prop: ContentLine, value: str) -> None:
    card.found.append(identity(IdentityKind.EMAIL, value))


def _tel(card: _Card, prop: ContentLine, value: str) -> None:
    card.found.append(identity(IdentityKind.PHONE, value.removeprefix("tel:")))


def _url(card: _Card, prop: ContentLine, value: str) -> None:
    label = card.labels.get(prop.group, "")
    labelled = ContentLine(prop.line, prop.group, prop.name, value, {"TYPE": [label]})
    card.found.append(_service_identity(labelled, value) or identity_from_url(value))


def _social(card: _Card, prop: ContentLine, value: str) -> None:
    social = _service_identity(prop, value)
    card.found.append(social)
    if social is None and prop.name == "IMPP":
        card.extras.append(f"IMPP: {value}")


_READERS: dict[str, Callable[[_Card, ContentLine, str], None]] = {
    "FN": _fn,
    "N": _n,
    "NICKNAME": _nickname,
    "ORG": _org,
    "TITLE": _title,
    "NOTE": _note,
    "CATEGORIES": _categories,
    "BDAY": _bday,
    "EMAIL": _email,
    "TEL": _tel,
    "URL": _url,
    "X-SOCIALPROFILE": _social,
    "IMPP": _social,
}


def _checked_version(path: Path, begin: int, props: list[ContentLine]) -> None:
    version = next((p for p in props if p.name == "VERSION"), None)
    if version is None:
        raise ParseError(str(path), begin, "vCard without VERSION (expected VERSION:3.0 or 4.0)")
    if version.value.strip() not in _VERSIONS:
        raise ParseError(
            str(path), version.line, f"expected VERSION:3.0 or 4.0, found {version.value!r}"
        )


def _is_group(prop: ContentLine) -> bool:
    kinds = ("KIND", "X-ADDRESSBOOKSERVER-KIND")
    return prop.name in kinds and unescape(prop.value).strip().lower() == "group"


def _person(path: Path, begin: int, props: list[ContentLine]) -> ParsedItem:
    _checked_version(path, begin, props)
    if any(_is_group(prop) for prop in props):
        return SkippedRecord(begin, "contact group, not a person")
    card = _Card({p.group: unescape(p.value).lower() for p in props if p.name == "X-ABLABEL"})
    for prop in props:
        reader = _READERS.get(prop.name)
        if reader is not None:
            reader(card, prop, unescape(prop.value).strip())
    identities = unique(card.found)
    # FN is required by both versions, but some exporters omit it: fall back to N, then others.
    named = " ".join(p for p in (card.given, card.family) if p)
    full = card.fn or named or card.nickname or card.company
    if not full and not identities:
        return SkippedRecord(begin, "vCard without a name, e-mail, phone or profile")
    return PersonRecord(
        full_name=full or identities[0].display,
        identities=identities,
        first_name=card.given,
        last_name=card.family,
        company=card.company,
        title=card.title,
        notes="\n".join(card.notes + card.extras),
        birthday=card.birthday,
        tags=tuple(dict.fromkeys(card.tags)),
        line=begin,
    )


def parse(path: Path, owner: OwnerHints) -> Iterator[ParsedItem]:
    """Yield a PersonRecord per vCard; ParseError on content outside cards or a missing END."""
    begin, size = 0, 0
    props: list[ContentLine] = []
    for prop in content_lines(path):
        value = prop.value.strip().upper()
        if prop.name == "BEGIN" and value == "VCARD":
            if begin:
                raise ParseError(str(path), begin, "vCard without END:VCARD")
            begin, props, size = prop.line, [], 0
        elif prop.name == "END" and value == "VCARD":
            if not begin:
                raise ParseError(str(path), prop.line, "END:VCARD without BEGIN:VCARD")
            yield _person(path, begin, props)
            begin = 0
        elif not begin:
            found = f"{prop.name}:{prop.value[:30]}"
            raise ParseError(str(path), prop.line, f"expected BEGIN:VCARD, found {found!r}")
        else:
            props.append(prop)
            size += len(prop.value)
            if size > MAX_RECORD_CHARS:
                raise ParseError(str(path), begin, too_long("a vCard", MAX_RECORD_CHARS))
    if begin:
        raise ParseError(str(path), begin, "vCard without END:VCARD")

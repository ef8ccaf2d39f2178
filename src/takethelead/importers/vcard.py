"""vCard 3.0 and 4.0 (and plain 2.1): one person per card, read card by card."""

from __future__ import annotations

import re
from collections.abc import Iterator
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


def _person(path: Path, begin: int, props: list[ContentLine]) -> ParsedItem:
    version = next((p for p in props if p.name == "VERSION"), None)
    if version is None:
        raise ParseError(str(path), begin, "vCard without VERSION (expected VERSION:3.0 or 4.0)")
    if version.value.strip() not in _VERSIONS:
        raise ParseError(
            str(path), version.line, f"expected VERSION:3.0 or 4.0, found {version.value!r}"
        )
    labels = {p.group: unescape(p.value).lower() for p in props if p.name == "X-ABLABEL"}
    found: list[IdentityRecord | None] = []
    fn = given = family = nickname = company = title = ""
    notes: list[str] = []
    # What has no field of its own is kept after the card's own notes, so nothing is lost.
    extras: list[str] = []
    tags: list[str] = []
    birthday: date | None = None
    for prop in props:
        value = unescape(prop.value).strip()
        if prop.name == "FN":
            fn = fn or value
        elif prop.name == "N":
            parts = [*split_escaped(prop.value, ";"), "", ""]
            family, given = parts[0].strip(), parts[1].strip()
        elif prop.name == "NICKNAME":
            nickname = nickname or split_escaped(prop.value, ",")[0].strip()
        elif prop.name == "ORG":
            company = company or split_escaped(prop.value, ";")[0].strip()
        elif prop.name == "TITLE":
            title = title or value
        elif prop.name == "NOTE":
            notes.append(unescape(prop.value))
        elif prop.name == "CATEGORIES":
            tags += [t.strip() for t in split_escaped(prop.value, ",") if t.strip()]
        elif prop.name == "BDAY":
            birthday, note = _birthday(prop)
            extras += [note] if note else []
        elif prop.name == "EMAIL":
            found.append(identity(IdentityKind.EMAIL, value))
        elif prop.name == "TEL":
            found.append(identity(IdentityKind.PHONE, value.removeprefix("tel:")))
        elif prop.name == "URL":
            label = labels.get(prop.group, "")
            labelled = ContentLine(prop.line, prop.group, prop.name, value, {"TYPE": [label]})
            found.append(_service_identity(labelled, value) or identity_from_url(value))
        elif prop.name in ("X-SOCIALPROFILE", "IMPP"):
            social = _service_identity(prop, value)
            found.append(social)
            if social is None and prop.name == "IMPP":
                extras.append(f"IMPP: {value}")
        elif prop.name in ("KIND", "X-ADDRESSBOOKSERVER-KIND") and value.lower() == "group":
            return SkippedRecord(begin, "contact group, not a person")
    identities = unique(found)
    # FN is required by both versions, but some exporters omit it: fall back to N, then others.
    full = fn or " ".join(p for p in (given, family) if p) or nickname or company
    if not full and not identities:
        return SkippedRecord(begin, "vCard without a name, e-mail, phone or profile")
    return PersonRecord(
        full_name=full or identities[0].display,
        identities=identities,
        first_name=given,
        last_name=family,
        company=company,
        title=title,
        notes="\n".join(notes + extras),
        birthday=birthday,
        tags=tuple(dict.fromkeys(tags)),
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

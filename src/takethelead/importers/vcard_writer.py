"""vCard 4.0 (RFC 6350) written from plain records: escaping, folding, one card per person."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TextIO

_FOLD_OCTETS = 75


@dataclass(frozen=True, slots=True)
class Card:
    """What one vCard says about a person; identities are (kind, value) pairs."""

    full_name: str
    first_name: str
    last_name: str
    company: str = ""
    title: str = ""
    birthday: date | None = None
    identities: tuple[tuple[str, str], ...] = ()
    tags: tuple[str, ...] = ()
    notes: str = ""
    offer: str = ""


def escape(value: str) -> str:
    """A text value with the characters vCard gives meaning to escaped."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    for char in line:
        if len((current + char).encode()) > _FOLD_OCTETS:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def _identity_line(kind: str, value: str) -> str:
    if kind == "email":
        return f"EMAIL:{value}"
    if kind == "phone":
        return f"TEL;VALUE=uri:tel:{value}"
    if kind == "linkedin":
        return f"URL;TYPE=linkedin:https://www.linkedin.com/{value}"
    if kind == "website":
        return f"URL:{value}"
    return f"X-SOCIALPROFILE;TYPE={kind}:{escape(value)}"


def card_lines(card: Card) -> list[str]:
    """The card's content lines, unfolded, from BEGIN to END."""
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"FN:{escape(card.full_name)}"]
    lines.append(f"N:{escape(card.last_name)};{escape(card.first_name)};;;")
    if card.company:
        lines.append(f"ORG:{escape(card.company)}")
    if card.title:
        lines.append(f"TITLE:{escape(card.title)}")
    if card.birthday:
        lines.append(f"BDAY:{card.birthday:%Y%m%d}")
    lines.extend(_identity_line(kind, value) for kind, value in card.identities)
    if card.tags:
        lines.append("CATEGORIES:" + ",".join(escape(t) for t in card.tags))
    note = "\n".join(x for x in (card.notes, card.offer and f"Offer: {card.offer}") if x)
    if note:
        lines.append(f"NOTE:{escape(note)}")
    lines.append("END:VCARD")
    return lines


def write_cards(cards: Iterable[Card], out: TextIO) -> int:
    """Write each card, folded, with CRLF line ends; returns how many were written."""
    count = 0
    for card in cards:
        out.write("\r\n".join(fold(line) for line in card_lines(card)) + "\r\n")
        count += 1
    return count

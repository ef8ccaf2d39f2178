"""iCalendar files read component by component, so a large calendar is never held whole."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from takethelead.domain.records import ParseError
from takethelead.importers.textfile import MAX_RECORD_CHARS, lines, too_long

_BEGIN_END = re.compile(r"^(BEGIN|END):([A-Za-z0-9-]+)\s*$", re.IGNORECASE)
_MAILTO = re.compile(r"mailto:([^;:,\s\"]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Block:
    """A top-level component of the calendar (VEVENT, VTIMEZONE, …) as unfolded lines."""

    name: str
    line: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The component as iCalendar text, ready for the icalendar package."""
        return "\r\n".join(self.lines) + "\r\n"

    def participant_emails(self) -> set[str]:
        """Addresses of the ORGANIZER and ATTENDEEs, found without a full parse."""
        found = set()
        for text in self.lines:
            if text[:9].upper() in ("ORGANIZER", "ATTENDEE;", "ATTENDEE:"):
                found |= {m.lower() for m in _MAILTO.findall(text)}
        return found


def _unfolded(path: Path) -> Iterator[tuple[int, str]]:
    start, pending = 0, ""
    for number, raw in lines(path):
        text = raw.rstrip("\r\n")
        if len(pending) + len(text) > MAX_RECORD_CHARS:
            raise ParseError(str(path), start, too_long("a folded line", MAX_RECORD_CHARS))
        if text[:1] in (" ", "\t") and pending:
            pending += text[1:]
            continue
        if pending:
            yield start, pending
        start, pending = number, text
    if pending:
        yield start, pending


def blocks(path: Path) -> Iterator[Block | tuple[str, str]]:
    """Yield each top-level component, and calendar properties as (name, value) pairs."""
    stack: list[tuple[str, int]] = []
    collected: list[str] = []
    block_line, size = 0, 0
    for line, text in _unfolded(path):
        if not text.strip():
            continue
        match = _BEGIN_END.match(text)
        kind, name = (match[1].upper(), match[2].upper()) if match else ("", "")
        if not stack:
            if (kind, name) != ("BEGIN", "VCALENDAR"):
                raise ParseError(str(path), line, f"expected BEGIN:VCALENDAR, found {text[:40]!r}")
            stack.append((name, line))
        elif kind == "BEGIN":
            stack.append((name, line))
            if len(stack) == 2:
                block_line, collected, size = line, [], 0
            collected.append(text)
        elif kind == "END":
            begun, begun_line = stack[-1]
            if name != begun:
                raise ParseError(
                    str(path),
                    line,
                    f"expected END:{begun} (BEGIN at line {begun_line}), found END:{name}",
                )
            stack.pop()
            if stack:
                collected.append(text)
            if len(stack) == 1:
                yield Block(name, block_line, tuple(collected))
        elif len(stack) == 1:
            if ":" not in text:
                raise ParseError(str(path), line, f"expected 'NAME:value', found {text[:40]!r}")
            head, _, value = text.partition(":")
            yield head.split(";", 1)[0].upper(), value
        else:
            collected.append(text)
            size += len(text)
            if size > MAX_RECORD_CHARS:
                raise ParseError(
                    str(path), block_line, too_long(f"the {stack[1][0]}", MAX_RECORD_CHARS)
                )
    if stack:
        name, begun_line = stack[-1]
        raise ParseError(str(path), begun_line, f"{name} without END:{name}")

"""vCard content lines: unfolding, `group.NAME;PARAM=v:value` splitting and text escapes."""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from takethelead.domain.records import ParseError
from takethelead.importers.textfile import MAX_RECORD_CHARS, lines, too_long

_NAME = re.compile(r"^(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)$")
_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", "\\": "\\", ":": ":"}


@dataclass(frozen=True, slots=True)
class ContentLine:
    """One unfolded property: group and name upper-cased, parameter names upper-cased."""

    line: int
    group: str
    name: str
    value: str  # still escaped: how to split it depends on the property
    params: dict[str, list[str]] = field(default_factory=dict)

    def param(self, name: str) -> list[str]:
        """The values of one parameter (by upper-case name), lower-cased."""
        return [v.lower() for v in self.params.get(name, [])]


def split_outside_quotes(text: str, separator: str) -> list[str]:
    """Split on a separator that is not inside double quotes."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def unescape(text: str) -> str:
    r"""Undo the vCard escapes `\,` `\;` `\n` `\\` (unknown escapes keep their backslash)."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPES:
            out.append(_ESCAPES[text[i + 1]])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def split_escaped(text: str, separator: str) -> list[str]:
    r"""Split a structured value on unescaped separators, then unescape each part."""
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if char == separator:
            parts.append(unescape("".join(current)))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append(unescape("".join(current)))
    return parts


def _logical_lines(path: Path) -> Iterator[tuple[int, str]]:
    start, pending = 0, ""
    for number, raw in lines(path):
        text = raw.rstrip("\r\n")
        if len(pending) + len(text) > MAX_RECORD_CHARS:
            raise ParseError(str(path), start, too_long("a folded line", MAX_RECORD_CHARS))
        if text[:1] in (" ", "\t") and pending:
            pending += text[1:]
            continue
        # vCard 2.1 quoted-printable values continue on the next line after a soft "=".
        if pending.endswith("=") and "QUOTED-PRINTABLE" in pending.split(":", 1)[0].upper():
            pending = pending[:-1] + text
            continue
        if pending:
            yield start, pending
        start, pending = number, text
        if not text.strip():
            pending = ""
    if pending:
        yield start, pending


def _parse(path: Path, line: int, text: str) -> ContentLine:
    head_end, quoted = -1, False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            head_end = index
            break
    if head_end < 0:
        raise ParseError(str(path), line, f"expected 'NAME:value', found {text[:60]!r}")
    head, value = text[:head_end], text[head_end + 1 :]
    name_part, *param_parts = split_outside_quotes(head, ";")
    match = _NAME.match(name_part.strip())
    if not match:
        raise ParseError(str(path), line, f"expected a property name, found {name_part[:60]!r}")
    params: dict[str, list[str]] = {}
    for part in param_parts:
        key, has_value, raw = part.partition("=")
        if not has_value:
            # vCard 2.1 writes bare types: "TEL;WORK;VOICE:".
            key, raw = "TYPE", part
        items = [v.strip().strip('"') for v in split_outside_quotes(raw, ",")]
        params.setdefault(key.strip().upper(), []).extend(v for v in items if v)
    if "QUOTED-PRINTABLE" in [e.upper() for e in params.get("ENCODING", [])]:
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        try:
            value = quopri.decodestring(value.encode("utf-8")).decode(charset)
        except (LookupError, UnicodeDecodeError) as error:
            raise ParseError(
                str(path), line, f"undecodable quoted-printable value: {error}"
            ) from None
    return ContentLine(
        line=line,
        group=(match[1] or "").upper(),
        name=match[2].upper(),
        value=value,
        params=params,
    )


def content_lines(path: Path) -> Iterator[ContentLine]:
    """Yield each unfolded content line with the physical line where it starts."""
    for line, text in _logical_lines(path):
        yield _parse(path, line, text)

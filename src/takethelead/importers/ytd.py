"""X archive data files: `window.YTD.<name>.part0 = [ … ]`, read element by element.

The array is never evaluated and never loaded whole: elements are decoded one at a time
with json's raw_decode over a sliding buffer of lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from takethelead.domain.records import ParseError
from takethelead.importers.textfile import lines

_PREFIX = re.compile(r"^\s*window\.YTD\.([A-Za-z0-9_]+)\.part(\d+)\s*=\s*$")
# The prefix must end within this many characters; beyond it the file is not an archive file.
_PREFIX_LIMIT = 4096
# A single archive element larger than this is taken as a sign of broken JSON.
_ELEMENT_LIMIT = 16 * 1024 * 1024
_REFILL = 65536
_WHITESPACE = " \t\r\n"


class _Buffer:
    """Text read so far, a cursor into it, and the line number at the cursor."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._source = lines(path)
        self.text = ""
        self.pos = 0
        self.eof = False
        self._mark = 0
        self._mark_line = 1

    def refill(self, at_least: int = _REFILL) -> bool:
        """Read more lines; False when the file has ended."""
        if self.eof:
            return False
        if self.pos > _REFILL:
            self.line_at(self.pos)
            self.text, self._mark, self.pos = self.text[self.pos :], 0, 0
        added: list[str] = []
        size = 0
        for _, text in self._source:
            added.append(text)
            size += len(text)
            if size >= at_least:
                break
        else:
            self.eof = True
        self.text += "".join(added)
        return bool(added)

    def line_at(self, index: int) -> int:
        """The 1-based line of a position at or after the last one asked for."""
        self._mark_line += self.text.count("\n", self._mark, index)
        self._mark = index
        return self._mark_line

    def skip_whitespace(self) -> str:
        """Move past whitespace and return the next character, or '' at the end of the file."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.refill():
                return ""


def _prefix(buffer: _Buffer, names: tuple[str, ...]) -> str:
    while "[" not in buffer.text and len(buffer.text) < _PREFIX_LIMIT and buffer.refill(256):
        pass
    start = buffer.text.find("[", 0, _PREFIX_LIMIT)
    expected = f"window.YTD.{names[0]}.part0 = ["
    if start < 0:
        raise ParseError(str(buffer.path), 1, f"expected '{expected}' at the start")
    match = _PREFIX.match(buffer.text[:start])
    if match is None:
        raise ParseError(str(buffer.path), 1, f"expected '{expected}' at the start")
    if match[1] not in names:
        found = buffer.text[:start].strip()
        raise ParseError(str(buffer.path), 1, f"expected '{expected}', found '{found} ['")
    buffer.pos = start + 1
    return buffer.text[:start].strip()


def items(path: Path, names: tuple[str, ...]) -> Iterator[tuple[int, object]]:
    """Yield (line, element) for each element of the array; names[0] is the expected name."""
    buffer = _Buffer(path)
    prefix = _prefix(buffer, names)
    decoder = json.JSONDecoder()
    first = True
    while True:
        char = buffer.skip_whitespace()
        if char == "]":
            buffer.pos += 1
            break
        if not first:
            if char != ",":
                line = buffer.line_at(buffer.pos)
                shown = repr(char) if char else "the end of the file"
                raise ParseError(
                    str(path), line, f"expected ',' or ']' in the array, found {shown}"
                )
            buffer.pos += 1
            char = buffer.skip_whitespace()
        if not char:
            raise ParseError(str(path), buffer.line_at(buffer.pos), "array without its closing ']'")
        while True:
            try:
                element, end = decoder.raw_decode(buffer.text, buffer.pos)
            except json.JSONDecodeError as error:
                # Kept relative to the element: refilling may move the text in the buffer.
                offset = error.pos - buffer.pos
                pending = len(buffer.text) - buffer.pos
                if pending < _ELEMENT_LIMIT and buffer.refill(max(pending, _REFILL)):
                    continue
                line = buffer.line_at(min(buffer.pos + offset, len(buffer.text)))
                raise ParseError(
                    str(path), line, f"invalid JSON after the '{prefix}' prefix: {error.msg}"
                ) from None
            # A value that ends exactly where the buffer does may continue in the next lines.
            if end == len(buffer.text) and buffer.refill():
                continue
            break
        yield buffer.line_at(buffer.pos), element
        buffer.pos = end
        first = False
    while True:
        rest = buffer.text[buffer.pos :].strip().rstrip(";").strip()
        if rest:
            line = buffer.line_at(buffer.text.index(rest[0], buffer.pos))
            raise ParseError(
                str(path), line, f"expected nothing after the array, found {rest[:30]!r}"
            )
        buffer.pos = len(buffer.text)
        if not buffer.refill():
            return

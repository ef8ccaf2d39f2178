"""CSV exports as rows keyed by header name, each with the physical line where it starts."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from takethelead.domain.records import ParseError
from takethelead.importers.textfile import lines

# Exports put a few lines of notes before the header (LinkedIn); more than this is not a header.
HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: cells keyed by lower-cased header name."""

    line: int
    cells: dict[str, str]

    def get(self, *names: str) -> str:
        """The first present cell among the given (lower-case) header names, or ''."""
        for name in names:
            value = self.cells.get(name)
            if value is not None:
                return value
        return ""


def header_key(cell: str) -> str:
    """How a header cell is looked up: trimmed, lower-case, without a stray BOM."""
    return cell.replace("\ufeff", "").strip().lower()


def records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (start line, cells) for every CSV record, blank lines included as []."""
    source = lines(path)
    reader = csv.reader((text for _, text in source), strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ParseError(str(path), start, _explain(error, start)) from None
        yield start, cells
        start = reader.line_num + 1


def _explain(error: csv.Error, start: int) -> str:
    message = str(error)
    if "unexpected end of data" in message:
        return f"unclosed quote starting at line {start}"
    if "field larger than field limit" in message:
        return f"a field longer than {csv.field_size_limit()} characters (unclosed quote?)"
    if "expected after" in message:
        return "expected ',' right after a closing quote"
    return f"malformed CSV: {message}"


def rows(path: Path, is_header: Callable[[set[str]], bool], expected: str) -> Iterator[Row]:
    """Find the header among the first rows, then yield each data row; ParseError on bad rows."""
    source = records(path)
    header: list[str] | None = None
    last_line = 0
    for count, (line, cells) in enumerate(source):
        last_line = line
        if count >= HEADER_SEARCH_ROWS:
            break
        keys = [header_key(cell) for cell in cells]
        if is_header(set(keys)):
            header = keys
            break
    if header is None:
        raise ParseError(
            str(path), last_line, f"expected the header '{expected}' before line {last_line + 1}"
        )
    width = len(header)
    for line, cells in source:
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if len(cells) < width:
            raise ParseError(
                str(path),
                line,
                f"expected {width} fields as in the header, found {len(cells)} (truncated row)",
            )
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            raise ParseError(
                str(path), line, f"expected {width} fields as in the header, found {len(cells)}"
            )
        # A CRLF inside a quoted cell is the file's line ending, not part of the text.
        texts = [cell.replace("\r\n", "\n") for cell in cells]
        yield Row(line=line, cells=dict(zip(header, texts, strict=False)))

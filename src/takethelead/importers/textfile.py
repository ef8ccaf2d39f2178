"""Reading an export as UTF-8 text, one physical line at a time, with exact error positions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from takethelead.domain.records import ParseError

_BOM = b"\xef\xbb\xbf"


def lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line number, text with its line ending); ParseError for binary, non-UTF-8 or empty."""
    offset = 0
    number = 0
    seen_text = False
    # Binary mode keeps "\r\n" intact (csv needs it inside quoted fields) and gives byte offsets.
    with path.open("rb") as handle:
        for raw in handle:
            number += 1
            chunk = raw
            if number == 1 and chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
                offset += len(_BOM)
            nul = chunk.find(b"\x00")
            if nul >= 0:
                raise ParseError(
                    str(path), number, f"binary file (NUL byte at offset {offset + nul})"
                )
            try:
                text = chunk.decode("utf-8")
            except UnicodeDecodeError as error:
                byte = chunk[error.start]
                raise ParseError(
                    str(path),
                    number,
                    f"file is not UTF-8 text (byte 0x{byte:02x} at offset {offset + error.start})",
                ) from None
            offset += len(chunk)
            seen_text = seen_text or bool(text.strip())
            yield number, text
    if not seen_text:
        raise ParseError(str(path), None, "empty file")


def head(path: Path, size: int = 65536) -> str:
    """The first bytes of a file as text (BOM removed, undecodable bytes replaced), for sniffing."""
    with path.open("rb") as handle:
        data = handle.read(size)
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    return data.decode("utf-8", errors="replace")

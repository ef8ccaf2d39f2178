"""Reading an export as UTF-8 text, one physical line at a time, with exact error positions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

from takethelead.domain.records import ParseError

# No export writes a physical line this long; reading one whole would hold it all in memory.
MAX_LINE_BYTES: Final = 1 << 20
# An unfolded line or one record (a vCard, a calendar component) made of many lines.
MAX_RECORD_CHARS: Final = 16 << 20
_BOM = b"\xef\xbb\xbf"


def lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line number, text with its ending); ParseError: binary, not UTF-8, empty, too long."""
    offset = 0
    number = 0
    seen_text = False
    # Binary mode keeps "\r\n" intact (csv needs it inside quoted fields) and gives byte offsets.
    with path.open("rb") as handle:
        while raw := handle.readline(MAX_LINE_BYTES + 1):
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
            if len(raw) > MAX_LINE_BYTES:
                raise ParseError(str(path), number, too_long("a line"))
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


def too_long(what: str, limit: int = MAX_LINE_BYTES) -> str:
    """The error for a line or record past its limit."""
    return f"{what} longer than {limit >> 20} MiB; this is not an export we can read"


def head(path: Path, size: int = 65536) -> str:
    """The first bytes of a file as text (BOM removed, undecodable bytes replaced), for sniffing."""
    with path.open("rb") as handle:
        data = handle.read(size)
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    return data.decode("utf-8", errors="replace")

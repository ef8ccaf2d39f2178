"""Unpacking a .zip export into a temporary folder, refusing zip bombs and escaping paths.

Every limit is checked twice: on the sizes the archive declares, before anything is
written, and on the bytes actually produced while unpacking, because declared sizes can lie.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Final

from takethelead.domain.records import ParseError

MAX_MEMBER_BYTES: Final = 1 << 30  # one file of an export: 1 GiB
MAX_TOTAL_BYTES: Final = 2 << 30  # all the files we unpack together: 2 GiB
MAX_MEMBERS: Final = 10_000
# Exports compress 5 to 20 times; a member (or the archive) beyond this ratio is a bomb.
MAX_RATIO: Final = 100
RATIO_FROM_BYTES: Final = 1 << 20  # small members may compress better: no ratio check below this
_CHUNK = 1 << 16
# A folder this old was left by a process that died mid-import (no import takes this long).
STALE_SECONDS: Final = 6 * 3600
# Media and nested archives are never read by an importer: they are not unpacked at all.
_NOT_READ = frozenset({
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".bmp", ".tif", ".tiff", ".svg",
    ".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv", ".mp3", ".m4a", ".wav", ".ogg", ".opus",
    ".pdf", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar",
})  # fmt: skip


@contextmanager
def unpacked(archive: Path) -> Iterator[Path]:
    """The archive's readable files in a private temporary folder, removed afterwards."""
    remove_stale("lead-import-")
    folder = Path(tempfile.mkdtemp(prefix="lead-import-"))
    try:
        _extract(archive, folder)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale(prefix: str, older_than: float = STALE_SECONDS) -> None:
    """Remove temporary folders of ours that a killed process could not remove itself."""
    until = time.time() - older_than
    for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        try:
            stale = folder.is_dir() and folder.stat().st_mtime < until
        except OSError:
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)


def _refuse(archive: Path, why: str) -> ParseError:
    return ParseError(str(archive), None, why)


def _extract(archive: Path, into: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = _vetted(archive, bundle.infolist())
            written = 0
            for info in members:
                written += _copy(archive, bundle, info, into, MAX_TOTAL_BYTES - written)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _refuse(archive, f"not a readable zip archive ({exc})") from None
    except (NotImplementedError, RuntimeError) as exc:  # unknown compression, encryption
        raise _refuse(archive, f"a zip archive we cannot unpack ({exc})") from None


def _vetted(archive: Path, infos: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """The members to unpack, after checking names and declared sizes of all of them."""
    if len(infos) > MAX_MEMBERS:
        raise _refuse(archive, f"{len(infos)} files inside, more than the {MAX_MEMBERS} allowed")
    chosen: list[zipfile.ZipInfo] = []
    for info in infos:
        _check_name(archive, info)
        if info.is_dir() or PurePosixPath(info.filename).suffix.lower() in _NOT_READ:
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            raise _refuse(
                archive,
                f"member {info.filename!r} unpacks to {info.file_size >> 20} MiB, "
                f"more than the {MAX_MEMBER_BYTES >> 20} MiB allowed for one file",
            )
        if _too_compressed(info.file_size, info.compress_size):
            raise _refuse(archive, _ratio_message(info, info.file_size))
        chosen.append(info)
    total = sum(info.file_size for info in chosen)
    if total > MAX_TOTAL_BYTES:
        raise _refuse(
            archive,
            f"unpacks to {total >> 20} MiB, more than the {MAX_TOTAL_BYTES >> 20} MiB allowed",
        )
    packed = sum(info.compress_size for info in chosen)
    if total > 16 * RATIO_FROM_BYTES and total > MAX_RATIO * max(packed, 1):
        raise _refuse(
            archive,
            f"its files unpack to {total // max(packed, 1)} times their compressed size "
            f"(more than {MAX_RATIO} to 1 is taken for a zip bomb)",
        )
    return chosen


def _check_name(archive: Path, info: zipfile.ZipInfo) -> None:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    drive = len(parts[0]) == 2 and parts[0][1] == ":" if parts else False
    if not parts or name.startswith(("/", "\\")) or ".." in parts or drive:
        raise _refuse(archive, f"member {name!r} points outside the archive's folder")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _refuse(archive, f"member {name!r} is a symbolic link, which an export never has")


def _too_compressed(size: int, packed: int) -> bool:
    return size > RATIO_FROM_BYTES and size > MAX_RATIO * max(packed, 1)


def _ratio_message(info: zipfile.ZipInfo, size: int) -> str:
    ratio = size // max(info.compress_size, 1)
    return (
        f"member {info.filename!r} is compressed {ratio} to 1 "
        f"(more than {MAX_RATIO} to 1 is taken for a zip bomb)"
    )


def _copy(
    archive: Path, bundle: zipfile.ZipFile, info: zipfile.ZipInfo, into: Path, room: int
) -> int:
    """Unpack one member counting its bytes; the number written."""
    target = into.joinpath(*PurePosixPath(info.filename.replace("\\", "/")).parts)
    if not target.resolve().is_relative_to(into.resolve()):
        raise _refuse(archive, f"member {info.filename!r} points outside the archive's folder")
    limit = min(info.file_size, MAX_MEMBER_BYTES)
    written = 0
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with bundle.open(info) as source, target.open("wb") as out:
            while block := source.read(_CHUNK):
                written += len(block)
                if written > limit:
                    raise _refuse(
                        archive,
                        f"member {info.filename!r} unpacks to more than the "
                        f"{info.file_size} bytes it declares",
                    )
                if _too_compressed(written, info.compress_size):
                    raise _refuse(archive, _ratio_message(info, written))
                if written > room:
                    raise _refuse(
                        archive, f"unpacks to more than the {MAX_TOTAL_BYTES >> 20} MiB allowed"
                    )
                out.write(block)
    except OSError as exc:
        raise _refuse(archive, f"member {info.filename!r} cannot be unpacked ({exc})") from None
    return written

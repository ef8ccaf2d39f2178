"""Files only their owner may read: the data directory 0700, the SQLite database 0600.

Modes are set with chmod after creation, so the process's umask cannot widen them. A data
directory or database left readable by others (lead.db was 0644 before) is tightened when
it is opened, and a warning says so once; only files the running user owns are changed.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
# SQLite's companions of a database file in WAL mode (and in rollback mode, the journal).
SQLITE_SUFFIXES = ("-wal", "-shm", "-journal")

log = logging.getLogger(__name__)


def _tighten(path: Path, mode: int) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if stat.S_IMODE(info.st_mode) & ~mode and info.st_uid == os.getuid():
        log.warning(
            "%s was open to other users (mode %o); set to %o",
            path,
            stat.S_IMODE(info.st_mode),
            mode,
        )
        os.chmod(path, mode)


def private_dir(path: Path) -> Path:
    """Create the directory (parents with the usual mode) and make it 0700."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create the file empty with mode 0600 unless it exists; make an existing one 0600."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        _tighten(path, FILE_MODE)
        return path
    os.fchmod(descriptor, FILE_MODE)
    os.close(descriptor)
    return path


def private_sqlite(path: Path) -> None:
    """The database file 0600 before SQLite opens it, and its -wal and -shm once they exist."""
    private_file(path)
    for suffix in SQLITE_SUFFIXES:
        _tighten(path.with_name(path.name + suffix), FILE_MODE)

"""Uploaded files land in a private temporary folder under their own (cleaned) name."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile

from takethelead.importers.archive import remove_stale
from takethelead.services.core.errors import ServiceError
from takethelead.web.limits import MAX_BYTES, UploadTooLarge

_UNSAFE = re.compile(r"[^\w.\- ]+")
_FOLDER = re.compile(r"/\S*?lead-(?:upload|import)-[^/]+/")


@contextmanager
def saved(upload: UploadFile) -> Iterator[Path]:
    """The upload as a file on disk (removed afterwards); the importer detects its format."""
    name = _UNSAFE.sub("_", Path(upload.filename or "upload").name).strip(". ") or "upload"
    remove_stale("lead-upload-")
    folder = Path(tempfile.mkdtemp(prefix="lead-upload-"))
    try:
        path = folder / name
        written = 0
        with path.open("wb") as out:
            while block := upload.file.read(1 << 20):
                written += len(block)
                if written > MAX_BYTES:
                    raise UploadTooLarge()
                out.write(block)
        if written == 0:
            raise ServiceError(f"file {name!r}: it is empty")
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def public(message: str) -> str:
    """An error message without the private temporary folder the upload was kept in."""
    return _FOLDER.sub("", message)

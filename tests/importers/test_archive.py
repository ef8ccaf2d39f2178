"""Zip exports: caps on each member, on the whole archive and on compression, checked on the
declared sizes and on the bytes written; no escaping paths or links; nothing left behind."""

from __future__ import annotations

import os
import struct
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from takethelead.domain.records import ParseError
from takethelead.importers.archive import MAX_MEMBERS, unpacked
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.ingest.exchange import import_path
from takethelead.storage.tables import Person

FIXTURES = Path(__file__).parent / "fixtures"
MIB = 1 << 20
_CENTRAL = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Temporary folders go here, so a test sees exactly what unpacking left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert list(folder.iterdir()) == [], "an extraction folder was left behind"


def _zeros(bundle: zipfile.ZipFile, name: str, size: int) -> None:
    with bundle.open(name, "w") as out:
        for _ in range(size // MIB):
            out.write(bytes(MIB))


def _declare(archive: Path, sizes: dict[str, tuple[int, int]]) -> None:
    """Rewrite the (compressed, uncompressed) sizes the archive declares for some members."""
    data = bytearray(archive.read_bytes())
    # (signature, where the two sizes are, where the name's length is, where the name starts)
    for signature, sizes_at, length_at, name_at in ((_CENTRAL, 20, 28, 46), (_LOCAL, 18, 26, 30)):
        at = data.find(signature)
        while at >= 0:
            (length,) = struct.unpack_from("<H", data, at + length_at)
            name = bytes(data[at + name_at : at + name_at + length]).decode()
            if name in sizes:
                struct.pack_into("<II", data, at + sizes_at, *sizes[name])
            at = data.find(signature, at + 4)
    archive.write_bytes(bytes(data))


def _import(store: Store, archive: Path) -> None:
    with store.transaction() as session:
        import_path(session, workspace_id(session, "default"), archive)


def _people(store: Store) -> int:
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(Person)) or 0


def test_a_member_compressed_more_than_100_to_1_is_refused(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        _zeros(bundle, "Connections.csv", 64 * MIB)
    assert archive.stat().st_size < MIB
    with pytest.raises(ParseError, match=r"member 'Connections.csv' is compressed \d+ to 1"):
        _import(store, archive)


def test_a_member_declaring_more_than_1_gib_is_refused_before_anything_is_read(
    store: Store, tmp_path: Path
) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as bundle:
        bundle.writestr("Connections.csv", b"x" * 1000)
    _declare(archive, {"Connections.csv": (600 * MIB, 1500 * MIB)})
    expected = "member 'Connections.csv' unpacks to 1500 MiB, more than the 1024 MiB allowed"
    with pytest.raises(ParseError, match=expected):
        _import(store, archive)


def test_members_declaring_more_than_2_gib_together_are_refused(
    store: Store, tmp_path: Path
) -> None:
    archive = tmp_path / "export.zip"
    names = [f"part{n}.csv" for n in range(3)]
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as bundle:
        for name in names:
            bundle.writestr(name, b"x" * 1000)
    _declare(archive, {name: (300 * MIB, 900 * MIB) for name in names})
    with pytest.raises(ParseError, match="unpacks to 2700 MiB, more than the 2048 MiB allowed"):
        _import(store, archive)


def test_many_small_members_that_compress_like_a_bomb_together_are_refused(
    store: Store, tmp_path: Path
) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for n in range(40):  # each at the size below which one member's ratio is not checked
            _zeros(bundle, f"part-{n}/Connections.csv", MIB)
    with pytest.raises(ParseError, match=r"its files unpack to \d+ times their compressed size"):
        _import(store, archive)


def test_an_archive_of_more_members_than_allowed_is_refused(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for n in range(MAX_MEMBERS + 1):
            bundle.writestr(f"f{n}.txt", b"")
    with pytest.raises(ParseError, match="10001 files inside, more than the 10000 allowed"):
        _import(store, archive)


def test_a_symbolic_link_member_is_refused(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    link = zipfile.ZipInfo("Connections.csv")
    link.external_attr = 0o120777 << 16
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(link, "/etc/passwd")
    with pytest.raises(ParseError, match=r"'Connections\.csv' is a symbolic link"):
        _import(store, archive)


@pytest.mark.parametrize("name", ["/etc/cron.d/lead", "C:/Windows/lead.csv", "a/../../b.csv"])
def test_a_member_outside_the_folder_is_refused(store: Store, tmp_path: Path, name: str) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(zipfile.ZipInfo(name), "x")
    with pytest.raises(ParseError, match="points outside the archive's folder"):
        _import(store, archive)


def test_a_member_that_unpacks_to_more_than_it_declares_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("Connections.csv", "First Name,Last Name\r\n" * 100_000)
    with zipfile.ZipFile(archive) as bundle:
        packed = bundle.getinfo("Connections.csv").compress_size
    _declare(archive, {"Connections.csv": (packed, 1000)})
    # Caught on the bytes read: zipfile stops at the declared size and the CRC fails.
    with pytest.raises(ParseError, match=r"export\.zip: not a readable zip"), unpacked(archive):
        pass


def test_a_corrupt_member_after_a_good_one_leaves_no_folder(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as bundle:
        bundle.writestr("a.csv", "good\n")
        bundle.writestr("b.csv", "bad bytes here\n")
    data = archive.read_bytes()
    archive.write_bytes(data.replace(b"bad bytes here", b"BAD BYTES HERE"))
    with pytest.raises(ParseError, match="not a readable zip archive"), unpacked(archive):
        pass


def test_the_folder_is_removed_when_the_import_fails_inside_it(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(FIXTURES / "x" / "account.js", "data/account.js")
    with pytest.raises(KeyboardInterrupt), unpacked(archive) as folder:
        assert (folder / "data" / "account.js").is_file()
        raise KeyboardInterrupt  # interrupted mid-import


def test_media_and_nested_archives_are_not_unpacked(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "twitter.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.write(FIXTURES / "x" / "account.js", "data/account.js")
        _zeros(bundle, "data/tweets_media/1-a.jpg", 64 * MIB)
        _zeros(bundle, "data/archive.zip", 64 * MIB)
    with unpacked(archive) as folder:
        assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*.*")) == [
            "data/account.js"
        ]
    _import(store, archive)
    assert _people(store) == 1


def test_folders_left_by_a_killed_import_are_removed_by_the_next_one(
    tmp_path: Path, private_tmp: Path
) -> None:
    left = private_tmp / "lead-import-killed"
    (left / "data").mkdir(parents=True)
    (left / "data" / "Connections.csv").write_text("x")
    week_ago = time.time() - 7 * 24 * 3600
    os.utime(left, (week_ago, week_ago))
    running = private_tmp / "lead-import-running"  # another process's import, under way
    running.mkdir()
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(FIXTURES / "x" / "account.js", "data/account.js")
    with unpacked(archive):
        assert not left.exists()
        assert running.exists()
    running.rmdir()

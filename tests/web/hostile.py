"""Hostile uploads against a real `lead serve`: zip bombs built by streaming, raw HTTP bodies,
and the server's peak memory from /proc. Used by tests/web/test_hostile_uploads.py and
bench/hostile_uploads.py."""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from takethelead.config import Settings
from takethelead.services.auth import accounts
from takethelead.services.core.store import Store

EMAIL = "mallory@example.org"
PASSWORD = "correct horse battery staple"
MIB = 1 << 20
_ZEROS = bytes(MIB)


def write_bomb(path: Path, size: int, member: str = "Connections.csv") -> Path:
    """A zip of one member of `size` NUL bytes, written a MiB at a time (about 1 KiB per MiB)."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bundle,
        bundle.open(member, "w", force_zip64=True) as out,
    ):
        for _ in range(size // MIB):
            out.write(_ZEROS)
    return path


def write_nested(path: Path, inner: Path) -> Path:
    """A zip holding the bomb `inner` as a member (stored: it is compressed already)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as bundle:
        bundle.write(inner, "Basic_LinkedInDataExport.zip")
    return path


def write_many(path: Path, count: int, each: int = MIB) -> Path:
    """A zip of `count` members of `each` NUL bytes: each one at the size a ratio check starts."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        for n in range(count):
            with bundle.open(f"part-{n:05}/Connections.csv", "w") as out:
                for _ in range(each // MIB):
                    out.write(_ZEROS)
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A running `lead serve`, its own temp folder, and an owner's API token."""

    process: subprocess.Popen[bytes]
    port: int
    tmp: Path
    token: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far (VmHWM), in MB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        assert found is not None
        return int(found.group(1)) / 1024

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.base}/login", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    def leftovers(self) -> list[str]:
        """Upload and extraction folders (or spooled files) left in the server's temp folder."""
        return sorted(p.name for p in self.tmp.iterdir())

    def signed_in(self) -> httpx.Client:
        """A browser-like client signed in through the form, with the import page's CSRF token."""
        client = httpx.Client(base_url=self.base, timeout=300)
        csrf = _csrf(client.get("/login").text)
        answer = client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                              "csrf_token": csrf})  # fmt: skip
        assert answer.status_code == 303, answer.text
        client.headers["x-csrf-token"] = _csrf(client.get("/import").text)
        return client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found is not None
    return found.group(1)


@contextmanager
def serving(folder: Path) -> Iterator[Server]:
    """`lead serve` on a fresh SQLite data dir with one owner; stopped afterwards."""
    data, tmp = folder / "data", folder / "tmp"
    tmp.mkdir(parents=True)
    env = {**os.environ, "LEAD_DATA_DIR": str(data), "LEAD_ENV": "development",
           "TMPDIR": str(tmp)}  # fmt: skip
    env.pop("DATABASE_URL", None)
    store = Store.open(Settings.from_env({"LEAD_DATA_DIR": str(data), "LEAD_ENV": "development"}))
    with store.transaction() as session:
        accounts.add_user(session, EMAIL, PASSWORD, "hostile", "owner")
        token = accounts.issue_token(session, EMAIL, "hostile", "hostile")
    store.close()
    port = free_port()
    lead = Path(sys.executable).with_name("lead")
    process = subprocess.Popen(
        [str(lead), "serve", "--port", str(port), "--no-access-log"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    server = Server(process, port, tmp, token)
    try:
        until = time.monotonic() + 60
        while not server.answers():
            assert process.poll() is None, "lead serve exited"
            assert time.monotonic() < until, "lead serve did not start"
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class RawAnswer:
    status: int
    body: str
    sent: int  # body bytes the client managed to send before the answer


def raw_post(
    port: int, path: str, headers: dict[str, str], body: Iterator[bytes], chunked: bool = False
) -> RawAnswer:
    """POST over a plain socket, sending the body until the server answers (or it ends)."""
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", *(f"{k}: {v}" for k, v in
             headers.items())]  # fmt: skip
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            for block in body:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered: stop sending
                sock.sendall(b"%x\r\n%s\r\n" % (len(block), block) if chunked else block)
                sent += len(block)
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed after answering: the answer is still to be read
        received = b""
        try:
            while b"\r\n\r\n" not in received or not _complete(received):
                data = sock.recv(65536)
                if not data:
                    break
                received += data
        except ConnectionResetError:
            pass
    head, _, rest = received.partition(b"\r\n\r\n")
    assert head, f"no answer from the server after {sent} bytes"
    status = int(head.split()[1])
    return RawAnswer(status, rest.decode("utf-8", "replace"), sent)


def _complete(received: bytes) -> bool:
    head, _, rest = received.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return length is not None and len(rest) >= int(length.group(1))


def multipart_of_zeros(total: int, boundary: str = "hostile") -> Iterator[bytes]:
    """A multipart form whose file part is `total` NUL bytes, a MiB at a time."""
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    for start in range(0, total, MIB):
        yield _ZEROS if total - start >= MIB else bytes(total - start)
    yield f"\r\n--{boundary}--\r\n".encode()

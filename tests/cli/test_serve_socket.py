"""`lead serve --workers N`: a socket per worker on one port, Nagle off, a supervisor that
restarts a dead worker and stops them all."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from takethelead.cli.serve import tcp_socket


def test_connections_accepted_on_the_shared_socket_have_nagle_turned_off() -> None:
    listening = tcp_socket("127.0.0.1", 0)
    listening.listen()
    port = listening.getsockname()[1]
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted = transport.get_extra_info("socket")
            seen.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listening)
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    assert seen and seen[0] != 0


def test_a_port_in_use_is_a_clear_error() -> None:
    taken = tcp_socket("127.0.0.1", 0)
    taken.listen()
    port = taken.getsockname()[1]
    try:
        tcp_socket("127.0.0.1", port)
    except BaseException as exc:  # typer.Exit after the one-line message
        assert type(exc).__name__ == "Exit"
    else:
        raise AssertionError("binding a taken port should fail")
    finally:
        taken.close()


def test_worker_sockets_share_the_port_and_a_plain_bind_still_sees_it_taken() -> None:
    first = tcp_socket("127.0.0.1", 0, reuse_port=True)
    first.listen()
    port = first.getsockname()[1]
    second = tcp_socket("127.0.0.1", port, reuse_port=True)  # a second worker's socket
    second.listen()
    try:
        tcp_socket("127.0.0.1", port)  # what `lead serve` checks before starting workers
    except BaseException as exc:
        assert type(exc).__name__ == "Exit"
    else:
        raise AssertionError("a port held by running workers should be refused")
    finally:
        first.close()
        second.close()


def _children(parent: int) -> set[int]:
    """The web processes of a `lead serve` (not multiprocessing's resource tracker)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == parent and fields[0] != "Z" and b"spawn_main" in command:
            found.add(int(stat.parent.name))
    return found


def _wait(check: Callable[[], bool], seconds: float = 60) -> bool:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_lead_serve_runs_workers_restarts_a_dead_one_and_stops_them_all(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {**os.environ, "LEAD_DATA_DIR": str(tmp_path), "LEAD_ENV": "development"}
    env.pop("DATABASE_URL", None)
    lead = Path(sys.executable).with_name("lead")
    parent = subprocess.Popen(
        [str(lead), "serve", "--port", str(port), "--workers", "2", "--no-access-log"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/login"

    def answers() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code in (200, 302)  # 302: to /setup
        except httpx.TransportError:
            return False

    try:
        assert _wait(answers)
        assert _wait(lambda: len(_children(parent.pid)) >= 2)
        victim = min(_children(parent.pid))
        os.kill(victim, signal.SIGKILL)
        assert _wait(
            lambda: victim not in _children(parent.pid) and len(_children(parent.pid)) >= 2
        )
        assert _wait(answers)
        workers = _children(parent.pid)
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=60) == 0
        assert _wait(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers))
    finally:
        if parent.poll() is None:
            parent.kill()

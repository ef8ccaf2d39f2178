"""`lead serve`: the web app and the JSON API."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
import time
from typing import Annotated, Any, Final

import typer

from takethelead.cli.state import STATE, console, fail, friendly

STARTUP_FAILED: Final = 3  # uvicorn's exit code when the app or its socket cannot start


def tcp_socket(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A listening socket that says it is TCP; with `reuse_port`, one of several on the port.

    asyncio turns Nagle's algorithm off only on sockets created with IPPROTO_TCP; without it
    every response on a kept-alive connection waits for a delayed ACK, about 40 ms.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        fail(f"--port {port}: cannot listen on {host}:{port} ({exc.strerror})")
    sock.set_inheritable(True)
    return sock


@friendly
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Processes (more than one reads settings from the environment).")
    ] = 1,
    secure_cookies: Annotated[
        bool, typer.Option(help="Mark cookies Secure (behind an https proxy).")
    ] = False,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Addresses of reverse proxies whose X-Forwarded-For/-Proto to believe, "
            "comma-separated (default: LEAD_FORWARDED_ALLOW_IPS, else none).",
        ),
    ] = None,
) -> None:
    """Serve the web app (pages and /api) until interrupted.

    The first visit creates the owner's account, unless `lead users add` did already.
    Behind a reverse proxy on this host: --forwarded-allow-ips 127.0.0.1, so that the
    sign-in limit counts per client rather than per proxy. Without it, forwarded headers are
    ignored: anyone on the host could otherwise name any address.
    Example: lead serve --port 8000, then open http://127.0.0.1:8000
    """
    # Imported here so that every other `lead` command starts without loading the web stack.
    import uvicorn

    from takethelead.web.app import create_app

    STATE.open()
    assert STATE.settings is not None
    proxies = forwarded_allow_ips or STATE.settings.forwarded_allow_ips
    if workers > 1:
        if secure_cookies:
            console.print("--secure-cookies is per process; with --workers use https instead")
        tcp_socket(host, port).close()  # a clear error now if the port is taken
        console.print(f"Take the Lead on http://{host}:{port} ({workers} processes)")
        supervise(host, port, workers, access_log, proxies)
        return
    app = create_app(STATE.settings, secure_cookies=secure_cookies)
    console.print(f"Take the Lead on http://{host}:{port}")
    uvicorn.run(app, host=host, port=port, access_log=access_log, **proxy_options(proxies))


def proxy_options(proxies: str | None) -> dict[str, Any]:
    """uvicorn's forwarded-header options: off unless proxies are named.

    uvicorn believes X-Forwarded-For from 127.0.0.1 by default; on a shared host that lets
    any local process pose as any client.
    """
    if not proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": proxies}


def serve_one(host: str, port: int, access_log: bool, proxies: str | None = None) -> None:
    """One web process of several, on its own socket of the shared port.

    Each process listening on a socket of its own lets the kernel spread new connections
    evenly; on one shared socket, the process that wakes first accepts every waiting
    connection and the others sit idle while it is busy.
    """
    import uvicorn

    parent = os.getppid()

    def orphaned() -> None:  # the supervisor was killed outright: do not serve on alone
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=orphaned, daemon=True).start()
    sock = tcp_socket(host, port, reuse_port=True)
    config = uvicorn.Config(
        "takethelead.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        access_log=access_log,
        **proxy_options(proxies),
    )
    uvicorn.Server(config).run(sockets=[sock])


def supervise(
    host: str, port: int, workers: int, access_log: bool, proxies: str | None = None
) -> None:
    """Run `workers` web processes until SIGINT or SIGTERM; one that dies is started again."""
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=serve_one, args=(host, port, access_log, proxies))
        process.start()
        return process

    processes = [start() for _ in range(workers)]
    try:
        while not stopping.wait(0.5):
            for i, process in enumerate(processes):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILED:
                    console.print("a web process could not start; stopping (see its error above)")
                    stopping.set()
                    break
                console.print(f"web process {process.pid} ended ({process.exitcode}); restarting")
                processes[i] = start()
    finally:
        for process in processes:
            process.terminate()  # uvicorn finishes the requests in flight
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()

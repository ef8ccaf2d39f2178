"""`lead serve`: the web app and the JSON API."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from takethelead.cli.state import STATE, console, fail, friendly


def tcp_socket(host: str, port: int) -> socket.socket:
    """A listening socket that says it is TCP, shared by the worker processes.

    asyncio turns Nagle's algorithm off only on sockets created with IPPROTO_TCP; without it
    every response on a kept-alive connection waits for a delayed ACK, about 40 ms.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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
) -> None:
    """Serve the web app (pages and /api) until interrupted.

    The first visit creates the owner's account, unless `lead users add` did already.
    Example: lead serve --port 8000, then open http://127.0.0.1:8000
    """
    # Imported here so that every other `lead` command starts without loading the web stack.
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from takethelead.web.app import create_app

    if workers > 1:
        if secure_cookies:
            console.print("--secure-cookies is per process; with --workers use https instead")
        console.print(f"Take the Lead on http://{host}:{port} ({workers} processes)")
        config = uvicorn.Config(
            "takethelead.web.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=access_log,
            proxy_headers=True,
        )
        Multiprocess(config, sockets=[tcp_socket(host, port)]).run()
        return
    STATE.open()
    assert STATE.settings is not None
    app = create_app(STATE.settings, secure_cookies=secure_cookies)
    console.print(f"Take the Lead on http://{host}:{port}")
    uvicorn.run(app, host=host, port=port, access_log=access_log, proxy_headers=True)

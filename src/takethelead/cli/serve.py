"""`lead serve`: the web app and the JSON API."""

from __future__ import annotations

from typing import Annotated

import typer

from takethelead.cli.state import STATE, console, friendly


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

    from takethelead.web.app import create_app

    if workers > 1:
        if secure_cookies:
            console.print("--secure-cookies is per process; with --workers use https instead")
        console.print(f"Take the Lead on http://{host}:{port} ({workers} processes)")
        uvicorn.run(
            "takethelead.web.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=access_log,
            proxy_headers=True,
        )
        return
    STATE.open()
    assert STATE.settings is not None
    app = create_app(STATE.settings, secure_cookies=secure_cookies)
    console.print(f"Take the Lead on http://{host}:{port}")
    uvicorn.run(app, host=host, port=port, access_log=access_log, proxy_headers=True)

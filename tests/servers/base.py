"""A threaded local HTTP server with fault switches, shared by the fake networks.

Each fake network is an `App`: it routes requests to handlers that return a `Reply`. The
server in front of it applies faults before or after the app runs:

- ``reset``: the app handles the request (a post is stored), then the socket is dropped with
  a TCP reset and no answer: the client cannot tell whether the post exists.
- ``rate_limit``: answer 429 the way the network does, with its reset headers (``seconds``
  away); with ``window`` too, the network's own reset names the end of that longer window and
  ``Retry-After`` says ``seconds``, as a proxy in front of it or a short limit does.
- ``unauthorized``: answer the network's "token refused" (401, or 403 for Discourse).
- ``server_error``: answer 500 with an empty body; nothing is stored.
- ``server_error_with_body``: the app stores the post, then 500 with an HTML body.
- ``server_error_unacted``: 500 with an HTML body, and nothing stored: the client cannot tell
  this from the one above.
- ``slow``: the app handles the request, then the answer waits `seconds` (past a client
  timeout), so the post exists and the client gave up.
- ``late``: the request waits `seconds` before the app handles it (a request stuck in the
  server's queue): the client gave up long before, and the post appears only afterwards.

A fault matches a method and a path prefix and fires `times` times (None: until cleared).

Other processes drive the same switches through JSON control endpoints:
``POST /_control/fault`` with ``{"kind", "method", "path", "times", "seconds"}``,
``POST /_control/clear``, ``GET /_control/state`` (what was posted), and per-network
``POST /_control/...`` seeds documented in each module.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

FAULT_KINDS = (
    "reset",
    "rate_limit",
    "unauthorized",
    "server_error",
    "server_error_with_body",
    "server_error_unacted",
    "slow",
    "late",
)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    base_url: str

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name) or self.query.get(name + "[]")
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        return self.query.get(name, []) + self.query.get(name + "[]", [])

    def form(self) -> dict[str, Any]:
        """The body as JSON or as a urlencoded form (single values unwrapped)."""
        if not self.body:
            return {}
        if "json" in self.headers.get("content-type", ""):
            loaded = json.loads(self.body)
            return loaded if isinstance(loaded, dict) else {}
        parsed = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
        return cls(
            status,
            json.dumps(payload).encode("utf-8"),
            {"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        )


@dataclass
class Fault:
    kind: str
    method: str = "POST"
    path: str = "/"
    times: int | None = 1
    seconds: float = 2.0  # how slow, or how long until a rate limit resets
    window: float | None = None  # a rate limit's longer window, named by the network's reset


Handler = Callable[[Request, dict[str, str]], Reply]


class App:
    """Routes plus state; subclasses register handlers and describe their error answers."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request seen
        self._routes: list[tuple[str, list[str], Handler]] = []
        self.stopping = threading.Event()
        self.late_handled = 0  # requests held back by a ``late`` fault and handled since

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Register a handler; `{name}` segments of the pattern are passed as parameters."""
        self._routes.append((method, pattern.strip("/").split("/"), handler))

    def fail(self, kind: str, *, method: str = "POST", path: str = "/", **options: Any) -> None:
        """Switch a fault on for matching requests."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
        with self.lock:
            self.faults.append(Fault(kind, method.upper(), path, **options))

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method == method and path.startswith(fault.path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None

    def dispatch(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append((request.method, request.path))
        if request.path.startswith("/_control/"):
            return self._control(request)
        segments = request.path.strip("/").split("/")
        for method, pattern, handler in self._routes:
            params = _match(pattern, segments)
            if method == request.method and params is not None:
                return handler(request, params)
        return self.not_found()

    def _control(self, request: Request) -> Reply:
        name = request.path.removeprefix("/_control/")
        if name == "fault" and request.method == "POST":
            options = request.form()
            self.fail(str(options.pop("kind")), **options)
            return Reply.json(200, {"ok": True})
        if name == "clear" and request.method == "POST":
            self.clear_faults()
            return Reply.json(200, {"ok": True})
        if name == "state" and request.method == "GET":
            return Reply.json(200, self.state())
        return self.control(name, request)

    # What each network overrides.
    def state(self) -> dict[str, Any]:
        return {}

    def control(self, name: str, request: Request) -> Reply:
        return Reply.json(404, {"error": f"no control {name!r}"})

    def not_found(self) -> Reply:
        return Reply.json(404, {"error": "Record not found"})

    def rate_limited(self, seconds: float, window: float | None = None) -> Reply:
        return Reply(429, b"", {"Retry-After": str(int(seconds))})

    def unauthorized(self) -> Reply:
        return Reply.json(401, {"error": "The access token is invalid"})


def _match(pattern: list[str], segments: list[str]) -> dict[str, str] | None:
    if len(pattern) != len(segments):
        return None
    params: dict[str, str] = {}
    for want, got in zip(pattern, segments, strict=True):
        if want.startswith("{") and want.endswith("}"):
            params[want[1:-1]] = got
        elif want != got:
            return None
    return params


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: no stale keep-alive sockets

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet tests

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        app = self.server.app
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base_url=self.server.base_url,
        )
        fault = (
            None
            if parts.path.startswith("/_control/")
            else app.take_fault(self.command, parts.path)
        )
        if fault is None:
            self._answer(app.dispatch(request))
        elif fault.kind == "reset":
            app.dispatch(request)
            self._drop()
        elif fault.kind == "rate_limit":
            self._answer(app.rate_limited(fault.seconds, fault.window))
        elif fault.kind == "unauthorized":
            self._answer(app.unauthorized())
        elif fault.kind == "server_error":
            self._answer(Reply(500, b""))
        elif fault.kind in ("server_error_with_body", "server_error_unacted"):
            if fault.kind == "server_error_with_body":
                app.dispatch(request)
            page = b"<html><body><h1>We're sorry, but something went wrong.</h1></body></html>"
            self._answer(Reply(500, page, {"Content-Type": "text/html"}))
        elif fault.kind == "late":
            app.stopping.wait(fault.seconds)
            reply = app.dispatch(request)
            with app.lock:
                app.late_handled += 1
            self._answer(reply)
        else:  # slow
            reply = app.dispatch(request)
            app.stopping.wait(fault.seconds)
            self._answer(reply)

    def _answer(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting

    def _drop(self) -> None:
        # SO_LINGER 0 makes close() send RST instead of FIN: the answer is lost on the wire.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() waits for handlers, so no socket outlives a test

    def __init__(self, app: App, host: str, port: int) -> None:
        super().__init__((host, port), _Handler)
        self.app = app
        self.base_url = f"http://{host}:{self.server_address[1]}"


class RunningServer:
    """A started server: its base URL, its app, and a stop() that waits for every handler."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server = _Server(app, host, port)
        self.url = self._server.base_url
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.app.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def main(app_factory: Callable[[], App], description: str) -> None:
    """`python -m tests.servers.<network> --port N`: serve until interrupted."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    options = parser.parse_args()
    server = RunningServer(app_factory(), options.host, options.port)
    # The first line tells a parent process where to connect.
    print(f"listening on {server.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()

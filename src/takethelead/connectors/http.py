"""The one seam for outbound HTTP: timeouts, our User-Agent, and the private-address refusal.

Every connector builds its client here. httpx is our client (Discourse, RSS, and atproto,
which accepts an httpx transport); Mastodon.py insists on a `requests.Session`, so the same
guard is offered as a requests adapter.

The guard sits where sockets open, not in front of the request: the host is resolved once,
every address it gave is vetted (`addresses.vetted_addresses`), and the socket is connected
to a vetted address itself. A DNS answer that changes between a check and the connect
(rebinding) therefore cannot reach a private address. The Host header, TLS's SNI and the
certificate check still use the host name. Redirects are followed by the clients, and each
hop's connection goes through the same guard.
"""

from __future__ import annotations

import socket
import ssl
import sys
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
import requests
import requests.adapters
import urllib3
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions
import urllib3.util.connection
from requests.models import PreparedRequest, Response
from requests.utils import select_proxy

from takethelead.connectors.addresses import (
    AddressRefused,
    Resolver,
    UnusableURL,
    checked_url,
    system_resolver,
    vetted_addresses,
)

__all__ = [
    "CONNECT_SECONDS",
    "DEFAULT_TIMEOUT",
    "READ_SECONDS",
    "USER_AGENT",
    "AddressRefused",
    "Resolver",
    "UnusableURL",
    "check_url",
    "checked_url",
    "guarded_transport",
    "http_client",
    "requests_session",
]


def _version() -> str:
    try:
        return metadata.version("takethelead")
    except metadata.PackageNotFoundError:
        return "dev"


USER_AGENT = f"TakeTheLead/{_version()} (local-first networking assistant)"
CONNECT_SECONDS = 5.0
READ_SECONDS = 20.0
DEFAULT_TIMEOUT = httpx.Timeout(READ_SECONDS, connect=CONNECT_SECONDS)

# Opens a TCP socket like urllib3's create_connection: (address, timeout, source, options).
SocketOpener = Callable[..., socket.socket]


def check_url(url: str, *, allow_private: bool, resolve: Resolver = system_resolver) -> None:
    """Raise AddressRefused unless the URL is well formed and its host resolves to public addresses.

    An early answer for a form; the clients below check again, at the connect itself.
    """
    checked_url(url)
    if allow_private:
        return
    parts = urlsplit(url)
    try:
        vetted_addresses(
            parts.hostname or "", parts.port or 0, allow_private=False, resolve=resolve
        )
    except (OSError, UnicodeError):
        return  # the client's own connect fails the same way and says so


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore's sockets, connected only to addresses the guard vetted."""

    def __init__(
        self, inner: httpcore.NetworkBackend, *, allow_private: bool, resolve: Resolver
    ) -> None:
        self._inner = inner
        self._allow_private = allow_private
        self._resolve = resolve

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = vetted_addresses(
                host, port, allow_private=self._allow_private, resolve=self._resolve
            )
        except (OSError, UnicodeError) as error:
            raise httpcore.ConnectError(f"{host}: {error}") from error
        last: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, list(socket_options or [])
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last = error
        raise last or httpcore.ConnectError(f"{host} resolves to no address")

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise AddressRefused("Connections to local sockets are not made.")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, backend: _GuardedBackend, verify: ssl.SSLContext | bool) -> None:
        context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify)
        super().__init__(verify=context, retries=0)
        # httpx 0.28's transport takes no network backend, but its pool does: the pool is
        # built again around ours, with the same TLS context and httpx's default limits.
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            retries=0,
            network_backend=backend,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        checked_url(str(request.url))
        return super().handle_request(request)


def guarded_transport(
    *,
    allow_private: bool = False,
    resolve: Resolver = system_resolver,
    verify: ssl.SSLContext | bool = True,
    backend: httpcore.NetworkBackend | None = None,
) -> httpx.BaseTransport:
    """An httpx transport that connects only to vetted addresses, for clients built by libraries.

    `resolve` and `backend` (where sockets really open) are seams for tests.
    """
    guarded = _GuardedBackend(
        backend or httpcore.SyncBackend(), allow_private=allow_private, resolve=resolve
    )
    return _GuardedTransport(guarded, verify)


def http_client(
    *,
    allow_private: bool = False,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    base_url: str = "",
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = False,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An httpx client with our timeouts and User-Agent that refuses private addresses."""
    if base_url:
        checked_url(base_url)  # httpx would raise its own InvalidURL for 0177.0.0.1
    return httpx.Client(
        transport=transport or guarded_transport(allow_private=allow_private),
        timeout=timeout,
        base_url=base_url,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        follow_redirects=follow_redirects,
        trust_env=False,
    )


class _Guard:
    """What the requests side's connections need: the policy, a resolver, a socket opener."""

    def __init__(self, *, allow_private: bool, resolve: Resolver, opener: SocketOpener) -> None:
        self.allow_private = allow_private
        self.resolve = resolve
        self.opener = opener

    def open(self, connection: urllib3.connection.HTTPConnection) -> socket.socket:
        """A socket for urllib3's connection, mapping failures as urllib3's own `_new_conn` does."""
        host, port = connection.host, connection.port
        try:
            addresses = vetted_addresses(
                host, port, allow_private=self.allow_private, resolve=self.resolve
            )
        except socket.gaierror as error:
            raise urllib3.exceptions.NameResolutionError(host, connection, error) from error
        last: OSError | None = None
        for address in addresses:
            try:
                sock = self.opener(
                    (address, port),
                    connection.timeout,
                    source_address=connection.source_address,
                    socket_options=connection.socket_options,
                )
            except OSError as error:
                last = error
                continue
            sys.audit("http.client.connect", connection, host, port)
            return sock
        if isinstance(last, TimeoutError):
            raise urllib3.exceptions.ConnectTimeoutError(
                connection,
                f"Connection to {host} timed out. (connect timeout={connection.timeout})",
            ) from last
        raise urllib3.exceptions.NewConnectionError(
            connection, f"Failed to establish a new connection: {last}"
        ) from last


class _GuardedHTTPConnection(urllib3.connection.HTTPConnection):
    def __init__(self, *args: Any, guard: _Guard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard = guard

    def _new_conn(self) -> socket.socket:
        return self._guard.open(self)


class _GuardedHTTPSConnection(urllib3.connection.HTTPSConnection):
    # TLS is wrapped around this socket by urllib3 with server_hostname = the host name.
    def __init__(self, *args: Any, guard: _Guard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard = guard

    def _new_conn(self) -> socket.socket:
        return self._guard.open(self)


class _GuardedPoolManager(urllib3.PoolManager):
    def __init__(self, guard: _Guard, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._guard = guard

    def _new_pool(
        self,
        scheme: str,
        host: str,
        port: int,
        request_context: dict[str, Any] | None = None,
    ) -> urllib3.connectionpool.HTTPConnectionPool:
        # urllib3 documents this method as the place to customise the pools it makes.
        pool = super()._new_pool(scheme, host, port, request_context)
        pool.ConnectionCls = (
            _GuardedHTTPSConnection if scheme == "https" else _GuardedHTTPConnection
        )
        pool.conn_kw["guard"] = self._guard
        return pool


class _GuardedAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, guard: _Guard) -> None:
        self._guard = guard  # before super().__init__, which builds the pool manager
        super().__init__(max_retries=0)  # a retried POST could post twice

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        self._pool_connections = connections
        self._pool_maxsize = maxsize
        self._pool_block = block
        self.poolmanager = _GuardedPoolManager(
            self._guard, num_pools=connections, maxsize=maxsize, block=block, **pool_kwargs
        )

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> Response:
        url = str(request.url)
        checked_url(url)
        if select_proxy(url, proxies or {}):
            # A proxy's pool is not ours: the guard would vet the proxy, not the server.
            raise AddressRefused("Requests through a proxy are not made.")
        return super().send(request, stream, timeout, verify, cert, proxies)


def requests_session(
    *,
    allow_private: bool = False,
    resolve: Resolver = system_resolver,
    opener: SocketOpener = urllib3.util.connection.create_connection,
) -> requests.Session:
    """A requests session with the same guard, for Mastodon.py (which only speaks requests).

    `resolve` and `opener` (where sockets really open) are seams for tests.
    """
    session = requests.Session()
    session.trust_env = False  # no .netrc or proxy settings from the environment
    session.headers["User-Agent"] = USER_AGENT
    guard = _Guard(allow_private=allow_private, resolve=resolve, opener=opener)
    adapter = _GuardedAdapter(guard)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
